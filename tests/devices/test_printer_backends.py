"""Printer backends as the device manager uses them: quick enumeration, open on demand, health through scans."""
import pytest

from devices.base import DeviceError, Fault, HealthState, ReceiptDoc
from devices.manager import Backend, BackendRegistry, DeviceHealthChanged, DeviceManager
from devices.printer.backends import (BACKENDS, PrinterSettings, enumerate_file, enumerate_network,
                                      enumerate_serial, enumerate_sim, open_configured, open_file, open_network,
                                      open_serial, open_sim, split_host_port)
from devices.printer.printer import EscposPrinter
from devices.printer.sim import SimPrinter
from devices.printer.simulator import Link, PrinterSimulator
from devices.printer.transports import FileTransport, NetworkTransport, SerialTransport
from devices.printer.usb import UsbTransport
from kiosk.config import Config

pytestmark = pytest.mark.timeout(30)

DOC = ReceiptDoc(title="回执", lines=(("回执号", "DH001-20261128-0011"),))
NO_OTHER_DEVICES = {"idcard_backend": "none", "smartcard_backend": "none", "qr_backend": "none"}


@pytest.fixture
def sim(tmp_path):
    simulator = PrinterSimulator(tmp_path / "receipts", 80)
    simulator.serve_tcp()
    yield simulator
    simulator.close()


def test_settings_default_when_config_does_not_declare_them():
    assert PrinterSettings.from_config(Config()) == PrinterSettings(width_mm=80)
    s = PrinterSettings.from_config({"printer_host": "10.0.0.9", "printer_tcp_port": 9101,
                                     "printer_width_mm": 58, "printer_status_query": False})
    assert (s.host, s.tcp_port, s.width_mm, s.status_query, s.timeout_s) == ("10.0.0.9", 9101, 58, False, 2.0)


@pytest.mark.parametrize("path, expected", [
    ("10.0.0.9:9100", ("10.0.0.9", 9100)), ("printer.lan", ("printer.lan", 9100)),
    ("[fe80::1]:9101", ("fe80::1", 9101)), ("fe80::1", ("fe80::1", 9100)),
])
def test_split_host_port(path, expected):
    assert split_host_port(path) == expected


def test_network_backend(sim):
    assert enumerate_network({}) == []
    config = {"printer_host": sim.address[0], "printer_tcp_port": sim.address[1], "printer_timeout_s": 0.5}
    (info,) = enumerate_network(config)
    assert (info.family, info.backend, info.path) == ("printer", "network", f"127.0.0.1:{sim.address[1]}")
    printer = open_network(info, config)
    printer.print_receipt(DOC)
    sim.wait_idle()
    assert [p.name for p in sim.jobs] == ["DH001-20261128-0011.bin"]


def test_serial_backend(tmp_path):
    simulator = PrinterSimulator(tmp_path, 58)
    try:
        port = simulator.serve_pty()
        assert enumerate_serial({"printer_port": str(tmp_path / "ttyNONE")}) == []
        assert enumerate_serial({"printer_port": "socket://127.0.0.1:9"})[0].path == "socket://127.0.0.1:9"
        config = {"printer_port": port, "printer_baudrate": 115200, "printer_width_mm": 58, "printer_timeout_s": 0.5}
        (info,) = enumerate_serial(config)
        open_serial(info, config).print_receipt(DOC)
        simulator.wait_idle()
        assert len(simulator.jobs) == 1
    finally:
        simulator.close()


def test_file_and_sim_backends(tmp_path):
    (info,) = enumerate_file({}, tmp_path / "files")
    open_file(info, {"printer_width_mm": 58}).print_receipt(DOC)
    assert [p.name for p in (tmp_path / "files").iterdir()] == ["DH001-20261128-0011.bin"]
    (info,) = enumerate_sim(Config(), tmp_path / "sim")
    assert info.simulated
    printer = open_sim(info, Config())
    try:
        printer.print_receipt(DOC)
        assert sorted(p.name for p in (tmp_path / "sim").iterdir()) == ["DH001-20261128-0011.bin",
                                                                        "DH001-20261128-0011.png"]
    finally:
        printer.close()


@pytest.mark.parametrize("backend, transport", [("file", FileTransport), ("network", NetworkTransport),
                                                ("serial", SerialTransport), ("usb", UsbTransport)])
def test_open_configured_builds_each_backend(tmp_path, backend, transport):
    printer, handle = open_configured({"printer_backend": backend}, tmp_path)
    assert isinstance(printer, EscposPrinter) and isinstance(printer.transport, transport) and handle is None
    if backend != "file":     # nothing configured or plugged in: absent, at once
        with pytest.raises(DeviceError) as err:
            printer.print_receipt(DOC)
        assert err.value.reason is Fault.PRINTER_ABSENT


def test_open_configured_sim_and_unknown(tmp_path):
    printer, handle = open_configured(Config(), tmp_path)
    try:
        assert isinstance(printer, SimPrinter) and handle is printer
    finally:
        printer.close()
    with pytest.raises(ValueError):
        open_configured({"printer_backend": "bluetooth"}, tmp_path)


def test_device_manager_opens_and_watches_a_network_printer(sim):
    registry = BackendRegistry()
    for name, (enumerate_, open_) in BACKENDS.items():
        if name in ("network", "serial", "usb"):
            registry.register(Backend("printer", name, enumerate_, open_))
    events = []
    config = NO_OTHER_DEVICES | {"printer_backend": "network", "printer_host": "127.0.0.1",
                                 "printer_tcp_port": sim.address[1], "printer_timeout_s": 0.5}
    manager = DeviceManager(config, registry, events.append)
    try:
        manager.device("printer").print_receipt(DOC)
        assert manager.health()["printer"].state is HealthState.OK
        sim.set_link(Link.DOWN)
        manager.check()
        assert manager.health()["printer"].state is HealthState.ABSENT
        with pytest.raises(DeviceError) as err:
            manager.device("printer").print_receipt(DOC)
        assert err.value.reason is Fault.PRINTER_ABSENT
        sim.set_link(Link.UP)
        manager.check()
        assert manager.health()["printer"].state is HealthState.OK
        states = [e.health.state for e in events if isinstance(e, DeviceHealthChanged)]
        assert states == [HealthState.OK, HealthState.ABSENT, HealthState.OK]
    finally:
        manager.close()
    sim.wait_idle()
    assert len(sim.jobs) == 1
