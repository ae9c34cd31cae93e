"""Database backups, integrity checks and restores, and the recovery of a corrupt database at start-up.

Backups are copies of `kiosk.db` taken with SQLite's online backup API (the kiosk keeps serving: in WAL mode a
reader blocks no writer), checked with `PRAGMA integrity_check` before they count, and kept as
`<data dir>/backups/kiosk-<UTC stamp>.db`. They hold only what the live file holds: sealed personal data.

A backup opens only with a key ring that still holds every key its sealed values name. A rotation
(local_db/sealing.py) retires the old keys, so the backups taken before it no longer open: they are reported as
`keys_retired`, never restored, and the schedule takes a fresh backup at once (`BackupSchedule.due`). Retired-key
backups are dropped by the next backup's pruning once a usable one exists (their data cannot be read any more).

A restore replaces the file while nothing has it open, so it happens at start-up only: the corrupt database
found there (`recover_at_start`), or the restore a technician asked for in the maintenance screen
(`request_restore`, then the kiosk restarts). Records the restored backup lacks are copied across from the file
it replaces as far as that file can still be read (`salvage`), and the technician is told in a notice.
"""
from __future__ import annotations

import json
import logging
import os
import re
import shutil
import sqlite3
import threading
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Callable, Iterable

from kiosk.ids import Clock, utc_now
from local_db.audit_chain import Link
from local_db.fsutil import _fsync_dir, atomic_write

log = logging.getLogger(__name__)

DB_FILE = "kiosk.db"
BACKUPS_DIR = "backups"
NOTICES_FILE = "maintenance-notices.json"
RESTORE_REQUEST = "restore-request.json"
KEEP_DEFAULT = 7
_NAME = re.compile(r"kiosk-(\d{8}T\d{6}Z)(?:-(\d+))?\.db")
_STAMP = "%Y%m%dT%H%M%SZ"
_SIDE_FILES = ("-wal", "-shm", "-journal")


class BackupError(Exception):
    """A backup, check or restore that could not be done; `str()` is the reason in Chinese for the technician."""


class DatabaseUnrecoverable(Exception):
    """The database is corrupt and no backup passes its checks: the kiosk must not serve on an empty one."""

    code = "db_corrupt_no_backup"


# --- backups ---------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class BackupInfo:
    path: Path
    taken_at: datetime
    size: int

    @property
    def name(self) -> str:
        return self.path.name


def list_backups(backups_dir: Path | str) -> list[BackupInfo]:
    """Finished backups, newest first (temp files of a backup under way are not listed)."""
    found = []
    directory = Path(backups_dir)
    if not directory.is_dir():
        return []
    for path in directory.iterdir():
        match = _NAME.fullmatch(path.name)
        if match and path.is_file():
            taken = datetime.strptime(match.group(1), _STAMP).replace(tzinfo=timezone.utc)
            found.append((taken, int(match.group(2) or 0), BackupInfo(path, taken, path.stat().st_size)))
    return [info for *_, info in sorted(found, key=lambda t: (t[0], t[1]), reverse=True)]


def backup(db_path: Path | str, backups_dir: Path | str, clock: Clock = utc_now, *, keep: int = KEEP_DEFAULT,
           ring_keys: Callable[[], set[str] | None] | None = None) -> BackupInfo:
    """Copy the database into a new checked backup and prune the old ones; BackupError when it cannot.

    `ring_keys` gives the key ids the ring holds now (None: unknown), for pruning backups whose keys are gone."""
    db_path, backups_dir = Path(db_path), Path(backups_dir)
    if not db_path.is_file():
        raise BackupError("没有数据库文件，无法备份")
    backups_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    now = clock()
    target = _free_name(backups_dir, now)
    tmp = backups_dir / f".{target.name}.tmp"
    try:
        _copy_online(db_path, tmp)
        problems = _integrity(tmp, quick=False)
        if problems != ["ok"]:
            raise BackupError("备份副本未通过完整性检查（数据库可能已损坏）：" + "; ".join(problems[:3]))
        _fsync_file(tmp)
        os.replace(tmp, target)
        _fsync_dir(backups_dir)
    except BackupError:
        _unlink(tmp)
        raise
    except (sqlite3.Error, OSError) as exc:
        _unlink(tmp)
        raise BackupError(_disk_reason(exc, "备份失败")) from exc
    info = BackupInfo(target, now, target.stat().st_size)
    prune(backups_dir, keep, ring_keys() if ring_keys else None)
    log.info("database backed up to %s (%d bytes)", target.name, info.size)
    return info


