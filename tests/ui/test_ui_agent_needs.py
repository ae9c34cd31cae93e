"""有求必应 at the kiosk: the agent desk's button, the form's tiles and fields, errors in place with nothing lost,
the saved need's number, the work queue row, and nothing typed left on screen after logout."""
from __future__ import annotations

from test_ui_agent_filing import logged_in
from ui_helpers import WAIT_MS, button_with_text, joined_texts, tap, type_text, wait_idle_tasks, wait_screen

from local_db import audit

DESCRIPTION = "独居老人家中水管爆裂需要维修"
LOCATION = "长岛村北弄17号"


def open_form(qtbot, window, core):
    s = window.screens
    logged_in(qtbot, window, core)
    tap(qtbot, s.agent_home.need_button)
    wait_screen(qtbot, window, s.need_form)
    return s.need_form


def needs_count(core) -> int:
    return core.store.db.execute("SELECT COUNT(*) FROM needs").fetchone()[0]


def test_bad_input_is_shown_in_place_and_nothing_typed_is_lost(qtbot, window, core):
    form = open_form(qtbot, window, core)
    tap(qtbot, form.submit_button)
    qtbot.waitUntil(lambda: form.summary.isVisible(), timeout=WAIT_MS)
    assert "4 处" in form.summary.text() and form.errors["category"].text() == "！请填写这一项"
    tap(qtbot, button_with_text(form, "房屋维修"))
    type_text(form.description, DESCRIPTION)
    type_text(form.contact, "1395701")
    type_text(form.location, LOCATION)
    tap(qtbot, form.submit_button)
    qtbot.waitUntil(lambda: "1 处" in form.summary.text(), timeout=WAIT_MS)
    assert form.errors["contact"].isVisible() and "手机号" in form.errors["contact"].text()
    assert not form.errors["description"].isVisible()
    assert (form.description.text(), form.contact.text(), form.location.text()) == (DESCRIPTION, "1395701", LOCATION)
    assert form.categories.checkedButton().text() == "房屋维修" and needs_count(core) == 0
    actions = [row[0] for row in core.store.db.execute("SELECT action FROM audit").fetchall()]
    assert actions.count(audit.NEED_REFUSED) == 2


def test_a_saved_need_shows_its_number_and_joins_the_work_queue(qtbot, window, core):
    s = window.screens
    form = open_form(qtbot, window, core)
    tap(qtbot, button_with_text(form, "生活照料"))
    type_text(form.description, DESCRIPTION)
    type_text(form.contact, "13957012345")
    type_text(form.location, LOCATION)
    tap(qtbot, form.submit_button)
    qtbot.waitUntil(lambda: form.saved.isVisible(), timeout=WAIT_MS)
    number = core.store.db.execute("SELECT number FROM needs").fetchone()[0]
    assert number in form.saved_text.text() and not form.submit_button.isEnabled()
    assert DESCRIPTION not in joined_texts(form) and form.description.text() == ""
    tap(qtbot, form.done_button)
    wait_screen(qtbot, window, s.agent_home)
    tap(qtbot, s.agent_home.queue_button)
    wait_screen(qtbot, window, s.work_queue)
    qtbot.waitUntil(lambda: number in joined_texts(s.work_queue), timeout=WAIT_MS)
    queue = joined_texts(s.work_queue)
    assert "有求必应 · 生活照料" in queue and "待同步" in queue and "未核验身份" in queue


def test_logout_mid_form_leaves_nothing_typed_on_screen(qtbot, window, core):
    form = open_form(qtbot, window, core)
    type_text(form.description, DESCRIPTION)
    type_text(form.location, LOCATION)
    window.agent.logout("manual")
    wait_screen(qtbot, window, window.screens.home)
    wait_idle_tasks(qtbot, window)
    texts = "\n".join(window.visible_texts())
    assert DESCRIPTION not in texts and LOCATION not in texts and needs_count(core) == 0
