"""Supervisor review at the station: the list of held filings, and approving or sending one back, on the db lane.

Only a logged-in agent whose credential has the supervisor role sees the way in (the desk's 审核 button); the core
checks the role again and refuses a supervisor's own filing (local_db/review.py).
"""
from __future__ import annotations

import logging
from typing import Callable

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QObject

from kiosk.agents import AgentSession
from local_db.review import SUPERVISOR, ReviewDesk, ReviewRefused
from ui.messages import Message, message_for
from ui.navigation import Navigator
from ui.screens.review import ReviewScreen
from ui.tasks import Tasks

log = logging.getLogger(__name__)

GROUP = "review"


def is_supervisor(session: AgentSession | None) -> bool:
    return session is not None and session.role == SUPERVISOR


class ReviewController(QObject):
    def __init__(self, desk: ReviewDesk, agent: Callable[[], AgentSession | None], tasks: Tasks, nav: Navigator,
                 screen: ReviewScreen, parent: QObject | None = None,
                 label_of: Callable[[str, str], str] = lambda item_id, key: key):
        super().__init__(parent)
        self.desk, self.agent, self.tasks, self.nav, self.screen = desk, agent, tasks, nav, screen
        self.label_of = label_of
        screen.approve_requested.connect(self.approve)
        screen.reject_requested.connect(self.reject)
        screen.back_requested.connect(nav.back)
        screen.home_requested.connect(nav.home)

    def open(self) -> None:
        if not is_supervisor(self.agent()):
            return
        self.nav.open(lambda: self.screen)
        self.refresh()

    def refresh(self) -> None:
        self.screen.show_loading()
        self.tasks.run("db", self.desk.awaiting, self._listed, self._failed, group=GROUP)

    def approve(self, application_id: str) -> None:
        self._decide(application_id, lambda s: self.desk.approve(application_id, s.agent_id, s.role))

    def reject(self, application_id: str, reason: str, note: str = "") -> None:
        self._decide(application_id, lambda s: self.desk.reject(application_id, s.agent_id, s.role, reason, note))

    def _decide(self, application_id: str, call: Callable[[AgentSession], None]) -> None:
        session = self.agent()
        if not is_supervisor(session):
            return
        session.touch()
        self.screen.set_deciding(application_id, True)
        self.tasks.run("db", lambda: call(session), lambda _none: self.refresh(), self._failed, group=GROUP)

    def _listed(self, entries: list) -> None:
        if is_supervisor(self.agent()):   # logged out meanwhile: nothing is shown
            self.screen.show_entries(entries, self.label_of)

    def _failed(self, error: BaseException) -> None:
        code = error.code if isinstance(error, ReviewRefused) else type(error).__name__
        log.warning("review step failed: %s", code)
        self.screen.show_error(refused_message(error))
        if isinstance(error, ReviewRefused):
            self.refresh()

    def logged_out(self) -> None:
        self.tasks.forget(GROUP)
        self.screen.clear_personal()


def refused_message(error: BaseException) -> Message:
    code = getattr(error, "code", "")
    if code not in _REFUSALS:
        return message_for(None)
    return Message(*(QCoreApplication.translate("Review", text) for text in _REFUSALS[code]))


_REFUSALS = {"own_filing": (QT_TRANSLATE_NOOP("Review", "不能审核自己代办的件"),
                            QT_TRANSLATE_NOOP("Review", "请另一位审核员审核")),
             "not_awaiting": (QT_TRANSLATE_NOOP("Review", "这一件已经审核过了"), QT_TRANSLATE_NOOP("Review", "列表已刷新")),
             "not_supervisor": (QT_TRANSLATE_NOOP("Review", "只有审核员可以审核"),
                                QT_TRANSLATE_NOOP("Review", "请审核员登录"))}
