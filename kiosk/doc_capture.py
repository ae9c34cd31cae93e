"""拍摄材料: one document-camera capture for an agent's filing, Qt-free.

The camera is opened for the attempt and closed after it. The flattened JPEG is kept on the resident's session
(`ServiceFlow.keep_capture`), not stored: the save commits it with the record, and a resident who walks away
leaves nothing behind. `latest()` is safe from another thread: the UI's preview polls it while `run()` blocks.
"""
from __future__ import annotations

import threading
from typing import Callable

from devices.base import DeviceError
from devices.doccam import CaptureFailed, CaptureSettings, Captured, DocumentCapture, Failure
from devices.doccam.live import Glimpse, Watched
from devices.qr_frames import FrameSource


class PageCapture:
    def __init__(self, open_source: Callable[[], FrameSource], keep: Callable[[bytes], str],
                 settings: CaptureSettings = CaptureSettings()):
        self._open_source, self._keep, self._settings = open_source, keep, settings
        self._lock = threading.Lock()
        self._watched: Watched | None = None
        self._capture: DocumentCapture | None = None
        self._cancelled = False

    def run(self) -> Captured | CaptureFailed:
        """Blocks until a page is kept, the time is up, or `cancel()`; run it on a worker thread."""
        try:
            watched = Watched(self._open_source())
        except DeviceError as exc:
            return CaptureFailed(Failure.CAMERA_ABSENT, 0, exc.detail)
        capture = DocumentCapture(watched, self._kept, self._settings, on_finding=watched.found)
        with self._lock:
            self._watched, self._capture = watched, capture
            if self._cancelled:
                capture.cancel()
        try:
            return capture.capture()
        finally:
            watched.close()

    def _kept(self, jpeg: bytes) -> str:
        """A page taken after `cancel()` (the screen was left meanwhile) is not kept on the session."""
        with self._lock:
            if self._cancelled:
                return ""
        return self._keep(jpeg)

    def cancel(self) -> None:
        with self._lock:
            self._cancelled = True
            if self._capture is not None:
                self._capture.cancel()

    def latest(self) -> Glimpse | None:
        with self._lock:
            watched = self._watched
        return watched.latest() if watched is not None else None
