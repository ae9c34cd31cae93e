"""Check before sending: a summary with the identity masked; 确认提交 / 返回修改; saving and storage errors."""
from __future__ import annotations

from typing import Sequence

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QWidget

from ui.messages import Message
from ui.widgets import ErrorPanel, Screen, button, clear_layout, frame, label, scroll_area, spoken


class ConfirmScreen(Screen):
    confirmed = Signal()
    edit_requested = Signal()
    photo_requested = Signal()   # 拍摄材料 (agent filings): the document camera

    def __init__(self, parent: QWidget | None = None):
        super().__init__(self.tr("请核对您的申请"), parent=parent)
        self.item_name = label("", "big")
        self.body.addWidget(self.item_name)
        card = frame("card")
        self.rows = QGridLayout()
        self.rows.setHorizontalSpacing(24)
        self.rows.setVerticalSpacing(12)
        card.layout().addLayout(self.rows)
        card.layout().addStretch(1)
        self.body.addWidget(scroll_area(card), 1)
        self.error = ErrorPanel()
        self.body.addWidget(self.error)
        self.saving = label(self.tr("正在保存，请稍候…"), "big")
        self.saving.hide()
        self.body.addWidget(self.saving)
        self.edit_button = button(self.tr("返回修改"))
        self.confirm_button = button(self.tr("确认提交"), "primary")
        for widget in (self.edit_button, self.confirm_button):
            widget.setMinimumHeight(88)
        self.photo_button = button(self.tr("拍摄材料"))
        self.photo_button.setMinimumHeight(88)
        self.photo_button.hide()
        self.pages = label("", "hint")
        self.body.addWidget(self.pages)
        self.edit_button.clicked.connect(self.edit_requested)
        self.confirm_button.clicked.connect(self.confirmed)
        self.photo_button.clicked.connect(self.photo_requested)
        row = QHBoxLayout()
        row.setSpacing(24)
        row.addWidget(self.edit_button, 1)
        row.addWidget(self.photo_button, 1)
        row.addWidget(self.confirm_button, 2)
        self.body.addLayout(row)

    def show_summary(self, item_name: str, rows: Sequence[tuple[str, str]]) -> None:
        self.item_name.setText(self.tr("办理事项：{item}").format(item=item_name))
        clear_layout(self.rows)
        for index, (caption, value) in enumerate(rows):
            self.rows.addWidget(label(self.tr("{label}：").format(label=caption), "hint"), index, 0)
            self.rows.addWidget(label(value or self.tr("（未填）"), "big"), index, 1)
        self.rows.setColumnStretch(1, 1)
        self.error.clear()
        self.set_saving(False)

    def set_pages(self, agent_mode: bool, pages: int) -> None:
        """Agent filings may carry photographed paper materials; the count says how many go with it."""
        self.photo_button.setVisible(agent_mode)
        self.pages.setText(self.tr("已拍摄材料 {n} 页，将随申请一起提交").format(n=pages) if pages else "")

    def set_saving(self, saving: bool) -> None:
        self.saving.setVisible(saving)
        self.confirm_button.setEnabled(not saving)
        self.edit_button.setEnabled(not saving)
        self.photo_button.setEnabled(not saving)
        self.back_button.setEnabled(not saving)
        self.home_button.setEnabled(not saving)

    def show_error(self, message: Message, can_retry: bool = True) -> None:
        self.set_saving(False)
        self.error.show_message(message.text, message.next_step)
        self.confirm_button.setText(self.tr("重试") if can_retry else self.tr("确认提交"))
        self.confirm_button.setEnabled(can_retry)

    def clear_personal(self) -> None:
        clear_layout(self.rows)
        self.item_name.clear()
        self.pages.clear()
        self.error.clear()
        self.confirm_button.setText(self.tr("确认提交"))
        self.set_saving(False)

    def spoken_text(self) -> str:
        """The item and what to do; the answers themselves are the resident's and are not read out."""
        return spoken(self.title.text(), self.item_name.text(),
                      self.tr("请核对下面的信息。没问题请点“确认提交”，要修改请点“返回修改”。"))
