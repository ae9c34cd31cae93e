"""What the resident sees when something goes wrong, and that the way forward works."""
from __future__ import annotations

import sqlite3

import pytest
from ui_helpers import (WAIT_MS, go_to_confirm, joined_texts, open_window, ready_item_id, tap, wait_idle_tasks,
                        wait_screen)


def start_identify(qtbot, window, core) -> None:
    window.browse.open_item(ready_item_id(core))
    tap(qtbot, window.screens.detail.apply_button)
    wait_screen(qtbot, window, window.screens.identify)


@pytest.fixture
def manual_card_window(qtbot, core_factory):
    """The simulated reader only has a card when the test presents one."""
    core = core_factory(sim_demo_card=False, device_timeout_s=2.0)
    window = open_window(qtbot, core)
    yield window, core
    window.shutdown()


def test_card_pulled_mid_read_explains_and_retry_works(qtbot, manual_card_window):
    window, core = manual_card_window
    identify, card = window.screens.identify, core.devices.sims.idcard
    start_identify(qtbot, window, core)
    card.present_card()
    card.remove_card(after_bytes=300)         # the resident lifts the card during the read
    tap(qtbot, identify.card_button)
    assert identify.waiting
    qtbot.waitUntil(identify.error.isVisible, timeout=WAIT_MS)
    assert "移开" in identify.error.text.text()
    assert identify.error.next_step.text() == "请将身份证平放在读卡区，不要移动，再试一次"
    assert window.resident.session.identity is None
    card.present_card()
    tap(qtbot, identify.card_button)
    wait_screen(qtbot, window, window.screens.form)
    assert "王**" in joined_texts(window.screens.form)


def test_cancel_while_waiting_drops_the_late_answer(qtbot, manual_card_window):
    window, core = manual_card_window
    identify = window.screens.identify
    start_identify(qtbot, window, core)
    tap(qtbot, identify.card_button)          # no card on the reader: waits up to device_timeout_s
    assert identify.waiting
    tap(qtbot, identify.cancel_button)
    assert not identify.waiting and not identify.error.isVisible()
    wait_idle_tasks(qtbot, window)            # the read ended with NO_CARD in the background ...
    assert not identify.error.isVisible()     # ... and nobody is told about it
    assert window.nav.current is identify


def test_invalid_qr_code_explains_and_retry_works(qtbot, window, core):
    identify = window.screens.identify
    start_identify(qtbot, window, core)
    core.devices.sims.qr.show("HELLO-NOT-A-ZLB-CODE")
    tap(qtbot, identify.qr_button)
    qtbot.waitUntil(identify.error.isVisible, timeout=WAIT_MS)
    assert identify.error.text.text() == "无法识别此二维码"
    assert identify.error.next_step.text() == "请打开浙里办‘亮证’后重试"
    tap(qtbot, identify.qr_button)            # the simulator now shows the demo resident's code
    wait_screen(qtbot, window, window.screens.form)
    assert "（已从浙里办读取）" in window.screens.form.identity_text.text()


def test_paper_out_owes_the_receipt_but_keeps_the_application(qtbot, window, core):
    receipt, printer = window.screens.receipt, core.devices.sims.printer
    printer.set_fault("paper_out")
    go_to_confirm(qtbot, window, core)
    tap(qtbot, window.screens.confirm.confirm_button)
    wait_screen(qtbot, window, receipt)
    qtbot.waitUntil(receipt.done_button.isEnabled, timeout=WAIT_MS)
    assert "缺纸" in receipt.print_text.text()
    assert "请记下回执号，工作人员可为您补打" in receipt.print_next.text()
    receipt_no = receipt.receipt_no.text()
    rows = core.store.db.execute("SELECT a.receipt_no, p.status FROM applications a JOIN print_journal p"
                                 " ON p.application_id = a.id").fetchall()
    assert rows == [(receipt_no, "owed")]
    printer.set_fault(None)                   # staff refill the paper; the resident taps 再打印一次
    tap(qtbot, receipt.reprint_button)
    qtbot.waitUntil(lambda: "请取走回执" in receipt.print_text.text(), timeout=WAIT_MS)
    assert core.store.receipts_owed() == []


