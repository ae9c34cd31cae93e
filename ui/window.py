"""The kiosk window: status strip, the stack of screens, the staff notice line, and the idle overlay."""
from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QCoreApplication, QEvent
from PySide6.QtWidgets import QApplication, QLabel, QLineEdit, QStackedWidget, QVBoxLayout, QWidget

from kiosk.owed_receipts import OwedReceipts
from kiosk.preferences import Prefs, SessionPrefs
from kiosk.technicians import TechnicianAuth, TechnicianSettings
from local_db.review import ReviewDesk
from ui.agent import AgentController
from ui.agent_desk import AgentDeskController
from ui.booking import BookingController, conflict_notice
from ui.agent_messages import draft_saved_message
from ui.bridge import EventBridge
from ui.browse import BrowseController
from ui.commitment import CommitmentController
from ui.consent import ConsentController
from ui.doc_capture import DocCaptureController
from ui.idle import IdleOverlay, IdleWatcher
from ui.maintenance import MaintenanceController
from ui.navigation import Navigator
from ui.need_desk import NeedController
from ui.resident import ResidentController
from ui.review import ReviewController
from ui.screens.agent_home import AgentHomeScreen
from ui.screens.agent_login import AgentLoginScreen
from ui.screens.benefits import BenefitsScreen
from ui.screens.booking import BookingScreen
from ui.screens.chat import ChatScreen
from ui.screens.confirm import ConfirmScreen
from ui.screens.consent import ConsentScreen
from ui.screens.detail import DetailScreen
from ui.screens.doc_capture import DocCaptureScreen
from ui.screens.form import FormScreen
from ui.screens.home import HomeScreen
from ui.screens.identify import IdentifyScreen
from ui.screens.progress import ProgressScreen
from ui.screens.qa import QaScreen
from ui.screens.item_list import ItemListScreen
from ui.screens.maint_login import MaintLoginScreen
from ui.screens.maintenance import MaintenanceScreen
from ui.screens.need_form import NeedFormScreen
from ui.screens.rating import RatingScreen
from ui.screens.report import ReportScreen
from ui.screens.receipt import ReceiptScreen
from ui.screens.review import ReviewScreen
from ui.screens.search import SearchScreen
from ui.screens.tiles import TilesScreen
from ui.screens.work_queue import WorkQueueScreen
from ui.helpbar import HelpBar
from ui.report import ReportController
from ui.statusbar import NoticeBar, StatusBar
from ui.tasks import Tasks


@dataclass
class Screens:
    home: HomeScreen
    search: SearchScreen
    tiles: TilesScreen
    items: ItemListScreen
    detail: DetailScreen
    identify: IdentifyScreen
    form: FormScreen
    confirm: ConfirmScreen
    receipt: ReceiptScreen
    rating: RatingScreen
    progress: ProgressScreen
    agent_login: AgentLoginScreen
    consent: ConsentScreen
    commitment: ConsentScreen   # 容缺受理's 告知承诺书: the consent screen's pad and 浙里办 code
    agent_home: AgentHomeScreen
    work_queue: WorkQueueScreen
    need_form: NeedFormScreen
    booking: BookingScreen
    doc_capture: DocCaptureScreen
    review: ReviewScreen
    maint_login: MaintLoginScreen
    maintenance: MaintenanceScreen
    benefits: BenefitsScreen
    qa: QaScreen
    chat: ChatScreen            # 人工咨询: live chat with hub staff (ui/chat.py)
    report: ReportScreen        # 办不成事 (ui/report.py)

    def all(self) -> list[QWidget]:
        return list(vars(self).values())