def prune(backups_dir: Path, keep: int, ring_keys: set[str] | None = None) -> list[Path]:
    """Keep the newest `keep` backups and, whatever `keep` says, the newest good one (it passes its integrity
    check and its keys are in the ring). Backups whose keys are retired go once a good one exists."""
    backups = list_backups(backups_dir)
    newest_good = next((b for b in backups if _is_good(b.path, ring_keys)), None)
    removed = []
    for index, info in enumerate(backups):
        if info == newest_good:
            continue
        retired = ring_keys is not None and newest_good is not None and not keys_available(info.path, ring_keys)
        if index >= max(keep, 1) or retired:
            _unlink(info.path)
            removed.append(info.path)
    return removed


def _free_name(backups_dir: Path, now: datetime) -> Path:
    stamp = now.astimezone(timezone.utc).strftime(_STAMP)
    target, n = backups_dir / f"kiosk-{stamp}.db", 1
    while target.exists():
        n += 1
        target = backups_dir / f"kiosk-{stamp}-{n}.db"
    return target


def _copy_online(db_path: Path, target: Path) -> None:
    """SQLite's online backup into `target`, left as a self-contained file (rollback journal, not WAL)."""
    _unlink(target)
    source = sqlite3.connect(str(db_path), timeout=10.0)
    try:
        dest = sqlite3.connect(str(target))
        try:
            source.backup(dest)
            dest.execute("PRAGMA journal_mode=DELETE")
        finally:
            dest.close()
    finally:
        source.close()


def _is_good(path: Path, ring_keys: set[str] | None) -> bool:
    return _integrity(path, quick=True) == ["ok"] and (ring_keys is None or keys_available(path, ring_keys))


# --- integrity -------------------------------------------------------------------------------------------------

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
    """integrity_check (or quick_check), foreign_key_check and the audit chain of one database file, read only."""
    from local_db.audit import CHAIN_SCHEMA, verify_chain

    import sqlite_utils

    path = Path(db_path)
    at = clock().isoformat(timespec="seconds")
    size = path.stat().st_size if path.exists() else 0
    if not path.is_file():
        return IntegrityReport(str(path), False, ("数据库文件不存在",), 0, None, 0, at)
    try:
        conn = _reader(path)
    except sqlite3.Error as exc:
        return IntegrityReport(str(path), False, (f"无法打开：{exc}",), 0, None, size, at)
    try:
        try:
            problems = tuple(_rows_text(conn.execute("PRAGMA quick_check" if quick else "PRAGMA integrity_check")))
        except sqlite3.DatabaseError as exc:
            return IntegrityReport(str(path), False, (f"无法读取：{exc}",), 0, None, size, at)
        fk = chain = None
        try:
            fk = len(conn.execute("PRAGMA foreign_key_check").fetchall())
            if conn.execute("PRAGMA user_version").fetchone()[0] >= CHAIN_SCHEMA:
                chain = verify_chain(sqlite_utils.Database(conn)).to_json()
        except sqlite3.DatabaseError as exc:
            chain = {"ok": False, "detail": f"unreadable: {exc}"}
        return IntegrityReport(str(path), True, problems[:20], fk or 0, chain, size, at)
    finally:
        conn.close()


def _integrity(path: Path, quick: bool) -> list[str]:
    try:
        conn = _reader(path)
        try:
            return _rows_text(conn.execute("PRAGMA quick_check" if quick else "PRAGMA integrity_check"))[:20]
        finally:
            conn.close()
    except sqlite3.Error as exc:
        return [f"{type(exc).__name__}: {exc}"]


