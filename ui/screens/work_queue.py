"""An agent's work queue: each filing with its receipt number, item, masked name, time and state in plain words."""
from __future__ import annotations

from datetime import datetime
from typing import Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QVBoxLayout, QWidget

from kiosk.ids import CST
from kiosk.work_queue import QueueEntry
from ui.messages import Message, queue_state_label
from ui.widgets import ErrorPanel, Screen, clear_layout, frame, label, scroll_area

ATTENTION = ("needs_material", "rejected", "quarantined")   # the agent has something to do: drawn as a warning


class WorkQueueScreen(Screen):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(self.tr("我的工作队列"), parent=parent)
        self.summary = label("", "big")
        self.body.addWidget(self.summary)
        self.error = ErrorPanel()
        self.body.addWidget(self.error)
        content = QWidget()
        self.rows = QVBoxLayout(content)
        self.rows.setContentsMargins(0, 0, 8, 0)
        self.rows.setSpacing(12)
        self.body.addWidget(scroll_area(content), 1)

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
        left.addWidget(label(entry.receipt_no, "big", wrap=False))
        who = entry.applicant_masked or self.tr("（已按规定清除）")
        left.addWidget(label(self.tr("{item} · {who}").format(item=entry.item_name, who=who)))
        left.addWidget(label(self.tr("提交于 {time}").format(time=local_time(entry.created_at)), "small"))
        right = QVBoxLayout()
        right.setSpacing(4)
        right.addWidget(label(queue_state_label(entry.state), "big", wrap=False), 0, Qt.AlignmentFlag.AlignRight)
        if entry.missing:   # 容缺受理: 待补材料, with the deadline the resident signed for
            owed = label(self.tr("待补材料：{materials}（{date} 前）").format(
                materials="、".join(entry.missing), date=entry.supply_by))
            owed.setAlignment(Qt.AlignmentFlag.AlignRight)
            right.addWidget(owed)
        if entry.note:
            note = label(entry.note)
            note.setAlignment(Qt.AlignmentFlag.AlignRight)
            right.addWidget(note)
        right.addStretch(1)
        box.layout().addLayout(left, 3)
        box.layout().addLayout(right, 2)
        return box

    def clear_personal(self) -> None:
        clear_layout(self.rows)
        self.summary.clear()
        self.error.clear()


def local_time(iso: str) -> str:
    """As the receipt counts days: China time."""
    try:
        return f"{datetime.fromisoformat(iso).astimezone(CST):%Y-%m-%d %H:%M}"
    except ValueError:
        return iso
