"""有求必应 from the agent's desk: open the form, file the need on the "db" lane, show the number or the problems.

The draft never leaves the screen until the store has it: a refusal (bad input) or a failed save leaves every
field as typed. Logging out forgets a save still running; its result is not shown to whoever comes next.
"""
from __future__ import annotations

import logging
from typing import Callable

from PySide6.QtCore import QObject

from kiosk.agents import AgentSession
from kiosk.needs import NeedDraft, NeedRefused
from ui.agent_messages import need_save_failed_message
from ui.navigation import Navigator
from ui.screens.need_form import NeedFormScreen
from ui.tasks import Tasks

log = logging.getLogger(__name__)

GROUP = "agent-need"


class NeedController(QObject):
    def __init__(self, file_need: Callable[[NeedDraft, str], object], agent: Callable[[], AgentSession | None],
                 tasks: Tasks, nav: Navigator, screen: NeedFormScreen, parent: QObject | None = None):
        super().__init__(parent)
        self.file_need, self.agent, self.tasks, self.nav, self.screen = file_need, agent, tasks, nav, screen
        screen.submitted.connect(self.submit)
        screen.done_requested.connect(nav.home)
        screen.back_requested.connect(nav.back)
        screen.home_requested.connect(nav.home)

    def open(self) -> None:
        self.screen.reset()
        self.nav.open(lambda: self.screen)

    def submit(self, draft: NeedDraft) -> None:
        session = self.agent()
        if session is None:
            return
        agent_id = session.agent_id
        self.screen.set_saving(True)
        self.tasks.run("db", lambda: self.file_need(draft, agent_id), self._filed, self._failed, group=GROUP)

    def logged_out(self) -> None:
        self.tasks.forget(GROUP)

    def _filed(self, result) -> None:
        self.screen.set_saving(False)
        if isinstance(result, NeedRefused):
            log.info("need refused: %s", ",".join(sorted(result.errors)))   # field names only
            self.screen.show_errors(result.errors)
        else:
            log.info("need filed")
            self.screen.show_saved(result)

    def _failed(self, error: BaseException) -> None:
        log.error("need not saved: %s", type(error).__name__)
        self.screen.set_saving(False)
        self.screen.show_failure(need_save_failed_message())
