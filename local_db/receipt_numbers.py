"""Receipt numbers are never issued twice, also after a database restore.

A receipt number is `<station>-<local day>-<n>` (kiosk.ids.receipt_number). In normal running the next n is one
past the highest of the day, chosen inside the submit's BEGIN IMMEDIATE transaction (one writer at a time), and
`applications.receipt_no` is UNIQUE: two filings can never hold the same number.

A restore puts an older backup in place. Applications filed after that backup which the salvage could not read
are gone from the database, yet their receipts may be in residents' hands and their records at the hub. So the
recovery records, for every local day from the backup's time to now, a floor in `meta` (key
`receipt.floor.<YYYYMMDD>`): the highest number that may have been issued that day. The next number is past it:

- the replaced file could be read: its highest readable number of the day (or an earlier floor it held), plus
  the number of its application rows that could not be read (their day is unknown, so every day gets them);
- the replaced file cannot be read, or is gone: the highest number known plus UNKNOWN_MARGIN.
"""
from __future__ import annotations

import re
import sqlite3
from datetime import datetime, timedelta
from pathlib import Path

from kiosk.ids import CST
from local_db.integrity import read_only
from local_db.salvage import read_rows

FLOOR_KEY = "receipt.floor."
# More than a station kiosk files in a day (tens, a few hundred at the busiest), so a jump by it clears every
# number that may have been issued since the backup, and the day's numbers keep four digits.
UNKNOWN_MARGIN = 1000
_RECEIPT = re.compile(r"-(\d{8})-(\d+)$")


# --- normal running: inside the submit transaction -------------------------------------------------------------

def next_sequence(conn: sqlite3.Connection, prefix: str, day: str) -> int:
    """One past every number of the day: the count (numbers that do not parse), the highest, and the floor.
    Counting alone would collide once the day has a gap (salvaged rows around an unreadable one)."""
    upper = prefix[:-1] + chr(ord(prefix[-1]) + 1)   # the range of strings starting with prefix: uses the index
    count, highest = conn.execute(
        "SELECT COUNT(*), COALESCE(MAX(CAST(substr(receipt_no, ?) AS INTEGER)), 0) FROM applications"
        " WHERE receipt_no >= ? AND receipt_no < ?", (len(prefix) + 1, prefix, upper)).fetchone()
    return max(count, highest, floor(conn, day)) + 1


def floor(conn: sqlite3.Connection, day: str) -> int:
    row = conn.execute("SELECT value FROM meta WHERE key=?", (FLOOR_KEY + day,)).fetchone()
    return _int(row[0]) if row else 0


def local_day(moment: datetime) -> str:
    """The day as the receipt shows it (China Standard Time)."""
    return moment.astimezone(CST).strftime("%Y%m%d")


# --- after a restore ---------------------------------------------------------------------------------------------

def guard_after_restore(db_path: Path, replaced: Path | None, backup_taken: datetime, now: datetime,
                        lost_applications: int | None) -> dict[str, int]:
    """Record in the restored `db_path` the floors of the days since `backup_taken`, so no number the replaced
    file may have issued is issued again. `lost_applications`: its application rows that could not be read (None:
    unknown). Returns the floors raised, by day."""
    seen = issued_by_day(replaced) if replaced is not None else None
    extra = UNKNOWN_MARGIN if seen is None or lost_applications is None else lost_applications
    since = local_day(backup_taken)
    days = set(_days_between(backup_taken, now)) | {day for day in (seen or {}) if day >= since}
    conn = sqlite3.connect(str(db_path), isolation_level=None, timeout=10.0)
    try:
        conn.execute("BEGIN IMMEDIATE")
        raised = _raise_floors(conn, sorted(days), seen or {}, extra)
        conn.execute("COMMIT")
        return raised
    finally:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        conn.close()


def issued_by_day(db_path: Path) -> dict[str, int] | None:
    """The highest number each day may have issued per the file: its receipts and its floors. None when the
    file cannot tell (not a database, or receipts or floors it cannot read)."""
    try:
        conn = read_only(db_path)
    except sqlite3.Error:
        return None
    try:
        return _issued(conn)
    except sqlite3.DatabaseError:
        return None
    finally:
        conn.close()


def _issued(conn: sqlite3.Connection) -> dict[str, int] | None:
    # Read alone, receipt numbers come from their UNIQUE index, a b-tree apart from the table's rows: they
    # often survive damage that loses the rows themselves.
    rows, lost = read_rows(conn, "applications", ["receipt_no"])
    if lost is None:
        return None
    highest: dict[str, int] = {}
    for _rowid, receipt_no in rows:
        match = _RECEIPT.search(receipt_no or "")
        if match:
            day, n = match.group(1), int(match.group(2))
            highest[day] = max(highest.get(day, 0), n)
    for key, value in conn.execute("SELECT key, value FROM meta WHERE key >= ? AND key < ?",
                                   (FLOOR_KEY, FLOOR_KEY[:-1] + "/")):
        day = key[len(FLOOR_KEY):]
        highest[day] = max(highest.get(day, 0), _int(value))
    return highest


def _raise_floors(conn: sqlite3.Connection, days: list[str], seen: dict[str, int], extra: int) -> dict[str, int]:
    known = _issued(conn) or {}   # the restored file is sound: its receipts (salvaged ones too) and floors
    raised = {}
    for day in days:
        value = max(seen.get(day, 0), known.get(day, 0)) + extra
        if value > known.get(day, 0):
            conn.execute("INSERT INTO meta (key, value) VALUES (?, ?)"
                         " ON CONFLICT(key) DO UPDATE SET value=excluded.value", (FLOOR_KEY + day, str(value)))
            raised[day] = value
    return raised


def _days_between(start: datetime, end: datetime) -> list[str]:
    """Each local day from `start` to `end`; a clock now behind the backup (a reset RTC) gives just both days."""
    first, last = start.astimezone(CST).date(), end.astimezone(CST).date()
    if last < first:
        return [first.strftime("%Y%m%d"), last.strftime("%Y%m%d")]
    return [(first + timedelta(days=i)).strftime("%Y%m%d") for i in range((last - first).days + 1)]


def _int(text) -> int:
    try:
        return max(int(text), 0)
    except (TypeError, ValueError):
        return 0
