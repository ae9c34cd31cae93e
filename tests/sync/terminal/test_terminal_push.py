"""Pushing records under protocol 1.1: gzip, caps, 413, quarantine, lost replies, faults, timeouts."""
import bz2
import gzip
import json
import os

import pytest
import requests

from local_db.store import Outbox
from sync.client import TOO_LARGE, SyncClient
from sync.hub.context import HubConfig
from sync.protocol import ProtocolError, SyncError
from sync.quarantine import Quarantine
from sync.terminal_identity import IdentityStore, enroll
from sync.transport import HubHttpError, HubUnreachable, Timeouts
from terminal_helpers import STATION, delivered_ids, make_engine, pending_ids, sent_records, transport_for
from zdb_contract_hub import Reply, as_json
from tests.local_db.sealed_helpers import edit_payload

pytestmark = pytest.mark.timeout(60)


def client(db, session, hub_url, identity, **kw) -> SyncClient:
    return SyncClient(Outbox(db), hub_url, STATION, transport=transport_for(hub_url, identity, session), **kw)


def drain(push: SyncClient) -> list:
    results = []
    while (result := push.push()).sent:
        results.append(result)
    return results


def noise(n: int) -> dict:
    """Answers that do not compress away, so a size cap has something to bite on."""
    return {"note": os.urandom(n).hex()}


def submit_big(app_store, dummy, n: int = 4000):
    return app_store.submit("zs-hj-001", "户籍证明开具", dummy, noise(n))


# --- against the reference hub -------------------------------------------------------------------------------

def test_the_body_is_compressed_as_the_hub_offers_and_signed_as_sent(real_hub, terminal, db, hooked, submit):
    apps = submit(3)
    result = client(db, hooked, real_hub.url, terminal).push()
    assert result.accepted == tuple(a.id for a in apps)   # the hub verified the signature over the bzip2 bytes
    [(headers, body)] = hooked.pushes()
    assert headers["Content-Encoding"] == "bzip2" and body[:3] == b"BZh" and result.bytes_sent == len(body)
    sent = json.loads(bz2.decompress(body))
    assert sent["station_id"] == STATION and [r["id"] for r in sent["records"]] == [a.id for a in apps]
    assert real_hub.store.get(apps[0].id).payload["receipt_no"] == apps[0].receipt_no


def test_a_1_1_hub_gets_gzip(chub, chub_terminal, db, session, submit):
    apps = submit(2)
    push = client(db, session, chub.url, chub_terminal)
    assert push.push().accepted == tuple(a.id for a in apps) and push.encoding == "gzip"
    [seen] = chub.posts()
    assert seen.headers["content-encoding"] == "gzip" and gzip.decompress(seen.body)[:1] == b"{"


def test_count_cap(real_hub, terminal, db, hooked, submit):
    apps = submit(5)
    push = client(db, hooked, real_hub.url, terminal, batch_size=2)
    assert [push.push().sent for _ in range(4)] == [2, 2, 1, 0]
    assert hooked.batches() == [[a.id for a in apps[:2]], [a.id for a in apps[2:4]], [apps[4].id]]


def test_size_cap_splits_by_compressed_bytes_in_outbox_order(real_hub, terminal, db, hooked, app_store, dummy):
    apps = [submit_big(app_store, dummy, 3000) for _ in range(6)]
    drain(client(db, hooked, real_hub.url, terminal, max_batch_bytes=10_000))
    assert len(hooked.pushes()) > 1 and all(len(body) <= 10_000 for _, body in hooked.pushes())
    assert [i for batch in hooked.batches() for i in batch] == [a.id for a in apps]
    assert pending_ids(db) == [] and real_hub.store.count() == 6


def test_a_single_record_over_the_cap_still_goes_alone(real_hub, terminal, db, session, app_store, dummy):
    app = submit_big(app_store, dummy)
    assert client(db, session, real_hub.url, terminal, max_batch_bytes=100).push().accepted == (app.id,)


