"""有求必应 at the station: validation, one transaction, sealed at rest, audited, in the work queue, purged."""
import json
import sqlite3
from datetime import datetime, timezone

import pytest

from kiosk.flow import FieldError
from kiosk.needs import CATEGORIES, Need, NeedDraft, NeedRefused, NeedStore, check_need
from kiosk.records import Identity
from kiosk.work_queue import DELIVERED, PENDING_SYNC, agent_queue
from local_db import audit
from local_db.db import SCHEMA_VERSION, open_db
from local_db.retention import purge_delivered
from local_db.store import ApplicationStore, Outbox
from tests.clocks import TickingClock
from tests.local_db.sealed_helpers import opened_payload, opened_rows_text, stored_rows_text

T0 = datetime(2026, 11, 25, 1, 30, tzinfo=timezone.utc)
DESCRIPTION = "独居老人家中水管爆裂，需要上门维修"
PHONE = "13957012345"
LOCATION = "长岛村北弄17号"
DRAFT = NeedDraft("房屋维修", DESCRIPTION, PHONE, LOCATION)
RESIDENT = Identity(source="idcard", name="王海生", id_number="330902195803150012")


@pytest.fixture
def clock():
    return TickingClock(T0)


@pytest.fixture
def store(tmp_path, clock):
    db = open_db(tmp_path / "k.db")
    yield ApplicationStore(db, "st-1", "DH001", clock=clock)
    db.conn.close()


# --- validation ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("draft, errors", [
    (NeedDraft(), {"category": FieldError.MISSING, "description": FieldError.MISSING,
                   "contact": FieldError.MISSING, "location": FieldError.MISSING}),
    (NeedDraft("修路", DESCRIPTION, PHONE, LOCATION), {"category": FieldError.BAD_CHOICE}),
    (NeedDraft("其他", "x" * 501, PHONE, LOCATION), {"description": FieldError.TOO_LONG}),
    (NeedDraft("其他", DESCRIPTION, "1395701234", LOCATION), {"contact": FieldError.BAD_PHONE}),
    (NeedDraft("其他", DESCRIPTION, "phone me", LOCATION), {"contact": FieldError.BAD_PHONE}),
    (NeedDraft("其他", DESCRIPTION, PHONE, "村" * 101), {"location": FieldError.TOO_LONG}),
    (NeedDraft("其他", DESCRIPTION, "0580-2012345", LOCATION), {}),     # a landline with area code
])
def test_each_field_says_what_is_wrong(draft, errors):
    assert check_need(draft.trimmed()) == errors


def test_blank_only_text_is_missing_and_categories_are_the_islands_list():
    assert check_need(NeedDraft("其他", "   ", PHONE, LOCATION).trimmed()) == {"description": FieldError.MISSING}
    assert CATEGORIES[0] == "生活照料" and CATEGORIES[-1] == "其他" and len(set(CATEGORIES)) == 7


# --- filing --------------------------------------------------------------------------------------------------

def test_a_need_is_row_outbox_and_audit_in_one_go_sealed_at_rest(store):
    need = store.file_need(DRAFT, "ag-7", RESIDENT)
    assert isinstance(need, Need) and need.number == "YQ-DH001-20261125-0001"
    assert store.db.execute("SELECT kind FROM outbox WHERE record_id=?", (need.id,)).fetchone() == ("need",)
    payload = json.loads(opened_payload(store.db, need.id))
    assert payload["kind"] == "need" and payload["category"] == "房屋维修" and payload["contact"] == PHONE
    assert payload["description"] == DESCRIPTION and payload["location"] == LOCATION
    assert payload["filed_by"]["agent_id"] == "ag-7" and payload["applicant"]["id_number"] == RESIDENT.id_number
    entry = store.audit.recent(1)[0]
    assert (entry.actor, entry.action, entry.target, entry.outcome) == ("agent:ag-7", audit.NEED_FILED, need.id, "ok")
    raw = stored_rows_text(store.db)
    for secret in (DESCRIPTION, PHONE, LOCATION, RESIDENT.name, RESIDENT.id_number):
        assert secret not in raw and secret in opened_rows_text(store.db)
    assert NeedStore(store).load(need.id) == need
    assert store.db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION


