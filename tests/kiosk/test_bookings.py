"""预约 / 上门办 at the station, without a screen: slots from the pulled stream, the station's own holds, one
transaction with outbox and audit, sealed at rest, the work queue's states, and retention."""
import json
from datetime import datetime, timedelta, timezone

import pytest

from kiosk.bookings import CONFIRMED, CONFLICT, BookingRefused, BookingRequest, Bookings, days, problems
from kiosk.work_queue import PENDING_SYNC, agent_queue
from local_db import audit
from local_db.db import open_db
from local_db.retention import purge_delivered
from local_db.store import ApplicationStore, Outbox
from tests.clocks import FakeClock
from tests.local_db.sealed_helpers import opened_payload

T0 = datetime(2026, 11, 25, 1, 30, tzinfo=timezone.utc)
WANG = BookingRequest("s1", "王阿婆", "13812345678", "长岛村东路12号", "行动不便，需上门认证")


@pytest.fixture
def clock():
    return FakeClock(T0)


@pytest.fixture
def store(tmp_path, clock):
    db = open_db(tmp_path / "k.db")
    yield ApplicationStore(db, "st-1", "DH001", clock=clock)
    db.conn.close()


@pytest.fixture
def bookings(store, clock):
    return Bookings(store, clock)


def pulled(store, slot_id, *, hours=24, capacity=1, booked=0, kind="home_visit", cancelled=False):
    start = T0 + timedelta(hours=hours)
    item = {"id": slot_id, "kind": kind, "station_id": "st-1", "service": "社保认证", "area": "长岛村",
            "starts_at": start.isoformat(), "ends_at": (start + timedelta(hours=1)).isoformat(),
            "capacity": capacity, "booked": booked, "cancelled": cancelled}
    store.db.execute("INSERT INTO stream_items (stream, id, body, updated_at) VALUES ('slots',?,?,?) ON CONFLICT"
                     " DO UPDATE SET body=excluded.body", (slot_id, json.dumps(item), T0.isoformat()))


def hub_says(store, record_id, status, note=""):
    store.db.execute("INSERT INTO record_status (record_id, status, note, at, received_at) VALUES (?,?,?,?,?)",
                     (record_id, status, note, T0.isoformat(), T0.isoformat()))


def test_offers_hide_past_cancelled_and_malformed_slots_and_grey_full_ones(store, bookings, clock):
    pulled(store, "s-past", hours=-1)
    pulled(store, "s-gone", cancelled=True)
    pulled(store, "s-full", hours=30, capacity=2, booked=2)
    pulled(store, "s1", hours=26, capacity=3, booked=1)
    pulled(store, "s-station", hours=27, kind="station_visit")
    store.db.execute("INSERT INTO stream_items VALUES ('slots', 'bad', '{\"id\": \"bad\"}', 'x')")
    offers = bookings.offers("home_visit")
    assert [(o.slot.id, o.free, o.full) for o in offers] == [("s1", 2, False), ("s-full", 0, True)]
    assert [o.slot.id for o in bookings.offers()] == ["s1", "s-station", "s-full"]
    assert list(days(offers)) == ["2026-11-26"]           # 09:30 China time the next day
    assert offers[0].slot.label() == "11月26日 11:30–12:30 社保认证"
    clock.advance(hours=26)                               # s1 has begun: no longer offered
    assert [o.slot.id for o in bookings.offers("home_visit")] == ["s-full"]


def test_the_station_holds_its_own_seats_until_the_hub_answers(store, bookings):
    pulled(store, "s1", capacity=2)
    first = bookings.book("ag-7", WANG)
    second = bookings.book("ag-8", WANG)
    assert bookings.offers()[0].full
    with pytest.raises(BookingRefused) as refused:        # offline, a third never goes out
        bookings.book("ag-7", WANG)
    assert refused.value.reason == "slot_full"
    assert Outbox(store.db).pending_count() == 2 + 3      # two bookings and three audit lines
    hub_says(store, first.id, CONFIRMED)                  # confirmed, but the hub's count not pulled yet
    assert bookings.offers()[0].full
    hub_says(store, second.id, CONFLICT, "该时段已约满")
    assert bookings.offers()[0].free == 1                 # a conflict holds nothing
    pulled(store, "s1", capacity=2, booked=2)             # the other station's booking arrives in the stream
    assert bookings.offers()[0].full
    assert (bookings.state(first.id), bookings.state(second.id)) == (CONFIRMED, CONFLICT)
    with pytest.raises(BookingRefused) as gone:
        bookings.book("ag-7", BookingRequest("nope", "王阿婆", "13812345678"))
    assert gone.value.reason == "slot_gone"


