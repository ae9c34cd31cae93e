"""Camera QR scanner: frames from a FrameSource, decoded with zxing-cpp, one result per presentation.

Decode path (`decode_frame`), chosen with bench/qr_bench.py (440 generated 640x480 and 5 MP frames, 11 kinds):
1. grayscale; frames longer than 1920 px are shrunk to 1600 px first (5 MP: ~55 -> ~28 ms, no code lost);
2. zxing-cpp (it finds rotated and inverted codes itself);
3. only if nothing was found: one retry on an unsharp-masked copy, upscaled x2 when the frame is at most
   960 px (1-2 px modules of a distant phone, blur). Decodes went from 337 to 370 of 400 (small 26 -> 35,
   webcam-like 24 -> 35) for ~10 ms more on a frame without a code (3 -> 13 ms at 640x480).
No pyzbar fallback: on the same frames it decoded nothing that this path missed (0 rescues; 270 of 400 alone),
took ~5x longer per frame and would add ~14 ms to every frame without a code, which is most frames of a live
camera (the variants were tuned on other seeds than the bench's default one).
"""
from __future__ import annotations

import os
import threading
import time
from typing import Any, Callable

import numpy as np

from devices.base import DeviceError, Fault, Health, HealthState
from devices.manager import DeviceInfo
from devices.qr_dedupe import ScanDeduper
from devices.qr_frames import (Frame, FrameSource, LatestFrameSource, VideoCaptureSource, is_live, parse_target,
                               target_path)
from devices.qr_settings import setting

MAX_SIDE = 1920          # larger frames are shrunk before decoding ...
SHRINK_TO = 1600         # ... to this long side
UPSCALE_MAX_SIDE = 960   # the retry doubles frames up to this size
_ECI_IDS = ("]Q2", "]Q4", "]Q6")   # ISO/IEC 18004 symbology identifiers of codes that declare their charset


def _cv2():
    import cv2   # ~130 ms to import: only kiosks that decode frames pay for it
    return cv2


def _gray(frame: Frame) -> Frame:
    if frame.dtype != np.uint8:
        frame = np.clip(frame, 0, 255).astype(np.uint8)
    if frame.ndim == 3 and frame.shape[2] == 1:
        frame = frame[:, :, 0]
    if frame.ndim == 2:
        return frame
    code = _cv2().COLOR_BGRA2GRAY if frame.shape[2] == 4 else _cv2().COLOR_BGR2GRAY
    return _cv2().cvtColor(frame, code)


def _shrunk(gray: Frame) -> Frame:
    side = max(gray.shape)
    if side <= MAX_SIDE:
        return gray
    scale = SHRINK_TO / side
    return _cv2().resize(gray, None, fx=scale, fy=scale, interpolation=_cv2().INTER_AREA)


def _sharpened(gray: Frame) -> Frame:
    cv2 = _cv2()
    if max(gray.shape) <= UPSCALE_MAX_SIDE:
        gray = cv2.resize(gray, None, fx=2, fy=2, interpolation=cv2.INTER_CUBIC)
    return cv2.addWeighted(gray, 2.0, cv2.GaussianBlur(gray, (0, 0), 2.0), -1.0, 0)   # unsharp mask


def barcode_text(barcode: Any) -> str:
    """The code's text. Without an ECI header zxing guesses the charset (Latin-1 or Shift_JIS); Chinese
    generators often write GBK bytes, so strict UTF-8, then strict GB18030, are tried before its guess."""
    if barcode.symbology_identifier in _ECI_IDS or barcode.text.isascii():
        return barcode.text
    for charset in ("utf-8", "gb18030"):
        try:
            return barcode.bytes.decode(charset)
        except UnicodeDecodeError:
            continue
    return barcode.text


def _zxing(gray: Frame) -> list[str]:
    import zxingcpp   # imported here: a kiosk without a camera scanner never loads it

    found = zxingcpp.read_barcodes(gray, formats=zxingcpp.BarcodeFormat.QRCode, text_mode=zxingcpp.TextMode.Plain)
    return [barcode_text(b) for b in found if b.valid]


