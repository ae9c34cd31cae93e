"""Pushing records under protocol 1.1: gzip, caps, 413, quarantine, faults, exactly-once, timeouts."""
import gzip
import json

import pytest

from conftest import STATION, delivered_ids, make_engine, pending_ids, sent_records, transport_for
from contract_hub import Reply, as_json
from local_db.store import Outbox
from sync.client import TOO_LARGE, SyncClient
from sync.protocol import ProtocolError, SyncError
from sync.quarantine import Quarantine
from sync.transport import HubHttpError, HubUnreachable, Timeouts

pytestmark = pytest.mark.timeout(60)


def client(db, session, chub, terminal, **kw) -> SyncClient:
    return SyncClient(Outbox(db), chub.url, STATION, transport=transport_for(chub.url, terminal, session), **kw)


def big_answers(i: int) -> dict:
    """Answers that do not compress away: a size cap has something to bite on."""
    return {"note": "".join(chr(0x4E00 + (i * 7919 + k * 104729) % 20000) for k in range(3000))}


def test_the_body_sent_is_gzip_and_signed_as_sent(db, session, chub, terminal, submit):
    apps = submit(3)
    result = client(db, session, chub, terminal).push()
    assert result.accepted == tuple(a.id for a in apps)
    [post] = chub.posts()
    assert post.headers["content-encoding"] == "gzip" and post.body[:2] == b"\x1f\x8b"
    assert [r["id"] for r in sent_records(post)] == [a.id for a in apps]   # outbox order
    assert json.loads(gzip.decompress(post.body))["station_id"] == STATION
    assert result.bytes_sent == len(post.body)


def test_a_hub_that_reports_protocol_1_0_gets_plain_json(db, session, chub, submit):
    chub.fault = lambda seen: (as_json(200, {"ok": True, "service": "zhoudaoban-hub", "version": "0.1.0"})
                               if seen.target.endswith("/health") else
                               as_json(200, {"results": [{"id": r["id"], "status": "accepted"}
                                                         for r in json.loads(seen.body)["records"]]}))
    submit(1)
    assert client(db, session, chub, None).push().delivered == 1
    post = chub.posts()[0]
    assert "content-encoding" not in post.headers and json.loads(post.body)["records"]


def test_count_cap(db, session, chub, terminal, submit):
    submit(5)
    push = client(db, session, chub, terminal, batch_size=2)
    assert [push.push().sent for _ in range(4)] == [2, 2, 1, 0]
    assert [len(sent_records(p)) for p in chub.posts()] == [2, 2, 1]


def test_size_cap_splits_by_compressed_bytes_in_outbox_order(db, session, chub, terminal, app_store, dummy):
    apps = [app_store.submit("zs-hj-001", "户籍证明开具", dummy, big_answers(i)) for i in range(6)]
    push = client(db, session, chub, terminal, max_batch_bytes=20_000)
    while push.push().sent:
        pass
    posts = chub.posts()
    assert len(posts) > 1 and all(len(p.body) <= 20_000 for p in posts)
    assert [r["id"] for p in posts for r in sent_records(p)] == [a.id for a in apps]
    assert pending_ids(db) == []


def test_a_single_record_over_the_cap_still_goes_alone(db, session, chub, terminal, app_store, dummy):
    app = app_store.submit("zs-hj-001", "户籍证明开具", dummy, big_answers(1))
    result = client(db, session, chub, terminal, max_batch_bytes=100).push()
    assert result.accepted == (app.id,)


def test_413_halves_down_to_one_and_quarantines_the_record_still_too_large(
        db, session, chub, terminal, submit, app_store, dummy):
    small = submit(3)
    huge = app_store.submit("zs-hj-001", "户籍证明开具", dummy, big_answers(9))
    after = submit(2)
    chub.max_body_bytes = 6_000   # the huge one never fits; the small ones do, a few at a time
    push = client(db, session, chub, terminal)
    results = []
    while (result := push.push()).sent:
        results.append(result)
    sizes = [len(sent_records(p)) for p in chub.posts()]
    # 6 → 413; 3 small ones fit; [huge, a, b] → 413; [huge] → 413 → quarantined; then one at a time
    assert sizes == [6, 3, 3, 1, 1, 1] and push.count_cap == 1
    assert [len(r.rejected) for r in results] == [0, 1, 0, 0]
    assert [q.record_id for q in Quarantine(db).list()] == [huge.id]
    assert Quarantine(db).list()[0].reason == TOO_LARGE
    assert sorted(chub.records) == sorted(a.id for a in small + after)
    assert pending_ids(db) == []


def test_rejected_goes_to_quarantine_and_the_queue_moves_past_it(db, session, chub, terminal, submit):
    apps = submit(4)
    chub.reject = lambda record: "form incomplete" if record["id"] == apps[1].id else None
    result = client(db, session, chub, terminal).push()
    assert [r.record_id for r in result.rejected] == [apps[1].id] and result.delivered == 3
    assert pending_ids(db) == [] and set(delivered_ids(db)) == {apps[0].id, apps[2].id, apps[3].id}
    quarantine = Quarantine(db)
    [held] = quarantine.list()
    assert (held.record_id, held.reason, held.kind) == (apps[1].id, "rejected by hub: form incomplete",
                                                        "application")
    assert quarantine.payload(apps[1].id)["receipt_no"] == apps[1].receipt_no   # kept whole for the technician
    chub.reject = lambda record: None
    assert quarantine.release(apps[1].id) and not quarantine.release(apps[1].id)
    assert pending_ids(db) == [apps[1].id] and quarantine.count() == 0
    assert client(db, session, chub, terminal).push().accepted == (apps[1].id,)


