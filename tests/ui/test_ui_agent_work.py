"""An agent's work beyond one sitting: a draft kept and resumed, paper materials photographed with the document
camera (simulated), and a supervisor approving or sending back a filing held for review."""
from __future__ import annotations

import json

from test_ui_agent_filing import banban_item, desk_to_form, form_to_consent, logged_in, sign, to_consent
from test_ui_agent_login import NOW, PIN, try_login
from ui_helpers import WAIT_MS, drawn_button, fill_valid, joined_texts, open_window, tap, wait_idle_tasks, wait_screen

from sync.credentials_hash import hash_password
from tests.local_db.sealed_helpers import opened_payload

SUPERVISOR = "sv-1"


def issue_supervisor(core) -> None:
    item = {"agent_id": SUPERVISOR, "display_name": "李审核", "role": "supervisor",
            "password_hash": hash_password(PIN, n=2 ** 10), "valid_from": NOW.isoformat(timespec="seconds"),
            "valid_to": None, "revoked": False}
    with core.store._lock, core.store.db.conn:
        core.store.db.conn.execute("INSERT INTO stream_items (stream, id, body, updated_at)"
                                   " VALUES ('agent_credentials', ?, ?, ?)",
                                   (SUPERVISOR, json.dumps(item, ensure_ascii=False), NOW.isoformat()))


def to_form(qtbot, window, core):
    logged_in(qtbot, window, core)
    desk_to_form(qtbot, window, core)


def test_a_draft_is_saved_and_resumed_after_the_card_is_read_again(qtbot, window, core):
    s = window.screens
    to_form(qtbot, window, core)
    fill_valid(s.form)
    typed = {key: editor.value() for key, editor in s.form.editors.items()}
    assert s.form.draft_button.isVisible()
    tap(qtbot, s.form.draft_button)
    wait_screen(qtbot, window, s.agent_home)
    assert "已保存为草稿" in joined_texts(s.agent_home)
    assert window.resident.session is None

    tap(qtbot, s.agent_home.queue_button)
    qtbot.waitUntil(lambda: "草稿" in joined_texts(s.work_queue), timeout=WAIT_MS)
    assert "王**" in joined_texts(s.work_queue)
    tap(qtbot, drawn_button(qtbot, s.work_queue, "继续办理"))
    wait_screen(qtbot, window, s.identify)          # the resident shows their card again
    tap(qtbot, s.identify.card_button)
    wait_screen(qtbot, window, s.form)
    assert {key: editor.value() for key, editor in s.form.editors.items()} == typed


def test_a_draft_can_be_discarded(qtbot, window, core):
    s = window.screens
    to_form(qtbot, window, core)
    tap(qtbot, s.form.draft_button)
    wait_screen(qtbot, window, s.agent_home)
    tap(qtbot, s.agent_home.queue_button)
    qtbot.waitUntil(lambda: "草稿" in joined_texts(s.work_queue), timeout=WAIT_MS)
    tap(qtbot, drawn_button(qtbot, s.work_queue, "删除草稿"))
    qtbot.waitUntil(lambda: "还没有代办记录" in joined_texts(s.work_queue), timeout=WAIT_MS)
    assert core.store.db.execute("SELECT COUNT(*) FROM drafts").fetchone()[0] == 0


def to_summary(qtbot, window, core):
    s = window.screens
    to_form(qtbot, window, core)
    fill_valid(s.form)
    tap(qtbot, s.form.next_button)
    wait_screen(qtbot, window, s.confirm)


def test_a_photographed_page_goes_with_the_filing(qtbot, window, core):
    s = window.screens
    to_summary(qtbot, window, core)
    tap(qtbot, s.confirm.photo_button)
    wait_screen(qtbot, window, s.doc_capture)
    qtbot.waitUntil(lambda: s.doc_capture.use_button.isVisible(), timeout=30_000)
    assert s.doc_capture.view.pixmap() is not None and not s.doc_capture.view.pixmap().isNull()
    tap(qtbot, s.doc_capture.use_button)
    wait_screen(qtbot, window, s.confirm)
    assert "已拍摄材料 1 页" in joined_texts(s.confirm)
    [sha] = window.resident.session.captures
    tap(qtbot, s.confirm.confirm_button)
    wait_screen(qtbot, window, s.consent)
    sign(qtbot, s.consent.pad)
    tap(qtbot, s.consent.sign_button)
    qtbot.waitUntil(lambda: window.nav.current is s.receipt and s.receipt.done_button.isEnabled(), timeout=WAIT_MS)
    [app_id] = [r[0] for r in core.store.db.execute("SELECT id FROM applications").fetchall()]
    assert sha in json.loads(opened_payload(core.store.db, app_id))["attachments"]
    assert core.store.attachments.read(sha)[:2] == b"\xff\xd8"


