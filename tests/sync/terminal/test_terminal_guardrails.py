"""Offline guardrails: each threshold just below, at and past it; measured from a real database."""
from datetime import datetime, timedelta, timezone
from types import SimpleNamespace

import pytest

from kiosk.config import Config
from local_db.sync_state import LAST_SUCCESS, SyncState
from sync.guardrails import (MB, Facts, Guardrail, GuardrailMonitor, GuardrailReason, Level, Reason, Thresholds,
                             evaluate)
from sync.settings import SyncSettings

pytestmark = pytest.mark.timeout(30)

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=timezone.utc)
LIMITS = Thresholds(overdue_warn_h=24, overdue_refuse_h=72, backlog_warn=500, backlog_refuse=2000,
                    disk_min_free_mb=200)


def facts(**kw) -> Facts:
    base = dict(now=NOW, oldest_pending_at=None, last_success_at=NOW - timedelta(minutes=5), backlog=0,
                free_mb=10_000.0)
    return Facts(**(base | kw))


def test_all_well_is_ok():
    assert evaluate(facts(), LIMITS) == Guardrail(Level.OK, ())


@pytest.mark.parametrize("hours, level", [(23.99, Level.OK), (24, Level.WARN), (71.99, Level.WARN),
                                          (72, Level.REFUSE_NON_URGENT), (500, Level.REFUSE_NON_URGENT)])
def test_oldest_pending_age(hours, level):
    found = evaluate(facts(oldest_pending_at=NOW - timedelta(hours=hours), backlog=1), LIMITS)
    assert found.level is level
    if level is not Level.OK:
        [reason] = found.reasons
        assert (reason.code, reason.value) == (Reason.OLDEST_PENDING, pytest.approx(hours))
        assert reason.limit == (24 if level is Level.WARN else 72)


@pytest.mark.parametrize("hours, level", [(23.99, Level.OK), (24, Level.WARN), (72, Level.REFUSE_NON_URGENT)])
def test_time_since_the_last_successful_sync(hours, level):
    found = evaluate(facts(last_success_at=NOW - timedelta(hours=hours)), LIMITS)
    assert found.level is level and all(r.code is Reason.NO_SYNC for r in found.reasons)


def test_a_terminal_that_never_synced_warns_but_its_records_are_judged_by_age():
    assert evaluate(facts(last_success_at=None), LIMITS) == Guardrail(
        Level.WARN, (GuardrailReason(Reason.NEVER_SYNCED, Level.WARN, 0.0, 0.0),))
    old = evaluate(facts(last_success_at=None, oldest_pending_at=NOW - timedelta(days=4), backlog=3), LIMITS)
    assert old.level is Level.REFUSE_NON_URGENT


@pytest.mark.parametrize("backlog, level", [(499, Level.OK), (500, Level.WARN), (1999, Level.WARN),
                                            (2000, Level.REFUSE_NON_URGENT)])
def test_backlog(backlog, level):
    found = evaluate(facts(backlog=backlog, oldest_pending_at=NOW), LIMITS)
    assert found.level is level and all(r.code is Reason.BACKLOG for r in found.reasons)


@pytest.mark.parametrize("free, level", [(400.01, Level.OK), (400, Level.WARN), (200.01, Level.WARN),
                                         (200, Level.REFUSE_NON_URGENT), (0, Level.REFUSE_NON_URGENT),
                                         (None, Level.OK)])
def test_free_disk(free, level):
    found = evaluate(facts(free_mb=free), LIMITS)
    assert found.level is level
    if found.reasons:
        assert found.reasons[0].code is Reason.DISK and found.reasons[0].value == free


def test_refusal_wins_and_every_reason_is_listed():
    found = evaluate(facts(oldest_pending_at=NOW - timedelta(hours=30), backlog=2500, free_mb=300), LIMITS)
    assert found.level is Level.REFUSE_NON_URGENT and found.refuses_non_urgent
    assert [(r.code, r.level) for r in found.reasons] == [
        (Reason.OLDEST_PENDING, Level.WARN), (Reason.BACKLOG, Level.REFUSE_NON_URGENT), (Reason.DISK, Level.WARN)]


def test_a_clock_behind_the_records_never_gives_negative_ages():
    found = evaluate(facts(oldest_pending_at=NOW + timedelta(days=3), last_success_at=NOW + timedelta(days=3)),
                     LIMITS)
    assert found.level is Level.OK


def test_the_monitor_measures_the_database_and_the_disk(db, submit, data_dir):
    apps = submit(3)
    created = datetime.fromisoformat(apps[0].created_at)
    clock = [created + timedelta(hours=1)]
    disk = SimpleNamespace(free=5_000 * MB)
    asked = []

    def disk_usage(path):
        asked.append(path)
        return disk
    monitor = GuardrailMonitor(db, data_dir, Thresholds(overdue_warn_h=24, overdue_refuse_h=48, backlog_warn=3,
                                                        backlog_refuse=10, disk_min_free_mb=100),
                               clock=lambda: clock[0], disk_usage=disk_usage)
    SyncState(db).mark_time(LAST_SUCCESS, clock[0])
    assert monitor.check() == Guardrail(Level.WARN, (GuardrailReason(Reason.BACKLOG, Level.WARN, 3, 3),))
    assert asked == [data_dir]
    clock[0] = created + timedelta(hours=49)
    disk.free = 50 * MB
    found = monitor.check()
    assert found.level is Level.REFUSE_NON_URGENT
    assert {r.code for r in found.reasons} == {Reason.OLDEST_PENDING, Reason.NO_SYNC, Reason.BACKLOG, Reason.DISK}


def test_an_unmeasurable_disk_is_no_reason(db, data_dir):
    def broken(path):
        raise OSError("gone")
    monitor = GuardrailMonitor(db, data_dir, clock=lambda: NOW, disk_usage=broken)
    assert monitor.facts().free_mb is None


def test_thresholds_come_from_the_settings_with_defaults_until_declared():
    settings = SyncSettings.from_config(Config())   # today's config does not declare them
    assert Thresholds.from_settings(settings) == Thresholds()
    declared = SyncSettings.from_config({"backlog_warn": 10, "sync_overdue_refuse_h": 12, "disk_min_free_mb": "x"})
    assert (declared.backlog_warn, declared.sync_overdue_refuse_h, declared.disk_min_free_mb) == (10, 12.0, 200)
