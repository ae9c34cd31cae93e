"""Staff login for proxy agents (帮办代办员): account, masked PIN, a big keypad, 登录 and 返回.

The account field also takes a keyboard or scanner wedge; the keypad types into whichever field was tapped last.
The screen only renders and emits `login_requested`; ui/agent.py checks the PIN off the GUI thread.
"""
from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLineEdit, QVBoxLayout, QWidget

from ui.keypad import Keypad
from ui.messages import Message
from ui.widgets import ErrorPanel, Screen, button, label

MAX_FIELD = 64   # the hub's ids are at most 64 characters; a PIN needs fewer
TARGETING_EVENTS = (QEvent.Type.FocusIn, QEvent.Type.MouseButtonPress)


class AgentLoginScreen(Screen):
    login_requested = Signal(str, str)   # account, PIN: handed straight to the controller, never stored here

    def __init__(self, parent: QWidget | None = None):
        super().__init__(self.tr("工作人员登录（帮办代办员）"), parent=parent)
        self.home_button.hide()          # 返回 already leads home; one way out is enough here
        self.account = self._field(self.tr("账号"))
        self.pin = self._field(self.tr("密码"))
        self.pin.setEchoMode(QLineEdit.EchoMode.Password)
        self.pin.setInputMethodHints(Qt.InputMethodHint.ImhHiddenText | Qt.InputMethodHint.ImhSensitiveData
                                     | Qt.InputMethodHint.ImhNoPredictiveText)
        self.account.returnPressed.connect(lambda: self.choose(self.pin))
        self.pin.returnPressed.connect(self.submit)
        self.active = self.account
        self.keypad = Keypad()
        self.keypad.typed.connect(self.type_char)
        self.keypad.erased.connect(lambda: self.active.backspace())
        self.keypad.cleared.connect(lambda: self.active.clear())
        row = QHBoxLayout()
        row.setSpacing(48)
        row.addLayout(self._form_column(), 1)
        row.addWidget(self.keypad, 1)
        self.body.addLayout(row, 1)

    def _field(self, placeholder: str) -> QLineEdit:
        field = QLineEdit()
        field.setPlaceholderText(placeholder)
        field.setMaxLength(MAX_FIELD)
        field.installEventFilter(self)   # a tap on a field makes it the keypad's target
        return field

    def _form_column(self) -> QVBoxLayout:
        self.error = ErrorPanel()
        self.login_button = button(self.login_text(), "primary")
        self.login_button.setMinimumHeight(96)
        self.login_button.clicked.connect(self.submit)
        self.checking = label("", "hint")
        self.checking.hide()
        column = QVBoxLayout()
        column.setSpacing(20)
        column.addLayout(_labelled(self.tr("账号"), self.account))
        column.addLayout(_labelled(self.tr("密码"), self.pin))
        for widget in (self.login_button, self.checking, self.error):
            column.addWidget(widget)
        column.addStretch(1)
        column.addWidget(label(self.footnote(), "small"))
        return column

    # what the maintenance login (ui/screens/maint_login.py) says instead
    def login_text(self) -> str:
        return self.tr("登录")

    def footnote(self) -> str:
        return self.tr("仅供帮办代办员使用。办事群众请点“返回”。")

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched in (self.account, self.pin) and event.type() in TARGETING_EVENTS:
            self.active = watched
        return False

    def choose(self, field: QLineEdit) -> None:
        self.active = field
        field.setFocus()

    def type_char(self, char: str) -> None:
        self.active.insert(char)

    def submit(self) -> None:
        """Hand over what was typed and clear the PIN at once: it is never left in a widget after a try."""
        account, pin = self.account.text().strip(), self.pin.text()
        self.pin.clear()
        self.login_requested.emit(account, pin)

    # --- states --------------------------------------------------------------------------------------------
    def set_checking(self, checking: bool) -> None:
        self.login_button.setEnabled(not checking)
        self.back_button.setEnabled(not checking)
        self.checking.setText(self.tr("正在核对，请稍候…") if checking else "")
        self.checking.setVisible(checking)
        if checking:
            self.error.clear()

    def show_refusal(self, message: Message) -> None:
        self.set_checking(False)
        self.pin.clear()
        self.error.show_message(message.text, message.next_step)
        self.choose(self.pin if self.account.text() else self.account)

    def reset(self) -> None:
        self.account.clear()
        self.pin.clear()
        self.error.clear()
        self.set_checking(False)
        self.keypad.reset()
        self.choose(self.account)

    def clear_personal(self) -> None:
        self.reset()


def _labelled(text: str, field: QLineEdit) -> QHBoxLayout:
    row = QHBoxLayout()
    row.setSpacing(16)
    caption = label(text, "section", wrap=False)
    caption.setBuddy(field)   # a screen reader names the field by its caption
    row.addWidget(caption)
    row.addWidget(field, 1)
    return row
