"""Document-camera mode: watch frames until a sheet lies still and sharp, then keep one flattened JPEG of it.

`DocumentCapture.capture()` blocks (run it on the camera's thread, never the UI's) and returns a typed outcome:
`Captured` once one attachment is stored, or `CaptureFailed` whose reason a UI turns into advice ("move the
paper fully into the frame"). On timeout the reason is what most recent frames showed, so "timed out" still
says why; `TIMEOUT` itself means a sheet was seen but never held still, or no frame came at all.
"""
from __future__ import annotations

import threading
import time
from collections import Counter, deque
from dataclasses import dataclass
from enum import Enum
from typing import Callable

from devices.base import DeviceError
from devices.doccam.page import Frame, PageFinding, Quad, Reason, find_page
from devices.doccam.rectify import Enhance, encode_jpeg, rectify
from devices.qr_frames import FrameSource


class Failure(str, Enum):
    NO_PAGE = "no_page"
    CUT_OFF = "cut_off"
    TOO_SMALL = "too_small"
    TOO_DARK = "too_dark"
    TOO_BLURRY = "too_blurry"
    BAD_FRAME = "bad_frame"           # the camera delivers something that is not an image
    TIMEOUT = "timeout"               # sheet seen but never still, or no frames at all
    CAMERA_ABSENT = "camera_absent"
    CANCELLED = "cancelled"
    TOO_LARGE = "too_large"           # no legible JPEG fits the byte cap


@dataclass(frozen=True)
class CaptureSettings:
    timeout_s: float = 20.0
    stable_frames: int = 3           # consecutive frames with the sheet found ...
    stable_px: float = 4.0           # ... each corner within this many frame px of the frame before
    max_bytes: int = 400_000         # per attachment; well under the hub's MAX_ATTACHMENT_BYTES
    long_side_px: int = 2000         # A4 at ~170 dpi
    mode: Enhance = Enhance.GRAY
    poll_s: float = 0.02             # wait when the camera has no new frame yet
    recent: int = 10                 # frames whose reasons explain a timeout


@dataclass(frozen=True)
class Captured:
    sha256: str
    width: int
    height: int
    jpeg_bytes: int
    quality: int
    quad: Quad                       # where the sheet was in the frame that was kept
    frames: int                      # frames looked at


@dataclass(frozen=True)
class CaptureFailed:
    reason: Failure
    frames: int
    detail: str = ""


@dataclass(frozen=True)
class _Seen:
    frame: Frame
    finding: PageFinding


class Steadiness:
    """Consecutive found frames whose corners barely moved; a miss or a jump starts over."""

    def __init__(self, frames: int, max_px: float):
        self._need = frames
        self._max_px = max_px
        self._run: list[_Seen] = []

    def add(self, frame: Frame, finding: PageFinding) -> _Seen | None:
        """The sharpest frame of the run once it is long enough, else None."""
        if not finding.found:
            self._run.clear()
            return None
        if self._run and finding.quad.max_shift(self._run[-1].finding.quad) > self._max_px:
            self._run.clear()
        self._run.append(_Seen(frame, finding))
        if len(self._run) < self._need:
            return None
        return max(self._run, key=lambda seen: seen.finding.sharpness)


def _explain(recent: deque[Reason | None]) -> Failure:
    misses = Counter(reason for reason in recent if reason is not None)
    if not misses or sum(misses.values()) * 2 < len(recent):
        return Failure.TIMEOUT     # mostly found: it just never held still
    return Failure(misses.most_common(1)[0][0].value)


class DocumentCapture:
    """One document capture at a time over any FrameSource; `store` keeps the JPEG and returns its SHA-256
    (AttachmentStore.add in the kiosk). `on_finding` sees every frame's finding (a UI draws the outline and a
    hint from it); it is called on the capturing thread."""

    def __init__(self, source: FrameSource, store: Callable[[bytes], str],
                 settings: CaptureSettings = CaptureSettings(), *,
                 find: Callable[[object], PageFinding] = find_page,
                 on_finding: Callable[[PageFinding], None] | None = None,
                 clock: Callable[[], float] = time.monotonic, sleep: Callable[[float], None] = time.sleep):
        self.source = source
        self.settings = settings
        self._store = store
        self._find = find
        self._on_finding = on_finding
        self._clock = clock
        self._sleep = sleep
        self._cancel = threading.Event()

    def cancel(self) -> None:
        """Ends a running capture (from any thread) with CANCELLED."""
        self._cancel.set()

    def capture(self, timeout: float | None = None) -> Captured | CaptureFailed:
        settings = self.settings
        self._cancel.clear()
        deadline = self._clock() + (settings.timeout_s if timeout is None else timeout)
        steady = Steadiness(settings.stable_frames, settings.stable_px)
        recent: deque[Reason | None] = deque(maxlen=settings.recent)
        frames = 0
        while not self._cancel.is_set():
            if self._clock() >= deadline:
                return CaptureFailed(_explain(recent), frames)
            try:
                frame = self.source.read()
            except DeviceError as exc:
                return CaptureFailed(Failure.CAMERA_ABSENT, frames, exc.detail)
            if frame is None:
                self._sleep(settings.poll_s)
                continue
            frames += 1
            finding = self._find(frame)
            recent.append(finding.reason)
            if self._on_finding is not None:
                self._on_finding(finding)
            held = steady.add(frame, finding)
            if held is not None:
                return self._keep(held, frames)
        return CaptureFailed(Failure.CANCELLED, frames)

    def _keep(self, held: _Seen, frames: int) -> Captured | CaptureFailed:
        settings = self.settings
        page = rectify(held.frame, held.finding.quad, settings.mode)
        jpeg = encode_jpeg(page, max_bytes=settings.max_bytes, long_side_px=settings.long_side_px)
        if jpeg is None:
            return CaptureFailed(Failure.TOO_LARGE, frames, f"no JPEG under {settings.max_bytes} bytes")
        sha = self._store(jpeg.data)
        return Captured(sha, jpeg.width, jpeg.height, len(jpeg.data), jpeg.quality, held.finding.quad, frames)
