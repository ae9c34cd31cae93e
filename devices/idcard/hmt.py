"""Residence permits for Hong Kong, Macau and Taiwan residents (港澳台居民居住证), card type 'J'.

Layout as published in readers' SDK headers (bytes, UCS-2LE, space padded): the resident layout with the nation
field left blank and the last 36 reserved bytes used for the travel permit:

    name 30 | gender 2 | reserved 4 | birth 16 | address 70 | ID number 36 | issuing authority 30 |
    valid-from 16 | valid-to 16 | travel permit number 18 | issue count 4 | reserved 6 | card type 2 | reserved 6
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from devices.idcard import idnumber
from devices.idcard.fields import (GENDERS, CardType, Layout, TextError, check_gender, check_layout, format_count,
                                   format_date, pack, parse_count, parse_date, parse_valid_to, split)
from kiosk.records import Identity

LAYOUT: Layout = check_layout((
    ("name", 30), ("gender", 2), ("reserved1", 4), ("birth", 16), ("address", 70), ("id_number", 36),
    ("authority", 30), ("valid_from", 16), ("valid_to", 16), ("pass_number", 18), ("issue_count", 4),
    ("reserved2", 6), ("card_type", 2), ("reserved3", 6),
))


@dataclass(frozen=True)
class HmtPermitData:
    """What a HK/Macau/Taiwan residence permit says. Personal data is kept out of repr."""
    name: str = field(repr=False)
    gender_code: str
    birth_date: date = field(repr=False)
    address: str = field(repr=False)
    id_number: str = field(repr=False)        # 81xxxx (HK), 82xxxx (Macau), 83xxxx (Taiwan): GB 11643 shape
    authority: str = field(repr=False)
    valid_from: date
    valid_to: date | None
    pass_number: str = field(repr=False)      # the holder's 回乡证 / 台胞证 number
    issue_count: int | None = None            # 签发次数
    photo_wlt: bytes = field(default=b"", repr=False)
    card_type: CardType = CardType.HMT_RESIDENCE

    @property
    def gender(self) -> str:
        return GENDERS[self.gender_code]

    @property
    def region(self) -> str:
        """香港 / 澳门 / 台湾, from the number (the card has no field for it)."""
        return idnumber.HMT_REGIONS[self.id_number[:2]]

    def to_identity(self) -> Identity:
        return Identity(source="idcard", name=self.name, id_number=self.id_number, gender=self.gender,
                        birth_date=self.birth_date.isoformat(), address=self.address, doc_type="hmt",
                        pass_number=self.pass_number, valid_to=self.valid_to.isoformat() if self.valid_to else "")


def decode(block: bytes) -> HmtPermitData:
    f = split(block, LAYOUT)
    check_gender(f["gender"])
    if not f["name"] or not f["address"]:
        raise TextError("empty name or address")
    if not idnumber.is_valid_hmt(f["id_number"]):
        raise TextError("residence permit number fails GB 11643 check or region")
    birth = parse_date(f["birth"], "birth date")
    if f["id_number"][6:14] != f["birth"]:
        raise TextError("birth date and residence permit number disagree")
    if not f["pass_number"].isascii() or not f["pass_number"].isalnum():
        raise TextError("travel permit number is not alphanumeric")
    return HmtPermitData(
        name=f["name"], gender_code=f["gender"], birth_date=birth, address=f["address"], id_number=f["id_number"],
        authority=f["authority"], valid_from=parse_date(f["valid_from"], "valid-from"),
        valid_to=parse_valid_to(f["valid_to"]), pass_number=f["pass_number"],
        issue_count=parse_count(f["issue_count"], "issue count"),
    )


def encode(card: HmtPermitData) -> bytes:
    """The inverse of decode (used by the simulator)."""
    return pack({
        "name": card.name, "gender": card.gender_code, "birth": f"{card.birth_date:%Y%m%d}",
        "address": card.address, "id_number": card.id_number, "authority": card.authority,
        "valid_from": f"{card.valid_from:%Y%m%d}", "valid_to": format_date(card.valid_to),
        "pass_number": card.pass_number, "issue_count": format_count(card.issue_count),
        "card_type": CardType.HMT_RESIDENCE.value,
    }, LAYOUT)
