"""Agent mode: a proxy agent (帮办代办员) logs in at the station, works, and logs out by hand or when idle.

This controller owns the only reference to the AgentSession (read it as `MainWindow.agent_session`). The slow PIN
check and every audit write run on the "db" lane. Logging out asks the window to wipe whatever resident was on
screen (`logged_out`); the window's resident idle wipe logs the agent out in turn. Nothing typed is ever logged.
"""
from __future__ import annotations

import logging
from typing import Callable

from PySide6.QtCore import QEvent, QObject, QTimer, Signal

from kiosk.agents import AgentAuth, AgentSession, LoginRefused
from ui.agent_messages import empty_fields_message, refusal_message, unavailable_message
from ui.idle import INPUT_EVENTS
from ui.navigation import Navigator
from ui.screens.agent_login import AgentLoginScreen
from ui.screens.home import HomeScreen
from ui.statusbar import StatusBar
from ui.tasks import Tasks

log = logging.getLogger(__name__)

GROUP = "agent-login"
MANUAL, IDLE = "manual", "idle"


class AgentController(QObject):
    logged_in = Signal(object)    # the AgentSession
    logged_out = Signal(str)      # manual | idle

    def __init__(self, auth: AgentAuth, tasks: Tasks, nav: Navigator, screen: AgentLoginScreen,
                 home: HomeScreen, status_bar: StatusBar, is_busy: Callable[[], bool],
                 parent: QObject | None = None):
        super().__init__(parent)
        self.auth, self.tasks, self.nav = auth, tasks, nav
        self.screen, self.home, self.status_bar = screen, home, status_bar
        self._is_busy = is_busy       # a save or print under way: not idle, whatever the clock says
        self.session: AgentSession | None = None
        self._attempt = 0             # bumped when a login in flight is no longer wanted
        self._idle_timer = QTimer(self, interval=1000, timeout=self.check_idle)
        home.staff_login_requested.connect(self.open_login)
        screen.login_requested.connect(self.login)
        screen.back_requested.connect(self.leave_login)
        status_bar.logout_requested.connect(self.logout_when_free)

    # --- login ---------------------------------------------------------------------------------------------
    def open_login(self) -> None:
        self.screen.reset()
        self.nav.open(lambda: self.screen)

    def leave_login(self) -> None:
        self.cancel_login()
        self.screen.reset()
        self.nav.back()

    def login(self, agent_id: str, secret: str) -> None:
        if not agent_id or not secret:
            self.screen.show_refusal(empty_fields_message())
            return
        self._attempt += 1
        attempt = self._attempt
        self.screen.set_checking(True)
        self.tasks.run("db", lambda: self.auth.login(agent_id, secret),
                       lambda result: self._answered(attempt, result),
                       lambda error: self._broken(attempt, error), group=GROUP)

    def cancel_login(self) -> None:
        """A check still running will not log anyone in (the screen was left or wiped meanwhile)."""
        self._attempt += 1

    def _answered(self, attempt: int, result: AgentSession | LoginRefused) -> None:
        if attempt != self._attempt:
            if isinstance(result, AgentSession):   # audited as a login: close it in the trail as well
                self._end_in_background(result, MANUAL)
            return
        if isinstance(result, AgentSession):
            self._start(result)
        else:
            log.info("agent login refused: %s", result.reason.value)
            self.screen.show_refusal(refusal_message(result))

    def _broken(self, attempt: int, error: BaseException) -> None:
        log.error("agent login failed: %s", type(error).__name__)   # the type only: nothing typed is logged
        if attempt == self._attempt:
            self.screen.show_refusal(unavailable_message())

    def _start(self, session: AgentSession) -> None:
        self.session = session
        log.info("agent logged in")
        self.status_bar.show_agent(session.agent_id)
        self.home.staff_button.hide()
        self.screen.reset()
        self._idle_timer.start()
        self.nav.home()
        self.logged_in.emit(session)

    # --- logout --------------------------------------------------------------------------------------------
    def logout_when_free(self) -> None:
        """退出 tapped: a save or print under way finishes first (its receipt must not be wiped away)."""
        if self._is_busy():
            QTimer.singleShot(200, self.logout_when_free)
            return
        self.logout(MANUAL)

    def logout(self, reason: str = MANUAL) -> bool:
        """End agent mode now; False when nobody was logged in. The audit line is written in the background."""
        session = self.session
        if session is None:
            return False
        self.session = None
        self._idle_timer.stop()
        self.status_bar.hide_agent()
        self.home.staff_button.show()
        self._end_in_background(session, reason)
        log.info("agent logged out: %s", reason)
        self.logged_out.emit(reason)
        return True

    def _end_in_background(self, session: AgentSession, reason: str) -> None:
        self.tasks.run("db", lambda: self.auth.logout(session, reason), lambda _none: None,
                       lambda error: log.error("agent logout not audited: %s", type(error).__name__))

    # --- idle ----------------------------------------------------------------------------------------------
    def set_idle_interval(self, ms: int) -> None:
        """How often idleness is checked (1 s on a kiosk; tests with short timeouts check more often)."""
        self._idle_timer.setInterval(ms)

    def check_idle(self) -> None:
        session = self.session
        if session is None:
            return
        if self._is_busy():
            session.touch()
        elif session.expired():
            self.logout(IDLE)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Installed on the application: any touch or key keeps the agent's session alive."""
        if self.session is not None and event.type() in INPUT_EVENTS:
            self.session.touch()
        return False
