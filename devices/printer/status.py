"""Real-time printer status: DLE EOT n replies and Automatic Status Back (GS a) frames as a typed record.

Bit meanings follow the ESC/POS command reference. Every DLE EOT reply has bits 1 and 4 set and bits 0 and 7
clear, which is how a reply is told apart from noise or from an ASB frame (whose bytes all have bit 1 clear
in the first byte and bit 4 clear in the others). Pure functions: no I/O here.
"""
from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from devices.base import Fault

DLE, EOT = 0x10, 0x04
PRINTER, OFFLINE_CAUSE, ERROR_CAUSE, PAPER_SENSOR = 1, 2, 3, 4
QUERIES = (PRINTER, OFFLINE_CAUSE, ERROR_CAUSE, PAPER_SENSOR)
_REPLY_FIXED_MASK, _REPLY_FIXED = 0x93, 0x12
_ASB_FIXED_MASK, _ASB_FIXED = 0x93, 0x10


class StatusError(ValueError):
    """A byte that cannot be a status reply."""


class PaperLevel(str, Enum):
    OK = "ok"
    NEAR_END = "near_end"
    OUT = "out"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class PrinterStatus:
    known: bool = True               # False: the transport cannot read (file) or queries are turned off
    online: bool = True
    cover_open: bool = False
    paper: PaperLevel = PaperLevel.OK
    paper_stopped: bool = False      # printing stopped because the paper ran out
    feed_button: bool = False        # paper being fed by the button: offline for a moment
    waiting_recovery: bool = False
    error: bool = False              # "error occurred" (offline cause)
    recoverable_error: bool = False  # mechanical error, e.g. head up
    cutter_error: bool = False
    unrecoverable_error: bool = False
    auto_recoverable_error: bool = False   # e.g. head too hot

    @classmethod
    def unknown(cls) -> "PrinterStatus":
        return cls(known=False, paper=PaperLevel.UNKNOWN)

    @property
    def has_error(self) -> bool:
        return (self.error or self.recoverable_error or self.cutter_error or self.unrecoverable_error
                or self.auto_recoverable_error)

    def fault(self) -> Fault | None:
        """Why a receipt cannot be printed now, if it cannot. A cover opened over an empty roll reads as cover
        open first: the paper sensor often sits in the cover, and staff must close it either way."""
        if not self.known:
            return None
        if self.cover_open:
            return Fault.COVER_OPEN
        if self.paper is PaperLevel.OUT or self.paper_stopped:
            return Fault.PAPER_OUT
        if self.has_error or not self.online:
            return Fault.PRINTER_ERROR
        return None

    def reason(self) -> str:
        """Short technician-facing code for health reports."""
        if not self.known:
            return "status unknown"
        if self.cover_open or self.paper is PaperLevel.OUT or self.paper_stopped:
            return self.fault().value
        if self.cutter_error:
            return "cutter_error"
        if self.has_error:
            return "printer_error"
        if not self.online:
            return "offline"
        return "paper_near_end" if self.paper is PaperLevel.NEAR_END else ""


def query(n: int) -> bytes:
    """DLE EOT n: transmit real-time status n."""
    return bytes((DLE, EOT, n))


def is_reply(byte: int) -> bool:
    return byte & _REPLY_FIXED_MASK == _REPLY_FIXED


def _bit(byte: int, mask: int) -> bool:
    return bool(byte & mask)


def _paper_from_sensor(byte: int) -> PaperLevel:
    if byte & 0x60:
        return PaperLevel.OUT
    return PaperLevel.NEAR_END if byte & 0x0C else PaperLevel.OK


