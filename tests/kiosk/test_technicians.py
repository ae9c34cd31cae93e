"""Maintenance-mode login: technicians from the hub, the install-time local PIN, lockout that survives a restart,
role separation from proxy agents, and an audit line for every outcome."""
import io
import json
import os
import stat
from datetime import datetime, timedelta, timezone

import pytest

from kiosk import technicians
from kiosk.agents import AgentAuth, AgentSettings, LoginRefused, Refusal
from kiosk.technicians import (LOCAL_ID, PIN_FILE, MaintenanceRefused, MaintRefusal, TechnicianAuth,
                               TechnicianSession, TechnicianSettings, load_local_pin, set_local_pin)
from local_db import audit
from local_db.audit import AuditLog
from local_db.db import open_db
from sync.hub.credentials import AgentCredential, hash_password
from tests.clocks import FakeClock

STATION = "st-1"
PIN = "482916"
T0 = datetime(2026, 11, 25, 1, 30, tzinfo=timezone.utc)
SETTINGS = TechnicianSettings(max_failures=3, lockout_s=30 * 60, idle_timeout_s=600)


@pytest.fixture
def clock():
    return FakeClock(T0)


@pytest.fixture
def db(tmp_path):
    db = open_db(tmp_path / "k.db")
    yield db
    db.conn.close()


def new_auth(db, clock, data_dir) -> TechnicianAuth:
    return TechnicianAuth(AuditLog(db, STATION, clock=clock), data_dir, SETTINGS, clock=clock)


@pytest.fixture
def auth(db, clock, tmp_path):
    return new_auth(db, clock, tmp_path)


def issued(db, cred_id: str = "T001", role: str = "technician", *, valid_to=None, revoked=False) -> None:
    """A credential made by the hub's own code (cheap scrypt), stored as sync/pull.py stores a stream item."""
    item = AgentCredential(cred_id, None, "张技术员", role, hash_password(PIN, n=2 ** 10), T0 - timedelta(days=30),
                           valid_to, revoked).to_feed_item().item
    db.execute("INSERT INTO stream_items (stream, id, body, updated_at) VALUES ('agent_credentials', ?, ?, ?)"
               " ON CONFLICT(stream, id) DO UPDATE SET body=excluded.body",
               (cred_id, json.dumps(item, ensure_ascii=False), T0.isoformat()))


def trail(db) -> list[tuple[str, str, str]]:
    return [tuple(r) for r in db.execute("SELECT actor, action, outcome FROM audit ORDER BY seq").fetchall()]


def test_the_right_pin_opens_maintenance_and_is_audited_without_the_name(db, auth):
    issued(db)
    session = auth.login(" T001 ", PIN)
    assert isinstance(session, TechnicianSession)
    assert (session.technician_id, session.actor, session.started_at) == ("T001", "technician:T001", T0)
    assert trail(db) == [("technician:T001", "maintenance_entered", "ok")]
    payload = db.execute("SELECT payload FROM outbox WHERE kind='audit'").fetchone()[0]
    assert PIN not in payload and "张技术员" not in payload


def test_a_wrong_pin_streak_locks_out_and_the_lock_survives_a_restart(db, auth, clock, tmp_path):
    issued(db)
    assert auth.login("T001", "111111") == MaintenanceRefused(MaintRefusal.WRONG_SECRET)
    assert auth.login("T001", "222222") == MaintenanceRefused(MaintRefusal.WRONG_SECRET)
    until = T0 + timedelta(minutes=30)
    assert auth.login("T001", "333333") == MaintenanceRefused(MaintRefusal.LOCKED_OUT, until)
    db.conn.close()

    reopened = open_db(tmp_path / "k.db")            # a reboot: new connection, new service
    try:
        again = new_auth(reopened, clock, tmp_path)
        assert again.login("T001", PIN) == MaintenanceRefused(MaintRefusal.LOCKED_OUT, until)   # even the right PIN
        assert trail(reopened) == [("technician:T001", "maintenance_refused", "wrong_secret")] * 3 + [
            ("technician:T001", "maintenance_locked", "locked"),
            ("technician:T001", "maintenance_refused", "locked_out")]
        clock.advance(minutes=30)                    # the lock runs out
        assert isinstance(again.login("T001", PIN), TechnicianSession)
        row = reopened.execute("SELECT COUNT(*) FROM agent_lockouts WHERE login_key='maint:T001'").fetchone()
        assert row == (0,)                           # a success ends the streak
    finally:
        reopened.conn.close()