def decode_frame(frame: Frame) -> list[str]:
    """Texts of the QR codes in one camera frame (BGR, BGRA or gray numpy array); [] if none."""
    gray = _shrunk(_gray(frame))
    return _zxing(gray) or _zxing(_sharpened(gray))


class CameraQrScanner:
    """QrScanner over any FrameSource: decodes frames until a new code shows up or the timeout passes."""

    name = "qr-camera"

    def __init__(self, source: FrameSource, decode: Callable[[Frame], list[str]] = decode_frame,
                 deduper: ScanDeduper | None = None, max_fps: float = 0.0, poll_s: float = 0.01,
                 clock: Callable[[], float] = time.monotonic, sleep: Callable[[float], None] = time.sleep):
        self.source = source
        self.deduper = deduper or ScanDeduper(clock=clock)
        self._decode = decode
        self._min_interval = 1.0 / max_fps if max_fps > 0 else 0.0   # CPU cap on a 2-core kiosk
        self._poll_s = poll_s            # wait between reads when no new frame is ready
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._closed = False
        self._absent = ""                # why the last read failed; cleared by the next good frame

    def scan(self, timeout: float) -> str:
        with self._lock:
            deadline = self._clock() + timeout
            while True:
                started = self._clock()
                frame = self._read()
                text = self._new_code(frame) if frame is not None else None
                if text is not None:
                    return text
                now = self._clock()
                if now >= deadline:
                    raise DeviceError(Fault.QR_TIMEOUT, "no code before timeout")
                pause = self._poll_s if frame is None else self._min_interval - (now - started)
                if pause > 0:
                    self._sleep(min(pause, deadline - now))

    def health(self) -> Health:
        if self._closed:
            return Health(HealthState.ABSENT, "closed")
        if self._absent:
            return Health(HealthState.ABSENT, self._absent)
        source_health = getattr(self.source, "health", None)
        return source_health() if source_health is not None else Health(HealthState.OK)

    def close(self) -> None:
        self._closed = True
        self.source.close()

    def _read(self) -> Frame | None:
        if self._closed:
            raise DeviceError(Fault.READER_ABSENT, "scanner closed")
        try:
            frame = self.source.read()
        except DeviceError as exc:
            self._absent = exc.detail
            raise
        self._absent = ""
        return frame

    def _new_code(self, frame: Frame) -> str | None:
        for text in self._decode(frame):
            if self.deduper.accept(text):
                return text
        return None


# --- backend: enumerate / open ----------------------------------------------------------------------------------

_opened_once: set[tuple[str, int, float]] = set()   # (target, inode, ctime) that opened: probed once per plug-in
_probe_lock = threading.Lock()


def _plug_key(target: int | str) -> tuple[str, int, float] | None:
    """Identifies this plug-in of the target (a re-plugged camera gets a new device node), None if absent."""
    path = target_path(target)
    if path is None:
        return str(target), 0, 0.0
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return str(target), stat.st_ino, stat.st_ctime


def _opens(target: int | str) -> bool:
    key = _plug_key(target)
    if key is None:
        return False
    with _probe_lock:
        if key not in _opened_once and VideoCaptureSource(target).probe():
            _opened_once.add(key)     # failures are not cached: a busy camera may open next round
        return key in _opened_once


def enumerate_camera(config: Any) -> list[DeviceInfo]:
    """The configured camera if it is there and opens. The open test runs once per plug-in (a new device node),
    not every monitor round, so the camera's light does not blink while the kiosk idles."""
    target = parse_target(setting(config, "qr_camera"))
    if not _opens(target):
        return []
    label = f"camera {target}" if is_live(target) else "camera (recorded frames)"
    return [DeviceInfo("qr", "camera", str(target), label)]


def open_camera(info: DeviceInfo, config: Any) -> CameraQrScanner:
    target = parse_target(info.path)
    source: FrameSource = VideoCaptureSource(target, setting(config, "qr_camera_width"),
                                             setting(config, "qr_camera_height"))
    if is_live(target):
        source = LatestFrameSource(source)
    return CameraQrScanner(source, deduper=ScanDeduper(setting(config, "qr_dedupe_s")),
                           max_fps=setting(config, "qr_camera_max_fps"))
