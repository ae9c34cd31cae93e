"""Restores at start-up: the one a technician staged, or the recovery of a corrupt or vanished database.

A restore replaces a file the running kiosk holds open, so it happens before the database is opened
(kiosk.app.open_local_db). The file it replaces is set aside, never deleted; the rows the backup lacks are
copied across from it as far as it can still be read (local_db/salvage.py), receipt numbers continue past every
one that may have been issued (local_db/receipt_numbers.py), and the technician is told in a notice
(local_db/notices.py).
"""
from __future__ import annotations

import json
import logging
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from kiosk.ids import Clock, utc_now
from local_db.backup import (BACKUPS_DIR, DB_FILE, BackupError, BackupInfo, Restored, backup_status, list_backups,
                             restore, ring_key_ids)
from local_db.fsutil import atomic_write
from local_db.integrity import problems
from local_db.notices import Notices, notice_text
from local_db.receipt_numbers import guard_after_restore, local_day
from local_db.salvage import WHOLE_FILE, Salvage, salvage

log = logging.getLogger(__name__)

RESTORE_REQUEST = "restore-request.json"
# What was found at start, as the notice's kind.
REQUESTED, CORRUPT, MISSING = "db_restore_requested", "db_restored", "db_missing_restored"


class DatabaseUnrecoverable(Exception):
    """The database is corrupt and no backup passes its checks: the kiosk must not serve on an empty one."""

    code = "db_corrupt_no_backup"


@dataclass(frozen=True)
class Recovery:
    notice: dict
    restored: Restored
    salvage: Salvage
    receipt_floors: dict[str, int]   # local day -> numbers up to it may have been issued (receipt_numbers.py)


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


def order_restore(data_dir: Path | str, backup_name: str, trail=None, actor: str = "technician",
                  clock: Clock = utc_now) -> None:
    """A technician's restore from the maintenance screen: checked and staged now, audited, done at the next
    start (the kiosk restarts)."""
    from local_db import audit

    request_restore(data_dir, backup_name, clock)
    if trail is not None:
        trail.record(actor, audit.DB_RESTORED, backup_name)


def recover_at_start(data_dir: Path | str, clock: Clock = utc_now,
                     audit: Callable[[Path, str], None] | None = None) -> Recovery | None:
    """Before the database is opened: carry out a restore a technician asked for, or replace a corrupt (or
    vanished) database with the newest backup that passes its checks, salvaging what the old file still holds.
    `audit(db_path, backup_name)` records the restore in the restored database. DatabaseUnrecoverable when
    the database is corrupt and no backup will do."""
    data_dir = Path(data_dir)
    kind, wanted = _what_to_restore(data_dir, data_dir / DB_FILE)
    if kind is None:
        return None
    recovery = _restore_first_usable(data_dir, kind, wanted, clock)
    (data_dir / RESTORE_REQUEST).unlink(missing_ok=True)   # done or impossible: never tried again
    if recovery is not None:
        if audit is not None:
            audit(data_dir / DB_FILE, recovery.restored.backup)
        return recovery
    return _nothing_restored(data_dir, kind, wanted, clock)


def _restore_first_usable(data_dir: Path, kind: str, wanted: str | None, clock: Clock) -> Recovery | None:
    """The newest backup (or the one wanted) that passes its checks and restores, salvaged and noticed."""
    ring = ring_key_ids(data_dir)
    db_path = data_dir / DB_FILE
    for info in (b for b in list_backups(data_dir / BACKUPS_DIR) if wanted is None or b.name == wanted):
        status = backup_status(info, ring)
        if not status.ok:
            log.error("backup %s not usable: %s", info.name, status.reason)
            continue
        try:
            restored = restore(info.path, db_path, clock, ring_keys=ring,
                               aside_label="replaced" if kind == REQUESTED else "damaged")
        except BackupError as exc:   # e.g. no room for the copy: nothing was moved, try the next one
            log.error("restore from %s failed: %s", info.name, exc)
            continue
        return _complete(data_dir, kind, info, restored, clock)
    return None


def _complete(data_dir: Path, kind: str, info: BackupInfo, restored: Restored, clock: Clock) -> Recovery:
    """The restored file brought up to date: salvage, receipt floors, then the technician's notice."""
    db_path = data_dir / DB_FILE
    found = _salvage_after(restored, db_path)
    now = clock()
    floors = guard_after_restore(db_path, restored.aside, info.taken_at, now, found.lost("applications"))
    notice = _notify(data_dir, kind, info, restored, found, floors.get(local_day(now)), clock)
    return Recovery(notice, restored, found, floors)


def _notify(data_dir: Path, kind: str, info: BackupInfo, restored: Restored, found: Salvage,
            receipt_floor: int | None, clock: Clock) -> dict:
    notice = Notices(data_dir, clock).add(kind, backup=info.name, aside=restored.aside.name if restored.aside
                                          else None, salvaged=found.total_copied, unreadable=found.total_unreadable,
                                          receipt_floor=receipt_floor)
    log.error("%s", notice_text(notice))
    return notice


def _nothing_restored(data_dir: Path, kind: str, wanted: str | None, clock: Clock) -> None:
    """No backup would do: a staged restore is dropped with a notice; a corrupt database stops the kiosk."""
    if kind == REQUESTED:
        log.error("the requested restore of %s could not be done; the database is kept as it is", wanted)
        Notices(data_dir, clock).add("db_restore_failed", backup=wanted)
        return None
    if kind == MISSING:
        return None   # no backup either: a new kiosk's first start
    log.error("kiosk database is corrupt and no backup passes its checks")
    raise DatabaseUnrecoverable(DatabaseUnrecoverable.code)


def _what_to_restore(data_dir: Path, db_path: Path) -> tuple[str | None, str | None]:
    """(the notice kind, the backup wanted or None for the newest usable); (None, None): nothing to do."""
    request = data_dir / RESTORE_REQUEST
    if request.exists():
        try:
            return REQUESTED, str(json.loads(request.read_text(encoding="utf-8"))["backup"])
        except (OSError, ValueError, KeyError, TypeError):
            request.unlink(missing_ok=True)
    if not db_path.exists():
        return (MISSING, None) if list_backups(data_dir / BACKUPS_DIR) else (None, None)
    found = problems(db_path, quick=True)
    if found == ["ok"]:
        return None, None
    log.error("kiosk database failed its quick check: %s", found[0][:200])
    return CORRUPT, None


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
        return Salvage(unreadable={WHOLE_FILE: None})