def _reader(path: Path) -> sqlite3.Connection:
    """A connection that writes nothing (the WAL of a live database is still read)."""
    conn = sqlite3.connect(str(path), timeout=10.0, isolation_level=None)
    conn.execute("PRAGMA query_only=ON")
    return conn


def _rows_text(cursor: sqlite3.Cursor) -> list[str]:
    return [str(row[0]) for row in cursor.fetchall()]


# --- keys ------------------------------------------------------------------------------------------------------

def key_ids_used(db_path: Path | str) -> set[str]:
    """Every key id a sealed value of the file names (local_db/keys.py formats), read without the ring."""
    from local_db.keys import BYTES_PREFIX, KEY_ID_LEN, TEXT_PREFIX
    from local_db.sealing import SEALED_COLUMNS

    conn = _reader(Path(db_path))
    try:
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        used: set[str] = set()
        for column in SEALED_COLUMNS:
            if column.table not in tables:
                continue
            if column.binary:
                sql = (f"SELECT DISTINCT CAST(substr({column.column}, {len(BYTES_PREFIX) + 1}, {KEY_ID_LEN}) AS TEXT)"
                       f" FROM {column.table} WHERE substr({column.column}, 1, {len(BYTES_PREFIX)}) = ?")
                args: tuple = (BYTES_PREFIX,)
            else:
                sql = (f"SELECT DISTINCT substr({column.column}, {len(TEXT_PREFIX) + 1}, {KEY_ID_LEN})"
                       f" FROM {column.table} WHERE substr({column.column}, 1, {len(TEXT_PREFIX)}) = ?")
                args = (TEXT_PREFIX,)
            try:
                used.update(row[0] for row in conn.execute(sql, args))
            except sqlite3.OperationalError:   # an older schema without this column
                continue
        return used
    finally:
        conn.close()


def keys_available(db_path: Path | str, ring_keys: set[str]) -> bool:
    try:
        return key_ids_used(db_path) <= ring_keys
    except sqlite3.Error:
        return False


def ring_key_ids(data_dir: Path) -> set[str] | None:
    """The key ids of the data dir's ring; None when the ring cannot be read (then keys are not judged here:
    opening the database refuses a missing or foreign ring on its own)."""
    from local_db.keys import KeyProblem, KeyStore

    store = KeyStore(Path(data_dir) / "keys")
    if not store.exists():
        return None
    try:
        return set(store.load().keys)
    except Exception as exc:   # KeyProblem, TpmError: judged where the database is opened
        if not isinstance(exc, (KeyProblem, OSError)):
            log.warning("key ring not readable for the backup check: %s", type(exc).__name__)
        return None


@dataclass(frozen=True)
class BackupStatus:
    info: BackupInfo
    ok: bool                    # passes integrity_check and opens with the ring
    reason: str                 # why not, in Chinese; "" when ok


def backup_status(info: BackupInfo, ring_keys: set[str] | None) -> BackupStatus:
    problems = _integrity(info.path, quick=False)
    if problems != ["ok"]:
        return BackupStatus(info, False, "备份已损坏：" + problems[0])
    if ring_keys is not None and not keys_available(info.path, ring_keys):
        return BackupStatus(info, False, "备份用已停用的数据密钥加密（密钥轮换之前），无法再打开")
    return BackupStatus(info, True, "")


# --- restore ---------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Restored:
    backup: str                 # the backup's file name
    aside: Path | None          # where the replaced database went (None: there was none)


