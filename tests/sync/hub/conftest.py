"""Fixtures for the hub tests: every store-backed test runs on SQLite and on PostgreSQL.

PostgreSQL comes from ZDB_TEST_PG_DSN (`export ZDB_TEST_PG_DSN=$(scripts/postgres.sh)`); each test gets its
own schema, dropped afterwards. Without the variable the PostgreSQL half is skipped and the run ends with a
banner saying so.
"""
from __future__ import annotations

import os
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Iterator
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import pytest

from sync.auth import KeyPair
from sync.hub.context import HubConfig
from sync.hub.store import HubStore, open_store
from sync.hub.testing import EnrolledTerminal, enroll_test_terminal, run_hub_thread

from hub_helpers import OTHER_STATION, STAFF_PASSWORD, STATION

PG_DSN = os.environ.get("ZDB_TEST_PG_DSN", "")
PG_SKIP_REASON = ("PostgreSQL half of the hub tests SKIPPED: ZDB_TEST_PG_DSN is not set "
                  "(export ZDB_TEST_PG_DSN=$(scripts/postgres.sh))")
_pg_skipped: list[str] = []


class FakeClock:
    """Real time plus an offset the test moves; injected into store and app alike."""

    def __init__(self) -> None:
        self.offset = timedelta(0)

    def __call__(self) -> datetime:
        return datetime.now(timezone.utc) + self.offset

    def advance(self, seconds: float) -> None:
        self.offset += timedelta(seconds=seconds)


@dataclass
class Hub:
    url: str
    store: HubStore
    clock: FakeClock
    keys: KeyPair
    db_spec: str


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request) -> str:
    if request.param == "postgresql" and not PG_DSN:
        _pg_skipped.append(request.node.nodeid)
        pytest.skip(PG_SKIP_REASON)
    return request.param


@pytest.fixture
def db_spec(backend: str, tmp_path) -> Iterator[str]:
    """A --db value for this test's own database: a SQLite file, or a fresh PostgreSQL schema."""
    if backend == "sqlite":
        yield str(tmp_path / "hub" / "hub.db")
        return
    import psycopg
    schema = "t_" + uuid.uuid4().hex[:20]
    with psycopg.connect(PG_DSN, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    try:
        yield with_search_path(PG_DSN, schema)
    finally:
        with psycopg.connect(PG_DSN, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA {schema} CASCADE")


def with_search_path(dsn: str, schema: str) -> str:
    parts = urlsplit(dsn)
    query = [(k, v) for k, v in parse_qsl(parts.query) if k != "options"]
    query.append(("options", f"-csearch_path={schema}"))
    return urlunsplit(parts._replace(query=urlencode(query)))


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def hub_store(db_spec: str, clock: FakeClock) -> Iterator[HubStore]:
    store = open_store(db_spec, clock)
    yield store
    store.close()


def start_hub(store: HubStore, clock: FakeClock, **config):
    keys = KeyPair.generate()
    settings = HubConfig(**{"require_auth": True, "staff_password": STAFF_PASSWORD, **config})
    return keys, run_hub_thread(store=store, config=settings, keys=keys, clock=clock)


@pytest.fixture
def hub(hub_store: HubStore, clock: FakeClock, db_spec: str) -> Iterator[Hub]:
    keys, running = start_hub(hub_store, clock)
    with running as (url, store):
        yield Hub(url, store, clock, keys, db_spec)


@pytest.fixture
def terminal(hub: Hub, session) -> EnrolledTerminal:
    return enroll_test_terminal(hub.url, hub.store, STATION, session=session)


@pytest.fixture
def other_terminal(hub: Hub, session) -> EnrolledTerminal:
    return enroll_test_terminal(hub.url, hub.store, OTHER_STATION, session=session)


def pytest_terminal_summary(terminalreporter) -> None:
    if _pg_skipped:
        terminalreporter.write_sep("!", f"{len(_pg_skipped)} {PG_SKIP_REASON}", red=True, bold=True)
