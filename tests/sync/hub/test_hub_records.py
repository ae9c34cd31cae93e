"""Pushing records: gzip, bzip2 and their bombs, size limits, per-item results, dedupe, station binding, attachments."""
import bz2
import gzip
import hashlib
import json

import pytest

from sync.protocol import HEALTH_PATH, RECORDS_PATH

from hub_helpers import OTHER_STATION, STATION, push, record, results

pytestmark = pytest.mark.timeout(60)


def test_a_gzip_push_and_a_plain_push_are_both_stored(session, hub, terminal):
    assert results(push(session, hub.url, terminal, STATION, [record("g1")])) == [("g1", "accepted", None)]
    assert results(push(session, hub.url, terminal, STATION, [record("p1")], compress=False)) == \
        [("p1", "accepted", None)]
    assert hub.store.get("g1").station_id == STATION and hub.store.count() == 2


def test_a_bzip2_push_is_stored_and_offered_in_health(session, hub, terminal):
    body = bz2.compress(json.dumps({"station_id": STATION, "records": [record("b1")]}).encode())
    reply = session.post(hub.url + RECORDS_PATH, data=body, auth=terminal.auth(), timeout=10,
                         headers={"Content-Encoding": "bzip2", "Content-Type": "application/json"})
    assert results(reply) == [("b1", "accepted", None)] and hub.store.get("b1").station_id == STATION
    assert session.get(hub.url + HEALTH_PATH, timeout=10).json()["encodings"] == ["bzip2", "gzip"]


@pytest.mark.parametrize("encoding,compress", [("gzip", gzip.compress), ("bzip2", bz2.compress)])
def test_a_zip_bomb_is_413_and_stores_nothing(session, hub, terminal, encoding, compress):
    bomb = compress(b'{"station_id": "' + STATION.encode() + b'", "records": [' + b" " * (64 << 20) + b"]}")
    assert len(bomb) < 200_000   # small on the wire, 64 MiB inflated: over the 32 MiB cap
    reply = session.post(hub.url + RECORDS_PATH, data=bomb, auth=terminal.auth(), timeout=30,
                         headers={"Content-Encoding": encoding})
    assert reply.status_code == 413
    assert hub.store.count() == 0


@pytest.mark.parametrize("encoding,body,status", [
    ("gzip", b"not gzip at all", 400),
    ("gzip", gzip.compress(b'{"station_id": "x", "records": []}')[:-6], 400),   # truncated
    ("bzip2", b"not bzip2 either", 400),
    ("bzip2", bz2.compress(b'{"station_id": "x", "records": []}')[:-4], 400),   # truncated
    ("bzip2", bz2.compress(b'{"station_id": "x", "records": []}') + b"junk", 400),   # trailing bytes
    ("br", b"{}", 415),
], ids=["not-gzip", "truncated-gzip", "not-bzip2", "truncated-bzip2", "trailing-bzip2", "brotli"])
def test_bodies_that_do_not_decode(session, hub, terminal, encoding, body, status):
    reply = session.post(hub.url + RECORDS_PATH, data=body, auth=terminal.auth(), timeout=10,
                         headers={"Content-Encoding": encoding})
    assert reply.status_code == status and "error" in reply.json()


def test_a_body_over_the_limit_is_413(session, hub, terminal):
    big = [record(f"r{i}", note="x" * 1000) for i in range(6000)]
    reply = push(session, hub.url, terminal, STATION, big, compress=False)   # > 4 MiB as sent
    assert reply.status_code == 413 and hub.store.count() == 0


def test_each_item_gets_a_result_and_bad_ones_a_reason(session, hub, terminal):
    sha = hashlib.sha256(b"photo").hexdigest()
    sent = [record("ok1"), {"kind": "application", "payload": {}}, {"id": "bad-kind", "kind": "photo", "payload": {}},
            record("nul", note="a\x00b"), {**record("att-bad"), "attachments": ["XYZ"]},
            {**record("att-ok"), "attachments": [sha, sha]}, record("need1", kind="need"), record("ok1")]
    assert results(push(session, hub.url, terminal, STATION, sent)) == [
        ("ok1", "accepted", None), (None, "rejected", "missing id"), ("bad-kind", "rejected", "unknown kind"),
        ("nul", "rejected", "payload has characters that cannot be stored"),
        ("att-bad", "rejected", "invalid attachments"), ("att-ok", "accepted", None),
        ("need1", "accepted", None), ("ok1", "duplicate", None)]
    assert hub.store.get("att-ok").attachments == (sha,)
    assert hub.store.get("need1").kind == "need"
    assert hub.store.get("nul") is None


def test_a_batch_resent_after_a_lost_reply_is_all_duplicate(session, hub, terminal):
    sent = [record(f"r{i}") for i in range(5)]
    first = push(session, hub.url, terminal, STATION, sent)   # committed; pretend the reply never arrived
    assert first.status_code == 200
    again = push(session, hub.url, terminal, STATION, sent + [record("r5")])
    assert results(again) == [(f"r{i}", "duplicate", None) for i in range(5)] + [("r5", "accepted", None)]
    assert hub.store.count() == 6


def test_a_terminal_cannot_push_for_another_station(session, hub, terminal):
    reply = push(session, hub.url, terminal, OTHER_STATION, [record("r1")])
    assert (reply.status_code, reply.json()) == (403, {"error": "wrong_station"})
    assert hub.store.count() == 0


def test_a_malformed_batch_is_400(session, hub, terminal):
    assert push(session, hub.url, terminal, "", [record("r1")]).status_code == 400
    too_many = [record(f"r{i}") for i in range(1001)]
    assert push(session, hub.url, terminal, STATION, too_many).status_code == 400
    assert hub.store.count() == 0


def test_the_staff_list_of_records_needs_the_staff_password(session, hub, terminal):
    push(session, hub.url, terminal, STATION, [record("r1")])
    assert session.get(hub.url + RECORDS_PATH, timeout=10).status_code == 401
    assert session.get(hub.url + RECORDS_PATH, auth=terminal.auth(), timeout=10).status_code == 401
    listed = session.get(hub.url + RECORDS_PATH, auth=("staff", "staff-pw-for-tests"), timeout=10)
    assert [r["id"] for r in listed.json()["records"]] == ["r1"]
