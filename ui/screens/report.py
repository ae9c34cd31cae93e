"""办不成事: what went wrong as big choices, a few words if the resident wants, a phone for a callback if they
want one (typed on the numeric keypad), then thanks and back to where they were."""
from __future__ import annotations

from typing import Mapping

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, Qt, Signal
from PySide6.QtWidgets import (QButtonGroup, QGridLayout, QHBoxLayout, QLineEdit, QPushButton, QStackedWidget,
                               QVBoxLayout, QWidget)

from kiosk.report import MAX_TEXT, OTHER, REASONS, ReportDraft
from ui.keypad import Keypad
from ui.widgets import ErrorPanel, Screen, button, fill_grid, label

CONTEXT = "ReportScreen"
REASON_TEXTS = {
    "cannot_find": QT_TRANSLATE_NOOP("ReportScreen", "找不到要办的事"),
    "cannot_understand": QT_TRANSLATE_NOOP("ReportScreen", "看不懂"),
    "machine_fault": QT_TRANSLATE_NOOP("ReportScreen", "机器故障"),
    "missing_material": QT_TRANSLATE_NOOP("ReportScreen", "材料不全办不了"),
    "elsewhere": QT_TRANSLATE_NOOP("ReportScreen", "要跑别处"),
    "other": QT_TRANSLATE_NOOP("ReportScreen", "其他…"),
}
PHONE_MAX = 13   # 0580-12345678


def reason_text(code: str) -> str:
    return QCoreApplication.translate(CONTEXT, REASON_TEXTS[code])


