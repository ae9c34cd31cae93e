"""One presentation of a code counts once, whichever scanner saw it.

A camera sees a held-up phone in every frame, and scanners in continuous mode resend the code every fraction of a
second. `ScanDeduper` suppresses a code while it keeps being seen: it counts again only after it has been out of
sight for `window_s`. It keeps digests, not the codes, so no personal data lingers in memory.
"""
from __future__ import annotations

import hashlib
import threading
import time
from typing import Callable

DEFAULT_WINDOW_S = 2.0


class ScanDeduper:
    def __init__(self, window_s: float = DEFAULT_WINDOW_S, clock: Callable[[], float] = time.monotonic):
        self.window_s = window_s
        self._clock = clock
        self._last_seen: dict[bytes, float] = {}
        self._lock = threading.Lock()   # wedge keys arrive on the UI thread, scans run on the device thread

    def accept(self, text: str) -> bool:
        """True if this sighting is a new scan; every sighting (new or not) restarts the code's window."""
        key = hashlib.sha256(text.encode("utf-8", "surrogatepass")).digest()
        with self._lock:
            now = self._clock()
            self._last_seen = {k: t for k, t in self._last_seen.items() if now - t < self.window_s}
            fresh = key not in self._last_seen
            self._last_seen[key] = now
            return fresh

    def forget(self) -> None:
        """Count the next sighting of any code as new (e.g. the simulator's show(): a deliberate new showing)."""
        with self._lock:
            self._last_seen.clear()
