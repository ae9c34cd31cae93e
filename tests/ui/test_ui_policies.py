"""An item the district paused says so on its guide, with the district's reason and where to go instead."""
import json

from local_db.sync_state import SyncState
from sync.events import BundleApplied
from ui_helpers import WAIT_MS, ready_item_id, tap, wait_screen

REASON = "社保系统升级，6月1日前暂停自助办理"


def test_a_paused_item_shows_the_refusal_with_the_reason(qtbot, window, core):
    item_id = ready_item_id(core)
    payload = json.dumps({"paused_items": {item_id: REASON}}, ensure_ascii=False)
    SyncState(core.store.db).record_bundle("policies", 1, "sha", payload)   # as sync installs it
    core.events.publish(BundleApplied("policies", 1))
    detail = window.screens.detail
    window.browse.open_item(item_id)
    wait_screen(qtbot, window, detail)
    tap(qtbot, detail.apply_button)
    qtbot.waitUntil(lambda: detail.refusal.isVisible(), timeout=WAIT_MS)
    assert detail.refusal.text.text() == f"这个事项在本机暂停办理，原因：{REASON}"
    assert "便民服务中心" in detail.refusal.next_step.text()
    assert window.resident.session is None and window.nav.current is detail


def test_an_item_paused_while_a_resident_fills_its_form_is_refused_on_going_back(qtbot, window, core):
    from ui_helpers import go_to_form, joined_texts

    go_to_form(qtbot, window, core)
    item_id = window.resident.session.item.id
    payload = json.dumps({"paused_items": {item_id: REASON}}, ensure_ascii=False)
    SyncState(core.store.db).record_bundle("policies", 1, "sha", payload)
    core.events.publish(BundleApplied("policies", 1))
    window.screens.form.back_requested.emit()        # 返回 from the form: begin again with a fresh session
    detail = window.screens.detail
    wait_screen(qtbot, window, detail)
    qtbot.waitUntil(lambda: detail.refusal.isVisible(), timeout=WAIT_MS)
    assert REASON in detail.refusal.text.text() and window.resident.session is None
    assert "王**" not in joined_texts(window)
