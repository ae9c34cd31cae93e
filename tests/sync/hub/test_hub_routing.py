"""证明直通车 on the hub: a certificate request is forwarded village → town → district, in order only."""
import re

import pytest

from sync.hub import routing
from sync.hub.routing import RouteRefused

from hub_helpers import STAFF_PASSWORD, STATION, push, record, results, stream

pytestmark = pytest.mark.timeout(60)
STAFF = ("staff", STAFF_PASSWORD)
FULL = ["village", "town", "district"]


def form_token(page_text: str) -> str:
    return re.search(r'name="csrf" value="([0-9a-f]+)"', page_text).group(1)


def request(session, hub, terminal, record_id="c1", route=FULL, kind="certificate_request"):
    fields = {"receipt_no": "DH001-20261125-0001", "item_name": "户籍证明开具", "purpose": "子女入学",
              "applicant": {"name": "测试人", "id_number": "330902199001011234"}, "route": route}
    reply = push(session, hub.url, terminal, STATION, [record(record_id, kind=kind, **fields)])
    assert results(reply) == [(record_id, "accepted", None)]


def forward(session, hub, record_id, to):
    token = form_token(session.get(hub.url + f"/staff/records/{record_id}", auth=STAFF, timeout=10).text)
    return session.post(hub.url + f"/staff/records/{record_id}/forward", auth=STAFF, timeout=10,
                        allow_redirects=False, data={"csrf": token, "to": to})


# --- the rules, without a hub --------------------------------------------------------------------------------

@pytest.mark.parametrize("history, wanted, reason", [
    ([], "at_district", "out_of_order"),                     # skips the town
    (["at_town"], "at_town", "out_of_order"),                # twice
    (["at_town", "at_district"], "at_town", "at_end"),       # back
])
def test_levels_only_move_forward_one_at_a_time(history, wanted, reason):
    with pytest.raises(RouteRefused) as refused:
        routing.check_forward({"route": FULL}, "received", history, wanted)
    assert refused.value.reason == reason


def test_a_town_route_ends_at_the_town_and_bad_routes_are_none():
    routing.check_forward({"route": ["village", "town"]}, "accepted", [], "at_town")
    with pytest.raises(RouteRefused, match="at_end"):
        routing.check_forward({"route": ["village", "town"]}, "accepted", ["at_town"], "at_district")
    for bad in (None, [], ["town"], ["village", "district"], "village,town"):
        assert routing.route_of({"route": bad}) == ()


# --- on both stores, over HTTP -------------------------------------------------------------------------------

def test_staff_forward_in_route_order_and_the_station_hears_each_level(session, hub, terminal):
    request(session, hub, terminal)
    page = session.get(hub.url + "/staff/records/c1", auth=STAFF, timeout=10).text
    assert "流转" in page and "转下一级（镇）" in page and "子女入学" in page
    reply = forward(session, hub, "c1", "at_town")
    assert reply.status_code == 303 and hub.store.get("c1").status == "at_town"
    assert "转下一级（区部门）" in session.get(hub.url + "/staff/records/c1", auth=STAFF, timeout=10).text
    hub.store.set_status("c1", "accepted", "镇已审核")        # the town's own steps do not move the level
    assert forward(session, hub, "c1", "at_district").status_code == 303
    page = session.get(hub.url + "/staff/records/c1", auth=STAFF, timeout=10).text
    assert "已转区部门审核" in page and "转下一级" not in page
    statuses = [u["status"] for u in stream(session, hub.url, terminal, "status")["items"]]
    assert statuses == ["at_town", "accepted", "at_district"]


@pytest.mark.parametrize("history, to", [([], "at_district"), (["at_town"], "at_town"),
                                         (["at_town", "at_district"], "at_town")])
def test_out_of_order_forward_is_refused_and_changes_nothing(session, hub, terminal, history, to):
    request(session, hub, terminal)
    for status in history:
        hub.store.set_status("c1", status)
    before = hub.store.get("c1").status
    reply = forward(session, hub, "c1", to)
    assert reply.status_code == 409 and ("逐级" in reply.text or "最后一级" in reply.text)
    assert hub.store.get("c1").status == before
    assert [u.status for u in hub.store.status_history("c1")] == history


def test_the_store_refuses_too_not_only_the_page(hub, session, terminal):
    request(session, hub, terminal)
    with pytest.raises(RouteRefused):
        hub.store.set_status("c1", "at_district")
    assert hub.store.status_history("c1") == []


def test_an_application_without_a_route_and_a_finished_request_are_not_forwarded(session, hub, terminal):
    request(session, hub, terminal, "a1", route=None, kind="application")
    assert forward(session, hub, "a1", "at_town").status_code == 409
    request(session, hub, terminal, "c2")
    hub.store.set_status("c2", "rejected", "材料不符")
    assert "转下一级" not in session.get(hub.url + "/staff/records/c2", auth=STAFF, timeout=10).text
    assert forward(session, hub, "c2", "at_town").status_code == 409
    assert hub.store.get("c2").status == "rejected"


def test_a_forward_form_without_token_or_level_is_refused(session, hub, terminal):
    request(session, hub, terminal)
    assert session.post(hub.url + "/staff/records/c1/forward", auth=STAFF, timeout=10,
                        data={"to": "at_town"}).status_code == 400
    token = form_token(session.get(hub.url + "/staff/records/c1", auth=STAFF, timeout=10).text)
    assert session.post(hub.url + "/staff/records/c1/forward", auth=STAFF, timeout=10,
                        data={"csrf": token, "to": "done"}).status_code == 400
    assert hub.store.get("c1").status == "received"
