"""An agent files for a resident at the station: a 帮办 item, the resident's consent on the pad or their own
浙里办 code, refusal, the receipt's agent line and the agent's work queue."""
from __future__ import annotations

import json
import time

from PySide6.QtCore import QPoint, Qt
from test_ui_agent_login import AGENT, try_login
from ui_helpers import DEMO_NAME, WAIT_MS, fill_valid, joined_texts, tap, wait_idle_tasks, wait_screen

from devices.idcard.idnumber import check_char
from devices.qr_sim import DEMO_RESIDENT, mint_code
from kiosk.records import Mode
from local_db import audit

OTHER_ID = "33090219580315001" + check_char("33090219580315001")   # fictitious, not the card's


def banban_item(core):
    """A 帮办 item a resident cannot file alone at this terminal."""
    return next(i for i in core.catalog.items.values() if Mode.AGENT in i.modes and not i.kiosk_ready)


def logged_in(qtbot, window, core):
    from test_ui_agent_login import issue

    issue(core)
    try_login(qtbot, window)
    qtbot.waitUntil(lambda: window.agent_session is not None, timeout=WAIT_MS)
    wait_screen(qtbot, window, window.screens.agent_home)


def to_consent(qtbot, window, core):
    """Log in, then desk → form (desk_to_form) → 确认提交 → consent (form_to_consent)."""
    logged_in(qtbot, window, core)
    item = desk_to_form(qtbot, window, core)
    form_to_consent(qtbot, window)
    return item


def desk_to_form(qtbot, window, core):
    """Agent desk → 为群众代办事项 → the item's guide → 为群众代办 → ID card → the form."""
    s = window.screens
    tap(qtbot, s.agent_home.file_button)
    wait_screen(qtbot, window, s.home)
    item = banban_item(core)
    window.browse.open_item(item.id)
    assert s.detail.apply_button.isVisible() and s.detail.apply_button.text() == "为群众代办"
    tap(qtbot, s.detail.apply_button)
    wait_screen(qtbot, window, s.identify)
    tap(qtbot, s.identify.card_button)
    wait_screen(qtbot, window, s.form)
    return item


def form_to_consent(qtbot, window):
    """A valid form → 确认提交 → the consent screen."""
    s = window.screens
    fill_valid(s.form)
    tap(qtbot, s.form.next_button)
    wait_screen(qtbot, window, s.confirm)
    tap(qtbot, s.confirm.confirm_button)
    wait_screen(qtbot, window, s.consent)


def sign(qtbot, pad) -> None:
    """A finger's stroke: press, a few moves, release."""
    points = [QPoint(60, 80), QPoint(120, 140), QPoint(200, 90), QPoint(280, 150), QPoint(360, 100)]
    qtbot.mousePress(pad, Qt.MouseButton.LeftButton, pos=points[0])
    for point in points[1:]:
        qtbot.mouseMove(pad, point)
    qtbot.mouseRelease(pad, Qt.MouseButton.LeftButton, pos=points[-1])


def applications(core) -> list[tuple]:
    return core.store.db.execute("SELECT id, filed_by, consent FROM applications").fetchall()


def test_banban_items_open_only_in_agent_mode(qtbot, window, core):
    item = banban_item(core)
    window.browse.open_item(item.id)
    assert not window.screens.detail.apply_button.isVisible()
    window.nav.home()
    logged_in(qtbot, window, core)
    window.browse.open_item(item.id)
    assert window.screens.detail.apply_button.isVisible()