def restore(backup_path: Path | str, db_path: Path | str, clock: Clock = utc_now, *,
            ring_keys: set[str] | None = None, aside_label: str = "damaged") -> Restored:
    """Put a checked backup in place of `db_path`, which nothing may have open. The current file (with its -wal
    and -shm) is moved aside as `kiosk.db.<aside_label>-<stamp>`, never deleted. BackupError when the backup does
    not pass its checks or the disk cannot take the copy; then nothing was moved."""
    backup_path, db_path = Path(backup_path), Path(db_path)
    status = backup_status(BackupInfo(backup_path, clock(), 0), ring_keys)
    if not status.ok:
        raise BackupError(status.reason)
    tmp = db_path.with_name(f".{db_path.name}.restore.tmp")
    try:
        shutil.copyfile(backup_path, tmp)   # first the copy: a full disk leaves everything as it was
        _fsync_file(tmp)
    except OSError as exc:
        _unlink(tmp)
        raise BackupError(_disk_reason(exc, "恢复失败")) from exc
    aside = None
    if db_path.exists():
        aside = db_path.with_name(f"{db_path.name}.{aside_label}-{clock().astimezone(timezone.utc).strftime(_STAMP)}")
        os.replace(db_path, aside)
        for suffix in _SIDE_FILES:
            side = db_path.with_name(db_path.name + suffix)
            if side.exists():
                os.replace(side, aside.with_name(aside.name + suffix))
    os.replace(tmp, db_path)
    _fsync_dir(db_path.parent)
    log.warning("database restored from backup %s; the file it replaced is %s", backup_path.name,
                aside.name if aside else "none")
    return Restored(backup_path.name, aside)


# --- salvage ---------------------------------------------------------------------------------------------------

# Tables whose rows the kiosk made itself (pulled ones come again from the hub), parents before children.
SALVAGED = ("applications", "needs", "bookings", "ratings", "drafts", "attachments", "print_journal",
            "certificates", "outbox", "quarantine")
_AUDIT_COLUMNS = ("seq", "prev_hash", "hash", "id", "at", "actor", "action", "target", "outcome", "station_id")


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


def salvage(damaged_path: Path | str, db_path: Path | str) -> Salvage:
    """Copy into `db_path` the rows of `damaged_path` it lacks, as stored (sealed values stay sealed: both files
    use the same ring). Damaged pages are skipped by reading rowid ranges around them."""
    result = Salvage()
    try:
        source = sqlite3.connect(str(damaged_path), isolation_level=None)
        source.execute("PRAGMA query_only=ON")
    except sqlite3.Error:
        result.unreadable["*"] = None
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


def _columns(conn: sqlite3.Connection, table: str) -> list[str]:
    return [row[1] for row in conn.execute(f"PRAGMA table_info({table})").fetchall()]


def _read_table(source: sqlite3.Connection, table: str, columns: Iterable[str]) -> tuple[list[tuple], list[int] | None]:
    """(rows as (rowid, *columns), rowids that could not be read); None for the second when the table's extent
    cannot be found at all."""
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


def _salvage_table(source, target, table: str, result: Salvage) -> None:
    try:
        columns = [c for c in _columns(source, table) if c in set(_columns(target, table))]
    except sqlite3.DatabaseError:
        result.unreadable[table] = None
        return
    if not columns:
        return
    rows, lost = _read_table(source, table, columns)
    if lost is None:
        result.unreadable[table] = None
    else:
        present = {row[0] for row in target.execute(f"SELECT rowid FROM {table}")}
        missing = [rowid for rowid in lost if rowid not in present]
        if missing:
            result.unreadable[table] = len(missing)
    copied = 0
    for _rowid, *values in rows:
        record = dict(zip(columns, values))
        if table in ("outbox", "quarantine"):
            copied += _salvage_queued(target, table, record)
        else:
            copied += _insert(target, table, record, "OR IGNORE")
    if copied:
        result.copied[table] = copied


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
    cols = ", ".join(_AUDIT_COLUMNS)
    try:
        rows = source.execute(f"SELECT {cols} FROM audit WHERE seq > ? ORDER BY seq", (seq,)).fetchall()
    except sqlite3.DatabaseError:
        rows, lost = _read_table(source, "audit", _AUDIT_COLUMNS)
        rows = sorted((r[1:] for r in rows if r[1] is not None and r[1] > seq), key=lambda r: r[0])
        if lost is None or lost:
            result.unreadable["audit"] = len(lost) if lost is not None else None
    copied = 0
    for row in rows:
        link = Link(*row)
        if link.seq != seq + 1 or link.prev_hash != prev or link.expected_hash() != link.hash:
            break
        target.execute(f"INSERT OR IGNORE INTO audit ({cols}) VALUES ({', '.join('?' * len(row))})", row)
        seq, prev = link.seq, link.hash
        copied += 1
    return copied


