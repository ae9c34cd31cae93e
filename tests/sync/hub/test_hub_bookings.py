"""预约 on the hub, on SQLite and PostgreSQL: slots, capacity taken atomically on ingest, conflicts that name the
alternatives, idempotence, and the "slots" stream (future slots of the terminal's own station only)."""
import re
import subprocess
import sys
import threading
from datetime import timedelta

import pytest

from sync.hub.bookings import CONFIRMED, CONFLICT, Slot
from sync.hub.store import HubRecord
from sync.hub.testing import REPO_ROOT

from hub_helpers import OTHER_STATION, STAFF_PASSWORD, STATION, push, read_all, record, results

pytestmark = pytest.mark.timeout(90)


def slot(clock, slot_id, *, hours=24, capacity=1, kind="station_visit", station=STATION, service="社保认证"):
    start = clock() + timedelta(hours=hours)
    return Slot(slot_id, kind, station, start, start + timedelta(hours=1), capacity, service, "定海区人社局")


def booking(record_id, slot_id, kind="station_visit"):
    return HubRecord(record_id, "booking", {"id": record_id, "slot_id": slot_id, "visit_kind": kind,
                                            "resident": {"name": "王阿婆", "phone": "13812345678"}})


def statuses(store, *ids):
    return [(store.get(i).status, store.get(i).status_note) for i in ids]


def test_the_last_seat_goes_once_and_the_conflict_names_free_slots(hub_store, clock):
    hub_store.add_slot(slot(clock, "s1", capacity=2))
    hub_store.add_slot(slot(clock, "s2", hours=48, capacity=3))
    hub_store.add_slot(slot(clock, "s-home", hours=30, kind="home_visit"))   # another kind: never offered
    for record_id in ("b1", "b2", "b3"):
        assert [r.status.value for r in hub_store.ingest(STATION, [booking(record_id, "s1")])] == ["accepted"]
    (s1, s2, s3) = statuses(hub_store, "b1", "b2", "b3")
    assert s1 == (CONFIRMED, "") and s2 == (CONFIRMED, "")
    assert s3[0] == CONFLICT and s3[1].startswith("该时段已约满，可改约：") and "（余3）" in s3[1]
    assert "社保认证" in s3[1] and "余1" not in s3[1]
    assert hub_store.get("b3").payload["resident"]["name"] == "王阿婆"     # stored all the same: nothing lost
    assert [u.status for u in hub_store.status_history("b3")] == [CONFLICT]
    assert dict((s.id, n) for s, n in hub_store.upcoming_slots(STATION))["s1"] == 2


def test_a_booking_pushed_twice_holds_one_seat(hub_store, clock):
    hub_store.add_slot(slot(clock, "s1", capacity=2))
    assert [r.status.value for r in hub_store.ingest(STATION, [booking("b1", "s1"), booking("b1", "s1")])] == [
        "accepted", "duplicate"]
    assert [r.status.value for r in hub_store.ingest(STATION, [booking("b1", "s1")])] == ["duplicate"]
    assert dict((s.id, n) for s, n in hub_store.upcoming_slots())["s1"] == 1
    assert [u.status for u in hub_store.status_history("b1")] == [CONFIRMED]


def test_a_cancelled_past_or_unknown_slot_is_a_conflict(hub_store, clock):
    hub_store.add_slot(slot(clock, "s1"))
    hub_store.add_slot(slot(clock, "s-soon", hours=1))
    assert hub_store.cancel_slot("s1") and not hub_store.cancel_slot("s1")
    clock.advance(2 * 3600)   # s-soon has begun
    hub_store.ingest(STATION, [booking("b1", "s1"), booking("b2", "s-soon"), booking("b3", "nope")])
    notes = [note for _, note in statuses(hub_store, "b1", "b2", "b3")]
    assert notes[0].startswith("该时段已取消，暂无其他空余时段") and notes[1].startswith("该时段已过")
    assert notes[2].startswith("该时段已取消")
    hub_store.ingest(OTHER_STATION, [booking("b4", "s-soon")])            # another station's slot
    assert hub_store.get("b4").status == CONFLICT


