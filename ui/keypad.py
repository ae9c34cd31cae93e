"""A large on-screen keypad for kiosks without a keyboard: digits first, letters one tap away.

Agent account ids may hold letters and - _ . (the hub's ids), so a second page has them; PINs are mostly digits,
so the keypad opens on digits. It only emits what was tapped; the screen decides which field receives it.
"""
from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP, Signal
from PySide6.QtWidgets import QGridLayout, QPushButton, QStackedWidget, QVBoxLayout, QWidget

from ui.a11y import name
from ui.widgets import button

DIGITS = "123456789"
LETTERS = "abcdefghijklmnopqrstuvwxyz-_."
LETTER_COLUMNS = 8
SPOKEN = {   # keys whose face is not a word
    "⌫": QT_TRANSLATE_NOOP("Accessible", "删除一个字"), "-": QT_TRANSLATE_NOOP("Accessible", "横线"), "_": QT_TRANSLATE_NOOP("Accessible", "下划线"),
    ".": QT_TRANSLATE_NOOP("Accessible", "点"),
}


class Keypad(QWidget):
    typed = Signal(str)     # one character
    erased = Signal()       # ⌫: the last character
    cleared = Signal()      # 清空: the whole field

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._upper = False
        self._letter_keys: list[QPushButton] = []
        self.pages = QStackedWidget()
        self.pages.addWidget(self._digit_page())
        self.pages.addWidget(self._letter_page())
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.addWidget(self.pages)

    def _digit_page(self) -> QWidget:
        page, grid = _grid_page()
        for index, digit in enumerate(DIGITS):
            grid.addWidget(self._char_key(digit, "key"), index // 3, index % 3)
        self.letters_key = self._action_key(self.tr("字母"), lambda: self.show_letters(True))
        grid.addWidget(self.letters_key, 3, 0)
        grid.addWidget(self._char_key("0", "key"), 3, 1)
        grid.addWidget(self._action_key("⌫", self.erased.emit), 3, 2)
        grid.addWidget(self._action_key(self.tr("清空"), self.cleared.emit), 4, 0, 1, 3)
        return page

    def _letter_page(self) -> QWidget:
        page, grid = _grid_page()
        for index, letter in enumerate(LETTERS):
            key = self._char_key(letter, "key-small")
            self._letter_keys.append(key)
            grid.addWidget(key, index // LETTER_COLUMNS, index % LETTER_COLUMNS)
        last = len(LETTERS)
        self.case_key = self._action_key(self.tr("大写"), self.toggle_case)
        grid.addWidget(self.case_key, last // LETTER_COLUMNS, last % LETTER_COLUMNS, 1, 2)
        row = last // LETTER_COLUMNS + 1
        grid.addWidget(self._action_key(self.tr("数字"), lambda: self.show_letters(False)), row, 0, 1, 3)
        grid.addWidget(self._action_key("⌫", self.erased.emit), row, 3, 1, 2)
        grid.addWidget(self._action_key(self.tr("清空"), self.cleared.emit), row, 5, 1, 3)
        return page

    def _char_key(self, char: str, role: str) -> QPushButton:
        key = button(char, role)
        if char in SPOKEN:
            name(key, SPOKEN[char])
        key.clicked.connect(lambda: self.typed.emit(key.text()))   # the key's text follows 大写/小写
        return key

    @staticmethod
    def _action_key(text: str, on_tap) -> QPushButton:
        key = button(text, "key-action")
        if text in SPOKEN:
            name(key, SPOKEN[text])
        key.clicked.connect(lambda: on_tap())
        return key

    def show_letters(self, letters: bool) -> None:
        self.pages.setCurrentIndex(1 if letters else 0)

    def toggle_case(self) -> None:
        self._upper = not self._upper
        for key in self._letter_keys:
            key.setText(key.text().upper() if self._upper else key.text().lower())
        self.case_key.setText(self.tr("小写") if self._upper else self.tr("大写"))

    def reset(self) -> None:
        if self._upper:
            self.toggle_case()
        self.show_letters(False)


def _grid_page() -> tuple[QWidget, QGridLayout]:
    page = QWidget()
    grid = QGridLayout(page)
    grid.setContentsMargins(0, 0, 0, 0)
    grid.setSpacing(10)
    return page, grid
