"""Database backups: taking, listing, pruning, judging and restoring them.

Backups are copies of `kiosk.db` taken with SQLite's online backup API (the kiosk keeps serving: in WAL mode a
reader blocks no writer), checked with `PRAGMA integrity_check` before they count, and kept as
`<data dir>/backups/kiosk-<UTC stamp>.db`. They hold only what the live file holds: sealed personal data.

A backup opens only with a key ring that still holds every key its sealed values name. A rotation
(local_db/sealing.py) retires the old keys, so the backups taken before it no longer open: they are reported as
`keys_retired`, never restored, and the schedule (local_db/backup_schedule.py) takes a fresh backup at once.
Retired-key backups are dropped by the next backup's pruning once a usable one exists (their data cannot be read
any more).

A restore replaces the file while nothing has it open, so it happens at start-up only (local_db/recovery.py).
"""
from __future__ import annotations

import logging
import os
import re
import shutil
import sqlite3
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

from kiosk.ids import Clock, utc_now
from local_db.fsutil import fsync_dir
from local_db.integrity import problems, read_only

log = logging.getLogger(__name__)

DB_FILE = "kiosk.db"
BACKUPS_DIR = "backups"
KEEP_DEFAULT = 7
_NAME = re.compile(r"kiosk-(\d{8}T\d{6}Z)(?:-(\d+))?\.db")
_STAMP = "%Y%m%dT%H%M%SZ"
_SIDE_FILES = ("-wal", "-shm", "-journal")


class BackupError(Exception):
    """A backup, check or restore that could not be done; `str()` is the reason in Chinese for the technician."""


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
    copy_to(db_path, target)
    info = BackupInfo(target, now, target.stat().st_size)
    prune(backups_dir, keep, ring_keys() if ring_keys else None)
    log.info("database backed up to %s (%d bytes)", target.name, info.size)
    return info


def copy_to(db_path: Path | str, target: Path | str) -> None:
    """A checked copy of the live database at `target` (also the update's pre-update copy, kiosk/updates.py);
    BackupError, and no file left behind, when it cannot be made."""
    db_path, target = Path(db_path), Path(target)
    target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.tmp")
    try:
        _copy_checked(db_path, tmp, target)
    except BackupError:
        _unlink(tmp)
        raise
    except (sqlite3.Error, OSError) as exc:
        _unlink(tmp)
        raise BackupError(_disk_reason(exc, "备份失败")) from exc


def prune(backups_dir: Path, keep: int, ring_keys: set[str] | None = None) -> list[Path]:
    """Keep the newest `keep` backups and, whatever `keep` says, the newest good one (it passes its integrity
    check and its keys are in the ring). Backups whose keys are retired go once a good one exists."""
    backups = list_backups(backups_dir)
    good = newest_good(backups, ring_keys)
    removed = []
    for index, info in enumerate(backups):
        if info == good:
            continue
        retired = ring_keys is not None and good is not None and not keys_available(info.path, ring_keys)
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


def _copy_checked(db_path: Path, tmp: Path, target: Path) -> None:
    """The copy becomes `target` only once it passes integrity_check and is on disk."""
    _copy_online(db_path, tmp)
    found = problems(tmp, quick=False)
    if found != ["ok"]:
        raise BackupError("备份副本未通过完整性检查（数据库可能已损坏）：" + "; ".join(found[:3]))
    _fsync_file(tmp)
    os.replace(tmp, target)
    fsync_dir(target.parent)


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


def newest_good(backups: list[BackupInfo], ring_keys: set[str] | None) -> BackupInfo | None:
    """The newest of `backups` (newest first) that passes quick_check and whose keys are in the ring."""
    return next((b for b in backups if _is_good(b.path, ring_keys)), None)


def _is_good(path: Path, ring_keys: set[str] | None) -> bool:
    return problems(path, quick=True) == ["ok"] and (ring_keys is None or keys_available(path, ring_keys))


# --- keys ------------------------------------------------------------------------------------------------------

def key_ids_used(db_path: Path | str) -> set[str]:
    """Every key id a sealed value of the file names (local_db/keys.py formats), read without the ring."""
    from local_db.keys import BYTES_PREFIX, KEY_ID_LEN, TEXT_PREFIX
    from local_db.sealing import SEALED_COLUMNS

    conn = read_only(Path(db_path))
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
    found = problems(info.path, quick=False)
    if found != ["ok"]:
        return BackupStatus(info, False, "备份已损坏：" + found[0])
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
    aside = _set_aside(db_path, aside_label, clock) if db_path.exists() else None
    os.replace(tmp, db_path)
    fsync_dir(db_path.parent)
    log.warning("database restored from backup %s; the file it replaced is %s", backup_path.name,
                aside.name if aside else "none")
    return Restored(backup_path.name, aside)


def _set_aside(db_path: Path, label: str, clock: Clock) -> Path:
    """Move the database and its side files to `<name>.<label>-<stamp>`: kept for the salvage and the district."""
    aside = db_path.with_name(f"{db_path.name}.{label}-{clock().astimezone(timezone.utc).strftime(_STAMP)}")
    os.replace(db_path, aside)
    for suffix in _SIDE_FILES:
        side = db_path.with_name(db_path.name + suffix)
        if side.exists():
            os.replace(side, aside.with_name(aside.name + suffix))
    return aside


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
