"""The 256-byte text block of an ID card (UCS-2LE, space padded) and the typed records it holds.

Resident ID cards, foreigner permanent residence cards (2017 'I' and 2023 'Y' layouts) and HK/Macau/Taiwan
residence permits ('J') share the block size but not the layout; the card-type character at bytes 248-249 (a
space on resident cards) picks the decoder. Any other type is UnsupportedCard.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Callable, Union

from devices.idcard import foreign, hmt, idnumber
from devices.idcard.fields import (CARD_TYPE_OFFSET, GENDERS, LONG_TERM, CardType, Layout, TextError,  # noqa: F401
                                   UnsupportedCard, card_type_of, check_gender, format_date, pack, parse_date,
                                   parse_valid_to, split)
from devices.idcard.foreign import ForeignerCardData
from devices.idcard.hmt import HmtPermitData
from devices.idcard.protocol import TEXT_LEN
from kiosk.records import Identity

# (field, bytes) in card order; 256 bytes in all
RESIDENT_LAYOUT: Layout = (
    ("name", 30), ("gender", 2), ("nation", 4), ("birth", 16), ("address", 70), ("id_number", 36),
    ("authority", 30), ("valid_from", 16), ("valid_to", 16), ("reserved", 36),
)
_RESERVED_OFFSET = sum(size for _, size in RESIDENT_LAYOUT[:-1])     # 220

# GB 3304 nation codes as printed on the card (民族 汉, 民族 蒙古, ...)
NATIONS = dict(enumerate((
    "汉", "蒙古", "回", "藏", "维吾尔", "苗", "彝", "壮", "布依", "朝鲜", "满", "侗", "瑶", "白", "土家", "哈尼",
    "哈萨克", "傣", "黎", "傈僳", "佤", "畲", "高山", "拉祜", "水", "东乡", "纳西", "景颇", "柯尔克孜", "土",
    "达斡尔", "仫佬", "羌", "布朗", "撒拉", "毛南", "仡佬", "锡伯", "阿昌", "普米", "塔吉克", "怒", "乌孜别克",
    "俄罗斯", "鄂温克", "德昂", "保安", "裕固", "京", "塔塔尔", "独龙", "鄂伦春", "赫哲", "门巴", "珞巴", "基诺",
), start=1)) | {97: "其他", 98: "外国血统中国籍人士"}


@dataclass(frozen=True)
class IdCardData:
    """What a resident ID card says. Personal data: kept out of repr so a stray log line cannot leak it."""
    name: str = field(repr=False)
    gender_code: str
    nation_code: int
    birth_date: date = field(repr=False)
    address: str = field(repr=False)
    id_number: str = field(repr=False)
    authority: str = field(repr=False)
    valid_from: date
    valid_to: date | None                      # None: 长期 (long-term card)
    card_type: CardType = CardType.RESIDENT    # written as the flag at byte 248 (tests set others on purpose)
    photo_wlt: bytes = field(default=b"", repr=False)   # vendor-encrypted WLT, decoded by devices.idcard.wlt

    @property
    def gender(self) -> str:
        return GENDERS[self.gender_code]

    @property
    def nation(self) -> str:
        return NATIONS[self.nation_code]

    def to_identity(self) -> Identity:
        return Identity(source="idcard", name=self.name, id_number=self.id_number, gender=self.gender,
                        birth_date=self.birth_date.isoformat(), address=self.address,
                        valid_to=self.valid_to.isoformat() if self.valid_to else "")


# Any card the reader can return; each has card_type, photo_wlt, gender and to_identity().
IdCard = Union[IdCardData, ForeignerCardData, HmtPermitData]


def decode_text(block: bytes) -> IdCard:
    if len(block) != TEXT_LEN:
        raise TextError(f"text block is {len(block)} bytes, expected {TEXT_LEN}")
    kind = card_type_of(block)
    decoder = _DECODERS.get(kind)
    if decoder is None:
        raise UnsupportedCard(kind)
    return decoder(block)


def _decode_resident(block: bytes) -> IdCardData:
    f = split(block, RESIDENT_LAYOUT)
    check_gender(f["gender"])
    if not (f["nation"].isdigit() and int(f["nation"]) in NATIONS):
        raise TextError("unknown nation code")
    if not f["name"] or not f["address"]:
        raise TextError("empty name or address")
    if not idnumber.is_valid(f["id_number"]):
        raise TextError("ID number fails GB 11643 check")
    birth = parse_date(f["birth"], "birth date")
    if f["id_number"][6:14] != f["birth"]:
        raise TextError("birth date and ID number disagree")
    return IdCardData(
        name=f["name"], gender_code=f["gender"], nation_code=int(f["nation"]), birth_date=birth,
        address=f["address"], id_number=f["id_number"], authority=f["authority"],
        valid_from=parse_date(f["valid_from"], "valid-from"), valid_to=parse_valid_to(f["valid_to"]),
    )


_DECODERS: dict[str, Callable[[bytes], IdCard]] = {
    CardType.RESIDENT.value: _decode_resident,
    CardType.FOREIGNER.value: foreign.decode_2017,
    CardType.FOREIGNER_2023.value: foreign.decode_2023,
    CardType.HMT_RESIDENCE.value: hmt.decode,
}


def encode_text(card: IdCard) -> bytes:
    """The inverse of decode_text (used by the simulator)."""
    if isinstance(card, ForeignerCardData):
        return foreign.encode(card)
    if isinstance(card, HmtPermitData):
        return hmt.encode(card)
    return _encode_resident(card)


def _encode_resident(card: IdCardData) -> bytes:
    """Resident layout with the record's type flag at byte 248 (a wrong flag makes test blocks for other types)."""
    return pack({
        "name": card.name, "gender": card.gender_code, "nation": f"{card.nation_code:02d}",
        "birth": f"{card.birth_date:%Y%m%d}", "address": card.address, "id_number": card.id_number,
        "authority": card.authority, "valid_from": f"{card.valid_from:%Y%m%d}", "valid_to": format_date(card.valid_to),
        "reserved": " " * ((CARD_TYPE_OFFSET - _RESERVED_OFFSET) // 2) + card.card_type.value,
    }, RESIDENT_LAYOUT)
