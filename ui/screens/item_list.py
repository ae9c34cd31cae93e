"""A list of items: one category, one "我要…" theme, or one 一件事 bundle (its guide: the items, and, when the
bundle is filed as one, a button for one application covering them all)."""
from __future__ import annotations

from typing import Sequence

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QWidget

from kiosk.elderly import page
from kiosk.records import ServiceItem
from ui.elderly import Pager
from ui.i18n import data_text
from ui.widgets import RowButton, Screen, button, clear_layout, label, scrolling_rows


class ItemListScreen(Screen):
    item_chosen = Signal(str)
    bundle_apply_requested = Signal(str)   # 一件事: the bundle's id

    def __init__(self, parent: QWidget | None = None):
        super().__init__("", parent=parent)
        self.description = label("", "hint")
        self.body.addWidget(self.description)
        self.rows = scrolling_rows(self.body)
        self.pager = Pager()   # elderly mode: a few rows a page instead of scrolling
        self.pager.moved.connect(self._show_page)
        self.body.addWidget(self.pager)
        self._per_page = 0
        self._items: list[ServiceItem] = []
        self.apply_button = button("", "primary")
        self.apply_button.clicked.connect(lambda: self.bundle_apply_requested.emit(self._bundle_id))
        self.body.addWidget(self.apply_button)
        self._bundle_id = ""
        self.apply_button.hide()

    def show_items(self, title: str, items: Sequence[ServiceItem], description: str = "", bundle_id: str = "",
                   by_agent: bool = False) -> None:
        """`bundle_id`: a 一件事 this person may file as one application here."""
        self._bundle_id = bundle_id
        self.apply_button.setText(self.tr("为群众一次申请这{n}件事") if by_agent else self.tr("一次申请这{n}件事"))
        self.apply_button.setText(self.apply_button.text().format(n=len(items)))
        self.apply_button.setVisible(bool(bundle_id))
        self.title.setText(title)
        self.description.setText(description)
        self.description.setVisible(bool(description))
        self._items = list(items)
        self._show_page(0)

    def set_paging(self, per_page: int) -> None:
        """`per_page` 0: every row, scrolled (the standard look)."""
        self._per_page = per_page
        self._show_page(0)

    def _show_page(self, index: int) -> None:
        shown = page(len(self._items), self._per_page, index)
        clear_layout(self.rows)
        if not self._items:
            self.rows.addWidget(label(self.tr("这里暂时没有事项，请返回或请工作人员帮忙。"), "big"))
        for item in shown.items(self._items):
            self.rows.addWidget(self._row(item))
        self.rows.addStretch(1)
        self.pager.show_page(shown)

    def _row(self, item: ServiceItem) -> RowButton:
        if item.kiosk_ready:
            row = RowButton(data_text(item.name), self.tr("✓ 本机可办"), "badge")
        else:
            row = RowButton(data_text(item.name), self.tr("需到窗口办"), "badge-muted")
        row.clicked.connect(lambda: self.item_chosen.emit(item.id))
        return row