# --- notices for the technician --------------------------------------------------------------------------------

class Notices:
    """`maintenance-notices.json` in the data dir: what happened while no technician was there (a database
    restored at start), shown in the maintenance screen until acknowledged. Counts and file names only."""

    def __init__(self, data_dir: Path | str, clock: Clock = utc_now):
        self.path = Path(data_dir) / NOTICES_FILE
        self.clock = clock
        self._lock = threading.Lock()

    def all(self) -> list[dict]:
        try:
            body = json.loads(self.path.read_text(encoding="utf-8"))
            notices = body.get("notices", []) if isinstance(body, dict) else []
            return [n for n in notices if isinstance(n, dict) and "id" in n]
        except (OSError, ValueError):
            return []

    def pending(self) -> list[dict]:
        return [n for n in self.all() if not n.get("acknowledged_at")]

    def add(self, kind: str, **details) -> dict:
        with self._lock:
            notices = self.all()
            now = self.clock()
            notice = {"id": f"{kind}-{now.astimezone(timezone.utc).strftime(_STAMP)}-{len(notices) + 1}",
                      "kind": kind, "at": now.isoformat(timespec="seconds"), "acknowledged_at": None, **details}
            self._write(notices + [notice])
        return notice

    def acknowledge(self, notice_id: str) -> bool:
        with self._lock:
            notices = self.all()
            found = False
            for notice in notices:
                if notice["id"] == notice_id and not notice.get("acknowledged_at"):
                    notice["acknowledged_at"] = self.clock().isoformat(timespec="seconds")
                    found = True
            if found:
                self._write(notices[-50:])   # the file stays small; acknowledged ones are history
        return found

    def _write(self, notices: list[dict]) -> None:
        atomic_write(self.path, json.dumps({"notices": notices}, ensure_ascii=False, indent=1).encode("utf-8"),
                     mode=0o600)


def notice_text(notice: dict) -> str:
    """The notice in Chinese for the technician."""
    if notice.get("kind") == "db_restore_failed":
        return f"要求的恢复未能完成（{notice.get('at')}）：备份 {notice.get('backup')}，数据库保持原样。"
    if notice.get("kind") not in ("db_restored", "db_missing_restored", "db_restore_requested"):
        return f"{notice.get('kind')}（{notice.get('at')}）"
    lead = {"db_restored": "数据库损坏，已自动从备份恢复",
            "db_missing_restored": "数据库文件丢失，已自动从备份恢复",
            "db_restore_requested": "已按技术员要求从备份恢复数据库"}[notice["kind"]]
    parts = [f"{lead}（{notice.get('at')}）：备份 {notice.get('backup')}"]
    if notice.get("aside"):
        parts.append(f"原数据库已保留为 {notice['aside']}")
    parts.append(f"从原数据库找回 {notice.get('salvaged', 0)} 条记录")
    unreadable = notice.get("unreadable", 0)
    if unreadable is None:
        parts.append("原数据库部分内容无法读取，备份之后的记录可能有丢失，数量无法统计")
    elif unreadable:
        parts.append(f"最多 {unreadable} 条记录因损坏无法找回")
    return "；".join(parts) + "。"


# --- start-up --------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Recovery:
    notice: dict
    restored: Restored
    salvage: Salvage


def request_restore(data_dir: Path | str, backup_name: str, clock: Clock = utc_now) -> None:
    """Ask for `backup_name` to be restored at the next start (the kiosk restarts right after). The backup is
    checked now, so the technician hears at once if it cannot be used; BackupError then."""
    data_dir = Path(data_dir)
    info = next((b for b in list_backups(data_dir / BACKUPS_DIR) if b.name == backup_name), None)
    if info is None:
        raise BackupError("找不到这个备份")
    status = backup_status(info, ring_key_ids(data_dir))
    if not status.ok:
        raise BackupError(status.reason)
    atomic_write(data_dir / RESTORE_REQUEST, json.dumps(
        {"backup": backup_name, "at": clock().isoformat(timespec="seconds")}).encode("utf-8"), mode=0o600)


