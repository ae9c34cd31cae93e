"""ISO/IEC 7816-4 short APDUs: commands, responses, status words, the T=0 retry dance, and TLV.

Contact cards speaking T=0 (社保卡 do) cannot return data in the answer to a command that also sends data: they
answer 61xx ("xx bytes are waiting, fetch them with GET RESPONSE"), and to a wrong Le they answer 6Cxx ("ask again
with Le = xx"). `exchange` hides both, so callers see one response whatever the protocol.
Nothing here knows about PC/SC: a `Transmit` is any function from command bytes to response bytes.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Callable

Transmit = Callable[[bytes], bytes]   # command APDU in, response APDU (data + SW1 SW2) out

SW_OK = 0x9000
MAX_GET_RESPONSE = 32                 # a card that keeps saying 61xx is broken, not generous

_MEANINGS = {
    0x9000: "success",
    0x6281: "returned data may be corrupted",
    0x6282: "end of file or record reached before Le bytes",
    0x6283: "selected file or application is blocked",
    0x6400: "execution error",
    0x6581: "memory failure",
    0x6700: "wrong length",
    0x6981: "command incompatible with the file structure",
    0x6982: "security status not satisfied",
    0x6983: "authentication method blocked",
    0x6985: "conditions of use not satisfied",
    0x6986: "command not allowed (no current EF)",
    0x6A81: "function not supported",
    0x6A82: "file or application not found",
    0x6A83: "record not found",
    0x6A86: "incorrect parameters P1-P2",
    0x6B00: "wrong parameters (offset outside the EF)",
    0x6D00: "instruction not supported",
    0x6E00: "class not supported",
    0x6F00: "no precise diagnosis",
}


def describe(sw: int) -> str:
    """A technician-facing meaning of a status word."""
    if sw in _MEANINGS:
        return _MEANINGS[sw]
    sw1, sw2 = sw >> 8, sw & 0xFF
    if sw1 == 0x61:
        return f"{sw2 or 256} response bytes waiting"
    if sw1 == 0x6C:
        return f"wrong Le, card has {sw2 or 256} bytes"
    if sw1 == 0x63 and sw2 & 0xF0 == 0xC0:
        return f"verification failed, {sw2 & 0x0F} tries left"
    return "unknown status"


class ApduError(Exception):
    """The card's answer is not a well-formed response, or does not parse as the TLV it should be."""


@dataclass(frozen=True)
class Command:
    cla: int
    ins: int
    p1: int
    p2: int
    data: bytes = b""
    le: int | None = None     # expected response length 1..256 (256 is sent as 00); None: no Le

    def __post_init__(self) -> None:
        if not all(0 <= b <= 0xFF for b in (self.cla, self.ins, self.p1, self.p2)):
            raise ValueError("header bytes must be 0..255")
        if len(self.data) > 255:
            raise ValueError("short APDUs carry at most 255 data bytes")
        if self.le is not None and not 1 <= self.le <= 256:
            raise ValueError("Le must be 1..256")

    def encode(self) -> bytes:
        out = bytes((self.cla, self.ins, self.p1, self.p2))
        if self.data:
            out += bytes((len(self.data),)) + self.data
        if self.le is not None:
            out += bytes((self.le % 256,))
        return out

    def with_le(self, le: int) -> "Command":
        return replace(self, le=le)


@dataclass(frozen=True)
class Response:
    data: bytes
    sw: int

    @classmethod
    def decode(cls, raw: bytes) -> "Response":
        if len(raw) < 2:
            raise ApduError(f"response of {len(raw)} bytes has no status word")
        return cls(bytes(raw[:-2]), (raw[-2] << 8) | raw[-1])

    @property
    def sw1(self) -> int:
        return self.sw >> 8

    @property
    def sw2(self) -> int:
        return self.sw & 0xFF

    @property
    def ok(self) -> bool:
        return self.sw == SW_OK

    def encode(self) -> bytes:
        return self.data + self.sw.to_bytes(2, "big")


# --- commands ---------------------------------------------------------------------------------------------------

def select_by_name(name: bytes) -> Command:
    """SELECT a DF (application) by its name / AID, asking for its FCI."""
    return Command(0x00, 0xA4, 0x04, 0x00, name, le=256)


def select_by_id(fid: int, p1: int = 0x00) -> Command:
    """SELECT a file by its 2-byte identifier (P1=00: MF, DF or EF; 02: an EF under the current DF)."""
    return Command(0x00, 0xA4, p1, 0x00, fid.to_bytes(2, "big"))


