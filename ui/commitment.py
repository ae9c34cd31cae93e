"""容缺受理: after 确认提交, the resident signs the 告知承诺书 (on the pad or with their own 浙里办 code), or refuses.

The same screen class as the consent step (ui/screens/consent.py), showing the commitment's text: which materials
are missing and by when they must be supplied. Signed, the flow goes on as 确认提交 would (the agent's consent
step, or the save); refused, the session is wiped and nothing is saved, as for a withdrawn consent.
"""
from __future__ import annotations

import logging
from typing import Callable

from PySide6.QtCore import QObject

from kiosk.flow import FlowError, Problem, ResidentSession
from ui.messages import Message, message_for, message_for_error
from ui.navigation import Navigator
from ui.resident import GROUP, ResidentController
from ui.screens.consent import ConsentScreen
from ui.tasks import Tasks

log = logging.getLogger(__name__)


class CommitmentController(QObject):
    def __init__(self, resident: ResidentController, tasks: Tasks, nav: Navigator, screen: ConsentScreen,
                 notify_withdrawn: Callable[[Message], None], parent: QObject | None = None):
        super().__init__(parent)
        self.resident, self.flow, self.tasks, self.nav = resident, resident.flow, tasks, nav
        self.screen = screen
        self._notify_withdrawn = notify_withdrawn
        resident.commitment_needed.connect(self.ask)
        resident.session_ended.connect(screen.clear_personal)
        screen.signed.connect(self.sign)
        screen.code_requested.connect(self.sign_by_code)
        screen.cancel_code_requested.connect(self.cancel_code)
        screen.withdraw_requested.connect(self.withdraw)
        screen.back_requested.connect(self.back_to_summary)
        screen.home_requested.connect(resident.finish)

    @property
    def session(self) -> ResidentSession | None:
        return self.resident.session

    def ask(self, session: ResidentSession) -> None:
        self.screen.show_commitment(self.flow.commitment_text(session))
        self.nav.open(lambda: self.screen, remember=False)

    def back_to_summary(self) -> None:
        self.screen.clear_personal()
        self.nav.open(lambda: self.resident.confirm, remember=False)

    def sign(self, png: bytes) -> None:
        session = self.session
        if session is None:
            return
        try:
            self.flow.sign_commitment(session, png)
        except (FlowError, ValueError) as error:
            log.warning("commitment refused: %s", getattr(error, "code", type(error).__name__))
            self.screen.show_error(message_for_error(error))
            return
        self._signed()

    def sign_by_code(self) -> None:
        session = self.session
        if session is None:
            return
        self.screen.show_waiting()
        self.tasks.run("qr", self.resident.owned(session, lambda: self.flow.commit_by_zlb_code(session)),
                       lambda _deferral: self._signed(),
                       lambda error: self.screen.show_error(message_for_error(error, via_qr=True)), group=GROUP)

    def cancel_code(self) -> None:
        self.tasks.forget(GROUP)
        self.flow.cancel_identify()
        self.screen.show_choice()

    def _signed(self) -> None:
        self.screen.clear_personal()
        self.nav.open(lambda: self.resident.confirm, remember=False)
        self.resident.confirmed()   # the agent's consent next, or the save

    def withdraw(self) -> None:
        session = self.session
        if session is None:
            return
        self.screen.set_busy(True)
        self.tasks.run("db", lambda: self.flow.withdraw_consent(session),
                       lambda _none: self._withdrawn(), self._withdraw_failed, group=GROUP)

    def _withdraw_failed(self, error: BaseException) -> None:
        log.error("commitment refusal not audited: %s", type(error).__name__)
        self._withdrawn()

    def _withdrawn(self) -> None:
        self.resident.end_session(go_home=True)
        self._notify_withdrawn(message_for(Problem.CONSENT_WITHDRAWN))
