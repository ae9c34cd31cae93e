"""The one marshalling layer from the Qt-free EventBus to the GUI thread.

Engines publish plain dataclass events from their own threads; the bridge re-emits them as Qt signals that are
always delivered on the GUI thread (queued), and keeps the latest of each for screens built later.
"""
from __future__ import annotations

import importlib
import logging
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal, Slot

log = logging.getLogger(__name__)


SYNC_STATUS_HOMES = ("sync", "sync.worker", "sync.client")


def optional_event_type(name: str, modules: tuple[str, ...]) -> type | None:
    """An event class that may be missing (the sync package is optional on a bare kiosk); None when missing."""
    for module in modules:
        try:
            return getattr(importlib.import_module(module), name)
        except (ImportError, AttributeError):
            continue
    log.warning("event type %s not found in %s; not listening", name, ", ".join(modules))
    return None


class EventBridge(QObject):
    sync_status = Signal(object)     # sync.SyncStatus, on the GUI thread
    device_health = Signal(object)   # devices.manager.DeviceHealthChanged (hot-plug, faults)
    bundle_applied = Signal(object)  # sync.events.BundleApplied (a new catalog may be waiting)
    record_status = Signal(object)   # sync.events.RecordStatusChanged (e.g. a booking the hub could not confirm)

    _arrived = Signal(str, object)   # emitted from engine threads, received queued on the GUI thread

    def __init__(self, events: Any, parent: QObject | None = None):
        super().__init__(parent)
        self._events = events
        self._subscriptions: list[tuple[type, Any]] = []
        self.latest: dict[str, Any] = {}
        self._arrived.connect(self._dispatch, Qt.ConnectionType.QueuedConnection)
        sync_status = optional_event_type("SyncStatus", SYNC_STATUS_HOMES)
        if sync_status is not None:
            self._listen(sync_status, "sync_status")
        bundle_applied = optional_event_type("BundleApplied", ("sync.events",))
        if bundle_applied is not None:
            self._listen(bundle_applied, "bundle_applied")
        record_status = optional_event_type("RecordStatusChanged", ("sync.events",))
        if record_status is not None:
            self._listen(record_status, "record_status")
        from devices.manager import DeviceHealthChanged

        self._listen(DeviceHealthChanged, "device_health")

    def _listen(self, event_type: type, signal_name: str) -> None:
        def forward(event: Any) -> None:   # runs on the publisher's thread: only hand over
            self._arrived.emit(signal_name, event)

        self._events.subscribe(event_type, forward)
        self._subscriptions.append((event_type, forward))

    @Slot(str, object)
    def _dispatch(self, signal_name: str, event: Any) -> None:
        self.latest[signal_name] = event
        getattr(self, signal_name).emit(event)

    def close(self) -> None:
        for event_type, callback in self._subscriptions:
            self._events.unsubscribe(event_type, callback)
        self._subscriptions.clear()