class ReportScreen(Screen):
    submitted = Signal(object)    # ReportDraft (reason, text, phone); the controller adds screen and service
    cancelled = Signal()          # 返回: back to where the resident was, nothing kept
    finished = Signal()           # thanks read: back to where the resident was

    def __init__(self, parent: QWidget | None = None):
        super().__init__(self.tr("办不成事？请告诉我们"), nav=False, parent=parent)
        self.pages = QStackedWidget()
        self.body.addWidget(self.pages, 1)
        self.pages.addWidget(self._ask_page())
        self.pages.addWidget(self._thanks_page())

    # --- building -------------------------------------------------------------------------------------------
    def _ask_page(self) -> QWidget:
        page = QWidget()
        columns = QHBoxLayout(page)
        columns.setContentsMargins(0, 0, 0, 0)
        columns.setSpacing(32)
        left = QVBoxLayout()
        left.setSpacing(12)
        left.addWidget(label(self.tr("遇到了什么问题？选一项最接近的"), "section"))
        self.reasons = QButtonGroup(self)
        tiles = []
        for code in REASONS:
            tile = button(reason_text(code), "choice", checkable=True)
            tile.setProperty("code", code)
            tile.setStyleSheet("padding: 6px 8px;")   # three across: the longest choice still reads whole
            self.reasons.addButton(tile)
            tiles.append(tile)
        self.reasons.buttonToggled.connect(lambda *_: self._update())
        grid = QGridLayout()
        grid.setSpacing(12)
        fill_grid(grid, tiles, 3)
        left.addLayout(grid)
        self.text = QLineEdit()   # the on-screen keyboard attaches to line edits
        self.text.setMaxLength(MAX_TEXT)
        self.text.setAccessibleName(self.tr("补充说明"))
        self.text.textChanged.connect(lambda _t: self._update())
        left.addWidget(self.text)
        self.text_error = label("", "field-error")
        self.text_error.hide()
        left.addWidget(self.text_error)
        self.error = ErrorPanel()
        left.addWidget(self.error)
        left.addStretch(1)
        self.cancel_button = button(self.tr("‹ 返回"))
        self.submit_button = button(self.tr("提交"), "primary")
        self.cancel_button.clicked.connect(self.cancelled)
        self.submit_button.clicked.connect(self._submit)
        actions = QHBoxLayout()
        actions.setSpacing(24)
        actions.addWidget(self.cancel_button, 1)
        actions.addWidget(self.submit_button, 2)
        for widget in (self.cancel_button, self.submit_button):
            widget.setMinimumHeight(88)
        left.addLayout(actions)
        columns.addLayout(left, 3)
        columns.addLayout(self._phone_column(), 2)
        return page

    def _phone_column(self) -> QVBoxLayout:
        right = QVBoxLayout()
        right.setSpacing(10)
        right.addWidget(label(self.tr("需要回电话吗？（可不填）"), "section"))
        self.phone = QLineEdit()
        self.phone.setMaxLength(PHONE_MAX)
        self.phone.setPlaceholderText(self.tr("手机或座机号码"))
        self.phone.setAccessibleName(self.tr("回电号码"))
        self.phone.setInputMethodHints(Qt.InputMethodHint.ImhDialableCharactersOnly)
        right.addWidget(self.phone)
        self.phone_error = label("", "field-error")
        self.phone_error.hide()
        right.addWidget(self.phone_error)
        self.keypad = Keypad()
        # a little lower than the login keypad's keys (still far above 9 mm), so the screen fits under the help strip
        self.keypad.setStyleSheet('QPushButton[role="key"] { min-height: 60px; font-size: 34px; }'
                                  ' QPushButton[role="key-action"] { min-height: 52px; }'
                                  ' QPushButton[role="key-small"] { min-height: 52px; }')   # the unused letters page
        self.keypad.letters_key.hide()   # a phone number has no letters: no 字母 page here
        self.keypad.typed.connect(self._key)
        self.keypad.erased.connect(self.phone.backspace)
        self.keypad.cleared.connect(self.phone.clear)
        right.addWidget(self.keypad)
        right.addStretch(1)
        return right

    def _thanks_page(self) -> QWidget:
        page = QWidget()
        box = QVBoxLayout(page)
        box.addStretch(1)
        thanks = label(self.tr("已收到，谢谢您！"), "huge")
        thanks.setAlignment(Qt.AlignmentFlag.AlignCenter)
        box.addWidget(thanks)
        self.thanks_next = label("", "big")
        self.thanks_next.setAlignment(Qt.AlignmentFlag.AlignCenter)
        box.addWidget(self.thanks_next)
        box.addStretch(1)
        self.back_to_button = button(self.tr("返回刚才的页面"), "primary")
        self.back_to_button.setMinimumSize(360, 88)
        self.back_to_button.clicked.connect(self.finished)
        box.addWidget(self.back_to_button, 0, Qt.AlignmentFlag.AlignHCenter)
        return page

    # --- state ----------------------------------------------------------------------------------------------
    def reset(self) -> None:
        self.clear_personal()
        self.pages.setCurrentIndex(0)

    def choose(self, code: str) -> None:
        for tile in self.reasons.buttons():
            if tile.property("code") == code:
                tile.setChecked(True)

    def reason(self) -> str:
        checked = self.reasons.checkedButton()
        return checked.property("code") if checked is not None else ""

    def draft(self) -> ReportDraft:
        return ReportDraft(self.reason(), self.text.text(), self.phone.text())

    def _key(self, char: str) -> None:
        if char.isdigit() or char == "-":
            self.phone.insert(char)

    def _update(self) -> None:
        other = self.reason() == OTHER
        self.text.setPlaceholderText(self.tr("请写几个字说明（必填）") if other
                                     else self.tr("想多说几句？（可不填）"))
        self.submit_button.setEnabled(bool(self.reason()) and (not other or bool(self.text.text().strip())))

    def _submit(self) -> None:
        self.error.clear()
        self.submit_button.setEnabled(False)
        self.submitted.emit(self.draft())

    def set_saving(self, saving: bool) -> None:
        self.submit_button.setText(self.tr("正在保存…") if saving else self.tr("提交"))
        if not saving:
            self._update()

    def show_errors(self, errors: Mapping[str, str]) -> None:
        """Field codes from kiosk.report.check_report; what was typed stays."""
        self.set_saving(False)
        self.text_error.setText(self.tr("！请写几个字说明，{n}字以内").format(n=MAX_TEXT) if "text" in errors else "")
        self.text_error.setVisible("text" in errors)
        self.phone_error.setText(self.tr("！号码不对：手机11位，座机带区号") if "phone" in errors else "")
        self.phone_error.setVisible("phone" in errors)

    def show_failure(self, text: str, next_step: str) -> None:
        self.set_saving(False)
        self.error.show_message(text, next_step)

    def show_thanks(self, callback: bool) -> None:
        self.thanks_next.setText(self.tr("工作人员会尽快处理，并按您留的电话回复您。") if callback
                                 else self.tr("工作人员会尽快处理，改进我们的服务。"))
        self.pages.setCurrentIndex(1)

    def clear_personal(self) -> None:
        self.reasons.setExclusive(False)   # an exclusive group cannot uncheck its last button
        for tile in self.reasons.buttons():
            tile.setChecked(False)
        self.reasons.setExclusive(True)
        self.text.clear()
        self.phone.clear()
        self.keypad.reset()
        self.error.clear()
        for widget in (self.text_error, self.phone_error):
            widget.clear()
            widget.hide()
        self.thanks_next.clear()
        self.set_saving(False)
