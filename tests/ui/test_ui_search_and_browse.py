"""Finding a service: live search, the empty result, lists and the guide."""
from __future__ import annotations

from PySide6.QtWidgets import QPushButton
from ui_helpers import WAIT_MS, button_with_text, joined_texts, tap, type_text, wait_screen

from ui.widgets import RowButton


def rows(screen) -> list[RowButton]:
    return [w for w in screen.findChildren(RowButton) if w.isVisibleTo(screen)]


def test_results_follow_each_keystroke(qtbot, window, core):
    search = window.screens.search
    type_text(window.screens.home.search_box, "社")
    wait_screen(qtbot, window, search)
    with qtbot.waitSignal(search.results_shown, timeout=WAIT_MS):
        pass
    first = [r.text() for r in rows(search)]
    type_text(search.box, "保卡")
    qtbot.waitUntil(lambda: [r.text() for r in rows(search)] != first or search.box.text() != "社保卡",
                    timeout=WAIT_MS)
    expected = [hit.name for hit in core.search.search("社保卡", limit=20)]
    qtbot.waitUntil(lambda: [r.text() for r in rows(search)] == expected, timeout=WAIT_MS)
    tap(qtbot, search.home_button)
    assert window.screens.home.search_box.text() == "" and window.nav.depth == 0


def test_typing_that_keeps_going_to_the_home_box_still_searches_the_whole_text(qtbot, window):
    """An on-screen keyboard or a test harness may keep sending to the box it started in."""
    search = window.screens.search
    type_text(window.screens.home.search_box, "社保卡")
    wait_screen(qtbot, window, search)
    assert search.box.text() == "社保卡" and window.nav.depth == 1


def test_nothing_found_offers_ways_on(qtbot, window, core):
    search = window.screens.search
    window.browse.open_search("火星移民签证")
    qtbot.waitUntil(lambda: "没有找到" in joined_texts(search), timeout=WAIT_MS)
    shown = joined_texts(search)
    assert "没有找到“火星移民签证”相关的事项" in shown and "工作人员" in shown
    if core.catalog.themes:
        theme = core.catalog.themes[0]
        # Qt shows widgets added to a shown layout on the next event-loop turn, and a re-render leaves hidden
        # old tiles: wait for the visible one, as a resident would.
        visible = lambda: [b for b in search.findChildren(type(search.back_button))  # noqa: E731
                           if b.text() == theme.title and b.isVisible()]
        qtbot.waitUntil(lambda: bool(visible()), timeout=WAIT_MS)
        tile = visible()[0]
        tap(qtbot, tile)
        wait_screen(qtbot, window, window.screens.items)
        assert window.screens.items.title.text() == theme.title


def test_stale_answers_are_dropped(qtbot, window):
    search = window.screens.search
    window.browse.open_search("社保")
    search.box.setText("")          # cleared before the first answer arrives
    qtbot.waitUntil(lambda: search.status.text() == "请输入要办的事，几个字就可以", timeout=WAIT_MS)
    qtbot.wait(200)
    assert rows(search) == []


def test_category_list_then_guide_then_back(qtbot, window, core):
    category = core.catalog.categories[0]
    tap(qtbot, button_with_text(window.screens.home, "按类别找"))
    wait_screen(qtbot, window, window.screens.tiles)
    qtbot.waitUntil(lambda: category in joined_texts(window.screens.tiles) or
                    any(b.text() == category for b in window.screens.tiles.findChildren(QPushButton)),
                    timeout=WAIT_MS)
    tap(qtbot, next(b for b in window.screens.tiles.findChildren(QPushButton) if b.text() == category))
    items = window.screens.items
    wait_screen(qtbot, window, items)
    expected = [i.name for i in core.catalog.in_category(category)]
    qtbot.waitUntil(lambda: [r.text() for r in rows(items)] == expected, timeout=WAIT_MS)
    tap(qtbot, rows(items)[0])
    detail = window.screens.detail
    wait_screen(qtbot, window, detail)
    item = core.catalog.in_category(category)[0]
    assert detail.apply_button.isVisibleTo(detail) == item.kiosk_ready
    tap(qtbot, detail.back_button)
    wait_screen(qtbot, window, items)
    tap(qtbot, items.back_button)
    wait_screen(qtbot, window, window.screens.tiles)
    tap(qtbot, window.screens.tiles.home_button)
    wait_screen(qtbot, window, window.screens.home)


def test_every_theme_and_bundle_is_reachable_from_home(qtbot, window, core):
    home, tiles = window.screens.home, window.screens.tiles
    tap(qtbot, button_with_text(home, "更多“我要"))
    wait_screen(qtbot, window, tiles)
    qtbot.waitUntil(lambda: len(visible_tiles(tiles)) == len(core.catalog.themes), timeout=WAIT_MS)
    assert [b.text() for b in visible_tiles(tiles)] == [t.title for t in core.catalog.themes]
    tap(qtbot, tiles.home_button)
    tap(qtbot, button_with_text(home, "一件事"))
    qtbot.waitUntil(lambda: [b.text() for b in visible_tiles(tiles)] == [b.name for b in core.catalog.bundles],
                    timeout=WAIT_MS)
    bundle = core.catalog.bundles[0]
    tap(qtbot, visible_tiles(tiles)[0])
    wait_screen(qtbot, window, window.screens.items)
    assert window.screens.items.description.text() == bundle.description
    assert [r.text() for r in rows(window.screens.items)] == [core.catalog.items[i].name for i in bundle.item_ids]


def visible_tiles(screen) -> list:
    return [b for b in screen.findChildren(QPushButton) if b.property("role") == "tile" and b.isVisibleTo(screen)]


def test_guide_for_an_item_done_elsewhere_says_where(qtbot, window, core):
    elsewhere = next((i for i in core.catalog.items.values() if not i.kiosk_ready), None)
    assert elsewhere is not None
    window.browse.open_item(elsewhere.id)
    detail = window.screens.detail
    shown = joined_texts(detail)
    assert not detail.apply_button.isVisibleTo(detail)
    assert "办理" in detail.where_to_go(elsewhere) and detail.where_to_go(elsewhere) in shown
    for number, step in enumerate(elsewhere.guide, start=1):
        assert step in shown
    for material in elsewhere.materials:
        assert material.name in shown


def test_guide_shows_e_licence_badge(qtbot, window, core):
    item = next((i for i in core.catalog.items.values() if any(m.e_licence for m in i.materials)), None)
    assert item is not None
    window.browse.open_item(item.id)
    assert "免证办" in joined_texts(window.screens.detail)


def test_related_item_then_back_restores_the_first_guide(qtbot, window, core):
    item = next(i for i in core.catalog.items.values() if core.catalog.related_items(i))
    related = core.catalog.related_items(item)[0]
    window.browse.open_item(item.id)
    detail = window.screens.detail
    row = next(r for r in rows(detail) if r.text() == related.name)
    tap(qtbot, row)
    qtbot.waitUntil(lambda: detail.title.text() == related.name, timeout=WAIT_MS)
    tap(qtbot, detail.back_button)
    qtbot.waitUntil(lambda: detail.title.text() == item.name, timeout=WAIT_MS)
