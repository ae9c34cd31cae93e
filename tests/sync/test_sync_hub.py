"""The reference hub over real HTTP (uvicorn on a loopback thread): storage, dedup, limits, staff views."""

import pytest

from sync.hub.store import HubRecord, open_store
from sync.hub.testing import run_hub_thread
from sync.protocol import HEALTH_PATH, RECORDS_PATH, SERVICE_NAME

pytestmark = pytest.mark.timeout(30)


def record(record_id: str, **payload) -> dict:
    return {"id": record_id, "kind": "application", "payload": {"id": record_id, **payload}}


def push(session, hub, records, station_id="zs-1"):
    response = session.post(hub.url + RECORDS_PATH, json={"station_id": station_id, "records": records}, timeout=5)
    assert response.status_code == 200, response.text
    return [(r["id"], r["status"], r.get("reason")) for r in response.json()["results"]]


def test_health(session, hub):
    body = session.get(hub.url + HEALTH_PATH, timeout=5).json()
    assert body["ok"] is True and body["service"] == SERVICE_NAME and isinstance(body["version"], str)


def test_first_push_is_accepted_and_a_repeat_is_duplicate(session, hub):
    assert push(session, hub, [record("r1"), record("r2")]) == [("r1", "accepted", None), ("r2", "accepted", None)]
    assert push(session, hub, [record("r2"), record("r3")]) == [("r2", "duplicate", None), ("r3", "accepted", None)]
    assert hub.store.count() == 3


def test_same_id_twice_in_one_batch_is_stored_once(session, hub):
    assert push(session, hub, [record("r1"), record("r1")]) == [("r1", "accepted", None), ("r1", "duplicate", None)]
    assert hub.store.count() == 1


def test_invalid_records_are_rejected_and_the_rest_still_stored(session, hub):
    results = push(session, hub, [record("ok1"), {"kind": "application", "payload": {}},
                                  {"id": "bad-kind", "kind": "photo", "payload": {}}, record("ok2")])
    assert results == [("ok1", "accepted", None), (None, "rejected", "missing id"),
                       ("bad-kind", "rejected", "unknown kind"), ("ok2", "accepted", None)]
    assert [r.id for r in hub.store.list()] == ["ok2", "ok1"]


def test_stored_record_keeps_payload_and_station(session, hub):
    push(session, hub, [record("r1", item_name="户籍证明", answers={"purpose": "入学"})], station_id="zs-dh-9")
    stored = hub.store.get("r1")
    assert stored.station_id == "zs-dh-9" and stored.kind == "application"
    assert stored.payload["answers"] == {"purpose": "入学"}


@pytest.mark.parametrize("body", [b"{not json", b"\xff\xfe", b'{"station_id": "zs-1", "records": [1'])
def test_invalid_json_is_400(session, hub, body):
    response = session.post(hub.url + RECORDS_PATH, data=body, timeout=5)
    assert response.status_code == 400 and "error" in response.json()


def test_malformed_request_is_400_and_stores_nothing(session, hub):
    response = session.post(hub.url + RECORDS_PATH, json={"records": [record("r1")]}, timeout=5)
    assert response.status_code == 400
    assert hub.store.count() == 0


def test_body_over_the_limit_is_413(tmp_path, session):
    with run_hub_thread(tmp_path / "small.db", max_body_bytes=2048) as (url, store):
        big = [record(f"r{i}", note="x" * 200) for i in range(20)]
        response = session.post(url + RECORDS_PATH, json={"station_id": "zs-1", "records": big}, timeout=5)
        assert response.status_code == 413
        chunked = session.post(url + RECORDS_PATH, data=iter([b"x" * 1500, b"y" * 1500]), timeout=5)
        assert chunked.status_code == 413   # no Content-Length: counted while reading
        assert store.count() == 0


def test_wrong_method_and_unknown_path(session, hub):
    assert session.delete(hub.url + RECORDS_PATH, timeout=5).status_code == 405
    assert session.get(hub.url + "/api/v2/records", timeout=5).status_code == 404


def test_list_is_newest_first_filtered_and_masked(session, hub, dummy):
    applicant = {"name": dummy.name, "id_number": dummy.id_number}
    push(session, hub, [record("a1", receipt_no="T01-1", applicant=applicant)], station_id="zs-a")
    push(session, hub, [record("b1", receipt_no="T02-1", applicant=applicant)], station_id="zs-b")
    push(session, hub, [record("a2", receipt_no="T01-2", applicant=applicant)], station_id="zs-a")
    response = session.get(hub.url + RECORDS_PATH, timeout=5)
    assert [r["id"] for r in response.json()["records"]] == ["a2", "b1", "a1"]
    only_a = session.get(hub.url + RECORDS_PATH, params={"station_id": "zs-a"}, timeout=5).json()["records"]
    assert [(r["id"], r["receipt_no"]) for r in only_a] == [("a2", "T01-2"), ("a1", "T01-1")]
    assert only_a[0]["applicant_id_masked"] == "330***********1234"
    assert dummy.id_number not in response.text and dummy.name not in response.text
    assert session.get(hub.url + RECORDS_PATH, params={"limit": 1}, timeout=5).json()["records"][0]["id"] == "a2"
    assert session.get(hub.url + RECORDS_PATH, params={"limit": "x"}, timeout=5).status_code == 400


def test_staff_page_lists_records_without_personal_data(session, hub, dummy):
    applicant = {"name": dummy.name, "id_number": dummy.id_number}
    push(session, hub, [record("a1", receipt_no="T01-20261125-0001", item_name="<b>户籍证明</b>",
                               applicant=applicant)], station_id="zs-dh-cjd-001")
    page = session.get(hub.url + "/", timeout=5)
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    for shown in ("T01-20261125-0001", "&lt;b&gt;户籍证明&lt;/b&gt;", "zs-dh-cjd-001", "330***********1234"):
        assert shown in page.text
    assert dummy.id_number not in page.text and dummy.name not in page.text and "<b>户籍" not in page.text


def test_store_survives_reopening(tmp_path):
    store = open_store(tmp_path / "hub.db")
    store.ingest("zs-1", [HubRecord("r1", "rating", {"level": 5})])
    store.close()
    reopened = open_store(tmp_path / "hub.db")
    assert reopened.get("r1").payload == {"level": 5}
    assert [r.status.value for r in reopened.ingest("zs-1", [HubRecord("r1", "rating", {})])] == ["duplicate"]
    reopened.close()