def read_binary(offset: int = 0, le: int = 256, sfi: int | None = None) -> Command:
    if sfi is not None:
        if not 1 <= sfi <= 30 or not 0 <= offset <= 0xFF:
            raise ValueError("SFI 1..30 and offset 0..255")
        return Command(0x00, 0xB0, 0x80 | sfi, offset, le=le)
    if not 0 <= offset <= 0x7FFF:
        raise ValueError("offset 0..32767")
    return Command(0x00, 0xB0, offset >> 8, offset & 0xFF, le=le)


def read_record(record: int, sfi: int | None = None, le: int = 256) -> Command:
    """READ RECORD number `record` of the EF with short identifier `sfi` (None: the current EF)."""
    if not 1 <= record <= 0xFE or (sfi is not None and not 1 <= sfi <= 30):
        raise ValueError("record 1..254, SFI 1..30")
    return Command(0x00, 0xB2, record, ((sfi or 0) << 3) | 0x04, le=le)


def get_response(le: int) -> Command:
    return Command(0x00, 0xC0, 0x00, 0x00, le=le)


# --- the exchange ------------------------------------------------------------------------------------------------

def _send(transmit: Transmit, command: Command) -> Response:
    """One command; a 6Cxx answer is re-sent once with the Le the card asked for."""
    response = Response.decode(transmit(command.encode()))
    if response.sw1 == 0x6C:
        response = Response.decode(transmit(command.with_le(response.sw2 or 256).encode()))
    return response


def exchange(transmit: Transmit, command: Command) -> Response:
    """Send `command`, follow 61xx with GET RESPONSE until the card is done, and join the data."""
    response = _send(transmit, command)
    data = bytearray()
    for _ in range(MAX_GET_RESPONSE):
        if response.sw1 != 0x61:
            return Response(bytes(data) + response.data, response.sw)
        data += response.data
        response = _send(transmit, get_response(response.sw2 or 256))
    raise ApduError("card kept answering 61xx")


# --- TLV -----------------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Tlv:
    tag: int
    value: bytes

    @property
    def constructed(self) -> bool:
        first = self.tag
        while first > 0xFF:
            first >>= 8
        return bool(first & 0x20)

    def children(self) -> list["Tlv"]:
        return parse_ber_tlv(self.value) if self.constructed else []


def parse_simple_tlv(data: bytes) -> list[Tlv]:
    """ISO 7816-4 SIMPLE-TLV: 1-byte tag (01..FE), length in 1 byte, or FF + 2 bytes."""
    items, pos = [], 0
    while pos < len(data):
        tag = data[pos]
        if tag in (0x00, 0xFF):
            raise ApduError(f"SIMPLE-TLV tag {tag:02X} at offset {pos}")
        length, pos = _simple_length(data, pos + 1)
        items.append(Tlv(tag, _take(data, pos, length)))
        pos += length
    return items


def _simple_length(data: bytes, pos: int) -> tuple[int, int]:
    if pos >= len(data):
        raise ApduError("TLV ends before its length")
    if data[pos] != 0xFF:
        return data[pos], pos + 1
    return int.from_bytes(_take(data, pos + 1, 2), "big"), pos + 3


def parse_ber_tlv(data: bytes) -> list[Tlv]:
    """BER-TLV as in FCI templates: multi-byte tags, 81/82 long lengths, 00/FF padding between objects."""
    items, pos = [], 0
    while pos < len(data):
        if data[pos] in (0x00, 0xFF):
            pos += 1
            continue
        tag, pos = _ber_tag(data, pos)
        length, pos = _ber_length(data, pos)
        items.append(Tlv(tag, _take(data, pos, length)))
        pos += length
    return items


def _ber_tag(data: bytes, pos: int) -> tuple[int, int]:
    tag = data[pos]
    pos += 1
    if tag & 0x1F == 0x1F:                 # more tag bytes follow while b8 is set
        while True:
            byte = _take(data, pos, 1)[0]
            tag = (tag << 8) | byte
            pos += 1
            if not byte & 0x80:
                break
    return tag, pos


def _ber_length(data: bytes, pos: int) -> tuple[int, int]:
    first = _take(data, pos, 1)[0]
    if first < 0x80:
        return first, pos + 1
    count = first & 0x7F
    if not 1 <= count <= 3:
        raise ApduError(f"BER length form {first:02X}")
    return int.from_bytes(_take(data, pos + 1, count), "big"), pos + 1 + count


def _take(data: bytes, pos: int, length: int) -> bytes:
    if pos + length > len(data):
        raise ApduError(f"TLV value of {length} bytes runs past the end ({len(data) - pos} left)")
    return data[pos:pos + length]


def find_tlv(items: list[Tlv], tag: int) -> Tlv | None:
    """Depth-first search through constructed objects."""
    for item in items:
        if item.tag == tag:
            return item
        found = find_tlv(item.children(), tag)
        if found is not None:
            return found
    return None
