"""Records the hub will not take as sent: moved out of the outbox so the queue keeps moving, kept whole for a
technician to look at and release. A move is one transaction: a record is in the outbox or here, never both.
"""
from __future__ import annotations

import json
import logging
from dataclasses import dataclass

import sqlite_utils

from kiosk.ids import Clock, utc_now
from local_db.sealing import payload_context, sealer_of
from sync.protocol import utf8_text
from local_db.sync_state import transaction

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class QuarantinedRecord:
    seq: int
    record_id: str
    kind: str
    reason: str
    quarantined_at: str
    created_at: str
    attempts: int


class Quarantine:
    def __init__(self, db: sqlite_utils.Database, clock: Clock = utc_now):
        self.db = db
        self.clock = clock

    def move(self, reasons: dict[str, str]) -> int:
        """Move these outbox records (record id → reason) here; ids no longer pending are skipped."""
        if not reasons:
            return 0
        now = self.clock().isoformat(timespec="seconds")
        moved = 0
        with transaction(self.db):
            for record_id, reason in reasons.items():
                moved += self._move_one(record_id, utf8_text(reason[:200]), now)
        if moved:
            log.warning("%d record(s) quarantined", moved)
        return moved

    def _move_one(self, record_id: str, reason: str, now: str) -> int:
        conn = self.db.conn
        inserted = conn.execute(
            "INSERT OR IGNORE INTO quarantine (seq, record_id, kind, payload, created_at, attempts, reason,"
            " quarantined_at) SELECT seq, record_id, kind, payload, created_at, attempts + 1, ?, ? FROM outbox"
            " WHERE record_id=? AND delivered_at IS NULL", (reason, now, record_id)).rowcount
        if inserted:
            conn.execute("DELETE FROM outbox WHERE record_id=?", (record_id,))
        return inserted

    def list(self) -> list[QuarantinedRecord]:
        rows = self.db.execute(
            "SELECT seq, record_id, kind, reason, quarantined_at, created_at, attempts FROM quarantine"
            " ORDER BY seq").fetchall()
        return [QuarantinedRecord(*row) for row in rows]

    def payload(self, record_id: str) -> dict | None:
        """The record as it was queued (personal data: for the technician's eyes, never for a log)."""
        row = self.db.execute("SELECT payload FROM quarantine WHERE record_id=?", (record_id,)).fetchone()
        return json.loads(sealer_of(self.db).open(row[0], payload_context(record_id))) if row else None

    def count(self) -> int:
        return self.db.execute("SELECT COUNT(*) FROM quarantine").fetchone()[0]

    def release(self, record_id: str) -> bool:
        """Back into the outbox at its old place, to be sent again; False if it is not here."""
        with transaction(self.db):
            restored = self.db.conn.execute(
                "INSERT INTO outbox (seq, record_id, kind, payload, created_at, attempts, last_error)"
                " SELECT seq, record_id, kind, payload, created_at, attempts, 'released from quarantine: ' || reason"
                " FROM quarantine WHERE record_id=?", (record_id,)).rowcount
            self.db.conn.execute("DELETE FROM quarantine WHERE record_id=?", (record_id,))
        return restored == 1

