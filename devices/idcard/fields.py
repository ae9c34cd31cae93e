"""Shared pieces of the 256-byte text block: UCS-2LE fields, dates, gender codes and the card-type flag.

Every card kind (resident, foreigner 2017/2023, HK/Macau/Taiwan permit) is a fixed layout of UCS-2LE,
space-padded fields; they differ only in which fields sit where. The card-type character at bytes 248-249 tells
them apart (a space on resident cards).
"""
from __future__ import annotations

from datetime import date
from enum import Enum

from devices.idcard.protocol import TEXT_LEN

Layout = tuple[tuple[str, int], ...]     # (field, bytes) in card order, 256 bytes in all

CARD_TYPE_OFFSET = 248
LONG_TERM = "长期"
GENDERS = {"0": "未知", "1": "男", "2": "女", "9": "未说明"}
_PAD = " ".encode("utf-16-le")


class CardType(str, Enum):
    RESIDENT = " "           # 居民身份证
    FOREIGNER = "I"          # 外国人永久居留身份证, 2017 layout
    HMT_RESIDENCE = "J"      # 港澳台居民居住证
    FOREIGNER_2023 = "Y"     # 外国人永久居留身份证, 2023 layout


class TextError(ValueError):
    """The block does not hold a consistent card (bad field, bad date, wrong check digit)."""


class UnsupportedCard(TextError):
    def __init__(self, card_type: str):
        super().__init__(f"card type {card_type!r} not supported")
        self.card_type = card_type


def check_layout(layout: Layout) -> Layout:
    """Guard against a typo in a layout table: the sizes must add up and the type flag must sit at 248."""
    offsets, total = {}, 0
    for name, size in layout:
        offsets[name] = total
        total += size
    if total != TEXT_LEN or offsets.get("card_type", CARD_TYPE_OFFSET) != CARD_TYPE_OFFSET:
        raise AssertionError(f"layout adds up to {total} bytes")
    return layout


def card_type_of(block: bytes) -> str:
    return block[CARD_TYPE_OFFSET:CARD_TYPE_OFFSET + 2].decode("utf-16-le", errors="replace")


def raw_fields(block: bytes, layout: Layout) -> dict[str, str]:
    """Each field decoded but not stripped (a name split over two fields needs its inner spaces)."""
    fields, offset = {}, 0
    for name, size in layout:
        try:
            fields[name] = block[offset:offset + size].decode("utf-16-le")
        except UnicodeDecodeError as exc:
            raise TextError(f"field {name} is not UCS-2") from exc
        offset += size
    return fields


def split(block: bytes, layout: Layout) -> dict[str, str]:
    return {name: value.rstrip(" \x00") for name, value in raw_fields(block, layout).items()}


def pack(values: dict[str, str], layout: Layout) -> bytes:
    """The inverse of split: every field space-padded to its size (missing fields are all spaces)."""
    out = bytearray()
    for name, size in layout:
        raw = values.get(name, "").encode("utf-16-le")
        if len(raw) > size:
            raise ValueError(f"{name} longer than {size // 2} characters")
        out += raw + _PAD * ((size - len(raw)) // 2)
    return bytes(out)


def parse_date(value: str, what: str) -> date:
    if len(value) != 8 or not value.isascii() or not value.isdigit():
        raise TextError(f"{what} is not YYYYMMDD")
    try:
        return date(int(value[:4]), int(value[4:6]), int(value[6:]))
    except ValueError as exc:
        raise TextError(f"{what} is not a date") from exc


def parse_valid_to(value: str) -> date | None:
    return None if value == LONG_TERM else parse_date(value, "valid-to")


def format_date(value: date | None) -> str:
    return LONG_TERM if value is None else f"{value:%Y%m%d}"


def check_gender(code: str) -> str:
    if code not in GENDERS:
        raise TextError("unknown gender code")
    return code


def parse_count(value: str, what: str) -> int | None:
    """A small counter such as 签发次数 / 换证次数; blank on some cards."""
    if not value:
        return None
    if not value.isascii() or not value.isdigit():
        raise TextError(f"{what} is not a number")
    return int(value)


def format_count(value: int | None) -> str:
    return "" if value is None else f"{value:02d}"
