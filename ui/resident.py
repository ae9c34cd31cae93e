"""The resident's application: identify → form → confirm → save → receipt → rating.

This controller owns the only reference to the ResidentSession. Every blocking core call runs on a Tasks lane;
results return on the GUI thread. `end_session()` wipes the session and every screen that showed it.
"""
from __future__ import annotations

import logging
from typing import Callable

from PySide6.QtCore import QObject, QTimer, Signal

from kiosk.agents import AgentSession
from kiosk.flow import FlowError, PrintOutcome, Problem, ResidentSession, ServiceFlow
from kiosk.records import Application
from ui.i18n import data_text
from ui.messages import message_for, message_for_error
from ui.navigation import Navigator
from ui.screens.confirm import ConfirmScreen
from ui.screens.form import MASKED_PREFILLS, FormScreen
from ui.screens.identify import CARD, QR, SSCARD, IdentifyScreen
from ui.screens.rating import RatingScreen
from ui.screens.receipt import ReceiptScreen
from ui.tasks import Tasks

log = logging.getLogger(__name__)

GROUP = "resident"
THANKS_MS = 6000
RETRYABLE = (Problem.STORAGE_FULL, Problem.STORAGE_FAILED)


class ResidentController(QObject):
    session_ended = Signal()
    service_finished = Signal()   # the resident rated (or skipped rating): done, the next person may step up
    start_refused = Signal(object)    # ui.messages.Message: why the application cannot start here now
    consent_needed = Signal(object)   # the ResidentSession: an agent files for the resident, who must consent
    draft_saved = Signal()            # the agent kept the filing as a draft: the desk says so
    resume_refused = Signal(object)   # ui.messages.Message: the draft cannot be resumed (expired, paused item…)
    commitment_needed = Signal(object)   # the ResidentSession: 容缺受理 needs the signed 告知承诺书 first

    def __init__(self, flow: ServiceFlow, tasks: Tasks, nav: Navigator, identify: IdentifyScreen,
                 form: FormScreen, confirm: ConfirmScreen, receipt: ReceiptScreen, rating: RatingScreen,
                 agent: Callable[[], AgentSession | None] = lambda: None, parent: QObject | None = None):
        super().__init__(parent)
        self.flow, self.tasks, self.nav = flow, tasks, nav
        self.agent = agent   # asked at each start: a logged-in agent files on behalf of the resident
        self.identify, self.form, self.confirm, self.receipt, self.rating = identify, form, confirm, receipt, rating
        self.session: ResidentSession | None = None
        self._rating_for: tuple[str, str, str] | None = None   # (service, item id, item name) rated without a session
        self._thanks_timer = QTimer(self, singleShot=True, interval=THANKS_MS, timeout=self.finish)
        self._connect()

    def _connect(self) -> None:
        self.identify.method_chosen.connect(self.read_identity)
        self.identify.cancel_requested.connect(self.cancel_identify)
        self.identify.back_requested.connect(self.leave_to_guide)
        self.form.submitted.connect(self.check_form)
        self.form.back_requested.connect(self.identify_again)
        self.form.draft_requested.connect(self.save_draft)
        self.confirm.confirmed.connect(self.confirmed)
        self.confirm.edit_requested.connect(self.show_form)
        self.confirm.back_requested.connect(self.show_form)
        self.receipt.reprint_requested.connect(self.print_receipt)
        self.receipt.done.connect(self.ask_rating)
        self.rating.rated.connect(self.rate)
        self.rating.skipped.connect(self.finish)
        self.rating.finished.connect(self.finish)
        for screen in (self.identify, self.form, self.confirm):
            screen.home_requested.connect(self.finish)

    # --- start and identify --------------------------------------------------------------------------------
    def start(self, item_id: str) -> None:
        self._start(item_id, self.flow.begin_from_guide)

    def start_bundle(self, bundle_id: str) -> None:
        """一件事: the bundle's guide asked for one application covering every item."""
        self._start(bundle_id, self.flow.begin_bundle)

    def _begin(self, key: str, bundle: bool) -> ResidentSession:
        begin = self.flow.begin_bundle if bundle else self.flow.begin_from_guide
        return begin(key, agent=self.agent())

    def _start(self, key: str, begin: Callable) -> None:
        self.end_session(go_home=False)
        try:
            self.session = begin(key, agent=self.agent())
        except FlowError as error:
            log.warning("cannot begin %s: %s", key, error.code.value)
            self.start_refused.emit(message_for_error(error))
            return
        self.identify.show_choice(data_text(self.session.item.name))
        self.nav.open(lambda: self.identify)

    def resume_draft(self, draft_id: str) -> None:
        """继续办理 in the work queue: the draft's answers come back; the resident's card or code is read again."""
        agent = self.agent()
        if agent is None:
            return
        self.end_session(go_home=False)
        self.tasks.run("db", lambda: self.flow.resume_draft(draft_id, agent), self._resumed,
                       lambda error: self.resume_refused.emit(message_for_error(error)), group=GROUP)

    def _resumed(self, session: ResidentSession) -> None:
        self.session = session
        self.identify.show_choice(data_text(session.item.name))
        self.nav.open(lambda: self.identify)

    def read_identity(self, method: str) -> None:
        session = self.session
        if session is None:
            return
        call = {CARD: self.flow.identify_by_card, QR: self.flow.identify_by_qr,
                SSCARD: self.flow.identify_by_sscard}[method]
        self.identify.show_waiting(method)
        self.tasks.run(method, self.owned(session, lambda: call(session)),
                       lambda _identity: self.show_form(),
                       lambda error: self.identify.show_error(message_for_error(error, via_qr=method != CARD)),
                       group=GROUP)

    def cancel_identify(self) -> None:
        """Stop the readers waiting (so a retry does not queue behind a 30 s wait); any late result is dropped."""
        self.tasks.forget(GROUP)
        self.flow.cancel_identify()
        if self.session is not None:
            self.identify.show_choice(data_text(self.session.item.name))

    def identify_again(self) -> None:
        """返回 from the form: start over with a fresh session (another person may present a card)."""
        item_id = self.session.item.id if self.session else None
        bundle = self.session is not None and self.session.bundle is not None
        self._drop_session()
        if item_id is None:
            return
        try:
            self.session = self._begin(item_id, bundle)
        except FlowError as error:   # paused by the district, or past the offline limit, since this one began
            log.warning("cannot begin %s again: %s", item_id, error.code.value)
            self.end_session(go_home=False)   # the form still shows who began it
            self.nav.back()                   # the item's guide, where the refusal panel explains
            self.start_refused.emit(message_for_error(error))
            return
        self.identify.show_choice(data_text(self.session.item.name))
        self.nav.open(lambda: self.identify, remember=False)

    def leave_to_guide(self) -> None:
        self.end_session(go_home=False)
        self.nav.back()

    # --- form and confirm ----------------------------------------------------------------------------------
    def show_form(self) -> None:
        session = self.session
        if session is None:
            return
        self.form.show_form(session.item, session.answers, session.identity, self.flow.deferrable(session),
                            session.missing)
        self.form.set_agent_mode(session.agent is not None)
        self.nav.open(lambda: self.form, remember=False)

    def check_form(self, answers: dict) -> None:
        session = self.session
        if session is None:
            return
        errors = self.flow.set_answers(session, answers)
        if errors:
            self.form.show_errors(errors)
            return
        try:   # 容缺受理: a ticked material that may not be deferred refuses the filing, with its name
            self.flow.set_missing_materials(session, self.form.missing())
        except FlowError as error:
            self.form.show_problem(message_for_error(error).text)
            return
        self.show_summary()

    def show_summary(self) -> None:
        """The summary, also on coming back from 拍摄材料 (with the count of pages that go with the filing)."""
        session = self.session
        if session is None:
            return
        self.confirm.show_summary(data_text(session.item.name), self.summary_rows(session))
        self.confirm.set_pages(session.agent is not None, len(session.captures))
        self.nav.open(lambda: self.confirm, remember=False)

    def save_draft(self, answers: dict) -> None:
        """保存草稿: the answers as typed (even incomplete) are sealed in a draft; the resident's screen is cleared."""
        session = self.session
        if session is None or session.agent is None:
            return
        self.flow.set_answers(session, answers)
        self.form.draft_button.setEnabled(False)
        self.tasks.run("db", self.owned(session, lambda: self.flow.save_draft(session)),
                       lambda _draft_id: self._draft_kept(), self._draft_failed, group=GROUP)

    def _draft_kept(self) -> None:
        self.end_session(go_home=True)
        self.draft_saved.emit()

    def _draft_failed(self, error: BaseException) -> None:
        log.error("draft not saved: %s", getattr(error, "code", type(error).__name__))
        self.form.draft_button.setEnabled(True)
        self.form.summary.setText(message_for_error(error).text)
        self.form.summary.show()

    def summary_rows(self, session: ResidentSession) -> list[tuple[str, str]]:
        identity = session.identity
        rows = []
        if identity is not None:
            rows += [(self.tr("申请人"), identity.masked_name()), (self.tr("证件号码"), identity.masked_id())]
        rows += [(data_text(f.label), data_text(session.answers.get(f.key, ""))) for f in session.item.form
                 if f.prefill not in MASKED_PREFILLS]
        if session.bundle is not None:
            rows.append((self.tr("一件事包含"), "、".join(data_text(i.name) for i in self.flow.catalog.bundle_items(session.bundle))))
        if session.missing:
            rows.append((self.tr("容缺受理"), self.deferral_line(session.missing, self.flow.deadline(session))))
        return rows

    def deferral_line(self, materials, deadline: str) -> str:
        return self.tr("请于 {date} 前补交：{materials}").format(date=deadline, materials="、".join(materials))

    # --- save and print ------------------------------------------------------------------------------------
    def confirmed(self) -> None:
        """确认提交: an agent's filing first asks the resident's consent (ui/consent.py), which then saves."""
        session = self.session
        if session is not None and session.missing and session.deferral is None:
            self.commitment_needed.emit(session)   # then back here, for the consent or the save
            return
        if session is not None and session.agent is not None and session.consent is None:
            self.consent_needed.emit(session)
            return
        self.save()

    def save_on_confirm_screen(self) -> None:
        """Consent recorded: saving and its errors (retry) show on the summary, as for a resident alone."""
        self.nav.open(lambda: self.confirm, remember=False)
        self.save()

    def save(self) -> None:
        session = self.session
        if session is None:
            return
        if session.application is not None:
            self.saved(session.application)
            return
        self.confirm.set_saving(True)
        self.tasks.run("db", self.owned(session, lambda: self.flow.submit(session)),
                       self.saved, self.save_failed, group=GROUP)

    def saved(self, application: Application) -> None:
        notes: tuple[str, ...] = ()   # one line each: the screen must still fit 1280×800
        if application.bundle_parts:
            notes += (self.tr("包含：{items}").format(items="、".join(data_text(p.item_name) for p in application.bundle_parts)),)
        if application.deferral is not None:
            deferral = application.deferral
            notes += (self.tr("容缺受理：") + self.deferral_line(deferral.materials, deferral.deadline),)
        self.receipt.show_saved(application.receipt_no, data_text(application.item_name), notes)
        self.nav.open(lambda: self.receipt, remember=False)
        if application.status == "awaiting_review":
            self.receipt.show_held_for_review()
            return
        self.print_receipt()

    def save_failed(self, error: BaseException) -> None:
        code = getattr(error, "code", None)
        if code is Problem.FORM_INVALID and self.session is not None:
            self.show_form()
            self.form.show_errors(self.flow.set_answers(self.session, {}))
            return
        if not isinstance(error, FlowError):
            log.error("submit failed unexpectedly", exc_info=error)
        self.confirm.show_error(message_for_error(error), can_retry=code in RETRYABLE or code is None)

    def print_receipt(self) -> None:
        session = self.session
        if session is None or session.application is None:
            return
        self.receipt.show_printing()
        self.tasks.run("db", self.owned(session, lambda: self.flow.print_receipt(session)),
                       self.printed, self.print_crashed, group=GROUP)

    def printed(self, outcome: PrintOutcome) -> None:
        if outcome.printed:
            self.receipt.show_printed()
        else:
            self.receipt.show_not_printed(message_for(outcome.fault))

    def print_crashed(self, error: BaseException) -> None:
        log.error("printing failed unexpectedly", exc_info=error)
        self.receipt.show_not_printed(message_for(getattr(error, "code", None)))

    # --- rating and the end --------------------------------------------------------------------------------
    def ask_rating(self) -> None:
        self.rating.reset()
        self.nav.open(lambda: self.rating, remember=False)

    def ask_rating_for(self, service: str, item_id: str = "", item_name: str = "") -> None:
        """好差评 after a service that is no filing (kiosk/rating.py SERVICES): a progress query, a printed
        certificate, a booking or a need the agent filed with the resident present."""
        self.end_session(go_home=False)
        self._rating_for = (service, item_id, item_name)
        self.ask_rating()

    def rate(self, level: int, reasons: tuple, comment: str = "") -> None:
        session, target = self.session, self._rating_for
        if session is not None:
            work = self.owned(session, lambda: self.flow.rate(session, level, reasons, comment))
        elif target is not None:
            service, item_id, item_name = target
            work = lambda: self.flow.rate_service(service, level, reasons, comment, item_id, item_name)  # noqa: E731
        else:
            return
        self.tasks.run("db", work, lambda _none: self.thank(), self.rating_failed, group=GROUP)

    def rating_failed(self, error: BaseException) -> None:
        log.error("saving the rating failed", exc_info=error)   # the resident is thanked all the same
        self.thank()

    def thank(self) -> None:
        self.rating.show_thanks()
        self._thanks_timer.start()

    def finish(self) -> None:
        self.end_session(go_home=True)
        self.service_finished.emit()

    def end_session(self, go_home: bool = True) -> None:
        self._drop_session()
        for screen in (self.identify, self.form, self.confirm, self.receipt, self.rating):
            screen.clear_personal()
        if go_home:
            self.nav.home()
        self.session_ended.emit()

    def _drop_session(self) -> None:
        self._rating_for = None
        self._thanks_timer.stop()
        self.tasks.forget(GROUP)
        if self.session is not None:
            self.session.wipe()
        self.session = None

    def owned(self, session: ResidentSession, call: Callable):
        """Run `call` in the background; if the session was dropped meanwhile, wipe what the call left in it."""
        def work():
            try:
                return call()
            finally:
                if self.session is not session:
                    session.wipe()
        return work
