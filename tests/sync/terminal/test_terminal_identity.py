"""Enrollment, signed requests, the learned clock offset and a hub that refuses the terminal (reference hub)."""
import itertools
import json
import os
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone

import pytest
import requests

from local_db.sync_state import CLOCK_OFFSET, SyncState
from sync.auth import HEADER_SIGNATURE, HEADER_TERMINAL, KeyPair, b64url
from sync.hub.testing import REPO_ROOT
from sync.protocol import HEALTH_PATH, STREAMS
from sync.terminal_identity import EnrollmentError, IdentityError, IdentityStore, enroll
from sync.transport import ClockOffset, HubHttpError, TerminalRefused
from terminal_helpers import STATION, make_engine, pending_ids, transport_for

pytestmark = pytest.mark.timeout(60)
DAYS = 86400


def test_enrollment_keeps_the_key_private_and_pins_the_hub_key(real_hub, data_dir, hooked):
    identity = enroll(IdentityStore(data_dir), real_hub.url, STATION, real_hub.code(), session=hooked)
    registered = real_hub.store.terminal(identity.terminal_id)
    assert registered.station_id == STATION and registered.public_key == identity.keys.public_b64()
    assert identity.hub_public_key == real_hub.keys.public_b64()
    store = IdentityStore(data_dir)
    assert os.stat(store.key_path).st_mode & 0o777 == 0o600
    assert os.stat(store.identity_path).st_mode & 0o777 == 0o600
    assert b64url(identity.keys.private_bytes()) not in store.identity_path.read_text()
    loaded = store.load()
    assert (loaded.terminal_id, loaded.hub_public_key, loaded.keys.public_b64()) == (
        identity.terminal_id, identity.hub_public_key, identity.keys.public_b64())
    [(method, url, headers, *_)] = hooked.sent
    assert url.endswith("/enroll") and HEADER_SIGNATURE not in headers   # enrollment is unsigned


@pytest.mark.parametrize("code, reason", [("NOT-ISSUED", "unknown_code"), ("used", "code_used")])
def test_a_refused_code_saves_nothing(real_hub, data_dir, session, tmp_path, code, reason):
    if code == "used":
        code = real_hub.code()
        enroll(IdentityStore(tmp_path / "first"), real_hub.url, STATION, code, session=session)
    with pytest.raises(EnrollmentError) as info:
        enroll(IdentityStore(data_dir), real_hub.url, STATION, code, session=session)
    assert info.value.reason == reason and not IdentityStore(data_dir).exists()


def test_a_code_for_another_station_is_refused(real_hub, data_dir, session):
    with pytest.raises(EnrollmentError) as info:
        enroll(IdentityStore(data_dir), real_hub.url, STATION, real_hub.code("zs-other-002"), session=session)
    assert info.value.reason == "wrong_station"


def test_enrolling_twice_needs_force(real_hub, data_dir, session, terminal):
    with pytest.raises(EnrollmentError, match="already enrolled"):
        enroll(IdentityStore(data_dir), real_hub.url, STATION, real_hub.code(), session=session)
    again = enroll(IdentityStore(data_dir), real_hub.url, STATION, real_hub.code(), session=session, force=True)
    assert again.terminal_id != terminal.terminal_id and IdentityStore(data_dir).load().terminal_id == again.terminal_id


def test_a_damaged_identity_is_an_error_not_an_unsigned_terminal(data_dir, terminal):
    store = IdentityStore(data_dir)
    store.key_path.write_text(b64url(KeyPair.generate().private_bytes()))   # some other key
    with pytest.raises(IdentityError, match="does not match"):
        store.load()
    store.key_path.write_text("garbage")
    with pytest.raises(IdentityError):
        store.load()


def test_cli_enrolls_with_the_data_dirs_config(real_hub, tmp_path):
    data = tmp_path / "kiosk-data"
    data.mkdir()
    (data / "config.json").write_text(json.dumps({"hub_url": real_hub.url, "station_id": "zs-cli-009"}))
    env = {**os.environ, "NO_PROXY": "*", "no_proxy": "*"}
    enroll_cmd = [sys.executable, "-m", "sync", "enroll", "--data-dir", str(data), "--code"]
    done = subprocess.run(enroll_cmd + [real_hub.code("zs-cli-009")], cwd=REPO_ROOT, capture_output=True,
                          text=True, timeout=30, env=env)
    assert done.returncode == 0, done.stderr
    identity = IdentityStore(data).load()
    assert identity.station_id == "zs-cli-009" and identity.terminal_id in done.stdout
    assert real_hub.store.terminal(identity.terminal_id).public_key == identity.keys.public_b64()
    assert identity.keys.public_b64() not in done.stdout + done.stderr   # prints the id, never keys
    again = subprocess.run(enroll_cmd + ["X"], cwd=REPO_ROOT, capture_output=True, text=True, timeout=30, env=env)
    assert again.returncode == 2 and "already enrolled" in again.stderr


