"""A step the resident signs after reading the summary: on the touchscreen pad, with their own 浙里办 code, or by
refusing. Consent to an agent's filing (ui/consent.py) and the 告知承诺书 of 容缺受理 (ui/commitment.py) are two
such steps on the same screen class; this holds what they share, each says what signing records and what follows.

The session stays the ResidentController's; a step only asks the core on its lanes (the "resident" group, so a
wipe drops late results). A refusal wipes the session, is audited on the db lane, and nothing is saved.
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


class SignedStepController(QObject):
    WHAT = "signed step"   # for the log: which step refused or failed

    def __init__(self, resident: ResidentController, tasks: Tasks, nav: Navigator, screen: ConsentScreen,
                 notify_withdrawn: Callable[[Message], None], parent: QObject | None = None):
        super().__init__(parent)
        self.resident, self.flow, self.tasks, self.nav = resident, resident.flow, tasks, nav
        self.screen = screen
        self._notify_withdrawn = notify_withdrawn   # the agent home shows it: nothing was saved
        resident.session_ended.connect(screen.clear_personal)
        screen.signed.connect(self.sign)
        screen.code_requested.connect(self.sign_by_code)
        screen.cancel_code_requested.connect(self.cancel_code)
        screen.withdraw_requested.connect(self.withdraw)
        screen.back_requested.connect(self.back_to_summary)
        screen.home_requested.connect(resident.finish)   # wiped like any screen; not audited as a refusal

    # --- what each step records, and what follows it ---------------------------------------------------------
    def record_signature(self, session: ResidentSession, png: bytes) -> None:
        raise NotImplementedError

    def record_by_code(self, session: ResidentSession) -> None:
        raise NotImplementedError

    def done(self) -> None:
        raise NotImplementedError

    # --- shared ----------------------------------------------------------------------------------------------
    @property
    def session(self) -> ResidentSession | None:
        return self.resident.session

    def back_to_summary(self) -> None:
        self.screen.clear_personal()
        self.nav.open(lambda: self.resident.confirm, remember=False)

    def sign(self, png: bytes) -> None:
        session = self.session
        if session is None:
            return
        try:   # hashing a small PNG: no I/O, nothing to put on a lane
            self.record_signature(session, png)
        except (FlowError, ValueError) as error:
            log.warning("%s refused: %s", self.WHAT, getattr(error, "code", type(error).__name__))
            self.screen.show_error(message_for_error(error))
            return
        self.done()

    def sign_by_code(self) -> None:
        session = self.session
        if session is None:
            return
        self.screen.show_waiting()
        self.tasks.run("qr", self.resident.owned(session, lambda: self.record_by_code(session)),
                       lambda _result: self.done(),
                       lambda error: self.screen.show_error(message_for_error(error, via_qr=True)), group=GROUP)

    def cancel_code(self) -> None:
        """Stop the scanner waiting (a retry must not queue behind a 30 s wait); a late result is dropped."""
        self.tasks.forget(GROUP)
        self.flow.cancel_identify()
        self.screen.show_choice()

    def withdraw(self) -> None:
        """Wipe and audit on the db lane; whatever the audit write does, the resident's data is gone."""
        session = self.session
        if session is None:
            return
        self.screen.set_busy(True)
        self.tasks.run("db", lambda: self.flow.withdraw_consent(session),
                       lambda _none: self._withdrawn(), self._withdraw_failed, group=GROUP)

    def _withdraw_failed(self, error: BaseException) -> None:
        log.error("%s refusal not audited: %s", self.WHAT, type(error).__name__)
        self._withdrawn()

    def _withdrawn(self) -> None:
        self.resident.end_session(go_home=True)
        self._notify_withdrawn(message_for(Problem.CONSENT_WITHDRAWN))
