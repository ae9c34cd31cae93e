"""The device manager: backends register by name, a scan finds hardware and simulators alike, devices are
opened on demand and each does its I/O on its own thread; a monitor thread notices hot-plug and health changes.

Like Electrum's DeviceMgr: callers ask for a family's device every time (`manager.device("idcard")`) instead of
keeping it, so an unplugged and re-plugged reader just works. Qt-free; changes are published as plain events.
"""
from __future__ import annotations

import logging
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Callable

from devices.base import DeviceError, Fault, Health, HealthState
from kiosk.config import Config

log = logging.getLogger(__name__)

FAMILIES = ("idcard", "smartcard", "qr", "printer")
# Calls that must reach the device at once, not queue behind the read they are meant to interrupt.
IMMEDIATE = frozenset({"cancel"})
ABSENT_FAULT = {"idcard": Fault.READER_ABSENT, "smartcard": Fault.READER_ABSENT, "qr": Fault.READER_ABSENT,
                "printer": Fault.PRINTER_ABSENT}


@dataclass(frozen=True)
class DeviceInfo:
    """One device a scan found: enough to open it again later."""
    family: str
    backend: str
    path: str              # port, reader name, camera index, URL, directory
    label: str = ""
    simulated: bool = False


@dataclass(frozen=True)
class Backend:
    family: str
    name: str
    enumerate: Callable[[Config], list[DeviceInfo]]     # quick listing; must not block on I/O for long
    open: Callable[[DeviceInfo, Config], Any]            # returns an object implementing the family protocol


@dataclass(frozen=True)
class DevicesChanged:
    """Published by the monitor when a scan differs from the previous one (hot-plug)."""
    added: tuple[DeviceInfo, ...]
    removed: tuple[DeviceInfo, ...]


@dataclass(frozen=True)
class DeviceHealthChanged:
    family: str
    health: Health
    info: DeviceInfo | None = None


class BackendRegistry:
    def __init__(self) -> None:
        self._backends: dict[tuple[str, str], Backend] = {}

    def register(self, backend: Backend) -> None:
        if backend.family not in FAMILIES:
            raise ValueError(f"unknown device family {backend.family!r}")
        self._backends[(backend.family, backend.name)] = backend

    def get(self, family: str, name: str) -> Backend | None:
        return self._backends.get((family, name))

    def names(self, family: str) -> list[str]:
        return sorted(name for fam, name in self._backends if fam == family)


class OnDeviceThread:
    """Runs every method call of the wrapped device on that device's own thread, one at a time.

    A blocking read on the card reader then never holds up the printer, and a driver that is not thread-safe is
    only ever touched from one thread.
    """

    def __init__(self, device: Any, info: DeviceInfo):
        self.device = device
        self.info = info
        self.name = getattr(device, "name", info.backend)
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"dev-{info.family}")
        self._pending = 0
        self._count_lock = threading.Lock()

    @property
    def busy(self) -> bool:
        """A call is running or queued (e.g. a 30 s wait for a card): health probes must not queue behind it."""
        return self._pending > 0

    def __getattr__(self, attr: str) -> Any:
        target = getattr(self.device, attr)
        if not callable(target) or attr in IMMEDIATE:
            return target
        return lambda *args, **kwargs: self._run(target, args, kwargs)

    def _run(self, target: Callable, args: tuple, kwargs: dict) -> Any:
        with self._count_lock:
            self._pending += 1
        try:
            return self._executor.submit(target, *args, **kwargs).result()
        finally:
            with self._count_lock:
                self._pending -= 1

    def close(self) -> None:
        close = getattr(self.device, "close", None)
        try:
            if close is not None:
                self._executor.submit(close).result(timeout=5)
        except Exception:
            log.exception("closing %s/%s failed", self.info.family, self.info.backend)
        finally:
            self._executor.shutdown(wait=False, cancel_futures=True)


class AbsentDevice:
    """Stands in when a family has no device: every use raises the family's 'absent' fault."""

    def __init__(self, family: str, reason: str):
        self.family = family
        self.name = f"{family}-absent"
        self.reason = reason

    def health(self) -> Health:
        return Health(HealthState.ABSENT, self.reason)

    def cancel(self) -> None:
        pass   # nothing is running on a device that is not there

    def __getattr__(self, attr: str) -> Any:
        def absent(*args, **kwargs):
            raise DeviceError(ABSENT_FAULT[self.family], self.reason)
        return absent

    def close(self) -> None:
        pass


@dataclass
class _Slot:
    handle: OnDeviceThread | None = None
    health: Health = field(default_factory=lambda: Health(HealthState.ABSENT, "not found"))


