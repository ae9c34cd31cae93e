"""The app recovers from its own crash: an exception escaping a Qt slot (a tap's handler, a background task's
callback, a timer) must not leave the kiosk on a half-drawn screen with a resident's data on it.

Installed by ui.app.run() as sys.excepthook and threading.excepthook. On the GUI thread's exceptions it logs the
type and where (kiosk.crash: never the message, never locals), wipes the resident as the idle wipe does (never
while a save or print is under way: it waits for that to finish, so the record and its receipt complete), shows
the home screen with a plain notice, and emits `recovered` (maintenance closes itself on it). A crash on another
thread is logged and counted but leaves the resident alone: the screen is not broken by it. A storm of crashes
ends the process with EXIT_CRASH_STORM for the service manager to start it afresh.
"""
from __future__ import annotations

import logging
import os
import sys
import threading
from typing import Callable

from PySide6.QtCore import QCoreApplication, QObject, Qt, QTimer, Signal, Slot
from PySide6.QtWidgets import QVBoxLayout, QWidget

from kiosk.crash import EXIT_CRASH_STORM, CrashReport, CrashStorm, describe
from ui.widgets import frame, label

log = logging.getLogger(__name__)

NOTICE_MS = 20_000       # the notice stays this long on the home screen, or until someone starts something
BUSY_POLL_MS = 250       # a save or print under way: ask again this often...
BUSY_WAIT_MAX = 120      # ...at most this many times (30 s); then recover anyway: the record is committed or not
HARD_EXIT_S = 15.0       # the storm exit did not finish (a stuck thread, a hung close): leave without cleanup


class CrashNotice(QWidget):
    """One plain line above the screens: the resident's session was lost, start again."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        box = frame("warn")
        self.text = label(self.tr("刚才出了点问题，请重新开始"), "big")
        self.text.setAlignment(Qt.AlignmentFlag.AlignCenter)
        box.layout().addWidget(self.text)
        row = QVBoxLayout(self)
        row.setContentsMargins(32, 12, 32, 0)
        row.addWidget(box)
        self._timer = QTimer(self, singleShot=True, interval=NOTICE_MS, timeout=self.hide)
        self.hide()

    def show_notice(self) -> None:
        self.show()
        self._timer.start()


class CrashGuard(QObject):
    recovered = Signal()                       # the resident was wiped and the home screen is shown
    _crashed = Signal(object, bool)            # CrashReport, happened on the GUI thread; from any thread

    def __init__(self, window, storm: CrashStorm, on_storm: Callable[[int], None], parent: QObject | None = None):
        super().__init__(parent if parent is not None else window)
        self.window = window
        self.storm = storm
        self.on_storm = on_storm
        self.crashes = 0
        self.notice = CrashNotice()
        window.layout().insertWidget(1, self.notice)   # below the status strip, above the screens
        window.nav.changed.connect(self._screen_changed)
        self._crashed.connect(self._handle, Qt.ConnectionType.QueuedConnection)   # after the crashed slot unwinds
        self._gui_thread = threading.current_thread()
        self._previous: tuple | None = None
        self._pending = False
        self._waits = 0

    def install(self) -> None:
        self._previous = (sys.excepthook, threading.excepthook)
        sys.excepthook = self._on_exception
        threading.excepthook = self._on_thread_exception

    def uninstall(self) -> None:
        if self._previous is None:
            return
        if sys.excepthook == self._on_exception:
            sys.excepthook = self._previous[0]
        if threading.excepthook == self._on_thread_exception:
            threading.excepthook = self._previous[1]
        self._previous = None

    # --- hooks: any thread ---------------------------------------------------------------------------------
    def _on_exception(self, exc_type, exc, tb) -> None:
        if issubclass(exc_type, KeyboardInterrupt) and self._previous is not None:   # a developer's Ctrl+C
            self._previous[0](exc_type, exc, tb)
            return
        thread = threading.current_thread()
        self._report(describe(exc_type, exc, tb, thread.name), thread is self._gui_thread)

    def _on_thread_exception(self, args) -> None:
        if args.exc_type is SystemExit:
            return
        name = args.thread.name if args.thread is not None else "?"
        self._report(describe(args.exc_type, args.exc_value, args.exc_traceback, name), False)

    def _report(self, report: CrashReport, on_gui: bool) -> None:
        log.error("crash: %s", report.log_line())   # at once: the queued handling may never come if all is stuck
        try:
            self._crashed.emit(report, on_gui)
        except RuntimeError:   # the guard is already gone (shutting down): logged, nothing left to recover
            pass

    # --- on the GUI thread ---------------------------------------------------------------------------------
    @Slot(object, bool)
    def _handle(self, report: CrashReport, on_gui: bool) -> None:
        self.crashes += 1
        if self.storm.record():
            log.critical("crash storm: %d crashes within %.0f s; exiting for the service manager to restart",
                         self.storm.recent, self.storm.window_s)
            self.on_storm(EXIT_CRASH_STORM)
            return
        if on_gui and not self._pending:
            self._pending, self._waits = True, 0
            QTimer.singleShot(0, self._recover)

    def _recover(self) -> None:
        if self.window.core.idle.is_busy and self._waits < BUSY_WAIT_MAX:
            self._waits += 1
            QTimer.singleShot(BUSY_POLL_MS, self._recover)
            return
        self._pending = False      # first: a recovery that itself crashes is another crash, counted for the storm
        self.window.agent.cancel_login()
        self.window.forget_resident()
        self.notice.show_notice()
        log.info("recovered from a crash: session wiped, home screen shown")
        self.recovered.emit()

    def _screen_changed(self, screen: QWidget) -> None:
        if screen not in (self.window.screens.home, self.window.screens.agent_home):
            self.notice.hide()


def exit_for_restart(code: int) -> None:
    """Leave the event loop with `code` (main.py returns it; the service manager restarts the kiosk); if the
    orderly way out hangs, leave anyway. The database is safe either way: every save is one transaction."""
    QCoreApplication.exit(code)
    timer = threading.Timer(HARD_EXIT_S, os._exit, (code,))
    timer.daemon = True
    timer.start()


def install_crash_guard(window, config, on_storm: Callable[[int], None] = exit_for_restart) -> CrashGuard:
    storm = CrashStorm(config["crash_storm_count"], config["crash_storm_window_s"])
    guard = CrashGuard(window, storm, on_storm)
    guard.recovered.connect(lambda: window.maintenance.exit("crash"))   # the technician starts again too
    guard.install()
    return guard
