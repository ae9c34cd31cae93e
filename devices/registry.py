"""Builds the kiosk's devices from config, choosing each backend by name.

Simulators sit behind the same interfaces and, for the ID card, behind the same serial driver as hardware:
`idcard_backend = "sim"` starts a pty simulator and points the real driver at its slave end.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from devices.base import IdCardReader, QrScanner, ReceiptPrinter
from devices.idcard.reader import SerialIdCardReader
from devices.idcard.simulator import IdCardSimulator
from devices.printer.printer import EscposPrinter
from devices.printer.sim import SimPrinter
from devices.printer.transports import FileTransport
from devices.qr_sim import SimQrScanner
from kiosk.config import Config


@dataclass(frozen=True)
class SimHandles:
    """Controls of the simulated devices (None where real hardware is configured)."""
    idcard: IdCardSimulator | None = None
    qr: SimQrScanner | None = None
    printer: SimPrinter | None = None


@dataclass(frozen=True)
class Devices:
    idcard: IdCardReader
    qr: QrScanner
    printer: ReceiptPrinter
    sims: SimHandles

    def close(self) -> None:
        for device in (self.idcard, self.qr, self.printer, self.sims.idcard):
            close = getattr(device, "close", None)
            if close is not None:
                close()


def _idcard(config: Config) -> tuple[IdCardReader, IdCardSimulator | None]:
    backend = config["idcard_backend"]
    if backend == "sim":
        sim = IdCardSimulator(demo=config["sim_demo_card"], baud=115200)   # paced like a real line
        return SerialIdCardReader(sim.port), sim
    if backend == "serial":
        return SerialIdCardReader(config["idcard_port"]), None   # an empty or missing port reads as READER_ABSENT
    raise ValueError(f"unknown idcard_backend {backend!r}")


def _qr(config: Config) -> SimQrScanner:
    backend = config["qr_backend"]
    if backend == "sim":
        return SimQrScanner(demo=config["sim_demo_qr"])
    raise ValueError(f"unknown qr_backend {backend!r}")


def _printer(config: Config, receipts: Path) -> tuple[ReceiptPrinter, SimPrinter | None]:
    backend, width = config["printer_backend"], config["printer_width_mm"]
    if backend == "sim":
        sim = SimPrinter(receipts, width)
        return sim, sim
    if backend == "file":
        return EscposPrinter(FileTransport(receipts), width), None
    raise ValueError(f"unknown printer_backend {backend!r}")


def build_devices(config: Config, data_dir: Path) -> Devices:
    receipts = Path(data_dir) / "receipts"
    idcard, idcard_sim = _idcard(config)
    try:
        qr = _qr(config)
        printer, printer_sim = _printer(config, receipts)
    except Exception:
        if idcard_sim is not None:
            idcard_sim.close()
        raise
    qr_sim = qr if isinstance(qr, SimQrScanner) else None
    return Devices(idcard, qr, printer, SimHandles(idcard_sim, qr_sim, printer_sim))