def test_a_lock_that_ran_out_starts_a_fresh_streak(db, auth, clock):
    issued(db)
    for pin in ("1", "2", "3"):
        auth.login("T001", pin)
    clock.advance(minutes=31)
    assert auth.login("T001", "4") == MaintenanceRefused(MaintRefusal.WRONG_SECRET)   # one, not four, in a row


def test_the_maintenance_lockout_is_apart_from_the_agents_lockout(db, auth, clock, tmp_path):
    issued(db, "ag-7", role="agent")
    agents = AgentAuth(AuditLog(db, STATION, clock=clock), AgentSettings(max_failures=3), clock=clock)
    for _ in range(3):
        agents.login("ag-7", "000000")
    assert agents.login("ag-7", PIN).reason is Refusal.LOCKED_OUT
    issued(db, "T001")
    assert isinstance(auth.login("T001", PIN), TechnicianSession)


def test_an_agent_or_supervisor_credential_does_not_open_maintenance(db, auth):
    issued(db, "ag-7", role="agent")
    issued(db, "sv-1", role="supervisor")
    issued(db, "T001")
    assert auth.login("ag-7", PIN) == MaintenanceRefused(MaintRefusal.UNKNOWN)
    assert auth.login("sv-1", PIN) == MaintenanceRefused(MaintRefusal.UNKNOWN)
    assert [actor for actor, _, _ in trail(db)] == ["unidentified", "unidentified"]


def test_a_technician_credential_does_not_log_in_as_a_proxy_agent(db, clock):
    issued(db, "T001")
    issued(db, "ag-7", role="agent")
    agents = AgentAuth(AuditLog(db, STATION, clock=clock), AgentSettings(), clock=clock)
    assert agents.login("T001", PIN) == LoginRefused(Refusal.UNKNOWN)
    assert trail(db) == [("unidentified", "login_failed", "unknown")]


def test_revoked_expired_and_unknown_technicians_are_refused_with_their_reason(db, auth, clock):
    issued(db, "T001", revoked=True)
    issued(db, "T002", valid_to=T0 - timedelta(days=1))
    issued(db, "T003")
    assert auth.login("T001", PIN).reason is MaintRefusal.REVOKED
    assert auth.login("T002", PIN) == MaintenanceRefused(MaintRefusal.EXPIRED, T0 - timedelta(days=1))
    assert auth.login("nobody", PIN).reason is MaintRefusal.UNKNOWN
    typed = db.execute("SELECT group_concat(login_key) FROM agent_lockouts").fetchone()[0]
    assert "nobody" not in typed                     # an unknown id counts under a hash of what was typed


def test_a_fresh_install_without_credentials_or_pin_says_so(db, auth):
    assert auth.login("", PIN) == MaintenanceRefused(MaintRefusal.NO_CREDENTIALS)
    assert auth.login("T001", PIN) == MaintenanceRefused(MaintRefusal.NO_CREDENTIALS)
    assert trail(db) == [("unidentified", "maintenance_refused", "no_credentials")] * 2


def test_the_local_pin_opens_a_fresh_install_until_the_hubs_technicians_arrive(db, auth, tmp_path):
    path = set_local_pin(tmp_path, PIN)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert PIN not in path.read_text()
    assert auth.login("", "000000") == MaintenanceRefused(MaintRefusal.WRONG_SECRET)
    session = auth.login("", PIN)
    assert isinstance(session, TechnicianSession) and session.actor == "technician:local"
    issued(db, "T001")
    assert auth.login(LOCAL_ID, PIN) == MaintenanceRefused(MaintRefusal.LOCAL_PIN_RETIRED)
    assert trail(db)[-1] == ("technician:local", "maintenance_refused", "local_pin_retired")


