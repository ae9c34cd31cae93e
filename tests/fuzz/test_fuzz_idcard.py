"""Fuzzing the ID card path: SAM reply frames, the frame splitter, the 256-byte text block, the whole serial read.

Properties: every parser returns a valid result or raises its own documented error (FrameError, TextError,
DeviceError, WltError), never anything else; a valid frame round-trips; any single changed, missing or extra
byte in a frame is caught; the serial driver ends every read with a card or a DeviceError, in bounded time.
"""
from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from devices.base import DeviceError, Fault
from devices.idcard import wlt
from devices.idcard.demo import DEMO_CARD, DEMO_FOREIGNER_2017, DEMO_FOREIGNER_2023, DEMO_HMT_PERMIT
from devices.idcard.protocol import (MAX_LEN, PREAMBLE, Command, FrameBuffer, FrameError, Response, Sw3,
                                     decode_request, decode_response, encode_request, encode_response,
                                     encode_text_photo, split_text_photo)
from devices.idcard.reader import SerialIdCardReader
from devices.idcard.text import RESIDENT_LAYOUT, TextError, decode_text, encode_text
from tests.fuzz.budget import HANG_S

pytestmark = pytest.mark.timeout(HANG_S)

CARDS = (DEMO_CARD, DEMO_FOREIGNER_2017, DEMO_FOREIGNER_2023, DEMO_HMT_PERMIT)
BYTE = st.integers(0, 255)


def responses(max_data: int = 64) -> st.SearchStrategy[Response]:
    return st.builds(Response, sw3=BYTE, data=st.binary(max_size=max_data), sw1=BYTE, sw2=BYTE)


def card_frame(card=DEMO_CARD) -> bytes:
    return encode_response(Response(Sw3.OK, encode_text_photo(encode_text(card), card.photo_wlt)))


def decoded_or_frame_error(frame: bytes) -> Response | None:
    try:
        return decode_response(frame)
    except FrameError:
        return None


# --- frames ----------------------------------------------------------------------------------------------------
@given(responses(max_data=MAX_LEN - 4))
def test_a_valid_response_frame_round_trips(response):
    assert decode_response(encode_response(response)) == response


@given(st.sampled_from(list(Command)), st.binary(max_size=64))
def test_a_valid_request_frame_round_trips(command, data):
    request = decode_request(encode_request(command, data))
    assert (request.command, request.data) == (command, data)


@given(st.binary(max_size=2 * MAX_LEN))
@example(PREAMBLE)
@example(PREAMBLE + b"\x00\x00")
@example(PREAMBLE + b"\x00\x01\x01")
@example(PREAMBLE + b"\xff\xff" + bytes(10))
def test_random_bytes_are_a_response_or_a_frame_error(frame):
    response = decoded_or_frame_error(frame)
    assert response is None or encode_response(response) == frame


@given(st.binary(max_size=64))
def test_random_bytes_after_a_preamble_are_a_request_or_a_frame_error(tail):
    try:
        decode_request(PREAMBLE + tail)
    except FrameError:
        pass


@given(responses(), st.data())
def test_any_single_changed_byte_is_caught(response, data):
    frame = bytearray(encode_response(response))
    position = data.draw(st.integers(0, len(frame) - 1), label="position")
    frame[position] ^= data.draw(st.integers(1, 255), label="xor")
    with pytest.raises(FrameError):
        decode_response(bytes(frame))


@given(responses(), st.data())
def test_a_truncated_or_extended_frame_is_caught(response, data):
    frame = encode_response(response)
    if data.draw(st.booleans(), label="truncate"):
        mutated = frame[:data.draw(st.integers(0, len(frame) - 1), label="keep")]
    else:
        mutated = frame + data.draw(st.binary(min_size=1, max_size=16), label="extra")
    with pytest.raises(FrameError):
        decode_response(mutated)


@given(responses(), st.integers(0, 0xFFFF))
def test_a_wrong_length_field_is_caught(response, length):
    frame = encode_response(response)
    if length == int.from_bytes(frame[5:7], "big"):
        return
    with pytest.raises(FrameError):
        decode_response(frame[:5] + length.to_bytes(2, "big") + frame[7:])


@given(st.lists(st.one_of(responses().map(encode_response), st.binary(max_size=40)), max_size=8),
       st.lists(st.integers(1, 64), min_size=1, max_size=8))