def test_release_puts_the_record_back_in_its_place(db, session, chub, terminal, submit):
    apps = submit(3)
    chub.reject = lambda record: "no" if record["id"] == apps[0].id else None
    client(db, session, chub, terminal, batch_size=1).push()
    assert pending_ids(db) == [apps[1].id, apps[2].id]
    Quarantine(db).release(apps[0].id)
    assert pending_ids(db) == [a.id for a in apps]   # deterministic order by outbox seq


def test_lost_reply_after_the_hub_committed_is_delivered_once(db, session, chub, terminal, submit):
    apps = submit(2)
    lost = {"n": 0}

    def lose_first(seen, reply):
        if seen.method == "POST" and lost["n"] == 0:
            lost["n"] += 1
            return Reply(200, reply.body[:10], declared_length=len(reply.body))   # committed, reply cut off
        return reply
    chub.after = lose_first
    push = client(db, session, chub, terminal)
    with pytest.raises(ProtocolError):
        push.push()
    assert len(chub.records) == 2 and len(pending_ids(db)) == 2   # stored on the hub, nothing settled here
    again = push.push()
    assert again.duplicate == tuple(a.id for a in apps) and again.accepted == ()
    assert pending_ids(db) == [] and len(chub.records) == 2


FAULTS = {
    "500": lambda: Reply(500, b"oops"),
    "503 retry-after": lambda: Reply(503, b"", {"Retry-After": "7"}),
    "429": lambda: Reply(429, b"", {"Retry-After": "30"}),
    "garbage": lambda: Reply(200, b"<html>captive portal</html>"),
    "truncated": lambda: Reply(200, b'{"results": [{"id"', declared_length=400),
    "missing results": lambda: as_json(200, {"results": []}),
    "slow": lambda: Reply(200, b"{}", delay_s=5),
}


@pytest.mark.parametrize("fault", FAULTS.values(), ids=FAULTS.keys())
def test_faults_deliver_nothing_and_a_later_round_delivers(db, session, chub, terminal, submit, data_dir, fault):
    apps = submit(2)
    chub.fault = lambda seen: fault() if seen.method == "POST" else None
    outcome = make_engine(db, session, chub.url, terminal, data_dir, sync_timeout_s=0.5).run()
    assert isinstance(outcome.error, SyncError) and outcome.push.delivered == 0
    assert pending_ids(db) == [a.id for a in apps] and delivered_ids(db) == []
    chub.fault = lambda seen: None
    assert make_engine(db, session, chub.url, terminal, data_dir).run().error is None
    assert pending_ids(db) == [] and sorted(chub.records) == sorted(a.id for a in apps)


def test_retry_after_is_carried_on_the_error(db, session, chub, terminal, submit):
    submit(1)
    chub.fault = lambda seen: Reply(429, b"", {"Retry-After": "42"}) if seen.method == "POST" else None
    with pytest.raises(HubHttpError) as info:
        client(db, session, chub, terminal).push()
    assert (info.value.status, info.value.retry_after) == (429, 42.0)


class RecordingSession:
    """Wraps a real session and remembers the timeout each request was given."""

    def __init__(self, inner):
        self.inner = inner
        self.timeouts = []
        self.verify = True

    def request(self, method, url, **kw):
        self.timeouts.append((method, len(kw.get("data") or b""), kw["timeout"]))
        return self.inner.request(method, url, **kw)


def test_timeouts_grow_with_the_bytes_sent(db, session, chub, terminal, app_store, dummy):
    assert Timeouts(10.0, 1000).for_bytes(0) == (10.0, 10.0)
    assert Timeouts(10.0, 1000).for_bytes(50_000) == (10.0, 60.0)
    recording = RecordingSession(session)
    app_store.submit("zs-hj-001", "户籍证明开具", dummy, big_answers(3))
    transport = transport_for(chub.url, terminal, recording)
    transport.timeouts = Timeouts(2.0, 1000)
    SyncClient(Outbox(db), chub.url, STATION, transport=transport).push()
    method, size, (connect, read) = recording.timeouts[-1]
    assert method == "POST" and size > 1000 and connect == 2.0 and read == pytest.approx(2.0 + size / 1000)


def test_an_unreachable_hub_is_unreachable(db, session, terminal, submit):
    submit(1)
    with pytest.raises(HubUnreachable):
        SyncClient(Outbox(db), "http://127.0.0.1:9", STATION,
                   transport=transport_for("http://127.0.0.1:9", terminal, session)).push()
    assert len(pending_ids(db)) == 1


def test_bad_attachment_references_are_quarantined_locally(db, session, chub, terminal, submit):
    apps = submit(2)
    payload = json.loads(db.execute("SELECT payload FROM outbox WHERE record_id=?", (apps[0].id,)).fetchone()[0])
    db.execute("UPDATE outbox SET payload=? WHERE record_id=?",
               (json.dumps(payload | {"attachments": ["not-a-hash"]}), apps[0].id))
    result = client(db, session, chub, terminal).push()
    assert result.accepted == (apps[1].id,) and [r.record_id for r in result.rejected] == [apps[0].id]
    assert apps[0].id not in chub.records and Quarantine(db).count() == 1
