"""The optional WLT photo decoder, against a stub vendor library compiled here with the vendors' signatures."""
import shutil
import struct
import subprocess
import time
import zlib

import pytest

from devices.idcard.backends import decoder_from_config
from devices.idcard.demo import DEMO_CARD
from devices.idcard.wlt import BMP_SIZE, RAW_SIZE, WltDecoder, bmp_to_png
from kiosk.config import Config

pytestmark = pytest.mark.timeout(30)

STUB_C = r"""
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* libwlt-style: raw 102x126x3 pixels; 1 on success, 0 when the vendor code is wrong */
int unpack(const unsigned char *wlt, unsigned char *out, int code) {
    if (code != 602) return 0;
    for (int i = 0; i < 102 * 126 * 3; i++) out[i] = (unsigned char)(wlt[i % 1024] ^ (i / 306));
    return 1;
}

/* WltToBmp-style: a whole BMP, every pixel (B,G,R) = (10,20,30) */
int WltToBmp(const unsigned char *wlt, unsigned char *bmp) {
    static const unsigned char head[54] = {'B','M', 0xCE,0x97,0,0, 0,0,0,0, 54,0,0,0, 40,0,0,0, 102,0,0,0,
        126,0,0,0, 1,0, 24,0, 0,0,0,0, 0,0,0,0, 0,0,0,0, 0,0,0,0, 0,0,0,0, 0,0,0,0};
    memcpy(bmp, head, 54);
    for (int row = 0; row < 126; row++) {
        unsigned char *line = bmp + 54 + row * 308;
        for (int x = 0; x < 102; x++) { line[3*x] = 10; line[3*x+1] = 20; line[3*x+2] = 30; }
        line[306] = line[307] = 0;
    }
    return 1;
}

int wlt_refuses(const unsigned char *wlt, unsigned char *out) { return -1; }
int wlt_blank(const unsigned char *wlt, unsigned char *out) { return 1; }
int wlt_crashes(const unsigned char *wlt, unsigned char *out) { abort(); }
int wlt_hangs(const unsigned char *wlt, unsigned char *out) { for (;;) sleep(1); }
"""


@pytest.fixture(scope="module")
def stub_library(tmp_path_factory):
    gcc = shutil.which("gcc")
    if gcc is None:
        pytest.skip("gcc not installed: cannot build the stub WLT library")
    folder = tmp_path_factory.mktemp("wlt")
    (folder / "stub.c").write_text(STUB_C)
    library = folder / "libwltstub.so"
    subprocess.run([gcc, "-shared", "-fPIC", "-O1", "-o", str(library), str(folder / "stub.c")], check=True)
    return str(library)