def test_the_frame_splitter_takes_any_stream_in_any_chunks(parts, chunk_sizes):
    """Junk, whole frames and fragments: only frames or FrameError come out, and the buffer always drains."""
    stream = b"".join(parts)
    buffer, out, fed, sizes = FrameBuffer(), [], 0, iter(chunk_sizes * (len(stream) + 1))
    while fed < len(stream):
        size = next(sizes)
        buffer.feed(stream[fed:fed + size])
        fed += size
        for _ in range(len(stream) + 1):       # each call consumes bytes or returns None: bounded
            try:
                frame = buffer.next_frame()
            except FrameError:
                continue
            if frame is None:
                break
            out.append(frame)
    assert sum(map(len, out)) + buffer.pending <= len(stream)
    assert all(frame.startswith(PREAMBLE) for frame in out)


@given(st.lists(responses(), max_size=5), st.lists(st.binary(max_size=30).filter(lambda b: 0xAA not in b), max_size=5))
def test_frames_between_junk_without_a_preamble_byte_all_come_out(replies, junk):
    buffer = FrameBuffer()
    frames = [encode_response(r) for r in replies]
    for i, frame in enumerate(frames):
        buffer.feed((junk[i] if i < len(junk) else b"") + frame)
    out = []
    while (frame := buffer.next_frame()) is not None:
        out.append(frame)
    assert out == frames


@given(st.binary(max_size=1400))
@example(encode_text_photo(b"\x00" * 256, b""))
def test_the_text_photo_split_is_two_parts_or_a_frame_error(data):
    try:
        text, photo = split_text_photo(data)
    except FrameError:
        return
    assert len(text) == 256 and 4 + len(text) + len(photo) == len(data)


# --- the text block --------------------------------------------------------------------------------------------
def decoded_or_text_error(block: bytes):
    try:
        return decode_text(block)
    except TextError:
        return None


@given(st.sampled_from(CARDS))
def test_every_card_kind_round_trips(card):
    assert decode_text(encode_text(card)) == replace(card, photo_wlt=b"")


@given(st.binary(min_size=256, max_size=256))
def test_random_blocks_are_a_card_or_a_text_error(block):
    decoded_or_text_error(block)


@given(st.binary(max_size=300))
def test_blocks_of_the_wrong_size_are_a_text_error(block):
    if len(block) != 256:
        with pytest.raises(TextError):
            decode_text(block)


_OFFSETS = {}
_at = 0
for _name, _size in RESIDENT_LAYOUT:
    _OFFSETS[_name] = (_at, _size)
    _at += _size


@given(st.sampled_from(CARDS), st.data())
def test_a_valid_block_with_one_field_overwritten_is_a_card_or_a_text_error(card, data):
    block = bytearray(encode_text(card))
    start = data.draw(st.integers(0, 255), label="start")
    if data.draw(st.booleans(), label="as text"):
        text = data.draw(st.text(max_size=20), label="text").encode("utf-16-le", "surrogatepass")
    else:
        text = data.draw(st.binary(max_size=40), label="bytes")
    block[start:start + len(text)] = text[:256 - start]
    decoded_or_text_error(bytes(block[:256]))


