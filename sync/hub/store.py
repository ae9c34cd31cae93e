"""The hub's storage interface and the typed records it hands out; `open_store` picks the implementation.

Two implementations share one SQL core (`sync.hub.sql_store`): SQLite for a single district
(`sync.hub.sqlite_store`) and PostgreSQL for a city or province (`sync.hub.pg_store`). Callers only ever see
`HubStore`. Personal data lives in record payloads; nothing here logs them.
"""
from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterator, Sequence

from kiosk.ids import Clock, utc_now
from sync.hub.chat import ChatStorage   # live chat (人工咨询): its part of the interface
from sync.protocol import ItemResult

if TYPE_CHECKING:
    from sync.hub.bookings import Slot

RECORD_STATUSES = ("received", "accepted", "needs_material", "done", "rejected", "certificate_issued",
                   "at_town", "at_district",   # at_*: a certificate request forwarded to that level (routing.py)
                   "booking_confirmed", "booking_conflict")   # set on ingest (sync/hub/bookings.py)
STAFF_STATUSES = ("accepted", "needs_material", "done", "rejected")   # what staff may set by hand
BUNDLE_KINDS = ("catalog", "policies", "config", "update", "benefits", "qa")
FEED_STREAMS = ("guides", "announcements", "agent_credentials", "slots")


# --- typed records -------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class HubRecord:
    """A record from a push that passed validation."""
    id: str
    kind: str
    payload: dict[str, Any]
    attachments: tuple[str, ...] = ()


@dataclass(frozen=True)
class StoredRecord:
    seq: int
    id: str
    kind: str
    station_id: str
    payload: dict[str, Any]
    received_at: str                 # ISO 8601 UTC
    status: str = "received"
    status_note: str = ""
    updated_at: str = ""
    terminal_id: str | None = None
    attachments: tuple[str, ...] = ()


@dataclass(frozen=True)
class Terminal:
    id: str
    station_id: str
    public_key: str                  # base64url raw Ed25519
    enrolled_at: datetime
    revoked_at: datetime | None = None

    @property
    def revoked(self) -> bool:
        return self.revoked_at is not None


@dataclass(frozen=True)
class IssuedCode:
    code: str                        # shown once; only its hash is stored
    station_id: str
    expires_at: datetime


@dataclass(frozen=True)
class StatusUpdate:
    seq: int
    station_id: str
    record_id: str
    status: str
    note: str
    at: datetime
    certificate: dict[str, Any] | None = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"record_id": self.record_id, "status": self.status,
                               "at": self.at.isoformat(timespec="seconds")}
        if self.note:
            out["note"] = self.note
        if self.certificate is not None:
            out["certificate"] = self.certificate
        return out


@dataclass(frozen=True)
class Bundle:
    kind: str
    version: int
    payload_json: str                # exactly the string that was signed
    signature: str
    seq: int = 0

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "version": self.version, "payload_json": self.payload_json,
                "signature": self.signature}


@dataclass(frozen=True)
class FeedItem:
    """One entry of the guides, announcements or agent_credentials stream; later entries with the same
    `key` replace earlier ones on the terminal. `station_id` None means every station."""
    stream: str
    key: str
    item: dict[str, Any]
    station_id: str | None = None
    seq: int = 0


@dataclass(frozen=True)
class Page:
    """Items after a cursor position, the position of the last one, and whether more follow."""
    items: list[dict[str, Any]]
    last_seq: int
    more: bool


@dataclass(frozen=True)
class AttachmentState:
    sha256: str
    total: int
    received: int
    complete: bool


# --- refusals ------------------------------------------------------------------------------------------------