def test_retake_drops_the_page_and_leaving_keeps_none(qtbot, window, core):
    s = window.screens
    to_summary(qtbot, window, core)
    tap(qtbot, s.confirm.photo_button)
    qtbot.waitUntil(lambda: s.doc_capture.use_button.isVisible(), timeout=30_000)
    tap(qtbot, s.doc_capture.retake_button)
    assert window.resident.session.captures == {}
    tap(qtbot, s.doc_capture.back_button)
    wait_screen(qtbot, window, s.confirm)
    wait_idle_tasks(qtbot, window)
    assert window.resident.session.captures == {}


def test_no_document_camera_is_said_in_words(qtbot, core_factory):
    core = core_factory(doccam_backend="none")
    window = open_window(qtbot, core)
    try:
        s = window.screens
        to_summary(qtbot, window, core)
        tap(qtbot, s.confirm.photo_button)
        qtbot.waitUntil(lambda: "高拍仪" in joined_texts(s.doc_capture), timeout=WAIT_MS)
        assert s.doc_capture.retake_button.text() == "再试一次" and not s.doc_capture.use_button.isVisible()
    finally:
        window.shutdown()


def test_a_supervisor_approves_a_held_filing_and_sends_another_back(qtbot, core_factory):
    probe = core_factory()
    item_id = banban_item(probe).id
    core = core_factory(review_items=item_id)
    window = open_window(qtbot, core)
    try:
        s = window.screens
        receipts = []
        for _ in range(2):
            to_consent(qtbot, window, core) if not receipts else _file_again(qtbot, window, core)
            sign(qtbot, s.consent.pad)
            tap(qtbot, s.consent.sign_button)
            qtbot.waitUntil(lambda: "等待审核员审核" in joined_texts(s.receipt), timeout=WAIT_MS)
            receipts.append(s.receipt.receipt_no.text())
            window.open_agent_desk()
            wait_screen(qtbot, window, s.agent_home)
        assert not s.agent_home.review_button.isVisible()        # an agent is no supervisor
        assert _kinds(core) == ["audit"] * 3                      # login, two filings: nothing sent yet
        window.agent.logout()
        issue_supervisor(core)
        try_login(qtbot, window, SUPERVISOR)
        wait_screen(qtbot, window, s.agent_home)
        tap(qtbot, s.agent_home.review_button)
        qtbot.waitUntil(lambda: all(r in joined_texts(s.review) for r in receipts), timeout=WAIT_MS)
        first, second = core.store.db.execute(
            "SELECT id FROM applications ORDER BY created_at, receipt_no").fetchall()
        tap(qtbot, s.review.buttons[first[0]][-1])               # 通过
        qtbot.waitUntil(lambda: receipts[0] not in joined_texts(s.review), timeout=WAIT_MS)
        answers = core.store.load_application(second[0]).answers
        shown = joined_texts(s.review)
        assert all(value in shown for value in answers.values() if value)   # what is approved is on screen
        s.review.notes[second[0]].setText("缺户口本复印件")
        tap(qtbot, s.review.buttons[second[0]][0])               # 退回：材料不全
        qtbot.waitUntil(lambda: "没有待审核" in joined_texts(s.review), timeout=WAIT_MS)
        assert "application" in _kinds(core) and _kinds(core).count("application") == 1
        actions = [r[0] for r in core.store.db.execute("SELECT action FROM audit ORDER BY seq").fetchall()]
        assert "review_approved" in actions and "review_rejected" in actions
        assert [q.state for q in core.store.agent_queue("ag-7")] == ["review_rejected", "pending_sync"]
        assert core.store.agent_queue("ag-7")[0].note == "缺户口本复印件"   # the filer reads why
    finally:
        window.shutdown()


def _file_again(qtbot, window, core):
    desk_to_form(qtbot, window, core)
    form_to_consent(qtbot, window)


def _kinds(core) -> list[str]:
    return [r[0] for r in core.store.db.execute("SELECT kind FROM outbox ORDER BY seq").fetchall()]
