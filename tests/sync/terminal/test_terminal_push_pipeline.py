"""Pushing over several connections at once: disjoint batches, exactly once, faults on one connection."""
import os
import threading

import pytest
import requests

from local_db.store import Outbox
from sync.client import TOO_LARGE, SyncClient
from sync.hub.context import HubConfig
from sync.push_pipeline import PushPipeline
from sync.quarantine import Quarantine
from sync.terminal_identity import IdentityStore, enroll
from sync.transport import ClockOffset, HubUnreachable
from terminal_helpers import STATION, HookedSession, make_engine, pending_ids, transport_for

pytestmark = pytest.mark.timeout(60)


@pytest.fixture
def sessions():
    made = [HookedSession() for _ in range(3)]
    yield made
    for s in made:
        s.close()


def pipeline(db, sessions, hub_url, identity, **kw) -> PushPipeline:
    transports = [transport_for(hub_url, identity, s) for s in sessions]
    client = SyncClient(Outbox(db), hub_url, STATION, transport=transports[0], encoding="gzip", **kw)
    return PushPipeline(client, transports)


def all_batches(sessions) -> list[list[str]]:
    return [batch for s in sessions for batch in s.batches()]


def test_three_batches_are_in_flight_at_once_and_every_record_arrives_once(real_hub, terminal, db, sessions,
                                                                             submit):
    apps = submit(40)
    together = threading.Barrier(3, timeout=10)   # the first push on each connection waits for the other two
    for s in sessions:
        s.before = lambda method, url, s=s: together.wait() if method == "POST" and not s.pushes() else None
    result, error = pipeline(db, sessions, real_hub.url, terminal, batch_size=5).drain()
    assert error is None and len(result.accepted) == 40
    assert all(s.pushes() for s in sessions), "a connection carried nothing"
    sent = [i for batch in all_batches(sessions) for i in batch]
    assert sorted(sent) == sorted(a.id for a in apps)      # disjoint batches: nothing sent twice
    assert pending_ids(db) == [] and real_hub.store.count() == 40


def test_a_connection_that_fails_leaves_its_batch_pending_and_the_others_settle(real_hub, terminal, db, sessions,
                                                                                 submit):
    apps = submit(30)
    failed: list[str] = []

    def refuse_once(method, url):
        if method == "POST" and not failed:
            failed.append(url)
            raise requests.ConnectionError("link dropped")

    sessions[1].before = refuse_once
    result, error = pipeline(db, sessions, real_hub.url, terminal, batch_size=5).drain()
    assert isinstance(error, HubUnreachable)
    assert result.delivered == 30 - len(pending_ids(db)) > 0      # what did get through is settled
    assert set(pending_ids(db)) <= {a.id for a in apps} and pending_ids(db)
    result, error = pipeline(db, sessions, real_hub.url, terminal, batch_size=5).drain()
    assert error is None and pending_ids(db) == [] and real_hub.store.count() == 30


def test_a_reply_lost_after_the_hub_committed_comes_back_duplicate(real_hub, terminal, db, sessions, submit):
    submit(30)
    lost: list[int] = []

    def lose_reply(method, url, response):
        if method == "POST" and not lost:
            lost.append(1)
            raise requests.ConnectionError("reply lost")

    sessions[2].after = lose_reply
    first, error = pipeline(db, sessions, real_hub.url, terminal, batch_size=5).drain()
    assert isinstance(error, HubUnreachable) and real_hub.store.count() > first.delivered
    second, error = pipeline(db, sessions, real_hub.url, terminal, batch_size=5).drain()
    assert error is None and second.duplicate           # the hub had them; they count as delivered
    assert pending_ids(db) == [] and real_hub.store.count() == 30


def test_413_on_several_connections_halves_and_quarantines_only_the_record_too_large(
        start_hub, data_dir, db, sessions, session, submit, app_store, dummy):
    small_hub = start_hub("small", config=HubConfig(max_body_bytes=3000))
    terminal = enroll(IdentityStore(data_dir), small_hub.url, STATION, small_hub.code(), session=session)
    small = submit(6)
    huge = app_store.submit("zs-hj-001", "户籍证明开具", dummy, {"note": os.urandom(4000).hex()})
    after = submit(6)
    result, error = pipeline(db, sessions, small_hub.url, terminal).drain()
    assert error is None
    [held] = Quarantine(db).list()
    assert (held.record_id, held.reason) == (huge.id, TOO_LARGE)
    assert sorted(r.id for r in small_hub.store.list()) == sorted(a.id for a in small + after)
    assert pending_ids(db) == [] and len(result.rejected) == 1


def test_the_engine_pushes_over_every_session_it_is_given(real_hub, terminal, db, sessions, data_dir, submit):
    submit(30)
    engine = make_engine(db, sessions[0], real_hub.url, terminal, data_dir, push_sessions=sessions[1:],
                         sync_batch_size=3)
    outcome = engine.run()
    assert outcome.error is None and len(outcome.push.accepted) == 30 and outcome.reached_hub
    assert all(s.pushes() for s in sessions)
    assert real_hub.store.count() == 30


def test_a_clock_offset_learned_on_a_push_thread_is_saved_on_the_owner_thread():
    saved: list[float] = []
    offset = ClockOffset(wall=lambda: 1000.0, on_change=saved.append)
    worker = threading.Thread(target=offset.learn, args=("1600",))
    worker.start()
    worker.join()
    assert offset.offset_s == 600.0 and offset.now() == 1600 and saved == []   # no database write off-thread
    offset.persist()
    assert saved == [600.0]
    offset.persist()
    assert saved == [600.0]
