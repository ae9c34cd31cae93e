"""Reading a 社会保障卡 (China social security card) over any `Transmit`: SELECT the SSSE directory, READ RECORD
the basic files, decode, check.

File layout -- our reading of the public spec, to be checked against a real card. It is the layout of the MOHRSS
card spec (社会保障（个人）卡规范) as public reader code uses it on 1st/2nd/3rd generation cards; every row of
`LAYOUT` below is the one place to correct it:

- The social security data sit in the DDF named "sx1.sh.社会保障" (GBK; 15 bytes, 7378312E73682E C9E7BBE1B1A3D5CF),
  called SSSE. It is selected by name; cards answer 61xx (FCI waiting) or 9000. This is not the AID
  A0 00 00 00 03 86 98 07 01: that is the PBOC/交通联合 transport purse found on city and transit cards.
- EF05 (SFI 5) 发卡机构数据 and EF06 (SFI 6) 持卡人基本信息 are linear record files. Each record is one
  SIMPLE-TLV whose tag is the spec's data item number: EF05 records 1..7 carry items 01..07 (卡识别码, 卡类别,
  规范版本, 初始化机构编号, 发卡日期, 卡有效期, 卡号); EF06 record 1 is item 08 (社会保障号码), record 2 item 09 (姓名).
  We read by record number with the SFI in P2 (00 B2 rr 2C / 34), Le=00, and T=0 cards answer 6Cxx with the length.
- 卡识别码 is 16 bytes; its first 3 bytes are the issuing region code in BCD (33 09 00 = 330900 舟山市), then the RID
  D156000005. 卡号 is 9 ASCII characters, 社会保障号码 18 (the resident ID number for citizens), 姓名 up to 30
  bytes of GBK, space or NUL padded.

Confidence: high for the DDF name, the SFIs, EF05 items 01/07 and EF06 items 08/09 (several independent public
readers agree, and most read them without PIN or PSAM; one verifies the holder's PIN before EF06, so a card that
answers 6982 there is reported CARD_UNSUPPORTED); lower for the later EF06 rows (name extension 4E on 2.0+ cards
shifts 性别 and the rest down one record), which only the virtual card uses. Nothing here was checked against a
physical card yet. Personal data never goes into exceptions or logs: only tags, record numbers, lengths, SWs.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from devices.base import DeviceError, Fault, SocialSecurityCard
from devices.idcard.idnumber import is_valid as id_number_is_valid
from devices.smartcard.apdu import (ApduError, Response, Transmit, describe, exchange, find_tlv, parse_ber_tlv,
                                    parse_simple_tlv, read_record, select_by_name)

SSSE_NAME = b"sx1.sh." + "社会保障".encode("gbk")


@dataclass(frozen=True)
class CardField:
    label: str       # the spec's name for the data item
    sfi: int         # short file identifier of the EF (EF05 -> 5)
    record: int      # record number in that EF
    tag: int         # the record's tag: the spec's data item number
    size: int        # the most value bytes the spec allows
    encoding: str    # "ascii", "gbk" (decoded as GB18030, its superset), "bcd" or "hex"


# The one table of the card layout (see the module docstring for sources and confidence).
LAYOUT: dict[str, CardField] = {
    "card_id":      CardField("卡识别码", 5, 1, 0x01, 16, "hex"),
    "card_kind":    CardField("卡类别", 5, 2, 0x02, 1, "ascii"),
    "spec_version": CardField("规范版本", 5, 3, 0x03, 4, "ascii"),
    "init_org":     CardField("初始化机构编号", 5, 4, 0x04, 12, "hex"),
    "issued_on":    CardField("发卡日期", 5, 5, 0x05, 4, "bcd"),
    "valid_until":  CardField("卡有效期", 5, 6, 0x06, 4, "bcd"),
    "card_number":  CardField("卡号", 5, 7, 0x07, 9, "ascii"),
    "ss_number":    CardField("社会保障号码", 6, 1, 0x08, 18, "ascii"),
    "name":         CardField("姓名", 6, 2, 0x09, 30, "gbk"),
    "name_ext":     CardField("姓名扩展", 6, 3, 0x4E, 20, "gbk"),
    "gender":       CardField("性别", 6, 4, 0x0A, 1, "ascii"),
    "nation":       CardField("民族", 6, 5, 0x0B, 1, "hex"),
    "birthplace":   CardField("出生地", 6, 6, 0x0C, 3, "bcd"),
    "birth_date":   CardField("出生日期", 6, 7, 0x0D, 4, "bcd"),
}
READ_FIELDS = ("card_id", "card_number", "ss_number", "name")   # what the kiosk needs, nothing more

# Answers to SELECT that mean "this card has no social security application" (a bank, transit or memory card).
NOT_THIS_APPLICATION = {0x6A82, 0x6A81, 0x6A86, 0x6D00, 0x6E00, 0x6283}
_CARD_NUMBER = re.compile(r"[0-9A-Z]{9}")
_ID_SHAPE = re.compile(r"\d{17}[\dX]")
_PADDING = b"\x00\x20\xff"


def read_social_security_card(transmit: Transmit) -> SocialSecurityCard:
    """The card's number, holder name, ID number and issuing region; DeviceError CARD_UNSUPPORTED/UNREADABLE.

    Transport failures (the card pulled, the reader gone) come out of `transmit` unchanged for the caller to map.
    """
    try:
        select_ssse(transmit)
        values = {key: read_field(transmit, LAYOUT[key]) for key in READ_FIELDS}
    except ApduError as exc:
        raise DeviceError(Fault.CARD_UNREADABLE, str(exc)) from None
    return to_card(values)


def select_ssse(transmit: Transmit) -> None:
    response = exchange(transmit, select_by_name(SSSE_NAME))
    if response.sw in NOT_THIS_APPLICATION:
        raise DeviceError(Fault.CARD_UNSUPPORTED, f"no SSSE directory: SW {response.sw:04X} {describe(response.sw)}")
    _require_ok(response, "SELECT SSSE")
    _check_fci(response.data)


def _check_fci(fci: bytes) -> None:
    """A card that answers 9000 with the FCI of some other DF did not select ours."""
    if not fci:
        return
    name = find_tlv(parse_ber_tlv(fci), 0x84)
    if name is not None and name.value != SSSE_NAME:
        raise DeviceError(Fault.CARD_UNSUPPORTED, "SELECT SSSE answered with another DF name")


def read_field(transmit: Transmit, field: CardField) -> bytes:
    """The raw value of one record (padding left in); checks its tag and size against the layout."""
    response = exchange(transmit, read_record(field.record, field.sfi))
    where = f"EF{field.sfi:02X} record {field.record}"
    if response.sw == 0x6982:
        raise DeviceError(Fault.CARD_UNSUPPORTED, f"{where} needs PIN or terminal authentication")
    _require_ok(response, f"READ RECORD {where}")
    items = parse_simple_tlv(response.data)
    if not items or items[0].tag != field.tag:
        found = f"{items[0].tag:02X}" if items else "nothing"
        raise DeviceError(Fault.CARD_UNREADABLE, f"{where}: tag {found}, expected {field.tag:02X}")
    if len(items[0].value) > field.size:
        raise DeviceError(Fault.CARD_UNREADABLE, f"{where}: {len(items[0].value)} bytes, at most {field.size}")
    return items[0].value


def _require_ok(response: Response, what: str) -> None:
    if not response.ok:
        raise DeviceError(Fault.CARD_UNREADABLE, f"{what}: SW {response.sw:04X} {describe(response.sw)}")


# --- decoding ------------------------------------------------------------------------------------------------------

def decode_value(field: CardField, raw: bytes) -> str:
    """The value as text; DeviceError CARD_UNREADABLE if the bytes are not what the encoding says."""
    try:
        if field.encoding == "hex":
            return raw.hex().upper()
        if field.encoding == "bcd":
            return _bcd(raw)
        codec = "gb18030" if field.encoding == "gbk" else "ascii"   # GB18030 decodes all of GBK and rare names
        return raw.rstrip(_PADDING).decode(codec).strip()
    except (UnicodeDecodeError, ValueError):
        raise DeviceError(Fault.CARD_UNREADABLE, f"{field.label}: not {field.encoding}") from None


def _bcd(raw: bytes) -> str:
    digits = raw.hex().upper().rstrip("F")
    if not digits.isdigit():
        raise ValueError("not BCD")
    return digits


def region_of(card_id: str) -> str:
    """The issuing region code at the start of the 卡识别码, or '' if it does not look like one."""
    region = card_id[:6]
    return region if len(region) == 6 and region.isdigit() and region != "000000" else ""


def to_card(values: dict[str, bytes]) -> SocialSecurityCard:
    text = {key: decode_value(LAYOUT[key], raw) for key, raw in values.items()}
    card_number, ss_number, name = text["card_number"].upper(), text["ss_number"].upper(), text["name"]
    if not _CARD_NUMBER.fullmatch(card_number):
        raise DeviceError(Fault.CARD_UNREADABLE, f"卡号 is {len(card_number)} characters, not 9 letters/digits")
    if not name:
        raise DeviceError(Fault.CARD_UNREADABLE, "姓名 is empty")
    _check_ss_number(ss_number)
    return SocialSecurityCard(card_number=card_number, name=name, id_number=ss_number,
                              issuer=region_of(text["card_id"]))


def _check_ss_number(number: str) -> None:
    if not _ID_SHAPE.fullmatch(number):
        # e.g. a foreigner's card: not something a re-read would fix
        raise DeviceError(Fault.CARD_UNSUPPORTED, "社会保障号码 is not a resident ID number")
    if not id_number_is_valid(number):
        raise DeviceError(Fault.CARD_UNREADABLE, "社会保障号码 fails its check character or date")
