"""Foreigner permanent residence cards (2017 'I', 2023 'Y') and HK/Macau/Taiwan residence permits ('J').

Each kind is checked twice: blocks the simulator's encoder builds (round trip), and blocks built here by hand,
field by field, from the layouts published in readers' SDK headers, so a shared mistake in layout tables cannot
pass unnoticed.
"""
from dataclasses import replace
from datetime import date

import pytest

from devices.idcard import idnumber
from devices.idcard.demo import DEMO_CARD, DEMO_FOREIGNER_2017, DEMO_FOREIGNER_2023, DEMO_HMT_PERMIT
from devices.idcard.fields import CardType, TextError, UnsupportedCard
from devices.idcard.foreign import ForeignerCardData
from devices.idcard.hmt import HmtPermitData
from devices.idcard.nationality import NATIONALITIES, nationality_name
from devices.idcard.text import decode_text, encode_text

pytestmark = pytest.mark.timeout(10)


def ucs2(text: str, size: int) -> bytes:
    raw = text.encode("utf-16-le")
    assert len(raw) <= size
    return raw + b" \x00" * ((size - len(raw)) // 2)


def hand_built_2017(**change) -> bytes:
    """t_idforeigner: name 120, sex 2, IDSn 30, nation 6, cnname 30, start 16, end 16, birth 16, ver 4, org 8,
    type 2, reserved 6. The number is the public worked example KAZ110090123105 (born 1990-12-31)."""
    f = {"en": "NURLANOVA, AIGERIM", "sex": "2", "no": "KAZ110090123105", "nat": "KAZ", "cn": "艾格林",
         "start": "20200115", "end": "20300115", "birth": "19901231", "ver": "01", "org": "1100", "type": "I"} | change
    block = (ucs2(f["en"], 120) + ucs2(f["sex"], 2) + ucs2(f["no"], 30) + ucs2(f["nat"], 6) + ucs2(f["cn"], 30)
             + ucs2(f["start"], 16) + ucs2(f["end"], 16) + ucs2(f["birth"], 16) + ucs2(f["ver"], 4)
             + ucs2(f["org"], 8) + ucs2(f["type"], 2) + ucs2("", 6))
    assert len(block) == 256
    return block


def hand_built_2023(en1: str = "NURLANOVA, AIGERIM", en2: str = "", **change) -> bytes:
    """t_idforeigner2023: cnName 30, Sex 2, chgNum 4, birth 16, enName 70 (chars 1-35), IDSn 36, reserved 30,
    start 16, end 16, enNameEx 22 (chars 36-46), nation 6, type 2, link to the old number 6."""
    f = {"cn": "艾格林", "sex": "2", "chg": "01", "birth": "19901231", "no": "911398199012310021",
         "start": "20240301", "end": "20340301", "nat": "KAZ", "type": "Y", "link": "105"} | change
    block = (ucs2(f["cn"], 30) + ucs2(f["sex"], 2) + ucs2(f["chg"], 4) + ucs2(f["birth"], 16) + ucs2(en1, 70)
             + ucs2(f["no"], 36) + ucs2("", 30) + ucs2(f["start"], 16) + ucs2(f["end"], 16) + ucs2(en2, 22)
             + ucs2(f["nat"], 6) + ucs2(f["type"], 2) + ucs2(f["link"], 6))
    assert len(block) == 256
    return block


def hand_built_hmt(**change) -> bytes:
    """t_idcardinfor: name 30, sex 2, nation 4 (blank), birth 16, addr 70, IDSn 36, signOrg 30, start 16, end 16,
    passID 18, issuesNum 4, reserved 6, type 2, reserved 6."""
    f = {"name": "李嘉欣", "sex": "2", "birth": "19751108", "addr": "浙江省舟山市岱山县高亭镇渔港路3号",
         "no": "820000197511080036", "org": "岱山县公安局", "start": "20220301", "end": "20270301",
         "pass": "M60123456", "count": "02", "type": "J"} | change
    block = (ucs2(f["name"], 30) + ucs2(f["sex"], 2) + ucs2("", 4) + ucs2(f["birth"], 16) + ucs2(f["addr"], 70)
             + ucs2(f["no"], 36) + ucs2(f["org"], 30) + ucs2(f["start"], 16) + ucs2(f["end"], 16)
             + ucs2(f["pass"], 18) + ucs2(f["count"], 4) + ucs2("", 6) + ucs2(f["type"], 2) + ucs2("", 6))
    assert len(block) == 256
    return block


# --- round trips of the simulator's encoder ----------------------------------------------------------------
@pytest.mark.parametrize("card", [DEMO_CARD, DEMO_FOREIGNER_2017, DEMO_FOREIGNER_2023, DEMO_HMT_PERMIT],
                         ids=["resident", "foreigner-2017", "foreigner-2023", "hmt-permit"])
def test_encoder_round_trip(card):
    block = encode_text(card)
    assert len(block) == 256 and block[248:250].decode("utf-16-le") == card.card_type.value
    assert decode_text(block) == replace(card, photo_wlt=b"")


def test_2023_english_name_split_over_two_fields_keeps_the_space_at_the_seam():
    name = DEMO_FOREIGNER_2023.english_name
    assert len(name) == 45 and name[35] == " "                   # the seam of the 35 + 11 split
    block = encode_text(DEMO_FOREIGNER_2023)
    assert block[52:122].decode("utf-16-le") == name[:35]
    assert block[220:242].decode("utf-16-le").rstrip() == name[35:].rstrip()
    assert decode_text(block).english_name == name


# --- hand-built blocks ---------------------------------------------------------------------------------------
def test_hand_built_2017_foreigner_card():
    card = decode_text(hand_built_2017())
    assert isinstance(card, ForeignerCardData) and card.card_type is CardType.FOREIGNER
    assert (card.english_name, card.chinese_name, card.gender) == ("NURLANOVA, AIGERIM", "艾格林", "女")
    assert (card.number, card.nationality_code, card.nationality) == ("KAZ110090123105", "KAZ", "哈萨克斯坦")
    assert (card.birth_date, card.valid_from, card.valid_to) == (date(1990, 12, 31), date(2020, 1, 15),
                                                                 date(2030, 1, 15))
    assert (card.version, card.authority_code) == ("01", "1100")


def test_hand_built_2023_foreigner_card():
    card = decode_text(hand_built_2023())
    assert isinstance(card, ForeignerCardData) and card.card_type is CardType.FOREIGNER_2023
    assert (card.english_name, card.chinese_name, card.gender) == ("NURLANOVA, AIGERIM", "艾格林", "女")
    assert (card.number, card.nationality, card.birth_date) == ("911398199012310021", "哈萨克斯坦", date(1990, 12, 31))
    assert (card.valid_from, card.valid_to) == (date(2024, 3, 1), date(2034, 3, 1))
    assert (card.renewal_count, card.previous_link) == (1, "105")


def test_hand_built_2023_long_english_name():
    first = "SANTOS-VILLANUEVA, MARIA FERNANDA C"                 # exactly 35 characters
    assert len(first) == 35
    card = decode_text(hand_built_2023(en1=first, en2="ONCEPCION"))
    assert card.english_name == "SANTOS-VILLANUEVA, MARIA FERNANDA CONCEPCION"


def test_hand_built_hmt_permit():
    card = decode_text(hand_built_hmt())
    assert isinstance(card, HmtPermitData) and card.card_type is CardType.HMT_RESIDENCE
    assert (card.name, card.gender, card.region) == ("李嘉欣", "女", "澳门")
    assert (card.id_number, card.birth_date) == ("820000197511080036", date(1975, 11, 8))
    assert card.address == "浙江省舟山市岱山县高亭镇渔港路3号" and card.authority == "岱山县公安局"
    assert (card.pass_number, card.issue_count) == ("M60123456", 2)
    assert (card.valid_from, card.valid_to) == (date(2022, 3, 1), date(2027, 3, 1))


def test_hand_built_taiwan_permit_with_an_eight_digit_pass():
    card = decode_text(hand_built_hmt(no="830000200002290015", birth="20000229", **{"pass": "01234567"}))
    assert card.region == "台湾" and card.pass_number == "01234567"


def test_decoders_and_encoders_agree_on_hand_built_blocks():
    for block in (hand_built_2017(), hand_built_2023(), hand_built_hmt()):
        assert encode_text(decode_text(block)) == block


# --- what is rejected --------------------------------------------------------------------------------------
@pytest.mark.parametrize("block", [
    hand_built_2017(no="KAZ110090123106"),                        # wrong check digit
    hand_built_2017(birth="19901230"),                            # birth disagrees with the number
    hand_built_2017(nat="K1Z"),
    hand_built_2017(sex="5"),
    hand_built_2017(en=""),
    hand_built_2017(end="20301315"),
    hand_built_2023(no="911398199012310022"),                     # GB 11643 check
    hand_built_2023(no="31139819901231002X"),                     # valid GB 11643, but not led by 9
    hand_built_2023(birth="19901230"),
    hand_built_2023(chg="X1"),
    hand_built_hmt(no="820000197511080037"),
    hand_built_hmt(no="330902197511080032"),                     # a resident number is not a permit number
    hand_built_hmt(birth="19751109"),
    hand_built_hmt(addr=""),
    hand_built_hmt(**{"pass": "M6012345-"}),
], ids=lambda b: "")
def test_inconsistent_cards_are_rejected(block):
    with pytest.raises(TextError) as info:
        decode_text(block)
    assert not isinstance(info.value, UnsupportedCard)


def test_truly_unknown_type_is_unsupported():
    with pytest.raises(UnsupportedCard) as info:
        decode_text(hand_built_2017(type="X"))
    assert info.value.card_type == "X"


# --- records -------------------------------------------------------------------------------------------------
def test_identity_mapping():
    foreigner = DEMO_FOREIGNER_2017.to_identity()
    assert (foreigner.name, foreigner.id_number, foreigner.gender, foreigner.birth_date, foreigner.address) == \
        ("马克林", "CAN330985041219", "男", "1985-04-12", "")
    assert foreigner.masked_id() == "CAN********1219"
    no_chinese_name = replace(DEMO_FOREIGNER_2023, chinese_name="").to_identity()
    assert no_chinese_name.name == DEMO_FOREIGNER_2023.english_name
    permit = DEMO_HMT_PERMIT.to_identity()
    assert (permit.name, permit.id_number, permit.address) == \
        ("陈美玲", "810000199002150021", DEMO_HMT_PERMIT.address)


@pytest.mark.parametrize("card", [DEMO_FOREIGNER_2017, DEMO_FOREIGNER_2023, DEMO_HMT_PERMIT])
def test_no_personal_data_in_repr(card):
    text = repr(card)
    for secret in (getattr(card, "name", ""), getattr(card, "english_name", ""), getattr(card, "chinese_name", ""),
                   getattr(card, "number", ""), getattr(card, "id_number", ""), getattr(card, "pass_number", "")):
        assert not secret or secret not in text
    assert "1985" not in text and "1990" not in text


def test_nationality_table():
    assert len(NATIONALITIES) > 150 and all(len(code) == 3 and code.isupper() for code in NATIONALITIES)
    assert nationality_name("USA") == "美国" and nationality_name("GBR") == "英国" and nationality_name("KOR") == "韩国"
    assert nationality_name("QQQ") == "QQQ"                      # unknown codes are shown, not rejected


@pytest.mark.parametrize("number,valid", [
    ("KAZ110090123105", True),        # public worked example
    ("USA310090012327", True),
    ("KAZ110090123106", False),
    ("KAZ110090023108", False),       # month 00, check digit right
    ("kaz110090123105", False),
    ("KAZ11009012310", False),
])
def test_2017_permanent_residence_numbers(number, valid):
    assert idnumber.is_valid_foreign_2017(number) is valid


def test_2023_and_permit_numbers():
    assert idnumber.is_valid_foreign_2023("911398199012310021")
    assert not idnumber.is_valid_foreign_2023("330902196803121232")
    assert idnumber.is_valid_hmt("810000199002150021") and idnumber.is_valid_hmt("830000200002290015")
    assert idnumber.is_valid("811000199002150022")
    assert not idnumber.is_valid_hmt("811000199002150022")       # permits sit under 810000 exactly