def recover_at_start(data_dir: Path | str, clock: Clock = utc_now,
                     audit: Callable[[Path, str], None] | None = None) -> Recovery | None:
    """Before the database is opened: carry out a restore a technician asked for, or replace a corrupt (or
    vanished) database with the newest backup that passes its checks, salvaging what the old file still holds.
    `audit(db_path, backup_name)` records the restore in the restored database. DatabaseUnrecoverable when
    the database is corrupt and no backup will do."""
    data_dir = Path(data_dir)
    db_path = data_dir / DB_FILE
    kind, wanted = _what_to_restore(data_dir, db_path)
    if kind is None:
        return None
    ring = ring_key_ids(data_dir)
    candidates = [b for b in list_backups(data_dir / BACKUPS_DIR) if wanted is None or b.name == wanted]
    for info in candidates:
        status = backup_status(info, ring)
        if not status.ok:
            log.error("backup %s not usable: %s", info.name, status.reason)
            continue
        label = "replaced" if kind == "db_restore_requested" else "damaged"
        try:
            restored = restore(info.path, db_path, clock, ring_keys=ring, aside_label=label)
        except BackupError as exc:   # e.g. no room for the copy: nothing was moved, try the next one
            log.error("restore from %s failed: %s", info.name, exc)
            continue
        found = _salvage_after(restored, db_path)
        notice = Notices(data_dir, clock).add(kind, backup=info.name, aside=restored.aside.name if restored.aside
                                              else None, salvaged=found.total_copied,
                                              unreadable=found.total_unreadable)
        (data_dir / RESTORE_REQUEST).unlink(missing_ok=True)
        log.error("%s", notice_text(notice))
        if audit is not None:
            audit(db_path, info.name)
        return Recovery(notice, restored, found)
    (data_dir / RESTORE_REQUEST).unlink(missing_ok=True)
    if kind == "db_restore_requested":
        log.error("the requested restore of %s could not be done; the database is kept as it is", wanted)
        Notices(data_dir, clock).add("db_restore_failed", backup=wanted)
        return None
    if kind == "db_missing_restored":
        return None   # no backup either: a new kiosk's first start
    log.error("kiosk database is corrupt and no backup passes its checks")
    raise DatabaseUnrecoverable(DatabaseUnrecoverable.code)


def _what_to_restore(data_dir: Path, db_path: Path) -> tuple[str | None, str | None]:
    request = data_dir / RESTORE_REQUEST
    if request.exists():
        try:
            return "db_restore_requested", str(json.loads(request.read_text(encoding="utf-8"))["backup"])
        except (OSError, ValueError, KeyError, TypeError):
            request.unlink(missing_ok=True)
    if not db_path.exists():
        return ("db_missing_restored", None) if list_backups(data_dir / BACKUPS_DIR) else (None, None)
    problems = _integrity(db_path, quick=True)
    if problems == ["ok"]:
        return None, None
    log.error("kiosk database failed its quick check: %s", problems[0][:200])
    return "db_restored", None


def _salvage_after(restored: Restored, db_path: Path) -> Salvage:
    """Migrate the restored file to this software's schema first (a backup may predate an update), then copy."""
    from local_db.db import apply_migrations

    import sqlite_utils

    conn = sqlite3.connect(str(db_path), isolation_level=None)
    try:
        apply_migrations(sqlite_utils.Database(conn))
    finally:
        conn.close()
    if restored.aside is None:
        return Salvage()
    try:
        return salvage(restored.aside, db_path)
    except sqlite3.Error as exc:
        log.error("salvage from %s failed: %s", restored.aside.name, exc)
        return Salvage(unreadable={"*": None})


# --- the maintenance screen's actions (Qt-free; ui/screens/maint_database.py schedules them) --------------------

def statuses(data_dir: Path | str) -> list[BackupStatus]:
    """Every backup, newest first, with whether it can be restored and why not."""
    data_dir = Path(data_dir)
    ring = ring_key_ids(data_dir)
    return [backup_status(info, ring) for info in list_backups(data_dir / BACKUPS_DIR)]


