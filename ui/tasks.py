"""Background work for the UI: blocking core calls run on executors, results come back on the GUI thread.

Lanes: "db" (one thread: saving, printing, rating: the one writer), "card" and "qr" (one thread per device:
reads may block for the device timeout), "search" (one thread, latest query wins in the screen) and "camera"
(the document camera's capture, which waits for a still sheet).
Callbacks belong to a group; `forget(group)` drops the callbacks of work that is no longer wanted (the resident
left, the session was wiped) so a late result never lands on a screen.
"""
from __future__ import annotations

import logging
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, Callable

from PySide6.QtCore import QObject, Qt, Signal, Slot

log = logging.getLogger(__name__)

LANES = ("db", "card", "qr", "search", "camera", "chat", "chat-poll")   # chat: sends; chat-poll: waits for replies
Callback = Callable[[Any], None]


class _Relay(QObject):
    finished = Signal(object)   # a concurrent.futures.Future, emitted from the worker thread


class Tasks(QObject):
    settled = Signal()          # no work in flight any more (tests wait on this)

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._pools = {lane: ThreadPoolExecutor(1, thread_name_prefix=f"ui-{lane}") for lane in LANES}
        self._callbacks: dict[Future, tuple[str, Callback, Callback | None]] = {}
        self._in_flight = 0
        self._closed = False
        self._relay = _Relay(self)
        self._relay.finished.connect(self._deliver, Qt.ConnectionType.QueuedConnection)

    @property
    def in_flight(self) -> int:
        return self._in_flight

    def run(self, lane: str, work: Callable[[], Any], on_done: Callback, on_error: Callback | None = None,
            group: str = "") -> Future | None:
        """Run `work()` on `lane`; `on_done(result)` or `on_error(exception)` is called on the GUI thread.
        After shutdown() nothing runs any more and None is returned."""
        if self._closed:
            return None
        future = self._pools[lane].submit(work)
        self._callbacks[future] = (group, on_done, on_error)
        self._in_flight += 1
        future.add_done_callback(self._hand_over)
        return future

    def _hand_over(self, future: Future) -> None:   # on the worker thread
        try:
            self._relay.finished.emit(future)
        except RuntimeError:   # the window is gone (shutting down): nobody left to tell
            pass

    def forget(self, group: str) -> None:
        """Results of this group's work still running will be discarded."""
        for future, (owner, _done, _error) in list(self._callbacks.items()):
            if owner == group:
                self._callbacks[future] = (owner, _ignore, _ignore)

    def shutdown(self) -> None:
        self._closed = True
        self._callbacks.clear()
        for pool in self._pools.values():
            pool.shutdown(wait=False, cancel_futures=True)

    @Slot(object)
    def _deliver(self, future: Future) -> None:
        self._in_flight -= 1
        entry = self._callbacks.pop(future, None)
        try:
            if entry is not None and not future.cancelled():
                self._call(future, entry[1], entry[2])
        finally:
            if self._in_flight == 0:
                self.settled.emit()

    @staticmethod
    def _call(future: Future, on_done: Callback, on_error: Callback | None) -> None:
        error = future.exception()
        if error is None:
            on_done(future.result())
        elif on_error is not None:
            on_error(error)
        else:
            log.error("background task failed", exc_info=error)


def _ignore(_value: Any) -> None:
    return None
