"""预约上门/到站: the agent picks station visit or home visit, a day and a time (full slots greyed), enters the
resident's contact (and address for a home visit), and books. The screen renders and emits; ui/booking.py reads
slots and writes the booking on the "db" lane."""
from __future__ import annotations

from typing import Sequence

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLineEdit, QPushButton, QVBoxLayout, QWidget

from kiosk.bookings import Booking, BookingRequest, Offer, days
from ui.widgets import ErrorPanel, Screen, button, clear_layout, frame, label, scroll_area

STATION_VISIT, HOME_VISIT = "station_visit", "home_visit"
MAX_FIELD = 200


class BookingScreen(Screen):
    kind_changed = Signal(str)              # the controller reads that kind's slots
    book_requested = Signal(str, object)    # kind, BookingRequest
    rating_requested = Signal()             # the resident rates the booking (好差评)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(self.tr("预约到站 / 上门办"), parent=parent)
        self.kind = STATION_VISIT
        self.offers: list[Offer] = []
        self.day = ""
        self.slot_id = ""
        self.station_button = button(self.tr("到站办理"), "method", checkable=True)
        self.home_visit_button = button(self.tr("上门办（行动不便的群众）"), "method", checkable=True)
        self.station_button.clicked.connect(lambda: self.choose_kind(STATION_VISIT))
        self.home_visit_button.clicked.connect(lambda: self.choose_kind(HOME_VISIT))
        kinds = QHBoxLayout()
        kinds.addWidget(self.station_button, 1)
        kinds.addWidget(self.home_visit_button, 1)
        self.body.addLayout(kinds)
        self.summary = label("", "hint")
        self.body.addWidget(self.summary)
        content = QWidget()   # scrolls: a long slot list must not make the window taller than the screen
        column = QVBoxLayout(content)
        column.setContentsMargins(0, 0, 8, 0)
        self.day_row, self.time_rows = QHBoxLayout(), QVBoxLayout()
        column.addLayout(self.day_row)
        column.addLayout(self.time_rows)
        self._fields(column)
        self.error = ErrorPanel()
        column.addWidget(self.error)
        self.result = frame("card")
        self.result_text = label("", "big")
        self.result.layout().addWidget(self.result_text)
        self.rate_button = button(self.tr("请群众评价本次服务"), "primary")
        self.rate_button.clicked.connect(self.rating_requested)
        self.result.layout().addWidget(self.rate_button)
        self.result.hide()
        column.addWidget(self.result)
        column.addStretch(1)
        self.body.addWidget(scroll_area(content), 1)
        self.book_button = button(self.tr("确认预约"), "primary")
        self.book_button.clicked.connect(self.submit)
        self.body.addWidget(self.book_button)

    def _fields(self, column: QVBoxLayout) -> None:
        self.name = self._field(self.tr("群众姓名"))
        self.phone = self._field(self.tr("联系电话"))
        self.address = self._field(self.tr("上门地址（村、路、门牌）"))
        self.reason = self._field(self.tr("事由（如：养老资格认证）"))
        for field in (self.name, self.phone, self.address, self.reason):
            column.addWidget(field)

    def _field(self, placeholder: str) -> QLineEdit:
        field = QLineEdit()
        field.setPlaceholderText(placeholder)
        field.setMaxLength(MAX_FIELD)
        return field

    # --- what the controller shows ---------------------------------------------------------------------------
    def start(self, kind: str = STATION_VISIT, request: BookingRequest | None = None) -> None:
        """A fresh screen; 重新预约 passes the earlier booking's kind and details (a new slot is chosen)."""
        self.clear_personal()
        if request is not None:
            self.name.setText(request.name)
            self.phone.setText(request.phone)
            self.address.setText(request.address)
            self.reason.setText(request.reason)
        self.choose_kind(kind)

    def choose_kind(self, kind: str) -> None:
        self.kind = kind
        self.station_button.setChecked(kind == STATION_VISIT)
        self.home_visit_button.setChecked(kind == HOME_VISIT)
        self.address.setVisible(kind == HOME_VISIT)
        self.slot_id = ""
        self.summary.setText(self.tr("正在读取可预约时段…"))
        self.kind_changed.emit(kind)

    def show_offers(self, offers: Sequence[Offer]) -> None:
        self.offers = list(offers)
        grouped = days(self.offers)
        if not grouped:
            self.summary.setText(self.tr("暂无可预约的时段。时段由镇便民服务中心发布，联网后更新。"))
        else:
            self.summary.setText(self.tr("请选择日期和时段（灰色为已约满）："))
        self.day = self.day if self.day in grouped else next(iter(grouped), "")
        self._draw_days(list(grouped))
        self._draw_times(grouped.get(self.day, []))

    def _draw_days(self, day_keys: list[str]) -> None:
        clear_layout(self.day_row)
        for day in day_keys:
            pick = button(self.tr("{month}月{day}日").format(month=day[5:7], day=day[8:10]), "", checkable=True)
            pick.setChecked(day == self.day)
            pick.clicked.connect(lambda _=False, d=day: self._choose_day(d))
            self.day_row.addWidget(pick)
        self.day_row.addStretch(1)

    def _choose_day(self, day: str) -> None:
        self.day = day
        self.show_offers(self.offers)

    def _draw_times(self, offers: list[Offer]) -> None:
        clear_layout(self.time_rows)
        for offer in offers:
            self.time_rows.addWidget(self._time_button(offer))

    def _time_button(self, offer: Offer) -> QPushButton:
        seats = self.tr("已约满") if offer.full else self.tr("余 {n} 个").format(n=offer.free)
        pick = button(f"{offer.slot.label()}　{seats}", "", checkable=True)
        pick.setObjectName(f"slot-{offer.slot.id}")
        pick.setEnabled(not offer.full)
        pick.setChecked(offer.slot.id == self.slot_id)
        pick.clicked.connect(lambda _=False, s=offer.slot.id: self._choose_slot(s))
        return pick

    def _choose_slot(self, slot_id: str) -> None:
        self.slot_id = slot_id
        self._draw_times(days(self.offers).get(self.day, []))

    def submit(self) -> None:
        self.error.clear()
        if not self.slot_id:
            self.error.show_message(self.tr("还没有选择时段"), self.tr("请先点选日期和时段。"))
            return
        request = BookingRequest(self.slot_id, self.name.text(), self.phone.text(),
                                 self.address.text() if self.kind == HOME_VISIT else "", self.reason.text())
        self.book_requested.emit(self.kind, request)

    def show_problems(self, fields: list[str]) -> None:
        words = {"name": self.tr("姓名"), "phone": self.tr("联系电话"), "address": self.tr("上门地址")}
        self.error.show_message(self.tr("请补全：{fields}").format(fields="、".join(words[f] for f in fields)),
                                self.tr("电话请填数字，便于工作人员联系群众。"))

    def show_refusal(self, text: str, next_step: str) -> None:
        self.error.show_message(text, next_step)

    def show_queued(self, booking: Booking) -> None:
        self.result_text.setText(self.tr("已预约 {slot}：待确认（联网后确认）。确认或改约会显示在“我的工作队列”。")
                                 .format(slot=booking.slot_label))
        self.result.show()
        self.book_button.setEnabled(False)

    def clear_personal(self) -> None:
        for field in (self.name, self.phone, self.address, self.reason):
            field.clear()
        self.error.clear()
        self.result_text.clear()
        self.result.hide()
        self.book_button.setEnabled(True)
        self.slot_id, self.day, self.offers = "", "", []
        clear_layout(self.day_row)
        clear_layout(self.time_rows)
