"""好差评: five levels with words (not colour alone), reasons for the chosen level, then thanks.

A bad rating (1-3) asks what went wrong and is submitted only with at least one reason, or 其他 with a few words
of the resident's own (kiosk/rating.py `rating_problem`); the hint under the reasons says so in words."""
from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QButtonGroup, QGridLayout, QHBoxLayout, QLineEdit, QStackedWidget, QVBoxLayout,
                               QWidget)

from kiosk.rating import LEVELS, MAX_COMMENT, OTHER, is_bad, rating_problem, reasons_for
from ui.messages import level_label, reason_label
from ui.widgets import Screen, button, clear_layout, fill_grid, label, spoken


class RatingScreen(Screen):
    rated = Signal(int, tuple, str)   # level, reason codes, the 其他 text ("" when none)
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
        self.other = QLineEdit()   # 其他: the on-screen keyboard attaches to line edits
        self.other.setMaxLength(MAX_COMMENT)
        self.other.setPlaceholderText(self.tr("请简单说说哪里不好（{n}字以内）").format(n=MAX_COMMENT))
        self.other.setAccessibleName(self.tr("其他原因"))
        self.other.textChanged.connect(lambda _text: self._update_submit())
        self.other.hide()
        box.addWidget(self.other)
        self.need_reason = label(self.tr("！请至少选一项原因，或选“其他”并写几个字"), "hint")
        self.need_reason.hide()
        box.addWidget(self.need_reason)
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
        self.other.clear()
        self.other.hide()
        self.need_reason.hide()
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
                                   else self.tr("哪里需要改进？（可多选，至少选一项）"))
        toggles = []
        for code in reasons_for(level):
            toggle = button(reason_label(code) if code != OTHER else self.tr("其他…"), "reason", checkable=True)
            toggle.setProperty("code", code)
            toggle.toggled.connect(lambda _on: self._update_submit())
            toggles.append(toggle)
        fill_grid(self.reasons, toggles, 4 if len(toggles) > 6 else 3)
        self._update_submit()

    def choose_reason(self, code: str, text: str = "") -> None:
        """Tick a reason (tests, the screenshot tour); with 其他 also its text."""
        for toggle in self._toggles():
            if toggle.property("code") == code:
                toggle.setChecked(True)
        if text:
            self.other.setText(text)

    def _toggles(self) -> list:
        widgets = (self.reasons.itemAt(i).widget() for i in range(self.reasons.count()))
        return [w for w in widgets if w is not None]

    def chosen_reasons(self) -> tuple[str, ...]:
        return tuple(t.property("code") for t in self._toggles() if t.isChecked())

    def _update_submit(self) -> None:
        """其他 shows its text field; a bad rating needs a reason before 提交评价 is offered."""
        if self.level is None:
            return
        reasons = self.chosen_reasons()
        self.other.setVisible(OTHER in reasons)
        problem = rating_problem(self.level, reasons, self._other_text(reasons))
        self.need_reason.setVisible(is_bad(self.level) and problem == "reason_needed")
        self.submit_button.setEnabled(problem is None)

    def _other_text(self, reasons: tuple[str, ...]) -> str:
        return self.other.text().strip() if OTHER in reasons else ""

    def _submit(self) -> None:
        if self.level is None:
            return
        reasons = self.chosen_reasons()
        if rating_problem(self.level, reasons, self._other_text(reasons)) is not None:
            self._update_submit()
            return
        self.submit_button.setEnabled(False)
        self.skip_button.setEnabled(False)
        self.rated.emit(self.level, reasons, self._other_text(reasons))

    def show_thanks(self) -> None:
        self.title.setText(self.tr("评价已提交"))
        self.pages.setCurrentIndex(1)

    def clear_personal(self) -> None:
        self.reset()

    def spoken_text(self) -> str:
        if self.pages.currentIndex() == 1:
            return spoken(self.title.text(), self.thanks.text(), self.tr("祝您生活愉快。请带好您的身份证和回执。"))
        return spoken(self.title.text(), self.tr("请点一个评价，再点“提交评价”；不想评价可以点“跳过”。"))
