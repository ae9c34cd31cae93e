"""Device interfaces, typed device records and the fault vocabulary.

Every backend (real driver or simulator) implements one of these protocols. Errors carry a `reason` code
from `Fault` so that the UI can show a translated message and a next step; device code never writes
user-facing text itself.
"""
from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Protocol, runtime_checkable

from kiosk.records import Identity


class Fault(str, Enum):
    NO_CARD = "no_card"                 # nothing presented before the timeout
    CARD_REMOVED = "card_removed"       # pulled mid-read
    CARD_UNREADABLE = "card_unreadable" # corrupt/truncated frames after retries, bad check digit
    CARD_UNSUPPORTED = "card_unsupported"
    READER_ABSENT = "reader_absent"     # unplugged / port gone / silent
    QR_TIMEOUT = "qr_timeout"
    QR_INVALID = "qr_invalid"           # not a 浙里办 / e-licence code, or tampered
    QR_EXPIRED = "qr_expired"
    PRINTER_ABSENT = "printer_absent"
    PAPER_OUT = "paper_out"
    COVER_OPEN = "cover_open"
    PRINTER_ERROR = "printer_error"


class DeviceError(Exception):
    def __init__(self, reason: Fault, detail: str = ""):
        super().__init__(f"{reason.value}: {detail}" if detail else reason.value)
        self.reason = reason
        self.detail = detail   # technician-facing; must not contain personal data


class HealthState(str, Enum):
    OK = "ok"
    ABSENT = "absent"
    ERROR = "error"


@dataclass(frozen=True)
class Health:
    state: HealthState
    reason: str = ""


@dataclass(frozen=True)
class ReceiptDoc:
    """A receipt as content; printers lay it out for their paper width."""
    title: str
    lines: tuple[tuple[str, str], ...]     # (label, value) rows
    qr_payload: str = ""
    qr_caption: str = ""
    footer: tuple[str, ...] = ()


@runtime_checkable
class IdCardReader(Protocol):
    name: str

    def health(self) -> Health: ...

    def read_identity(self, timeout: float) -> Identity:
        """Block until a card is read (raises DeviceError: NO_CARD, CARD_REMOVED, CARD_UNREADABLE, ...)."""

    def cancel(self) -> None:
        """Make a blocking read return now with DeviceError(NO_CARD, "cancelled"); harmless when idle."""


@dataclass(frozen=True)
class SocialSecurityCard:
    """What the kiosk reads from a social security card (社会保障卡) over PC/SC. Personal data: wipe after use."""
    card_number: str
    name: str
    id_number: str
    issuer: str = ""           # issuing region code, e.g. 330900 for Zhoushan
    card_type: str = "sscard"  # or "staff" for agents' and technicians' staff cards


@runtime_checkable
class SmartCardReader(Protocol):
    name: str

    def health(self) -> Health: ...

    def read_card(self, timeout: float) -> SocialSecurityCard:
        """Block until a card is inserted and read (raises DeviceError NO_CARD, CARD_REMOVED, CARD_UNREADABLE,
        CARD_UNSUPPORTED, READER_ABSENT)."""


@runtime_checkable
class QrScanner(Protocol):
    name: str

    def health(self) -> Health: ...

    def scan(self, timeout: float) -> str:
        """Block until a code is seen and return its raw text (raises DeviceError QR_TIMEOUT, READER_ABSENT)."""


@runtime_checkable
class ReceiptPrinter(Protocol):
    name: str

    def health(self) -> Health: ...

    def print_receipt(self, doc: ReceiptDoc) -> None:
        """Print the whole receipt or raise DeviceError (PAPER_OUT, COVER_OPEN, PRINTER_ABSENT, ...)."""