def build_screens(core, tasks: Tasks) -> Screens:
    return Screens(
        home=HomeScreen(core.catalog),
        search=SearchScreen(core.catalog, core.search.search, tasks),
        tiles=TilesScreen(),
        items=ItemListScreen(),
        detail=DetailScreen(core.catalog),
        identify=IdentifyScreen(),
        form=FormScreen(),
        confirm=ConfirmScreen(),
        receipt=ReceiptScreen(),
        rating=RatingScreen(),
        progress=ProgressScreen(lambda receipt_no: core.store.progress(receipt_no),
                                lambda: core.devices.qr.scan(core.config["device_timeout_s"]), tasks,
                                core.flow.print_certificate),
        agent_login=AgentLoginScreen(),
        consent=ConsentScreen(),
        commitment=ConsentScreen(),
        agent_home=AgentHomeScreen(),
        work_queue=WorkQueueScreen(),
        need_form=NeedFormScreen(),
        booking=BookingScreen(),
        doc_capture=DocCaptureScreen(),
        review=ReviewScreen(),
        maint_login=MaintLoginScreen(),
        maintenance=MaintenanceScreen(core, tasks),
        benefits=BenefitsScreen(),
        qa=QaScreen(),
        chat=ChatScreen(),
        report=ReportScreen(),
    )


