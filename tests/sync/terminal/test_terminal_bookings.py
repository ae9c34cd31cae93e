"""Two terminals of one station book the last seat of a slot while offline; when sync returns, the reference hub
confirms one and answers the other with a conflict naming a free slot. Nothing is lost: both records are on the
hub, and the losing agent sees the hub's note in the work queue and a RecordStatusChanged event."""
from datetime import datetime, timedelta, timezone

import json

import pytest

from kiosk.bookings import CONFIRMED, CONFLICT, BookingRequest, Bookings
from kiosk.work_queue import agent_queue
from local_db.db import open_db
from local_db.store import ApplicationStore
from sync.events import RecordStatusChanged
from sync.hub.bookings import Slot
from sync.protocol import STREAMS
from sync.pull import Puller
from sync.transport import HubHttpError, HubReply
from sync.terminal_identity import IdentityStore, enroll
from terminal_helpers import STATION, Events, make_engine

pytestmark = pytest.mark.timeout(90)
RESIDENT = BookingRequest("s-last", "王阿婆", "13812345678", "长岛村东路12号", "行动不便")


def hub_slot(slot_id, hours, capacity):
    start = datetime.now(timezone.utc) + timedelta(hours=hours)
    return Slot(slot_id, "home_visit", STATION, start, start + timedelta(hours=2), capacity, "上门认证")


@pytest.fixture
def station_terminal(real_hub, session, tmp_path):
    """A kiosk of the station: its own data dir, database, enrollment and sync engine."""
    opened = []

    def make(name):
        data_dir = tmp_path / name
        data_dir.mkdir()
        db = open_db(data_dir / "kiosk.db")
        opened.append(db)
        identity = enroll(IdentityStore(data_dir), real_hub.url, STATION, real_hub.code(), session=session)
        events = Events()
        engine = make_engine(db, session, real_hub.url, identity, data_dir, publish=events)
        return Bookings(ApplicationStore(db, STATION, name)), engine, events
    yield make
    for db in opened:
        db.conn.close()


def test_two_terminals_take_the_last_seat_offline_one_gets_a_conflict(real_hub, station_terminal):
    real_hub.store.add_slot(hub_slot("s-last", 24, 1))
    real_hub.store.add_slot(hub_slot("s-next", 48, 3))
    (a, engine_a, _), (b, engine_b, events_b) = station_terminal("T01"), station_terminal("T02")
    for engine in (engine_a, engine_b):
        assert engine.run().error is None                  # both pull the slots, then the link goes down
    assert [o.free for o in a.offers() if o.slot.id == "s-last"] == [1]

    first = a.book("ag-1", RESIDENT)                       # offline, each station knows one free seat
    second = b.book("ag-2", RESIDENT)
    assert a.offers()[0].full and b.offers()[0].full       # and holds it: a second booking here is refused

    assert engine_a.run().error is None
    assert engine_b.run().error is None
    assert (a.state(first.id), b.state(second.id)) == (CONFIRMED, CONFLICT)
    assert real_hub.store.get(second.id).payload["resident"]["name"] == "王阿婆"   # nothing lost
    entry = agent_queue(b.store.db, "ag-2")[0]
    assert entry.state == CONFLICT and entry.note.startswith("该时段已约满，可改约：")
    assert "上门认证（余3）" in entry.note
    # the status stream is the station's: T02 hears of T01's confirmation as well, and of its own conflict
    changed = {e.record_id: e for e in events_b if isinstance(e, RecordStatusChanged)}
    assert (changed[second.id].status, changed[second.id].note) == (CONFLICT, entry.note)
    assert changed[first.id].status == CONFIRMED

    engine_a.run()                                         # the hub's new count reaches the winner too
    assert [o.full for o in a.offers() if o.slot.id == "s-last"] == [True]
    assert [o.free for o in b.offers() if o.slot.id == "s-next"] == [3]


class OlderHub:
    """A hub before protocol 1.3: `missing` answers 404 unknown_stream, every other stream an empty page."""

    def __init__(self, missing="slots"):
        self.missing, self.asked = missing, []

    def request(self, method, path, **kw):
        self.asked.append(path.rsplit("/", 1)[1])
        if path.endswith("/" + self.missing):
            raise HubHttpError(404, error="unknown_stream")
        return HubReply(200, {}, json.dumps({"items": [], "next_cursor": "c1", "more": False}).encode())


def test_an_older_hub_without_the_slots_stream_is_no_failure(db, data_dir):
    hub = OlderHub()
    result = Puller(db, hub, data_dir=data_dir, hub_public_key=None).pull_all()
    assert hub.asked == list(STREAMS) and result.pages == len(STREAMS) - 1
    with pytest.raises(HubHttpError):   # only the newer stream is forgiven
        Puller(db, OlderHub("guides"), data_dir=data_dir, hub_public_key=None).pull_stream("guides")
