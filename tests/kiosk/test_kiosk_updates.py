"""Applying a staged update (kiosk/updates.py): the quiet window, the database backup, the trial in state.json,
the confirmation, and the audit entries, on real files and a real kiosk database."""
from __future__ import annotations

import json
import sqlite3
from datetime import datetime, timezone
from pathlib import Path

import pytest

from kiosk import updates
from kiosk.ids import CST
from kiosk.updates import (APPLIED, APPLYING, ROLLED_BACK, STAGED, HistoryEntry, QuietWindow, ReleaseState,
                           UpdateStatus, apply_staged, confirm_running, due, load_state, load_status, save_state,
                           save_status, staged_update)
from local_db import audit
from local_db.audit import AuditLog
from local_db.db import SCHEMA_VERSION, open_db
from local_db.migrations import MIGRATIONS

NIGHT = datetime(2026, 12, 1, 2, 30, tzinfo=CST)
DAY = datetime(2026, 12, 1, 14, 0, tzinfo=CST)


def clock_at(moment: datetime):
    return lambda: moment


@pytest.fixture
def station(tmp_path: Path):
    """An installer-managed station: 0.1.0 running, 0.2.0 staged, a kiosk database with one audit entry."""
    app_root, data_dir = tmp_path / "app", tmp_path / "data"
    for version in ("0.1.0", "0.2.0"):
        (app_root / "releases" / version).mkdir(parents=True)
        (app_root / "releases" / version / "main.py").write_text("print('hi')\n")
    save_state(app_root, ReleaseState(current="0.1.0"))
    data_dir.mkdir()
    db = open_db(data_dir / "kiosk.db")
    AuditLog(db, "st-1").record(audit.SYSTEM, audit.KEY_ROTATED, "k-1")
    db.conn.close()
    save_status(data_dir, UpdateStatus(STAGED, "0.2.0", "ab" * 32, 100, 100, "修复打印", at="2026-11-30T10:00:00+00:00"))
    return app_root, data_dir


class Trail(list):
    """Collects (actor, action, target, outcome) and checks each against the real audit catalogue."""

    def __call__(self, actor, action, target, outcome):
        audit.check_fields(actor, action, target, outcome)
        audit.check_event(actor, action, target, outcome)
        self.append((actor, action, target, outcome))


# --- the quiet window ------------------------------------------------------------------------------------------

def test_the_quiet_window_holds_local_hours_and_may_span_midnight():
    night = QuietWindow.parse("02:00", "04:00")
    assert night.contains(NIGHT) and not night.contains(DAY)
    assert night.contains(datetime(2026, 11, 30, 18, 30, tzinfo=timezone.utc))   # 02:30 in Zhoushan
    assert not night.contains(datetime(2026, 12, 1, 4, 0, tzinfo=CST))          # the end is not inside
    late = QuietWindow.parse("23:00", "01:00")
    assert late.contains(datetime(2026, 12, 1, 23, 30, tzinfo=CST))
    assert late.contains(datetime(2026, 12, 1, 0, 59, tzinfo=CST))
    assert not late.contains(datetime(2026, 12, 1, 1, 0, tzinfo=CST))
    for bad in ("2am", "02:0", "", "25:00"):
        with pytest.raises(ValueError):
            QuietWindow.parse(bad, "04:00")
    assert QuietWindow.from_config({"update_quiet_start": "nonsense", "update_quiet_end": "04:00"}) == night


def test_due_only_in_the_window_and_only_when_nobody_uses_the_kiosk():
    night = QuietWindow.parse("02:00", "04:00")
    assert due(NIGHT, night, lambda: True)
    assert not due(NIGHT, night, lambda: False)   # a resident is still there, or a save/print runs
    assert not due(DAY, night, lambda: True)


# --- applying --------------------------------------------------------------------------------------------------