class EnrollmentRefused(Exception):
    """`reason` is one of unknown_code, code_used, code_expired, wrong_station (the 403 error code)."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class UploadRefused(Exception):
    """A chunk that does not fit the upload in progress."""

    def __init__(self, reason: str, received: int = 0):
        super().__init__(reason)
        self.reason = reason          # offset_mismatch, total_mismatch, past_total
        self.received = received


class UnknownRecord(KeyError):
    pass


class StoreBusy(RuntimeError):
    """The database is locked, out of connections or unreachable for now: answer 503 with Retry-After."""


@dataclass(frozen=True)
class ChunkOutcome:
    state: AttachmentState
    hash_mismatch: bool = False       # the finished upload did not match its hash and was discarded


# --- the interface -------------------------------------------------------------------------------------------

class HubStore(ChatStorage, ABC):
    """Everything the hub keeps. Thread-safe: the HTTP server calls in from a thread pool. Implementations
    take an injected `clock`; every time they store comes from it."""

    # terminals and enrollment
    @abstractmethod
    def issue_enrollment_code(self, station_id: str, ttl_s: int) -> IssuedCode: ...

    @abstractmethod
    def enroll(self, station_id: str, code: str, public_key: str) -> Terminal:
        """Consume the code and register the terminal in one transaction, or raise `EnrollmentRefused`."""

    @abstractmethod
    def terminal(self, terminal_id: str) -> Terminal | None: ...

    @abstractmethod
    def terminals(self) -> list[Terminal]: ...

    @abstractmethod
    def revoke_terminal(self, terminal_id: str) -> bool: ...

    @abstractmethod
    def remember_nonce(self, terminal_id: str, nonce: str) -> bool:
        """True the first time; False if seen within NONCE_WINDOW_S (a replay)."""

    # records
    @abstractmethod
    def ingest(self, station_id: str, items: Sequence[HubRecord | ItemResult],
               terminal_id: str | None = None) -> list[ItemResult]:
        """Store the valid records in one transaction, each id once; results in request order."""

    @abstractmethod
    def get(self, record_id: str) -> StoredRecord | None: ...

    @abstractmethod
    def list(self, station_id: str | None = None, limit: int = 100) -> list[StoredRecord]:
        """Newest first."""

    @abstractmethod
    def count(self) -> int: ...

    @abstractmethod
    def records_of_kind(self, station_id: str, kind: str) -> list[StoredRecord]:
        """Every record of one kind a station pushed, in arrival order (the audit chain check reads them all)."""

    @abstractmethod
    def set_status(self, record_id: str, status: str, note: str = "",
                   certificate: dict[str, Any] | None = None) -> StatusUpdate:
        """Change a record's status and append it to its station's status stream, atomically. A level status
        (at_town, at_district) must be the record's next step on its route, else `routing.RouteRefused`."""

    @abstractmethod
    def status_history(self, record_id: str) -> list[StatusUpdate]: ...

    @abstractmethod
    def status_page(self, station_id: str, after: int, limit: int) -> Page: ...

    # bundles and feeds
    @abstractmethod
    def next_bundle_version(self, kind: str) -> int: ...

    @abstractmethod
    def add_bundle(self, bundle: Bundle) -> Bundle:
        """Versions only grow: a version not above the newest of its kind raises ValueError."""

    @abstractmethod
    def bundle_page(self, kind: str, after: int) -> Page:
        """Only the newest bundle of the kind published after the cursor: terminals skip intermediate ones."""

    @abstractmethod
    def bundles(self, kind: str) -> list[Bundle]:
        """Every published bundle of the kind, oldest first (update archives are served only if one names them)."""

    @abstractmethod
    def add_feed_item(self, item: FeedItem) -> FeedItem: ...

    @abstractmethod
    def feed_page(self, stream: str, station_id: str | None, after: int, limit: int) -> Page:
        """Items for the station (and for every station); station None: all of them."""

    # bookable slots (sync/hub/bookings.py); bookings themselves arrive by ingest
    @abstractmethod
    def add_slot(self, slot: "Slot") -> "Slot":
        """Store the slot and publish it in its station's "slots" stream, atomically."""

    @abstractmethod
    def cancel_slot(self, slot_id: str) -> bool: ...

    @abstractmethod
    def upcoming_slots(self, station_id: str | None = None) -> list[tuple["Slot", int]]:
        """Slots not yet over, soonest first, each with the seats taken."""

    # attachments
    @abstractmethod
    def attachment_state(self, sha256: str) -> AttachmentState: ...

    @abstractmethod
    def put_chunk(self, sha256: str, offset: int, total: int, data: bytes,
                  terminal_id: str | None = None) -> ChunkOutcome: ...

    @abstractmethod
    def attachment_chunks(self, sha256: str) -> Iterator[bytes]:
        """The bytes of a complete attachment, in order."""

    @abstractmethod
    def attachment_range(self, sha256: str, start: int, stop: int) -> bytes:
        """Bytes [start, stop) of a stored attachment (an update archive read in pieces over a poor link)."""

    @abstractmethod
    def close(self) -> None: ...


# --- choosing an implementation -------------------------------------------------------------------------------

@dataclass(frozen=True)
class DbSpec:
    kind: str                        # "sqlite" or "postgresql"
    target: str                      # file path or DSN

    @property
    def path(self) -> Path:
        return Path(self.target)


def parse_db_spec(spec: str | Path) -> DbSpec:
    """`sqlite:PATH`, `postgresql://…` (or `postgres://…`), or a bare path meaning SQLite."""
    text = str(spec)
    if text.startswith(("postgresql://", "postgres://")):
        return DbSpec("postgresql", text)
    if text.startswith("sqlite:"):
        return DbSpec("sqlite", text[len("sqlite:"):])
    return DbSpec("sqlite", text)


def open_store(spec: str | Path, clock: Clock = utc_now, *, schema: str | None = None) -> HubStore:
    db = parse_db_spec(spec)
    if db.kind == "postgresql":
        from sync.hub.pg_store import PostgresStore   # psycopg only where PostgreSQL is used
        return PostgresStore(db.target, clock, schema=schema)
    from sync.hub.sqlite_store import SqliteStore
    db.path.parent.mkdir(parents=True, exist_ok=True)
    return SqliteStore(db.path, clock)