def backup_now(data_dir: Path | str, keep: int, trail=None, actor: str = "technician",
               clock: Clock = utc_now) -> BackupInfo:
    """A technician's backup, audited with the backup's file name."""
    from local_db import audit

    data_dir = Path(data_dir)
    info = backup(data_dir / DB_FILE, data_dir / BACKUPS_DIR, clock, keep=keep,
                  ring_keys=lambda: ring_key_ids(data_dir))
    if trail is not None:
        trail.record(actor, audit.DB_BACKED_UP, info.name)
    return info


def order_restore(data_dir: Path | str, backup_name: str, trail=None, actor: str = "technician",
                  clock: Clock = utc_now) -> None:
    """A technician's restore: checked and staged now, done at the next start (the kiosk restarts)."""
    from local_db import audit

    request_restore(data_dir, backup_name, clock)
    if trail is not None:
        trail.record(actor, audit.DB_RESTORED, backup_name)


def acknowledge(data_dir: Path | str, notice_id: str, trail=None, actor: str = "technician") -> bool:
    from local_db import audit

    done = Notices(data_dir).acknowledge(notice_id)
    if done and trail is not None:
        trail.record(actor, audit.NOTICE_ACKNOWLEDGED, notice_id)
    return done


# --- schedule --------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class BackupSchedule:
    interval_h: float

    def due(self, now: datetime, newest_good: datetime | None) -> bool:
        """A backup is due when none usable exists or the newest is `interval_h` old; never when disabled (0)."""
        if self.interval_h <= 0:
            return False
        return newest_good is None or now - newest_good >= timedelta(hours=self.interval_h)


class BackupScheduler:
    """A daemon thread taking the scheduled backups of one data dir: at start and then whenever due, only while
    `quiet()` (no resident mid-save). Its own connections; the resident flow is never waited on."""

    def __init__(self, data_dir: Path, interval_h: float, keep: int, quiet: Callable[[], bool] = lambda: True,
                 clock: Clock = utc_now, check_every_s: float = 600.0):
        self.data_dir = Path(data_dir)
        self.schedule = BackupSchedule(interval_h)
        self.keep = keep
        self.quiet = quiet
        self.clock = clock
        self.check_every_s = check_every_s
        self.last_error = ""
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self.schedule.interval_h > 0 and self._thread is None:
            self._thread = threading.Thread(target=self._run, name="db-backup", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=30)

    def run_once(self) -> BackupInfo | None:
        ring = ring_key_ids(self.data_dir)
        newest = next((b for b in list_backups(self.data_dir / BACKUPS_DIR) if _is_good(b.path, ring)), None)
        if not self.schedule.due(self.clock(), newest.taken_at if newest else None) or not self.quiet():
            return None
        try:
            info = backup(self.data_dir / DB_FILE, self.data_dir / BACKUPS_DIR, self.clock, keep=self.keep,
                          ring_keys=lambda: ring_key_ids(self.data_dir))
            self.last_error = ""
            return info
        except BackupError as exc:
            self.last_error = str(exc)
            log.error("scheduled backup failed: %s", exc)
            return None

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.run_once()
            except Exception:   # never let the thread die: the next round tries again
                log.exception("scheduled backup round failed")
            self._stop.wait(self.check_every_s)


# --- helpers ---------------------------------------------------------------------------------------------------

def _fsync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _unlink(path: Path) -> None:
    try:
        path.unlink()
    except FileNotFoundError:
        pass


def _disk_reason(exc: BaseException, what: str) -> str:
    text = str(exc).lower()
    if isinstance(exc, OSError) and exc.errno == 28 or "full" in text:
        return f"{what}：磁盘空间不足，请清理空间后重试（原有数据未受影响）"
    if isinstance(exc, OSError) and exc.errno in (13, 30) or "readonly" in text or "read-only" in text:
        return f"{what}：没有写入权限或磁盘只读（原有数据未受影响）"
    return f"{what}：{type(exc).__name__}（原有数据未受影响）"
