"""The device manager: scan, open on demand, own I/O thread per device, hot-plug, health, absent devices."""
import threading

import pytest

from devices.base import DeviceError, Fault, Health, HealthState
from devices.manager import (AbsentDevice, Backend, BackendRegistry, DeviceHealthChanged, DeviceInfo, DeviceManager,
                             DevicesChanged)
from devices.registry import build_devices
from kiosk.config import Config

pytestmark = pytest.mark.timeout(60)


class FakePrinter:
    """A stand-in device object: the manager's behaviour, not a printer, is under test here."""
    name = "fake"

    def __init__(self):
        self.threads: list[str] = []
        self.closed = False
        self.state = Health(HealthState.OK)

    def health(self):
        return self.state

    def print_receipt(self, doc):
        self.threads.append(threading.current_thread().name)

    def close(self):
        self.closed = True


class Rig:
    def __init__(self):
        self.present = True
        self.opened: list[FakePrinter] = []
        self.events: list[object] = []
        registry = BackendRegistry()
        registry.register(Backend("printer", "fake", self.enumerate, self.open))
        config = Config({"printer_backend": "file", "idcard_backend": "none", "qr_backend": "none"})
        self.manager = DeviceManager(config, registry, self.events.append)
        self.manager.backend_for = lambda family: registry.get(family, "fake")

    def enumerate(self, config):
        return [DeviceInfo("printer", "fake", "/dev/usb/lp0", "fake printer")] if self.present else []

    def open(self, info, config):
        self.opened.append(FakePrinter())
        return self.opened[-1]


def test_device_io_runs_on_its_own_thread():
    rig = Rig()
    rig.manager.device("printer").print_receipt(None)
    assert rig.opened[0].threads[0].startswith("dev-printer")
    rig.manager.close()


def test_hot_plug_is_detected_and_reopened():
    rig = Rig()
    rig.manager.check()
    assert rig.manager.health()["printer"].state == HealthState.OK
    rig.present = False
    rig.manager.check()
    assert rig.opened[0].closed
    assert rig.manager.health()["printer"] == Health(HealthState.ABSENT, "unplugged")
    with pytest.raises(DeviceError) as err:
        rig.manager.device("printer").print_receipt(None)
    assert err.value.reason == Fault.PRINTER_ABSENT
    rig.present = True
    rig.manager.check()
    rig.manager.device("printer").print_receipt(None)
    assert len(rig.opened) == 2 and rig.opened[1].threads
    changes = [e for e in rig.events if isinstance(e, DevicesChanged)]
    assert [bool(c.added) for c in changes] == [True, False, True]
    rig.manager.close()


def test_health_changes_are_published_once():
    rig = Rig()
    rig.manager.check()
    rig.manager.check()
    rig.opened[0].state = Health(HealthState.ERROR, "paper out")
    rig.manager.check()
    health = [e.health.state for e in rig.events if isinstance(e, DeviceHealthChanged)]
    assert health == [HealthState.OK, HealthState.ERROR]
    rig.manager.close()


def test_open_failure_reads_as_absent_and_is_retried():
    rig = Rig()
    attempts = []

    def failing_open(info, config):
        attempts.append(1)
        raise OSError("permission denied")

    rig.manager.registry.register(Backend("printer", "fake", rig.enumerate, failing_open))
    device = rig.manager.device("printer")
    assert isinstance(device, AbsentDevice)
    assert rig.manager.health()["printer"].state == HealthState.ERROR
    rig.manager.device("printer")
    assert len(attempts) == 2


def test_broken_enumerator_does_not_hide_other_families():
    rig = Rig()
    rig.manager.registry.register(Backend("qr", "fake", lambda c: 1 / 0, lambda i, c: None))
    assert [i.family for i in rig.manager.scan()] == ["printer"]


def test_health_probe_skips_a_busy_device():
    rig = Rig()
    release = threading.Event()
    device = rig.manager.device("printer")
    rig.opened[0].print_receipt = lambda doc: release.wait(10)
    worker = threading.Thread(target=device.print_receipt, args=(None,))
    worker.start()
    try:
        rig.opened[0].state = Health(HealthState.ERROR, "would block")
        finished = threading.Event()
        threading.Thread(target=lambda: (rig.manager.check(), finished.set())).start()
        assert finished.wait(3), "a health check queued behind a 10 s read"
    finally:
        release.set()
        worker.join()
        rig.manager.close()


def test_simulated_devices_unplug_and_plug_through_the_real_scan(tmp_path):
    devices = build_devices(Config({"sim_demo_qr": True}), tmp_path)
    try:
        devices.sims.unplug("qr")
        devices.manager.check()
        with pytest.raises(DeviceError) as err:
            devices.qr.scan(0.5)
        assert err.value.reason == Fault.READER_ABSENT
        devices.sims.plug("qr")
        devices.manager.check()
        assert devices.qr.scan(3.0).startswith("ZLB1.")
        health = devices.manager.health()
        assert health["qr"].state == HealthState.OK and health["smartcard"].state == HealthState.ABSENT
    finally:
        devices.close()