def test_agent_files_with_a_signature(qtbot, window, core):
    s = window.screens
    item = to_consent(qtbot, window, core)
    shown = joined_texts(s.consent)
    assert f"帮办员 {AGENT}" in shown and "王**" in shown and item.name in shown and DEMO_NAME not in shown
    assert not s.consent.sign_button.isEnabled()       # nothing drawn: nothing to confirm
    sign(qtbot, s.consent.pad)
    assert s.consent.pad.has_ink and s.consent.sign_button.isEnabled()
    tap(qtbot, s.consent.sign_button)
    qtbot.waitUntil(lambda: window.nav.current is s.receipt and s.receipt.done_button.isEnabled(), timeout=WAIT_MS)

    [(app_id, filed_by, consent)] = applications(core)
    assert filed_by == AGENT and json.loads(consent)["method"] == "signature"
    app = core.store.load_application(app_id)
    assert core.store.attachments.read(app.consent.evidence_sha256).startswith(b"\x89PNG")
    printed = core.devices.sims.printer.printed[-1].read_bytes()
    assert f"帮办员 {AGENT} 代办".encode("gbk") in printed

    window.open_agent_desk()   # the badge: back to the desk
    wait_screen(qtbot, window, s.agent_home)
    tap(qtbot, s.agent_home.queue_button)
    wait_screen(qtbot, window, s.work_queue)
    qtbot.waitUntil(lambda: app.receipt_no in joined_texts(s.work_queue), timeout=WAIT_MS)
    queue = joined_texts(s.work_queue)
    assert "待同步" in queue and item.name in queue and "王**" in queue and DEMO_NAME not in queue


def test_confirm_with_nothing_drawn_is_impossible(qtbot, window, core):
    s = window.screens
    to_consent(qtbot, window, core)
    qtbot.mouseClick(s.consent.pad, Qt.MouseButton.LeftButton, pos=QPoint(50, 50))   # a tap is not a signature
    assert not s.consent.pad.has_ink and not s.consent.sign_button.isEnabled()
    sign(qtbot, s.consent.pad)
    tap(qtbot, s.consent.clear_button)
    assert not s.consent.sign_button.isEnabled()
    s.consent.sign_button.click()   # disabled: no signal, nothing saved
    wait_idle_tasks(qtbot, window)
    assert window.nav.current is s.consent and applications(core) == []


def test_resident_refuses_nothing_is_saved(qtbot, window, core):
    s = window.screens
    to_consent(qtbot, window, core)
    sign(qtbot, s.consent.pad)
    tap(qtbot, s.consent.withdraw_button)
    wait_screen(qtbot, window, s.agent_home)
    wait_idle_tasks(qtbot, window)
    assert applications(core) == [] and window.resident.session is None
    assert s.agent_home.notice.isVisible() and "没有提交" in s.agent_home.notice_text.text()
    assert DEMO_NAME not in "\n".join(window.visible_texts()) and not s.consent.pad.has_ink
    actions = [row[0] for row in core.store.db.execute("SELECT action FROM audit").fetchall()]
    assert audit.CONSENT_WITHDRAWN in actions


def test_resident_confirms_with_their_own_zlb_code(qtbot, window, core):
    s = window.screens
    to_consent(qtbot, window, core)
    now = int(time.time())
    core.devices.sims.qr.show(mint_code(DEMO_RESIDENT["name"], DEMO_RESIDENT["id_number"], DEMO_RESIDENT["phone"],
                                        iat=now, exp=now + 300))
    tap(qtbot, s.consent.code_button)
    qtbot.waitUntil(lambda: window.nav.current is s.receipt and s.receipt.done_button.isEnabled(), timeout=WAIT_MS)
    [(_id, filed_by, consent)] = applications(core)
    assert filed_by == AGENT and json.loads(consent)["method"] == "zlb_code"


def test_someone_elses_code_is_refused_in_words(qtbot, window, core):
    s = window.screens
    to_consent(qtbot, window, core)
    now = int(time.time())
    core.devices.sims.qr.show(mint_code("李阿婆", OTHER_ID, "13900000000", iat=now, exp=now + 300))
    tap(qtbot, s.consent.code_button)
    qtbot.waitUntil(lambda: s.consent.error.isVisible(), timeout=WAIT_MS)
    assert "不是申请人本人" in s.consent.error.text.text()
    assert window.nav.current is s.consent and applications(core) == []


def test_agent_logout_with_consent_on_screen_wipes_the_resident(qtbot, window, core):
    s = window.screens
    to_consent(qtbot, window, core)
    sign(qtbot, s.consent.pad)
    tap(qtbot, window.status_bar.logout_button)
    qtbot.waitUntil(lambda: window.agent_session is None, timeout=WAIT_MS)
    wait_screen(qtbot, window, s.home)
    assert window.resident.session is None and not s.consent.pad.has_ink
    assert DEMO_NAME not in "\n".join(window.visible_texts()) and "王**" not in "\n".join(window.visible_texts())
    assert applications(core) == []
