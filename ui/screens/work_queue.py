"""An agent's work queue: each filing with its receipt number, item, masked name, time and state in plain words."""
from __future__ import annotations

from datetime import datetime
from typing import Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QVBoxLayout, QWidget

from kiosk.ids import CST
from kiosk.work_queue import QueueEntry
from ui.i18n import data_text
from ui.messages import Message, booking_kind_label, queue_state_label, review_reason_label
from ui.widgets import ErrorPanel, Screen, button, clear_layout, frame, label, scrolling_rows

# the agent has something to do: drawn as a warning
ATTENTION = ("needs_material", "rejected", "quarantined", "review_rejected", "booking_conflict")
REBOOK = "booking_conflict"


class WorkQueueScreen(Screen):
    rebook_requested = Signal(str)    # a booking's id: 重新预约 for the same resident
    resume_requested = Signal(str)    # a draft's id: 继续办理
    discard_requested = Signal(str)   # a draft's id: 删除草稿
    reprint_requested = Signal(str)   # a receipt number: 补打回执 (the printer still owes it)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(self.tr("我的工作队列"), parent=parent)
        self.summary = label("", "big")
        self.body.addWidget(self.summary)
        self.reprinted = label("", "big")   # how the last 补打回执 went, when it printed (a failure: the error panel)
        self.reprinted.hide()
        self.body.addWidget(self.reprinted)
        self.error = ErrorPanel()
        self.body.addWidget(self.error)
        self.rows = scrolling_rows(self.body)

    def show_loading(self) -> None:
        if not self.rows.count():
            self.summary.setText(self.tr("正在读取…"))

    def show_entries(self, entries: Sequence[QueueEntry]) -> None:
        self.error.clear()
        clear_layout(self.rows)
        if not entries:
            self.summary.setText(self.tr("您在本机还没有代办记录。"))
            return
        self.summary.setText(self.tr("您在本机代办的 {n} 件，最新的在前：").format(n=len(entries)))
        for entry in entries:
            self.rows.addWidget(self._row(entry))
        self.rows.addStretch(1)

    def show_error(self, message: Message) -> None:
        self.summary.clear()
        self.error.show_message(message.text, message.next_step)

    def _row(self, entry: QueueEntry) -> QWidget:
        box = frame("warn" if entry.state in ATTENTION or entry.missing else "card", QHBoxLayout())
        left = QVBoxLayout()
        left.setSpacing(4)
        booking = entry.kind in ("station_visit", "home_visit")
        title = booking_kind_label(entry.kind) if booking else entry.receipt_no or self.tr("（未提交）")
        left.addWidget(label(title, "big", wrap=False))
        if entry.kind == "need":   # a need may be recorded without identifying the resident
            who = entry.applicant_masked or self.tr("未核验身份")
        else:
            who = entry.applicant_masked or self.tr("（已按规定清除）")
        left.addWidget(label(self.tr("{item} · {who}").format(item=data_text(entry.item_name), who=who)))
        when = self.tr("保存于 {time}") if entry.draft_id else self.tr("提交于 {time}")
        left.addWidget(label(when.format(time=local_time(entry.created_at)), "small"))
        right = QVBoxLayout()
        right.setSpacing(4)
        right.addWidget(label(queue_state_label(entry.state), "big", wrap=False), 0, Qt.AlignmentFlag.AlignRight)
        if entry.missing:   # 容缺受理: 待补材料, with the deadline the resident signed for
            owed = label(self.tr("待补材料：{materials}（{date} 前）").format(
                materials="、".join(entry.missing), date=entry.supply_by))
            owed.setAlignment(Qt.AlignmentFlag.AlignRight)
            right.addWidget(owed)
        if entry.reason or entry.note:
            note = label(" ".join(filter(None, (review_reason_label(entry.reason) if entry.reason else "",
                                                entry.note))))
            note.setAlignment(Qt.AlignmentFlag.AlignRight)
            right.addWidget(note)
        if booking and entry.state == REBOOK:
            again = button(self.tr("重新预约"), "primary")
            again.setObjectName(f"rebook-{entry.record_id}")
            again.clicked.connect(lambda _=False, record_id=entry.record_id: self.rebook_requested.emit(record_id))
            right.addWidget(again, 0, Qt.AlignmentFlag.AlignRight)
        if entry.draft_id:
            right.addLayout(self._draft_buttons(entry.draft_id))
        if entry.receipt_owed:
            again = button(self.tr("补打回执"), "primary")
            again.setObjectName(f"reprint-{entry.receipt_no}")
            again.clicked.connect(lambda _=False, no=entry.receipt_no: self.reprint_requested.emit(no))
            right.addWidget(again, 0, Qt.AlignmentFlag.AlignRight)
        right.addStretch(1)
        box.layout().addLayout(left, 3)
        box.layout().addLayout(right, 2)
        return box

    def _draft_buttons(self, draft_id: str) -> QHBoxLayout:
        resume, discard = button(self.tr("继续办理"), "primary"), button(self.tr("删除草稿"))
        resume.clicked.connect(lambda: self.resume_requested.emit(draft_id))
        discard.clicked.connect(lambda: self.discard_requested.emit(draft_id))
        row = QHBoxLayout()
        row.addWidget(discard)
        row.addWidget(resume)
        return row

    def show_reprint(self, receipt_no: str, printed: bool, words: str, next_step: str) -> None:
        """The outcome of 补打回执, in kiosk/owed_receipts.py's words."""
        headline = self.tr("回执 {no}：{words}").format(no=receipt_no, words=words)
        if printed:
            self.error.clear()
            self.reprinted.setText("✓ " + headline)
            self.reprinted.show()
        else:
            self.clear_reprint()
            self.error.show_message(headline, next_step)

    def clear_reprint(self) -> None:
        self.reprinted.clear()
        self.reprinted.hide()

    def clear_personal(self) -> None:
        clear_layout(self.rows)
        self.summary.clear()
        self.error.clear()
        self.clear_reprint()


def local_time(iso: str) -> str:
    """As the receipt counts days: China time."""
    try:
        return f"{datetime.fromisoformat(iso).astimezone(CST):%Y-%m-%d %H:%M}"
    except ValueError:
        return iso
