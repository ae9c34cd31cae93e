"""好差评: five levels with words (not colour alone), reasons for the chosen level, then thanks."""
from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QButtonGroup, QGridLayout, QHBoxLayout, QStackedWidget, QVBoxLayout, QWidget

from kiosk.rating import LEVELS, reasons_for
from ui.messages import level_label, reason_label
from ui.widgets import Screen, button, clear_layout, fill_grid, label, spoken


class RatingScreen(Screen):
    rated = Signal(int, tuple)   # level, reason codes
    skipped = Signal()
    finished = Signal()          # thanks acknowledged

    def __init__(self, parent: QWidget | None = None):
        super().__init__(self.tr("请为本次服务评价"), nav=False, parent=parent)
        self.pages = QStackedWidget()
        self.body.addWidget(self.pages, 1)
        self.pages.addWidget(self._ask_page())
        self.pages.addWidget(self._thanks_page())
        self.level: int | None = None

    def _ask_page(self) -> QWidget:
        page = QWidget()
        box = QVBoxLayout(page)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(16)
        self.levels = QButtonGroup(self)
        row = QHBoxLayout()
        row.setSpacing(14)
        for level in LEVELS:
            widget = button(self.tr("{stars}\n{label}").format(stars="★" * level + "☆" * (5 - level),
                                                              label=level_label(level)), "level", checkable=True)
            self.levels.addButton(widget, level)
            row.addWidget(widget)
        self.levels.idClicked.connect(self._level_chosen)
        box.addLayout(row)
        self.reasons_title = label("", "section")
        box.addWidget(self.reasons_title)
        self.reasons = QGridLayout()
        self.reasons.setSpacing(12)
        box.addLayout(self.reasons)
        box.addStretch(1)
        self.skip_button = button(self.tr("跳过"))
        self.submit_button = button(self.tr("提交评价"), "primary")
        self.skip_button.clicked.connect(self.skipped)
        self.submit_button.clicked.connect(self._submit)
        actions = QHBoxLayout()
        actions.setSpacing(24)
        actions.addWidget(self.skip_button, 1)
        actions.addWidget(self.submit_button, 2)
        for widget in (self.skip_button, self.submit_button):
            widget.setMinimumHeight(88)
        box.addLayout(actions)
        return page

    def _thanks_page(self) -> QWidget:
        page = QWidget()
        box = QVBoxLayout(page)
        box.addStretch(1)
        self.thanks = label(self.tr("感谢您的评价！"), "huge")
        self.thanks.setAlignment(Qt.AlignmentFlag.AlignCenter)
        box.addWidget(self.thanks)
        hint = label(self.tr("祝您生活愉快。请带好您的身份证和回执。"), "big")
        hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        box.addWidget(hint)
        box.addStretch(1)
        home = button(self.tr("返回首页"), "primary")
        home.setMinimumSize(360, 88)
        home.clicked.connect(self.finished)
        box.addWidget(home, 0, Qt.AlignmentFlag.AlignHCenter)
        return page

    def reset(self) -> None:
        self.level = None
        self.levels.setExclusive(False)
        for widget in self.levels.buttons():
            widget.setChecked(False)
        self.levels.setExclusive(True)
        clear_layout(self.reasons)
        self.reasons_title.clear()
        self.submit_button.setEnabled(False)
        self.skip_button.setEnabled(True)
        self.title.setText(self.tr("请为本次服务评价"))
        self.pages.setCurrentIndex(0)

    def choose_level(self, level: int) -> None:
        self.levels.button(level).setChecked(True)
        self._level_chosen(level)

    def _level_chosen(self, level: int) -> None:
        self.level = level
        self.reasons_title.setText(self.tr("哪些方面让您满意？（可多选，也可不选）") if level >= 4
                                   else self.tr("哪里需要改进？（可多选，也可不选）"))
        toggles = []
        for code in reasons_for(level):
            toggle = button(reason_label(code), "reason", checkable=True)
            toggle.setProperty("code", code)
            toggles.append(toggle)
        fill_grid(self.reasons, toggles, 3)
        self.submit_button.setEnabled(True)

    def chosen_reasons(self) -> tuple[str, ...]:
        toggles = (self.reasons.itemAt(i).widget() for i in range(self.reasons.count()))
        return tuple(t.property("code") for t in toggles if t is not None and t.isChecked())

    def _submit(self) -> None:
        if self.level is not None:
            self.submit_button.setEnabled(False)
            self.skip_button.setEnabled(False)
            self.rated.emit(self.level, self.chosen_reasons())

    def show_thanks(self) -> None:
        self.title.setText(self.tr("评价已提交"))
        self.pages.setCurrentIndex(1)

    def clear_personal(self) -> None:
        self.reset()

    def spoken_text(self) -> str:
        if self.pages.currentIndex() == 1:
            return spoken(self.title.text(), self.thanks.text(), self.tr("祝您生活愉快。请带好您的身份证和回执。"))
        return spoken(self.title.text(), self.tr("请点一个评价，再点“提交评价”；不想评价可以点“跳过”。"))
