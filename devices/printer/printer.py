"""An ESC/POS receipt printer over any transport: lay out, encode, send the whole job or raise DeviceError."""
from __future__ import annotations

import re
from datetime import datetime
from typing import Callable

from devices.base import DeviceError, Fault, Health, HealthState, ReceiptDoc
from devices.printer.escpos_doc import PAPERS, Block, Paper, encode, layout
from devices.printer.transports import FileTransport

_RECEIPT_NO = re.compile(r"\b[A-Z0-9]{2,12}-\d{8}-\d{4}\b")   # kiosk.ids.receipt_number()


def job_name(doc: ReceiptDoc, now: datetime) -> str:
    """The receipt number if the receipt shows one, else a timestamp."""
    for text in [value for _, value in doc.lines] + [doc.qr_payload]:
        match = _RECEIPT_NO.search(text)
        if match:
            return match.group(0)
    return now.strftime("%Y%m%d-%H%M%S-%f")


def paper_for(width_mm: int) -> Paper:
    if width_mm not in PAPERS:
        raise ValueError(f"unsupported paper width {width_mm} mm")
    return PAPERS[width_mm]


def prepare(doc: ReceiptDoc, paper: Paper) -> tuple[tuple[Block, ...], bytes]:
    try:
        blocks = layout(doc, paper)
        return blocks, encode(blocks)
    except ValueError as exc:    # e.g. a QR payload too long for the paper
        raise DeviceError(Fault.PRINTER_ERROR, f"layout: {exc}") from None


class EscposPrinter:
    """The `file` backend: real ESC/POS bytes into `<dir>/<receipt-no>.bin`."""
    name = "printer-file"

    def __init__(self, transport: FileTransport, width_mm: int = 80,
                 clock: Callable[[], datetime] = datetime.now):
        self.transport = transport
        self.paper = paper_for(width_mm)
        self._clock = clock
        self.last_job: str | None = None

    def health(self) -> Health:
        return Health(HealthState.OK) if self.transport.is_usable() else Health(HealthState.ABSENT, "not writable")

    def print_receipt(self, doc: ReceiptDoc) -> None:
        _, data = prepare(doc, self.paper)
        stem = self.transport.free_stem(job_name(doc, self._clock()))
        try:
            self.transport.send(data, stem)
        except OSError as exc:
            raise DeviceError(Fault.PRINTER_ABSENT, f"{self.transport.name}: {type(exc).__name__}") from None
        self.last_job = stem