def test_numbers_count_per_day_and_a_need_needs_no_resident(store):
    first, second = store.file_need(DRAFT, "ag-7"), store.file_need(DRAFT, "ag-7")
    assert (first.number[-4:], second.number[-4:]) == ("0001", "0002") and first.resident is None
    assert "applicant" not in json.loads(opened_payload(store.db, first.id))


def test_bad_input_keeps_the_draft_saves_nothing_and_is_audited_without_it(store):
    refused = store.file_need(NeedDraft("房屋维修", " 漏水 ", "138", LOCATION), "ag-7")
    assert isinstance(refused, NeedRefused) and refused.errors == {"contact": FieldError.BAD_PHONE}
    assert refused.draft == NeedDraft("房屋维修", "漏水", "138", LOCATION)      # nothing lost
    assert store.db.execute("SELECT COUNT(*) FROM needs").fetchone()[0] == 0
    assert store.db.execute("SELECT kind FROM outbox").fetchall() == [("audit",)]
    entry = store.audit.recent(1)[0]
    assert (entry.action, entry.target, entry.outcome) == (audit.NEED_REFUSED, "", "invalid")


def test_a_failure_mid_way_leaves_neither_row_nor_outbox_nor_audit(store, monkeypatch):
    def broken(*args):
        raise sqlite3.OperationalError("disk I/O error")
    monkeypatch.setattr(store, "_enqueue", broken)
    with pytest.raises(sqlite3.OperationalError):
        store.file_need(DRAFT, "ag-7")
    for table in ("needs", "outbox", "audit"):
        assert store.db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0] == 0


# --- work queue and retention --------------------------------------------------------------------------------

def test_needs_join_the_agents_queue_with_the_hubs_dispatch(store):
    app = store.submit("mz.db", "低保申请", RESIDENT, {})
    store.db.execute("UPDATE applications SET filed_by='ag-7' WHERE id=?", (app.id,))
    anonymous, identified = store.file_need(DRAFT, "ag-7"), store.file_need(DRAFT, "ag-7", RESIDENT)
    store.file_need(DRAFT, "someone-else")
    Outbox(store.db).mark_delivered([identified.id])
    store.db.execute("INSERT INTO record_status (record_id, status, note, at, received_at) VALUES (?,?,?,?,?)",
                     (anonymous.id, "dispatched", "长岛村委会 张师傅", T0.isoformat(), T0.isoformat()))
    entries = store.agent_queue("ag-7")
    assert [e.receipt_no for e in entries] == [identified.number, anonymous.number, app.receipt_no]
    assert [(e.kind, e.state, e.note) for e in entries[:2]] == [("need", DELIVERED, ""),
                                                                ("need", "dispatched", "长岛村委会 张师傅")]
    assert entries[0].item_name == "有求必应 · 房屋维修" and entries[0].applicant_masked == "王**"
    assert entries[1].applicant_masked == "" and entries[2].kind == "application"
    assert len(agent_queue(store.db, "ag-7", limit=2)) == 2


def test_retention_blanks_a_delivered_needs_personal_columns(store, clock):
    need = store.file_need(DRAFT, "ag-7", RESIDENT)
    waiting = store.file_need(DRAFT, "ag-7")
    Outbox(store.db, clock).mark_delivered([need.id])
    clock.advance(days=31)
    result = purge_delivered(store.db, None, keep_days=30, clock=clock, trail=store.audit)
    assert result.needs == 1 and result.outbox == 1
    row = store.db.execute("SELECT number, category, description, contact, location, resident, purged_at"
                           " FROM needs WHERE id=?", (need.id,)).fetchone()
    assert row[:6] == (need.number, "房屋维修", "", "", "", None) and row[6] is not None
    assert NeedStore(store).load(need.id) is None and NeedStore(store).load(waiting.id) == waiting   # unsent: whole
    assert [e.state for e in store.agent_queue("ag-7")] == [PENDING_SYNC, DELIVERED]
    assert any(e.action == audit.PERSONAL_DATA_PURGED and e.target == need.id for e in store.audit.recent())
