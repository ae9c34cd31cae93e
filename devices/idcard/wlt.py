"""Optional decoding of the card photo: 1024 vendor-encrypted WLT bytes -> a 102x126 24-bit BMP (or PNG).

The WLT format is not public; only the reader makers' libraries decode it. One is loaded with ctypes ONLY when
configured (setting idcard_wlt_library), and by default inside a short-lived child process, so a vendor library
that crashes or hangs costs one photo, never the kiosk (and any file it insists on writing lands in a temporary
directory that is removed at once). Every failure gives None plus a technician-facing `reason`.

Signatures seen in public vendor glue code (setting idcard_wlt_function names the export):

    int unpack(char *wlt, char *out, int code)         libwlt.so, libwlt2019.so, libwlt-x86-64.so
        out: 102*126*3 = 38556 raw pixel bytes, bottom-up rows of 306 bytes with R and B swapped relative to a
        BMP (some builds write a whole BMP instead: both are accepted); returns 1 on success, 0 when `code` is
        wrong. `code` ("bmpSave") is a per-vendor value: public examples use 602 (603 also writes zp.bmp) for
        华视 libwlt2019.so on ARM64 and 158/159 for libwlt-x86-64.so; older builds take 0/1.
    int WltToBmp(char *wlt, char *bmp)                  libtermbhf and MIPS builds: bmp = a 38862-byte BMP
    int iDR220S_Dewlt(unsigned char *wlt, unsigned char *bmp)   same shape as WltToBmp
    Any export other than "unpack" is called with this two-argument shape; 1 (or more) means success.

This module imports only the standard library: it is also the child process's script.
"""
from __future__ import annotations

import ctypes
import logging
import os
import struct
import subprocess
import sys
import tempfile
import zlib

log = logging.getLogger(__name__)

WLT_LEN = 1024
WIDTH, HEIGHT = 102, 126
RAW_ROW = WIDTH * 3                          # 306
RAW_SIZE = RAW_ROW * HEIGHT                  # 38556
BMP_ROW = (RAW_ROW + 3) & ~3                 # 308: BMP rows are padded to 4 bytes
BMP_HEADER = 54
BMP_SIZE = BMP_HEADER + BMP_ROW * HEIGHT     # 38862
_OUT_BUFFER = 80_000                         # public glue code: some libraries write well past 38862 bytes
_THREE_ARGS = "unpack"


class WltError(Exception):
    """Why a photo was not decoded (technician-facing; never holds image data)."""


# --- images ------------------------------------------------------------------------------------------------
def bmp_header(width: int, height: int) -> bytes:
    """BITMAPFILEHEADER + BITMAPINFOHEADER of an uncompressed 24-bit, bottom-up BMP."""
    image = ((width * 3 + 3) & ~3) * height
    return (struct.pack("<2sIHHI", b"BM", BMP_HEADER + image, 0, 0, BMP_HEADER)
            + struct.pack("<IiiHHIIiiII", 40, width, height, 1, 24, 0, image, 0, 0, 0, 0))


def bmp_from_raw(raw: bytes) -> bytes:
    """`unpack` output (rows of R,G,B) -> BMP (rows of B,G,R, padded), as the public glue code does."""
    if len(raw) < RAW_SIZE:
        raise WltError(f"raw image is {len(raw)} bytes, expected {RAW_SIZE}")
    pixels = bytearray(raw[:RAW_SIZE])
    pixels[0::3], pixels[2::3] = pixels[2::3], pixels[0::3]
    pad = bytes(BMP_ROW - RAW_ROW)
    rows = (bytes(pixels[r * RAW_ROW:(r + 1) * RAW_ROW]) + pad for r in range(HEIGHT))
    return bmp_header(WIDTH, HEIGHT) + b"".join(rows)


def _bmp_size(buf: bytes) -> int:
    """The file size a BMP header announces, or 0 when `buf` does not start with a plausible one."""
    if len(buf) < BMP_HEADER or buf[:2] != b"BM":
        return 0
    size = struct.unpack_from("<I", buf, 2)[0]
    return size if BMP_HEADER < size <= len(buf) else 0


