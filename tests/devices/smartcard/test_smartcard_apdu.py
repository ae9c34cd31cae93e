"""APDU encoding, the 61xx/6Cxx exchange and TLV parsing, with scripted cards (no PC/SC)."""
from __future__ import annotations

import pytest

from devices.smartcard.apdu import (ApduError, Command, Response, Tlv, describe, exchange, find_tlv, parse_ber_tlv,
                                    parse_simple_tlv, read_binary, read_record, select_by_id, select_by_name)

pytestmark = pytest.mark.timeout(10)


class ScriptedCard:
    """Answers from a list, and records what it was sent."""

    def __init__(self, *answers: str):
        self.answers = [bytes.fromhex(a) for a in answers]
        self.sent: list[str] = []

    def __call__(self, apdu: bytes) -> bytes:
        self.sent.append(apdu.hex().upper())
        return self.answers.pop(0)


def test_command_cases_encode_as_iso_7816_4():
    assert Command(0x00, 0x84, 0x00, 0x00).encode().hex() == "00840000"                      # case 1
    assert Command(0x00, 0x84, 0x00, 0x00, le=8).encode().hex() == "0084000008"              # case 2
    assert select_by_id(0xEF05).encode().hex().upper() == "00A4000002EF05"                   # case 3
    assert select_by_name(b"\xa0\x01").encode().hex().upper() == "00A4040002A00100"          # case 4, Le 256 = 00
    assert read_record(7, sfi=5).encode().hex().upper() == "00B2072C00"
    assert read_record(1, sfi=6, le=0x14).encode().hex().upper() == "00B2013414"
    assert read_record(2).encode().hex().upper() == "00B2020400"                             # current EF
    assert read_binary(0x0102, le=16).encode().hex().upper() == "00B0010210"
    assert read_binary(4, le=2, sfi=0x15).encode().hex().upper() == "00B0950402"


@pytest.mark.parametrize("kwargs", [dict(le=0), dict(le=257), dict(data=bytes(256)), dict(p1=256)])
def test_commands_outside_short_apdus_are_refused(kwargs):
    args = dict(cla=0, ins=0xB0, p1=0, p2=0) | kwargs
    with pytest.raises(ValueError):
        Command(**args)


def test_response_needs_a_status_word():
    assert Response.decode(bytes.fromhex("01029000")) == Response(b"\x01\x02", 0x9000)
    assert Response.decode(bytes.fromhex("6A82")).sw1 == 0x6A
    for raw in (b"", b"\x90"):
        with pytest.raises(ApduError):
            Response.decode(raw)


def test_61xx_is_fetched_with_get_response_and_joined():
    card = ScriptedCard("6104", "AABB6102", "CCDD9000")
    response = exchange(card, select_by_name(b"\x01"))
    assert response == Response(bytes.fromhex("AABBCCDD"), 0x9000)
    assert card.sent[1:] == ["00C0000004", "00C0000002"]


def test_6cxx_repeats_the_command_with_the_le_the_card_asked_for():
    card = ScriptedCard("6C0B", "07094131323334353637389000")
    response = exchange(card, read_record(7, sfi=5))
    assert response.ok and len(response.data) == 11
    assert card.sent == ["00B2072C00", "00B2072C0B"]


def test_get_response_with_a_wrong_le_is_corrected_too():
    card = ScriptedCard("6100", "6C02", "AABB9000")          # 6100: 256 bytes said, then the card corrects itself
    assert exchange(card, select_by_name(b"\x01")).data == bytes.fromhex("AABB")
    assert card.sent[1:] == ["00C0000000", "00C0000002"]


def test_a_card_that_never_stops_saying_61xx_is_an_error():
    with pytest.raises(ApduError):
        exchange(lambda apdu: bytes.fromhex("00610A"), select_by_name(b"\x01"))


def test_status_words_have_meanings():
    assert describe(0x6A82) == "file or application not found"
    assert describe(0x6110) == "16 response bytes waiting"
    assert describe(0x6C0B) == "wrong Le, card has 11 bytes"
    assert describe(0x63C2) == "verification failed, 2 tries left"
    assert describe(0x6999) == "unknown status"


def test_simple_tlv_records():
    assert parse_simple_tlv(bytes.fromhex("0704414243440A0131")) == [Tlv(7, b"ABCD"), Tlv(0x0A, b"1")]
    assert parse_simple_tlv(bytes.fromhex("09FF0003") + b"abc") == [Tlv(9, b"abc")]
    assert parse_simple_tlv(b"") == []
    for bad in ("0705414243", "07", "000100", "FF0100"):
        with pytest.raises(ApduError):
            parse_simple_tlv(bytes.fromhex(bad))


def test_ber_tlv_fci_with_multibyte_tags_long_lengths_and_padding():
    fci = bytes.fromhex("6F0E8402A001A5089F0801025F2D017A0000")
    items = parse_ber_tlv(fci)
    assert [i.tag for i in items] == [0x6F]
    assert find_tlv(items, 0x84).value == b"\xa0\x01"
    assert find_tlv(items, 0x9F08).value == b"\x02"
    assert find_tlv(items, 0x5F2D).value == b"z"
    assert find_tlv(items, 0x88) is None
    assert parse_ber_tlv(bytes.fromhex("538182") + bytes(130)) == [Tlv(0x53, bytes(130))]
    assert parse_ber_tlv(bytes.fromhex("53820100") + bytes(256)) == [Tlv(0x53, bytes(256))]
    with pytest.raises(ApduError):
        parse_ber_tlv(bytes.fromhex("6F05840101"))
