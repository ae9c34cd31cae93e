"""Integrity checks of a database file, read only: SQLite's own check, foreign keys and the audit chain.

Used on the live `kiosk.db`, on backups before they count, and in the diagnostic export (kiosk/usb_export.py).
"""
from __future__ import annotations

import sqlite3
from dataclasses import asdict, dataclass
from pathlib import Path

from kiosk.ids import Clock, utc_now

_MAX_PROBLEMS = 20


@dataclass(frozen=True)
class IntegrityReport:
    path: str
    readable: bool
    integrity: tuple[str, ...]               # ("ok",) or SQLite's first problems, or why it did not open
    foreign_key_violations: int
    chain: dict | None                       # local_db.audit.verify_chain's report; None: not checked
    size: int
    checked_at: str

    @property
    def ok(self) -> bool:
        """The file is sound (a restore source must be): integrity_check says ok."""
        return self.readable and self.integrity == ("ok",)

    @property
    def healthy(self) -> bool:
        """Sound, every reference holds and the audit chain verifies."""
        return self.ok and self.foreign_key_violations == 0 and bool(self.chain and self.chain.get("ok"))

    def to_json(self) -> dict:
        return asdict(self) | {"ok": self.ok, "healthy": self.healthy}


def check(db_path: Path | str, clock: Clock = utc_now, *, quick: bool = False) -> IntegrityReport:
    """integrity_check (or quick_check), foreign_key_check and the audit chain of one database file."""
    path = Path(db_path)
    at = clock().isoformat(timespec="seconds")
    size = path.stat().st_size if path.exists() else 0
    if not path.is_file():
        return IntegrityReport(str(path), False, ("数据库文件不存在",), 0, None, 0, at)
    try:
        conn = read_only(path)
    except sqlite3.Error as exc:
        return IntegrityReport(str(path), False, (f"无法打开：{exc}",), 0, None, size, at)
    try:
        try:
            found = tuple(_sqlite_check(conn, quick))
        except sqlite3.DatabaseError as exc:
            return IntegrityReport(str(path), False, (f"无法读取：{exc}",), 0, None, size, at)
        violations, chain = _references_and_chain(conn)
        return IntegrityReport(str(path), True, found, violations, chain, size, at)
    finally:
        conn.close()


def problems(path: Path | str, *, quick: bool) -> list[str]:
    """["ok"], or SQLite's first problems, or why the file does not open: the yes/no check of a file."""
    try:
        conn = read_only(Path(path))
        try:
            return _sqlite_check(conn, quick)
        finally:
            conn.close()
    except sqlite3.Error as exc:
        return [f"{type(exc).__name__}: {exc}"]


def read_only(path: Path) -> sqlite3.Connection:
    """A connection that writes nothing (the WAL of a live database is still read)."""
    conn = sqlite3.connect(str(path), timeout=10.0, isolation_level=None)
    conn.execute("PRAGMA query_only=ON")
    return conn


def _sqlite_check(conn: sqlite3.Connection, quick: bool) -> list[str]:
    rows = conn.execute("PRAGMA quick_check" if quick else "PRAGMA integrity_check").fetchall()
    return [str(row[0]) for row in rows][:_MAX_PROBLEMS]


def _references_and_chain(conn: sqlite3.Connection) -> tuple[int, dict | None]:
    """(foreign_key_check violations, the audit chain report); a file damaged past its first check still
    gets a report, with the chain marked unreadable."""
    from local_db.audit import CHAIN_SCHEMA, verify_chain

    import sqlite_utils

    violations = chain = None
    try:
        violations = len(conn.execute("PRAGMA foreign_key_check").fetchall())
        if conn.execute("PRAGMA user_version").fetchone()[0] >= CHAIN_SCHEMA:
            chain = verify_chain(sqlite_utils.Database(conn)).to_json()
    except sqlite3.DatabaseError as exc:
        chain = {"ok": False, "detail": f"unreadable: {exc}"}
    return violations or 0, chain