def bmp_to_png(bmp: bytes) -> bytes:
    """An uncompressed 24-bit BMP -> PNG, with zlib only (no imaging library needed on the kiosk).

    The header comes from a vendor library and is not trusted: one whose pixels do not fit the bytes given is a
    WltError (a huge width or height must not keep the caller's thread converting rows that are not there).
    """
    if not _bmp_size(bmp):
        raise WltError("not a BMP")
    offset, = struct.unpack_from("<I", bmp, 10)
    width, height, _, bits, compression = struct.unpack_from("<iiHHI", bmp, 18)
    if bits != 24 or compression != 0 or width <= 0 or height == 0:
        raise WltError("not an uncompressed 24-bit BMP")
    stride = (width * 3 + 3) & ~3
    if offset + stride * abs(height) > len(bmp):
        raise WltError("BMP pixels do not fit its size")
    order = range(abs(height) - 1, -1, -1) if height > 0 else range(-height)   # positive height: bottom-up
    lines = bytearray()
    for row in order:
        bgr = bytearray(bmp[offset + row * stride:offset + row * stride + width * 3])
        bgr[0::3], bgr[2::3] = bgr[2::3], bgr[0::3]
        lines += b"\x00" + bgr                     # filter type 0 (None) before each scanline
    ihdr = struct.pack(">IIBBBBB", width, abs(height), 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", ihdr) + _chunk(b"IDAT", zlib.compress(bytes(lines))) + \
        _chunk(b"IEND", b"")


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


# --- the vendor library ------------------------------------------------------------------------------------
def load_function(library: str, function: str):
    if not os.path.isfile(library):
        raise WltError(f"WLT library not found: {library}")
    try:
        lib = ctypes.CDLL(os.path.abspath(library))
    except OSError as exc:
        raise WltError(f"cannot load WLT library: {exc}") from None
    try:
        func = getattr(lib, function)
    except AttributeError:
        raise WltError(f"WLT library has no function {function!r}") from None
    func.restype = ctypes.c_int
    func.argtypes = ([ctypes.c_char_p, ctypes.c_char_p, ctypes.c_int] if function == _THREE_ARGS
                     else [ctypes.c_char_p, ctypes.c_char_p])
    return func


def call_function(func, function: str, code: int, wlt: bytes) -> bytes:
    """One call into the library; returns a BMP."""
    if len(wlt) != WLT_LEN:
        raise WltError(f"photo is {len(wlt)} bytes, expected {WLT_LEN}")
    src = ctypes.create_string_buffer(wlt, 2 * WLT_LEN)       # room to spare: vendor code is not careful
    out = ctypes.create_string_buffer(_OUT_BUFFER)
    result = func(src, out, code) if function == _THREE_ARGS else func(src, out)
    if result <= 0:
        hint = " (is idcard_wlt_code right for this library?)" if function == _THREE_ARGS else ""
        raise WltError(f"{function} returned {result}{hint}")
    buf = out.raw
    size = _bmp_size(buf)
    if size:
        return buf[:size]
    if not any(buf[:RAW_SIZE]):
        raise WltError(f"{function} reported success but produced no image")
    return bmp_from_raw(buf)


# --- the decoder the kiosk uses ----------------------------------------------------------------------------
class WltDecoder:
    def __init__(self, library: str = "", function: str = _THREE_ARGS, code: int = 0, isolated: bool = True,
                 timeout_s: float = 5.0):
        self.library = library
        self.function = function or _THREE_ARGS
        self.code = code
        self.isolated = isolated               # False: load into this process (faster; a crash takes us down)
        self.timeout_s = timeout_s
        self.reason = "" if library else "no WLT library configured (idcard_wlt_library)"
        self._func = None

    @property
    def configured(self) -> bool:
        return bool(self.library)

    def check(self) -> str:
        """Load the library and find the function without decoding: "" when usable, else the reason."""
        try:
            if self.isolated:
                self._run_child(b"", probe=True)
            else:
                self._function()
        except WltError as exc:
            return self._failed(str(exc))
        return ""

    def decode(self, wlt: bytes, fmt: str = "bmp") -> bytes | None:
        """The photo as BMP (or "png") bytes, or None with `reason` set. Never raises for a library problem."""
        if not self.configured:
            return None
        try:
            bmp = self._run_child(wlt) if self.isolated else call_function(self._function(), self.function,
                                                                              self.code, wlt)
            image = bmp_to_png(bmp) if fmt == "png" else bmp
        except WltError as exc:
            self._failed(str(exc))
            return None
        self.reason = ""
        return image

    def _function(self):
        if self._func is None:
            self._func = load_function(self.library, self.function)
        return self._func

    def _failed(self, reason: str) -> str:
        if reason != self.reason:              # once per new reason: a broken library must not flood the log
            log.warning("card photo not decoded: %s", reason)
        self.reason = reason
        return reason

    def _run_child(self, wlt: bytes, probe: bool = False) -> bytes:
        command = [sys.executable, "-I", "-S", os.path.abspath(__file__), "--child", self.library, self.function,
                   str(self.code)] + (["--probe"] if probe else [])
        with tempfile.TemporaryDirectory(prefix="zdb-wlt-") as scratch:
            try:
                done = subprocess.run(command, input=wlt, capture_output=True, cwd=scratch, timeout=self.timeout_s)
            except subprocess.TimeoutExpired:
                raise WltError(f"WLT decoder gave no answer in {self.timeout_s:g} s") from None
            except OSError as exc:
                raise WltError(f"cannot start the WLT decoder process: {exc}") from None
        if done.returncode < 0:
            raise WltError(f"WLT decoder crashed (signal {-done.returncode})")
        if done.returncode != 0:
            message = done.stderr.decode("utf-8", "replace").strip().splitlines()
            raise WltError(message[-1] if message else f"WLT decoder exited with {done.returncode}")
        return done.stdout


def _child_main(argv: list[str]) -> int:
    """In the child: argv = --child LIBRARY FUNCTION CODE [--probe]; WLT on stdin, BMP on stdout."""
    library, function, code = argv[1], argv[2], int(argv[3])
    try:
        func = load_function(library, function)
        if "--probe" not in argv:
            sys.stdout.buffer.write(call_function(func, function, code, sys.stdin.buffer.read()))
    except WltError as exc:
        sys.stderr.write(f"{exc}\n")
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(_child_main(sys.argv[1:]))
