"""The reference hub's storage: one SQLite file, records deduplicated by their id.

One connection guarded by a lock: the HTTP server calls in from a thread pool, and SQLite serialises writers
anyway. A later milestone swaps this class for PostgreSQL behind the same methods.
"""
from __future__ import annotations

import json
import sqlite3
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

from kiosk.ids import Clock, utc_now
from sync.protocol import ItemResult, Status, WireRecord

SCHEMA = """
CREATE TABLE IF NOT EXISTS records (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,   -- arrival order
    id TEXT NOT NULL UNIQUE,                 -- the kiosk's UUIDv7: the idempotency key
    kind TEXT NOT NULL,
    station_id TEXT NOT NULL,
    payload TEXT NOT NULL,                   -- JSON as received; personal data, never logged
    received_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS records_station ON records(station_id, seq);
"""


@dataclass(frozen=True)
class StoredRecord:
    seq: int
    id: str
    kind: str
    station_id: str
    payload: dict[str, Any]
    received_at: str


class HubStore:
    def __init__(self, path: Path | str, clock: Clock = utc_now):
        self.clock = clock
        self._lock = threading.Lock()
        self._conn = sqlite3.connect(str(path), timeout=10.0, isolation_level=None, check_same_thread=False)
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute("PRAGMA synchronous=FULL")   # "accepted" is a promise: it must survive a power cut
        self._conn.executescript(SCHEMA)

    def ingest(self, station_id: str, items: Sequence[WireRecord | ItemResult]) -> list[ItemResult]:
        """Store the valid records in one transaction; results in request order."""
        now = self.clock().isoformat(timespec="seconds")
        results: list[ItemResult] = []
        with self._lock, self._conn:
            self._conn.execute("BEGIN IMMEDIATE")
            for item in items:
                results.append(item if isinstance(item, ItemResult) else self._insert(station_id, item, now))
        return results

    def _insert(self, station_id: str, record: WireRecord, now: str) -> ItemResult:
        cursor = self._conn.execute(
            "INSERT OR IGNORE INTO records (id, kind, station_id, payload, received_at) VALUES (?,?,?,?,?)",
            (record.id, record.kind, station_id, json.dumps(record.payload, ensure_ascii=False), now),
        )
        return ItemResult(record.id, Status.ACCEPTED if cursor.rowcount == 1 else Status.DUPLICATE)

    def list(self, station_id: str | None = None, limit: int = 100) -> list[StoredRecord]:
        """Newest first."""
        sql = "SELECT seq, id, kind, station_id, payload, received_at FROM records"
        params: tuple[Any, ...] = ()
        if station_id is not None:
            sql, params = sql + " WHERE station_id=?", (station_id,)
        with self._lock:
            rows = self._conn.execute(sql + " ORDER BY seq DESC LIMIT ?", params + (limit,)).fetchall()
        return [_record(row) for row in rows]

    def get(self, record_id: str) -> StoredRecord | None:
        with self._lock:
            row = self._conn.execute(
                "SELECT seq, id, kind, station_id, payload, received_at FROM records WHERE id=?", (record_id,)
            ).fetchone()
        return _record(row) if row else None

    def count(self) -> int:
        with self._lock:
            return self._conn.execute("SELECT COUNT(*) FROM records").fetchone()[0]

    def close(self) -> None:
        with self._lock:
            self._conn.close()


def _record(row: tuple) -> StoredRecord:
    seq, record_id, kind, station_id, payload, received_at = row
    return StoredRecord(seq, record_id, kind, station_id, json.loads(payload), received_at)
