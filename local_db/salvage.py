"""Copying what a damaged (or replaced) database still holds into the database restored in its place.

Rows are copied as stored: sealed values stay sealed, both files use the same ring. A table SQLite cannot scan
whole is read in rowid ranges around its damaged pages, and the rowids that cannot be read are counted, so the
technician hears how many records may be lost.
"""
from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from local_db.audit_chain import Link

# Tables whose rows the kiosk made itself (pulled ones come again from the hub), parents before children.
SALVAGED = ("applications", "needs", "bookings", "ratings", "drafts", "attachments", "print_journal",
            "certificates", "outbox", "quarantine")
_QUEUES = ("outbox", "quarantine")
_AUDIT_COLUMNS = ("seq", "prev_hash", "hash", "id", "at", "actor", "action", "target", "outcome", "station_id")
WHOLE_FILE = "*"   # the key of `Salvage.unreadable` when the damaged file could not be read at all


@dataclass
class Salvage:
    copied: dict[str, int] = field(default_factory=dict)      # rows carried into the restored database
    unreadable: dict[str, int | None] = field(default_factory=dict)   # rows lost to damage (None: uncounted)
    audit_copied: int = 0

    @property
    def total_copied(self) -> int:
        return sum(self.copied.values()) + self.audit_copied

    @property
    def total_unreadable(self) -> int | None:
        if any(n is None for n in self.unreadable.values()):
            return None
        return sum(n for n in self.unreadable.values() if n)

    def lost(self, table: str) -> int | None:
        """Rows of `table` the restored database lacks and the damaged file could not give; None: unknown."""
        if WHOLE_FILE in self.unreadable:
            return None
        return self.unreadable.get(table, 0)


def salvage(damaged_path: Path | str, db_path: Path | str) -> Salvage:
    """Copy into `db_path` the rows of `damaged_path` it lacks, in one transaction."""
    result = Salvage()
    try:
        source = sqlite3.connect(str(damaged_path), isolation_level=None)
        source.execute("PRAGMA query_only=ON")
    except sqlite3.Error:
        result.unreadable[WHOLE_FILE] = None
        return result
    target = sqlite3.connect(str(db_path), isolation_level=None, timeout=10.0)
    try:
        target.execute("BEGIN IMMEDIATE")
        result.audit_copied = _salvage_audit(source, target, result)
        for table in SALVAGED:
            _salvage_table(source, target, table, result)
        target.execute("COMMIT")
    except BaseException:
        if target.in_transaction:
            target.execute("ROLLBACK")
        raise
    finally:
        target.close()
        source.close()
    return result


def read_rows(source: sqlite3.Connection, table: str, columns: Iterable[str]) -> tuple[list[tuple], list[int] | None]:
    """(rows as (rowid, *columns), rowids that could not be read); None for the second when the table's extent
    cannot be found at all. A failing range is halved until the bad rowids are alone."""
    cols = ", ".join(columns)
    try:
        return source.execute(f"SELECT rowid, {cols} FROM {table}").fetchall(), []
    except sqlite3.DatabaseError:
        pass
    try:
        top = source.execute(f"SELECT max(rowid) FROM {table}").fetchone()[0] or 0
    except sqlite3.DatabaseError:
        return [], None
    rows: list[tuple] = []
    lost: list[int] = []
    stack = [(1, top)]
    while stack:
        lo, hi = stack.pop()
        try:
            rows.extend(source.execute(f"SELECT rowid, {cols} FROM {table} WHERE rowid BETWEEN ? AND ?",
                                       (lo, hi)).fetchall())
        except sqlite3.DatabaseError:
            if lo == hi:
                lost.append(lo)
            else:
                mid = (lo + hi) // 2
                stack.extend([(mid + 1, hi), (lo, mid)])
    return rows, lost


def _columns(conn: sqlite3.Connection, table: str) -> list[str]:
    return [row[1] for row in conn.execute(f"PRAGMA table_info({table})").fetchall()]


