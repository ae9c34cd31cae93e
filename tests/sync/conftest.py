"""Fixtures for the sync tests: a migrated kiosk database, a real hub, a scriptable fake hub, an event log."""
from __future__ import annotations

import sys
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:   # plain `pytest` run without `python -m`
    sys.path.insert(0, str(ROOT))

from kiosk.events import EventBus  # noqa: E402
from kiosk.records import Application, Identity  # noqa: E402
from local_db.db import open_db  # noqa: E402
from local_db.store import ApplicationStore, Outbox  # noqa: E402
from sync.hub.store import HubStore  # noqa: E402
from sync.hub.testing import FakeHub, loopback_session, run_hub_thread  # noqa: E402
from sync.worker import SyncStatus  # noqa: E402

STATION_ID = "zs-test-001"
DUMMY = Identity(source="idcard", name="测试人", id_number="330902199001011234",
                 address="舟山市定海区测试路1号")
WAIT_S = 10.0   # upper bound for any wait in these tests


# --- the kiosk side -----------------------------------------------------------------------------------------

@pytest.fixture
def kiosk_db_path(tmp_path: Path) -> Path:
    path = tmp_path / "kiosk.db"
    open_db(path).conn.close()   # migrated, as the app does before it starts the worker
    return path


@pytest.fixture
def app_store(kiosk_db_path: Path):
    db = open_db(kiosk_db_path)
    yield ApplicationStore(db, STATION_ID, "T01")
    db.conn.close()


@pytest.fixture
def outbox(kiosk_db_path: Path):
    db = open_db(kiosk_db_path)
    yield Outbox(db)
    db.conn.close()


@pytest.fixture
def submit(app_store: ApplicationStore) -> Callable[[int], list[Application]]:
    def submit_n(n: int = 1) -> list[Application]:
        return [app_store.submit("zs-hj-001", "户籍证明开具", DUMMY, {"purpose": f"测试{i}"}) for i in range(n)]
    return submit_n


@pytest.fixture
def dummy() -> Identity:
    return DUMMY


@pytest.fixture
def session():
    s = loopback_session()
    yield s
    s.close()


# --- hubs ---------------------------------------------------------------------------------------------------

@dataclass
class HubHandle:
    url: str
    store: HubStore


@pytest.fixture
def hub(tmp_path: Path):
    with run_hub_thread(tmp_path / "hub.db") as (url, store):
        yield HubHandle(url, store)


@pytest.fixture
def fake_hub():
    fake = FakeHub().start()
    yield fake
    fake.stop()


# --- events -------------------------------------------------------------------------------------------------

class StatusLog:
    """Collects SyncStatus events from the worker thread; waits are bounded."""

    def __init__(self, bus: EventBus) -> None:
        self.statuses: list[SyncStatus] = []
        self.threads: set[str] = set()
        self._cond = threading.Condition()
        bus.subscribe(SyncStatus, self._on_status)

    def _on_status(self, status: SyncStatus) -> None:
        with self._cond:
            self.statuses.append(status)
            self.threads.add(threading.current_thread().name)
            self._cond.notify_all()

    def mark(self) -> int:
        with self._cond:
            return len(self.statuses)

    def wait_for(self, predicate: Callable[[SyncStatus], bool], since: int = 0,
                 timeout: float = WAIT_S) -> SyncStatus:
        def found() -> SyncStatus | None:
            return next((s for s in self.statuses[since:] if predicate(s)), None)
        with self._cond:
            if not self._cond.wait_for(lambda: found() is not None, timeout):
                raise AssertionError(f"no matching SyncStatus within {timeout}s; got {self.statuses[since:][-5:]}")
            return found()

    def wait_count(self, n: int, since: int = 0, timeout: float = WAIT_S) -> list[SyncStatus]:
        with self._cond:
            if not self._cond.wait_for(lambda: len(self.statuses) - since >= n, timeout):
                raise AssertionError(f"only {len(self.statuses) - since} of {n} statuses within {timeout}s")
            return self.statuses[since:since + n]


@pytest.fixture
def bus() -> EventBus:
    return EventBus()


@pytest.fixture
def status_log(bus: EventBus) -> StatusLog:
    return StatusLog(bus)
