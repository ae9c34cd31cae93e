"""The resident's consent to an agent filing for them: sign on the pad, or show their own 浙里办 code, or refuse.

Shown after 核对 and before the save, so the resident agrees to exactly what they have just seen on the summary.
"""
from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QStackedWidget, QVBoxLayout, QWidget

from ui.messages import Message
from ui.signature_pad import SignaturePad
from ui.widgets import ErrorPanel, Screen, button, frame, label


class ConsentScreen(Screen):
    signed = Signal(bytes)          # the signature as PNG
    code_requested = Signal()       # 用浙里办码确认
    cancel_code_requested = Signal()
    withdraw_requested = Signal()   # 群众不同意，取消办理

    def __init__(self, parent: QWidget | None = None):
        super().__init__(self.tr("请群众本人确认：同意帮办员代为办理"), parent=parent)
        self.explain = label("", "big")
        box = frame("card")
        box.layout().addWidget(self.explain)
        self.body.addWidget(box)
        self.error = ErrorPanel()
        self.body.addWidget(self.error)
        self.pages = QStackedWidget()
        self.pages.addWidget(self._choice_page())
        self.pages.addWidget(self._waiting_page())
        self.body.addWidget(self.pages, 1)

    # --- pages ---------------------------------------------------------------------------------------------
    def _choice_page(self) -> QWidget:
        page = QWidget()
        row = QHBoxLayout(page)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(24)
        row.addLayout(self._signature_column(), 3)
        row.addLayout(self._other_column(), 2)
        return page

    def _signature_column(self) -> QVBoxLayout:
        column = QVBoxLayout()
        column.setSpacing(10)
        column.addWidget(label(self.tr("同意请在下面白框里签名："), "big"))
        self.pad = SignaturePad()
        self.pad.inked.connect(self._inked)
        column.addWidget(self.pad, 1)
        self.clear_button = button(self.tr("清除"))
        self.clear_button.clicked.connect(self.pad.clear)
        self.sign_button = button(self.tr("确认签名"), "primary")
        self.sign_button.clicked.connect(self._sign)
        buttons = QHBoxLayout()
        buttons.setSpacing(16)
        buttons.addWidget(self.clear_button, 1)
        buttons.addWidget(self.sign_button, 2)
        column.addLayout(buttons)
        self._inked(False)
        return column

    def _other_column(self) -> QVBoxLayout:
        column = QVBoxLayout()
        column.setSpacing(10)
        column.addWidget(label(self.tr("不方便签名，也可以："), "big"))
        self.code_button = button(self.tr("用浙里办码确认"), "primary")
        self.code_button.setMinimumHeight(140)   # the pad needs the height more than this button does
        self.code_button.clicked.connect(self.code_requested)
        column.addWidget(self.code_button)
        column.addWidget(label(self.tr("请出示您本人的浙里办码（亮证），对准扫码口"), "hint"))
        column.addStretch(1)
        self.withdraw_button = button(self.tr("群众不同意，取消办理"))
        self.withdraw_button.setMinimumHeight(88)
        self.withdraw_button.clicked.connect(self.withdraw_requested)
        column.addWidget(self.withdraw_button)
        return column

    def _waiting_page(self) -> QWidget:
        page = QWidget()
        box = QVBoxLayout(page)
        box.setSpacing(24)
        box.addStretch(1)
        for text, role in ((self.tr("请把您本人的浙里办码对准扫码口"), "huge"),
                           (self.tr("打开浙里办 → 亮证 → 出示二维码"), "big")):
            line = label(text, role)
            line.setAlignment(Qt.AlignmentFlag.AlignCenter)
            box.addWidget(line)
        box.addStretch(1)
        self.cancel_button = button(self.tr("取消"))
        self.cancel_button.setMinimumWidth(280)
        self.cancel_button.clicked.connect(self.cancel_code_requested)
        box.addWidget(self.cancel_button, 0, Qt.AlignmentFlag.AlignHCenter)
        return page

    # --- states --------------------------------------------------------------------------------------------
    def show_commitment(self, text: str) -> None:
        """容缺受理: the same pad and 浙里办 code sign the 告知承诺书 (ui/commitment.py)."""
        self.title.setText(self.tr("请群众本人签署告知承诺书"))
        self.explain.setText(text)
        self.pad.clear()
        self.show_choice()

    def show_request(self, item_name: str, agent_id: str, masked_name: str, department: str) -> None:
        to = department or self.tr("负责审批的部门")
        self.explain.setText(self.tr(
            "{name}，帮办员 {agent} 将替您在本机申请“{item}”。您刚核对过的信息会交给{to}办理。"
            "您同意，才会提交；不同意，什么都不会保存。").format(
                name=masked_name, agent=agent_id, item=item_name, to=to))
        self.pad.clear()
        self.show_choice()

    def show_choice(self) -> None:
        self.error.clear()
        self.set_busy(False)
        self._set_waiting(False)

    def show_waiting(self) -> None:
        self.error.clear()
        self._set_waiting(True)

    def show_error(self, message: Message) -> None:
        self.set_busy(False)
        self._set_waiting(False)
        self.error.show_message(message.text, message.next_step)

    def set_busy(self, busy: bool) -> None:
        """Consent given or refused and being acted on: no second tap."""
        for widget in (self.code_button, self.withdraw_button, self.back_button, self.home_button):
            widget.setEnabled(not busy)
        for widget in (self.sign_button, self.clear_button):
            widget.setEnabled(not busy and self.pad.has_ink)
        self.pad.setEnabled(not busy)

    def _set_waiting(self, waiting: bool) -> None:
        self.pages.setCurrentIndex(1 if waiting else 0)
        self.back_button.setEnabled(not waiting)
        self.home_button.setEnabled(not waiting)

    @property
    def waiting(self) -> bool:
        return self.pages.currentIndex() == 1

    def _inked(self, inked: bool) -> None:
        self.sign_button.setEnabled(inked)
        self.clear_button.setEnabled(inked)

    def _sign(self) -> None:
        if self.pad.has_ink:   # the button follows the ink; this guards a programmatic click
            self.signed.emit(self.pad.to_png())

    def clear_personal(self) -> None:
        self.explain.clear()
        self.pad.clear()
        self.show_choice()
