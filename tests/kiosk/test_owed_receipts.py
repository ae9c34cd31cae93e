"""补打回执 without Qt, on the simulated devices: owed receipts listed, reprinted through the real ESC/POS wire."""
import pytest

from devices.base import Fault
from kiosk.agents import AgentSession
from kiosk.owed_receipts import NEVER_TRIED, NOT_OWED, NOT_YOURS, REPRINT_LABEL, UNREADABLE, OwedReceipts
from local_db import audit
from local_db.review import ReviewDesk
from tests.devices.escpos_decode import decode
from tests.kiosk.flow_helpers import station
from tests.kiosk.test_filing_on_behalf import CATALOG, PNG, T0, clock, identified  # noqa: F401

TECH = audit.technician_actor("T001")


@pytest.fixture
def kiosk(tmp_path, clock):
    with station(tmp_path, CATALOG, clock, needs_review=lambda item_id: item_id == "mz.subsidy") as parts:
        yield parts


def file_at_kiosk(flow):
    """A resident files sb.proof with their ID card (the simulated reader has the demo card)."""
    session = flow.begin("sb.proof")
    flow.identify_by_card(session)
    assert flow.set_answers(session, {}) == {}
    return flow.submit(session), session


def trail(store) -> list[tuple[str, str, str, str]]:
    return [tuple(r) for r in store.db.execute("SELECT actor, action, target, outcome FROM audit WHERE action=?"
                                               " ORDER BY seq", (audit.RECEIPT_REPRINTED,)).fetchall()]


def printed_texts(devices) -> str:
    return "\n".join(decode(devices.sims.printer.printed[-1].read_bytes()).texts)


def test_paper_out_is_listed_reprinted_once_paper_is_back_and_audited(kiosk, clock):
    flow, devices, store = kiosk
    owed = OwedReceipts(flow)
    app, session = file_at_kiosk(flow)
    devices.sims.printer.set_fault("paper_out")
    assert flow.print_receipt(session).fault is Fault.PAPER_OUT

    [row] = owed.owed()
    assert (row.receipt_no, row.application_id, row.item_name) == (app.receipt_no, app.id, "社保参保证明打印")
    assert (row.filed_at, row.attempts, row.last_error, row.fault_words) == ("2026-11-25 09:30", 1, "paper_out", "缺纸")
    who = session.identity
    assert who.name not in repr(row) and who.id_number not in repr(row)   # the list names no resident

    clock.advance(minutes=5)
    still = owed.reprint(app.receipt_no, TECH)
    assert (still.printed, still.fault, still.problem) == (False, Fault.PAPER_OUT, "")
    assert still.words() == ("未打印（缺纸）", "请装纸后再试")
    [row] = owed.owed()
    assert (row.attempts, row.last_error) == (2, "paper_out")

    devices.sims.printer.set_fault(None)
    jobs = len(devices.sims.printer.printed)
    done = owed.reprint(app.receipt_no, TECH)
    assert done.printed and done.words()[0] == "回执已补打，请交给群众"
    assert len(devices.sims.printer.printed) == jobs + 1
    paper = printed_texts(devices)
    assert app.receipt_no in paper and REPRINT_LABEL in paper and "2026-11-25 09:35" in paper
    assert who.masked_name() in paper and who.masked_id() in paper
    assert who.id_number not in paper and who.name not in paper
    assert owed.owed() == [] and store.receipts_owed() == []
    assert trail(store) == [(TECH, audit.RECEIPT_REPRINTED, app.id, "paper_out"),
                            (TECH, audit.RECEIPT_REPRINTED, app.id, "ok")]


def test_a_kiosk_killed_before_the_print_owes_a_receipt_never_tried(kiosk):
    flow, devices, store = kiosk
    owed = OwedReceipts(flow)
    app, _ = file_at_kiosk(flow)              # saved; the print never started
    [row] = owed.owed()
    assert (row.receipt_no, row.attempts, row.fault_words) == (app.receipt_no, 0, NEVER_TRIED)
    assert owed.reprint(app.receipt_no, audit.TECHNICIAN).printed
    assert owed.owed() == []


def test_a_damaged_applicant_is_refused_with_a_reason_and_the_record_stays(kiosk):
    flow, devices, store = kiosk
    owed = OwedReceipts(flow)
    app, _ = file_at_kiosk(flow)
    sealed = store.db.execute("SELECT applicant FROM applications WHERE id=?", (app.id,)).fetchone()[0]
    flipped = sealed[:-6] + ("A" if sealed[-6] != "A" else "B") + sealed[-5:]   # a bit gone bad on disk
    store.db.execute("UPDATE applications SET applicant=? WHERE id=?", (flipped, app.id))
    jobs = len(devices.sims.printer.printed)

    result = owed.reprint(app.receipt_no, TECH)
    assert (result.printed, result.problem) == (False, UNREADABLE)
    assert result.words() == ("这份申请的记录已损坏，无法重建回执", "记录仍保留在本机，请联系技术支持")
    assert len(devices.sims.printer.printed) == jobs      # nothing printed
    [row] = owed.owed()                                    # still owed, with the reason, and the record is there
    assert (row.receipt_no, row.fault_words) == (app.receipt_no, "记录损坏，无法重建回执")
    assert store.db.execute("SELECT COUNT(*) FROM applications WHERE id=?", (app.id,)).fetchone()[0] == 1
    assert trail(store) == [(TECH, audit.RECEIPT_REPRINTED, app.id, UNREADABLE)]


def test_a_held_filing_owes_nothing_until_approved_then_its_agent_reprints_it(kiosk, clock):
    flow, devices, store = kiosk
    owed = OwedReceipts(flow)
    agent = AgentSession("ag-7", "village_agent", T0, 300, clock)
    session = identified(flow, devices, agent)
    flow.record_consent(session, "signature", PNG)
    app = flow.submit(session)
    assert app.status == "awaiting_review"
    assert owed.owed() == []
    assert owed.reprint(app.receipt_no, TECH).problem == NOT_OWED

    ReviewDesk(store).approve(app.id, "sup-1", "supervisor")
    [row] = owed.owed()
    assert (row.receipt_no, row.filed_by, row.fault_words) == (app.receipt_no, "ag-7", NEVER_TRIED)
    assert [r.receipt_no for r in owed.owed("ag-7")] == [app.receipt_no] and owed.owed("ag-8") == []

    other = owed.reprint(app.receipt_no, audit.agent_actor("ag-8"))
    assert (other.printed, other.problem) == (False, NOT_YOURS)
    assert owed.reprint(app.receipt_no, audit.agent_actor("ag-7")).printed
    paper = printed_texts(devices)
    assert app.receipt_no in paper and "帮办员 ag-7 代办" in paper and session.identity.id_number not in paper
    assert trail(store) == [("agent:ag-7", audit.RECEIPT_REPRINTED, app.id, "ok")]   # refusals change nothing


def test_a_printed_receipt_is_not_reprinted(kiosk):
    flow, devices, store = kiosk
    app, session = file_at_kiosk(flow)
    assert flow.print_receipt(session).printed
    result = OwedReceipts(flow).reprint(app.receipt_no, TECH)
    assert (result.printed, result.problem) == (False, NOT_OWED)
    assert result.words()[0] == "这张回执已经打印，或不在待补打之列"
    assert trail(store) == []


def test_last_faults_in_words():
    from kiosk.owed_receipts import last_error_words

    assert last_error_words("cover_open") == "纸仓盖没有合上"
    assert last_error_words("driver: OSError") == "打印机驱动出错"
    assert last_error_words(None) == NEVER_TRIED
