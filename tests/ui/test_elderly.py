"""Elderly mode (适老化): one tap from home, larger type measured on the widgets, fewer choices per page, a longer
idle timeout, and everything back to standard when the session ends."""
from __future__ import annotations

import pytest
from PySide6.QtWidgets import QApplication
from ui_helpers import WAIT_MS, fill_valid, go_to_form, open_window, tap, wait_screen

from kiosk.elderly import ElderlyRules, page
from kiosk.idle import IdleGuard


def pixel_size(widget) -> int:
    widget.ensurePolished()
    return widget.font().pixelSize()


def visible_tiles(grid_owner) -> list:
    QApplication.processEvents()   # widgets added to a shown layout appear on the next turn of the event loop
    ask = getattr(grid_owner, "qa_button", None)   # 问一问 beside 查找 is not one of the catalog's choices
    return [b for b in grid_owner.findChildren(type(grid_owner.home_button)) if b.isVisible()
            and b.property("role") == "tile" and b is not ask]


def test_page_rules():
    assert page(10, 4, 0).items(list(range(10))) == [0, 1, 2, 3]
    last = page(10, 4, 9)                       # past the end: the last page
    assert (last.index, last.count, last.items(list(range(10)))) == (2, 3, [8, 9])
    assert not last.has_next and last.has_previous
    assert page(10, 0, 3).items(list(range(10))) == list(range(10))   # 0: no paging
    assert ElderlyRules.from_config({"elderly_timeout_factor": 0.5}).timeout_factor == 1.0   # never shorter


def test_idle_guard_stretches_from_the_configured_times():
    now = [0.0]
    guard = IdleGuard(90, 20, clock=lambda: now[0])
    guard.stretch(2)
    guard.stretch(2)                            # never compounds
    assert (guard.timeout_s, guard.warning_s) == (180, 40)
    now[0] = 100
    assert guard.status().state.value == "active"   # past the standard 90 s, still inside the elderly 180 s
    guard.stretch(1)
    assert guard.status().state.value == "expired"


def test_one_tap_from_home_turns_it_on_and_the_help_strip_turns_it_off(qtbot, window):
    home = window.screens.home
    assert window.nav.current is home and home.elderly_tile.isVisible()
    tap(qtbot, home.elderly_tile)
    assert window.prefs.current.elderly and window.elderly.on
    assert home.elderly_tile.isChecked() and window.elderly.toggle.isChecked()   # ✓ on both
    tap(qtbot, window.elderly.toggle)
    assert not window.prefs.current.elderly and not window.elderly.on
    assert not home.elderly_tile.isChecked()


def test_type_is_at_least_a_third_larger(qtbot, window):
    home = window.screens.home
    parts = [home.title, home.search_box, home.search_button, visible_tiles(home)[0], home.staff_button]
    before = [pixel_size(w) for w in parts]
    window.prefs.set_elderly(True)
    after = [pixel_size(w) for w in parts]
    for small, large in zip(before, after):
        assert large >= small * 1.3
    assert "#000000" in QApplication.instance().styleSheet()   # black on white, not grey on grey


def test_fewer_choices_on_home_and_in_lists(qtbot, window, core):
    home, tiles, items = window.screens.home, window.screens.tiles, window.screens.items
    standard_home = len(visible_tiles(home))
    window.prefs.set_elderly(True)
    rules = window.elderly.rules
    assert len(visible_tiles(home)) < standard_home
    themes = [b.text() for b in visible_tiles(home)]
    assert [t.title for t in core.catalog.themes[:rules.home_themes]] == themes[:rules.home_themes]

    window.browse.open_all_themes()
    wait_screen(qtbot, window, tiles)
    assert len(visible_tiles(tiles)) == rules.tiles_per_page < len(core.catalog.themes)
    assert tiles.pager.isVisible() and "第 1 /" in tiles.pager.where.text()
    first = {b.text() for b in visible_tiles(tiles)}
    tap(qtbot, tiles.pager.next)
    assert "第 2 /" in tiles.pager.where.text() and not first & {b.text() for b in visible_tiles(tiles)}

    category = max(core.catalog.categories, key=lambda c: len(core.catalog.in_category(c)))
    window.browse.open_category(category)
    wait_screen(qtbot, window, items)
    QApplication.processEvents()
    rows = [r for r in items.findChildren(type(items.apply_button)) if r.isVisible() and r.property("role") == "row"]
    assert len(rows) == min(rules.rows_per_page, len(core.catalog.in_category(category)))


def test_the_form_asks_a_few_questions_at_a_time(qtbot, window, core):
    window.prefs.set_elderly(True)
    go_to_form(qtbot, window, core)
    form, per_page = window.screens.form, window.elderly.rules.fields_per_page
    editors = list(form.editors.values())
    if len(editors) <= per_page:
        pytest.skip("the demo item's form fits one page")
    assert [e.isVisible() for e in editors[:per_page + 1]] == [True] * per_page + [False]
    assert not form.next_button.isVisible() and form.pager.next.isVisible()
    fill_valid(form)
    while form.pager.next.isEnabled() and form.pager.isVisible():
        tap(qtbot, form.pager.next)
    assert form.next_button.isVisible()
    tap(qtbot, form.next_button)
    wait_screen(qtbot, window, window.screens.confirm)


def test_longer_idle_timeout_only_while_on(qtbot, window, core):
    configured = core.idle.timeout_s, core.idle.warning_s
    window.prefs.set_elderly(True)
    factor = core.config["elderly_timeout_factor"]
    assert (core.idle.timeout_s, core.idle.warning_s) == (configured[0] * factor, configured[1] * factor)
    window.prefs.set_elderly(False)
    assert (core.idle.timeout_s, core.idle.warning_s) == configured


def test_the_session_end_returns_the_standard_look(qtbot, window):
    standard_sheet = QApplication.instance().styleSheet()
    window.prefs.set_elderly(True)
    assert QApplication.instance().styleSheet() != standard_sheet
    window.browse.open_all_themes()
    window.forget_resident()                     # idle wipe / agent logout / service finished all reset prefs
    assert not window.prefs.current.elderly
    assert QApplication.instance().styleSheet() == standard_sheet
    assert not window.screens.tiles.pager.isVisible()
    assert len(visible_tiles(window.screens.home)) > window.elderly.rules.home_themes


def test_left_on_at_home_it_is_wiped_for_the_next_resident(qtbot, core_factory):
    core = core_factory(idle_timeout_s=1.0, idle_warning_s=0.5, elderly_timeout_factor=1.5)
    window = open_window(qtbot, core)
    window.idle.set_interval(50)
    try:
        window.prefs.set_elderly(True)
        assert window.in_use()                   # home, no session, but a stranger's choice is in force
        qtbot.waitUntil(lambda: not window.prefs.current.elderly, timeout=WAIT_MS)
        assert core.idle.timeout_s == 1.0
    finally:
        window.shutdown()


def test_maintenance_does_not_offer_it(qtbot, window):
    window.nav.open(lambda: window.screens.maint_login)
    qtbot.waitUntil(window.screens.maint_login.isVisible, timeout=WAIT_MS)
    assert not window.elderly.toggle.isVisible()
    window.nav.home()
    assert window.elderly.toggle.isVisible()


def test_both_looks_fit_the_1280_by_800_panel(qtbot, window):
    window.status_bar.show_agent("ag-7")   # the strips at their tallest: the agent's badge and 退出, a notice
    window.notice.set_notice("目录已回退到内置版本")
    for on in (False, True):
        window.prefs.set_elderly(on)
        hint = window.minimumSizeHint()
        assert hint.width() <= 1280 and hint.height() <= 800, (on, hint)