def expected_raw(wlt: bytes) -> bytes:
    return bytes(wlt[i % 1024] ^ (i // 306) & 0xFF for i in range(RAW_SIZE))


def check_bmp_from_raw(bmp: bytes, raw: bytes) -> None:
    """Read the BMP independently: 54-byte header, 102x126x24, rows of 308 bytes holding raw rows B<->R."""
    assert len(bmp) == BMP_SIZE == 38862 and bmp[:2] == b"BM"
    assert struct.unpack_from("<IiiHH", bmp, 14) == (40, 102, 126, 1, 24)
    for row in (0, 63, 125):
        line = bmp[54 + row * 308:54 + (row + 1) * 308]
        source = raw[row * 306:(row + 1) * 306]
        assert line[306:] == b"\x00\x00"
        assert line[0:3] == bytes([source[2], source[1], source[0]])
        assert line[303:306] == bytes([source[305], source[304], source[303]])


@pytest.mark.parametrize("isolated", [False, True], ids=["in-process", "child-process"])
def test_unpack_signature(stub_library, isolated):
    decoder = WltDecoder(stub_library, "unpack", 602, isolated=isolated)
    assert decoder.check() == ""
    bmp = decoder.decode(DEMO_CARD.photo_wlt)
    check_bmp_from_raw(bmp, expected_raw(DEMO_CARD.photo_wlt))
    assert decoder.reason == ""


def test_two_argument_signature_returning_a_whole_bmp(stub_library):
    bmp = WltDecoder(stub_library, "WltToBmp", isolated=False).decode(DEMO_CARD.photo_wlt)
    assert len(bmp) == 38862 and bmp[54:57] == bytes([10, 20, 30]) and bmp[54 + 306:54 + 308] == b"\x00\x00"


def test_png_output_shows_the_same_pixels(stub_library):
    pil = pytest.importorskip("PIL.Image")
    import io
    png = WltDecoder(stub_library, "WltToBmp", isolated=False).decode(DEMO_CARD.photo_wlt, fmt="png")
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    image = pil.open(io.BytesIO(png))
    assert image.size == (102, 126) and image.mode == "RGB" and image.getpixel((0, 0)) == (30, 20, 10)
    raw_bmp = WltDecoder(stub_library, "unpack", 602, isolated=False).decode(DEMO_CARD.photo_wlt)
    from_png = pil.open(io.BytesIO(bmp_to_png(raw_bmp)))
    from_bmp = pil.open(io.BytesIO(raw_bmp))
    assert from_png.tobytes() == from_bmp.convert("RGB").tobytes()   # same picture, rows the right way up


def test_png_chunks_are_well_formed(stub_library):
    png = bmp_to_png(WltDecoder(stub_library, "WltToBmp", isolated=False).decode(DEMO_CARD.photo_wlt))
    offset, kinds = 8, []
    while offset < len(png):
        length, = struct.unpack_from(">I", png, offset)
        kind, data = png[offset + 4:offset + 8], png[offset + 8:offset + 8 + length]
        assert struct.unpack_from(">I", png, offset + 8 + length)[0] == zlib.crc32(kind + data)
        kinds.append(kind)
        offset += 12 + length
    assert kinds == [b"IHDR", b"IDAT", b"IEND"]


# --- absent or broken libraries: None and a reason, never an exception ------------------------------------
def test_not_configured():
    decoder = decoder_from_config(Config({}))
    assert not decoder.configured and decoder.decode(DEMO_CARD.photo_wlt) is None
    assert "idcard_wlt_library" in decoder.reason


def test_missing_library(tmp_path):
    decoder = WltDecoder(str(tmp_path / "libwlt.so"), isolated=False)
    assert decoder.decode(DEMO_CARD.photo_wlt) is None and "not found" in decoder.reason
    assert "not found" in decoder.check()


@pytest.mark.parametrize("isolated", [False, True], ids=["in-process", "child-process"])
def test_file_that_is_not_a_library(tmp_path, isolated):
    fake = tmp_path / "libwlt.so"
    fake.write_bytes(b"this is not an ELF file")
    decoder = WltDecoder(str(fake), isolated=isolated)
    assert decoder.decode(DEMO_CARD.photo_wlt) is None and "cannot load" in decoder.reason


def test_library_without_the_function(stub_library):
    decoder = WltDecoder(stub_library, "GetBmp", isolated=False)
    assert decoder.decode(DEMO_CARD.photo_wlt) is None and "no function 'GetBmp'" in decoder.reason


def test_wrong_vendor_code(stub_library):
    decoder = WltDecoder(stub_library, "unpack", 158, isolated=False)
    assert decoder.decode(DEMO_CARD.photo_wlt) is None
    assert "returned 0" in decoder.reason and "idcard_wlt_code" in decoder.reason
    decoder.code = 602
    assert decoder.decode(DEMO_CARD.photo_wlt) is not None and decoder.reason == ""


@pytest.mark.parametrize("function,reason", [("wlt_refuses", "returned -1"), ("wlt_blank", "no image")])
def test_library_that_fails(stub_library, function, reason):
    decoder = WltDecoder(stub_library, function, isolated=False)
    assert decoder.decode(DEMO_CARD.photo_wlt) is None and reason in decoder.reason


def test_wrong_photo_size(stub_library):
    decoder = WltDecoder(stub_library, "unpack", 602, isolated=False)
    assert decoder.decode(b"\x00" * 100) is None and "100 bytes" in decoder.reason


def test_crashing_library_costs_one_photo_not_the_kiosk(stub_library):
    decoder = WltDecoder(stub_library, "wlt_crashes")            # isolated by default
    assert decoder.decode(DEMO_CARD.photo_wlt) is None and "crashed (signal 6)" in decoder.reason


def test_hanging_library_times_out(stub_library):
    decoder = WltDecoder(stub_library, "wlt_hangs", timeout_s=1.0)
    start = time.monotonic()
    assert decoder.decode(DEMO_CARD.photo_wlt) is None and "no answer in 1 s" in decoder.reason
    assert time.monotonic() - start < 3.0


def test_settings_reach_the_decoder(stub_library):
    class Settings(dict):                                       # stands in until kiosk/config.py declares them
        pass
    decoder = decoder_from_config(Settings(idcard_wlt_library=stub_library, idcard_wlt_function="unpack",
                                           idcard_wlt_code=602))
    assert decoder.isolated and decoder.decode(DEMO_CARD.photo_wlt)[:2] == b"BM"


def test_failures_are_logged_once_per_reason_without_image_data(tmp_path, caplog):
    decoder = WltDecoder(str(tmp_path / "absent.so"), isolated=False)
    with caplog.at_level("WARNING", logger="devices.idcard.wlt"):
        for _ in range(3):
            decoder.decode(DEMO_CARD.photo_wlt)
    assert len(caplog.records) == 1 and "not found" in caplog.records[0].getMessage()
