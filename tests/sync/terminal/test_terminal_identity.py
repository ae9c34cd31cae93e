"""Enrollment, signed requests, the learned clock offset and a hub that refuses the terminal."""
import itertools
import json
import os
import subprocess
import sys
import time

import pytest
import requests

from conftest import STATION, make_engine, pending_ids, transport_for
from local_db.sync_state import CLOCK_OFFSET, SyncState
from sync.auth import HEADER_SIGNATURE, HEADER_TERMINAL, KeyPair, b64url
from sync.hub.testing import REPO_ROOT
from sync.protocol import HEALTH_PATH
from sync.terminal_identity import EnrollmentError, IdentityError, IdentityStore, enroll
from sync.transport import ClockOffset, HubHttpError, TerminalRefused

pytestmark = pytest.mark.timeout(60)
DAYS = 86400


def test_enrollment_keeps_the_key_private_and_pins_the_hub_key(chub, data_dir, session):
    identity = enroll(IdentityStore(data_dir), chub.url, STATION, chub.issue_code(STATION), session=session)
    assert identity.terminal_id in chub.terminals and identity.hub_public_key == chub.keys.public_b64()
    assert chub.terminals[identity.terminal_id]["public_key"] == identity.keys.public_b64()
    store = IdentityStore(data_dir)
    assert os.stat(store.key_path).st_mode & 0o777 == 0o600
    assert b64url(identity.keys.private_bytes()) not in store.identity_path.read_text()
    loaded = store.load()
    assert (loaded.terminal_id, loaded.hub_public_key, loaded.keys.public_b64()) == (
        identity.terminal_id, identity.hub_public_key, identity.keys.public_b64())
    enroll_request = next(s for s in chub.seen if s.target.endswith("/enroll"))
    assert HEADER_SIGNATURE.lower() not in enroll_request.headers   # enrollment is unsigned


def test_a_refused_code_saves_nothing(chub, data_dir, session):
    with pytest.raises(EnrollmentError) as info:
        enroll(IdentityStore(data_dir), chub.url, STATION, "NOT-ISSUED", session=session)
    assert info.value.reason == "unknown_code"
    assert not IdentityStore(data_dir).exists()


def test_enrolling_twice_needs_force(chub, data_dir, session, terminal):
    with pytest.raises(EnrollmentError, match="already enrolled"):
        enroll(IdentityStore(data_dir), chub.url, STATION, chub.issue_code(STATION, "C2"), session=session)
    again = enroll(IdentityStore(data_dir), chub.url, STATION, chub.issue_code(STATION, "C3"), session=session,
                   force=True)
    assert again.terminal_id != terminal.terminal_id


def test_a_damaged_identity_is_an_error_not_an_unsigned_terminal(data_dir, terminal):
    store = IdentityStore(data_dir)
    store.key_path.write_text(KeyPair.generate().public_b64())   # some other key
    with pytest.raises(IdentityError):
        store.load()


def test_cli_enrolls_from_the_data_dirs_config(chub, tmp_path):
    data = tmp_path / "kiosk-data"
    data.mkdir()
    (data / "config.json").write_text(json.dumps({"hub_url": chub.url, "station_id": "zs-cli-009"}))
    code = chub.issue_code("zs-cli-009", "CLI-CODE")
    done = subprocess.run([sys.executable, "-m", "sync", "enroll", "--data-dir", str(data), "--code", code],
                          cwd=REPO_ROOT, capture_output=True, text=True, timeout=30,
                          env={**os.environ, "NO_PROXY": "*"})
    assert done.returncode == 0, done.stderr
    identity = IdentityStore(data).load()
    assert identity.station_id == "zs-cli-009" and identity.terminal_id in done.stdout
    again = subprocess.run([sys.executable, "-m", "sync", "enroll", "--data-dir", str(data), "--code", "X"],
                           cwd=REPO_ROOT, capture_output=True, text=True, timeout=30)
    assert again.returncode == 2 and "already enrolled" in again.stderr


def test_every_request_but_health_and_enroll_is_signed(db, session, chub, terminal, data_dir, submit):
    submit(1)
    outcome = make_engine(db, session, chub.url, terminal, data_dir).run()
    assert outcome.error is None and pending_ids(db) == []
    for seen in chub.seen:
        signed = HEADER_SIGNATURE.lower() in seen.headers
        assert signed == (not seen.target.endswith(("/health", "/enroll"))), seen.target
        if signed:
            assert seen.headers[HEADER_TERMINAL.lower()] == terminal.terminal_id