def test_concurrent_pushes_never_overbook(hub_store, clock):
    hub_store.add_slot(slot(clock, "s1", capacity=3))
    barrier = threading.Barrier(8)

    def push_one(n):
        barrier.wait()
        hub_store.ingest(STATION, [booking(f"b{n}", "s1")])
    threads = [threading.Thread(target=push_one, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    states = [hub_store.get(f"b{n}").status for n in range(8)]
    assert states.count(CONFIRMED) == 3 and states.count(CONFLICT) == 5


def test_the_slots_stream_serves_future_slots_of_the_station(hub, terminal, session):
    clock = hub.clock
    hub.store.add_slot(slot(clock, "s-past", hours=-3))   # over already (staff may enter one late)
    hub.store.add_slot(slot(clock, "s1", hours=24, capacity=2))
    hub.store.add_slot(slot(clock, "s-other", station=OTHER_STATION))
    assert results(push(session, hub.url, terminal, STATION, [record("b1", "booking", slot_id="s1")])) == [
        ("b1", "accepted", None)]
    pages, _ = read_all(session, hub.url, terminal, "slots", limit=10)
    items = [item for page in pages for item in page]
    assert [(i["id"], i["booked"]) for i in items] == [("s1", 0), ("s1", 1)]   # re-sent as seats go
    assert items[0]["kind"] == "station_visit" and items[0]["capacity"] == 2 and not items[0]["cancelled"]
    status = read_all(session, hub.url, terminal, "status", limit=10)[0][0]
    assert [(u["record_id"], u["status"]) for u in status] == [("b1", CONFIRMED)]


def test_add_slot_and_cancel_slot_from_the_cli(db_spec, tmp_path, clock):
    common = ("--db", db_spec, "--data-dir", str(tmp_path / "data"))
    run = [sys.executable, "-m", "sync.hub"]
    done = subprocess.run([*run, "add-slot", "--station", STATION, "--kind", "home_visit", "--start",
                           "2099-03-01T09:00", "--end", "2099-03-01T11:00", "--capacity", "4", "--service",
                           "上门认证", "--area", "长岛村", *common], cwd=REPO_ROOT, capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr
    slot_id = done.stdout.strip()
    from sync.hub.store import open_store
    store = open_store(db_spec, clock)
    try:
        (found, booked), = store.upcoming_slots(STATION)
        assert (found.id, found.kind, found.capacity, found.area, booked) == (slot_id, "home_visit", 4, "长岛村", 0)
        assert found.starts_at.utcoffset() is not None and found.starts_at.hour in (1, 9)   # 09:00 China time
    finally:
        store.close()
    bad = subprocess.run([*run, "add-slot", "--station", STATION, "--kind", "home_visit", "--start",
                          "2099-03-01T09:00", "--end", "2099-03-01T08:00", *common], cwd=REPO_ROOT,
                         capture_output=True, text=True, timeout=60)
    assert bad.returncode == 2 and "end after its start" in bad.stderr
    cancelled = subprocess.run([*run, "cancel-slot", "--id", slot_id, *common], cwd=REPO_ROOT,
                               capture_output=True, text=True, timeout=60)
    assert cancelled.returncode == 0, cancelled.stderr


def test_staff_publish_list_and_cancel_slots_on_the_page(hub, session):
    staff = ("staff", STAFF_PASSWORD)
    assert session.get(hub.url + "/staff/slots", timeout=10).status_code == 401
    listing = session.get(hub.url + "/staff/slots", auth=staff, timeout=10)
    token = re.search(r'name="csrf" value="([0-9a-f]+)"', listing.text).group(1)
    form = {"csrf": token, "station_id": STATION, "kind": "home_visit", "start": "2099-03-01T09:00",
            "end": "2099-03-01T11:00", "capacity": "2", "service": "<b>上门认证</b>", "area": "长岛村"}
    added = session.post(hub.url + "/staff/slots", data=form, auth=staff, timeout=10, allow_redirects=False)
    assert added.status_code == 303
    for bad in ({"end": "2099-03-01T08:00"}, {"capacity": "0"}, {"kind": "party"}, {"csrf": "0" * 64}):
        refused = session.post(hub.url + "/staff/slots", data={**form, **bad}, auth=staff, timeout=10)
        assert refused.status_code == 400
    (found, booked), = hub.store.upcoming_slots(STATION)
    assert (found.kind, found.capacity, found.area, booked) == ("home_visit", 2, "长岛村", 0)
    page = session.get(hub.url + "/staff/slots", auth=staff, timeout=10).text
    assert "&lt;b&gt;上门认证&lt;/b&gt;" in page and "0/2" in page
    cancel = session.post(f"{hub.url}/staff/slots/{found.id}/cancel", data={"csrf": token}, auth=staff,
                          timeout=10, allow_redirects=False)
    assert cancel.status_code == 303 and hub.store.upcoming_slots(STATION)[0][0].cancelled
    again = session.post(f"{hub.url}/staff/slots/{found.id}/cancel", data={"csrf": token}, auth=staff, timeout=10)
    assert again.status_code == 404