def test_apply_backs_up_the_database_and_writes_the_trial(station):
    app_root, data_dir = station
    trail = Trail()
    result = apply_staged(app_root, data_dir, clock_at(NIGHT), audit=trail)
    assert result.applied and result.version == "0.2.0"
    backup = data_dir / "backups" / "pre-update-0.2.0.db"
    conn = sqlite3.connect(backup)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert conn.execute("SELECT action FROM audit").fetchall() == [("key_rotated",)]   # the data came along
    conn.close()
    state = load_state(app_root)
    assert (state.current, state.previous) == ("0.2.0", "0.1.0")
    assert state.trial.version == "0.2.0" and state.trial.from_version == "0.1.0" and state.trial.starts == 0
    assert state.trial.db_backup == str(backup)
    assert json.loads((app_root / "state.json").read_text())["trial"]["from"] == "0.1.0"   # the contract's names
    assert load_status(data_dir).state == APPLYING
    assert trail == [("system", "update_applied", "0.2.0", "started")]


def test_a_technician_may_apply_and_is_the_actor(station):
    app_root, data_dir = station
    trail = Trail()
    assert apply_staged(app_root, data_dir, clock_at(DAY), audit=trail, actor=audit.TECHNICIAN).applied
    assert trail == [("technician", "update_applied", "0.2.0", "started")]


def test_an_audit_write_that_fails_does_not_stop_the_install(station):
    app_root, data_dir = station

    def refusing(*entry):   # e.g. an actor form the catalogue does not know yet
        raise audit.NotInCatalogue("refused")
    assert apply_staged(app_root, data_dir, clock_at(DAY), audit=refusing, actor="technician:T001").applied
    assert load_state(app_root).trial.version == "0.2.0"


def test_nothing_is_applied_without_the_installer_or_without_a_staged_release(station, tmp_path):
    app_root, data_dir = station
    assert apply_staged(None, data_dir, clock_at(NIGHT)).reason == "not_managed"
    save_status(data_dir, UpdateStatus("verified", "0.2.0"))
    assert apply_staged(app_root, data_dir, clock_at(NIGHT)).reason == "nothing_staged"
    save_status(data_dir, UpdateStatus(STAGED, "0.3.0"))   # its folder is not there
    assert staged_update(data_dir, app_root) is None
    assert load_state(app_root).trial is None and load_state(app_root).current == "0.1.0"


def test_a_failed_backup_changes_nothing_and_keeps_the_update_staged(station):
    app_root, data_dir = station
    (data_dir / "kiosk.db").write_bytes(b"this is not a database" * 100)
    trail = Trail()
    result = apply_staged(app_root, data_dir, clock_at(NIGHT), audit=trail)
    assert not result.applied and result.reason == "backup_failed"
    status = load_status(data_dir)
    assert status.state == STAGED and status.last_refusal.reason == "backup_failed"
    assert load_state(app_root).trial is None and load_state(app_root).current == "0.1.0"
    assert not list((data_dir / "backups").glob("*.db"))
    assert trail == [("system", "update_applied", "0.2.0", "started"),
                     ("system", "update_refused", "0.2.0", "backup_failed")]


# --- after the restart ---------------------------------------------------------------------------------------

def test_confirm_clears_the_trial_records_and_audits_it_once(station):
    app_root, data_dir = station
    apply_staged(app_root, data_dir, clock_at(NIGHT))
    trail = Trail()
    assert confirm_running(app_root, "0.2.0", data_dir=data_dir, audit=trail, clock=clock_at(NIGHT))
    state = load_state(app_root)
    assert state.trial is None and state.current == "0.2.0"
    assert [(h.version, h.outcome) for h in state.history] == [("0.2.0", "confirmed")]
    assert load_status(data_dir).state == APPLIED
    assert trail == [("system", "update_applied", "0.2.0", "confirmed")]
    assert not confirm_running(app_root, "0.2.0", data_dir=data_dir, audit=trail, clock=clock_at(NIGHT))
    assert len(trail) == 1   # the next start neither confirms nor audits again


