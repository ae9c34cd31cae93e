"""A page of big tiles to choose from: every "我要…" theme, every category, or every 一件事 bundle."""
from __future__ import annotations

from typing import Sequence

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QGridLayout, QVBoxLayout, QWidget

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

    def show_tiles(self, title: str, hint: str, kind: str, entries: Sequence[tuple[str, str]]) -> None:
        """`entries` are (text, key) pairs."""
        self.title.setText(title)
        self.hint.setText(hint)
        tiles = []
        for text, key in entries:
            tile = button(text, "tile")
            tile.clicked.connect(lambda _=False, k=key: self.chosen.emit(kind, k))
            tiles.append(tile)
        fill_grid(self.grid, tiles, COLUMNS)
        self.scroll.verticalScrollBar().setValue(0)
