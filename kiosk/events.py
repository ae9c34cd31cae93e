"""A small thread-safe publish/subscribe bus for plain engine events.

Engines (sync worker, device threads) publish dataclass events; only `ui/bridge.py` turns them into Qt signals.
"""
from __future__ import annotations

import logging
import threading
from collections import defaultdict
from typing import Any, Callable

log = logging.getLogger(__name__)


class EventBus:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._subscribers: dict[type, list[Callable[[Any], None]]] = defaultdict(list)

    def subscribe(self, event_type: type, callback: Callable[[Any], None]) -> None:
        with self._lock:
            self._subscribers[event_type].append(callback)

    def unsubscribe(self, event_type: type, callback: Callable[[Any], None]) -> None:
        with self._lock:
            if callback in self._subscribers[event_type]:
                self._subscribers[event_type].remove(callback)

    def publish(self, event: object) -> None:
        with self._lock:
            callbacks = list(self._subscribers[type(event)])
        for callback in callbacks:
            try:
                callback(event)
            except Exception:  # one broken listener must not stop the engine that published
                log.exception("event listener failed for %s", type(event).__name__)
