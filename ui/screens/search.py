"""Live search: results follow every keystroke (debounced); an empty result offers ways to go on."""
from __future__ import annotations

from typing import Callable, Sequence

from PySide6.QtCore import QT_TRANSLATE_NOOP, QTimer, Signal
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QLabel, QLineEdit, QWidget

from kiosk.catalog import Catalog
from kiosk.elderly import page
from kiosk.one_thing import matching_bundles
from ui.a11y import name
from ui.elderly import Pager
from ui.i18n import data_text
from ui.tasks import Tasks
from ui.widgets import RowButton, Screen, button, clear_layout, fill_grid, label, scrolling_rows, spoken

DEBOUNCE_MS = 80
LIMIT = 20
SUGGESTED_THEMES = 5


class SearchScreen(Screen):
    item_chosen = Signal(str)
    bundle_chosen = Signal(str)   # 一件事: the bundle's id
    theme_chosen = Signal(str)
    categories_requested = Signal()
    results_shown = Signal(int)   # number of rows now on screen (tests and logging wait on it)
    qa_requested = Signal(str)    # 问一问: nothing matched, ask the words as a question

    def __init__(self, catalog: Catalog, search: Callable[..., Sequence], tasks: Tasks,
                 parent: QWidget | None = None):
        super().__init__(self.tr("查找事项"), parent=parent)
        self._catalog = catalog
        self._search = search
        self._tasks = tasks
        self._asked = 0          # number of the latest query; older answers are dropped
        self.box = QLineEdit()
        self.box.setProperty("role", "search")
        self.box.setPlaceholderText(self.tr("输入要办的事，例如：社保卡"))
        name(self.box, QT_TRANSLATE_NOOP("Accessible", "查找要办的事"))
        self.box.textChanged.connect(self._schedule)
        clear = button(self.tr("清空"))
        clear.clicked.connect(self.box.clear)
        row = QHBoxLayout()
        row.addWidget(self.box, 1)
        row.addWidget(clear)
        self.body.addLayout(row)
        self.status = label("", "hint")
        self.status.hide()
        self.body.addWidget(self.status)
        self.rows = scrolling_rows(self.body)
        self.pager = Pager()   # elderly mode: a few results a page instead of scrolling
        self.pager.moved.connect(self._show_page)
        self.body.addWidget(self.pager)
        self._per_page = 0
        self._shown: tuple[str, Sequence, Sequence] = ("", (), ())
        self._debounce = QTimer(self, singleShot=True, interval=DEBOUNCE_MS, timeout=self._run)

    def set_catalog(self, catalog: Catalog, search: Callable[..., Sequence]) -> None:
        self._catalog, self._search = catalog, search

    def start(self, text: str) -> None:
        self.box.setText(text)
        self.box.setFocus()
        self.box.end(False)

    def _schedule(self) -> None:
        self._debounce.start()

    def _run(self) -> None:
        self._asked += 1
        asked, query = self._asked, self.box.text().strip()
        if not query:
            self._show_prompt()
            return
        self._tasks.run("search", lambda: self._search(query, limit=LIMIT),
                        lambda hits: self._answered(asked, query, hits),
                        lambda error: self._answered(asked, query, []), group="search")

    def _answered(self, asked: int, query: str, hits: Sequence) -> None:
        if asked != self._asked:
            return
        bundles = matching_bundles(self._catalog, query)
        if hits or bundles:
            self._show_hits(query, hits, bundles)
        else:
            self._show_nothing(query)

    def set_paging(self, per_page: int) -> None:
        """`per_page` 0: every result, scrolled (the standard look)."""
        self._per_page = per_page
        if self._shown[1]:
            self._show_page(0)

    def _show_prompt(self) -> None:
        self._no_pages()
        clear_layout(self.rows)
        self._say(self.tr("请输入要办的事，几个字就可以"))
        self.rows.addStretch(1)
        self.results_shown.emit(0)

    def _show_hits(self, query: str, hits: Sequence, bundles: Sequence = ()) -> None:
        self._shown = (query, list(hits), list(bundles))
        self._show_page(0)
        self.results_shown.emit(len(hits))

    def _no_pages(self) -> None:
        self._shown = ("", (), ())
        self.pager.hide()

    def _show_page(self, index: int) -> None:
        query, hits, bundles = self._shown
        shown = page(len(hits), self._per_page, index)
        clear_layout(self.rows)
        # above the items (first page): one application may cover what the resident came for
        for bundle in bundles if shown.index == 0 else ():
            row = RowButton(data_text(bundle.name), self.tr("一件事"), "badge")
            row.clicked.connect(lambda _checked=False, bundle_id=bundle.id: self.bundle_chosen.emit(bundle_id))
            self.rows.addWidget(row)
        # Naming the query tells a slow typist which words the list answers.
        self._say(self.tr("“{q}”找到 {n} 个事项，请点选：").format(q=query, n=len(hits)))
        for hit in shown.items(hits):
            self.rows.addWidget(self._row(hit.item_id, data_text(hit.name)))
        self.rows.addStretch(1)
        self.pager.show_page(shown)

    def _say(self, text: str) -> None:
        self.status.setText(text)
        self.status.setVisible(bool(text))

    def _row(self, item_id: str, name: str) -> RowButton:
        item = self._catalog.get(item_id)
        ready = bool(item and item.kiosk_ready)
        badge = self.tr("✓ 本机可办") if ready else self.tr("需到窗口办")
        row = RowButton(name, badge, "badge" if ready else "badge-muted")
        row.clicked.connect(lambda: self.item_chosen.emit(item_id))
        return row

    def _show_nothing(self, query: str) -> None:
        self._no_pages()
        clear_layout(self.rows)
        self._say("")
        self.rows.addWidget(label(self.tr("没有找到“{q}”相关的事项").format(q=query), "section"))
        self.rows.addWidget(label(self.tr("换个简单的说法试试，比如只写两三个字；或者从下面选：")))
        grid = QGridLayout()
        grid.setSpacing(14)
        tiles = [self._theme_tile(data_text(theme.title), theme.id) for theme in self._catalog.themes[:SUGGESTED_THEMES]]
        everything = button(self.tr("按类别找全部事项 ›"), "tile")
        everything.clicked.connect(self.categories_requested)
        ask = button(self.tr("问一问 · 用自己的话问 ›"), "tile")
        ask.clicked.connect(lambda: self.qa_requested.emit(query))
        fill_grid(grid, [*tiles, everything, ask], 3)
        self.rows.addLayout(grid)
        self.rows.addWidget(label(self.tr("也可以请工作人员帮您查找。"), "hint"))
        self.rows.addStretch(1)
        self.results_shown.emit(0)

    def _theme_tile(self, title: str, theme_id: str):
        tile = button(title, "tile")
        tile.clicked.connect(lambda: self.theme_chosen.emit(theme_id))
        return tile

    def spoken_text(self) -> str:
        """The count and what to do next; never the query itself (the resident's own words)."""
        if not self.box.text().strip():
            return spoken(self.title.text(), self.tr("请输入要办的事，几个字就可以"))
        results = self.rows.parentWidget()
        found = [row for row in results.findChildren(RowButton) if not row.isHidden()]
        if found:
            return self.tr("找到 {n} 项，请点选").format(n=len(found))
        if any(not w.isHidden() and w.property("role") == "section" for w in results.findChildren(QLabel)):
            return spoken(self.tr("没有找到相关的事项"),
                          self.tr("换个简单的说法试试，比如只写两三个字；或者从下面选："))
        return self.title.text()   # the answer is still on its way: results_shown announces it

    def clear_personal(self) -> None:
        self._asked += 1
        self.box.blockSignals(True)
        self.box.clear()
        self.box.blockSignals(False)
        self._no_pages()
        clear_layout(self.rows)
        self._say("")