def test_after_a_rollback_the_old_version_audits_it_and_the_status_says_so(station):
    app_root, data_dir = station
    apply_staged(app_root, data_dir, clock_at(NIGHT))
    state = load_state(app_root)   # what installer/launcher.py leaves after three failed starts
    save_state(app_root, ReleaseState("0.1.0", "0.2.0", None,
                                      (HistoryEntry("0.2.0", "rolled_back", "2026-11-30T18:40:00+00:00",
                                                    "failed_starts"),)))
    assert state.trial is not None
    trail = Trail()
    assert not confirm_running(app_root, "0.1.0", data_dir=data_dir, audit=trail, clock=clock_at(NIGHT))
    assert trail == [("system", "update_rolled_back", "0.2.0", "failed_starts")]
    status = load_status(data_dir)
    assert status.state == ROLLED_BACK and status.reason == "failed_starts"
    confirm_running(app_root, "0.1.0", data_dir=data_dir, audit=trail, clock=clock_at(NIGHT))
    assert len(trail) == 1


def test_an_unreadable_state_file_never_stops_the_start(station):
    app_root, data_dir = station
    (app_root / "state.json").write_text("{not json")
    assert not confirm_running(app_root, "0.1.0", data_dir=data_dir, audit=Trail())


def test_the_running_release_is_the_folder_the_launcher_started(tmp_path):
    app_root = tmp_path / "app"
    code = app_root / "releases" / "0.2.0"
    code.mkdir(parents=True)
    assert updates.running_release(app_root, code.resolve()) == "0.2.0"
    assert updates.running_release(None, code.resolve()) == updates.running_version()
    assert updates.running_release(app_root, tmp_path / "checkout") == updates.running_version()


def test_the_audit_outcomes_cover_every_reason():
    refusals = audit.EVENTS[audit.UPDATE_REFUSED].outcomes
    rollbacks = audit.EVENTS[audit.UPDATE_ROLLED_BACK].outcomes
    assert set(updates.ROLLBACK_REASONS) == rollbacks
    assert set(updates.REASONS) == refusals | rollbacks


# --- the database across an update ---------------------------------------------------------------------------

def test_the_new_version_migrates_an_older_schema_and_a_rollback_restores_the_old_one(station, tmp_path):
    """0.1.0's database is one migration behind; the new release's open_db brings it up; the backup taken before
    is what the launcher puts back, and the old code (which refuses a newer schema) opens it again."""
    from installer.launcher import restore_database

    app_root, data_dir = station
    db_path = data_dir / "kiosk.db"
    db_path.unlink()
    conn = sqlite3.connect(db_path)   # the schema as the previous release left it
    for version, step in enumerate(MIGRATIONS[:-1], start=1):
        for statement in step:
            statement(conn) if callable(statement) else conn.execute(statement)
        conn.execute(f"PRAGMA user_version={version}")
    conn.commit()
    conn.close()
    old_schema = SCHEMA_VERSION - 1

    assert apply_staged(app_root, data_dir, clock_at(NIGHT)).applied
    db = open_db(db_path)   # the new release starts: it migrates on its own
    assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    db.conn.execute("PRAGMA user_version=%d" % (SCHEMA_VERSION + 1))   # ... and one step further than this code
    db.conn.close()
    with pytest.raises(RuntimeError, match="newer than this software"):
        open_db(db_path)   # what the old release would say without a rollback

    backup = Path(load_state(app_root).trial.db_backup)
    assert restore_database(data_dir, backup, "0.2.0")
    conn = sqlite3.connect(db_path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == old_schema
    conn.close()
    assert sqlite3.connect(data_dir / "kiosk.db.failed-0.2.0").execute("PRAGMA user_version").fetchone()[0] \
        == SCHEMA_VERSION + 1   # kept for the technician
    open_db(db_path).conn.close()   # opens again (and migrates, as the current code would)
