"""An agent's work queue: the state of each application they filed, from outbox, quarantine and hub status."""
import hashlib
from datetime import datetime, timedelta, timezone

import pytest

from kiosk.records import Consent, FiledBy, Identity
from kiosk.work_queue import DELIVERED, PENDING_SYNC, QUARANTINED, QueueEntry, agent_queue
from local_db.db import open_db
from local_db.retention import purge_delivered
from local_db.store import ApplicationStore, Outbox
from sync.quarantine import Quarantine
from tests.clocks import TickingClock

PNG = b"\x89PNG\r\n\x1a\nsigned"
RESIDENT = Identity(source="idcard", name="王海生", id_number="330902195803150012", address="定海区长岛路88号")
T0 = datetime(2026, 11, 25, 1, 30, tzinfo=timezone.utc)


@pytest.fixture
def store(tmp_path):
    db = open_db(tmp_path / "k.db")
    yield ApplicationStore(db, "st-1", "DH001", clock=TickingClock(T0))
    db.conn.close()


def file_for(store, agent_id="ag-7", item="低保申请"):
    consent = Consent("signature", hashlib.sha256(PNG).hexdigest(), T0.isoformat())
    return store.submit("mz.db", item, RESIDENT, {"reason": "病"}, filed_by=FiledBy(agent_id, "village_agent"),
                        consent=consent, evidence=PNG)


def hub_status(store, app, status, note=""):
    store.db.execute("INSERT INTO record_status (record_id, status, note, at, received_at) VALUES (?,?,?,?,?)"
                     " ON CONFLICT(record_id) DO UPDATE SET status=excluded.status, note=excluded.note",
                     (app.id, status, note, T0.isoformat(), T0.isoformat()))


def states(store, agent_id="ag-7"):
    return {entry.receipt_no: (entry.state, entry.note) for entry in agent_queue(store.db, agent_id)}


def test_states_follow_outbox_quarantine_and_hub_status(store):
    pending, delivered, refused, *decided = (file_for(store) for _ in range(8))
    outbox = Outbox(store.db)
    outbox.mark_delivered([delivered.id] + [app.id for app in decided])
    Quarantine(store.db).move({refused.id: "malformed attachment references"})
    notes = {"accepted": "", "needs_material": "请补充户口簿复印件", "done": "", "certificate_issued": "",
             "rejected": "不符合条件"}
    for app, (status, note) in zip(decided, notes.items()):
        hub_status(store, app, status, note)
    assert states(store) == {
        pending.receipt_no: (PENDING_SYNC, ""), delivered.receipt_no: (DELIVERED, ""),
        refused.receipt_no: (QUARANTINED, "malformed attachment references"),
        **{app.receipt_no: item for app, item in zip(decided, notes.items())},
    }


def test_the_latest_hub_status_wins(store):
    app = file_for(store)
    Outbox(store.db).mark_delivered([app.id])
    hub_status(store, app, "needs_material", "请补充户口簿复印件")
    hub_status(store, app, "accepted")
    assert states(store) == {app.receipt_no: ("accepted", "")}


def test_only_the_agents_own_filings_newest_first_without_personal_data(store):
    first = file_for(store, item="低保申请")
    store.submit("sb.proof", "社保参保证明打印", RESIDENT, {})   # a resident alone: nobody's queue
    file_for(store, agent_id="ag-9")
    second = file_for(store, item="临时救助")
    queue = agent_queue(store.db, "ag-7")
    assert [entry.receipt_no for entry in queue] == [second.receipt_no, first.receipt_no]
    assert queue[0] == QueueEntry(second.receipt_no, "临时救助", second.created_at, PENDING_SYNC, "", "王**",
                                  receipt_owed=True)   # never printed here: 补打回执
    assert RESIDENT.id_number not in repr(queue) and "王海生" not in repr(queue)
    assert store.agent_queue("ag-7") == queue
    assert agent_queue(store.db, "nobody") == []


def test_a_receipt_is_owed_until_it_prints(store):
    app = file_for(store)
    store.mark_print_failed(app.receipt_no, "paper_out")
    assert [e.receipt_owed for e in agent_queue(store.db, "ag-7")] == [True]
    store.mark_printed(app.receipt_no)
    assert [e.receipt_owed for e in agent_queue(store.db, "ag-7")] == [False]


def test_the_queue_survives_retention(store):
    app = file_for(store)
    store.mark_printed(app.receipt_no)
    Outbox(store.db).mark_delivered([app.id])
    hub_status(store, app, "done")
    later = TickingClock(T0 + timedelta(days=3))
    assert purge_delivered(store.db, None, keep_days=1, clock=later).applications == 1
    assert agent_queue(store.db, "ag-7") == [QueueEntry(app.receipt_no, "低保申请", app.created_at, "done", "", "")]