def test_storage_full_keeps_the_answers_and_retry_saves(qtbot, window, core, monkeypatch):
    confirm = window.screens.confirm
    go_to_confirm(qtbot, window, core)
    answers = dict(window.resident.session.answers)
    real_submit = core.store.submit

    def disk_full(*args, **kwargs):
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(core.store, "submit", disk_full)
    tap(qtbot, confirm.confirm_button)
    qtbot.waitUntil(confirm.error.isVisible, timeout=WAIT_MS)
    assert confirm.error.text.text() + confirm.error.next_step.text() == \
        "本机存储已满，申请未能保存。请联系工作人员。您填写的内容仍保留"
    assert confirm.confirm_button.text() == "重试" and confirm.confirm_button.isEnabled()
    assert window.resident.session.answers == answers
    assert core.store.db.execute("SELECT COUNT(*) FROM applications").fetchone() == (0,)
    monkeypatch.setattr(core.store, "submit", real_submit)
    tap(qtbot, confirm.confirm_button)
    wait_screen(qtbot, window, window.screens.receipt)
    assert core.store.db.execute("SELECT COUNT(*) FROM applications").fetchone() == (1,)


def test_form_errors_are_shown_per_field_and_typing_is_kept(qtbot, window, core):
    from ui_helpers import go_to_form

    form = window.screens.form
    go_to_form(qtbot, window, core)
    phone = next(e for e in form.editors.values() if e.spec.kind == "phone")
    phone.line.setText("123")
    tap(qtbot, form.next_button)
    assert window.nav.current is form
    assert phone.error.isVisible() and "手机号" in phone.error.text()
    assert phone.line.text() == "123"
    assert form.summary.isVisible()


def test_no_usable_catalog_keeps_the_kiosk_up_and_says_so(qtbot, core_factory, monkeypatch, tmp_path):
    import kiosk.catalog

    monkeypatch.setattr(kiosk.catalog, "SEED_PATH", tmp_path / "missing.json")
    core = core_factory()
    assert core.catalog.items == {} and core.catalog.notice
    win = open_window(qtbot, core)
    try:
        texts = joined_texts(win)
        assert "办事目录暂时不可用" in texts and "联系工作人员" in texts
    finally:
        win.shutdown()


def test_unplugged_reader_is_greyed_out_with_words_and_back_when_plugged(qtbot, window, core):
    identify = window.screens.identify
    core.devices.sims.unplug("qr")
    core.devices.manager.check()
    qtbot.waitUntil(lambda: not identify.qr_button.isEnabled(), timeout=WAIT_MS)
    assert "扫码器暂不可用" in identify.qr_hint.text() and identify.card_button.isEnabled()
    core.devices.sims.plug("qr")
    core.devices.manager.check()
    qtbot.waitUntil(lambda: identify.qr_button.isEnabled(), timeout=WAIT_MS)


def test_offline_limit_is_explained_on_the_guide_and_nothing_starts(qtbot, window, core):
    from datetime import datetime, timezone

    from sync.guardrails import Facts, Thresholds, evaluate

    now = datetime.now(timezone.utc)
    core.flow.guardrail = lambda: evaluate(Facts(now=now, oldest_pending_at=None, last_success_at=now,
                                                 backlog=0, free_mb=1.0), Thresholds())
    detail = window.screens.detail
    detail.show_item(core.catalog.get(ready_item_id(core)))
    window.nav.open(lambda: detail)
    tap(qtbot, detail.apply_button)
    qtbot.waitUntil(lambda: detail.refusal.isVisible(), timeout=WAIT_MS)
    assert "暂停受理新的申请" in detail.refusal.text.text()
    assert window.resident.session is None