def test_days_of_clock_skew_are_learned_and_the_request_accepted(db, session, chub, terminal, data_dir, submit):
    """A flat RTC battery: the terminal thinks it is 3 days earlier. Records keep the local time."""
    app = submit(1)[0]
    state = SyncState(db)
    skewed = ClockOffset(0.0, wall=lambda: time.time() - 3 * DAYS, on_change=state.set_clock_offset)
    outcome = make_engine(db, session, chub.url, terminal, data_dir, offset=skewed).run()
    assert outcome.error is None and app.id in chub.records
    assert abs(skewed.offset_s - 3 * DAYS) < 5 and abs(state.clock_offset() - 3 * DAYS) < 5   # persisted
    assert chub.records[app.id]["payload"]["created_at"] == app.created_at   # never rewritten by hub time
    assert len(chub.posts()) == 2   # refused as stale once, then accepted with the learned offset
    again = ClockOffset(SyncState(db).clock_offset(), wall=lambda: time.time() - 3 * DAYS)
    submit(1)
    assert make_engine(db, session, chub.url, terminal, data_dir, offset=again).run().error is None
    assert len(chub.posts()[2:]) == 1   # the persisted offset: no stale round trip any more


def test_stale_twice_is_retried_once_only(session, chub, terminal):
    jumps = itertools.count(1)
    chub.hub_time = lambda: time.time() + 1000 * next(jumps)   # a hub clock that never holds still
    transport = transport_for(chub.url, terminal, session)
    with pytest.raises(HubHttpError) as info:
        transport.request("GET", "/api/v1/streams/guides")
    assert (info.value.status, info.value.error) == (401, "stale_timestamp")
    assert len([s for s in chub.seen if "/streams/" in s.target]) == 2   # the first try and one retry


@pytest.mark.parametrize("why", ["revoked", "unknown"])
def test_a_refused_terminal_stops_pushing(db, session, chub, terminal, data_dir, submit, why):
    submit(2)
    if why == "revoked":
        chub.revoke(terminal.terminal_id)
    else:
        chub.terminals.clear()   # e.g. the hub was rebuilt without this terminal
    first = make_engine(db, session, chub.url, terminal, data_dir).run()
    assert isinstance(first.error, TerminalRefused)
    assert first.error.reason == ("revoked" if why == "revoked" else "unknown_terminal")
    posts = len(chub.posts())
    for _ in range(3):   # later rounds, a restarted worker: nothing is sent
        assert make_engine(db, session, chub.url, terminal, data_dir).run().skipped
    assert len(chub.posts()) == posts and len(pending_ids(db)) == 2


def test_re_enrolling_after_revocation_resumes(db, session, chub, terminal, data_dir, submit):
    submit(1)
    chub.revoke(terminal.terminal_id)
    make_engine(db, session, chub.url, terminal, data_dir).run()
    fresh = enroll(IdentityStore(data_dir), chub.url, STATION, chub.issue_code(STATION, "NEW"), session=session,
                   force=True)
    assert make_engine(db, session, chub.url, fresh, data_dir).run().error is None
    assert pending_ids(db) == []


def test_health_is_unsigned_and_offset_comes_from_any_reply(session, chub, terminal):
    transport = transport_for(chub.url, terminal, session)
    chub.hub_time = lambda: time.time() + 1000
    transport.request("GET", HEALTH_PATH, signed=False)
    assert 995 < transport.clock.offset_s < 1005


def test_clock_offset_is_written_only_when_it_moves(db):
    writes = []
    wall = [1000.0]
    offset = ClockOffset(0.0, wall=lambda: wall[0], on_change=writes.append)
    offset.learn("1000")
    offset.learn("1001")
    offset.learn("garbage")
    offset.learn(None)
    assert writes == []
    offset.learn("1500")
    assert writes == [500.0] and offset.now() == 1500
    assert SyncState(db).get(CLOCK_OFFSET) is None


def test_an_unreachable_hub_during_enrollment(data_dir):
    with pytest.raises(EnrollmentError) as info:
        enroll(IdentityStore(data_dir), "http://127.0.0.1:9", STATION, "X", session=requests.Session(),
               timeout_s=1)
    assert info.value.reason == "unreachable" and not IdentityStore(data_dir).exists()
