"""容缺受理 and 一件事 at the window: an agent ticks a missing material, the resident signs the 告知承诺书 and the
consent, and the receipt (screen and paper) and work queue say what to bring by when; a 一件事 bundle's guide
opens one form with the shared fields once and one receipt listing every item."""
from __future__ import annotations

import json

from test_ui_agent_filing import logged_in, sign
from ui_helpers import WAIT_MS, fill_valid, joined_texts, tap, wait_screen

from local_db import audit


def test_agent_files_with_a_missing_material_under_a_signed_commitment(qtbot, window, core):
    s = window.screens
    logged_in(qtbot, window, core)
    item = core.catalog.get("hu.birth_reg")
    assert item.deferrable_materials == ("父母户口簿",)
    window.browse.open_item(item.id)
    tap(qtbot, s.detail.apply_button)
    wait_screen(qtbot, window, s.identify)
    tap(qtbot, s.identify.card_button)
    wait_screen(qtbot, window, s.form)
    assert list(s.form.deferrable) == ["父母户口簿"]
    fill_valid(s.form)
    tap(qtbot, s.form.deferrable["父母户口簿"])
    tap(qtbot, s.form.next_button)
    wait_screen(qtbot, window, s.confirm)
    deadline = core.flow.deadline(window.resident.session)
    assert f"请于 {deadline} 前补交：父母户口簿" in joined_texts(s.confirm)

    tap(qtbot, s.confirm.confirm_button)
    wait_screen(qtbot, window, s.commitment)   # the commitment first, then the consent to the agent's filing
    shown = joined_texts(s.commitment)
    assert "告知承诺书" in shown and "父母户口簿" in shown and deadline in shown
    sign(qtbot, s.commitment.pad)
    tap(qtbot, s.commitment.sign_button)
    wait_screen(qtbot, window, s.consent)
    sign(qtbot, s.consent.pad)
    tap(qtbot, s.consent.sign_button)
    qtbot.waitUntil(lambda: window.nav.current is s.receipt and s.receipt.done_button.isEnabled(), timeout=WAIT_MS)

    assert f"容缺受理：请于 {deadline} 前补交：父母户口簿" in joined_texts(s.receipt)
    printed = core.devices.sims.printer.printed[-1].read_bytes()
    assert f"请于 {deadline} 前补交：父母户口簿".encode("gbk") in printed
    [(app_id,)] = core.store.db.execute("SELECT id FROM applications").fetchall()
    app = core.store.load_application(app_id)
    assert app.deferral.materials == ("父母户口簿",) and app.deferral.deadline == deadline
    assert json.loads(core.store.attachments.read(app.deferral.commitment_sha256))["signature_png"]
    actions = [r[0] for r in core.store.db.execute("SELECT action FROM audit")]
    assert audit.DEFERRED_ACCEPTANCE in actions and audit.FILE_ON_BEHALF in actions

    window.open_agent_desk()
    wait_screen(qtbot, window, s.agent_home)
    tap(qtbot, s.agent_home.queue_button)
    wait_screen(qtbot, window, s.work_queue)
    qtbot.waitUntil(lambda: f"待补材料：父母户口簿（{deadline} 前）" in joined_texts(s.work_queue), timeout=WAIT_MS)


def test_refusing_the_commitment_saves_nothing(qtbot, window, core):
    s = window.screens
    logged_in(qtbot, window, core)
    window.browse.open_item("hu.birth_reg")
    tap(qtbot, s.detail.apply_button)
    tap(qtbot, s.identify.card_button)
    wait_screen(qtbot, window, s.form)
    fill_valid(s.form)
    tap(qtbot, s.form.deferrable["父母户口簿"])
    tap(qtbot, s.form.next_button)
    wait_screen(qtbot, window, s.confirm)
    tap(qtbot, s.confirm.confirm_button)
    wait_screen(qtbot, window, s.commitment)
    tap(qtbot, s.commitment.withdraw_button)
    qtbot.waitUntil(lambda: window.resident.session is None, timeout=WAIT_MS)
    assert core.store.db.execute("SELECT COUNT(*) FROM applications").fetchone()[0] == 0
    assert core.store.db.execute("SELECT COUNT(*) FROM attachments").fetchone()[0] == 0


def test_agent_files_a_bundle_as_one_application(qtbot, window, core):
    s = window.screens
    bundle = core.catalog.bundle("newborn")
    window.browse.open_bundle(bundle.id)
    assert not s.items.apply_button.isVisibleTo(s.items)   # 出生登记 is 帮办: not for a resident alone
    window.nav.home()
    logged_in(qtbot, window, core)
    window.browse.open_bundle(bundle.id)
    wait_screen(qtbot, window, s.items)
    assert s.items.apply_button.isVisible() and s.items.apply_button.text() == "为群众一次申请这3件事"
    tap(qtbot, s.items.apply_button)
    wait_screen(qtbot, window, s.identify)
    tap(qtbot, s.identify.card_button)
    wait_screen(qtbot, window, s.form)
    keys = list(s.form.editors)
    assert keys.count("phone") == 1 and "child_name" in keys and "sb.sbk_apply/pickup" in keys
    fill_valid(s.form)
    tap(qtbot, s.form.next_button)
    wait_screen(qtbot, window, s.confirm)
    assert "出生登记、新生儿参保登记、社会保障卡申领" in joined_texts(s.confirm)
    tap(qtbot, s.confirm.confirm_button)
    wait_screen(qtbot, window, s.consent)
    sign(qtbot, s.consent.pad)
    tap(qtbot, s.consent.sign_button)
    qtbot.waitUntil(lambda: window.nav.current is s.receipt and s.receipt.done_button.isEnabled(), timeout=WAIT_MS)

    shown = joined_texts(s.receipt)
    assert bundle.name in shown and "包含：出生登记、新生儿参保登记、社会保障卡申领" in shown
    assert window.height() <= 800
    [(app_id,)] = core.store.db.execute("SELECT id FROM applications").fetchall()
    app = core.store.load_application(app_id)
    assert app.bundle_id == "newborn" and [p.item_id for p in app.bundle_parts] == list(bundle.item_ids)
    printed = core.devices.sims.printer.printed[-1].read_bytes()
    for part in app.bundle_parts:
        assert part.item_name.encode("gbk") in printed


def test_search_shows_a_bundle_with_its_badge_and_opens_its_guide(qtbot, window, core):
    from test_ui_search_and_browse import rows

    search, items = window.screens.search, window.screens.items
    window.browse.open_search("退休")
    qtbot.waitUntil(lambda: any(r.text() == "退休一件事" for r in rows(search)), timeout=WAIT_MS)
    row = next(r for r in rows(search) if r.text() == "退休一件事")
    assert "一件事" in [w.text() for w in row.findChildren(type(row.text_label))]
    assert rows(search)[0] is row   # above the items
    tap(qtbot, row)
    wait_screen(qtbot, window, items)
    bundle = core.catalog.bundle("retire")
    assert [r.text() for r in rows(items)] == [core.catalog.items[i].name for i in bundle.item_ids]
    assert not items.apply_button.isVisibleTo(items)   # 职工退休申请 is 帮办: an agent files the bundle
