"""The hub on one SQLite file: the default, for a single district.

One connection behind a lock (SQLite has one writer anyway), WAL so a CLI process can read and write beside
the running hub, and a busy timeout for those moments. `synchronous=FULL`: "accepted" is a promise that must
survive a power cut. Times are stored as ISO 8601 UTC text with microseconds, so they compare as text.
"""
from __future__ import annotations

import sqlite3
import threading
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Sequence, TypeVar

from kiosk.ids import Clock, utc_now
from sync.hub import chat_store
from sync.hub.sql_store import SqlHubStore, Tx
from sync.hub.store import StoreBusy

T = TypeVar("T")
BUSY_TIMEOUT_S = 10.0

SCHEMA = """
CREATE TABLE IF NOT EXISTS terminals (
    id TEXT PRIMARY KEY, station_id TEXT NOT NULL, public_key TEXT NOT NULL,
    enrolled_at TEXT NOT NULL, revoked_at TEXT);
CREATE TABLE IF NOT EXISTS enrollment_codes (
    code_hash TEXT PRIMARY KEY, station_id TEXT NOT NULL, created_at TEXT NOT NULL, expires_at TEXT NOT NULL,
    used_at TEXT, terminal_id TEXT);
CREATE TABLE IF NOT EXISTS nonces (
    terminal_id TEXT NOT NULL, nonce TEXT NOT NULL, seen_at TEXT NOT NULL, PRIMARY KEY (terminal_id, nonce));
CREATE INDEX IF NOT EXISTS nonces_seen ON nonces(seen_at);
CREATE TABLE IF NOT EXISTS records (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,   -- arrival order
    id TEXT NOT NULL UNIQUE,                 -- the terminal's UUIDv7: the idempotency key
    kind TEXT NOT NULL, station_id TEXT NOT NULL,
    payload TEXT NOT NULL,                   -- JSON as received; personal data, never logged
    received_at TEXT NOT NULL, status TEXT NOT NULL DEFAULT 'received', status_note TEXT NOT NULL DEFAULT '',
    updated_at TEXT, terminal_id TEXT);
CREATE INDEX IF NOT EXISTS records_station ON records(station_id, seq);
CREATE INDEX IF NOT EXISTS records_kind ON records(kind, received_at);   -- the 好差评 dashboard (dashboard.py)
CREATE TABLE IF NOT EXISTS record_attachments (
    record_id TEXT NOT NULL, sha256 TEXT NOT NULL, PRIMARY KEY (record_id, sha256));
CREATE TABLE IF NOT EXISTS status_updates (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, station_id TEXT NOT NULL, record_id TEXT NOT NULL,
    status TEXT NOT NULL, note TEXT NOT NULL DEFAULT '', at TEXT NOT NULL, certificate TEXT);
CREATE INDEX IF NOT EXISTS status_updates_station ON status_updates(station_id, seq);
CREATE INDEX IF NOT EXISTS status_updates_record ON status_updates(record_id, seq);
CREATE TABLE IF NOT EXISTS bundles (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, kind TEXT NOT NULL, version INTEGER NOT NULL,
    payload_json TEXT NOT NULL, signature TEXT NOT NULL, created_at TEXT NOT NULL, UNIQUE (kind, version));
CREATE TABLE IF NOT EXISTS attachments (
    sha256 TEXT PRIMARY KEY, total INTEGER NOT NULL, received INTEGER NOT NULL, complete INTEGER NOT NULL,
    terminal_id TEXT, created_at TEXT NOT NULL, completed_at TEXT);
CREATE TABLE IF NOT EXISTS attachment_chunks (
    sha256 TEXT NOT NULL, byte_offset INTEGER NOT NULL, data BLOB NOT NULL, PRIMARY KEY (sha256, byte_offset));
CREATE TABLE IF NOT EXISTS booking_slots (
    id TEXT PRIMARY KEY, kind TEXT NOT NULL, station_id TEXT NOT NULL, area TEXT NOT NULL DEFAULT '',
    service TEXT NOT NULL DEFAULT '', department TEXT NOT NULL DEFAULT '', starts_at TEXT NOT NULL,
    ends_at TEXT NOT NULL, capacity INTEGER NOT NULL CHECK (capacity > 0), cancelled_at TEXT,
    created_at TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS booking_slots_station ON booking_slots(station_id, kind, starts_at);
CREATE TABLE IF NOT EXISTS booking_seats (   -- one row a seat: (slot, seat) unique, so never more than capacity
    slot_id TEXT NOT NULL, seat INTEGER NOT NULL, record_id TEXT NOT NULL UNIQUE, created_at TEXT NOT NULL,
    PRIMARY KEY (slot_id, seat));
""" + "".join(f"""
CREATE TABLE IF NOT EXISTS {feed} (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, item_key TEXT NOT NULL, station_id TEXT, item TEXT NOT NULL,
    created_at TEXT NOT NULL);
""" for feed in ("guides", "announcements", "agent_credentials", "slots")) + chat_store.SQLITE_SCHEMA

# Columns added to `records` after the first release; old hub.db files get them on open.
_RECORD_ADDITIONS = {
    "status": "TEXT NOT NULL DEFAULT 'received'",
    "status_note": "TEXT NOT NULL DEFAULT ''",
    "updated_at": "TEXT",
    "terminal_id": "TEXT",
}


class SqliteStore(SqlHubStore):
    def __init__(self, path: Path | str, clock: Clock = utc_now):
        super().__init__(clock)
        self.path = Path(path)
        self._lock = threading.Lock()
        self._conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_S, isolation_level=None,
                                     check_same_thread=False)
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute("PRAGMA synchronous=FULL")
        self._conn.executescript(SCHEMA)
        self._migrate()

    def _migrate(self) -> None:
        have = {row[1] for row in self._conn.execute("PRAGMA table_info(records)")}
        for column, decl in _RECORD_ADDITIONS.items():
            if column not in have:
                self._conn.execute(f"ALTER TABLE records ADD COLUMN {column} {decl}")

    def _transact(self, fn: Callable[[Tx], T], write: bool = True) -> T:
        with self._lock:
            # IMMEDIATE takes the write lock up front: no upgrade deadlock with a CLI writing beside us.
            try:
                self._conn.execute("BEGIN IMMEDIATE" if write else "BEGIN")
            except sqlite3.OperationalError:
                raise StoreBusy("database is locked") from None   # another process held it past the timeout
            try:
                result = fn(_SqliteTx(self._conn))
                self._conn.execute("COMMIT")
            except BaseException as exc:
                if self._conn.in_transaction:
                    self._conn.execute("ROLLBACK")
                if isinstance(exc, sqlite3.OperationalError) and "locked" in str(exc):
                    raise StoreBusy("database is locked") from None
                raise
            return result

    def close(self) -> None:
        with self._lock:
            self._conn.close()


class _SqliteTx:
    def __init__(self, conn: sqlite3.Connection):
        self._conn = conn

    def execute(self, sql: str, params: Sequence[Any] = ()) -> sqlite3.Cursor:
        return self._conn.execute(sql, tuple(_param(p) for p in params))


def _param(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(timezone.utc).isoformat(timespec="microseconds")
    if isinstance(value, bool):
        return int(value)
    return value
