"""Simulated receipt printer: real ESC/POS bytes plus a PNG preview in `<data_dir>/receipts/`.

`<job>.bin` is written last and atomically, so its presence means the whole receipt was "printed"; a fault
(paper out, cover open, offline) raises before anything is written.
"""
from __future__ import annotations

import io
import logging
from datetime import datetime
from enum import Enum
from pathlib import Path
from typing import Callable

from devices.base import DeviceError, Fault, Health, HealthState, ReceiptDoc
from devices.printer.preview import render_preview
from devices.printer.printer import job_name, paper_for, prepare
from devices.printer.transports import FileTransport, write_atomically

log = logging.getLogger(__name__)


class PrinterFault(str, Enum):
    PAPER_OUT = "paper_out"
    COVER_OPEN = "cover_open"
    OFFLINE = "offline"


_FAULTS = {PrinterFault.PAPER_OUT: (Fault.PAPER_OUT, HealthState.ERROR),
           PrinterFault.COVER_OPEN: (Fault.COVER_OPEN, HealthState.ERROR),
           PrinterFault.OFFLINE: (Fault.PRINTER_ABSENT, HealthState.ABSENT)}


class SimPrinter:
    name = "printer-sim"

    def __init__(self, directory: Path, width_mm: int = 80, preview: bool = True,
                 clock: Callable[[], datetime] = datetime.now):
        self.transport = FileTransport(Path(directory))
        self.paper = paper_for(width_mm)
        self._preview = preview
        self._clock = clock
        self.fault: PrinterFault | None = None
        self.printed: list[Path] = []        # .bin files of completed jobs, oldest first

    def set_fault(self, fault: PrinterFault | str | None) -> None:
        self.fault = PrinterFault(fault) if fault else None

    def health(self) -> Health:
        if self.fault:
            return Health(_FAULTS[self.fault][1], self.fault.value)
        return Health(HealthState.OK) if self.transport.is_usable() else Health(HealthState.ABSENT, "not writable")

    def print_receipt(self, doc: ReceiptDoc) -> None:
        if self.fault:
            raise DeviceError(_FAULTS[self.fault][0], f"simulated {self.fault.value}")
        blocks, data = prepare(doc, self.paper)
        stem = self.transport.free_stem(job_name(doc, self._clock()))
        try:
            if self._preview:
                self.transport.directory.mkdir(parents=True, exist_ok=True)
                png = io.BytesIO()
                render_preview(blocks, self.paper).save(png, "PNG")
                write_atomically(self.transport.directory / f"{stem}.png", png.getvalue())
            self.transport.send(data, stem)      # last: the .bin marks a complete job
        except OSError as exc:
            raise DeviceError(Fault.PRINTER_ERROR, f"cannot write job: {type(exc).__name__}") from None
        self.printed.append(self.transport.directory / f"{stem}.bin")
        log.info("printed receipt job %s (%d bytes)", stem, len(data))

    def close(self) -> None:
        pass
