"""What the technician sees of sync: online or not, last contact, what waits (by kind), the oldest wait, the
quarantine with reasons, and the last errors. Qt-free; counts, kinds, ids and reason words only, never a payload.

The worker's own `SyncStatus` says how the last round went; `RecentErrors` keeps the last few failed rounds (it
listens on the event bus from start-up, so errors from before maintenance was opened are there too). The database
is read on a read-only connection of its own, which is safe from any thread and never reads anything sealed.
"""
from __future__ import annotations

import sqlite3
import threading
from collections import deque
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Iterator

import sqlite_utils

from kiosk.ids import Clock, utc_now
from kiosk.log_redaction import redact
from local_db.sync_state import AUTH_REFUSAL, LAST_PULL, LAST_SUCCESS

MAX_ERRORS = 20
MAX_QUARANTINE_SHOWN = 200
REASON_LENGTH = 120


@dataclass(frozen=True)
class SyncError:
    first_at: datetime
    last_at: datetime
    text: str              # the worker's fixed wording, passed through the redaction net
    count: int = 1         # the same error in consecutive rounds is one line


class RecentErrors:
    """A ring buffer of failed rounds, fed `SyncStatus` events from the sync thread; read from any thread."""

    def __init__(self, size: int = MAX_ERRORS, clock: Clock = utc_now):
        self._errors: deque[SyncError] = deque(maxlen=size)
        self._lock = threading.Lock()
        self.clock = clock

    def on_status(self, status: Any) -> None:
        error = getattr(status, "last_error", None)
        if not error:
            return
        now, text = self.clock(), redact(str(error))[:REASON_LENGTH]
        with self._lock:
            last = self._errors[-1] if self._errors else None
            if last is not None and last.text == text:
                self._errors[-1] = SyncError(last.first_at, now, text, last.count + 1)
            else:
                self._errors.append(SyncError(now, now, text))

    def newest_first(self) -> list[SyncError]:
        with self._lock:
            return list(reversed(self._errors))


@dataclass(frozen=True)
class QuarantineRow:
    record_id: str         # a UUIDv7: names the record, holds nothing personal
    kind: str
    reason: str
    quarantined_at: str
    attempts: int


@dataclass(frozen=True)
class SyncReport:
    running: bool                          # a sync worker exists (not --no-sync)
    online: bool | None                    # None: no round reported yet
    enrolled: bool | None
    last_success_at: datetime | None
    last_pull_at: datetime | None
    auth_refusal: str
    pending_by_kind: dict[str, int]
    oldest_pending_at: datetime | None
    oldest_pending_age_s: float | None
    attachments_pending: int
    quarantine: list[QuarantineRow]
    quarantine_total: int
    last_error: str | None
    next_attempt_in_s: float | None
    recent_errors: list[SyncError] = field(default_factory=list)

    @property
    def pending_total(self) -> int:
        return sum(self.pending_by_kind.values())


def build_report(db: sqlite_utils.Database, status: Any, errors: RecentErrors | None, running: bool,
                 clock: Clock = utc_now) -> SyncReport:
    """`status`: the worker's last SyncStatus, or None before its first round (or without a worker)."""
    meta = dict(db.execute("SELECT key, value FROM meta WHERE key IN (?,?,?)",
                           (LAST_SUCCESS, LAST_PULL, AUTH_REFUSAL)).fetchall())
    pending = dict(db.execute("SELECT kind, COUNT(*) FROM outbox WHERE delivered_at IS NULL GROUP BY kind"
                              " ORDER BY COUNT(*) DESC, kind").fetchall())
    oldest = _when(db.execute("SELECT MIN(created_at) FROM outbox WHERE delivered_at IS NULL").fetchone()[0])
    last_error = getattr(status, "last_error", None)
    return SyncReport(
        running=running,
        online=getattr(status, "online", None),
        enrolled=getattr(status, "enrolled", None),
        last_success_at=_when(meta.get(LAST_SUCCESS)),
        last_pull_at=_when(meta.get(LAST_PULL)),
        auth_refusal=meta.get(AUTH_REFUSAL) or "",
        pending_by_kind=pending,
        oldest_pending_at=oldest,
        oldest_pending_age_s=max((clock() - oldest).total_seconds(), 0.0) if oldest else None,
        attachments_pending=db.execute("SELECT COUNT(*) FROM attachments WHERE done_at IS NULL").fetchone()[0],
        quarantine=_quarantine(db),
        quarantine_total=db.execute("SELECT COUNT(*) FROM quarantine").fetchone()[0],
        last_error=redact(last_error)[:REASON_LENGTH] if last_error else None,
        next_attempt_in_s=getattr(status, "next_attempt_in_s", None),
        recent_errors=errors.newest_first() if errors is not None else [],
    )


def _quarantine(db: sqlite_utils.Database) -> list[QuarantineRow]:
    rows = db.execute("SELECT record_id, kind, reason, quarantined_at, attempts FROM quarantine"
                      " ORDER BY quarantined_at DESC, seq DESC LIMIT ?", (MAX_QUARANTINE_SHOWN,)).fetchall()
    return [QuarantineRow(rid, kind, redact(reason or "")[:REASON_LENGTH], at, attempts)
            for rid, kind, reason, at, attempts in rows]


def _when(value: Any) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(str(value))
    except ValueError:
        return None


@contextmanager
def read_only(db_path: Path | str) -> Iterator[sqlite_utils.Database]:
    """A read-only connection of its own (the kiosk's is shared with the writer lane and its lock)."""
    conn = sqlite3.connect(f"{Path(db_path).resolve().as_uri()}?mode=ro", uri=True, isolation_level=None,
                           timeout=10.0, check_same_thread=False)
    try:
        yield sqlite_utils.Database(conn)
    finally:
        conn.close()


def report_for(core: Any, errors: RecentErrors | None, clock: Clock = utc_now) -> SyncReport:
    """The report of a running kiosk (KioskCore): its database file and its worker's last status."""
    sync = getattr(core, "sync", None)
    with read_only(Path(core.data_dir) / "kiosk.db") as db:
        return build_report(db, getattr(sync, "status", None), errors, sync is not None, clock)


def force_sync(core: Any, actor: str) -> Any:
    """Wake the worker for a round now and audit it; returns the status before, to tell the next one by.
    Raises LookupError without a worker (a kiosk started with --no-sync)."""
    from local_db import audit

    sync = getattr(core, "sync", None)
    if sync is None:
        raise LookupError("no sync worker")
    before = sync.status
    core.audit.record(actor, audit.SYNC_FORCED)
    sync.wake()
    return before