def test_413_halves_down_to_one_and_quarantines_the_record_still_too_large(
        start_hub, data_dir, db, hooked, session, submit, app_store, dummy):
    small_hub = start_hub("small", config=HubConfig(max_body_bytes=3000))
    terminal = enroll(IdentityStore(data_dir), small_hub.url, STATION, small_hub.code(), session=session)
    small = submit(3)
    huge = submit_big(app_store, dummy)
    after = submit(2)
    push = client(db, hooked, small_hub.url, terminal)
    results = drain(push)
    # 6 → 413; 3 small ones fit; [huge, a, b] → 413; [huge] → 413 → quarantined; then one at a time
    assert [len(b) for b in hooked.batches()] == [6, 3, 3, 1, 1, 1] and push.count_cap == 1
    assert [len(r.rejected) for r in results] == [0, 1, 0, 0]
    [held] = Quarantine(db).list()
    assert (held.record_id, held.reason) == (huge.id, TOO_LARGE)
    assert sorted(r.id for r in small_hub.store.list()) == sorted(a.id for a in small + after)
    assert pending_ids(db) == []


def poison(db, record_id: str) -> None:
    """A payload the hub refuses to store (a NUL character): rejected, every time."""
    edit_payload(db, record_id, lambda body: body["answers"].update(purpose="bad\x00byte"))


def test_rejected_goes_to_quarantine_and_the_queue_moves_past_it(real_hub, terminal, db, session, submit):
    apps = submit(4)
    poison(db, apps[1].id)
    result = client(db, session, real_hub.url, terminal).push()
    assert [r.record_id for r in result.rejected] == [apps[1].id] and result.delivered == 3
    assert pending_ids(db) == [] and set(delivered_ids(db)) == {apps[0].id, apps[2].id, apps[3].id}
    quarantine = Quarantine(db)
    [held] = quarantine.list()
    assert (held.record_id, held.kind) == (apps[1].id, "application")
    assert held.reason.startswith("rejected by hub: ") and "bad" not in held.reason   # the hub's words only
    assert quarantine.payload(apps[1].id)["receipt_no"] == apps[1].receipt_no   # kept whole for the technician
    assert real_hub.store.get(apps[1].id) is None


def test_release_puts_the_record_back_in_its_place(db, submit):
    apps = submit(3)
    quarantine = Quarantine(db)
    assert quarantine.move({apps[0].id: "rejected by hub: x"}) == 1
    assert quarantine.move({apps[0].id: "again"}) == 0   # no longer pending: nothing to move
    assert pending_ids(db) == [apps[1].id, apps[2].id] and quarantine.count() == 1
    assert quarantine.release(apps[0].id) and not quarantine.release(apps[0].id)
    assert pending_ids(db) == [a.id for a in apps] and quarantine.count() == 0   # deterministic order by seq
    last_error = db.execute("SELECT last_error FROM outbox WHERE record_id=?", (apps[0].id,)).fetchone()[0]
    assert last_error == "released from quarantine: rejected by hub: x"


def test_a_released_record_is_delivered(real_hub, terminal, db, session, submit):
    app = submit(1)[0]
    Quarantine(db).move({app.id: "rejected by hub: temporary"})
    assert client(db, session, real_hub.url, terminal).push().sent == 0
    Quarantine(db).release(app.id)
    assert client(db, session, real_hub.url, terminal).push().accepted == (app.id,)


def test_lost_reply_after_the_hub_committed_is_delivered_once(real_hub, terminal, db, hooked, submit):
    apps = submit(2)
    lost = []

    def lose_first_reply(method, url, response):
        if method == "POST" and not lost:
            lost.append(response.status_code)
            raise requests.ConnectionError("reset after the hub answered")
    hooked.after = lose_first_reply
    push = client(db, hooked, real_hub.url, terminal)
    with pytest.raises(HubUnreachable):
        push.push()
    assert lost == [200] and real_hub.store.count() == 2 and len(pending_ids(db)) == 2   # nothing settled here
    again = push.push()
    assert again.duplicate == tuple(a.id for a in apps) and again.accepted == ()
    assert pending_ids(db) == [] and real_hub.store.count() == 2


def test_timeouts_grow_with_the_bytes_sent(real_hub, terminal, db, hooked, app_store, dummy):
    assert Timeouts(10.0, 1000).for_bytes(0) == (10.0, 10.0)
    assert Timeouts(10.0, 1000).for_bytes(50_000) == (10.0, 60.0)
    submit_big(app_store, dummy)
    transport = transport_for(real_hub.url, terminal, hooked)
    transport.timeouts = Timeouts(2.0, 1000)
    SyncClient(Outbox(db), real_hub.url, STATION, transport=transport).push()
    [(method, _, _, body, (connect, read))] = [s for s in hooked.sent if s[0] == "POST"]
    assert len(body) > 1000 and connect == 2.0 and read == pytest.approx(2.0 + len(body) / 1000)


