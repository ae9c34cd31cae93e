"""The 回执补打 maintenance panel, standalone with the contract's signature, against a real core (simulated printer)."""
import pytest
from ui_helpers import WAIT_MS, joined_texts, ready_item_id, tap

from kiosk.owed_receipts import OwedReceipts
from kiosk.records import Identity
from local_db import audit

ACTOR = audit.technician_actor("T001")
RESIDENT = Identity(source="idcard", name="王海生", id_number="330902195803150012", address="定海区长岛")


@pytest.fixture
def tasks(qtbot):
    from ui.tasks import Tasks

    tasks = Tasks()
    yield tasks
    tasks.shutdown()


def wait_tasks(qtbot, tasks):
    qtbot.waitUntil(lambda: tasks.in_flight == 0, timeout=WAIT_MS)


def owed_for_paper(core):
    """A resident's filing saved, its receipt not printed: the printer ran out of paper."""
    item = core.catalog.get(ready_item_id(core))
    app = core.store.submit(item.id, item.name, RESIDENT, {})
    core.devices.sims.printer.set_fault("paper_out")
    assert not core.flow.print_owed(app.receipt_no, OwedReceipts(core.flow).receipt_of(app)).printed
    return app


@pytest.fixture
def panel(qtbot, core, tasks):
    from ui.screens.maint_receipts import ReceiptsPanel

    panel = ReceiptsPanel(core, tasks, lambda: ACTOR)
    qtbot.addWidget(panel)
    panel.resize(780, 700)
    panel.show()
    return panel


def reprinted(core) -> list[tuple[str, str, str]]:
    return [tuple(r) for r in core.store.db.execute("SELECT actor, target, outcome FROM audit WHERE action=?"
                                                    " ORDER BY seq", (audit.RECEIPT_REPRINTED,)).fetchall()]


def test_panel_lists_an_owed_receipt_and_reprints_it_once_paper_is_back(qtbot, core, tasks, panel):
    app = owed_for_paper(core)
    assert panel.title == "回执补打"
    panel.refresh()
    wait_tasks(qtbot, tasks)
    shown = joined_texts(panel)
    assert "待补打的回执 1 张" in shown and app.receipt_no in shown and app.item_name in shown
    assert "已试 1 次 · 缺纸" in shown and "paper_out" in shown
    assert RESIDENT.name not in shown and RESIDENT.id_number not in shown and "王**" not in shown

    qtbot.waitUntil(panel.reprint_buttons[app.receipt_no].isVisible, timeout=WAIT_MS)
    tap(qtbot, panel.reprint_buttons[app.receipt_no])            # still out of paper
    wait_tasks(qtbot, tasks)
    assert panel.result.headline.text() == f"回执 {app.receipt_no}：未打印（缺纸）"
    assert "请装纸后再试" in panel.result.lines.text() and "paper_out" in panel.result.lines.text()
    assert "已试 2 次 · 缺纸" in joined_texts(panel)               # still listed

    core.devices.sims.printer.set_fault(None)
    printed = len(core.devices.sims.printer.printed)
    qtbot.waitUntil(panel.reprint_buttons[app.receipt_no].isVisible, timeout=WAIT_MS)
    tap(qtbot, panel.reprint_buttons[app.receipt_no])
    wait_tasks(qtbot, tasks)
    assert panel.result.headline.text() == f"回执 {app.receipt_no}：回执已补打，请交给群众"
    assert len(core.devices.sims.printer.printed) == printed + 1
    assert "没有待补打的回执" in joined_texts(panel) and panel.reprint_buttons == {}
    assert reprinted(core) == [(ACTOR, app.id, "paper_out"), (ACTOR, app.id, "ok")]

    panel.clear()
    assert panel.result.headline.text() == "" and panel.summary.text() == ""


def test_panel_with_nothing_owed_says_so_and_a_closed_maintenance_reprints_nothing(qtbot, core, tasks):
    from ui.screens.maint_receipts import ReceiptsPanel

    panel = ReceiptsPanel(core, tasks, lambda: None)
    qtbot.addWidget(panel)
    panel.refresh()
    wait_tasks(qtbot, tasks)
    assert panel.summary.text() == "没有待补打的回执"
    app = owed_for_paper(core)
    core.devices.sims.printer.set_fault(None)
    panel.reprint(app.receipt_no)                                 # no technician in: ignored
    wait_tasks(qtbot, tasks)
    assert reprinted(core) == [] and [r.receipt_no for r in core.store.receipts_owed()] == [app.receipt_no]