def test_the_local_pin_locks_out_like_any_other(db, auth, tmp_path):
    set_local_pin(tmp_path, PIN)
    for pin in ("1", "2"):
        assert auth.login("", pin).reason is MaintRefusal.WRONG_SECRET
    assert auth.login("", "3").reason is MaintRefusal.LOCKED_OUT
    assert auth.login("", PIN).reason is MaintRefusal.LOCKED_OUT


def test_a_pin_file_others_can_read_is_not_trusted(tmp_path):
    set_local_pin(tmp_path, PIN)
    os.chmod(tmp_path / PIN_FILE, 0o644)
    assert load_local_pin(tmp_path) is None


@pytest.mark.parametrize("bad", ["12345", "abcdef", ""])
def test_a_short_or_non_digit_pin_is_not_set(tmp_path, bad):
    with pytest.raises(ValueError):
        set_local_pin(tmp_path, bad)
    assert not (tmp_path / PIN_FILE).exists()


def test_set_pin_command_reads_the_pin_from_stdin(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr("sys.stdin", io.StringIO(PIN + "\n"))
    assert technicians.main(["set-pin", "--data-dir", str(tmp_path / "d"), "--pin-stdin"]) == 0
    assert PIN not in capsys.readouterr().out
    from sync.credentials_hash import verify_password
    assert verify_password(PIN, load_local_pin(tmp_path / "d"))


def test_exit_by_hand_and_when_idle_is_audited_once(db, auth, clock):
    issued(db)
    session = auth.login("T001", PIN)
    clock.advance(seconds=599)
    assert not auth.end_if_idle(session)
    session.touch()
    clock.advance(seconds=600)
    assert auth.end_if_idle(session)
    auth.exit(session, "manual")                     # already over: no second line
    assert trail(db)[-1] == ("technician:T001", "maintenance_exited", "idle")
    assert [a for _, a, _ in trail(db)].count("maintenance_exited") == 1


def test_the_audit_catalogue_tracks_the_refusals_and_allows_technician_actors():
    assert audit.EVENTS[audit.MAINTENANCE_REFUSED].outcomes == {r.value for r in MaintRefusal}
    assert audit.role_of("technician:T001") == "technician" and audit.role_of("technician") == "technician"
    audit.check_fields("technician:T001", audit.MAINTENANCE_ENTERED, "", "ok")
    with pytest.raises(audit.PersonalDataInAudit):
        audit.check_fields("technician:13812345678", audit.MAINTENANCE_ENTERED, "", "ok")
    with pytest.raises(audit.NotInCatalogue):
        audit.check_event("agent:ag-7", audit.MAINTENANCE_ENTERED, "", "ok")


def test_a_technician_issued_by_the_hub_cli_opens_maintenance(db, tmp_path):
    import subprocess
    import sys

    from sync.hub.store import open_store
    from sync.hub.testing import REPO_ROOT

    hub_db = tmp_path / "hub" / "hub.db"
    done = subprocess.run([sys.executable, "-m", "sync.hub", "add-agent", "--agent-id", "T001", "--all-stations",
                           "--name", "张技术员", "--role", "technician", "--password-stdin", "--db", str(hub_db),
                           "--data-dir", str(tmp_path / "hub")], cwd=REPO_ROOT, input="tech-pass-2026\n",
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    store = open_store(str(hub_db))
    try:
        [item] = store.feed_page("agent_credentials", STATION, 0, 10).items
    finally:
        store.close()
    assert item["role"] == "technician"
    db.execute("INSERT INTO stream_items (stream, id, body, updated_at) VALUES ('agent_credentials', 'T001', ?, ?)",
               (json.dumps(item, ensure_ascii=False), T0.isoformat()))
    auth = TechnicianAuth(AuditLog(db, STATION), tmp_path, SETTINGS)       # the real clock: valid from now
    assert isinstance(auth.login("T001", "tech-pass-2026"), TechnicianSession)
