"""The 256-byte text block of a resident ID card (UCS-2LE, space padded) and the typed record it holds.

Other card kinds (foreigner permanent residence, HK/Macau/Taiwan residence permits) share the block size but
not the layout; they are told apart by the card-type character at bytes 248-249 (space on resident cards).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import Enum

from devices.idcard import idnumber
from devices.idcard.protocol import TEXT_LEN
from kiosk.records import Identity

# (field, bytes) in card order; 256 bytes in all
RESIDENT_LAYOUT: tuple[tuple[str, int], ...] = (
    ("name", 30), ("gender", 2), ("nation", 4), ("birth", 16), ("address", 70), ("id_number", 36),
    ("authority", 30), ("valid_from", 16), ("valid_to", 16), ("reserved", 36),
)
CARD_TYPE_OFFSET = 248                                              # inside the reserved field
_RESERVED_OFFSET = sum(size for _, size in RESIDENT_LAYOUT[:-1])     # 220
LONG_TERM = "长期"

GENDERS = {"0": "未知", "1": "男", "2": "女", "9": "未说明"}

# GB 3304 nation codes as printed on the card (民族 汉, 民族 蒙古, ...)
NATIONS = dict(enumerate((
    "汉", "蒙古", "回", "藏", "维吾尔", "苗", "彝", "壮", "布依", "朝鲜", "满", "侗", "瑶", "白", "土家", "哈尼",
    "哈萨克", "傣", "黎", "傈僳", "佤", "畲", "高山", "拉祜", "水", "东乡", "纳西", "景颇", "柯尔克孜", "土",
    "达斡尔", "仫佬", "羌", "布朗", "撒拉", "毛南", "仡佬", "锡伯", "阿昌", "普米", "塔吉克", "怒", "乌孜别克",
    "俄罗斯", "鄂温克", "德昂", "保安", "裕固", "京", "塔塔尔", "独龙", "鄂伦春", "赫哲", "门巴", "珞巴", "基诺",
), start=1)) | {97: "其他", 98: "外国血统中国籍人士"}


class CardType(str, Enum):
    RESIDENT = " "
    FOREIGNER = "I"          # 外国人永久居留身份证 (2017)
    HMT_RESIDENCE = "J"      # 港澳台居民居住证
    FOREIGNER_2023 = "Y"


class TextError(ValueError):
    """The block does not hold a consistent card (bad field, bad date, wrong check digit)."""


class UnsupportedCard(TextError):
    def __init__(self, card_type: str):
        super().__init__(f"card type {card_type!r} not supported yet")
        self.card_type = card_type


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
    card_type: CardType = CardType.RESIDENT
    photo_wlt: bytes = field(default=b"", repr=False)   # vendor-encrypted WLT, decoded elsewhere if ever

    @property
    def gender(self) -> str:
        return GENDERS[self.gender_code]

    @property
    def nation(self) -> str:
        return NATIONS[self.nation_code]

    def to_identity(self) -> Identity:
        return Identity(source="idcard", name=self.name, id_number=self.id_number, gender=self.gender,
                        birth_date=self.birth_date.isoformat(), address=self.address)


def card_type_of(block: bytes) -> str:
    return block[CARD_TYPE_OFFSET:CARD_TYPE_OFFSET + 2].decode("utf-16-le", errors="replace")


def decode_text(block: bytes) -> IdCardData:
    if len(block) != TEXT_LEN:
        raise TextError(f"text block is {len(block)} bytes, expected {TEXT_LEN}")
    kind = card_type_of(block)
    decoder = _DECODERS.get(kind)
    if decoder is None:
        raise UnsupportedCard(kind)
    return decoder(block)


def _split(block: bytes, layout: tuple[tuple[str, int], ...]) -> dict[str, str]:
    fields, offset = {}, 0
    for name, size in layout:
        try:
            fields[name] = block[offset:offset + size].decode("utf-16-le").rstrip(" \x00")
        except UnicodeDecodeError as exc:
            raise TextError(f"field {name} is not UCS-2") from exc
        offset += size
    return fields


def _date(value: str, what: str) -> date:
    if len(value) != 8 or not value.isdigit():
        raise TextError(f"{what} is not YYYYMMDD")
    try:
        return date(int(value[:4]), int(value[4:6]), int(value[6:]))
    except ValueError as exc:
        raise TextError(f"{what} is not a date") from exc


def _decode_resident(block: bytes) -> IdCardData:
    f = _split(block, RESIDENT_LAYOUT)
    if f["gender"] not in GENDERS:
        raise TextError("unknown gender code")
    if not (f["nation"].isdigit() and int(f["nation"]) in NATIONS):
        raise TextError("unknown nation code")
    if not f["name"] or not f["address"]:
        raise TextError("empty name or address")
    if not idnumber.is_valid(f["id_number"]):
        raise TextError("ID number fails GB 11643 check")
    birth = _date(f["birth"], "birth date")
    if f["id_number"][6:14] != f["birth"]:
        raise TextError("birth date and ID number disagree")
    valid_to = None if f["valid_to"] == LONG_TERM else _date(f["valid_to"], "valid-to")
    return IdCardData(
        name=f["name"], gender_code=f["gender"], nation_code=int(f["nation"]), birth_date=birth,
        address=f["address"], id_number=f["id_number"], authority=f["authority"],
        valid_from=_date(f["valid_from"], "valid-from"), valid_to=valid_to,
    )


# card-type hook: foreigner / HK-Macau-Taiwan layouts plug in here next milestone
_DECODERS = {CardType.RESIDENT.value: _decode_resident}


def encode_text(card: IdCardData) -> bytes:
    """The inverse of decode_text for the resident layout (used by the simulator; other types get only the flag)."""
    values = {
        "name": card.name, "gender": card.gender_code, "nation": f"{card.nation_code:02d}",
        "birth": f"{card.birth_date:%Y%m%d}", "address": card.address, "id_number": card.id_number,
        "authority": card.authority, "valid_from": f"{card.valid_from:%Y%m%d}",
        "valid_to": LONG_TERM if card.valid_to is None else f"{card.valid_to:%Y%m%d}",
        "reserved": " " * ((CARD_TYPE_OFFSET - _RESERVED_OFFSET) // 2) + card.card_type.value,   # type flag at byte 248
    }
    out = bytearray()
    for name, size in RESIDENT_LAYOUT:
        raw = values[name].encode("utf-16-le")
        if len(raw) > size:
            raise ValueError(f"{name} longer than {size // 2} characters")
        out += raw + " ".encode("utf-16-le") * ((size - len(raw)) // 2)
    return bytes(out)