class MainWindow(QWidget):
    close_refused = False   # ui.lockdown sets it on a locked kiosk: only allow_close() lets the window close

    def __init__(self, core, parent: QWidget | None = None):
        super().__init__(parent)
        self.core = core
        self.setWindowTitle(self.tr("舟到办 · 自助服务"))
        self.tasks = Tasks(self)
        self.prefs = SessionPrefs(Prefs(language=core.config["default_language"]))   # reset when a session ends
        self.bridge = EventBridge(core.events, self)
        self.screens = build_screens(core, self.tasks)
        self.stack = QStackedWidget()
        for screen in self.screens.all():
            self.stack.addWidget(screen)
        self.status_bar = StatusBar(core.config["station_name"], syncing=core.sync is not None)
        self.bridge.sync_status.connect(self.status_bar.show_sync_status)
        self.bridge.device_health.connect(lambda event: self._show_device_health())
        self._show_device_health()
        self.notice = NoticeBar(core.catalog.notice)
        self.help_bar = HelpBar()
        self._lay_out(self.notice)
        self.nav = Navigator(self.stack, self._home_screen, self)
        self.resident = self._resident_controller()
        self.resident.start_refused.connect(self.screens.detail.show_refusal)
        self.resident.service_finished.connect(self.prefs.reset)
        self.screens.home.progress_requested.connect(lambda: self.nav.open(lambda: self.screens.progress))
        s = self.screens
        self.browse = BrowseController(core.catalog, s.home, s.search, s.tiles, s.items, s.detail, self.nav,
                                       self.resident.start, self.resident.start_bundle,
                                       lambda: self.agent_session is not None, self)
        self.agent = self._agent_controller()
        self.desk = self._desk_controller()
        self.needs = NeedController(core.store.file_need, lambda: self.agent_session, self.tasks, self.nav,
                                    s.need_form, self)
        s.agent_home.need_requested.connect(self.needs.open)
        self.booking = self._booking_controller()
        self.consent = ConsentController(self.resident, self.tasks, self.nav, s.consent, self.desk.show_notice, self)
        self.doc_capture = DocCaptureController(core.flow, lambda: self.resident.session, getattr(core, "doccam", None),
                                                self.tasks, self.nav, s.doc_capture, self)
        self.review = ReviewController(ReviewDesk(core.store), lambda: self.agent_session, self.tasks, self.nav,
                                       s.review, self, label_of=self._field_label)
        self.commitment = CommitmentController(self.resident, self.tasks, self.nav, s.commitment,
                                               self.desk.show_notice, self)
        self._connect_agent()
        self._connect_bookings()
        self._connect_agent_work()
        self.maintenance = self._maintenance_controller()
        self.overlay = IdleOverlay(self)
        self.idle = IdleWatcher(core.idle, self.in_use, parent=self)
        self._connect_idle()
        # a catalog sync brought in is shown the next time nobody is using the kiosk
        self.bridge.bundle_applied.connect(lambda event: self.adopt_catalog_if_free())
        self.nav.changed.connect(lambda screen: self.adopt_catalog_if_free())
        self._connect_voice()
        self._connect_benefits()
        self._connect_qa()
        self._connect_chat()
        self._connect_supervision()
        self._connect_elderly()
        self._connect_i18n()
        self._connect_osk()

    def _connect_voice(self) -> None:
        """Voice guidance: each resident step read aloud, ▶ 再听一遍 and 语音 on/off in the help strip."""
        from ui.voice import VoiceController

        self.voice = VoiceController(self, getattr(self.core, "speaker", None), self.core.config["voice_rate_wpm"])

    def _connect_benefits(self) -> None:
        """免申即享: offered on the receipt screen (ui/benefits.py says why); forgotten with the session."""
        from ui.benefits import BenefitsController

        core = self.core
        if getattr(core, "benefits", None) is None or getattr(core, "claims", None) is None:
            return
        self.benefits = BenefitsController(lambda: core.benefits.current, core.claims, core.store.clock,
                                           lambda: self.resident.session, self.tasks, self.nav,
                                           self.screens.benefits, self.screens.receipt,
                                           lambda: self.prefs.current.language, self)
        self.resident.session_ended.connect(self.benefits.forget)
        self.prefs.subscribe(lambda old, new: self.benefits.language_changed() if old.language != new.language
                             else None)

    def _connect_qa(self) -> None:
        """智能问答: from home and from a search that found nothing; forgotten when the resident goes home, the
        service finishes or the session is wiped. The chat helper sets `self.qa.live_chat_available` and connects
        `self.qa.live_chat_requested` for 找人工 online; until then 找人工 leaves a callback request."""
        from kiosk.qa import LiveKnowledge
        from ui.qa import QaController

        core, s = self.core, self.screens
        knowledge = getattr(core, "qa", None) or LiveKnowledge(lambda: None)
        self.qa = QaController(knowledge, lambda: self.browse.catalog, lambda: self.prefs.current.language,
                               core.store.file_callback, core.config["station_name"], core.config["qa_callback_hours"],
                               self.tasks, self.nav, s.qa, self.browse.open_item, parent=self)
        s.home.qa_requested.connect(lambda: self.qa.open())
        s.search.qa_requested.connect(self.qa.open)
        self.resident.service_finished.connect(self.qa.wipe)
        self.nav.changed.connect(lambda screen: self.qa.wipe() if screen is s.home else None)
        self.prefs.subscribe(lambda old, new: self.qa.language_changed() if old.language != new.language else None)

    def _connect_chat(self) -> None:
        """人工咨询 (ui/chat.py): the live chat the Q&A screen opens when online (`self.chat.available()`,
        `self.chat.open(question)`), and a 人工咨询 button in the home screen's title row while it is offered (there
        it costs the services no room, like 工作人员登录)."""
        from PySide6.QtCore import Qt, QTimer

        from ui.chat import ChatController, entry_button, hub_clients

        self.chat = ChatController(self.screens.chat, self.nav, self.tasks, lang=lambda: self.prefs.current.language,
                                   touch=self.core.idle.touch, parent=self)
        hub = hub_clients(self.core)
        if hub is not None:
            self.chat.attach(*hub)
        self.chat_button = entry_button(self.chat)
        top = self.screens.home.top
        top.insertWidget(top.indexOf(self.screens.home.staff_button), self.chat_button, 0, Qt.AlignmentFlag.AlignTop)
        self.chat.availability_changed.connect(self.chat_button.setVisible)
        self.nav.changed.connect(lambda screen: self.chat.refresh_availability())
        self._chat_refresh = QTimer(self)   # the hub's on-duty answer goes stale while the kiosk rests at home
        self._chat_refresh.setInterval(30_000)
        self._chat_refresh.timeout.connect(self.chat.refresh_availability)
        if hub is not None:
            self._chat_refresh.start()
        # 找人工 on the Q&A screen: the live chat when staff are on duty, else (or when the link drops) a callback
        self.qa.live_chat_available = self.chat.available
        self.qa.live_chat_requested.connect(self.chat.open)
        self.chat.set_callback(self.qa.open_callback)

    def _connect_supervision(self) -> None:
        """办不成事 in the help strip under every screen; 好差评 also after a progress query, a printed certificate,
        a booking and a need (filings reach it from their receipt)."""
        s = self.screens
        self.reports = ReportController(self, s.report, self)
        self.help_bar.add(self.reports.button)
        s.progress.rating_requested.connect(lambda service, name: self.resident.ask_rating_for(service, "", name))
        s.booking.rating_requested.connect(lambda: self.resident.ask_rating_for("booking"))
        s.need_form.rating_requested.connect(lambda: self.resident.ask_rating_for("need"))

    def _connect_elderly(self) -> None:
        """Elderly mode (ui/elderly.py: the help strip's 长辈模式, home's tile, prefs) and spoken control names."""
        from kiosk.elderly import ElderlyRules
        from ui.a11y import SpokenNames
        from ui.elderly import ElderlyController

        self.elderly = ElderlyController(self, ElderlyRules.from_config(self.core.config), self)
        self.spoken_names = SpokenNames(self, self)
        QApplication.instance().installEventFilter(self.spoken_names)
        self.nav.changed.connect(lambda screen: self.spoken_names.refresh_soon())

    def _connect_i18n(self) -> None:
        """The language button in the help strip; the translator and the in-place switch follow self.prefs."""
        from ui.i18n import Languages

        self.languages = Languages(self, lambda: self.core.catalog)

    def _connect_osk(self) -> None:
        """The on-screen keyboard under the screens (ui/osk.py); the search boxes offer the catalog's common words."""
        from ui.osk import OnScreenKeyboard, suggested_words

        self.osk = OnScreenKeyboard(self, self.core.config["onscreen_keyboard"])

        def offer_words() -> None:   # the catalog may have been replaced by a sync since
            # the catalog's keywords are Chinese: of no help to a resident reading English
            words = suggested_words(self.core.catalog) if self.prefs.current.language == "zh" else []
            for box in (self.screens.home.search_box, self.screens.search.box):
                box.setProperty("oskSuggestions", words)

        offer_words()
        self.nav.changed.connect(lambda screen: offer_words())
        self.prefs.subscribe(lambda old, new: offer_words())

    def adopt_catalog_if_free(self) -> bool:
        if self.in_use() or not self.core.adopt_staged_catalog():
            return False
        core, s = self.core, self.screens
        s.home.show_catalog(core.catalog)
        s.search.set_catalog(core.catalog, core.search.search)
        s.detail.set_catalog(core.catalog)
        self.browse.catalog = core.catalog
        self.notice.set_notice(core.catalog.notice)
        if getattr(self, "languages", None) is not None:
            self.languages.refresh_catalog()
        return True

    def _show_device_health(self) -> None:
        from devices.base import HealthState

        health = self.core.devices.manager.health()
        usable = {family: health[family].state != HealthState.ABSENT for family in ("idcard", "qr", "smartcard")}
        self.screens.identify.set_available(card=usable["idcard"], qr=usable["qr"], sscard=usable["smartcard"])

    def _lay_out(self, notice: QWidget) -> None:
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(0)
        box.addWidget(self.status_bar)
        box.addWidget(self.stack, 1)
        box.addWidget(self.help_bar)
        box.addWidget(notice)

    def _resident_controller(self) -> ResidentController:
        s = self.screens
        return ResidentController(self.core.flow, self.tasks, self.nav, s.identify, s.form, s.confirm,
                                  s.receipt, s.rating, lambda: self.agent_session, self)

    def _home_screen(self) -> QWidget:
        """Where 首页 leads: the agent's desk while an agent is logged in, else the services' home."""
        return self.screens.agent_home if self.agent.session is not None else self.screens.home

    def _desk_controller(self) -> AgentDeskController:
        s = self.screens
        flow = self.core.flow
        return AgentDeskController(self._read_queue, lambda: self.agent_session, self.tasks, self.nav,
                                   s.agent_home, s.work_queue, s.home, flow.discard_draft,
                                   OwedReceipts(flow).reprint, self)

    def _read_queue(self, agent_id: str) -> list:
        """On the db lane: expired drafts go first, so the queue never offers one that is gone."""
        self.core.flow.drafts.purge_expired()
        return self.core.store.agent_queue(agent_id)

    def _connect_agent_work(self) -> None:
        """Drafts, 拍摄材料 and supervisor review."""
        s = self.screens
        self.resident.draft_saved.connect(lambda: self.desk.show_notice(draft_saved_message()))
        self.resident.resume_refused.connect(s.work_queue.show_error)
        s.work_queue.resume_requested.connect(self.resident.resume_draft)
        s.confirm.photo_requested.connect(self.doc_capture.open)
        self.doc_capture.finished.connect(self.resident.show_summary)
        self.resident.session_ended.connect(self.doc_capture.stop)
        s.agent_home.review_requested.connect(self.review.open)
        self.agent.logged_out.connect(lambda reason: self.review.logged_out())

    def _field_label(self, item_id: str, key: str) -> str:
        """A form field's label as the resident saw it (an item since dropped from the catalog: the key)."""
        item = self.core.catalog.get(item_id)
        return next((f.label for f in item.form if f.key == key), key) if item is not None else key

    def _booking_controller(self) -> BookingController:
        core = self.core
        wake = core.sync.wake if core.sync is not None else (lambda: None)
        return BookingController(core.bookings, lambda: self.agent_session, self.tasks, self.nav,
                                 self.screens.booking, lambda: wake(), self)

    def _connect_bookings(self) -> None:
        s = self.screens
        s.agent_home.booking_requested.connect(lambda: self.booking.open())
        s.work_queue.rebook_requested.connect(self.booking.rebook)
        self.agent.logged_out.connect(lambda reason: self.booking.logged_out())
        self.bridge.record_status.connect(self._booking_answered)

    def _booking_answered(self, event) -> None:
        """A booking of this kiosk the hub could not confirm: told on the desk while an agent works here, and in
        the queue (another terminal's booking of the station comes by the same stream: not ours to tell)."""
        self.desk.refresh_if_shown()
        if self.agent_session is None or not BookingController.is_conflict(event):
            return
        self.tasks.run("db", lambda: self.core.bookings.owns(event.record_id),
                       lambda mine: self.desk.show_notice(conflict_notice(event.note))
                       if mine and self.agent_session is not None else None)

    def _connect_agent(self) -> None:
        self.agent.logged_in.connect(self.desk.logged_in)
        self.agent.logged_in.connect(lambda session: self.screens.detail.set_agent_mode(True))
        self.agent.logged_out.connect(lambda reason: self.screens.detail.set_agent_mode(False))
        self.agent.logged_out.connect(lambda reason: self.desk.logged_out())
        self.agent.logged_out.connect(lambda reason: self.needs.logged_out())
        self.agent.logged_out.connect(lambda reason: self.forget_resident())
        self.bridge.sync_status.connect(lambda status: self.desk.refresh_if_shown())
        self.status_bar.agent_home_requested.connect(self.open_agent_desk)

    def open_agent_desk(self) -> None:
        """The badge: leave whatever is on screen as ⌂ 首页 would (never during a save or print)."""
        if self.agent_session is None or self.core.idle.is_busy:
            return
        self.resident.end_session(go_home=True)

    def _agent_controller(self) -> AgentController:
        return AgentController(self.core.agents, self.tasks, self.nav, self.screens.agent_login,
                               self.screens.home, self.status_bar, lambda: self.core.idle.is_busy, self)

    @property
    def agent_session(self):
        """The logged-in proxy agent's AgentSession, or None."""
        return self.agent.session

    def _maintenance_controller(self) -> MaintenanceController:
        """Technicians' maintenance mode, opened by five taps on the station name while the kiosk is at rest."""
        core = self.core
        auth = TechnicianAuth(core.audit, core.data_dir, TechnicianSettings.from_config(core.config))
        at_rest = lambda: (not core.idle.is_busy and self.resident.session is None and self.agent_session is None
                           and self.nav.current is self.screens.home and not self.in_use())   # noqa: E731
        controller = MaintenanceController(auth, self.tasks, self.nav, self.screens.maint_login,
                                           self.screens.maintenance, at_rest, self)
        controller.watch_gesture(self.status_bar.station)
        return controller

    def _connect_idle(self) -> None:
        self.idle.warning.connect(self.overlay.show_countdown)
        self.idle.active.connect(self.overlay.hide)
        self.idle.expired.connect(self.wipe)
        self.overlay.resume_requested.connect(self.resume)

    def start(self) -> None:
        """Begin watching for idleness and input (call once the window is shown)."""
        QApplication.instance().installEventFilter(self.idle)
        QApplication.instance().installEventFilter(self.agent)
        QApplication.instance().installEventFilter(self.maintenance)
        self.idle.start()

    def in_use(self) -> bool:
        """Is there anything on screen worth warning about before wiping?"""
        # the agent's own screens rest like home: the agent's idle logout, not the resident's wipe, ends them
        # and maintenance rests too: the technician's own idle exit (technician_idle_timeout_s) ends it
        resting = (self.screens.home, self.screens.agent_home, self.screens.work_queue, self.screens.review,
                   self.screens.maintenance)
        at_home = self.nav.current in resting
        chosen = self.prefs.current != self.prefs.defaults   # e.g. 长辈模式 left on: wiped for the next resident
        return (self.resident.session is not None or not at_home or bool(self.screens.home.search_box.text())
                or chosen)

    def resume(self) -> None:
        self.core.idle.touch()
        self.overlay.hide()

    def wipe(self) -> None:
        """Idle expiry: forget the resident everywhere, log the agent out, go home (never while busy)."""
        if self.core.idle.is_busy:
            return
        self.agent.cancel_login()
        self.agent.logout("idle")
        self.maintenance.exit("idle")
        self.forget_resident()

    def forget_resident(self) -> None:
        """Wipe every screen that may show a resident and go home (also when the agent logs out)."""
        self.overlay.hide()
        self.resident.end_session(go_home=False)
        for screen in self.screens.all():
            screen.clear_personal()
        self.prefs.reset()   # the next resident starts in the station's language, not in this one's mode
        self.nav.home()
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)

    def visible_texts(self) -> list[str]:
        """Every text a label or input of the window currently holds (tests check nothing personal remains)."""
        return [w.text() for w in self.findChildren(QLabel) + self.findChildren(QLineEdit) if w.text()]

    def allow_close(self) -> None:
        """The app itself is ending (maintenance's exit or restart, an update's restart): the window may close."""
        self.close_refused = False

    def closeEvent(self, event) -> None:
        if self.close_refused:   # Alt+F4 that got past the lock, the compositor, QApplication.quit()
            event.ignore()
            return
        super().closeEvent(event)

    def shutdown(self) -> None:
        QApplication.instance().removeEventFilter(self.idle)
        QApplication.instance().removeEventFilter(self.agent)
        QApplication.instance().removeEventFilter(self.maintenance)
        QApplication.instance().removeEventFilter(self.spoken_names)
        self.idle.stop()
        self.voice.close()
        self.bridge.close()
        self.tasks.shutdown()
