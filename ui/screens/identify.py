"""Who are you: ID card or 浙里办 code; a waiting state that can be cancelled; errors with the next step."""
from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QStackedWidget, QVBoxLayout, QWidget

from ui.messages import Message
from ui.widgets import ErrorPanel, Screen, button, label, spoken

CARD = "card"
QR = "qr"
SSCARD = "sscard"


class IdentifyScreen(Screen):
    method_chosen = Signal(str)     # CARD or QR
    cancel_requested = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(self.tr("请确认您的身份"), parent=parent)
        self.item_name = label("", "big")
        self.body.addWidget(self.item_name)
        self.pages = QStackedWidget()
        self.body.addWidget(self.pages, 1)
        self.pages.addWidget(self._choice_page())
        self.pages.addWidget(self._waiting_page())

    def _choice_page(self) -> QWidget:
        page = QWidget()
        box = QVBoxLayout(page)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(20)
        self.error = ErrorPanel()
        box.addWidget(self.error)
        self.card_button = self._method_button(self.tr("刷身份证"), CARD)
        self.qr_button = self._method_button(self.tr("扫浙里办码"), QR)
        row = QHBoxLayout()
        row.setSpacing(32)
        self.card_hint = self._hint(self.tr("把身份证平放在读卡区"))
        self.qr_hint = self._hint(self.tr("打开浙里办，点“亮证”，对准扫码口"))
        self.sscard_button = self._method_button(self.tr("插社保卡"), SSCARD)
        self.sscard_hint = self._hint(self.tr("把社保卡芯片朝里插入读卡口"))
        row.addLayout(self._method_column(self.card_button, self.card_hint))
        row.addLayout(self._method_column(self.qr_button, self.qr_hint))
        self.sscard_column = QWidget()
        self.sscard_column.setLayout(self._method_column(self.sscard_button, self.sscard_hint))
        self.sscard_column.hide()   # shown only on kiosks with a working PC/SC reader
        row.addWidget(self.sscard_column)
        box.addLayout(row)
        box.addStretch(1)
        box.addWidget(label(self.tr("您的信息只用于本次办理，离开后会自动清除。"), "hint"))
        return page

    def _method_button(self, text: str, method: str):
        widget = button(text, "method")
        widget.clicked.connect(lambda: self.method_chosen.emit(method))
        return widget

    @staticmethod
    def _hint(text: str):
        hint = label(text, "big")
        hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        return hint

    @staticmethod
    def _method_column(method_button, hint) -> QVBoxLayout:
        column = QVBoxLayout()
        column.setSpacing(10)
        column.addWidget(method_button)
        column.addWidget(hint)
        return column

    def set_available(self, card: bool, qr: bool, sscard: bool = False) -> None:
        """A reader that is unplugged or broken is greyed out with words, so nobody waits at a dead reader;
        the social security card slot, which most kiosks lack, is simply not offered then."""
        self.sscard_column.setVisible(sscard)
        self.card_button.setEnabled(card)
        self.qr_button.setEnabled(qr)
        self.card_hint.setText(self.tr("把身份证平放在读卡区") if card
                               else self.tr("读卡器暂不可用，请用浙里办扫码，或请工作人员帮忙"))
        self.qr_hint.setText(self.tr("打开浙里办，点“亮证”，对准扫码口") if qr
                             else self.tr("扫码器暂不可用，请刷身份证，或请工作人员帮忙"))

    def _waiting_page(self) -> QWidget:
        page = QWidget()
        box = QVBoxLayout(page)
        box.setSpacing(24)
        box.addStretch(1)
        self.waiting_text = label("", "huge")
        self.waiting_text.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.waiting_hint = label("", "big")
        self.waiting_hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        box.addWidget(self.waiting_text)
        box.addWidget(self.waiting_hint)
        box.addStretch(1)
        self.cancel_button = button(self.tr("取消"))
        self.cancel_button.setMinimumWidth(280)
        self.cancel_button.clicked.connect(self.cancel_requested)
        box.addWidget(self.cancel_button, 0, Qt.AlignmentFlag.AlignHCenter)
        return page

    # --- states --------------------------------------------------------------------------------------------
    def show_choice(self, item_name: str) -> None:
        self.item_name.setText(self.tr("正在办理：{item}").format(item=item_name))
        self.error.clear()
        self._set_waiting(False)

    def show_waiting(self, method: str) -> None:
        if method == CARD:
            self.waiting_text.setText(self.tr("请将身份证平放在读卡区"))
            self.waiting_hint.setText(self.tr("正在读取，请不要移动证件…"))
        elif method == SSCARD:
            self.waiting_text.setText(self.tr("请插入社保卡"))
            self.waiting_hint.setText(self.tr("芯片朝里插到底，读完前不要拔卡…"))
        else:
            self.waiting_text.setText(self.tr("请把浙里办二维码对准扫码口"))
            self.waiting_hint.setText(self.tr("打开浙里办 → 亮证 → 出示二维码"))
        self._set_waiting(True)

    def show_error(self, message: Message) -> None:
        self.error.show_message(message.text, message.next_step)
        self._set_waiting(False)

    def _set_waiting(self, waiting: bool) -> None:
        self.pages.setCurrentIndex(1 if waiting else 0)
        self.back_button.setEnabled(not waiting)

    @property
    def waiting(self) -> bool:
        return self.pages.currentIndex() == 1

    def clear_personal(self) -> None:
        self.item_name.clear()
        self.error.clear()
        self._set_waiting(False)

    def spoken_text(self) -> str:
        """The item and the ways to identify (or, while waiting, what to do with the card); errors speak for
        themselves through the error panel."""
        if self.waiting:
            return spoken(self.waiting_text.text(), self.waiting_hint.text())
        ways = [hint.text() for hint, shown in ((self.card_hint, True), (self.qr_hint, True),
                                                (self.sscard_hint, not self.sscard_column.isHidden())) if shown]
        return spoken(self.title.text(), self.item_name.text(), *ways)
