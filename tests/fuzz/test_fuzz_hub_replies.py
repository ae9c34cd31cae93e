"""Fuzzing what the hub sends back: reply bodies, headers, stream pages, and a whole push over real HTTP.

Properties: each reply parser returns its record or raises ProtocolError, never anything else; a push through
a loopback hub answering fuzzed bodies and statuses ends with a PushResult or a SyncError, and afterwards every
record is either still pending or settled exactly as a well-formed answer for its batch said (never delivered
by a bad reply), with the database intact; a pulled page of fuzzed items is stored whole or not at all.
"""
from __future__ import annotations

import json
import math
import shutil
import sqlite3
import tempfile
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from kiosk.records import Identity
from local_db.db import open_db
from local_db.store import ApplicationStore, Outbox
from local_db.sync_state import SyncState
from sync import encodings
from sync.client import SyncClient
from sync.hub.testing import FakeHub, Reply, loopback_session
from sync.protocol import (ProtocolError, SyncError, parse_bundle, parse_enroll_reply, parse_error_code,
                           parse_health, parse_push_reply, parse_status_update, parse_stream_page,
                           parse_upload_state)
from sync.pull import Puller
from sync.transport import ClockOffset, HubTransport, Timeouts, retry_after
from tests.fuzz.budget import HANG_S, examples

pytestmark = pytest.mark.timeout(HANG_S)

STATION = "zs-fuzz-001"
RECORDS = 3
APPLICANT = Identity(source="idcard", name="测试人", id_number="330902199001011234", address="舟山市定海区测试路1号")
# Text as JSON can carry it: any character, lone surrogates included (the escape "\\ud800" is valid JSON syntax).
WIRE_TEXT = st.text(alphabet=st.characters() | st.sampled_from("\ud800\udbff\udc00\udfff"), max_size=20)
JSON_SCALARS = st.none() | st.booleans() | st.integers(-2**70, 2**70) | st.floats() | WIRE_TEXT
JSON_VALUES = st.recursive(JSON_SCALARS, lambda inner: st.lists(inner, max_size=4)
                           | st.dictionaries(WIRE_TEXT, inner, max_size=4), max_leaves=16)
DEEP = b"[" * 5000 + b"]" * 5000


def bodies(values: st.SearchStrategy = JSON_VALUES) -> st.SearchStrategy[bytes]:
    """Reply bodies: JSON of any shape, JSON cut short, raw bytes."""
    as_json = values.map(lambda v: json.dumps(v).encode())
    return as_json | as_json.flatmap(lambda b: st.integers(0, len(b)).map(lambda n: b[:n])) | st.binary(max_size=80)


def protocol_error_or(parse, *args):
    try:
        return parse(*args)
    except ProtocolError:
        return None


# --- one parser at a time --------------------------------------------------------------------------------------
PARSERS = [parse_health, parse_enroll_reply, parse_upload_state, parse_stream_page]


@pytest.mark.parametrize("parse", PARSERS, ids=lambda p: p.__name__)
@given(body=bodies())
@example(body=b"")
@example(body=DEEP)
@example(body=b"\xff")
@example(body=b"1" * 5000)
def test_a_reply_body_is_its_record_or_a_protocol_error(parse, body):
    protocol_error_or(parse, body)


@given(bodies(), st.lists(st.text(max_size=8), max_size=4))
@example(DEEP, ["a"])
def test_a_push_reply_is_exactly_one_result_per_record_or_a_protocol_error(body, ids):
    reply = protocol_error_or(parse_push_reply, body, ids)
    if reply is not None:
        assert sorted(r.id for r in reply.results) == sorted(set(ids))


