"""有求必应 end to end: an agent records a need offline, sync pushes it to a real loopback hub, staff dispatch it
and finish it, and the station's work queue shows each step with the assignee after the next pull."""
import re

import pytest

from kiosk.needs import NeedDraft
from kiosk.work_queue import DELIVERED, PENDING_SYNC
from local_db.store import ApplicationStore
from sync.hub.context import HubConfig
from sync.terminal_identity import IdentityStore, enroll
from terminal_helpers import STATION, delivered_ids, make_engine

pytestmark = pytest.mark.timeout(90)
PASSWORD = "staff-pw-needs"
STAFF = ("staff", PASSWORD)
ASSIGNEE = "长岛村委会 张师傅"


@pytest.fixture
def hub(start_hub):
    return start_hub(config=HubConfig(require_auth=True, staff_password=PASSWORD))


def staff_post(session, hub, record_id, action, **fields):
    page = session.get(f"{hub.url}/staff/terminals", auth=STAFF, timeout=10).text
    token = re.search(r'name="csrf" value="([0-9a-f]+)"', page).group(1)
    return session.post(f"{hub.url}/staff/records/{record_id}/{action}", auth=STAFF, timeout=10,
                        allow_redirects=False, data={"csrf": token, **fields})


def queue_state(store, number):
    return next((e.state, e.note) for e in store.agent_queue("ag-7") if e.receipt_no == number)


def test_a_need_filed_offline_is_dispatched_at_the_hub_and_the_station_sees_who_has_it(hub, db, data_dir, session):
    store = ApplicationStore(db, STATION, "T01")
    need = store.file_need(NeedDraft("生活照料", "独居老人需要每周送菜", "13957012345", "长岛村北弄17号"), "ag-7")
    assert queue_state(store, need.number) == (PENDING_SYNC, "")        # offline: only the outbox has it

    identity = enroll(IdentityStore(data_dir), hub.url, STATION, hub.code(), session=session)
    engine = make_engine(db, session, hub.url, identity, data_dir)
    assert engine.run().error is None and need.id in delivered_ids(db)
    record = hub.store.get(need.id)
    assert record.kind == "need" and record.payload["description"] == "独居老人需要每周送菜"
    assert record.payload["receipt_no"] == need.number
    assert queue_state(store, need.number) == (DELIVERED, "")

    assert staff_post(session, hub, need.id, "dispatch", assignee=ASSIGNEE).status_code == 303
    engine.run()
    assert queue_state(store, need.number) == ("dispatched", ASSIGNEE)
    assert staff_post(session, hub, need.id, "need_step", status="in_progress").status_code == 303
    assert staff_post(session, hub, need.id, "need_step", status="done", note="已送达").status_code == 303
    engine.run()
    assert queue_state(store, need.number) == ("done", f"{ASSIGNEE}：已送达")
    hub_audit = [r for r in hub.store.records_of_kind(STATION, "audit")]
    assert any(r.payload["action"] == "need_filed" and r.payload["target"] == need.id for r in hub_audit)