def parse_replies(replies: dict[int, int]) -> PrinterStatus:
    """The record for the replies to DLE EOT 1-4 (a missing query leaves its fields at their defaults)."""
    for n, byte in replies.items():
        if n not in QUERIES or not 0 <= byte <= 0xFF or not is_reply(byte):
            raise StatusError(f"not a DLE EOT {n} reply: {byte!r}")
    p, o, e = replies.get(PRINTER, 0x12), replies.get(OFFLINE_CAUSE, 0x12), replies.get(ERROR_CAUSE, 0x12)
    paper = _paper_from_sensor(replies[PAPER_SENSOR]) if PAPER_SENSOR in replies else PaperLevel.UNKNOWN
    return PrinterStatus(
        online=not _bit(p, 0x08), waiting_recovery=_bit(p, 0x20), feed_button=_bit(p, 0x40) or _bit(o, 0x08),
        cover_open=_bit(o, 0x04), paper_stopped=_bit(o, 0x20), error=_bit(o, 0x40),
        recoverable_error=_bit(e, 0x04), cutter_error=_bit(e, 0x08), unrecoverable_error=_bit(e, 0x20),
        auto_recoverable_error=_bit(e, 0x40), paper=paper,
    )


def reply_for(n: int, status: PrinterStatus) -> int:
    """What a printer in `status` answers to DLE EOT n (used by the simulator)."""
    s = status
    if n == PRINTER:
        bits = (not s.online) * 0x08 | s.waiting_recovery * 0x20 | s.feed_button * 0x40
    elif n == OFFLINE_CAUSE:
        bits = s.cover_open * 0x04 | s.feed_button * 0x08 | s.paper_stopped * 0x20 | s.has_error * 0x40
    elif n == ERROR_CAUSE:
        bits = (s.recoverable_error * 0x04 | s.cutter_error * 0x08 | s.unrecoverable_error * 0x20
                | s.auto_recoverable_error * 0x40)
    elif n == PAPER_SENSOR:
        bits = {PaperLevel.NEAR_END: 0x0C, PaperLevel.OUT: 0x6C}.get(s.paper, 0)
    else:
        raise StatusError(f"no DLE EOT {n}")
    return _REPLY_FIXED | bits


# --- Automatic Status Back (GS a n): 4 bytes sent unasked whenever the status changes ------------------------
def asb_enable(mask: int = 0x0F) -> bytes:
    """GS a n; bits: 1 drawer, 2 online/offline, 4 error, 8 paper roll sensor (0 turns ASB off)."""
    return bytes((0x1D, 0x61, mask))


def is_asb_header(byte: int) -> bool:
    return byte & _ASB_FIXED_MASK == _ASB_FIXED


def parse_asb(frame: bytes) -> PrinterStatus:
    if len(frame) != 4 or not is_asb_header(frame[0]) or any(b & 0x90 for b in frame[1:]):
        raise StatusError(f"not an ASB frame: {frame.hex()}")
    b1, b2, b3, _ = frame
    paper = PaperLevel.OUT if b3 & 0x0C else PaperLevel.NEAR_END if b3 & 0x03 else PaperLevel.OK
    return PrinterStatus(
        online=not _bit(b1, 0x08), cover_open=_bit(b1, 0x20), feed_button=_bit(b1, 0x40) or _bit(b2, 0x02),
        waiting_recovery=_bit(b2, 0x01), recoverable_error=_bit(b2, 0x04), cutter_error=_bit(b2, 0x08),
        unrecoverable_error=_bit(b2, 0x20), auto_recoverable_error=_bit(b2, 0x40),
        paper=paper,
    )


def asb_frame(status: PrinterStatus) -> bytes:
    s = status
    b1 = _ASB_FIXED | (not s.online) * 0x08 | s.cover_open * 0x20 | s.feed_button * 0x40
    b2 = (s.waiting_recovery * 0x01 | s.recoverable_error * 0x04 | s.cutter_error * 0x08
          | s.unrecoverable_error * 0x20 | s.auto_recoverable_error * 0x40)
    b3 = {PaperLevel.NEAR_END: 0x03, PaperLevel.OUT: 0x0F}.get(s.paper, 0)
    return bytes((b1, b2, b3, 0))
