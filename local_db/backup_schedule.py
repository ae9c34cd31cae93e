"""Scheduled backups: a daemon thread that takes one at start and then whenever the newest usable one is old."""
from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Callable

from kiosk.ids import Clock, utc_now
from local_db.backup import (BACKUPS_DIR, DB_FILE, BackupError, BackupInfo, backup, list_backups, newest_good,
                             ring_key_ids)

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class BackupSchedule:
    interval_h: float

    def due(self, now: datetime, newest_usable: datetime | None) -> bool:
        """A backup is due when none usable exists or the newest is `interval_h` old; never when disabled (0)."""
        if self.interval_h <= 0:
            return False
        return newest_usable is None or now - newest_usable >= timedelta(hours=self.interval_h)


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
        newest = newest_good(list_backups(self.data_dir / BACKUPS_DIR), ring_key_ids(self.data_dir))
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
