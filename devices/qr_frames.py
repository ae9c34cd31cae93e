"""Where camera frames come from: a `FrameSource` gives BGR numpy frames and never blocks for long.

- `VideoCaptureSource` wraps cv2.VideoCapture: a camera index, a device path, a video file, or an image sequence
  (`frames/%04d.png`, read with CAP_IMAGES). There is no camera on the build machines: files and sequences let
  tests feed real frames through the same code.
- `LatestFrameSource` runs a live camera on its own thread and hands out only the newest frame, so decoding never
  falls behind a 30 fps stream and a capture driver stuck in read() cannot hang a scan.
- `ImageListSource` holds frames in memory (tests, the simulator).

`read()` returns a frame, or None when no new frame is ready yet; a camera that is absent, unplugged or a stream
that has ended raises DeviceError(READER_ABSENT).
"""
from __future__ import annotations

import os
import re
import threading
import time
from collections import deque
from typing import Any, Callable, Iterable, Protocol, runtime_checkable

import numpy as np

from devices.base import DeviceError, Fault, Health, HealthState

Frame = np.ndarray


@runtime_checkable
class FrameSource(Protocol):
    def read(self) -> Frame | None:
        """The next frame (BGR or gray uint8), None if none is ready yet; DeviceError(READER_ABSENT) if gone."""

    def close(self) -> None: ...


def _absent(detail: str) -> DeviceError:
    return DeviceError(Fault.READER_ABSENT, detail)


# --- camera targets ---------------------------------------------------------------------------------------------

def parse_target(text: str | int) -> int | str:
    """'0' -> camera index 0; anything else stays a path (device node, video file or %-pattern)."""
    if isinstance(text, int):
        return text
    text = str(text).strip()
    return int(text) if text.isdigit() else text


def is_live(target: int | str) -> bool:
    """A camera (index or /dev/video*), as opposed to a recording: live sources drop frames, files do not."""
    return isinstance(target, int) or str(target).startswith("/dev/")


def is_sequence(target: int | str) -> bool:
    return isinstance(target, str) and re.search(r"%0?\d*d", target) is not None


def target_path(target: int | str) -> str | None:
    """The file whose existence shows the target is there; None where that cannot be known (no /dev)."""
    if isinstance(target, int):
        return f"/dev/video{target}" if os.path.isdir("/dev") else None
    if is_sequence(target):
        return next((target % start for start in (0, 1) if os.path.exists(target % start)), target % 0)
    return target


def target_present(target: int | str) -> bool:
    """Cheap presence check without opening anything (no camera light blinking every monitor round)."""
    path = target_path(target)
    return path is None or os.path.exists(path)


# --- cv2.VideoCapture -------------------------------------------------------------------------------------------

class VideoCaptureSource:
    """cv2.VideoCapture opened lazily; dropped on failure so a re-plugged camera is opened again next read."""

    def __init__(self, target: int | str, width: int = 0, height: int = 0, loop: bool = False,
                 max_failures: int = 3, open_capture: Callable[..., Any] | None = None):
        self.target = parse_target(target)
        self._size = (width, height)       # requested resolution; 0 = the camera's default
        self._loop = loop                  # restart a recording at its end (a demo kiosk fed from a file)
        self._max_failures = max_failures  # webcams drop the odd frame; several in a row means unplugged
        self._open_capture = open_capture
        self._capture: Any = None
        self._failures = 0
        self.frames_read = 0               # since (re)opening

    def read(self) -> Frame | None:
        frame = self._next()
        if frame is not None:
            return frame
        if is_live(self.target):
            self._failures += 1
            if self._failures < self._max_failures:
                return None
            self._release()
            raise _absent("camera stopped delivering frames")
        rewind = self._loop and self.frames_read > 0   # an empty recording must not loop forever
        self._release()
        if rewind and (frame := self._next()) is not None:
            return frame
        self._release()
        raise _absent("stream ended")

    def probe(self) -> bool:
        """Whether the target opens now (opened and released at once; reads no frame)."""
        if self._capture is not None:
            return True
        try:
            self._open().release()
            return True
        except DeviceError:
            return False

    def health(self) -> Health:
        if self._capture is not None or target_present(self.target):
            return Health(HealthState.OK)
        return Health(HealthState.ABSENT, "camera not found")

    def close(self) -> None:
        self._release()

    def _next(self) -> Frame | None:
        if self._capture is None:
            self._capture = self._open()
            self.frames_read = self._failures = 0
        ok, frame = self._capture.read()
        if not ok or frame is None:
            return None
        self._failures = 0
        self.frames_read += 1
        return frame

    def _open(self) -> Any:
        if not target_present(self.target):   # cv2 would only print a warning and return a closed capture
            raise _absent("camera not found")
        import cv2   # ~130 ms to import: only kiosks with a camera pay for it
        opener = self._open_capture or cv2.VideoCapture
        api = cv2.CAP_IMAGES if is_sequence(self.target) else cv2.CAP_ANY
        capture = opener(self.target, api)
        if not capture.isOpened():
            capture.release()
            raise _absent("camera does not open")
        width, height = self._size
        if width and height and is_live(self.target):
            capture.set(cv2.CAP_PROP_FRAME_WIDTH, width)
            capture.set(cv2.CAP_PROP_FRAME_HEIGHT, height)
        return capture

    def _release(self) -> None:
        capture, self._capture = self._capture, None
        if capture is not None:
            capture.release()


