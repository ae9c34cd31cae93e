"""A page of big tiles to choose from: every "我要…" theme, every category, or every 一件事 bundle."""
from __future__ import annotations

from typing import Sequence

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QGridLayout, QVBoxLayout, QWidget

from kiosk.elderly import page
from ui.elderly import Pager
from ui.widgets import Screen, button, fill_grid, label, scroll_area

COLUMNS = 3


class TilesScreen(Screen):
    chosen = Signal(str, str)   # kind ("theme" | "category" | "bundle"), key

    def __init__(self, parent: QWidget | None = None):
        super().__init__("", parent=parent)
        self.hint = label("", "hint")
        self.body.addWidget(self.hint)
        content = QWidget()
        box = QVBoxLayout(content)
        box.setContentsMargins(0, 0, 8, 0)
        self.grid = QGridLayout()
        self.grid.setSpacing(14)
        box.addLayout(self.grid)
        box.addStretch(1)
        self.scroll = scroll_area(content)
        self.body.addWidget(self.scroll, 1)
        self.pager = Pager()   # elderly mode: a few big tiles a page instead of scrolling
        self.pager.moved.connect(self._show_page)
        self.body.addWidget(self.pager)
        self._per_page, self._columns = 0, COLUMNS
        self._kind, self._entries = "", []

    def set_paging(self, per_page: int, columns: int = 0) -> None:
        """`per_page` 0: every tile, scrolled (the standard look)."""
        self._per_page, self._columns = per_page, columns or COLUMNS
        self._show_page(0)

    def show_tiles(self, title: str, hint: str, kind: str, entries: Sequence[tuple[str, str]]) -> None:
        """`entries` are (text, key) pairs."""
        self.title.setText(title)
        self.hint.setText(hint)
        self._kind, self._entries = kind, list(entries)
        self._show_page(0)

    def _show_page(self, index: int) -> None:
        shown = page(len(self._entries), self._per_page, index)
        tiles = []
        for text, key in shown.items(self._entries):
            tile = button(text, "tile")
            tile.clicked.connect(lambda _=False, k=key, kind=self._kind: self.chosen.emit(kind, k))
            tiles.append(tile)
        fill_grid(self.grid, tiles, self._columns)
        self.pager.show_page(shown)
        self.scroll.verticalScrollBar().setValue(0)