def test_every_request_but_health_and_enroll_is_signed(real_hub, terminal, db, hooked, data_dir, submit):
    submit(1)
    outcome = make_engine(db, hooked, real_hub.url, terminal, data_dir).run()
    assert outcome.error is None and pending_ids(db) == [] and outcome.pull.pages == len(STREAMS)
    for method, url, headers, *_ in hooked.sent:
        signed = HEADER_SIGNATURE in headers
        assert signed == (not url.endswith(("/health", "/enroll"))), url
        assert not signed or headers[HEADER_TERMINAL] == terminal.terminal_id


def test_days_of_clock_skew_are_learned_and_the_request_accepted(real_hub, terminal, db, hooked, data_dir, submit):
    """A flat RTC battery: the terminal thinks it is 3 days earlier. Records keep their local time."""
    app = submit(1)[0]
    state = SyncState(db)
    behind = lambda: time.time() - 3 * DAYS   # noqa: E731
    skewed = ClockOffset(0.0, wall=behind, on_change=state.set_clock_offset)
    assert make_engine(db, hooked, real_hub.url, terminal, data_dir, offset=skewed).run().error is None
    assert real_hub.store.get(app.id).payload["created_at"] == app.created_at   # never rewritten by hub time
    assert abs(skewed.offset_s - 3 * DAYS) < 5 and abs(state.clock_offset() - 3 * DAYS) < 5   # persisted
    # the unsigned /health asked for the body encoding already carried the hub's time: no stale refusal
    assert len(hooked.pushes()) == 1 and "/health" in hooked.sent[0][1]
    submit(1)
    restarted = ClockOffset(SyncState(db).clock_offset(), wall=behind)
    assert make_engine(db, hooked, real_hub.url, terminal, data_dir, offset=restarted).run().error is None
    assert len(hooked.pushes()) == 2   # the persisted offset: no stale round trip after a restart


def test_a_hub_clock_that_never_holds_still_is_retried_once_only(start_hub, data_dir, session, hooked):
    jumps = [itertools.repeat(0)]
    hub = start_hub("jumpy", clock=lambda: datetime.now(timezone.utc) + timedelta(seconds=1000 * next(jumps[0])))
    identity = enroll(IdentityStore(data_dir), hub.url, STATION, hub.code(), session=session)
    jumps[0] = itertools.count(1)   # from now on every reading is 1000 s later than the last
    transport = transport_for(hub.url, identity, hooked)
    with pytest.raises(HubHttpError) as info:
        transport.request("GET", "/api/v1/streams/guides")
    assert (info.value.status, info.value.error) == (401, "stale_timestamp")
    assert len(hooked.sent) == 2   # the first try and one retry, no more


@pytest.mark.parametrize("why", ["revoked", "unknown_terminal"])
def test_a_refused_terminal_stops_pushing(start_hub, real_hub, terminal, db, hooked, data_dir, submit, why):
    submit(2)
    url = real_hub.url
    if why == "revoked":
        real_hub.store.revoke_terminal(terminal.terminal_id)
    else:
        url = start_hub("rebuilt").url   # e.g. the hub was rebuilt without this terminal
    first = make_engine(db, hooked, url, terminal, data_dir).run()
    assert isinstance(first.error, TerminalRefused) and first.error.reason == why
    sent = len(hooked.sent)
    for _ in range(3):   # later rounds, a restarted worker: nothing is sent
        assert make_engine(db, hooked, url, terminal, data_dir).run().skipped
    assert len(hooked.sent) == sent and len(pending_ids(db)) == 2


def test_re_enrolling_after_revocation_resumes(real_hub, terminal, db, session, data_dir, submit):
    submit(1)
    real_hub.store.revoke_terminal(terminal.terminal_id)
    assert isinstance(make_engine(db, session, real_hub.url, terminal, data_dir).run().error, TerminalRefused)
    fresh = enroll(IdentityStore(data_dir), real_hub.url, STATION, real_hub.code(), session=session, force=True)
    assert make_engine(db, session, real_hub.url, fresh, data_dir).run().error is None
    assert pending_ids(db) == []


def test_health_is_unsigned_and_any_reply_teaches_the_offset(start_hub, terminal, session):
    ahead = start_hub("ahead", clock=lambda: datetime.now(timezone.utc) + timedelta(seconds=1000))
    transport = transport_for(ahead.url, terminal, session)
    transport.request("GET", HEALTH_PATH, signed=False)
    assert 995 < transport.clock.offset_s < 1005


def test_clock_offset_is_written_only_when_it_moves(db):
    writes = []
    wall = [1000.0]
    offset = ClockOffset(0.0, wall=lambda: wall[0], on_change=writes.append)
    for heard in ("1000", "1001", "garbage", "nan", None):
        offset.learn(heard)
    assert writes == []
    offset.learn("1500")
    assert writes == [500.0] and offset.now() == 1500
    assert SyncState(db).get(CLOCK_OFFSET) is None


def test_an_unreachable_hub_during_enrollment(data_dir):
    with pytest.raises(EnrollmentError) as info:
        enroll(IdentityStore(data_dir), "http://127.0.0.1:9", STATION, "X", session=requests.Session(),
               timeout_s=1)
    assert info.value.reason == "unreachable" and not IdentityStore(data_dir).exists()
