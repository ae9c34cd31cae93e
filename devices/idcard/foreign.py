"""Foreigner permanent residence ID cards (外国人永久居留身份证): the 2017 layout ('I') and the 2023 one ('Y').

Layouts as published in readers' SDK headers (bytes, UCS-2LE, space padded):

    2017 'I': English name 120 | gender 2 | permanent residence number 30 (15 chars) | nationality 6 |
              Chinese name 30 | valid-from 16 | valid-to 16 | birth 16 | card version 4 | authority code 8 |
              card type 2 | reserved 6
    2023 'Y': Chinese name 30 | gender 2 | renewal count 4 | birth 16 | English name 70 (chars 1-35) |
              number 36 (18 chars) | reserved 30 | valid-from 16 | valid-to 16 | English name 22 (chars 36-46) |
              nationality 6 | card type 2 | link to the 2017-era number 6
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from devices.idcard import idnumber
from devices.idcard.fields import (GENDERS, CardType, Layout, TextError, check_gender, check_layout, format_count,
                                   format_date, pack, parse_count, parse_date, parse_valid_to, raw_fields)
from devices.idcard.nationality import is_code, nationality_name
from kiosk.records import Identity

LAYOUT_2017: Layout = check_layout((
    ("english_name", 120), ("gender", 2), ("number", 30), ("nationality", 6), ("chinese_name", 30),
    ("valid_from", 16), ("valid_to", 16), ("birth", 16), ("version", 4), ("authority_code", 8),
    ("card_type", 2), ("reserved", 6),
))
LAYOUT_2023: Layout = check_layout((
    ("chinese_name", 30), ("gender", 2), ("renewal_count", 4), ("birth", 16), ("english_name", 70),
    ("number", 36), ("reserved", 30), ("valid_from", 16), ("valid_to", 16), ("english_name_more", 22),
    ("nationality", 6), ("card_type", 2), ("previous_link", 6),
))
_NAME_PART = 70 // 2            # the 2023 layout carries the English name as 35 + 11 characters


@dataclass(frozen=True)
class ForeignerCardData:
    """What a foreigner permanent residence card says. Personal data is kept out of repr."""
    english_name: str = field(repr=False)
    chinese_name: str = field(repr=False)     # may be empty: not every holder has one
    gender_code: str
    number: str = field(repr=False)           # 15 characters (2017) or 18 (2023)
    nationality_code: str                     # ISO 3166-1 alpha-3
    birth_date: date = field(repr=False)
    valid_from: date
    valid_to: date | None
    card_type: CardType = CardType.FOREIGNER_2023
    version: str = ""                         # 2017 only: card version
    authority_code: str = ""                  # 2017 only: code of the accepting authority
    renewal_count: int | None = None          # 2023 only: 换证次数
    previous_link: str = field(default="", repr=False)   # 2023 only: links to the holder's 2017-era number
    photo_wlt: bytes = field(default=b"", repr=False)

    @property
    def gender(self) -> str:
        return GENDERS[self.gender_code]

    @property
    def nationality(self) -> str:
        return nationality_name(self.nationality_code)

    @property
    def display_name(self) -> str:
        """The Chinese name when the card has one (forms in Chinese want it), else the English name."""
        return self.chinese_name or self.english_name

    def to_identity(self) -> Identity:
        return Identity(source="idcard", name=self.display_name, id_number=self.number, gender=self.gender,
                        birth_date=self.birth_date.isoformat(), doc_type="foreigner",
                        english_name=self.english_name, nationality=self.nationality_code,
                        valid_to=self.valid_to.isoformat() if self.valid_to else "")


def decode_2017(block: bytes) -> ForeignerCardData:
    f = _stripped(raw_fields(block, LAYOUT_2017))
    birth = _common_checks(f)
    if not idnumber.is_valid_foreign_2017(f["number"]):
        raise TextError("permanent residence number fails its check digit")
    if f["number"][7:13] != f"{birth:%y%m%d}":
        raise TextError("birth date and permanent residence number disagree")
    return ForeignerCardData(
        english_name=f["english_name"], chinese_name=f["chinese_name"], gender_code=f["gender"],
        number=f["number"], nationality_code=f["nationality"], birth_date=birth,
        valid_from=parse_date(f["valid_from"], "valid-from"), valid_to=parse_valid_to(f["valid_to"]),
        card_type=CardType.FOREIGNER, version=f["version"], authority_code=f["authority_code"],
    )


def decode_2023(block: bytes) -> ForeignerCardData:
    raw = raw_fields(block, LAYOUT_2023)
    f = _stripped(raw)
    f["english_name"] = (raw["english_name"] + raw["english_name_more"]).rstrip(" \x00")   # keep the space at 35/36
    birth = _common_checks(f)
    if not idnumber.is_valid_foreign_2023(f["number"]):
        raise TextError("permanent residence number fails GB 11643 check")
    if f["number"][6:14] != f"{birth:%Y%m%d}":
        raise TextError("birth date and permanent residence number disagree")
    return ForeignerCardData(
        english_name=f["english_name"], chinese_name=f["chinese_name"], gender_code=f["gender"],
        number=f["number"], nationality_code=f["nationality"], birth_date=birth,
        valid_from=parse_date(f["valid_from"], "valid-from"), valid_to=parse_valid_to(f["valid_to"]),
        card_type=CardType.FOREIGNER_2023, renewal_count=parse_count(f["renewal_count"], "renewal count"),
        previous_link=f["previous_link"],
    )


def _stripped(raw: dict[str, str]) -> dict[str, str]:
    return {name: value.rstrip(" \x00") for name, value in raw.items()}


def _common_checks(f: dict[str, str]) -> date:
    check_gender(f["gender"])
    if not f["english_name"]:
        raise TextError("empty English name")
    if not is_code(f["nationality"]):
        raise TextError("nationality is not a 3-letter code")
    return parse_date(f["birth"], "birth date")


def encode(card: ForeignerCardData) -> bytes:
    """The inverse of decode_2017/decode_2023 (used by the simulator)."""
    values = {
        "english_name": card.english_name, "chinese_name": card.chinese_name, "gender": card.gender_code,
        "number": card.number, "nationality": card.nationality_code, "birth": f"{card.birth_date:%Y%m%d}",
        "valid_from": f"{card.valid_from:%Y%m%d}", "valid_to": format_date(card.valid_to),
        "card_type": card.card_type.value,
    }
    if card.card_type not in (CardType.FOREIGNER, CardType.FOREIGNER_2023):
        raise ValueError(f"not a foreigner card type: {card.card_type!r}")
    if card.card_type is CardType.FOREIGNER:
        return pack(values | {"version": card.version, "authority_code": card.authority_code}, LAYOUT_2017)
    name = card.english_name
    return pack(values | {"english_name": name[:_NAME_PART], "english_name_more": name[_NAME_PART:],
                          "renewal_count": format_count(card.renewal_count),
                          "previous_link": card.previous_link}, LAYOUT_2023)
