"""Maintenance mode: the hidden gesture, the technician's login, the session with its idle exit, and 退出维护.

The gesture is five taps on the station name in the status strip within three seconds: a resident has no reason
to tap plain text at all, let alone five times in a row, and it needs no keyboard on a touchscreen. It opens the
login only while the kiosk is at rest (home screen, no resident session, no save or print under way, no agent
logged in). The PIN check and every audit write run on the "db" lane. The session ends by hand, after
`technician_idle_timeout_s` without a touch, or with the resident idle wipe; each time the panels drop what they
show and the kiosk goes home. This controller owns the only reference to the TechnicianSession.
"""
from __future__ import annotations

import logging
import time
from typing import Callable

from PySide6.QtCore import QEvent, QObject, QTimer, Signal
from PySide6.QtWidgets import QWidget

from kiosk.technicians import MaintenanceRefused, TechnicianAuth, TechnicianSession
from ui.idle import INPUT_EVENTS
from ui.navigation import Navigator
from ui.screens.maint_login import MaintLoginScreen, empty_message, refusal_message, unavailable_message
from ui.screens.maintenance import MaintenanceScreen
from ui.tasks import Tasks
from ui.update_timer import request_restart

log = logging.getLogger(__name__)

GROUP = "maint-login"
MANUAL, IDLE = "manual", "idle"
TAPS, WITHIN_S = 5, 3.0
TAP_EVENTS = (QEvent.Type.MouseButtonRelease, QEvent.Type.TouchEnd)


class TapStreak(QObject):
    """Counts taps on one widget; `completed` when `taps` of them fall within `within_s` seconds."""
    completed = Signal()

    def __init__(self, target: QWidget, taps: int = TAPS, within_s: float = WITHIN_S,
                 clock: Callable[[], float] = time.monotonic, parent: QObject | None = None):
        super().__init__(parent)
        self.taps, self.within_s, self.clock = taps, within_s, clock
        self._times: list[float] = []
        target.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in TAP_EVENTS:
            self.tap()
        return False

    def tap(self) -> None:
        now = self.clock()
        self._times = [t for t in self._times if now - t <= self.within_s] + [now]
        if len(self._times) >= self.taps:
            self._times.clear()
            self.completed.emit()


class MaintenanceController(QObject):
    entered = Signal(object)     # the TechnicianSession
    exited = Signal(str)         # manual | idle

    def __init__(self, auth: TechnicianAuth, tasks: Tasks, nav: Navigator, login_screen: MaintLoginScreen,
                 screen: MaintenanceScreen, can_open: Callable[[], bool], parent: QObject | None = None):
        super().__init__(parent)
        self.auth, self.tasks, self.nav = auth, tasks, nav
        self.login_screen, self.screen = login_screen, screen
        self._can_open = can_open     # the kiosk is at rest: nobody's session or save would be interrupted
        self.session: TechnicianSession | None = None
        self._attempt = 0
        self._idle_timer = QTimer(self, interval=1000, timeout=self.check_idle)
        login_screen.login_requested.connect(self.login)
        login_screen.back_requested.connect(self.leave_login)
        screen.exit_requested.connect(lambda: self.exit(MANUAL))
        screen.restart_requested.connect(self._restart)
        self.restart: Callable[[], None] = request_restart   # tests put a recorder here

    def watch_gesture(self, target: QWidget) -> TapStreak:
        streak = TapStreak(target, parent=self)
        streak.completed.connect(self.open_login)
        return streak

    def technician(self) -> str | None:
        """The audit actor of the technician in maintenance (technician:<id>), or None."""
        return self.session.actor if self.session is not None else None

    # --- login ---------------------------------------------------------------------------------------------
    def open_login(self) -> bool:
        if self.session is not None or not self._can_open():
            log.info("maintenance gesture ignored: the kiosk is in use")
            return False
        self.login_screen.reset()
        self.nav.open(lambda: self.login_screen)
        return True

    def leave_login(self) -> None:
        self._attempt += 1
        self.login_screen.reset()
        self.nav.home()

    def login(self, technician_id: str, pin: str) -> None:
        if not pin:
            self.login_screen.show_refusal(empty_message())
            return
        self._attempt += 1
        attempt = self._attempt
        self.login_screen.set_checking(True)
        self.tasks.run("db", lambda: self.auth.login(technician_id, pin),
                       lambda result: self._answered(attempt, result), lambda error: self._broken(attempt, error),
                       group=GROUP)

    def _answered(self, attempt: int, result: TechnicianSession | MaintenanceRefused) -> None:
        if attempt != self._attempt:
            if isinstance(result, TechnicianSession):   # audited as entered: close it in the trail as well
                self._end_in_background(result, MANUAL)
            return
        if isinstance(result, TechnicianSession):
            self._start(result)
        else:
            self.login_screen.show_refusal(refusal_message(result))

    def _broken(self, attempt: int, error: BaseException) -> None:
        log.error("maintenance login failed: %s", type(error).__name__)   # the type only: nothing typed
        if attempt == self._attempt:
            self.login_screen.show_refusal(unavailable_message())

    def _start(self, session: TechnicianSession) -> None:
        self.session = session
        self.login_screen.reset()
        self.screen.start(session.technician_id, session.actor)
        self.nav.open(lambda: self.screen, remember=False)
        self._idle_timer.start()
        self.entered.emit(session)

    # --- exit ----------------------------------------------------------------------------------------------
    def exit(self, reason: str = MANUAL) -> bool:
        """End maintenance now (panels cleared, home); False when nobody was in. Audited in the background."""
        self._attempt += 1                   # a check still running lets nobody in (and is closed in the trail)
        session = self.session
        if session is None:
            if self.nav.current is self.login_screen:
                self.leave_login()
            return False
        self.session = None
        self._idle_timer.stop()
        self.screen.clear()
        self._end_in_background(session, reason)
        log.info("maintenance mode ended: %s", reason)
        self.nav.home()
        self.exited.emit(reason)
        return True

    def _restart(self) -> None:
        """A restore ordered in the database tab happens at start: leave maintenance, then restart the app with
        the code the service restarts on, once the exit's audit line (queued first on the db lane) is written."""
        self.exit(MANUAL)
        self.tasks.run("db", lambda: None, lambda _none: self.restart())

    def _end_in_background(self, session: TechnicianSession, reason: str) -> None:
        self.tasks.run("db", lambda: self.auth.exit(session, reason), lambda _none: None,
                       lambda error: log.error("maintenance exit not audited: %s", type(error).__name__))

    # --- idle ----------------------------------------------------------------------------------------------
    def set_idle_interval(self, ms: int) -> None:
        self._idle_timer.setInterval(ms)

    def check_idle(self) -> None:
        if self.session is not None and self.session.expired():
            self.exit(IDLE)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Installed on the application: any touch or key keeps the technician's session alive."""
        if self.session is not None and event.type() in INPUT_EVENTS:
            self.session.touch()
        return False
