"""The consent step of an agent's filing: between 确认提交 and the save, the resident signs, shows their own
浙里办 code, or refuses.

Placed after the summary rather than right after identification because that is what a station does with paper:
the resident reads what will be filed, then signs under it. Consent given earlier would cover answers the agent
typed afterwards, which the resident never saw. The session stays the ResidentController's; this controller only
asks the core on its lanes (the "resident" group, so a wipe drops late results) and hands back to the save.
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


class ConsentController(QObject):
    def __init__(self, resident: ResidentController, tasks: Tasks, nav: Navigator, screen: ConsentScreen,
                 notify_withdrawn: Callable[[Message], None], parent: QObject | None = None):
        super().__init__(parent)
        self.resident, self.flow, self.tasks, self.nav = resident, resident.flow, tasks, nav
        self.screen = screen
        self._notify_withdrawn = notify_withdrawn   # the agent home shows it: nothing was saved
        resident.consent_needed.connect(self.ask)
        resident.session_ended.connect(screen.clear_personal)
        screen.signed.connect(self.sign)
        screen.code_requested.connect(self.confirm_by_code)
        screen.cancel_code_requested.connect(self.cancel_code)
        screen.withdraw_requested.connect(self.withdraw)
        screen.back_requested.connect(self.back_to_summary)
        screen.home_requested.connect(resident.finish)   # wiped like any screen; not audited as the resident's refusal

    @property
    def session(self) -> ResidentSession | None:
        return self.resident.session

    def ask(self, session: ResidentSession) -> None:
        item = session.item
        self.screen.show_request(item.name, session.agent.agent_id, session.identity.masked_name(),
                                 item.department)
        self.nav.open(lambda: self.screen, remember=False)

    def back_to_summary(self) -> None:
        self.screen.clear_personal()
        self.nav.open(lambda: self.resident.confirm, remember=False)

    # --- consent given -------------------------------------------------------------------------------------
    def sign(self, png: bytes) -> None:
        session = self.session
        if session is None:
            return
        try:   # hashing a small PNG: no I/O, nothing to put on a lane
            self.flow.record_consent(session, "signature", png)
        except (FlowError, ValueError) as error:
            log.warning("signature consent refused: %s", getattr(error, "code", type(error).__name__))
            self.screen.show_error(message_for_error(error))
            return
        self._consented()

    def confirm_by_code(self) -> None:
        session = self.session
        if session is None:
            return
        self.screen.show_waiting()
        self.tasks.run("qr", self.resident.owned(session, lambda: self.flow.confirm_by_zlb_code(session)),
                       lambda _consent: self._consented(),
                       lambda error: self.screen.show_error(message_for_error(error, via_qr=True)), group=GROUP)

    def cancel_code(self) -> None:
        """Stop the scanner waiting (a retry must not queue behind a 30 s wait); a late result is dropped."""
        self.tasks.forget(GROUP)
        self.flow.cancel_identify()
        self.screen.show_choice()

    def _consented(self) -> None:
        self.screen.clear_personal()   # the signature now lives on the session only, until the save writes it
        self.resident.save_on_confirm_screen()

    # --- consent refused -----------------------------------------------------------------------------------
    def withdraw(self) -> None:
        """Wipe and audit on the db lane; whatever the audit write does, the resident's data is gone."""
        session = self.session
        if session is None:
            return
        self.screen.set_busy(True)
        self.tasks.run("db", lambda: self.flow.withdraw_consent(session),
                       lambda _none: self._withdrawn(), self._withdraw_failed, group=GROUP)

    def _withdraw_failed(self, error: BaseException) -> None:
        log.error("consent withdrawal not audited: %s", type(error).__name__)
        self._withdrawn()

    def _withdrawn(self) -> None:
        self.resident.end_session(go_home=True)
        self._notify_withdrawn(message_for(Problem.CONSENT_WITHDRAWN))
