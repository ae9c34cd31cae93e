"""Printer backends for the device manager: `enumerate_<name>(config) -> list[DeviceInfo]` (quick, no printer
I/O: reachability is health()'s business) and `open_<name>(info, config)` returning a ReceiptPrinter.

Settings are read with defaults (`PrinterSettings.from_config`), so a config that does not declare a printer
setting yet still works. `sim` and `file` need the receipts directory, which config does not hold: bind it with
functools.partial (`partial(enumerate_sim, directory=data_dir / "receipts")`).
"""
from __future__ import annotations

import os
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from devices.base import ReceiptPrinter
from devices.manager import DeviceInfo
from devices.printer.printer import EscposPrinter
from devices.printer.sim import SimPrinter
from devices.printer.transports import FileTransport, NetworkTransport, SerialTransport
from devices.printer.usb import SYSFS_USB, USBLP_DIR, UsbTransport, scan_usb_printers

FAMILY = "printer"


@dataclass(frozen=True)
class PrinterSettings:
    """Config keys are these names prefixed with `printer_` (printer_host, printer_tcp_port, ...)."""
    width_mm: int = 80
    host: str = ""
    tcp_port: int = 9100
    port: str = ""
    baudrate: int = 9600
    flow_control: str = "none"
    usb_id: str = ""
    status_query: bool = True
    timeout_s: float = 2.0

    @classmethod
    def from_config(cls, config: Any) -> "PrinterSettings":
        values = {}
        for field in fields(cls):
            try:
                values[field.name] = config[f"printer_{field.name}"]
            except KeyError:
                pass
        return cls(**values)


def _driver(transport: Any, s: PrinterSettings) -> EscposPrinter:
    return EscposPrinter(transport, s.width_mm, query_status=s.status_query, timeout=s.timeout_s)


# --- network (raw TCP 9100) ---------------------------------------------------------------------------------
def enumerate_network(config: Any) -> list[DeviceInfo]:
    s = PrinterSettings.from_config(config)
    if not s.host:
        return []
    return [DeviceInfo(FAMILY, "network", f"{s.host}:{s.tcp_port}", f"network printer {s.host}:{s.tcp_port}")]


def split_host_port(path: str, default_port: int = 9100) -> tuple[str, int]:
    host, sep, port = path.rpartition(":")
    if not sep or not port.isdigit() or (host.count(":") and not host.endswith("]")):
        return path.strip("[]"), default_port        # no port, or a bare IPv6 address
    return host.strip("[]"), int(port)


def open_network(info: DeviceInfo, config: Any) -> ReceiptPrinter:
    s = PrinterSettings.from_config(config)
    host, port = split_host_port(info.path, s.tcp_port)
    return _driver(NetworkTransport(host, port, s.timeout_s), s)


# --- serial -------------------------------------------------------------------------------------------------
def enumerate_serial(config: Any) -> list[DeviceInfo]:
    s = PrinterSettings.from_config(config)
    if not s.port or ("://" not in s.port and not os.path.exists(s.port)):
        return []
    return [DeviceInfo(FAMILY, "serial", s.port, f"serial printer {s.port} {s.baudrate} baud")]


def open_serial(info: DeviceInfo, config: Any) -> ReceiptPrinter:
    s = PrinterSettings.from_config(config)
    return _driver(SerialTransport(info.path, s.baudrate, s.timeout_s, s.flow_control), s)


# --- USB ----------------------------------------------------------------------------------------------------
def enumerate_usb(config: Any, root: Path = SYSFS_USB, dev: Path = USBLP_DIR) -> list[DeviceInfo]:
    s = PrinterSettings.from_config(config)
    try:
        printers = scan_usb_printers(s.usb_id, root, dev)
    except ValueError:                  # a malformed printer_usb_id finds nothing rather than breaking scans
        return []
    return [DeviceInfo(FAMILY, "usb", f"usb:{p.sysname}", p.label) for p in printers]


def open_usb(info: DeviceInfo, config: Any, root: Path = SYSFS_USB, dev: Path = USBLP_DIR) -> ReceiptPrinter:
    s = PrinterSettings.from_config(config)
    return _driver(UsbTransport(s.usb_id, info.path.removeprefix("usb:"), s.timeout_s, root, dev), s)


# --- file and simulator (need the receipts directory) -------------------------------------------------------
def enumerate_file(config: Any, directory: Path) -> list[DeviceInfo]:
    return [DeviceInfo(FAMILY, "file", str(directory), "receipt files")]


def open_file(info: DeviceInfo, config: Any) -> ReceiptPrinter:
    s = PrinterSettings.from_config(config)
    return EscposPrinter(FileTransport(Path(info.path)), s.width_mm)


def enumerate_sim(config: Any, directory: Path) -> list[DeviceInfo]:
    return [DeviceInfo(FAMILY, "sim", str(directory), "simulated network printer", simulated=True)]


def open_sim(info: DeviceInfo, config: Any) -> SimPrinter:
    s = PrinterSettings.from_config(config)
    return SimPrinter(Path(info.path), s.width_mm, timeout=s.timeout_s)


BACKENDS = {
    "network": (enumerate_network, open_network),
    "serial": (enumerate_serial, open_serial),
    "usb": (enumerate_usb, open_usb),
    "file": (enumerate_file, open_file),
    "sim": (enumerate_sim, open_sim),
}


def open_configured(config: Any, receipts: Path) -> tuple[ReceiptPrinter, SimPrinter | None]:
    """For devices/registry.py: the configured printer, built now, and the simulator handle if it is one.
    A wire printer that is not there yet is still returned: it opens per job and reports PRINTER_ABSENT."""
    s = PrinterSettings.from_config(config)
    backend = config["printer_backend"]
    if backend == "sim":
        sim = SimPrinter(receipts, s.width_mm, timeout=s.timeout_s)
        return sim, sim
    if backend == "file":
        return EscposPrinter(FileTransport(receipts), s.width_mm), None
    if backend == "network":
        return _driver(NetworkTransport(s.host, s.tcp_port, s.timeout_s), s), None
    if backend == "serial":
        return _driver(SerialTransport(s.port, s.baudrate, s.timeout_s, s.flow_control), s), None
    if backend == "usb":
        return _driver(UsbTransport(s.usb_id, "", s.timeout_s), s), None
    raise ValueError(f"unknown printer_backend {backend!r}")
