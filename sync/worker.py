"""The background sync worker: drains the outbox to the hub and reports a `SyncStatus` after every round.

It runs on its own daemon thread with its own database connection and HTTP session; the UI never calls into
it except `wake()` and only hears from it through `SyncStatus` events on the bus. Nothing it meets (network
errors, garbage replies, a locked database) may end the thread: every round ends in a status and a wait.
"""
from __future__ import annotations

import logging
import random
import threading
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Callable

import requests
import sqlite_utils

from kiosk.config import Config
from kiosk.events import EventBus
from kiosk.ids import Clock, utc_now
from local_db.db import open_db
from local_db.store import Outbox
from sync.client import HubHttpError, PushResult, SyncClient
from sync.protocol import SyncError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SyncStatus:
    online: bool                          # the last round reached a hub that answered correctly
    pending: int                          # outbox rows not delivered (rejected included); -1: cannot read
    oldest_pending_at: datetime | None
    last_success_at: datetime | None      # last correct answer from the hub (this run of the worker)
    last_error: str | None                # short, fixed wording; never personal data
    rejected: int = 0                     # records the hub refused in this round (kept with their reason)
    next_attempt_in_s: float = 0.0        # when the worker will try again unless woken


@dataclass(frozen=True)
class Backoff:
    """Exponential backoff with "equal jitter": at least half the step, so a fleet never retries in lockstep."""
    base_s: float = 2.0
    cap_s: float = 300.0
    rng: Callable[[], float] = random.random

    def delay(self, failures: int, at_least: float = 0.0) -> float:
        step = min(self.cap_s, self.base_s * 2 ** min(max(failures - 1, 0), 30))
        return min(self.cap_s, max(step * (0.5 + 0.5 * self.rng()), at_least))


def _open_migrated(path: Path | str) -> sqlite_utils.Database:
    return open_db(path, migrate=False)   # the app migrates before it starts the worker; never race it


class SyncWorker:
    def __init__(self, db_path: Path | str, bus: EventBus, *, hub_url: str, station_id: str,
                 interval_s: float = 15.0, timeout_s: float = 10.0, batch_size: int = 100,
                 session_factory: Callable[[], requests.Session] = requests.Session,
                 clock: Clock = utc_now, backoff: Backoff = Backoff(),
                 open_database: Callable[[Path | str], sqlite_utils.Database] = _open_migrated):
        self.db_path = db_path
        self.bus = bus
        self.hub_url = hub_url
        self.station_id = station_id
        self.interval_s = interval_s
        self.timeout_s = timeout_s
        self.batch_size = batch_size
        self.session_factory = session_factory
        self.clock = clock
        self.backoff = backoff
        self.open_database = open_database
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._failures = 0
        self._last_success_at: datetime | None = None
        self.status: SyncStatus | None = None   # last published; replaced whole, so safe to read from any thread

    @classmethod
    def from_config(cls, db_path: Path | str, config: Config, bus: EventBus, **overrides: Any) -> "SyncWorker":
        settings = dict(hub_url=config["hub_url"], station_id=config["station_id"],
                        interval_s=config["sync_interval_s"], timeout_s=config["sync_timeout_s"],
                        batch_size=config["sync_batch_size"])
        return cls(db_path, bus, **(settings | overrides))

    # --- control, from any thread --------------------------------------------------------------------------
    def start(self) -> None:
        if self._thread is not None:
            raise RuntimeError("sync worker already started")
        self._thread = threading.Thread(target=self._run, name="sync-worker", daemon=True)
        self._thread.start()

    def wake(self) -> None:
        """Run a round now (e.g. right after a submission) instead of at the next interval."""
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
        try:
            while not self._stop.is_set():
                self._wake.clear()   # a wake() during the round below triggers the next one at once
                if db is None:
                    db = self._try_open()
                status = self._round(db, session)
                self._publish(status)
                self._wake.wait(status.next_attempt_in_s)
        finally:
            session.close()
            if db is not None:
                db.conn.close()

    def _try_open(self) -> sqlite_utils.Database | None:
        try:
            return self.open_database(self.db_path)
        except Exception as exc:
            log.error("sync worker cannot open the local database: %s", type(exc).__name__)
            return None

    def _round(self, db: sqlite_utils.Database | None, session: requests.Session) -> SyncStatus:
        if db is None:
            return self._failed(None, "local database unavailable")
        outbox = Outbox(db, self.clock)
        client = SyncClient(outbox, self.hub_url, self.station_id, session=session,
                            timeout_s=self.timeout_s, batch_size=self.batch_size)
        try:
            result = self._drain(client)
        except SyncError as exc:
            log.info("sync round failed: %s", exc)
            retry_after = exc.retry_after if isinstance(exc, HubHttpError) else None
            return self._failed(outbox, str(exc), retry_after)
        except Exception as exc:   # a bug or a local database error: report it, keep the thread alive
            log.exception("sync round crashed")
            return self._failed(outbox, f"internal error ({type(exc).__name__})")
        self._failures = 0
        return self._snapshot(outbox, True, None, len(result.rejected), self.interval_s)

    def _drain(self, client: SyncClient) -> PushResult:
        """Push batches while full batches make progress; with nothing to push, a health check says online."""
        total = PushResult(sent=0)
        while True:
            result = client.push()
            if result.sent == 0 and total.sent == 0:
                client.health()
            elif result.sent == 0:
                return total   # the last batch was exactly full
            self._last_success_at = self.clock()
            total += result
            if self._stop.is_set() or result.sent < client.batch_size or result.delivered == 0:
                return total   # drained, stopping, or only rejected rows are left at the head

    def _failed(self, outbox: Outbox | None, error: str, retry_after: float | None = None) -> SyncStatus:
        self._failures += 1
        delay = self.backoff.delay(self._failures, retry_after or 0.0)
        return self._snapshot(outbox, False, error, 0, delay)

    def _snapshot(self, outbox: Outbox | None, online: bool, error: str | None, rejected: int,
                  delay: float) -> SyncStatus:
        pending, oldest = -1, None
        if outbox is not None:
            try:
                pending, oldest = outbox.pending_count(), outbox.oldest_pending_at()
            except Exception as exc:
                log.error("sync worker cannot count the outbox: %s", type(exc).__name__)
        return SyncStatus(online, pending, oldest, self._last_success_at, error, rejected, delay)

    def _publish(self, status: SyncStatus) -> None:
        self.status = status
        self.bus.publish(status)
