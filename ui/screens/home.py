"""Home: a big search box, the first "我要…" life-event tiles, and the ways to everything else (few choices)."""
from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP, Qt, Signal
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QLineEdit, QVBoxLayout, QWidget

from kiosk.catalog import Catalog
from ui.a11y import name
from ui.i18n import data_text
from ui.widgets import Screen, button, clear_layout, fill_grid, frame, label, spoken

THEME_TILES = 7      # plus the 更多 tile: two rows of four
COLUMNS = 4
ELDERLY_COLUMNS = 2


class HomeScreen(Screen):
    search_started = Signal(str)      # the resident typed into the search box
    theme_chosen = Signal(str)        # Theme.id
    themes_requested = Signal()       # 更多“我要…”
    categories_requested = Signal()   # 按类别找
    bundles_requested = Signal()      # 一件事
    progress_requested = Signal()     # 办件查询
    staff_login_requested = Signal()  # 工作人员登录: small, grey, in the title's corner: not a service tile
    qa_requested = Signal()           # 问一问 · 智能问答
    elderly_requested = Signal(bool)  # the 长辈模式 tile: on (or off again)

    def __init__(self, catalog: Catalog, parent: QWidget | None = None):
        super().__init__(self.tr("您好！请问您要办什么事？"), nav=False, parent=parent)
        self.search_box = QLineEdit()
        self.search_box.setProperty("role", "search")
        self.search_box.setPlaceholderText(self.tr("输入要办的事，例如：社保卡"))
        name(self.search_box, QT_TRANSLATE_NOOP("Accessible", "查找要办的事"))
        self.search_box.textEdited.connect(self._typed)
        self.search_button = button(self.tr("查找"), "primary")
        self.search_button.setMinimumWidth(160)
        self.search_button.clicked.connect(lambda: self.search_started.emit(self.search_box.text()))
        self.qa_button = button(self.tr("问一问 · 智能问答"), "tile")   # beside 查找: ask rather than look up
        self.qa_button.clicked.connect(self.qa_requested)
        self.elderly_tile = button(self.tr("长辈模式 · 大字"), "elderly", checkable=True)   # one tap; ✓ while on
        self.elderly_tile.clicked.connect(self.elderly_requested)
        row = QHBoxLayout()
        row.addWidget(self.search_box, 1)
        row.addWidget(self.search_button)
        row.addWidget(self.qa_button)
        row.addWidget(self.elderly_tile)
        self.body.addLayout(row)
        self._elderly, self._elderly_themes = False, THEME_TILES
        self._catalog = catalog
        self._catalog_part = QVBoxLayout()   # rebuilt when sync brings a new catalog
        self.body.addLayout(self._catalog_part)
        self.body.addStretch(1)
        self.staff_button = button(self.tr("工作人员登录"), "staff")
        self.staff_button.clicked.connect(self.staff_login_requested)
        self.top.addWidget(self.staff_button, 0, Qt.AlignmentFlag.AlignTop)   # costs the services no room
        self.show_catalog(catalog)

    def set_elderly(self, on: bool, themes: int = THEME_TILES) -> None:
        """Elderly mode: only the first `themes` "我要…" (the district lists the most used first), two big columns,
        and no 一件事 entry (still found by search): fewer, larger choices."""
        self._elderly, self._elderly_themes = on, themes
        self.elderly_tile.setChecked(on)
        self.show_catalog(self._catalog)

    def show_catalog(self, catalog: Catalog) -> None:
        self._catalog = catalog
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
        shown = self._elderly_themes if self._elderly else THEME_TILES
        tiles = [self._tile(data_text(t.title), lambda _=False, k=t.id: self.theme_chosen.emit(k))
                 for t in catalog.themes[:shown]]
        if len(catalog.themes) > shown and not self._elderly:   # elderly: 更多 joins the big entries below
            tiles.append(self._tile(self.tr("更多“我要…” ›"), self.themes_requested.emit))
        grid = QGridLayout()
        grid.setSpacing(14)
        fill_grid(grid, tiles, ELDERLY_COLUMNS if self._elderly else COLUMNS)
        self._catalog_part.addLayout(grid)

    def _add_more(self, catalog: Catalog) -> None:
        if not self._elderly:   # elderly: the big entries follow the themes without another heading
            self._catalog_part.addWidget(label(self.tr("其他找法"), "section"))
        row = QHBoxLayout()
        row.setSpacing(14)
        if self._elderly and len(catalog.themes) > self._elderly_themes:
            row.addWidget(self._tile(self.tr("更多“我要…” ›"), self.themes_requested.emit))
        row.addWidget(self._tile(self.tr("按类别找全部事项（{n}类）").format(n=len(catalog.categories)),
                                 self.categories_requested.emit))
        if catalog.bundles and not self._elderly:
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

    def spoken_text(self) -> str:
        return spoken(self.title.text(), self.tr("可以在上面输入要办的事，也可以点下面的“我要…”找事项。"))
