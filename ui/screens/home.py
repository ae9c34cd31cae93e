"""Home: a big search box, "我要…" life-event tiles, categories and 一件事 bundles."""
from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QLineEdit, QWidget

from kiosk.catalog import Catalog
from ui.widgets import Screen, button, fill_grid, label, scroll_area, vbox


class HomeScreen(Screen):
    search_started = Signal(str)      # the resident typed into the search box
    theme_chosen = Signal(str)        # Theme.id
    category_chosen = Signal(str)     # category name
    bundle_chosen = Signal(str)       # Bundle.id

    def __init__(self, catalog: Catalog, parent: QWidget | None = None):
        super().__init__(self.tr("您好！请问您要办什么事？"), nav=False, parent=parent)
        self.search_box = QLineEdit()
        self.search_box.setProperty("role", "search")
        self.search_box.setPlaceholderText(self.tr("输入要办的事，例如：社保卡"))
        self.search_box.textEdited.connect(self._typed)
        self.search_button = button(self.tr("查找"), "primary")
        self.search_button.setMinimumWidth(160)
        self.search_button.clicked.connect(lambda: self.search_started.emit(self.search_box.text()))
        row = QHBoxLayout()
        row.addWidget(self.search_box, 1)
        row.addWidget(self.search_button)
        self.body.addLayout(row)
        self.body.addWidget(scroll_area(self._sections(catalog)), 1)

    def _sections(self, catalog: Catalog) -> QWidget:
        content = QWidget()
        box = vbox()
        box.setContentsMargins(0, 0, 8, 0)
        self._add_tiles(box, self.tr("我要…"), [(t.title, t.id) for t in catalog.themes], self.theme_chosen, 4)
        self._add_tiles(box, self.tr("按类别找"), [(c, c) for c in catalog.categories], self.category_chosen, 4)
        self._add_tiles(box, self.tr("一件事 · 一次办"), [(b.name, b.id) for b in catalog.bundles],
                        self.bundle_chosen, 3)
        box.addStretch(1)
        content.setLayout(box)
        return content

    def _add_tiles(self, box, title: str, entries: list[tuple[str, str]], signal, columns: int) -> None:
        if not entries:
            return
        box.addWidget(label(title, "section"))
        grid = QGridLayout()
        grid.setSpacing(14)
        tiles = []
        for text, key in entries:
            tile = button(text, "tile")
            tile.clicked.connect(lambda _=False, k=key: signal.emit(k))
            tiles.append(tile)
        fill_grid(grid, tiles, columns)
        box.addLayout(grid)

    def _typed(self, text: str) -> None:
        if text.strip():
            self.search_started.emit(text)

    def reset(self) -> None:
        self.search_box.clear()

    def clear_personal(self) -> None:
        self.reset()
