"""Home: a big search box, the first "我要…" life-event tiles, and the ways to everything else (few choices)."""
from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QLineEdit, QVBoxLayout, QWidget

from kiosk.catalog import Catalog
from ui.i18n import data_text
from ui.widgets import Screen, button, clear_layout, fill_grid, frame, label

THEME_TILES = 7      # plus the 更多 tile: two rows of four
COLUMNS = 4


class HomeScreen(Screen):
    search_started = Signal(str)      # the resident typed into the search box
    theme_chosen = Signal(str)        # Theme.id
    themes_requested = Signal()       # 更多“我要…”
    categories_requested = Signal()   # 按类别找
    bundles_requested = Signal()      # 一件事
    progress_requested = Signal()     # 办件查询
    staff_login_requested = Signal()  # 工作人员登录: small, grey, in the title's corner: not a service tile

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
        self._catalog_part = QVBoxLayout()   # rebuilt when sync brings a new catalog
        self.body.addLayout(self._catalog_part)
        self.body.addStretch(1)
        self.staff_button = button(self.tr("工作人员登录"), "staff")
        self.staff_button.clicked.connect(self.staff_login_requested)
        self.top.addWidget(self.staff_button, 0, Qt.AlignmentFlag.AlignTop)   # costs the services no room
        self.show_catalog(catalog)

    def show_catalog(self, catalog: Catalog) -> None:
        clear_layout(self._catalog_part)
        if not catalog.items:
            self._add_out_of_service()
        self._add_themes(catalog)
        self._add_more(catalog)

    def _add_out_of_service(self) -> None:
        box = frame("warn")
        box.layout().addWidget(label(self.tr("！本机的办事目录暂时不可用"), "big"))
        box.layout().addWidget(label(self.tr("请联系工作人员，或到镇便民服务中心办理。给您带来不便，请谅解。")))
        self._catalog_part.addWidget(box)

    def _add_themes(self, catalog: Catalog) -> None:
        if not catalog.themes:
            return
        self._catalog_part.addWidget(label(self.tr("我要…"), "section"))
        tiles = [self._tile(data_text(t.title), lambda _=False, k=t.id: self.theme_chosen.emit(k))
                 for t in catalog.themes[:THEME_TILES]]
        if len(catalog.themes) > THEME_TILES:
            tiles.append(self._tile(self.tr("更多“我要…” ›"), self.themes_requested.emit))
        grid = QGridLayout()
        grid.setSpacing(14)
        fill_grid(grid, tiles, COLUMNS)
        self._catalog_part.addLayout(grid)

    def _add_more(self, catalog: Catalog) -> None:
        self._catalog_part.addWidget(label(self.tr("其他找法"), "section"))
        row = QHBoxLayout()
        row.setSpacing(14)
        row.addWidget(self._tile(self.tr("按类别找全部事项（{n}类）").format(n=len(catalog.categories)),
                                 self.categories_requested.emit))
        if catalog.bundles:
            row.addWidget(self._tile(self.tr("一件事 · 一次办（{n}件）").format(n=len(catalog.bundles)),
                                     self.bundles_requested.emit))
        row.addWidget(self._tile(self.tr("查询办理进度"), self.progress_requested.emit))
        self._catalog_part.addLayout(row)

    @staticmethod
    def _tile(text: str, on_tap) -> QWidget:
        tile = button(text, "tile")
        tile.clicked.connect(on_tap)
        return tile

    def _typed(self, text: str) -> None:
        if text.strip():
            self.search_started.emit(text)

    def reset(self) -> None:
        self.search_box.clear()

    def clear_personal(self) -> None:
        self.reset()
