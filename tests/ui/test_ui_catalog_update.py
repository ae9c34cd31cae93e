"""A catalog sync installed reaches the screens between residents, never under one."""
from sync.events import BundleApplied
from tests.kiosk.catalog_helpers import NEW_ITEM, write_newer_catalog

from PySide6.QtWidgets import QAbstractButton
from ui_helpers import WAIT_MS, ready_item_id, wait_screen


def tiles(window) -> list[str]:
    return [b.text() for b in window.screens.home.findChildren(QAbstractButton) if b.isVisible()]


def test_an_idle_kiosk_shows_the_new_catalog_at_once(qtbot, window, core):
    write_newer_catalog(core.data_dir, "我要坐渡轮")
    core.events.publish(BundleApplied("catalog", 2))
    qtbot.waitUntil(lambda: "我要坐渡轮" in tiles(window), timeout=WAIT_MS)
    assert core.catalog.get(NEW_ITEM) is not None and core.flow.catalog is core.catalog
    assert core.search.search("渡轮", limit=1)[0].item_id == NEW_ITEM
    window.browse.open_item(NEW_ITEM)
    wait_screen(qtbot, window, window.screens.detail)
    assert window.screens.detail.title.text() == "海岛居民渡轮优惠卡办理"


def test_a_resident_in_the_middle_keeps_the_catalog_until_back_home(qtbot, window, core):
    item_id = ready_item_id(core)
    window.browse.open_item(item_id)
    wait_screen(qtbot, window, window.screens.detail)
    before = core.catalog
    write_newer_catalog(core.data_dir, "我要坐渡轮")
    core.events.publish(BundleApplied("catalog", 2))
    qtbot.waitUntil(lambda: core.catalog_updates.waiting, timeout=WAIT_MS)
    qtbot.wait(50)   # the bridge's queued signal has had its chance
    assert core.catalog is before and "我要坐渡轮" not in tiles(window)
    window.nav.home()
    assert core.catalog is not before and NEW_ITEM in core.catalog.items
    qtbot.waitUntil(lambda: "我要坐渡轮" in tiles(window), timeout=WAIT_MS)   # new tiles show on the next turn
