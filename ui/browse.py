"""Finding a service: home, search, lists and the guide. Pure navigation between screens that render catalog data."""
from __future__ import annotations

from typing import Callable

from PySide6.QtCore import QObject, Qt

from kiosk import one_thing
from kiosk.catalog import Catalog
from ui.i18n import data_text
from ui.navigation import Navigator
from ui.screens.detail import DetailScreen
from ui.screens.home import HomeScreen
from ui.screens.item_list import ItemListScreen
from ui.screens.search import SearchScreen
from ui.screens.tiles import TilesScreen


class BrowseController(QObject):
    def __init__(self, catalog: Catalog, home: HomeScreen, search: SearchScreen, tiles: TilesScreen,
                 items: ItemListScreen, detail: DetailScreen, nav: Navigator, apply: Callable[[str], None],
                 apply_bundle: Callable[[str], None] = lambda bundle_id: None,
                 by_agent: Callable[[], bool] = lambda: False, parent: QObject | None = None):
        super().__init__(parent)
        self.catalog, self.home, self.search, self.tiles = catalog, home, search, tiles
        self.items, self.detail, self.nav = items, detail, nav
        nav.changed.connect(self._shown)
        # queued: the first letter typed on home moves the focus to the search screen, and moving the focus inside
        # the input method's own commit makes Qt Virtual Keyboard commit the word a second time (ui/osk.py)
        home.search_started.connect(self.open_search, Qt.ConnectionType.QueuedConnection)
        home.theme_chosen.connect(self.open_theme)
        home.themes_requested.connect(self.open_all_themes)
        home.categories_requested.connect(self.open_categories)
        home.bundles_requested.connect(self.open_bundles)
        search.item_chosen.connect(self.open_item)
        search.theme_chosen.connect(self.open_theme)
        search.bundle_chosen.connect(self.open_bundle)
        search.categories_requested.connect(self.open_categories)
        tiles.chosen.connect(self.open_tile)
        items.item_chosen.connect(self.open_item)
        detail.item_chosen.connect(self.open_item)
        detail.apply_requested.connect(apply)
        items.bundle_apply_requested.connect(apply_bundle)
        self.by_agent = by_agent   # asked each time: an agent may log in or out while the kiosk runs
        for screen in (search, tiles, items, detail):
            screen.back_requested.connect(nav.back)
            screen.home_requested.connect(nav.home)

    def open_search(self, text: str) -> None:
        """Typing on home continues on the search screen; further typing only updates it."""
        self.search.start(text)
        if self.nav.current is not self.search:
            self.nav.open(lambda: self.search)

    def _shown(self, screen) -> None:
        if screen is self.home:
            self.home.reset()

    def open_all_themes(self) -> None:
        entries = [(data_text(t.title), t.id) for t in self.catalog.themes]
        self.nav.open(lambda: self._tiles(self.tr("我要…"), self.tr("请选一件您要办的事："), "theme", entries))

    def open_categories(self) -> None:
        entries = [(data_text(c), c) for c in self.catalog.categories]
        self.nav.open(lambda: self._tiles(self.tr("按类别找"), self.tr("请选一个类别："), "category", entries))

    def open_bundles(self) -> None:
        entries = [(data_text(b.name), b.id) for b in self.catalog.bundles]
        hint = self.tr("几件相关的事，一次申请，同样的信息只填一次：")
        self.nav.open(lambda: self._tiles(self.tr("一件事 · 一次办"), hint, "bundle", entries))

    def open_tile(self, kind: str, key: str) -> None:
        opener = {"theme": self.open_theme, "category": self.open_category, "bundle": self.open_bundle}[kind]
        opener(key)

    def _tiles(self, title: str, hint: str, kind: str, entries) -> TilesScreen:
        self.tiles.show_tiles(title, hint, kind, entries)
        return self.tiles

    def open_theme(self, theme_id: str) -> None:
        theme = next((t for t in self.catalog.themes if t.id == theme_id), None)
        if theme is not None:
            self.nav.open(lambda: self._list(data_text(theme.title), self.catalog.theme_items(theme)))

    def open_category(self, category: str) -> None:
        self.nav.open(lambda: self._list(data_text(category), self.catalog.in_category(category)))

    def open_bundle(self, bundle_id: str) -> None:
        bundle = self.catalog.bundle(bundle_id)
        if bundle is not None:
            agent = self.by_agent()
            fileable = bundle.id if one_thing.can_file(self.catalog, bundle, by_agent=agent) else ""
            self.nav.open(lambda: self._list(data_text(bundle.name), self.catalog.bundle_items(bundle), data_text(bundle.description),
                                             fileable, agent))

    def open_item(self, item_id: str) -> None:
        item = self.catalog.get(item_id)
        if item is not None:
            self.nav.open(lambda: self._detail(item))

    def _list(self, title: str, items, description: str = "", bundle_id: str = "",
              by_agent: bool = False) -> ItemListScreen:
        self.items.show_items(title, items, description, bundle_id, by_agent)
        return self.items

    def _detail(self, item) -> DetailScreen:
        self.detail.show_item(item)
        return self.detail
