"""Saved: the receipt number, big; then whether the paper receipt came out, and what to do if it did not."""
from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QWidget

from ui.messages import Message
from ui.widgets import Screen, button, frame, label, spoken


class ReceiptScreen(Screen):
    reprint_requested = Signal()
    done = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(self.tr("申请已提交"), nav=False, parent=parent)
        saved = frame("ok")
        self.saved_text = label(self.tr("✓ 已安全保存，网络恢复后会自动上报"), "big")
        self.item_name = label("")
        self.notes = label("")   # 一件事: the items; 容缺受理: what to bring and by when
        saved.layout().addWidget(self.saved_text)
        saved.layout().addWidget(self.item_name)
        saved.layout().addWidget(self.notes)
        self.notes.hide()   # shown only with something in it: the screen must still fit 1280×800
        self.body.addWidget(saved)
        self.body.addWidget(label(self.tr("您的回执号"), "big"))
        self.receipt_no = label("", "huge", wrap=False)
        self.receipt_no.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
        self.receipt_no.setStyleSheet("font-size: 56px; letter-spacing: 2px;")
        self.body.addWidget(self.receipt_no)
        self.print_box = frame("card")
        self.print_text = label("", "big")
        self.print_next = label("")
        self.print_box.layout().addWidget(self.print_text)
        self.print_box.layout().addWidget(self.print_next)
        self.body.addWidget(self.print_box)
        self.body.addStretch(1)
        self.reprint_button = button(self.tr("再打印一次"))
        self.reprint_button.clicked.connect(self.reprint_requested)
        self.done_button = button(self.tr("下一步：评价本次服务"), "primary")
        self.done_button.clicked.connect(self.done)
        row = QHBoxLayout()
        row.setSpacing(24)
        row.addWidget(self.reprint_button, 1)
        row.addWidget(self.done_button, 2)
        for widget in (self.reprint_button, self.done_button):
            widget.setMinimumHeight(80)
        self.body.addLayout(row)

    def show_saved(self, receipt_no: str, item_name: str, notes: tuple[str, ...] = ()) -> None:
        self.receipt_no.setText(receipt_no)
        self.item_name.setText(self.tr("办理事项：{item}").format(item=item_name))
        self.notes.setText("\n".join(notes))
        self.notes.setVisible(bool(notes))
        self.show_printing()

    def show_printing(self) -> None:
        self._set_print_box("card", self.tr("正在打印回执…"), self.tr("请稍候，不要离开"))
        self.reprint_button.hide()
        self.done_button.setEnabled(False)

    def show_held_for_review(self) -> None:
        """An agent's filing of an item that a supervisor reviews: kept here, sent and its receipt owed on approval."""
        self._set_print_box("card", self.tr("已保存，等待审核员审核"),
                            self.tr("审核通过后才发送并补打回执；可在“我的工作队列”查看（待审核）。"))
        self.reprint_button.hide()
        self.done_button.setEnabled(True)

    def show_printed(self) -> None:
        self._set_print_box("ok", self.tr("✓ 回执已打印，请取走回执"), self.tr("回执上有查询进度的二维码。"))
        self.reprint_button.hide()
        self.done_button.setEnabled(True)

    def show_not_printed(self, message: Message) -> None:
        self._set_print_box("warn", self.tr("！{text}").format(text=message.text), message.next_step)
        self.reprint_button.show()
        self.done_button.setEnabled(True)

    def _set_print_box(self, role: str, text: str, next_step: str) -> None:
        self.print_box.setProperty("role", role)
        self.print_box.style().unpolish(self.print_box)
        self.print_box.style().polish(self.print_box)
        self.print_text.setText(text)
        self.print_next.setText(next_step)
        self.announce()

    def clear_personal(self) -> None:
        self.receipt_no.clear()
        self.item_name.clear()
        self.notes.clear()
        self.print_text.clear()
        self.print_next.clear()

    def spoken_text(self) -> str:
        """The receipt number is read digit by digit (it names the application, not the person) with the
        printing state and what to do next."""
        number = self.tr("您的回执号：{number}").format(number=self.receipt_no.text()) if self.receipt_no.text() else ""
        notes = self.notes.text() if not self.notes.isHidden() else ""
        return spoken(self.title.text(), self.saved_text.text(), self.item_name.text(), notes, number,
                      self.print_text.text(), self.print_next.text())
