"""The background sync worker: runs rounds (push, media, pull) and reports a `SyncStatus` after every round.

It runs on its own daemon thread with its own database connection and HTTP session; the UI never calls into
it except `wake()` / `notify_network_changed()` and only hears from it through events on the bus. Nothing it
meets (network errors, garbage replies, a locked database) may end the thread: every round ends in a status
and a wait. Rounds come from the timer, from `wake()`, from a network change, and from a health probe that
finds the hub reachable again while the worker is backing off after "unreachable".
"""
from __future__ import annotations

import logging
import random
import shutil
import threading
import time
from dataclasses import dataclass, field, fields, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Callable, Mapping, Sequence

import requests
import sqlite_utils

from kiosk.config import Config
from kiosk.events import EventBus
from kiosk.ids import Clock, utc_now
from local_db.audit import AuditLog
from local_db.db import open_db
from local_db.retention import purge_delivered
from local_db.store import Outbox
from local_db.sync_state import LAST_PULL, LAST_SUCCESS, SyncState
from sync.attachments import AttachmentStore
from sync.bundles import DEFAULT_VALIDATORS, Validator
from sync.engine import MEDIA_DIR, RoundOutcome, SyncEngine, refusal_for
from sync.guardrails import DiskUsage, Guardrail, GuardrailMonitor, Thresholds
from sync.protocol import HEALTH_PATH, SyncError, parse_health
from sync.quarantine import Quarantine
from sync.settings import SyncSettings
from sync.terminal_identity import IdentityError, IdentityStore, TerminalIdentity
from sync.transport import ClockOffset, HubHttpError, HubTransport, HubUnreachable, TerminalRefused, Timeouts
from sync.updates import UpdateOptions

log = logging.getLogger(__name__)

PURGE_EVERY = timedelta(minutes=15)   # while offline: acknowledged records keep coming due


@dataclass(frozen=True)
class SyncStatus:
    online: bool                          # the last round reached a hub that answered correctly
    pending: int                          # outbox rows not delivered (quarantined ones excluded); -1: unknown
    oldest_pending_at: datetime | None
    last_success_at: datetime | None      # last correct answer from the hub (kept across restarts)
    last_error: str | None                # short, fixed wording; never personal data
    rejected: int = 0                     # records quarantined in this round
    next_attempt_in_s: float = 0.0        # when the worker will try again unless woken
    enrolled: bool = False                # has an identity the hub has not refused
    quarantined: int = 0                  # records in the quarantine now
    last_pull_at: datetime | None = None
    guardrail: Guardrail = field(default_factory=Guardrail)
    clock_offset_s: float = 0.0           # hub time minus local time, as last learned
    auth_refusal: str = ""                # "revoked" / "unknown_terminal" once the hub refused this terminal
    attachments_pending: int = 0
    bundles_refused: int = 0              # catalog/policies/config bundles refused since the worker started


@dataclass(frozen=True)
class Backoff:
    """Exponential backoff with full jitter (anywhere up to the step), so a fleet coming back after an outage
    spreads out; a small floor keeps it from spinning. Retry-After is honoured, up to `retry_after_max_s`."""
    base_s: float = 2.0
    cap_s: float = 300.0
    rng: Callable[[], float] = random.random
    floor_s: float = 0.5
    retry_after_max_s: float = 3600.0

    def delay(self, failures: int, at_least: float = 0.0) -> float:
        step = min(self.cap_s, self.base_s * 2 ** min(max(failures - 1, 0), 30))
        jittered = max(min(self.floor_s, step), step * self.rng())
        return max(jittered, min(at_least, self.retry_after_max_s))


def _open_migrated(path: Path | str) -> sqlite_utils.Database:
    return open_db(path, migrate=False)   # the app migrates before it starts the worker; never race it