class DeviceManager:
    def __init__(self, config: Config, registry: BackendRegistry, publish: Callable[[object], None] = lambda e: None):
        self.config = config
        self.registry = registry
        self.publish = publish
        self._lock = threading.RLock()
        self._slots = {family: _Slot() for family in FAMILIES}
        self._last_scan: set[DeviceInfo] = set()
        self._stop = threading.Event()
        self._monitor: threading.Thread | None = None

    # --- scanning -------------------------------------------------------------------------------------------
    def backend_for(self, family: str) -> Backend | None:
        name = self.config[f"{family}_backend"]
        return None if name == "none" else self.registry.get(family, name)

    def scan(self) -> list[DeviceInfo]:
        """Every device the configured backends can see now, hardware and simulators alike."""
        found: list[DeviceInfo] = []
        for family in FAMILIES:
            backend = self.backend_for(family)
            if backend is None:
                continue
            try:
                found.extend(backend.enumerate(self.config))
            except Exception as exc:  # a broken enumerator must not hide the other families
                log.warning("scan of %s/%s failed: %s", family, backend.name, type(exc).__name__)
        return found

    # --- access ---------------------------------------------------------------------------------------------
    def device(self, family: str) -> Any:
        """The family's device, opened if needed; an AbsentDevice if none is there now."""
        with self._lock:
            slot = self._slots[family]
            if slot.handle is not None:
                return slot.handle
            backend = self.backend_for(family)
            if backend is None:
                return AbsentDevice(family, f"no {family} backend configured")
            infos = [i for i in self._enumerate(backend) if i.family == family]
            if not infos:
                if slot.health.state != HealthState.ABSENT:  # keep the more telling "unplugged"
                    self._set_health(family, Health(HealthState.ABSENT, "not found"), None)
                return AbsentDevice(family, slot.health.reason)
            return self._open(family, backend, infos[0])

    def _enumerate(self, backend: Backend) -> list[DeviceInfo]:
        try:
            return backend.enumerate(self.config)
        except Exception as exc:
            log.warning("enumerate %s/%s failed: %s", backend.family, backend.name, type(exc).__name__)
            return []

    def _open(self, family: str, backend: Backend, info: DeviceInfo) -> Any:
        try:
            device = backend.open(info, self.config)
        except Exception as exc:
            reason = f"open failed: {type(exc).__name__}"
            log.warning("%s/%s %s", family, backend.name, reason)
            self._set_health(family, Health(HealthState.ERROR, reason), info)
            return AbsentDevice(family, reason)
        handle = OnDeviceThread(device, info)
        self._slots[family].handle = handle
        self._set_health(family, self._probe(handle), info)
        return handle

    def forget(self, family: str) -> None:
        """Close the family's device (it was unplugged, or settings changed); the next use opens it anew."""
        with self._lock:
            slot = self._slots[family]
            handle, slot.handle = slot.handle, None
        if handle is not None:
            handle.close()

    # --- health and hot-plug --------------------------------------------------------------------------------
    def health(self) -> dict[str, Health]:
        with self._lock:
            return {family: slot.health for family, slot in self._slots.items()}

    def check(self) -> None:
        """One monitor round: rescan, drop devices that disappeared, open new ones, refresh health."""
        current = set(self.scan())
        added, removed = current - self._last_scan, self._last_scan - current
        self._last_scan = current
        for info in removed:
            self._unplugged(info)
        if added or removed:
            self.publish(DevicesChanged(tuple(sorted(added, key=repr)), tuple(sorted(removed, key=repr))))
        for family in FAMILIES:
            handle = self.device(family)
            if isinstance(handle, OnDeviceThread):
                self._set_health(family, self._probe(handle), handle.info)

    def _unplugged(self, info: DeviceInfo) -> None:
        with self._lock:
            handle = self._slots[info.family].handle
        if handle is not None and handle.info == info:
            self.forget(info.family)
            self._set_health(info.family, Health(HealthState.ABSENT, "unplugged"), info)

    def _probe(self, handle: OnDeviceThread) -> Health:
        if handle.busy:
            return self._slots[handle.info.family].health
        try:
            return handle.health()
        except Exception as exc:
            return Health(HealthState.ERROR, f"health check failed: {type(exc).__name__}")

    def _set_health(self, family: str, health: Health, info: DeviceInfo | None) -> None:
        with self._lock:
            slot = self._slots[family]
            changed = slot.health != health
            slot.health = health
        if changed:
            self.publish(DeviceHealthChanged(family, health, info))

    def start_monitor(self, interval_s: float = 2.0) -> None:
        if self._monitor is not None:
            return
        self._stop.clear()
        self._monitor = threading.Thread(target=self._watch, args=(interval_s,), name="device-monitor", daemon=True)
        self._monitor.start()

    def _watch(self, interval_s: float) -> None:
        while not self._stop.is_set():
            try:
                self.check()
            except Exception:
                log.exception("device monitor round failed")
            self._stop.wait(interval_s)

    def close(self) -> None:
        self._stop.set()
        if self._monitor is not None:
            self._monitor.join(timeout=5)
            self._monitor = None
        for family in FAMILIES:
            self.forget(family)
