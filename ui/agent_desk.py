"""The agent's desk: their home after login, the way to file for a resident, and their work queue.

The queue is read on the "db" lane (the store's lock), when it is shown and whenever sync reports, since a sync
round is what moves a filing from 待同步 on to the hub's answer. 补打回执 reprints a receipt of the agent's own
filing that the printer still owes (kiosk/owed_receipts.py), on the same lane, as the resident's print runs.
"""
from __future__ import annotations

import logging
from typing import Callable

from PySide6.QtCore import QCoreApplication, QObject

from kiosk.agents import AgentSession
from kiosk.owed_receipts import Reprint
from local_db.audit import agent_actor
from ui.messages import Message, message_for
from ui.navigation import Navigator
from ui.screens.agent_home import AgentHomeScreen
from ui.screens.home import HomeScreen
from ui.screens.work_queue import WorkQueueScreen
from ui.tasks import Tasks

log = logging.getLogger(__name__)

GROUP = "agent-desk"


class AgentDeskController(QObject):
    def __init__(self, read_queue: Callable[[str], list], agent: Callable[[], AgentSession | None], tasks: Tasks,
                 nav: Navigator, desk: AgentHomeScreen, queue: WorkQueueScreen, home: HomeScreen,
                 discard: Callable[[str, AgentSession], None] = lambda draft_id, agent: None,
                 reprint: Callable[[str, str], Reprint] | None = None, parent: QObject | None = None):
        super().__init__(parent)
        self.read_queue, self.agent, self.tasks, self.nav = read_queue, agent, tasks, nav
        self.discard, self.reprint = discard, reprint
        self.desk, self.queue, self.home = desk, queue, home
        desk.file_requested.connect(self.file_for_resident)
        desk.queue_requested.connect(self.open_queue)
        queue.discard_requested.connect(self.discard_draft)
        queue.reprint_requested.connect(self.reprint_receipt)
        queue.back_requested.connect(nav.back)
        queue.home_requested.connect(nav.home)

    def logged_in(self, session: AgentSession) -> None:
        self.desk.show_agent(session.agent_id, supervisor=session.role == "supervisor")

    def logged_out(self) -> None:
        self.tasks.forget(GROUP)

    def open_desk(self) -> None:
        """The status-bar badge: back to the desk from anywhere (a resident on screen is left as the 首页 does)."""
        if self.agent() is not None:
            self.nav.home()

    def file_for_resident(self) -> None:
        self.nav.open(lambda: self.home)

    def open_queue(self) -> None:
        self.queue.clear_reprint()
        self.nav.open(lambda: self.queue)
        self.refresh()

    def discard_draft(self, draft_id: str) -> None:
        """删除草稿: deleted (secure_delete) and audited on the db lane, then the queue is read again."""
        session = self.agent()
        if session is None:
            return
        self.tasks.run("db", lambda: self.discard(draft_id, session), lambda _none: self.refresh(),
                       self._failed, group=GROUP)

    def reprint_receipt(self, receipt_no: str) -> None:
        """补打回执: printed on the db lane and audited as the agent's; a fault leaves it owed, said on the queue."""
        session = self.agent()
        if session is None or self.reprint is None:
            return
        session.touch()
        actor = agent_actor(session.agent_id)
        self.tasks.run("db", lambda: self.reprint(receipt_no, actor), self._reprinted, self._failed, group=GROUP)

    def _reprinted(self, outcome: Reprint) -> None:
        if self.agent() is None:
            return
        words, next_step = (QCoreApplication.translate("OwedReceipts", t) if t else "" for t in outcome.words())
        self.queue.show_reprint(outcome.receipt_no, outcome.printed, words, next_step)
        if outcome.printed:
            self.refresh()   # its 补打回执 goes

    def refresh_if_shown(self) -> None:
        if self.nav.current is self.queue:
            self.refresh()

    def refresh(self) -> None:
        session = self.agent()
        if session is None:
            return
        agent_id = session.agent_id
        self.queue.show_loading()
        self.tasks.run("db", lambda: self.read_queue(agent_id), self._read, self._failed, group=GROUP)

    def _read(self, entries: list) -> None:
        if self.agent() is not None:   # logged out meanwhile: the queue stays empty
            self.queue.show_entries(entries)

    def _failed(self, error: BaseException) -> None:
        log.error("work queue not read: %s", type(error).__name__)
        self.queue.show_error(message_for(None))

    def show_notice(self, message: Message) -> None:
        self.desk.show_notice(message)