@given(st.sampled_from(sorted(_OFFSETS)), st.text(max_size=40))
def test_a_resident_field_holding_any_text_is_a_card_or_a_text_error(name, text):
    start, size = _OFFSETS[name]
    raw = text.encode("utf-16-le", "surrogatepass")[:size]
    raw += " ".encode("utf-16-le") * ((size - len(raw)) // 2) + b"\x00" * ((size - len(raw)) % 2)
    block = bytearray(encode_text(DEMO_CARD))
    block[start:start + size] = raw
    card = decoded_or_text_error(bytes(block))
    if card is not None:
        card.to_identity()    # what the flow does next must work on anything that decoded


# --- the whole serial read -------------------------------------------------------------------------------------
class FakeClock:
    """Moves on a little at every look, so every wait in the driver ends without real sleeping."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        self.now += 0.01
        return self.now


class ScriptedPort:
    """A serial port whose SAM module answers each request with a fuzzed version of the right answer."""

    def __init__(self, clock: FakeClock, answer) -> None:
        self.clock = clock
        self.answer = answer          # request frame -> bytes to send back
        self.pending = b""
        self.timeout = 0.5
        self.writes = 0

    @property
    def in_waiting(self) -> int:
        return len(self.pending)

    def reset_input_buffer(self) -> None:
        self.pending = b""

    def write(self, frame: bytes) -> int:
        self.writes += 1
        self.pending = self.answer(frame)
        return len(frame)

    def read(self, size: int = 1) -> bytes:
        if not self.pending:
            self.clock.now += self.timeout or 0.0     # a read that waits its whole timeout
            return b""
        chunk, self.pending = self.pending[:size], self.pending[size:]
        return chunk

    def close(self) -> None:
        pass


def correct_answer(request: bytes, card) -> bytes:
    command = decode_request(request).command
    if command is Command.FIND_CARD:
        return encode_response(Response(Sw3.FIND_OK))
    if command is Command.READ_TEXT_PHOTO:
        return card_frame(card)
    return encode_response(Response(Sw3.OK))


MUTATIONS = st.one_of(
    st.just(("keep",)),
    st.tuples(st.just("flip"), st.integers(0, 2000), st.integers(1, 255)),
    st.tuples(st.just("cut"), st.integers(0, 2000)),
    st.tuples(st.just("junk"), st.binary(max_size=64)),
    st.tuples(st.just("append"), st.binary(min_size=1, max_size=16)),
    st.tuples(st.just("sw3"), BYTE),
)


def mutated(frame: bytes, mutation: tuple) -> bytes:
    kind = mutation[0]
    if kind == "flip":
        position = mutation[1] % len(frame)
        return frame[:position] + bytes([frame[position] ^ mutation[2]]) + frame[position + 1:]
    if kind == "cut":
        return frame[:mutation[1] % len(frame)]
    if kind == "junk":
        return mutation[1]
    if kind == "append":
        return frame + mutation[1]
    if kind == "sw3":
        response = decode_response(frame)
        return encode_response(replace(response, sw3=mutation[1]))
    return frame


@given(st.sampled_from(CARDS), st.lists(MUTATIONS, max_size=30))
@example(DEMO_CARD, [])
def test_a_serial_read_through_any_replies_is_a_card_or_a_device_error(card, mutations):
    clock = FakeClock()
    script = iter(mutations)

    def answer(request: bytes) -> bytes:
        return mutated(correct_answer(request, card), next(script, ("keep",)))

    port = ScriptedPort(clock, answer)
    reader = SerialIdCardReader("fuzz", frame_timeout=0.3, read_timeout=1.0, gap_timeout=0.15, poll_interval=0.0,
                                open_port=lambda *a, **kw: port, clock=clock)
    try:
        read = reader.read_card(timeout=3.0)
    except DeviceError as exc:
        assert isinstance(exc.reason, Fault)
        return
    finally:
        reader.close()
    if not any(m[0] != "keep" for m in mutations):
        assert read == card
    assert port.writes < 200


# --- the card photo's BMP, as a vendor library may write it ----------------------------------------------------
def bmp_with(width: int, height: int, bits: int = 24, compression: int = 0, offset: int = wlt.BMP_HEADER,
             pixels: bytes = b"") -> bytes:
    import struct
    header = struct.pack("<2sIHHI", b"BM", wlt.BMP_HEADER + len(pixels), 0, 0, offset)
    return header + struct.pack("<IiiHHIIiiII", 40, width, height, 1, bits, compression, len(pixels), 0, 0, 0, 0) + \
        pixels


@given(st.binary(max_size=200))
@example(b"")
@example(b"BM")
def test_any_bytes_as_a_bmp_are_a_png_or_a_wlt_error(bmp):
    try:
        png = wlt.bmp_to_png(bmp)
    except wlt.WltError:
        return
    assert png.startswith(b"\x89PNG")


@given(st.integers(-2**31, 2**31 - 1), st.integers(-2**31, 2**31 - 1), st.integers(0, 2**32 - 1),
       st.binary(max_size=300))
@example(1, -2**31, wlt.BMP_HEADER, b"")
@example(2**31 - 1, 1, wlt.BMP_HEADER, b"")
def test_a_bmp_header_with_any_size_is_a_png_or_a_wlt_error_quickly(width, height, offset, pixels):
    """A vendor library's header is not trusted: a huge width or height must not hang the kiosk's thread."""
    try:
        png = wlt.bmp_to_png(bmp_with(width, height, offset=offset, pixels=pixels))
    except wlt.WltError:
        return
    assert png.startswith(b"\x89PNG")


def test_a_real_sized_bmp_still_converts():
    bmp = wlt.bmp_from_raw(bytes(range(256)) * (wlt.RAW_SIZE // 256 + 1))
    assert wlt.bmp_to_png(bmp).startswith(b"\x89PNG")
