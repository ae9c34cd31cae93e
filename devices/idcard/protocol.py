"""GA 467-style frames spoken by the SAM module of a second-generation ID card reader.

Held once here and shared by the serial driver and the simulator, so both sides of the wire agree.

    request:  AA AA AA 96 69 | LEN(2, big-endian) | CMD PARA data | CHK
    response: AA AA AA 96 69 | LEN(2, big-endian) | SW1 SW2 SW3 data | CHK

LEN counts every byte after itself, CHK included; CHK is the XOR of every byte after the preamble.
"""
from __future__ import annotations

from dataclasses import dataclass
from enum import Enum, IntEnum

PREAMBLE = b"\xaa\xaa\xaa\x96\x69"
HEADER_LEN = len(PREAMBLE) + 2
MAX_LEN = 0x1000        # the largest real response (text + photo + fingerprint) is ~2.3 KB: more is line noise
TEXT_LEN = 256
PHOTO_LEN = 1024


class Command(Enum):
    SAM_STATUS = (0x11, 0xFF)
    FIND_CARD = (0x20, 0x01)
    SELECT_CARD = (0x20, 0x02)
    READ_TEXT_PHOTO = (0x30, 0x01)
    MAX_RF_BYTES = (0x61, 0xFF)


class Sw3(IntEnum):
    """Status byte SW3 (GA 467 names in comments)."""
    OK = 0x90
    FIND_OK = 0x9F
    BAD_CHECKSUM = 0x10        # 接收业务终端数据的校验和错
    BAD_LENGTH = 0x11          # 接收业务终端数据的长度错
    BAD_COMMAND = 0x21         # 接收业务终端的命令错误
    READ_FAILED = 0x41         # 读卡操作失败
    SAM_SELFTEST_FAILED = 0x60
    FIND_FAILED = 0x80         # 找卡不成功
    SELECT_FAILED = 0x81       # 选卡不成功


class FrameError(ValueError):
    """A frame that cannot be trusted: bad checksum, impossible length, wrong shape."""


@dataclass(frozen=True)
class Request:
    command: Command | None    # None: a CMD/PARA pair this module does not know
    cmd: int
    para: int
    data: bytes = b""


@dataclass(frozen=True)
class Response:
    sw3: int
    data: bytes = b""
    sw1: int = 0
    sw2: int = 0


def checksum(body: bytes) -> int:
    value = 0
    for byte in body:
        value ^= byte
    return value


def _frame(payload: bytes) -> bytes:
    length = len(payload) + 1
    if length > MAX_LEN:
        raise ValueError("frame too long")
    body = length.to_bytes(2, "big") + payload
    return PREAMBLE + body + bytes([checksum(body)])


def encode_request(command: Command, data: bytes = b"") -> bytes:
    cmd, para = command.value
    return _frame(bytes([cmd, para]) + data)


def encode_response(response: Response) -> bytes:
    return _frame(bytes([response.sw1, response.sw2, response.sw3]) + response.data)


def _payload(frame: bytes, minimum: int) -> bytes:
    """Check preamble, length and checksum; return what lies between LEN and CHK."""
    if not frame.startswith(PREAMBLE) or len(frame) < HEADER_LEN + 1:
        raise FrameError("no preamble")
    length = int.from_bytes(frame[5:7], "big")
    if len(frame) != HEADER_LEN + length:
        raise FrameError(f"length field {length} does not match {len(frame) - HEADER_LEN} bytes")
    if checksum(frame[5:-1]) != frame[-1]:
        raise FrameError("bad checksum")
    payload = frame[HEADER_LEN:-1]
    if len(payload) < minimum:
        raise FrameError("frame too short")
    return payload


def decode_request(frame: bytes) -> Request:
    payload = _payload(frame, 2)
    pair = (payload[0], payload[1])
    known = next((c for c in Command if c.value == pair), None)
    return Request(known, payload[0], payload[1], payload[2:])


def decode_response(frame: bytes) -> Response:
    payload = _payload(frame, 3)
    return Response(sw3=payload[2], data=payload[3:], sw1=payload[0], sw2=payload[1])


def encode_text_photo(text: bytes, photo: bytes) -> bytes:
    """Data part of a READ_TEXT_PHOTO answer: text length, photo length, text, photo."""
    return len(text).to_bytes(2, "big") + len(photo).to_bytes(2, "big") + text + photo


def split_text_photo(data: bytes) -> tuple[bytes, bytes]:
    if len(data) < 4:
        raise FrameError("text/photo header missing")
    text_len = int.from_bytes(data[0:2], "big")
    photo_len = int.from_bytes(data[2:4], "big")
    if text_len != TEXT_LEN or len(data) != 4 + text_len + photo_len:
        raise FrameError(f"text/photo lengths {text_len}/{photo_len} do not fit {len(data)} bytes")
    return data[4:4 + text_len], data[4 + text_len:]


class FrameBuffer:
    """Incremental splitter for a byte stream: finds the preamble, waits for LEN bytes, hands out whole frames.

    Frames are returned raw; decode_request/decode_response check them. Junk before a preamble is dropped.
    """

    def __init__(self) -> None:
        self._buf = bytearray()

    def feed(self, data: bytes) -> None:
        self._buf += data

    def clear(self) -> None:
        self._buf.clear()

    @property
    def pending(self) -> int:
        """Bytes held that are not a whole frame yet (non-zero at a timeout means a truncated frame)."""
        return len(self._buf)

    def next_frame(self) -> bytes | None:
        start = self._buf.find(PREAMBLE)
        if start < 0:
            del self._buf[:max(len(self._buf) - len(PREAMBLE) + 1, 0)]   # keep a possible partial preamble
            return None
        del self._buf[:start]
        if len(self._buf) < HEADER_LEN:
            return None
        length = int.from_bytes(self._buf[5:7], "big")
        if not 2 <= length <= MAX_LEN:
            del self._buf[:1]    # not a real header: resynchronise on the next preamble
            raise FrameError(f"impossible length {length}")
        end = HEADER_LEN + length
        if len(self._buf) < end:
            return None
        frame = bytes(self._buf[:end])
        del self._buf[:end]
        return frame
