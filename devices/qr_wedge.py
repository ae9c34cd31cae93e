"""Keyboard-wedge (USB HID) QR scanners: the scanner "types" the code as a burst of keystrokes ending in Enter.

Qt stays in ui/: the UI's event filter passes each typed character with its event time to `KEYBOARD.feed(char, t)`
(or to a scanner's `feed_key`). `WedgeAssembler` tells a scanner's burst (every key within ~50 ms of the last,
at least `min_length` characters, then Enter) from a person typing (100 ms and more between keys). The UI cannot
know in advance whether a key starts a burst; screens that wait for a code should have no text field in focus.

Limitations (documented, not worked around):
- A wedge scanner types through a keyboard layout, so it can only type ASCII reliably. Chinese payloads come out
  dropped or garbled (some scanners offer Windows Alt-code modes; nothing portable exists on Linux). All of the
  kiosk's own formats (ZLB1, ZLBL1, zdb://progress) are ASCII by design, so they work; use a camera or a serial
  scanner for codes with Chinese text.
- Presence cannot be detected: a USB keyboard looks like any other. health() is always OK.
- Reading /dev/input/event* directly (for a kiosk without Qt focus) would need the evdev package; not done.
"""
from __future__ import annotations

import threading
import time
from collections import deque
from typing import Any, Callable

from devices.base import DeviceError, Fault, Health, HealthState
from devices.manager import DeviceInfo
from devices.qr_dedupe import ScanDeduper
from devices.qr_settings import setting

ENTER = ("\r", "\n")


class WedgeAssembler:
    """Feed (char, timestamp in seconds) in order; returns a completed code when a fast burst ends in Enter."""

    def __init__(self, max_gap_s: float = 0.05, min_length: int = 8, terminators: tuple[str, ...] = ENTER,
                 max_length: int = 4096):
        self.max_gap_s = max_gap_s
        self.min_length = min_length
        self.terminators = terminators
        self.max_length = max_length       # a stuck key or a hostile device must not grow memory without end
        self._chars: list[str] = []
        self._last_t: float | None = None

    def feed(self, char: str, t: float) -> str | None:
        if not char:                       # modifier keys (Shift) carry no text
            return None
        slow = self._last_t is not None and t - self._last_t > self.max_gap_s
        self._last_t = t
        if slow:                           # a pause: what came before was typing, or a broken burst
            self._chars.clear()
        if char in self.terminators:
            return self._finish()
        if char.isprintable() and len(self._chars) < self.max_length:
            self._chars.append(char)
        return None

    def reset(self) -> None:
        self._chars.clear()
        self._last_t = None

    def _finish(self) -> str | None:
        text = "".join(self._chars)
        self._chars.clear()
        return text if len(text) >= self.min_length else None   # a person pressing Enter


class WedgeQrScanner:
    """QrScanner fed with keystrokes. feed_key() is thread-safe (UI thread) and never blocks; scan() waits."""

    name = "qr-wedge"

    def __init__(self, assembler: WedgeAssembler | None = None, deduper: ScanDeduper | None = None,
                 max_age_s: float = 10.0, clock: Callable[[], float] = time.monotonic):
        self._assembler = assembler or WedgeAssembler()
        self._deduper = deduper or ScanDeduper(clock=clock)
        self._max_age_s = max_age_s        # a code scanned while no screen asked for one is stale (and personal)
        self._clock = clock
        self._codes: deque[tuple[float, str]] = deque(maxlen=4)
        self._cond = threading.Condition()
        self._closed = False

    def feed_key(self, char: str, t: float) -> bool:
        """One typed character and its event time (seconds); True if it completed a new code."""
        with self._cond:
            text = self._assembler.feed(char, t)
            if text is None or self._closed or not self._deduper.accept(text):
                return False
            self._codes.append((self._clock(), text))
            self._cond.notify_all()
            return True

    def scan(self, timeout: float) -> str:
        deadline = self._clock() + timeout
        with self._cond:
            while True:
                if self._closed:
                    raise DeviceError(Fault.READER_ABSENT, "scanner closed")
                text = self._fresh_code()
                if text is not None:
                    return text
                remaining = deadline - self._clock()
                if remaining <= 0:
                    raise DeviceError(Fault.QR_TIMEOUT, "no code before timeout")
                self._cond.wait(min(remaining, 0.5))

    def health(self) -> Health:
        return Health(HealthState.ABSENT, "closed") if self._closed else Health(HealthState.OK)

    def close(self) -> None:
        with self._cond:
            self._closed = True
            self._codes.clear()
            self._cond.notify_all()

    def _fresh_code(self) -> str | None:
        now = self._clock()
        while self._codes:
            at, text = self._codes.popleft()
            if now - at <= self._max_age_s:
                return text
        return None


class KeyFeed:
    """Where the UI sends typed characters; forwards them to the wedge scanners that are open.

    The device manager runs every call of a device on the device's own thread, queued behind a blocking scan();
    keys must not wait there, so the UI feeds this object instead of the managed device.
    """

    def __init__(self) -> None:
        self._scanners: list[WedgeQrScanner] = []
        self._lock = threading.Lock()

    def feed(self, char: str, t: float) -> bool:
        with self._lock:
            scanners = list(self._scanners)
        return any([scanner.feed_key(char, t) for scanner in scanners])

    def attach(self, scanner: WedgeQrScanner) -> None:
        with self._lock:
            self._scanners.append(scanner)

    def detach(self, scanner: WedgeQrScanner) -> None:
        with self._lock:
            if scanner in self._scanners:
                self._scanners.remove(scanner)


KEYBOARD = KeyFeed()


class _AttachedWedgeScanner(WedgeQrScanner):
    """A wedge scanner that listens to a KeyFeed while open."""

    def __init__(self, keys: KeyFeed, **kwargs: Any):
        super().__init__(**kwargs)
        self._keys = keys
        keys.attach(self)

    def close(self) -> None:
        self._keys.detach(self)
        super().close()


def enumerate_wedge(config: Any) -> list[DeviceInfo]:
    """Always one: a keyboard-wedge scanner cannot be told apart from a keyboard, so it is assumed present."""
    return [DeviceInfo("qr", "wedge", "keyboard", "keyboard-wedge QR scanner")]


def open_wedge(info: DeviceInfo, config: Any, keys: KeyFeed = KEYBOARD) -> WedgeQrScanner:
    assembler = WedgeAssembler(setting(config, "qr_wedge_max_gap_ms") / 1000.0, setting(config, "qr_wedge_min_length"))
    return _AttachedWedgeScanner(keys, assembler=assembler, deduper=ScanDeduper(setting(config, "qr_dedupe_s")))
