"""The UI's part in updates: confirm the release once the home screen is up, and install a staged update at the
quiet hour when nobody uses the kiosk. The decisions are kiosk/updates.py's; this only schedules and restarts."""
from __future__ import annotations

import logging
from pathlib import Path
from typing import Callable

from PySide6.QtCore import QCoreApplication, QObject, QTimer

from kiosk.ids import Clock, utc_now
from kiosk.updates import (RESTART_EXIT_CODE, ApplyResult, QuietWindow, apply_staged, confirm_running, due,
                           running_release, staged_update)

log = logging.getLogger(__name__)
CHECK_MS = 60_000
SYNC_STOP_S = 30.0        # a push under way on a slow link is let finish
SYNC_BUSY = "sync_busy"   # ApplyResult.reason: not installed, and sync is stopped: restart the app


def request_restart() -> None:
    """Leave the event loop with the code the service manager restarts on; the launcher starts the new release."""
    QCoreApplication.exit(RESTART_EXIT_CODE)


def install_staged(core, app_root: Path | None, clock: Clock = utc_now, actor: str = "system") -> ApplyResult:
    """On the db lane: apply the staged update with sync paused. A push between the database backup and the
    restart would give the hub audit entries that a rollback (which restores the backup) takes back, forking the
    chain. Not installed: sync resumes; sync that would not stop in time: the restart brings it back."""
    sync = core.sync
    if sync is not None and not sync.stop(SYNC_STOP_S):
        log.warning("update not installed: sync did not stop in time; restarting")
        return ApplyResult(False, reason=SYNC_BUSY)
    audit = core.audit.record if core.audit is not None else None
    result = apply_staged(app_root, core.data_dir, clock, audit=audit, actor=actor)
    if not result.applied and sync is not None:
        sync.start()
    return result


def confirm_release(core, tasks, app_root: Path | None) -> None:
    """Once the home screen is shown: the release running now has come up (a trial is confirmed), and what the
    launcher did meanwhile (a rollback) goes into the audit trail. On the db lane: it writes files and a row."""
    if app_root is None:
        return
    work = lambda: confirm_running(app_root, running_release(app_root), data_dir=core.data_dir,  # noqa: E731
                                   audit=core.audit.record if core.audit is not None else None)
    tasks.run("db", work, lambda confirmed: log.info("release confirmed") if confirmed else None,
              lambda error: log.error("release confirmation failed: %s", type(error).__name__))


class UpdateTimer(QObject):
    """Every minute: inside the quiet window and idle, apply the staged update and restart into it."""

    def __init__(self, core, tasks, is_idle: Callable[[], bool], app_root: Path | None, *,
                 clock: Clock = utc_now, restart: Callable[[], None] = request_restart,
                 parent: QObject | None = None):
        super().__init__(parent)
        self.core, self.tasks, self.is_idle, self.app_root = core, tasks, is_idle, app_root
        self.clock, self.restart = clock, restart
        self.quiet = QuietWindow.from_config(core.config)
        self._working = False
        self._restart_pending = False
        self.timer = QTimer(self)
        self.timer.setInterval(CHECK_MS)
        self.timer.timeout.connect(self.check)

    def start(self) -> None:
        if self.app_root is not None:   # a development checkout never installs
            self.timer.start()

    def check(self) -> None:
        if self._restart_pending:
            if self.is_idle():
                self.restart()
            return
        if self._working or self.app_root is None or not due(self.clock(), self.quiet, self.is_idle):
            return
        self._working = True
        self.tasks.run("db", self._apply, self._applied, self._failed)

    def _apply(self) -> ApplyResult | None:   # on the db lane
        if staged_update(self.core.data_dir, self.app_root) is None:
            return None
        return install_staged(self.core, self.app_root, self.clock)

    def _applied(self, result: ApplyResult | None) -> None:
        self._working = False
        if result is None or not (result.applied or result.reason == SYNC_BUSY):
            return
        self._restart_pending = True
        self.check()   # restarts now, or as soon as the kiosk is free again

    def _failed(self, error: BaseException) -> None:
        self._working = False
        log.error("installing the staged update failed: %s", type(error).__name__)