@given(st.lists(st.text(max_size=8), min_size=1, max_size=4, unique=True), st.data())
def test_a_push_reply_built_for_the_records_sent_parses_only_when_well_formed(ids, data):
    results = [{"id": i, "status": data.draw(st.sampled_from(["accepted", "duplicate", "rejected", "lost", 1]))}
               | data.draw(st.fixed_dictionaries({}, optional={"reason": JSON_SCALARS})) for i in ids]
    results = data.draw(st.permutations(results), label="order")
    if data.draw(st.booleans(), label="drop or double one"):
        results = results[1:] if data.draw(st.booleans()) else results + results[:1]
    body = json.dumps({"results": results}).encode()
    well_formed = (sorted(r["id"] for r in results) == sorted(ids)
                   and all(r["status"] in ("accepted", "duplicate", "rejected") for r in results)
                   and all(isinstance(r.get("reason", ""), str) for r in results))
    reply = protocol_error_or(parse_push_reply, body, ids)
    assert (reply is not None) == well_formed


@given(JSON_VALUES)
@example({"record_id": "r1", "status": "certificate_issued", "at": "x", "certificate": {"number": "1", "title": "t"}})
@example({"record_id": "r1", "status": "certificate_issued", "at": "x", "certificate": []})
def test_a_status_update_or_a_bundle_is_its_record_or_a_protocol_error(raw):
    protocol_error_or(parse_status_update, raw)
    protocol_error_or(parse_bundle, raw)


@given(st.binary(max_size=60))
@example(DEEP)
def test_the_error_word_of_any_body_is_short_text(body):
    error = parse_error_code(body)
    assert isinstance(error, str) and len(error) <= 64


HEADER_TEXT = st.text(alphabet=st.characters(min_codepoint=0x20, max_codepoint=0xff), max_size=30)


@given(HEADER_TEXT | st.none())
@example("\xb2")            # a superscript two: isdigit() but not a number float() takes
@example("99999999999999999999999999")
def test_retry_after_is_seconds_or_nothing(value):
    seconds = retry_after(value)
    assert seconds is None or (isinstance(seconds, float) and math.isfinite(seconds) and seconds >= 0)


@given(HEADER_TEXT | st.floats().map(repr) | st.none())
@example("inf")
@example("-Infinity")
@example("1e400")
@example("nan")
def test_a_hub_time_header_never_breaks_the_signing_clock(value):
    offset = ClockOffset(wall=lambda: 1_795_600_000.0)
    offset.learn(value)
    assert isinstance(offset.now(), int)


@given(st.binary(max_size=200), st.sampled_from([encodings.GZIP, encodings.BZIP2, encodings.IDENTITY, "br", " GZIP "]))
def test_a_request_body_inflates_or_is_refused(body, encoding):
    """(The hub side of the same wire: what a terminal, or anyone, POSTs.)"""
    try:
        out = encodings.decode(body, encoding, max_inflated=1000)
    except ValueError:
        return
    assert isinstance(out, bytes) and len(out) <= max(1000, len(body))


# --- a whole push over HTTP ------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    """A migrated kiosk database with RECORDS pending applications, copied fresh for every example."""
    folder = tmp_path_factory.mktemp("kiosk")
    db = open_db(folder / "kiosk.db")
    store = ApplicationStore(db, STATION, "T01")
    for i in range(RECORDS):
        store.submit("zs-hj-001", "户籍证明开具", APPLICANT, {"purpose": f"测试{i}"})
    db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.conn.close()
    return folder


@pytest.fixture(scope="module")
def hub():
    fake = FakeHub().start()
    yield fake
    fake.stop()


class Copy:
    def __init__(self, template: Path) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="zdb-fuzz-"))
        shutil.copytree(template, self.folder, dirs_exist_ok=True)
        self.db = open_db(self.folder / "kiosk.db", migrate=False)

    def close(self) -> None:
        self.db.conn.close()
        shutil.rmtree(self.folder, ignore_errors=True)

    def rows(self, sql: str) -> list:
        return self.db.conn.execute(sql).fetchall()


def acks(request_body: bytes, reply: Reply) -> dict[str, str] | None:
    """The test's own reading of a reply: {id: status} when it answers the request exactly, else None."""
    if reply.status != 200:
        return None
    try:
        sent = [r["id"] for r in json.loads(request_body)["records"]]
        results = json.loads(reply.body)["results"]
        answered = {r["id"]: r["status"] for r in results}
    except (ValueError, KeyError, TypeError, RecursionError):
        return None
    if (len(results) != len(answered) or sorted(answered) != sorted(sent)
            or not all(s in ("accepted", "duplicate", "rejected") for s in answered.values())
            or not all(isinstance(r.get("reason", ""), str) for r in results)):
        return None
    return answered


