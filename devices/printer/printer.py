"""An ESC/POS receipt printer over any transport: check status, send the whole job, check again.

Before a single byte of the receipt goes out the printer is asked for its real-time status (DLE EOT 1-4):
paper out, cover open or an error refuse the job with that fault. After the job the status is asked again,
which also proves the link survived the job (TCP accepts bytes into buffers long after the printer went
away). A real printer answers DLE EOT at once, even while it is still printing, so the second check catches a
roll that ran out before the job was through the buffer, not one that runs out a moment later. Transports that
cannot read (file) give an unknown status and the job proceeds. Any link failure or silence is PRINTER_ABSENT,
bounded by the transport's timeouts; the receipt then stays owed to the resident.
"""
from __future__ import annotations

import logging
import re
import threading
import time
from datetime import datetime
from typing import Callable, Iterable

from devices.base import DeviceError, Fault, Health, HealthState, ReceiptDoc
from devices.printer.escpos_doc import PAPERS, Block, Paper, encode, layout
from devices.printer.status import QUERIES, PaperLevel, PrinterStatus, StatusError, is_reply, parse_replies, query
from devices.printer.transports import Transport

log = logging.getLogger(__name__)

_RECEIPT_NO = re.compile(r"\b[A-Z0-9]{2,12}-\d{8}-\d{4}\b")   # kiosk.ids.receipt_number()


def job_name_from(texts: Iterable[str], now: datetime) -> str:
    """The first receipt number among `texts`, else a timestamp."""
    for text in texts:
        match = _RECEIPT_NO.search(text)
        if match:
            return match.group(0)
    return now.strftime("%Y%m%d-%H%M%S-%f")


def job_name(doc: ReceiptDoc, now: datetime) -> str:
    return job_name_from([value for _, value in doc.lines] + [doc.qr_payload], now)


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


def read_status(link: Transport, timeout: float) -> PrinterStatus:
    """Ask DLE EOT 1-4 one at a time; each answer must come within `timeout` (TimeoutError otherwise)."""
    link.read(4096, 0)                        # stale bytes (a late answer, ASB frames) must not count
    replies: dict[int, int] = {}
    for n in QUERIES:
        link.write(query(n))
        replies[n] = _await_reply(link, timeout)
    return parse_replies(replies)


def _await_reply(link: Transport, timeout: float) -> int:
    deadline = time.monotonic() + timeout
    while (left := deadline - time.monotonic()) > 0:
        data = link.read(1, left)
        if data and is_reply(data[0]):        # anything else (ASB frames, XON/XOFF, noise) is skipped
            return data[0]
    raise TimeoutError("no answer to DLE EOT")


def health_of(status: PrinterStatus) -> Health:
    return Health(HealthState.ERROR if status.fault() else HealthState.OK, status.reason() if status.known else "")


class EscposPrinter:
    def __init__(self, transport: Transport, width_mm: int = 80, query_status: bool = True,
                 timeout: float = 2.0, clock: Callable[[], datetime] = datetime.now):
        self.transport = transport
        self.name = f"printer-{transport.name}"
        self.paper = paper_for(width_mm)
        self.query_status = query_status and transport.can_read
        self.timeout = timeout                # for each status answer; the transport bounds connect and writes
        self._clock = clock
        self._lock = threading.Lock()         # one conversation at a time on the wire
        self.last_job: str | None = None
        self.last_status = PrinterStatus.unknown()

    # --- ReceiptPrinter -------------------------------------------------------------------------------------
    def health(self) -> Health:
        if not self.transport.is_usable():
            return Health(HealthState.ABSENT, "not configured or not writable")
        if not self.query_status:
            return Health(HealthState.OK)
        if not self._lock.acquire(timeout=0):
            return Health(HealthState.OK, "busy printing")
        try:
            with self._session(""):
                return health_of(self._status())
        except DeviceError as exc:
            state = HealthState.ABSENT if exc.reason is Fault.PRINTER_ABSENT else HealthState.ERROR
            return Health(state, exc.detail)
        finally:
            self._lock.release()

    def status(self) -> PrinterStatus:
        """The printer's real-time status now (unknown where it cannot tell); DeviceError if it is absent."""
        if not self.query_status:
            return PrinterStatus.unknown()
        with self._lock, self._session(""):
            return self._status()

    def print_receipt(self, doc: ReceiptDoc) -> None:
        _, data = prepare(doc, self.paper)
        job = job_name(doc, self._clock())
        with self._lock, self._session(job):
            self._refuse_unless_ready(self._status(), "before printing")
            self.transport.write(data)
            self._refuse_unless_ready(self._status(), "after printing")   # e.g. the roll ran out mid-receipt
        self.last_job = getattr(self.transport, "last_stem", None) or job
        log.info("printed receipt job (%d bytes, %s)", len(data), self.transport.name)

    def close(self) -> None:
        self.transport.close()

    # --- steps ----------------------------------------------------------------------------------------------
    def _session(self, job: str) -> "_Session":
        return _Session(self.transport, job)

    def _status(self) -> PrinterStatus:
        if not self.query_status:
            return PrinterStatus.unknown()
        try:
            status = read_status(self.transport, self.timeout)
        except StatusError as exc:
            raise DeviceError(Fault.PRINTER_ERROR, f"status: {exc}") from None
        if status.paper is PaperLevel.NEAR_END and self.last_status.paper is not PaperLevel.NEAR_END:
            log.warning("receipt paper near its end")     # once per roll, not on every health poll
        self.last_status = status
        return status

    @staticmethod
    def _refuse_unless_ready(status: PrinterStatus, when: str) -> None:
        fault = status.fault()
        if fault is not None:
            raise DeviceError(fault, f"{status.reason()} {when}")


class _Session:
    """Open the transport for one conversation and always close it; link failures become PRINTER_ABSENT."""

    def __init__(self, transport: Transport, job: str):
        self.transport, self.job = transport, job

    def __enter__(self) -> "_Session":
        try:
            self.transport.open(self.job)
        except OSError as exc:
            raise self._absent("open", exc) from None
        return self

    def __exit__(self, kind, exc, tb) -> bool:
        try:
            self.transport.close()
        except OSError as close_exc:
            if kind is None:
                raise self._absent("close", close_exc) from None
        if kind is not None and issubclass(kind, OSError):
            raise self._absent("I/O", exc) from None
        return False

    def _absent(self, step: str, exc: OSError) -> DeviceError:
        # OS messages name errno and at most a device path: no receipt content reaches the detail
        return DeviceError(Fault.PRINTER_ABSENT, f"{self.transport.name} {step}: {type(exc).__name__}: {exc}"[:160])
