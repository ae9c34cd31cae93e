from dataclasses import replace
from datetime import date

import pytest

from devices.idcard import idnumber
from devices.idcard.simulator import DEMO_CARD
from devices.idcard.text import (NATIONS, CardType, TextError, UnsupportedCard, card_type_of, decode_text,
                                 encode_text)

pytestmark = pytest.mark.timeout(10)


def test_decode_of_simulator_encoded_card():
    block = encode_text(DEMO_CARD)
    assert len(block) == 256
    card = decode_text(block)
    assert card.name == "王海生" and card.gender == "男" and card.nation == "汉"
    assert card.birth_date == date(1968, 3, 12) and card.valid_to is None   # 长期
    assert card.address.startswith("浙江省舟山市定海区") and card.id_number == "330902196803121232"
    assert card.authority == "舟山市公安局定海区分局" and card.card_type is CardType.RESIDENT
    assert card == replace(DEMO_CARD, photo_wlt=b"")


def test_fields_sit_at_their_byte_offsets():
    block = encode_text(DEMO_CARD)
    assert block[0:6].decode("utf-16-le") == "王海生"
    assert block[30:32].decode("utf-16-le") == "1"
    assert block[32:36].decode("utf-16-le") == "01"
    assert block[122:158].decode("utf-16-le") == "330902196803121232"
    assert card_type_of(block) == " "


def test_identity_record_and_no_personal_data_in_repr():
    identity = DEMO_CARD.to_identity()
    assert identity.source == "idcard" and identity.birth_date == "1968-03-12" and identity.gender == "男"
    assert "王" not in repr(DEMO_CARD) and "330902" not in repr(DEMO_CARD)


def test_fixed_term_card_and_minority_nation():
    card = replace(DEMO_CARD, name="阿依古丽·买买提", gender_code="2", nation_code=5, id_number="330902196803121240",
                   valid_to=date(2038, 6, 1))
    decoded = decode_text(encode_text(card))
    assert decoded.name == "阿依古丽·买买提" and decoded.gender == "女" and decoded.nation == "维吾尔"
    assert decoded.valid_to == date(2038, 6, 1)


def test_nation_table_has_56_nations_and_two_extra_codes():
    assert len([c for c in NATIONS if c <= 56]) == 56 and NATIONS[56] == "基诺" and 97 in NATIONS and 98 in NATIONS


@pytest.mark.parametrize("number,valid", [
    ("11010519491231002X", True),     # GB 11643 worked example
    ("440524188001010014", True),
    ("330902196803121232", True),
    ("330902196803121233", False),    # wrong check character
    ("11010519491231002x", False),    # cards carry upper-case X
    ("330902196802301232", False),    # 30 February
    ("33090219680312123", False),
    ("０30902196803121232", False),   # full-width digit
])
def test_check_digit(number, valid):
    assert idnumber.is_valid(number) is valid


@pytest.mark.parametrize("change", [
    {"id_number": "330902196803121233"},
    {"birth_date": date(1968, 3, 13)},          # disagrees with the ID number
    {"nation_code": 57},
    {"gender_code": "5"},
    {"name": ""},
])
def test_inconsistent_cards_are_rejected(change):
    with pytest.raises(TextError):
        decode_text(encode_text(replace(DEMO_CARD, **change)))


def test_other_card_types_reach_the_type_hook():
    block = encode_text(DEMO_CARD)
    unknown = block[:248] + "Z".encode("utf-16-le") + block[250:]
    with pytest.raises(UnsupportedCard) as info:
        decode_text(unknown)
    assert info.value.card_type == "Z"
    # a resident layout flagged 'I' goes to the foreigner decoder, which finds no foreigner card in it
    with pytest.raises(TextError) as info:
        decode_text(encode_text(replace(DEMO_CARD, card_type=CardType.FOREIGNER)))
    assert not isinstance(info.value, UnsupportedCard)


def test_wrong_block_size_and_bad_ucs2():
    with pytest.raises(TextError):
        decode_text(bytes(255))
    block = bytearray(encode_text(DEMO_CARD))
    block[0:2] = b"\x00\xd8"                    # lone surrogate
    with pytest.raises(TextError):
        decode_text(bytes(block))
