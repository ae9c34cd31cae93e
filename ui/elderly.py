"""Elderly mode (适老化): one tap from home or the help strip turns on large type, high contrast, fewer choices per
screen and longer timeouts; the session's end (prefs.reset) turns it all off again.

The rules (sizes, page lengths, the timeout factor) are Qt-free in kiosk/elderly.py; this module applies them.
Maintenance mode keeps its own dense layout: the toggle is not offered there, and the kiosk cannot enter
maintenance while a resident's choices are in force (the window is then in use).
"""
from __future__ import annotations

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QApplication, QHBoxLayout, QWidget

from kiosk.elderly import ElderlyRules, Page
from kiosk.preferences import Prefs
from ui.a11y import min_target_px
from ui.fonts import BASE_PIXEL_SIZE
from ui.style import BAR_BUTTON_PX, stylesheet
from ui.widgets import button, label


class Pager(QWidget):
    """Big 上一页 / 下一页 with where the resident is ("第 1 / 3 页"), instead of a long list to scroll."""

    moved = Signal(int)   # the page index to show

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._index = 0
        self.previous = button(self.tr("‹ 上一页"))
        self.next = button(self.tr("下一页 ›"))
        self.where = label("", "big", wrap=False)
        self.where.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.previous.clicked.connect(lambda: self.moved.emit(self._index - 1))
        self.next.clicked.connect(lambda: self.moved.emit(self._index + 1))
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(16)
        row.addWidget(self.previous, 1)
        row.addWidget(self.where, 1)
        row.addWidget(self.next, 1)
        self.hide()

    def show_page(self, page: Page) -> None:
        self._index = page.index
        self.where.setText(self.tr("第 {n} / {total} 页").format(n=page.index + 1, total=page.count))
        self.previous.setEnabled(page.has_previous)
        self.next.setEnabled(page.has_next)
        self.setVisible(page.count > 1)


class ElderlyController(QObject):
    """Listens to the session's preferences and switches every part of the window between the two looks."""

    def __init__(self, window, rules: ElderlyRules, parent: QObject | None = None):
        super().__init__(parent)
        self.window, self.rules = window, rules
        self.min_target = min_target_px(window.core.config["screen_dpi"])
        self.on = False
        self.toggle = button(self.tr("长辈模式"), "nav", checkable=True)   # checked (✓) while on
        self.toggle.setObjectName("elderly-toggle")
        self.toggle.clicked.connect(window.prefs.set_elderly)
        window.help_bar.add(self.toggle)
        window.screens.home.elderly_requested.connect(window.prefs.set_elderly)
        window.prefs.subscribe(self._changed)
        window.nav.changed.connect(self._shown)
        if self.min_target > BAR_BUTTON_PX:   # a denser screen than the sheet's defaults assume
            self._restyle(False)

    def _changed(self, old: Prefs, new: Prefs) -> None:
        if old.elderly != new.elderly:
            self.apply(new.elderly)

    def _shown(self, screen) -> None:
        s = self.window.screens
        self.toggle.setVisible(screen not in (s.maint_login, s.maintenance))   # technicians keep their layout

    def apply(self, on: bool) -> None:
        self.on = on
        rules, s = self.rules, self.window.screens
        self._restyle(on)
        self.window.core.idle.stretch(rules.timeout_factor if on else 1.0)
        s.home.set_elderly(on, rules.home_themes)
        s.tiles.set_paging(rules.tiles_per_page if on else 0, rules.tile_columns if on else 0)
        s.items.set_paging(rules.rows_per_page if on else 0)
        s.search.set_paging(rules.rows_per_page if on else 0)
        s.form.set_paging(rules.fields_per_page if on else 0)
        self.toggle.setChecked(on)

    def _restyle(self, on: bool) -> None:
        app = QApplication.instance()
        family = app.font().family()
        app.setStyleSheet(stylesheet(family, BASE_PIXEL_SIZE, elderly=on, min_target_px=self.min_target))