def replies(ids: list[str]) -> st.SearchStrategy[Reply]:
    """Answers to a push: well-formed ones for some of these ids, mangled ones, junk, error statuses."""
    result = st.builds(lambda i, s, extra: {"id": i, "status": s} | extra, st.sampled_from(ids + ["other", ""]),
                       st.sampled_from(["accepted", "duplicate", "rejected", "ok", ""]) | JSON_SCALARS,
                       st.fixed_dictionaries({}, optional={"reason": JSON_SCALARS}))
    structured = st.lists(result | JSON_VALUES, max_size=5).map(lambda rs: json.dumps({"results": rs}).encode())
    verdict = st.fixed_dictionaries({"status": st.sampled_from(["accepted", "duplicate", "rejected"])},
                                    optional={"reason": WIRE_TEXT})
    well_formed = st.lists(verdict, min_size=len(ids), max_size=len(ids)).map(
        lambda vs: json.dumps({"results": [{"id": i} | v for i, v in zip(ids, vs)]}).encode())
    body = well_formed | structured | bodies()
    status = st.sampled_from([200, 200, 200, 200, 201, 400, 401, 403, 413, 429, 500, 503])
    headers = st.fixed_dictionaries({}, optional={"Retry-After": HEADER_TEXT, "X-ZDB-Hub-Time": HEADER_TEXT})
    return st.builds(Reply, status=status, body=body, headers=headers)


def correct(ids: list[str], status: str = "accepted") -> Reply:
    return Reply(body=json.dumps({"results": [{"id": i, "status": status} for i in ids]}).encode())


def push_through(hub: FakeHub, copy: Copy, script: list[Reply | None]) -> None:
    """One push against a hub answering `script` in turn (None: a correct answer), then the outbox checks."""
    ids = [row[0] for row in copy.rows("SELECT record_id FROM outbox ORDER BY seq")]
    answered = iter(script)
    exchanges: list[tuple[bytes, Reply]] = []

    def reply(method: str, path: str, body: bytes) -> Reply:
        planned = next(answered, None)
        if planned is None:           # a correct answer to whatever was sent
            planned = correct([r["id"] for r in json.loads(body)["records"]])
        exchanges.append((body, planned))
        return planned

    hub.reply = reply
    session = loopback_session()
    client = SyncClient(Outbox(copy.db), hub.url, STATION, encoding=encodings.IDENTITY,
                        transport=HubTransport(hub.url, None, session=session, timeouts=Timeouts(3.0)))
    try:
        result = client.push()
    except SyncError:
        result = None
    finally:
        session.close()

    delivered = {r[0] for r in copy.rows("SELECT record_id FROM outbox WHERE delivered_at IS NOT NULL")}
    pending = {r[0] for r in copy.rows("SELECT record_id FROM outbox WHERE delivered_at IS NULL")}
    quarantined = {r[0] for r in copy.rows("SELECT record_id FROM quarantine")}
    settled_by = acks(*exchanges[-1]) if exchanges else None
    if result is None or settled_by is None:
        # nothing a bad or missing answer could settle: a lone record the hub kept calling too large is the
        # one thing quarantined without an ack (a 413 for a batch of one)
        too_large = [b for b, r in exchanges if r.status == 413 and len(json.loads(b)["records"]) == 1]
        assert delivered == set()
        assert quarantined <= {json.loads(b)["records"][0]["id"] for b in too_large}
    else:
        assert delivered == {i for i, s in settled_by.items() if s in ("accepted", "duplicate")}
        assert quarantined == {i for i, s in settled_by.items() if s == "rejected"}
        assert set(result.accepted) | set(result.duplicate) == delivered
    assert delivered | pending | quarantined == set(ids)
    assert not (delivered | pending) & quarantined
    assert copy.rows("PRAGMA integrity_check") == [("ok",)]
    assert copy.rows("SELECT COUNT(*) FROM applications") == [(RECORDS,)]