def test_one_transaction_sealed_at_rest_and_audited(store, bookings, tmp_path):
    pulled(store, "s1")
    booking = bookings.book("ag-7", WANG)
    store.db.conn.commit()
    raw = (tmp_path / "k.db").read_bytes()
    for secret in ("王阿婆", "13812345678", "长岛村东路12号", "行动不便"):
        assert secret.encode() not in raw
    payload = json.loads(opened_payload(store.db, booking.id))
    assert payload["kind"] == "booking" and payload["slot_id"] == "s1" and payload["visit_kind"] == "home_visit"
    assert payload["resident"] == {"name": "王阿婆", "phone": "13812345678", "address": "长岛村东路12号"}
    assert payload["filed_by"] == {"agent_id": "ag-7"} and payload["reason"] == "行动不便，需上门认证"
    trail = store.db.execute("SELECT actor, action, target, outcome FROM audit ORDER BY seq").fetchall()
    assert trail == [("agent:ag-7", audit.BOOKING_FILED, booking.id, "home_visit")]
    assert bookings.request_of(booking.id) == ("home_visit", WANG)
    assert bookings.owns(booking.id) and not bookings.owns("another-terminals-booking")
    with pytest.raises(BookingRefused):
        bookings.book("ag-7", WANG)
    last = store.db.execute("SELECT actor, action, target, outcome FROM audit ORDER BY seq DESC").fetchone()
    assert last == ("agent:ag-7", audit.BOOKING_REFUSED, "s1", "slot_full")


def test_the_work_queue_shows_bookings_with_the_hubs_note(store, bookings, clock):
    pulled(store, "s1", capacity=5)
    booking = bookings.book("ag-7", WANG)
    clock.advance(minutes=1)
    other = bookings.book("ag-7", WANG)
    (newest, oldest) = agent_queue(store.db, "ag-7")
    assert (newest.record_id, newest.kind, newest.state, newest.applicant_masked) == (
        other.id, "home_visit", PENDING_SYNC, "王**")
    assert oldest.item_name == "11月26日 09:30–10:30 社保认证" and oldest.receipt_no == ""
    hub_says(store, booking.id, CONFLICT, "该时段已约满，可改约：11月27日 09:00–10:00（余2）")
    conflict = agent_queue(store.db, "ag-7")[1]
    assert conflict.state == CONFLICT and "可改约" in conflict.note
    assert agent_queue(store.db, "ag-8") == []


def test_problems_name_the_fields_to_fix():
    assert problems("home_visit", BookingRequest("s1", " ", "12", "")) == ["name", "phone", "address"]
    assert problems("station_visit", BookingRequest("s1", "王阿婆", "0580-2012345")) == []


def test_retention_blanks_who_where_and_why_but_keeps_the_slot(store, bookings, clock):
    pulled(store, "s1")
    booking = bookings.book("ag-7", WANG)
    Outbox(store.db, clock).mark_delivered([booking.id])
    hub_says(store, booking.id, CONFIRMED)
    clock.advance(days=31)
    result = purge_delivered(store.db, None, keep_days=30, clock=clock)
    assert result.bookings == 1
    row = store.db.execute("SELECT details, purged_at, slot_label FROM bookings").fetchone()
    assert json.loads(row[0]) == {"purged": True} and row[1] is not None and row[2].startswith("11月26日")
    stub = json.loads(store.db.execute("SELECT payload FROM outbox WHERE record_id=?", (booking.id,)).fetchone()[0])
    assert stub["slot_id"] == "s1" and "resident" not in stub and "reason" not in stub
    entry, = agent_queue(store.db, "ag-7")
    assert entry.state == CONFIRMED and entry.applicant_masked == ""
    assert bookings.request_of(booking.id) is None
