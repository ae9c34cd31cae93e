"""Offline limits, in the spirit of MOSIP's registration client: how long and how much a terminal may collect
without reaching the hub before it should warn staff, and then refuse non-urgent applications.

`evaluate` is a pure function of measured facts and thresholds; `GuardrailMonitor` measures them from the
local database and the data directory's disk with an injected clock and disk-usage function.
"""
from __future__ import annotations

import shutil
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum
from pathlib import Path
from typing import Any, Callable

import sqlite_utils

from kiosk.ids import Clock, utc_now
from local_db.sync_state import LAST_SUCCESS, SyncState

DiskUsage = Callable[[Path], Any]   # shutil.disk_usage-like: has a `.free` in bytes
MB = 1024 * 1024


class Level(str, Enum):
    OK = "ok"
    WARN = "warn"
    REFUSE_NON_URGENT = "refuse_non_urgent"


class Reason(str, Enum):
    """Codes for the UI to put into words; never personal data."""
    OLDEST_PENDING = "oldest_pending"     # the oldest undelivered record has waited too long
    NO_SYNC = "no_sync"                   # no successful exchange with the hub for too long
    NEVER_SYNCED = "never_synced"         # this terminal has never reached the hub
    BACKLOG = "backlog"                   # too many undelivered records
    DISK = "disk"                         # too little free space for the data directory


@dataclass(frozen=True)
class GuardrailReason:
    code: Reason
    level: Level
    value: float      # what was measured (hours, records, MB)
    limit: float      # the threshold it crossed


@dataclass(frozen=True)
class Guardrail:
    level: Level = Level.OK
    reasons: tuple[GuardrailReason, ...] = ()

    @property
    def refuses_non_urgent(self) -> bool:
        return self.level is Level.REFUSE_NON_URGENT


@dataclass(frozen=True)
class Thresholds:
    overdue_warn_h: float = 24.0
    overdue_refuse_h: float = 72.0
    backlog_warn: int = 500
    backlog_refuse: int = 2000
    disk_min_free_mb: int = 200        # below: refuse; below twice this: warn

    @classmethod
    def from_settings(cls, settings: Any) -> "Thresholds":
        return cls(settings.sync_overdue_warn_h, settings.sync_overdue_refuse_h, settings.backlog_warn,
                   settings.backlog_refuse, settings.disk_min_free_mb)


@dataclass(frozen=True)
class Facts:
    now: datetime
    oldest_pending_at: datetime | None
    last_success_at: datetime | None
    backlog: int
    free_mb: float | None               # None: could not be measured (no reason either way)


def evaluate(facts: Facts, limits: Thresholds) -> Guardrail:
    reasons = [r for r in (_oldest(facts, limits), _last_sync(facts, limits), _backlog(facts, limits),
                           _disk(facts, limits)) if r is not None]
    if any(r.level is Level.REFUSE_NON_URGENT for r in reasons):
        return Guardrail(Level.REFUSE_NON_URGENT, tuple(reasons))
    return Guardrail(Level.WARN if reasons else Level.OK, tuple(reasons))


def _graded(code: Reason, value: float, warn: float, refuse: float) -> GuardrailReason | None:
    """At or past a threshold counts as crossing it."""
    if value >= refuse:
        return GuardrailReason(code, Level.REFUSE_NON_URGENT, value, refuse)
    if value >= warn:
        return GuardrailReason(code, Level.WARN, value, warn)
    return None


def _hours(delta: timedelta) -> float:
    return max(delta.total_seconds(), 0.0) / 3600


def _oldest(facts: Facts, limits: Thresholds) -> GuardrailReason | None:
    if facts.oldest_pending_at is None:
        return None
    age = _hours(facts.now - facts.oldest_pending_at)
    return _graded(Reason.OLDEST_PENDING, age, limits.overdue_warn_h, limits.overdue_refuse_h)


def _last_sync(facts: Facts, limits: Thresholds) -> GuardrailReason | None:
    if facts.last_success_at is None:   # a new terminal: warn, but records waiting are judged by their age
        return GuardrailReason(Reason.NEVER_SYNCED, Level.WARN, 0.0, 0.0)
    age = _hours(facts.now - facts.last_success_at)
    return _graded(Reason.NO_SYNC, age, limits.overdue_warn_h, limits.overdue_refuse_h)


def _backlog(facts: Facts, limits: Thresholds) -> GuardrailReason | None:
    return _graded(Reason.BACKLOG, facts.backlog, limits.backlog_warn, limits.backlog_refuse)


def _disk(facts: Facts, limits: Thresholds) -> GuardrailReason | None:
    """Less free space is worse: at or below the minimum refuses, at or below twice it warns."""
    floor = float(limits.disk_min_free_mb)
    if facts.free_mb is None or facts.free_mb > 2 * floor:
        return None
    if facts.free_mb <= floor:
        return GuardrailReason(Reason.DISK, Level.REFUSE_NON_URGENT, facts.free_mb, floor)
    return GuardrailReason(Reason.DISK, Level.WARN, facts.free_mb, 2 * floor)


class GuardrailMonitor:
    def __init__(self, db: sqlite_utils.Database, data_dir: Path | str, limits: Thresholds = Thresholds(), *,
                 clock: Clock = utc_now, disk_usage: DiskUsage = shutil.disk_usage):
        self.db = db
        self.data_dir = Path(data_dir)
        self.limits = limits
        self.clock = clock
        self.disk_usage = disk_usage

    def facts(self) -> Facts:
        backlog, oldest = self.db.execute(
            "SELECT COUNT(*), MIN(created_at) FROM outbox WHERE delivered_at IS NULL").fetchone()
        return Facts(self.clock(), _parse_time(oldest), SyncState(self.db).time(LAST_SUCCESS), backlog,
                     self._free_mb())

    def _free_mb(self) -> float | None:
        try:
            return self.disk_usage(self.data_dir).free / MB
        except OSError:
            return None

    def check(self) -> Guardrail:
        return evaluate(self.facts(), self.limits)


def _parse_time(value: str | None) -> datetime | None:
    try:
        return datetime.fromisoformat(value) if value else None
    except ValueError:
        return None
