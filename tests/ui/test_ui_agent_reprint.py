"""补打回执 on the agent's desk: a filing whose receipt the printer owes shows the button in the work queue."""
from __future__ import annotations

from test_ui_agent_filing import sign, to_consent
from test_ui_agent_login import AGENT
from ui_helpers import WAIT_MS, joined_texts, tap, wait_screen

from local_db import audit


def reprint_button(queue, receipt_no):
    from PySide6.QtWidgets import QPushButton

    return queue.findChild(QPushButton, f"reprint-{receipt_no}")


def test_an_owed_receipt_is_reprinted_from_the_work_queue(qtbot, window, core):
    s, printer = window.screens, core.devices.sims.printer
    to_consent(qtbot, window, core)
    printer.set_fault("paper_out")
    sign(qtbot, s.consent.pad)
    tap(qtbot, s.consent.sign_button)
    qtbot.waitUntil(lambda: window.nav.current is s.receipt and s.receipt.done_button.isEnabled(), timeout=WAIT_MS)
    [owed] = core.store.receipts_owed()

    window.open_agent_desk()
    wait_screen(qtbot, window, s.agent_home)
    tap(qtbot, s.agent_home.queue_button)
    wait_screen(qtbot, window, s.work_queue)
    qtbot.waitUntil(lambda: reprint_button(s.work_queue, owed.receipt_no) is not None
                    and reprint_button(s.work_queue, owed.receipt_no).isVisible(), timeout=WAIT_MS)
    assert reprint_button(s.work_queue, owed.receipt_no).text() == "补打回执"

    tap(qtbot, reprint_button(s.work_queue, owed.receipt_no))          # still out of paper
    qtbot.waitUntil(s.work_queue.error.isVisible, timeout=WAIT_MS)
    assert s.work_queue.error.text.text() == f"回执 {owed.receipt_no}：未打印（缺纸）"
    assert s.work_queue.error.next_step.text() == "请装纸后再试"
    assert [o.receipt_no for o in core.store.receipts_owed()] == [owed.receipt_no]

    printer.set_fault(None)
    printed = len(printer.printed)
    tap(qtbot, reprint_button(s.work_queue, owed.receipt_no))
    qtbot.waitUntil(lambda: "回执已补打" in s.work_queue.reprinted.text(), timeout=WAIT_MS)
    assert not s.work_queue.error.isVisible() and len(printer.printed) == printed + 1
    qtbot.waitUntil(lambda: reprint_button(s.work_queue, owed.receipt_no) is None
                    or not reprint_button(s.work_queue, owed.receipt_no).isVisible(), timeout=WAIT_MS)
    assert core.store.receipts_owed() == [] and owed.receipt_no in joined_texts(s.work_queue)
    trail = core.store.db.execute("SELECT actor, target, outcome FROM audit WHERE action=? ORDER BY seq",
                                  (audit.RECEIPT_REPRINTED,)).fetchall()
    assert [(a, o) for a, _t, o in trail] == [(f"agent:{AGENT}", "paper_out"), (f"agent:{AGENT}", "ok")]
    assert {t for _a, t, _o in trail} == {owed.application_id}