# --- live cameras on their own thread ---------------------------------------------------------------------------

class LatestFrameSource:
    """Reads `inner` on a grabber thread and serves only the newest frame, each frame at most once.

    The grabber starts on the first read() and stops (releasing the camera, so its light goes off) after `idle_s`
    without a read(). If the inner source errors, read() raises that error once and the next read() starts over
    (re-plug). If no frame arrives for `stall_s`, read() raises READER_ABSENT instead of waiting on a driver that
    may never return.
    """

    def __init__(self, inner: FrameSource, stall_s: float = 3.0, idle_s: float = 5.0,
                 clock: Callable[[], float] = time.monotonic):
        self.inner = inner
        self._stall_s = stall_s
        self._idle_s = idle_s
        self._clock = clock
        self._lock = threading.Lock()
        self._frame: Frame | None = None
        self._error: DeviceError | None = None
        self._last_frame_at = 0.0
        self._last_read_at = 0.0
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        self._closed = False

    def read(self) -> Frame | None:
        with self._lock:
            if self._closed:
                raise _absent("source closed")
            now = self._clock()
            self._last_read_at = now
            if self._error is not None:
                error, self._error = self._error, None
                raise error
            alive = self._thread is not None and self._thread.is_alive()
            if alive and now - self._last_frame_at > self._stall_s:
                raise _absent("camera stalled")
            if not alive:
                self._start(now)
            frame, self._frame = self._frame, None
            return frame

    def health(self) -> Health:
        with self._lock:
            if self._error is not None:
                return Health(HealthState.ABSENT, self._error.detail)
            running = self._thread is not None and self._thread.is_alive()
            if running and self._clock() - self._last_frame_at > self._stall_s:
                return Health(HealthState.ABSENT, "camera stalled")
        inner_health = getattr(self.inner, "health", None)
        return Health(HealthState.OK) if running or inner_health is None else inner_health()

    def close(self) -> None:
        with self._lock:
            self._closed = True
        self._stop.set()
        thread = self._thread
        if thread is None:
            self.inner.close()
        else:   # the grabber releases the capture as it ends; a stuck one still owns it and is left alone
            thread.join(timeout=self._stall_s)

    def _start(self, now: float) -> None:
        self._stop.clear()
        self._last_frame_at = now      # opening a camera takes a moment: count the stall from here
        self._thread = threading.Thread(target=self._grab, name="qr-camera-grabber", daemon=True)
        self._thread.start()

    def _grab(self) -> None:
        try:
            while not self._stop.is_set() and self._clock() - self._last_read_at <= self._idle_s:
                frame = self.inner.read()
                with self._lock:
                    if frame is not None:
                        self._frame, self._last_frame_at = frame, self._clock()
                if frame is None:
                    self._stop.wait(0.01)
        except DeviceError as exc:
            with self._lock:
                self._error = exc
        except Exception as exc:  # a driver bug must surface as an absent camera, not kill the kiosk silently
            with self._lock:
                self._error = _absent(f"capture failed: {type(exc).__name__}")
        finally:
            self.inner.close()


# --- in memory --------------------------------------------------------------------------------------------------

class ImageListSource:
    """Frames queued in memory. When they run out: `then="idle"` answers None (a camera looking at nothing),
    `then="end"` raises READER_ABSENT (a recording that ended). Thread-safe: push() from any thread."""

    def __init__(self, frames: Iterable[Frame] = (), then: str = "idle"):
        if then not in ("idle", "end"):
            raise ValueError(f"then must be 'idle' or 'end', not {then!r}")
        self._frames: deque[Frame] = deque(frames)
        self._then = then
        self._lock = threading.Lock()
        self._closed = False

    def push(self, *frames: Frame) -> None:
        with self._lock:
            self._frames.extend(frames)

    def clear(self) -> None:
        with self._lock:
            self._frames.clear()

    def read(self) -> Frame | None:
        with self._lock:
            if self._closed:
                raise _absent("source closed")
            if self._frames:
                return self._frames.popleft()
            if self._then == "end":
                raise _absent("stream ended")
            return None

    def health(self) -> Health:
        return Health(HealthState.ABSENT, "closed") if self._closed else Health(HealthState.OK)

    def close(self) -> None:
        with self._lock:
            self._closed = True
            self._frames.clear()
