"""The terminal's sync bookkeeping: pull cursors, installed bundle versions and a few durable facts in `meta`.

Used on the sync worker's own connection. Cursor and bundle writes are meant to run inside `transaction(db)`
together with the items they settle, so a crash leaves either both or neither.
"""
from __future__ import annotations

import contextlib
import sqlite3
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Iterator

import sqlite_utils

from kiosk.ids import Clock, utc_now

# Keys in the `meta` table; prefixed so they never collide with other users of `meta`.
CLOCK_OFFSET = "sync.clock_offset_s"
LAST_SUCCESS = "sync.last_success_at"
LAST_PULL = "sync.last_pull_at"
AUTH_REFUSAL = "sync.auth_refusal"        # "<reason> <terminal id>" after a 401 revoked / unknown_terminal


@contextlib.contextmanager
def transaction(db: sqlite_utils.Database) -> Iterator[None]:
    """BEGIN IMMEDIATE ... COMMIT, or ROLLBACK on any exception (the connection runs in autocommit mode)."""
    conn = db.conn
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


@dataclass(frozen=True)
class InstalledBundle:
    kind: str
    version: int
    sha256: str
    payload: str | None
    applied_at: str


class SyncState:
    def __init__(self, db: sqlite_utils.Database, clock: Clock = utc_now):
        self.db = db
        self.clock = clock

    # --- meta ------------------------------------------------------------------------------------------------
    def get(self, key: str) -> str | None:
        row = self.db.execute("SELECT value FROM meta WHERE key=?", (key,)).fetchone()
        return row[0] if row else None

    def set(self, key: str, value: str | None) -> None:
        if value is None:
            self.db.execute("DELETE FROM meta WHERE key=?", (key,))
        else:
            self.db.execute("INSERT INTO meta (key, value) VALUES (?, ?)"
                            " ON CONFLICT(key) DO UPDATE SET value=excluded.value", (key, value))

    def clock_offset(self) -> float:
        try:
            return float(self.get(CLOCK_OFFSET) or 0.0)
        except ValueError:
            return 0.0

    def set_clock_offset(self, offset_s: float) -> None:
        self.set(CLOCK_OFFSET, f"{offset_s:.3f}")

    def time(self, key: str) -> datetime | None:
        value = self.get(key)
        try:
            return datetime.fromisoformat(value) if value else None
        except ValueError:
            return None

    def mark_time(self, key: str, when: datetime | None = None) -> datetime:
        when = when or self.clock()
        self.set(key, when.isoformat(timespec="seconds"))
        return when

    # --- pull cursors ----------------------------------------------------------------------------------------
    def cursor(self, stream: str) -> str | None:
        row = self.db.execute("SELECT cursor FROM sync_cursors WHERE stream=?", (stream,)).fetchone()
        return row[0] if row else None

    def set_cursor(self, stream: str, cursor: str) -> None:
        self.db.execute(
            "INSERT INTO sync_cursors (stream, cursor, updated_at) VALUES (?,?,?) ON CONFLICT(stream)"
            " DO UPDATE SET cursor=excluded.cursor, updated_at=excluded.updated_at",
            (stream, cursor, self.clock().isoformat(timespec="seconds")))

    # --- installed bundles -----------------------------------------------------------------------------------
    def installed(self, kind: str) -> InstalledBundle | None:
        row = self.db.execute("SELECT kind, version, sha256, payload, applied_at FROM bundles WHERE kind=?",
                              (kind,)).fetchone()
        return InstalledBundle(*row) if row else None

    def installed_version(self, kind: str) -> int:
        bundle = self.installed(kind)
        return bundle.version if bundle else 0

    def record_bundle(self, kind: str, version: int, sha256: str, payload: str | None) -> None:
        self.db.execute(
            "INSERT INTO bundles (kind, version, sha256, payload, applied_at) VALUES (?,?,?,?,?)"
            " ON CONFLICT(kind) DO UPDATE SET version=excluded.version, sha256=excluded.sha256,"
            " payload=excluded.payload, applied_at=excluded.applied_at",
            (kind, version, sha256, payload, self.clock().isoformat(timespec="seconds")))


def installed_payload(db_path: Path | str, kind: str) -> str | None:
    """A bundle's stored payload read on a short-lived connection of the calling thread; None when none is."""
    return installed_bundle(db_path, kind)[0]


def installed_bundle(db_path: Path | str, kind: str) -> tuple[str | None, int]:
    """A bundle's stored payload and version (None, 0 when none is), read as `installed_payload` reads it."""
    if not Path(db_path).exists():   # a first start: nothing installed, and no empty file left behind
        return None, 0
    # bundles hold no personal data: a plain read-only connection, without the key ring
    conn = sqlite3.connect(f"file:{Path(db_path).resolve()}?mode=ro", uri=True, timeout=10.0)
    try:
        bundle = SyncState(sqlite_utils.Database(conn)).installed(kind)
    finally:
        conn.close()
    return (bundle.payload, bundle.version) if bundle else (None, 0)