def _salvage_table(source, target, table: str, result: Salvage) -> None:
    try:
        columns = [c for c in _columns(source, table) if c in set(_columns(target, table))]
    except sqlite3.DatabaseError:
        result.unreadable[table] = None
        return
    if not columns:
        return
    rows, lost = read_rows(source, table, columns)
    _count_lost(target, table, lost, result)
    copied = 0
    for _rowid, *values in rows:
        record = dict(zip(columns, values))
        if table in _QUEUES:
            copied += _salvage_queued(target, table, record)
        else:
            copied += _insert(target, table, record, "OR IGNORE")
    if copied:
        result.copied[table] = copied


def _count_lost(target, table: str, lost: list[int] | None, result: Salvage) -> None:
    """Unreadable rowids count only when the restored database lacks them (older rows came back with it)."""
    if lost is None:
        result.unreadable[table] = None
        return
    present = {row[0] for row in target.execute(f"SELECT rowid FROM {table}")}
    missing = [rowid for rowid in lost if rowid not in present]
    if missing:
        result.unreadable[table] = len(missing)


def _salvage_queued(target, table: str, record: dict) -> int:
    """An outbox or quarantine row, unless the record is queued or quarantined already; an audit record only
    when its entry made it into the restored chain. Its seq is kept when free, else it goes to the end."""
    record_id = record.get("record_id")
    known = target.execute("SELECT 1 FROM outbox WHERE record_id=? UNION ALL SELECT 1 FROM quarantine"
                           " WHERE record_id=?", (record_id, record_id)).fetchone()
    if known:
        if table == "outbox" and record.get("delivered_at"):   # the hub has it: do not send it again
            target.execute("UPDATE outbox SET delivered_at=? WHERE record_id=? AND delivered_at IS NULL",
                           (record["delivered_at"], record_id))
        return 0
    if record.get("kind") == "audit" and not target.execute("SELECT 1 FROM audit WHERE id=?",
                                                            (record_id,)).fetchone():
        return 0
    seq_taken = target.execute("SELECT 1 FROM outbox WHERE seq=? UNION ALL SELECT 1 FROM quarantine WHERE seq=?",
                               (record.get("seq"), record.get("seq"))).fetchone()
    if seq_taken:
        record = {k: v for k, v in record.items() if k != "seq"}
    return _insert(target, table, record, "")


def _insert(target, table: str, record: dict, conflict: str) -> int:
    names = ", ".join(record)
    marks = ", ".join("?" for _ in record)
    try:
        cursor = target.execute(f"INSERT {conflict} INTO {table} ({names}) VALUES ({marks})", tuple(record.values()))
    except sqlite3.IntegrityError:
        return 0
    return max(cursor.rowcount, 0)


def _salvage_audit(source, target, result: Salvage) -> int:
    """Entries after the restored chain's head, in order, while each links to the one before: the trail stays
    one verifiable chain (an entry that does not link stops the copy, and the entries after it are lost)."""
    head = target.execute("SELECT seq, hash FROM audit WHERE seq IS NOT NULL ORDER BY seq DESC LIMIT 1").fetchone()
    seq, prev = head if head else (0, "0" * 64)
    rows = _audit_after(source, seq, result)
    copied = 0
    for row in rows:
        link = Link(*row)
        if link.seq != seq + 1 or link.prev_hash != prev or link.expected_hash() != link.hash:
            break
        target.execute(f"INSERT OR IGNORE INTO audit ({', '.join(_AUDIT_COLUMNS)})"
                       f" VALUES ({', '.join('?' * len(row))})", row)
        seq, prev = link.seq, link.hash
        copied += 1
    return copied


def _audit_after(source, seq: int, result: Salvage) -> list[tuple]:
    """The damaged file's audit entries after `seq`, in order, as far as they can be read."""
    cols = ", ".join(_AUDIT_COLUMNS)
    try:
        return source.execute(f"SELECT {cols} FROM audit WHERE seq > ? ORDER BY seq", (seq,)).fetchall()
    except sqlite3.DatabaseError:
        pass
    rows, lost = read_rows(source, "audit", _AUDIT_COLUMNS)
    if lost is None or lost:
        result.unreadable["audit"] = len(lost) if lost is not None else None
    return sorted((r[1:] for r in rows if r[1] is not None and r[1] > seq), key=lambda r: r[0])
