"""有求必应 on the hub: a need is received, dispatched by staff, moved to in progress and done, each step with the
assignee in the station's status stream; steps out of order are refused; the audit log names no one."""
import logging
import re

import pytest

from sync.hub import needs
from sync.hub.needs import NeedStepRefused

from hub_helpers import STAFF_PASSWORD, STATION, push, record, results, stream

pytestmark = pytest.mark.timeout(60)
STAFF = ("staff", STAFF_PASSWORD)
CONTACT = "13957012345"
ASSIGNEE = "长岛村委会 张师傅"


def file_need(session, hub, terminal, record_id="n1"):
    fields = {"receipt_no": "YQ-DH001-20261125-0001", "item_name": "有求必应 · 房屋维修", "category": "房屋维修",
              "description": "水管爆裂需上门维修", "contact": CONTACT, "location": "长岛村北弄17号",
              "filed_by": {"agent_id": "ag-7", "role": "agent"}, "created_at": "2026-11-25T01:30:00+00:00"}
    reply = push(session, hub.url, terminal, STATION, [record(record_id, kind="need", **fields)])
    assert results(reply) == [(record_id, "accepted", None)]


def staff_post(session, hub, record_id, action, **fields):
    """The form token is the hub's, not the page's: a finished need's page has no form, the token still holds."""
    page = session.get(hub.url + "/staff/terminals", auth=STAFF, timeout=10).text
    token = re.search(r'name="csrf" value="([0-9a-f]+)"', page).group(1)
    return session.post(hub.url + f"/staff/records/{record_id}/{action}", auth=STAFF, timeout=10,
                        allow_redirects=False, data={"csrf": token, **fields})


# --- the rules, without a hub --------------------------------------------------------------------------------

@pytest.mark.parametrize("kind, current, wanted, reason", [
    ("application", "received", "dispatched", "not_a_need"),
    ("need", "received", "in_progress", "not_dispatched"),
    ("need", "received", "done", "not_dispatched"),
    ("need", "done", "dispatched", "finished"),
])
def test_steps_out_of_order_are_refused(kind, current, wanted, reason):
    assert needs.checks(kind, wanted)
    with pytest.raises(NeedStepRefused) as refused:
        needs.check_step(kind, current, wanted)
    assert refused.value.reason == reason


def test_other_records_keep_their_own_statuses():
    assert not needs.checks("application", "done") and not needs.checks("need", "accepted")
    needs.check_step("need", "dispatched", "dispatched")      # sent on to someone else
    assert needs.step_note(ASSIGNEE, "") == ASSIGNEE and needs.step_note(ASSIGNEE, "明早上门") == f"{ASSIGNEE}：明早上门"


# --- on both stores, over HTTP -------------------------------------------------------------------------------

def test_staff_see_dispatch_and_finish_a_need_and_the_station_hears_each_step(session, hub, terminal, caplog):
    caplog.set_level(logging.INFO, logger="zdb.hub.audit")
    file_need(session, hub, terminal)
    listing = session.get(hub.url + "/", auth=STAFF, timeout=10).text
    assert "YQ-DH001-20261125-0001" in listing and "有求必应 · 房屋维修" in listing and CONTACT not in listing
    page = session.get(hub.url + "/staff/records/n1", auth=STAFF, timeout=10).text
    assert "水管爆裂需上门维修" in page and CONTACT in page and "派单" in page and "办理进度" not in page
    assert staff_post(session, hub, "n1", "need_step", status="in_progress").status_code == 409   # not yet
    assert staff_post(session, hub, "n1", "dispatch", assignee=ASSIGNEE).status_code == 303
    page = session.get(hub.url + "/staff/records/n1", auth=STAFF, timeout=10).text
    assert "已派单" in page and ASSIGNEE in page and "办理进度" in page
    assert staff_post(session, hub, "n1", "need_step", status="in_progress", note="明早上门").status_code == 303
    assert staff_post(session, hub, "n1", "need_step", status="done").status_code == 303
    assert "办理进度" not in session.get(hub.url + "/staff/records/n1", auth=STAFF, timeout=10).text
    assert staff_post(session, hub, "n1", "dispatch", assignee="别人").status_code == 409        # finished
    items = stream(session, hub.url, terminal, "status")["items"]
    assert [(u["record_id"], u["status"], u["note"]) for u in items] == [
        ("n1", "dispatched", ASSIGNEE), ("n1", "in_progress", f"{ASSIGNEE}：明早上门"), ("n1", "done", ASSIGNEE)]
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "need_dispatched record=n1" in logged and "need_step_refused" in logged
    assert ASSIGNEE not in logged and CONTACT not in logged


def test_dispatch_needs_an_assignee_and_applications_cannot_be_dispatched(session, hub, terminal):
    file_need(session, hub, terminal)
    reply = staff_post(session, hub, "n1", "dispatch", assignee="  ")
    assert reply.status_code == 400 and "承办" in reply.text and hub.store.get("n1").status == "received"
    push(session, hub.url, terminal, STATION, [record("a1", receipt_no="DH001-20261125-0001", item_name="低保")])
    with pytest.raises(NeedStepRefused):
        hub.store.set_status("a1", "dispatched", ASSIGNEE)
    assert hub.store.get("a1").status == "received"
    hub.store.set_status("a1", "done")                     # an application's own statuses are untouched
