import pytest

from devices.idcard.protocol import (PREAMBLE, Command, FrameBuffer, FrameError, Response, Sw3, checksum,
                                     decode_request, decode_response, encode_request, encode_response,
                                     encode_text_photo, split_text_photo)

pytestmark = pytest.mark.timeout(10)


def test_sam_status_request_matches_the_documented_bytes():
    assert encode_request(Command.SAM_STATUS) == bytes.fromhex("AAAAAA9669 0003 11FF ED")


def test_find_answer_matches_the_documented_bytes():
    frame = encode_response(Response(Sw3.FIND_OK, bytes(4)))
    assert frame == bytes.fromhex("AAAAAA9669 0008 00009F 00000000 97")


@pytest.mark.parametrize("command", list(Command))
def test_request_round_trip(command):
    request = decode_request(encode_request(command, b"\x01\x02"))
    assert request.command is command and request.data == b"\x01\x02"


def test_response_round_trip_with_text_and_photo():
    data = encode_text_photo(bytes(range(256)), bytes(1024))
    frame = encode_response(Response(Sw3.OK, data))
    assert len(frame) == 1295                        # the size DEVICES.md gives for a read answer
    response = decode_response(frame)
    assert response.sw3 == Sw3.OK and split_text_photo(response.data) == (bytes(range(256)), bytes(1024))


def test_checksum_is_xor_after_preamble():
    frame = encode_request(Command.FIND_CARD)
    assert frame[-1] == checksum(frame[len(PREAMBLE):-1]) == 0x00 ^ 0x03 ^ 0x20 ^ 0x01


@pytest.mark.parametrize("position", range(5, 10))
def test_any_flipped_byte_is_rejected(position):
    frame = bytearray(encode_response(Response(Sw3.OK, b"abcd")))
    frame[position] ^= 0x40
    with pytest.raises(FrameError):
        decode_response(bytes(frame))


def test_wrong_checksum_byte_is_rejected():
    frame = encode_request(Command.SELECT_CARD)
    with pytest.raises(FrameError, match="checksum"):
        decode_request(frame[:-1] + bytes([frame[-1] ^ 1]))


def test_unknown_command_is_kept_as_raw_bytes():
    frame = encode_request(Command.SAM_STATUS)
    body = bytes([0x00, 0x03, 0x12, 0x34])
    request = decode_request(PREAMBLE + body + bytes([checksum(body)]))
    assert request.command is None and (request.cmd, request.para) == (0x12, 0x34)
    assert decode_request(frame).command is Command.SAM_STATUS


def test_buffer_resynchronises_after_junk_and_joins_chunks():
    frame = encode_response(Response(Sw3.OK, bytes(300)))
    buf = FrameBuffer()
    buf.feed(b"\x00\xaa\xaa junk \xaa")
    assert buf.next_frame() is None
    for i in range(0, len(frame), 7):
        buf.feed(frame[i:i + 7])
    assert buf.next_frame() == frame and buf.pending == 0


def test_buffer_reports_truncated_frame_as_pending():
    buf = FrameBuffer()
    buf.feed(encode_response(Response(Sw3.OK, bytes(50)))[:-10])
    assert buf.next_frame() is None and buf.pending > 0


def test_buffer_rejects_impossible_length():
    buf = FrameBuffer()
    buf.feed(PREAMBLE + b"\xff\xff" + bytes(10))
    with pytest.raises(FrameError, match="length"):
        buf.next_frame()


def test_text_photo_lengths_are_checked():
    with pytest.raises(FrameError):
        split_text_photo(encode_text_photo(bytes(256), bytes(1024))[:-1])
    with pytest.raises(FrameError):
        split_text_photo(encode_text_photo(bytes(200), bytes(1024)))
