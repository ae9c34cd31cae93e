"""The document camera for one capture session: where its frames come from, and what a preview shows.

`open_source(backend, target)` gives a FrameSource (the simulator's desk and sheet, a camera, a recording), or
raises DeviceError(READER_ABSENT) when none is configured or it does not open. Opened for each capture and closed
after it, never cached: a camera plugged in later is simply found next time (STYLE.md 5).

`Watched` wraps a source so the newest frame and the detector's finding can be read from another thread: the
capture runs on a worker, the UI polls `latest()` for its preview and outline.
"""
from __future__ import annotations

import secrets
import threading
from dataclasses import dataclass

from devices.base import DeviceError, Fault
from devices.doccam.page import Frame, PageFinding
from devices.qr_frames import FrameSource, LatestFrameSource, VideoCaptureSource, is_live, parse_target

BACKENDS = ("sim", "camera", "none")


def open_source(backend: str, target: str = "0", seed: int | None = None) -> FrameSource:
    if backend == "sim":
        from devices.doccam.sim import SimDocumentCamera   # numpy and OpenCV only when a capture starts

        # a fresh sheet each time unless a test fixes it: the same seed gives the same JPEG, one attachment
        return SimDocumentCamera(seed=secrets.randbits(32) if seed is None else seed)
    if backend == "camera":
        parsed = parse_target(target)
        source: FrameSource = VideoCaptureSource(parsed)
        return LatestFrameSource(source) if is_live(parsed) else source
    raise DeviceError(Fault.READER_ABSENT, "no document camera configured")


@dataclass(frozen=True)
class Glimpse:
    frame: Frame
    finding: PageFinding | None     # None until the detector has looked at this frame


class Watched:
    """A FrameSource that remembers the newest frame and finding (set by DocumentCapture's `on_finding`)."""

    def __init__(self, inner: FrameSource):
        self.inner = inner
        self._lock = threading.Lock()
        self._latest: Glimpse | None = None

    def read(self) -> Frame | None:
        frame = self.inner.read()
        if frame is not None:
            with self._lock:
                self._latest = Glimpse(frame, None)
        return frame

    def found(self, finding: PageFinding) -> None:
        with self._lock:
            if self._latest is not None:
                self._latest = Glimpse(self._latest.frame, finding)

    def latest(self) -> Glimpse | None:
        with self._lock:
            return self._latest

    def close(self) -> None:
        self.inner.close()
