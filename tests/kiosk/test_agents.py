"""Proxy-agent login offline: credentials as the hub makes them, lockout that survives a restart, windows, idle."""
import json
from datetime import datetime, timedelta, timezone

import pytest

from kiosk.agents import AgentAuth, AgentSession, AgentSettings, LoginRefused, Refusal, load_credentials
from local_db.audit import AuditLog
from local_db.db import open_db
from sync.hub.credentials import AgentCredential, hash_password
from tests.clocks import FakeClock

STATION = "st-1"
PIN = "harbour-2026"
T0 = datetime(2026, 11, 25, 1, 30, tzinfo=timezone.utc)
SETTINGS = AgentSettings(max_failures=3, lockout_s=15 * 60, idle_timeout_s=300)


@pytest.fixture
def clock():
    return FakeClock(T0)


@pytest.fixture
def db(tmp_path):
    db = open_db(tmp_path / "k.db")
    yield db
    db.conn.close()


def new_auth(db, clock) -> AgentAuth:
    return AgentAuth(AuditLog(db, STATION, clock=clock), SETTINGS, clock=clock)


@pytest.fixture
def auth(db, clock):
    return new_auth(db, clock)


def pulled(db, body: dict | str, key: str | None = None) -> None:
    """As sync/pull.py stores a stream item."""
    key = key or body["agent_id"]
    db.execute("INSERT INTO stream_items (stream, id, body, updated_at) VALUES ('agent_credentials', ?, ?, ?)"
               " ON CONFLICT(stream, id) DO UPDATE SET body=excluded.body",
               (key, body if isinstance(body, str) else json.dumps(body, ensure_ascii=False), T0.isoformat()))


def issued(db, agent_id: str = "ag-7", *, valid_from=T0 - timedelta(days=30), valid_to=None, revoked=False) -> dict:
    """A credential made by the hub's own code, with cheap scrypt parameters to keep the tests fast."""
    credential = AgentCredential(agent_id, None, "王帮办", "agent", hash_password(PIN, n=2 ** 10), valid_from,
                                 valid_to, revoked)
    item = credential.to_feed_item().item
    pulled(db, item)
    return item


def audit_trail(db) -> list[tuple[str, str, str]]:
    return [tuple(row) for row in db.execute("SELECT actor, action, outcome FROM audit ORDER BY id").fetchall()]


def test_login_with_the_right_pin_starts_a_session_without_personal_data(db, auth, clock):
    issued(db)
    session = auth.login("  ag-7 ", PIN)
    assert isinstance(session, AgentSession)
    assert (session.agent_id, session.role, session.started_at) == ("ag-7", "agent", T0)
    assert "王帮办" not in repr(session) and PIN not in repr(session)
    assert audit_trail(db) == [("agent:ag-7", "login", "ok")]
    kinds = db.execute("SELECT kind, payload FROM outbox").fetchall()
    assert [k for k, _ in kinds] == ["audit"] and PIN not in kinds[0][1] and "王帮办" not in kinds[0][1]


def test_wrong_pin_streak_locks_out_and_the_lock_survives_a_restart(db, auth, clock, tmp_path):
    issued(db)
    assert auth.login("ag-7", "guess-1") == LoginRefused(Refusal.WRONG_SECRET)
    assert auth.login("ag-7", "guess-2") == LoginRefused(Refusal.WRONG_SECRET)
    until = T0 + timedelta(minutes=15)
    assert auth.login("ag-7", "guess-3") == LoginRefused(Refusal.LOCKED_OUT, until)
    db.conn.close()

    reopened = open_db(tmp_path / "k.db")   # a reboot: new connection, new service
    try:
        clock.advance(minutes=14)
        assert new_auth(reopened, clock).login("ag-7", PIN) == LoginRefused(Refusal.LOCKED_OUT, until)
        assert audit_trail(reopened)[-3:] == [("agent:ag-7", "login_failed", "wrong_secret"),
                                              ("agent:ag-7", "lockout", "locked"),
                                              ("agent:ag-7", "login_failed", "locked_out")]
    finally:
        reopened.conn.close()


def test_lockout_ends_after_its_minutes_and_a_success_resets_the_streak(db, auth, clock):
    issued(db)
    for guess in ("a", "b", "c"):
        auth.login("ag-7", guess)
    clock.advance(minutes=15)
    assert auth.login("ag-7", "d") == LoginRefused(Refusal.WRONG_SECRET)   # a fresh streak, not locked again
    assert isinstance(auth.login("ag-7", PIN), AgentSession)
    assert auth.login("ag-7", "e") == LoginRefused(Refusal.WRONG_SECRET)
    assert auth.login("ag-7", "f") == LoginRefused(Refusal.WRONG_SECRET)   # two since the success: not yet 3
    assert db.execute("SELECT failures FROM agent_lockouts").fetchall() == [(2,)]