class SyncWorker:
    def __init__(self, db_path: Path | str, bus: EventBus, *, hub_url: str | None = None,
                 station_id: str | None = None, interval_s: float | None = None, timeout_s: float | None = None,
                 batch_size: int | None = None, settings: SyncSettings = SyncSettings(),
                 data_dir: Path | str | None = None,
                 session_factory: Callable[[], requests.Session] = requests.Session,
                 clock: Clock = utc_now, monotonic: Callable[[], float] = time.monotonic,
                 wall: Callable[[], float] = time.time, backoff: Backoff | None = None,
                 open_database: Callable[[Path | str], sqlite_utils.Database] = _open_migrated,
                 disk_usage: DiskUsage = shutil.disk_usage,
                 validators: Mapping[str, Validator] = DEFAULT_VALIDATORS, app_root: Path | None = None):
        legacy = dict(hub_url=hub_url, station_id=station_id, sync_interval_s=interval_s, sync_timeout_s=timeout_s,
                      sync_batch_size=batch_size)
        self.settings = replace(settings, **{k: v for k, v in legacy.items() if v is not None})
        self.db_path = db_path
        self.data_dir = Path(data_dir) if data_dir is not None else Path(db_path).parent
        self.bus = bus
        self.session_factory = session_factory
        self.clock = clock
        self.monotonic = monotonic
        self.wall = wall
        self.backoff = backoff or Backoff(cap_s=self.settings.sync_backoff_cap_s)
        self.open_database = open_database
        self.disk_usage = disk_usage
        self.validators = validators
        self.app_root = app_root   # the installer's app root: updates are staged there (sync/updates.py)
        self.identities = IdentityStore(self.data_dir)
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._net_changed = threading.Event()
        self._thread: threading.Thread | None = None
        self._failures = 0
        self._probe_when_waiting = False
        self._encoding: str | None = None
        self._offset: ClockOffset | None = None
        self._bundles_refused = 0
        self._last_purge_at: datetime | None = None
        self.status: SyncStatus | None = None   # last published; replaced whole, so safe to read from any thread

    @classmethod
    def from_config(cls, db_path: Path | str, config: Config, bus: EventBus, **overrides: Any) -> "SyncWorker":
        names = {f.name for f in fields(SyncSettings)}
        settings = SyncSettings.from_config(config, **{k: v for k, v in overrides.items() if k in names})
        rest = {k: v for k, v in overrides.items() if k not in names}
        return cls(db_path, bus, settings=settings, **rest)

    # the pre-1.1 attribute names, still read by callers and tests
    hub_url = property(lambda self: self.settings.hub_url)
    station_id = property(lambda self: self.settings.station_id)
    interval_s = property(lambda self: self.settings.sync_interval_s)
    timeout_s = property(lambda self: self.settings.sync_timeout_s)
    batch_size = property(lambda self: self.settings.sync_batch_size)

    # --- control, from any thread --------------------------------------------------------------------------
    def start(self) -> None:
        """Start the thread; again after a stop() that finished (an update install pauses sync, see
        ui/update_timer.install_staged)."""
        if self._thread is not None and self._thread.is_alive():
            raise RuntimeError("sync worker already running")
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="sync-worker", daemon=True)
        self._thread.start()

    def wake(self) -> None:
        """Run a round now (e.g. right after a submission) instead of at the next interval."""
        self._wake.set()

    def notify_network_changed(self) -> None:
        """The link came back or changed (e.g. the 4G modem reconnected): forget the backoff, try now."""
        self._net_changed.set()
        self._wake.set()

    def stop(self, timeout: float = 5.0) -> bool:
        """Ask the thread to finish and wait; False if it is still inside a request after `timeout`."""
        self._stop.set()
        self._wake.set()
        if self._thread is None:
            return True
        self._thread.join(timeout)
        return not self._thread.is_alive()

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    # --- the thread ----------------------------------------------------------------------------------------
    def _run(self) -> None:
        db: sqlite_utils.Database | None = None
        session = self.session_factory()   # created here: a requests session belongs to one thread
        # further push connections, each used by one pipeline thread at a time
        push_sessions = [self.session_factory() for _ in range(max(1, self.settings.sync_push_connections) - 1)]
        try:
            while not self._stop.is_set():
                self._wake.clear()   # a wake() during the round below triggers the next one at once
                if self._net_changed.is_set():
                    self._net_changed.clear()
                    self._failures = 0
                if db is None:
                    db = self._try_open()
                status = self.run_round(db, session, push_sessions)
                self._publish(status)
                self._wait(status.next_attempt_in_s, session)
        finally:
            for each in (session, *push_sessions):
                each.close()
            if db is not None:
                db.conn.close()

    def _try_open(self) -> sqlite_utils.Database | None:
        try:
            return self.open_database(self.db_path)
        except Exception as exc:
            log.error("sync worker cannot open the local database: %s", type(exc).__name__)
            return None

    def _wait(self, delay: float, session: requests.Session) -> None:
        """Wait `delay`, woken early by wake(), stop(), or (after "unreachable") a probe finding the hub up."""
        if not self._probe_when_waiting:
            self._wake.wait(delay)
            return
        deadline = self.monotonic() + delay
        while not self._stop.is_set():
            remaining = deadline - self.monotonic()
            if remaining <= 0:
                return
            if self._wake.wait(min(self.settings.sync_probe_interval_s, remaining)):
                return
            if self._probe(session):
                log.info("hub reachable again; syncing now")
                self._failures = 0
                return

    def _probe(self, session: requests.Session) -> bool:
        transport = HubTransport(self.settings.hub_url, None, session=session, ca_file=self.settings.hub_ca_file,
                                 timeouts=Timeouts(min(self.settings.sync_timeout_s, 5.0)))
        try:
            parse_health(transport.request("GET", HEALTH_PATH, signed=False).content)
            return True
        except SyncError:
            return False

    # --- one round, on the worker thread (tests call it directly) -----------------------------------------
    def run_round(self, db: sqlite_utils.Database | None, session: requests.Session,
                  push_sessions: Sequence[requests.Session] = ()) -> SyncStatus:
        self._probe_when_waiting = False
        if db is None:
            return self._failed(None, "local database unavailable")
        try:
            identity = self.identities.load()
        except IdentityError as exc:
            log.error("%s", exc)
            return self._failed(db, "terminal identity unreadable")
        try:
            engine = self._engine(db, session, identity, push_sessions)
            outcome = engine.run()
        except Exception as exc:   # a bug or a local database error: report it, keep the thread alive
            log.exception("sync round crashed")
            return self._failed(db, f"internal error ({type(exc).__name__})", identity=identity)
        # what /health said about encodings holds until a failure (the hub may be replaced meanwhile)
        self._encoding = engine.client.encoding if outcome.error is None else None
        self._purge_if_due(db, outcome.reached_hub)
        return self._settle(db, identity, outcome)

    def _purge_if_due(self, db: sqlite_utils.Database, reached_hub: bool) -> None:
        """Forget personal data the hub has held long enough: after a round that reached the hub (it may have
        acknowledged more), and on schedule while offline (what it acknowledged earlier still comes due)."""
        now = self.clock()
        if not reached_hub and self._last_purge_at is not None and now - self._last_purge_at < PURGE_EVERY:
            return
        self._last_purge_at = now
        try:
            purge_delivered(db, self.data_dir / MEDIA_DIR, keep_days=self.settings.personal_data_keep_days,
                            clock=self.clock, trail=AuditLog(db, self.settings.station_id, self.clock))
        except Exception as exc:   # rolled back whole; the next round tries again
            self._last_purge_at = None
            log.error("personal data purge failed: %s", type(exc).__name__)

    def _engine(self, db: sqlite_utils.Database, session: requests.Session, identity: TerminalIdentity | None,
                push_sessions: Sequence[requests.Session] = ()) -> SyncEngine:
        if self._offset is None:
            state = SyncState(db, self.clock)
            self._offset = ClockOffset(state.clock_offset(), wall=self.wall, on_change=state.set_clock_offset)
        return SyncEngine(db, session, self.settings, data_dir=self.data_dir, identity=identity,
                          offset=self._offset, publish=self.bus.publish, clock=self.clock,
                          should_stop=self._stop.is_set, encoding=self._encoding, validators=self.validators,
                          push_sessions=push_sessions,
                          updates=UpdateOptions(app_root=self.app_root,
                                                reserve_bytes=self.settings.disk_min_free_mb * 1024 * 1024))

    def _settle(self, db: sqlite_utils.Database, identity: TerminalIdentity | None,
                outcome: RoundOutcome) -> SyncStatus:
        self._bundles_refused += outcome.pull.bundles_refused
        rejected = len(outcome.push.rejected)
        if outcome.skipped or isinstance(outcome.error, TerminalRefused):
            error = outcome.error or TerminalRefused(refusal_for(SyncState(db), identity, self.hub_url))
            return self._snapshot(db, False, str(error), rejected, self.settings.sync_interval_s, identity)
        if outcome.error is not None:
            log.info("sync round failed: %s", outcome.error)
            self._probe_when_waiting = isinstance(outcome.error, HubUnreachable)
            retry_after = outcome.error.retry_after if isinstance(outcome.error, HubHttpError) else None
            return self._failed(db, str(outcome.error), retry_after, rejected, identity)
        self._failures = 0
        return self._snapshot(db, True, None, rejected, self.settings.sync_interval_s, identity)

    def _failed(self, db: sqlite_utils.Database | None, error: str, retry_after: float | None = None,
                rejected: int = 0, identity: TerminalIdentity | None = None) -> SyncStatus:
        self._failures += 1
        delay = self.backoff.delay(self._failures, retry_after or 0.0)
        return self._snapshot(db, False, error, rejected, delay, identity)

    def _snapshot(self, db: sqlite_utils.Database | None, online: bool, error: str | None, rejected: int,
                  delay: float, identity: TerminalIdentity | None) -> SyncStatus:
        base = dict(online=online, pending=-1, oldest_pending_at=None, last_success_at=None, last_error=error,
                    rejected=rejected, next_attempt_in_s=delay, bundles_refused=self._bundles_refused,
                    clock_offset_s=self._offset.offset_s if self._offset else 0.0)
        if db is None:
            return SyncStatus(**base)
        try:
            return SyncStatus(**(base | self._measure(db, identity)))
        except Exception as exc:
            log.error("sync worker cannot read its state: %s", type(exc).__name__)
            return SyncStatus(**base)

    def _measure(self, db: sqlite_utils.Database, identity: TerminalIdentity | None) -> dict[str, Any]:
        outbox, state = Outbox(db, self.clock), SyncState(db, self.clock)
        refusal = refusal_for(state, identity, self.hub_url)
        monitor = GuardrailMonitor(db, self.data_dir, Thresholds.from_settings(self.settings), clock=self.clock,
                                   disk_usage=self.disk_usage)
        return dict(pending=outbox.pending_count(), oldest_pending_at=outbox.oldest_pending_at(),
                    last_success_at=state.time(LAST_SUCCESS), last_pull_at=state.time(LAST_PULL),
                    enrolled=identity is not None and not refusal, auth_refusal=refusal,
                    quarantined=Quarantine(db).count(), guardrail=monitor.check(),
                    attachments_pending=AttachmentStore(db, self.data_dir / MEDIA_DIR).pending_count())

    def _publish(self, status: SyncStatus) -> None:
        self.status = status
        self.bus.publish(status)

