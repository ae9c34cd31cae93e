"""Fixtures for the terminal side of protocol 1.1: a contract hub, an enrolled terminal, an engine per round.

The kiosk database, `submit`, `bus` and `status_log` come from tests/sync/conftest.py.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from contract_hub import ContractHub
from local_db.db import open_db
from local_db.store import Outbox
from sync.engine import SyncEngine
from sync.hub.testing import loopback_session
from sync.settings import SyncSettings
from sync.terminal_identity import IdentityStore, TerminalIdentity, enroll
from sync.transport import ClockOffset, HubTransport, Timeouts

STATION = "zs-test-001"   # the station tests/sync/conftest.py submits for


@pytest.fixture
def chub():
    hub = ContractHub().start()
    yield hub
    hub.stop()


@pytest.fixture
def data_dir(kiosk_db_path: Path) -> Path:
    return kiosk_db_path.parent


@pytest.fixture
def db(kiosk_db_path: Path):
    database = open_db(kiosk_db_path, migrate=False)
    yield database
    database.conn.close()


@pytest.fixture
def terminal(chub: ContractHub, data_dir: Path, session) -> TerminalIdentity:
    code = chub.issue_code(STATION)
    return enroll(IdentityStore(data_dir), chub.url, STATION, code, session=session)


def settings_for(hub_url: str, **overrides) -> SyncSettings:
    return SyncSettings(**(dict(hub_url=hub_url, station_id=STATION, sync_timeout_s=3.0) | overrides))


def make_engine(db, session, hub_url: str, identity: TerminalIdentity | None, data_dir: Path, *,
                offset: ClockOffset | None = None, publish=lambda event: None, **overrides) -> SyncEngine:
    return SyncEngine(db, session, settings_for(hub_url, **overrides), data_dir=data_dir, identity=identity,
                      offset=offset or ClockOffset(), publish=publish)


def transport_for(hub_url: str, identity: TerminalIdentity | None, session, **kw) -> HubTransport:
    return HubTransport(hub_url, identity, session=session, timeouts=Timeouts(3.0), **kw)


def pending_ids(db) -> list[str]:
    return [item.record_id for item in Outbox(db).pending(10_000)]


def delivered_ids(db) -> list[str]:
    return [row[0] for row in db.execute("SELECT record_id FROM outbox WHERE delivered_at IS NOT NULL ORDER BY seq")]


def sent_records(seen) -> list[dict]:
    import gzip
    body = gzip.decompress(seen.body) if seen.headers.get("content-encoding") == "gzip" else seen.body
    return json.loads(body)["records"]


@pytest.fixture
def new_session():
    sessions = []

    def make():
        sessions.append(loopback_session())
        return sessions[-1]
    yield make
    for s in sessions:
        s.close()
