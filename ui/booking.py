"""The booking screen's controller: reads offers and writes bookings on the "db" lane, and turns the hub's
booking_conflict (RecordStatusChanged, through the bridge) into a notice on the agent's desk."""
from __future__ import annotations

import logging
from typing import Callable

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QObject

from kiosk.agents import AgentSession
from kiosk.bookings import CONFLICT, BookingRefused, BookingRequest, Bookings, problems
from ui.messages import Message, message_for
from ui.navigation import Navigator
from ui.screens.booking import STATION_VISIT, BookingScreen
from ui.tasks import Tasks

log = logging.getLogger(__name__)

GROUP = "booking"
REFUSALS = {   # kiosk.bookings.BookingRefused reasons
    "slot_full": (QT_TRANSLATE_NOOP("Booking", "这个时段在本机已约满"), QT_TRANSLATE_NOOP("Booking", "请选择其他时段。")),
    "slot_gone": (QT_TRANSLATE_NOOP("Booking", "这个时段已取消或已过"), QT_TRANSLATE_NOOP("Booking", "请选择其他时段。")),
}


def tr(text: str) -> str:
    return QCoreApplication.translate("Booking", text)


def conflict_notice(note: str) -> Message:
    return Message(QCoreApplication.translate("Booking", "有一条预约未能确认（时段已被其他站点约满或已取消）"),
                   (note + " " if note else "")
                   + QCoreApplication.translate("Booking", "请到“我的工作队列”点“重新预约”。"))


class BookingController(QObject):
    def __init__(self, bookings: Bookings, agent: Callable[[], AgentSession | None], tasks: Tasks,
                 nav: Navigator, screen: BookingScreen, on_booked: Callable[[], None] = lambda: None,
                 parent: QObject | None = None):
        super().__init__(parent)
        self.bookings, self.agent, self.tasks, self.nav, self.screen = bookings, agent, tasks, nav, screen
        self.on_booked = on_booked
        screen.kind_changed.connect(self.load_offers)
        screen.book_requested.connect(self.book)
        screen.back_requested.connect(nav.back)
        screen.home_requested.connect(nav.home)

    def open(self, kind: str = STATION_VISIT, request: BookingRequest | None = None) -> None:
        self.nav.open(lambda: self.screen)
        self.screen.start(kind, request)

    def rebook(self, booking_id: str) -> None:
        """重新预约 from the work queue: the same resident and kind, a new slot."""
        self.tasks.run("db", lambda: self.bookings.request_of(booking_id), self._rebook, self._failed, group=GROUP)

    def _rebook(self, earlier) -> None:
        if earlier is None:   # purged by retention meanwhile: start blank
            self.open()
        else:
            self.open(earlier[0], earlier[1])

    def load_offers(self, kind: str) -> None:
        self.tasks.run("db", lambda: self.bookings.offers(kind), self._offers(kind), self._failed, group=GROUP)

    def _offers(self, kind: str):
        def show(offers) -> None:
            if self.screen.kind == kind:   # the agent switched kinds meanwhile: that read is stale
                self.screen.show_offers(offers)
        return show

    def book(self, kind: str, request: BookingRequest) -> None:
        session = self.agent()
        if session is None:
            return
        missing = problems(kind, request)
        if missing:
            self.screen.show_problems(missing)
            return
        self.screen.book_button.setEnabled(False)
        self.tasks.run("db", lambda: self.bookings.book(session.agent_id, request), self._booked,
                       self._refused, group=GROUP)

    def _booked(self, booking) -> None:
        log.info("booking queued")
        self.screen.show_queued(booking)
        self.on_booked()

    def _refused(self, error: BaseException) -> None:
        self.screen.book_button.setEnabled(True)
        if isinstance(error, BookingRefused):
            text, next_step = REFUSALS[error.reason]
            self.screen.show_refusal(tr(text), tr(next_step))
            self.load_offers(self.screen.kind)
        else:
            self._failed(error)

    def _failed(self, error: BaseException) -> None:
        log.error("booking step failed: %s", type(error).__name__)
        message = message_for(None)
        self.screen.show_refusal(message.text, message.next_step)

    def logged_out(self) -> None:
        self.tasks.forget(GROUP)

    @staticmethod
    def is_conflict(event) -> bool:
        return getattr(event, "status", "") == CONFLICT
