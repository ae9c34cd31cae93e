"""The kiosk's simulated receipt printer: the real ESC/POS driver over a real wire to the printer simulator.

By default the driver talks raw TCP to the simulator on 127.0.0.1 (as to a network printer on port 9100);
`link="serial"` uses pyserial on a pty instead. Every receipt therefore goes through layout, encoding, the
status checks and a transport; the simulator writes `<dir>/<job>.bin` (the bytes it received) and a PNG preview
drawn from what it decoded. Faults are set on the simulator and seen by the driver through DLE EOT.
"""
from __future__ import annotations

from datetime import datetime
from enum import Enum
from pathlib import Path
from typing import Callable

from devices.base import Health, ReceiptDoc
from devices.printer.printer import EscposPrinter
from devices.printer.simulator import Link, PrinterSimulator
from devices.printer.status import PaperLevel
from devices.printer.transports import NetworkTransport, SerialTransport, Transport


class PrinterFault(str, Enum):
    PAPER_OUT = "paper_out"
    COVER_OPEN = "cover_open"
    OFFLINE = "offline"          # unplugged / powered off: connections are reset


class SimPrinter:
    name = "printer-sim"

    def __init__(self, directory: Path, width_mm: int = 80, preview: bool = True,
                 clock: Callable[[], datetime] = datetime.now, link: str = "network", timeout: float = 2.0):
        self.simulator = PrinterSimulator(directory, width_mm, preview=preview, clock=clock)
        try:
            self.driver = EscposPrinter(self._transport(link, timeout), width_mm, timeout=timeout, clock=clock)
        except BaseException:
            self.simulator.close()
            raise
        self.paper = self.driver.paper
        self.fault: PrinterFault | None = None

    def _transport(self, link: str, timeout: float) -> Transport:
        if link == "network":
            host, port = self.simulator.serve_tcp()
            return NetworkTransport(host, port, timeout)
        if link == "serial":
            return SerialTransport(self.simulator.serve_pty(), 115200, timeout)
        raise ValueError(f"unknown simulator link {link!r}")

    @property
    def printed(self) -> list[Path]:
        """.bin files of completed jobs, oldest first."""
        return list(self.simulator.jobs)

    def set_fault(self, fault: PrinterFault | str | None) -> None:
        fault = PrinterFault(fault) if fault else None
        self.simulator.reset()
        if fault is PrinterFault.PAPER_OUT:
            self.simulator.set_paper(PaperLevel.OUT)
        elif fault is PrinterFault.COVER_OPEN:
            self.simulator.set_cover_open(True)
        elif fault is PrinterFault.OFFLINE:
            self.simulator.set_link(Link.DOWN)
        self.fault = fault

    def health(self) -> Health:
        return self.driver.health()

    def print_receipt(self, doc: ReceiptDoc) -> None:
        try:
            self.driver.print_receipt(doc)
        finally:
            self.simulator.wait_idle()       # the paper is out of the slot (files written) before we return

    def close(self) -> None:
        self.driver.close()
        self.simulator.close()
