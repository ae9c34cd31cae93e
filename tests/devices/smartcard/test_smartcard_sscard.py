"""Social security card reading against the virtual card's APDU logic in-process (no PC/SC, no sockets)."""
from __future__ import annotations

from dataclasses import replace

import pytest

from devices.base import DeviceError, Fault
from devices.idcard.idnumber import check_char
from devices.smartcard.apdu import Response
from devices.smartcard.sscard import LAYOUT, READ_FIELDS, SSSE_NAME, decode_value, read_social_security_card
from devices.smartcard.virtual_card import VirtualBankCard, VirtualSocialSecurityCard, card_files
from sc_helpers import DEMO_CARD

pytestmark = pytest.mark.timeout(10)


def read(card) -> object:
    card.power(True)
    return read_social_security_card(card.respond)


def fault_of(card) -> DeviceError:
    with pytest.raises(DeviceError) as info:
        read(card)
    return info.value


def test_reads_number_name_id_and_region():
    assert read(VirtualSocialSecurityCard(DEMO_CARD)) == DEMO_CARD


def test_speaks_the_commands_public_readers_use():
    sent: list[str] = []
    card = VirtualSocialSecurityCard(DEMO_CARD)

    def transmit(apdu: bytes) -> bytes:
        sent.append(apdu.hex().upper())
        return card.respond(apdu)

    read_social_security_card(transmit)
    assert SSSE_NAME.hex().upper() == "7378312E73682EC9E7BBE1B1A3D5CF"       # "sx1.sh.社会保障" in GBK
    assert sent[0] == "00A404000F7378312E73682EC9E7BBE1B1A3D5CF00"
    assert sent[1].startswith("00C00000")                                    # T=0: FCI fetched after 61xx
    assert [s[:8] for s in sent[2::2]] == ["00B2012C", "00B2072C", "00B20134", "00B20234"]
    assert len(sent) == 2 + 2 * len(READ_FIELDS)                             # each read: Le 00, then 6Cxx's Le


def test_names_are_gbk_and_rare_characters_survive():
    rare = replace(DEMO_CARD, name="王䶮")          # 䶮 is outside GBK, inside GB18030
    assert read(VirtualSocialSecurityCard(rare)).name == "王䶮"
    raw = "欧阳娜娜".encode("gbk") + b"\x00" * 4 + b"  "
    assert decode_value(LAYOUT["name"], raw) == "欧阳娜娜"


def test_issuer_is_the_region_code_in_the_card_identification_code():
    card = VirtualSocialSecurityCard(DEMO_CARD, card_id=bytes.fromhex("330300D15600000599110145FFFFFFFF"))
    assert read(card).issuer == "330300"
    unknown = VirtualSocialSecurityCard(DEMO_CARD, card_id=bytes(16))
    assert read(unknown).issuer == ""


def test_a_bad_check_character_is_unreadable_and_never_echoed():
    number = DEMO_CARD.id_number
    wrong = number[:17] + ("0" if check_char(number[:17]) != "0" else "1")
    error = fault_of(VirtualSocialSecurityCard(replace(DEMO_CARD, id_number=wrong)))
    assert error.reason is Fault.CARD_UNREADABLE
    assert wrong not in str(error) and DEMO_CARD.name not in str(error)


def test_a_number_that_is_no_resident_id_is_unsupported():
    foreigner = replace(DEMO_CARD, id_number="USA330911198001011")
    assert fault_of(VirtualSocialSecurityCard(foreigner)).reason is Fault.CARD_UNSUPPORTED


def test_another_application_is_unsupported():
    error = fault_of(VirtualBankCard())
    assert error.reason is Fault.CARD_UNSUPPORTED and "6A82" in error.detail


@pytest.mark.parametrize("sw, fault", [(0x6F00, Fault.CARD_UNREADABLE), (0x6A82, Fault.CARD_UNSUPPORTED),
                                       (0x6D00, Fault.CARD_UNSUPPORTED), (0x6581, Fault.CARD_UNREADABLE)])
def test_select_status_words(sw, fault):
    assert fault_of(_answering_select_with(sw)).reason is fault


def _answering_select_with(sw: int) -> VirtualSocialSecurityCard:
    card = VirtualSocialSecurityCard(DEMO_CARD)
    card.respond = lambda apdu: Response(b"", sw).encode()
    return card


def test_a_record_with_another_tag_is_unreadable():
    card = VirtualSocialSecurityCard(DEMO_CARD)
    card.files[6][2] = bytes.fromhex("0A0131")                 # 性别 where the name should be
    error = fault_of(card)
    assert error.reason is Fault.CARD_UNREADABLE and "tag 0A, expected 09" in error.detail


def test_a_missing_record_or_protected_file():
    card = VirtualSocialSecurityCard(DEMO_CARD)
    del card.files[5][7]
    assert fault_of(card).reason is Fault.CARD_UNREADABLE
    locked = VirtualSocialSecurityCard(DEMO_CARD)
    real = locked.respond
    locked.respond = lambda apdu: bytes.fromhex("6982") if apdu[1] == 0xB2 and apdu[3] == 0x34 else real(apdu)
    assert fault_of(locked).reason is Fault.CARD_UNSUPPORTED


@pytest.mark.parametrize("card_number", ["A1234567", "a12345678!"])
def test_card_numbers_are_nine_letters_or_digits(card_number):
    card = VirtualSocialSecurityCard(replace(DEMO_CARD, card_number=card_number))
    assert fault_of(card).reason is Fault.CARD_UNREADABLE


def test_the_layout_table_covers_basic_files_with_unique_places():
    places = {(f.sfi, f.record) for f in LAYOUT.values()}
    assert len(places) == len(LAYOUT)
    assert {LAYOUT[k].tag for k in READ_FIELDS} == {0x01, 0x07, 0x08, 0x09}
    files = card_files(DEMO_CARD)
    assert sorted(files) == [5, 6] and files[6][1][:2] == bytes((0x08, 18))
