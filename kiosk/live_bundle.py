"""What one installed bundle kind holds in force (policies, 免申即享 rules, the Q&A knowledge base), swapped whole.

Sync installs a newer bundle on its own thread and publishes BundleApplied; `on_bundle_applied` re-reads the
installed content and replaces `current` in one assignment under a lock, so a reader on another thread sees either
the old content or the new, never a mix. A read that fails keeps what is in force rather than failing the pull.
"""
from __future__ import annotations

import logging
import threading
from typing import Any, Generic, TypeVar

log = logging.getLogger(__name__)

T = TypeVar("T")


class LiveBundle(Generic[T]):
    kind = ""   # the bundle kind this holder follows

    def __init__(self, initial: T):
        self._lock = threading.Lock()
        self._current = initial

    @property
    def current(self) -> T:
        with self._lock:
            return self._current

    def on_bundle_applied(self, event: Any) -> None:
        """The EventBus listener: runs on the sync thread, after the bundle's transaction committed."""
        if getattr(event, "kind", None) != self.kind:
            return
        content = self._read()
        if content is None:
            return
        with self._lock:
            self._install(content)
        self._in_force(content, getattr(event, "version", "?"))

    def _install(self, content: T) -> None:
        """Under the lock: make `content` the one in force (a subclass drops what it derived from the old one)."""
        self._current = content

    def _read(self) -> T | None:
        """The installed content, or None to keep what is in force (unreadable database, unusable bundle)."""
        raise NotImplementedError

    def _in_force(self, content: T, version: Any) -> None:
        log.info("%s bundle %s in force", self.kind, version)
