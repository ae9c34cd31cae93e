"""办不成事 on every screen: a button in the help strip opens the report screen; the report is stored through the
outbox (kiosk/report.py), with the screen and the service the resident was on as codes, then the resident goes
back to where they were. Works offline; the sync pushes it when a connection exists.

Logs and the audit trail get codes only (reason, screen); the resident's words and phone go nowhere but the
record's sealed payload.
"""
from __future__ import annotations

import logging
import re

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QWidget

from kiosk.report import Report, ReportDraft, ReportRefused, ReportStore
from ui.messages import message_for_error
from ui.screens.report import ReportScreen
from ui.widgets import button

log = logging.getLogger(__name__)
GROUP = "report"


def screen_code(window, screen: QWidget | None) -> str:
    """The screen's name in the window's Screens (home, detail, form, …): a code, never what it shows."""
    for name, widget in vars(window.screens).items():
        if widget is screen:
            return name
    name = re.sub(r"(?<!^)(?=[A-Z])", "_", type(screen).__name__).lower() if screen is not None else ""
    return re.sub(r"[^a-z0-9_]", "", name.removesuffix("_screen"))[:40] or "unknown"


class ReportController(QObject):
    filed = Signal(object)   # the stored Report (tests)

    def __init__(self, window, screen: ReportScreen, parent: QObject | None = None):
        super().__init__(parent)
        self.window, self.screen = window, screen
        self.store = ReportStore(window.core.store)
        self.origin: tuple[str, str] | None = None   # (screen code, service id) of the page the report is about
        self.button = button(self.tr("办不成事"), "nav")
        self.button.setAccessibleName(self.tr("办不成事，点这里反映"))
        self.button.clicked.connect(self.open)
        screen.submitted.connect(self.submit)
        screen.cancelled.connect(self.go_back)
        screen.finished.connect(self.go_back)

    def open(self) -> None:
        w = self.window
        current = w.nav.current
        if current is self.screen or w.core.idle.is_busy:   # never in the middle of a save or a print
            return
        self.origin = (screen_code(w, current), self._service(current))
        self.screen.reset()
        w.nav.open(lambda: self.screen)
        log.info("report screen opened from %s", self.origin[0])

    def _service(self, current: QWidget) -> str:
        """The item (or 一件事 bundle) the resident was doing: their session's, else the guide on screen."""
        session = self.window.resident.session
        if session is not None:
            return session.item.id   # 一件事: the bundle, filed as one item
        item = getattr(current, "_item", None)   # the guide (DetailScreen) shows one item
        return getattr(item, "id", "") or ""

    def submit(self, draft: ReportDraft) -> None:
        if self.origin is None:
            return
        screen, service = self.origin
        prefs, agent = self.window.prefs.current, self.window.agent_session
        full = ReportDraft(draft.reason, draft.text, draft.phone, screen, service)
        self.screen.set_saving(True)
        self.window.tasks.run(
            "db", lambda: self.store.file(full, agent_id=agent.agent_id if agent else None,
                                          language=prefs.language, elderly=prefs.elderly),
            self._stored, self._failed, group=GROUP)

    def _stored(self, report: Report) -> None:
        log.info("report filed: reason=%s screen=%s", report.reason, report.screen)
        sync = self.window.core.sync
        if sync is not None:
            sync.wake()
        self.screen.show_thanks(callback=bool(report.phone))
        self.filed.emit(report)

    def _failed(self, error: BaseException) -> None:
        if isinstance(error, ReportRefused):
            self.screen.show_errors(error.errors)
            return
        log.error("report not stored: %s", getattr(error, "code", type(error).__name__))
        message = message_for_error(error)
        self.screen.show_failure(message.text, message.next_step)

    def go_back(self) -> None:
        """Back to the page the resident reported from (home if that is gone); what they typed is dropped."""
        self.screen.clear_personal()
        self.origin = None
        if self.window.nav.current is self.screen:
            self.window.nav.back()