def test_unknown_ids_are_counted_per_entered_id_and_the_typed_text_is_not_kept(db, auth, clock):
    issued(db)
    typed = "13812345678"      # a resident's phone number typed into the wrong field
    assert auth.login(typed, PIN) == LoginRefused(Refusal.UNKNOWN)
    assert auth.login(typed, PIN) == LoginRefused(Refusal.UNKNOWN)
    assert auth.login(typed, PIN).reason is Refusal.LOCKED_OUT
    assert auth.login("someone-else", PIN) == LoginRefused(Refusal.UNKNOWN)
    assert isinstance(auth.login("ag-7", PIN), AgentSession)   # the real agent is not locked by the probing
    stored = "".join(json.dumps(db.execute(f"SELECT * FROM {table}").fetchall(), ensure_ascii=False)
                     for table in ("agent_lockouts", "audit", "outbox"))
    assert typed not in stored and "someone-else" not in stored
    assert ("unidentified", "lockout", "locked") in audit_trail(db)


def test_a_revoked_agent_is_refused_even_with_the_old_pin(db, auth):
    issued(db)
    pulled(db, {"agent_id": "ag-7", "display_name": "", "role": "", "password_hash": None, "valid_from": None,
                "valid_to": None, "revoked": True})   # as `sync.hub revoke-agent` sends it
    assert auth.login("ag-7", PIN) == LoginRefused(Refusal.REVOKED)
    assert audit_trail(db) == [("agent:ag-7", "login_failed", "revoked")]


def test_a_credential_not_yet_valid_is_refused_with_its_start(db, auth):
    start = T0 + timedelta(days=2)
    issued(db, valid_from=start)
    assert auth.login("ag-7", PIN) == LoginRefused(Refusal.NOT_YET_VALID, start)


def test_an_expired_credential_is_refused_offline_and_does_not_count_as_a_guess(db, auth, clock):
    end = T0 - timedelta(hours=1)
    issued(db, valid_to=end)
    for _ in range(SETTINGS.max_failures + 1):   # no hub needed, and the right PIN never locks the agent out
        assert auth.login("ag-7", PIN) == LoginRefused(Refusal.EXPIRED, end)
    assert db.execute("SELECT COUNT(*) FROM agent_lockouts").fetchone()[0] == 0
    assert auth.login("ag-7", "wrong") == LoginRefused(Refusal.WRONG_SECRET)   # the window is not told to a guesser


def test_a_time_without_offset_is_china_time(db, auth):
    issued(db)
    item = json.loads(db.execute("SELECT body FROM stream_items").fetchone()[0])
    pulled(db, item | {"valid_to": "2026-11-25 09:00"})   # 01:00 UTC, before T0 (01:30 UTC)
    assert auth.login("ag-7", PIN).reason is Refusal.EXPIRED


@pytest.mark.parametrize("bad", [
    "not json",
    json.dumps(["a list"]),
    json.dumps({"agent_id": "ag-9"}),
    json.dumps({"agent_id": "ag-9", "role": "agent", "password_hash": {"alg": "md5"}}),
    json.dumps({"agent_id": "ag-9", "role": "agent", "password_hash": {"alg": "scrypt", "n": 3, "r": 8, "p": 1,
                                                                        "dklen": 32, "salt": "AA", "hash": "AA"}}),
    json.dumps({"agent_id": "ag-9", "role": "agent", "valid_to": "tomorrow",
                "password_hash": hash_password(PIN, n=2 ** 10)}),
    json.dumps({"agent_id": "ag 9 <script>", "role": "agent", "password_hash": hash_password(PIN, n=2 ** 10)}),
    json.dumps({"agent_id": "ag-9", "role": "agent", "revoked": "yes", "password_hash": hash_password(PIN, n=2 ** 10)}),
])
def test_malformed_items_are_ignored_and_counted(db, auth, bad):
    issued(db)
    pulled(db, bad, key="ag-9")
    found = load_credentials(db)
    assert sorted(found.by_id) == ["ag-7"] and found.malformed == 1
    assert auth.login("ag-9", PIN) == LoginRefused(Refusal.UNKNOWN)
    assert isinstance(auth.login("ag-7", PIN), AgentSession)


def test_no_credentials_synced_yet(db, auth):
    assert auth.login("ag-7", PIN) == LoginRefused(Refusal.NO_CREDENTIALS_SYNCED)
    pulled(db, "garbage", key="ag-7")   # nothing usable is the same as nothing
    assert auth.login("ag-7", PIN) == LoginRefused(Refusal.NO_CREDENTIALS_SYNCED)
    assert db.execute("SELECT COUNT(*) FROM agent_lockouts").fetchone()[0] == 0


def test_idle_session_expires_and_is_logged_out_once(db, auth, clock):
    issued(db)
    session = auth.login("ag-7", PIN)
    clock.advance(seconds=299)
    session.touch()
    clock.advance(seconds=299)
    assert not session.expired() and not auth.end_if_idle(session)
    clock.advance(seconds=1)
    assert session.expired(clock())
    assert auth.end_if_idle(session) and auth.end_if_idle(session)
    auth.logout(session)
    assert audit_trail(db) == [("agent:ag-7", "login", "ok"), ("agent:ag-7", "logout", "idle")]


def test_logout_is_audited(db, auth):
    issued(db)
    session = auth.login("ag-7", PIN)
    auth.logout(session)
    assert session.expired()
    assert audit_trail(db)[-1] == ("agent:ag-7", "logout", "manual")
