"""A supervisor's review list: agents' filings held at the station, each to approve (通过) or send back (退回)."""
from __future__ import annotations

from typing import Callable, Sequence

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLineEdit, QVBoxLayout, QWidget

from local_db.review import MAX_NOTE, REASONS, AwaitingReview
from ui.i18n import data_text
from ui.messages import Message, review_reason_label
from ui.screens.work_queue import local_time
from ui.widgets import ErrorPanel, Screen, button, clear_layout, frame, label, scrolling_rows


class ReviewScreen(Screen):
    approve_requested = Signal(str)        # application id
    reject_requested = Signal(str, str, str)   # application id, reason code, the supervisor's note (may be "")

    def __init__(self, parent: QWidget | None = None):
        super().__init__(self.tr("待审核的代办件"), parent=parent)
        self.summary = label("", "big")
        self.body.addWidget(self.summary)
        self.error = ErrorPanel()
        self.body.addWidget(self.error)
        self.rows = scrolling_rows(self.body)
        self.buttons: dict[str, list] = {}     # application id → its buttons (disabled while deciding)
        self.notes: dict[str, QLineEdit] = {}  # application id → the supervisor's note for a 退回

    def show_loading(self) -> None:
        self.summary.setText(self.tr("正在读取…"))

    def show_entries(self, entries: Sequence[AwaitingReview],
                     label_of: Callable[[str, str], str] = lambda item_id, key: key) -> None:
        """`label_of(item id, field key)`: the form's own label for each answer shown."""
        self.error.clear()
        clear_layout(self.rows)
        self.buttons, self.notes = {}, {}
        if not entries:
            self.summary.setText(self.tr("没有待审核的代办件。"))
            return
        self.summary.setText(self.tr("共 {n} 件待审核，最早的在前：").format(n=len(entries)))
        for entry in entries:
            self.rows.addWidget(self._row(entry, label_of))
        self.rows.addStretch(1)

    def set_deciding(self, application_id: str, deciding: bool) -> None:
        for widget in [*self.buttons.get(application_id, []), self.notes.get(application_id)]:
            if widget is not None:
                widget.setEnabled(not deciding)

    def show_error(self, message: Message) -> None:
        self.error.show_message(message.text, message.next_step)

    def _row(self, entry: AwaitingReview, label_of: Callable[[str, str], str]) -> QWidget:
        box = frame("card", QVBoxLayout())
        box.layout().addWidget(label(entry.receipt_no, "big", wrap=False))
        box.layout().addWidget(label(self.tr("{item} · {who} · 帮办员 {agent} · {time}").format(
            item=data_text(entry.item_name), who=entry.applicant_masked, agent=entry.filed_by,
            time=local_time(entry.created_at))))
        if entry.answers:   # what the supervisor approves: the answers as filed, in one paragraph
            box.layout().addWidget(label("；".join(f"{label_of(entry.item_id, key)}：{value}"
                                                  for key, value in entry.answers), "small"))
        note = QLineEdit()
        note.setObjectName(f"review-note-{entry.application_id}")
        note.setMaxLength(MAX_NOTE)
        note.setPlaceholderText(self.tr("退回说明（可不填）"))
        row = QHBoxLayout()
        row.addWidget(note, 1)
        row.addWidget(label(self.tr("退回："), "hint"))
        widgets = []
        for reason in REASONS:
            reject = button(review_reason_label(reason))
            reject.clicked.connect(lambda _=False, r=reason: self.reject_requested.emit(entry.application_id, r,
                                                                                        note.text()))
            row.addWidget(reject)
            widgets.append(reject)
        row.addStretch(1)
        approve = button(self.tr("通过"), "primary")
        approve.clicked.connect(lambda: self.approve_requested.emit(entry.application_id))
        row.addWidget(approve)
        widgets.append(approve)
        self.buttons[entry.application_id] = widgets
        self.notes[entry.application_id] = note
        box.layout().addLayout(row)
        return box

    def clear_personal(self) -> None:
        clear_layout(self.rows)
        self.buttons, self.notes = {}, {}
        self.summary.clear()
        self.error.clear()