def test_bad_attachment_references_are_quarantined_locally(real_hub, terminal, db, session, submit):
    apps = submit(2)
    edit_payload(db, apps[0].id, lambda body: body.update(attachments=["not-a-hash"]))
    result = client(db, session, real_hub.url, terminal).push()
    assert result.accepted == (apps[1].id,) and [r.record_id for r in result.rejected] == [apps[0].id]
    assert real_hub.store.get(apps[0].id) is None and Quarantine(db).count() == 1


def test_an_unreachable_hub_is_unreachable(db, session, terminal, submit):
    submit(1)
    with pytest.raises(HubUnreachable):
        client(db, session, "http://127.0.0.1:9", terminal).push()
    assert len(pending_ids(db)) == 1


# --- faults the reference hub never sends on purpose: the contract hub ----------------------------------------

def test_a_hub_that_reports_protocol_1_0_gets_plain_json(db, session, chub, submit):
    def hub_1_0(seen):
        if seen.target.endswith("/health"):
            return as_json(200, {"ok": True, "service": "zhoudaoban-hub", "version": "0.1.0"})
        return as_json(200, {"results": [{"id": r["id"], "status": "accepted"}
                                         for r in json.loads(seen.body)["records"]]})
    chub.fault = hub_1_0
    submit(1)
    assert client(db, session, chub.url, None).push().delivered == 1
    [post] = chub.posts()
    assert "content-encoding" not in post.headers and len(sent_records(post)) == 1


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
def test_faults_deliver_nothing_and_a_later_round_delivers(db, session, chub, chub_terminal, submit, data_dir,
                                                           fault):
    apps = submit(2)
    chub.fault = lambda seen: fault() if seen.method == "POST" else None
    outcome = make_engine(db, session, chub.url, chub_terminal, data_dir, sync_timeout_s=0.5).run()
    assert isinstance(outcome.error, SyncError) and outcome.push.delivered == 0
    assert pending_ids(db) == [a.id for a in apps] and delivered_ids(db) == []
    chub.fault = lambda seen: None
    assert make_engine(db, session, chub.url, chub_terminal, data_dir).run().error is None
    assert pending_ids(db) == [] and sorted(chub.records) == sorted(a.id for a in apps)


def test_a_reply_cut_off_after_the_commit_settles_nothing(db, session, chub, chub_terminal, submit):
    apps = submit(2)
    chub.after = lambda seen, reply: Reply(200, reply.body[:10], declared_length=len(reply.body))
    with pytest.raises(ProtocolError):
        client(db, session, chub.url, chub_terminal).push()
    assert len(chub.records) == 2 and pending_ids(db) == [a.id for a in apps]


def test_retry_after_is_carried_on_the_error(db, session, chub, chub_terminal, submit):
    submit(1)
    chub.fault = lambda seen: Reply(429, b"", {"Retry-After": "42"}) if seen.method == "POST" else None
    with pytest.raises(HubHttpError) as info:
        client(db, session, chub.url, chub_terminal).push()
    assert (info.value.status, info.value.retry_after) == (429, 42.0)


def test_a_payload_damaged_on_disk_is_quarantined_and_the_queue_moves_on(real_hub, terminal, db, session, submit):
    apps = submit(3)
    raw = db.execute("SELECT payload FROM outbox WHERE record_id=?", (apps[1].id,)).fetchone()[0]
    db.execute("UPDATE outbox SET payload=? WHERE record_id=?", (raw[:-12] + "AAAAAAAAAAAA", apps[1].id))   # bit rot
    result = client(db, session, real_hub.url, terminal).push()
    assert sorted(result.accepted) == sorted((apps[0].id, apps[2].id))
    assert [(r.record_id, r.reason) for r in result.rejected] == [(apps[1].id, "payload unreadable at this terminal")]
    assert real_hub.store.get(apps[1].id) is None and Quarantine(db).count() == 1   # kept as it was, not sent