@settings(max_examples=examples(50))
@given(data=st.data())
def test_a_push_against_a_hub_answering_anything_settles_only_what_a_good_answer_said(hub, template, data):
    copy = Copy(template)
    try:
        ids = [row[0] for row in copy.rows("SELECT record_id FROM outbox ORDER BY seq")]
        script = data.draw(st.lists(replies(ids) | st.sampled_from(ids).map(lambda i: correct([i], "rejected"))
                                    | st.just(None), min_size=1, max_size=4), label="replies")
        push_through(hub, copy, script)
    finally:
        copy.close()


@pytest.mark.parametrize("reason", ["\ud800", "拒收\udfff", "x" * 500])
def test_a_rejection_reason_no_database_text_can_hold_still_settles_the_batch(hub, template, reason):
    """Regression (found by the fuzzer): a lone surrogate in a hub's reason made quarantining raise
    UnicodeEncodeError, so the rejected records stayed pending and were sent (and rejected) again for ever."""
    copy = Copy(template)
    try:
        ids = [row[0] for row in copy.rows("SELECT record_id FROM outbox ORDER BY seq")]
        verdicts = [{"id": ids[0], "status": "rejected", "reason": reason}] + \
            [{"id": i, "status": "accepted"} for i in ids[1:]]
        push_through(hub, copy, [Reply(body=json.dumps({"results": verdicts}).encode())])
        assert [r[0] for r in copy.rows("SELECT record_id FROM quarantine")] == ids[:1]
    finally:
        copy.close()


# --- a pulled page ---------------------------------------------------------------------------------------------
STREAM_ITEMS = {
    "status": st.fixed_dictionaries({"record_id": st.sampled_from(["r1", "r-2", "bad id", ""]) | JSON_SCALARS,
                                     "status": st.sampled_from(["received", "certificate_issued", "X"]) | JSON_SCALARS,
                                     "at": st.text(max_size=10) | JSON_SCALARS},
                                    optional={"note": st.text(max_size=20) | JSON_VALUES,
                                              "certificate": JSON_VALUES}),
    "announcements": st.fixed_dictionaries({"id": st.text(max_size=8) | JSON_SCALARS},
                                           optional={"body": JSON_VALUES}),
    "agent_credentials": st.fixed_dictionaries({"agent_id": st.text(max_size=8) | JSON_SCALARS},
                                               optional={"hash": JSON_VALUES}),
}


class OnePage:
    """A transport that answers every stream request with the same page."""

    def __init__(self, body: bytes) -> None:
        self.body = body

    def request(self, method, path, **kw):
        from sync.transport import HubReply
        return HubReply(200, {}, self.body)


@settings(max_examples=examples(100))
@given(stream=st.sampled_from(sorted(STREAM_ITEMS)), data=st.data())
@example(stream="status", data=None)
def test_a_pulled_page_is_stored_whole_or_not_at_all(template, stream, data):
    if data is None:      # a note no SQLite text can hold (a lone surrogate), as a JSON escape on the wire
        items = [{"record_id": "r1", "status": "received", "at": "2026-11-24", "note": "\ud800"}]
    else:
        items = data.draw(st.lists(STREAM_ITEMS[stream] | JSON_VALUES, max_size=4), label="items")
    page = json.dumps({"items": items, "next_cursor": "c2", "more": False}).encode()
    copy = Copy(template)
    try:
        puller = Puller(copy.db, OnePage(page), data_dir=copy.folder, hub_public_key=None, streams=(stream,))
        try:
            result = puller.pull_stream(stream)
        except (SyncError, sqlite3.Error) as exc:
            pytest.fail(f"one bad item stalled the {stream} stream: {type(exc).__name__}")
        assert result.pages == 1 and result.items == len(items)
        assert SyncState(copy.db).cursor(stream) == "c2"     # the page is stored, with its cursor
        assert copy.rows("PRAGMA integrity_check") == [("ok",)]
    finally:
        copy.close()
