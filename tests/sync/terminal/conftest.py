"""Fixtures for the terminal side of protocol 1.1.

Integration tests run against the reference hub (`real_hub`, signatures required) with a terminal enrolled
over HTTP (`terminal`). A `HookedSession` watches the wire, fails requests or loses replies after the hub
acted. Only what the real hub never does on purpose (garbage, 5xx/429, hangs, forged older bundles, a hub that
keeps refusing content) uses the contract hub (`chub`, `chub_terminal`, tests/sync/terminal/contract_hub.py).
The kiosk database, `submit`, `bus` and `status_log` come from tests/sync/conftest.py.
"""
from __future__ import annotations

import contextlib
import gzip
import json
import socket
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from contract_hub import ContractHub
from local_db.db import open_db
from local_db.store import Outbox
from sync.auth import KeyPair
from sync.engine import SyncEngine
from sync.hub.store import HubStore
from sync.hub.testing import run_hub_thread
from sync.settings import SyncSettings
from sync.terminal_identity import IdentityStore, TerminalIdentity, enroll
from sync.transport import ClockOffset, HubTransport, Timeouts

STATION = "zs-test-001"   # the station tests/sync/conftest.py submits for


# --- the kiosk side ------------------------------------------------------------------------------------------

@pytest.fixture
def data_dir(kiosk_db_path: Path) -> Path:
    return kiosk_db_path.parent


@pytest.fixture
def db(kiosk_db_path: Path):
    database = open_db(kiosk_db_path, migrate=False)
    yield database
    database.conn.close()


def settings_for(hub_url: str, **overrides: Any) -> SyncSettings:
    """Pulls in every round unless a test says otherwise."""
    base = dict(hub_url=hub_url, station_id=STATION, sync_timeout_s=3.0, sync_pull_interval_s=0.0)
    return SyncSettings(**(base | overrides))


def make_engine(db, session, hub_url: str, identity: TerminalIdentity | None, data_dir: Path, *,
                offset: ClockOffset | None = None, publish=lambda event: None, **overrides: Any) -> SyncEngine:
    return SyncEngine(db, session, settings_for(hub_url, **overrides), data_dir=data_dir, identity=identity,
                      offset=offset or ClockOffset(), publish=publish)


def transport_for(hub_url: str, identity: TerminalIdentity | None, session, **kw: Any) -> HubTransport:
    return HubTransport(hub_url, identity, session=session, timeouts=Timeouts(3.0), **kw)


def pending_ids(db) -> list[str]:
    return [item.record_id for item in Outbox(db).pending(10_000)]


def delivered_ids(db) -> list[str]:
    return [row[0] for row in db.execute("SELECT record_id FROM outbox WHERE delivered_at IS NOT NULL ORDER BY seq")]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Events(list):
    """A bus listener that keeps what it heard."""

    def __call__(self, event: object) -> None:
        self.append(event)


# --- the reference hub, requiring signatures -----------------------------------------------------------------

@dataclass
class RealHub:
    url: str
    store: HubStore
    keys: KeyPair          # the hub's bundle key

    def code(self, station_id: str = STATION) -> str:
        return self.store.issue_enrollment_code(station_id, 600).code


@pytest.fixture
def start_hub(tmp_path: Path):
    """Start more hubs (another port, database, clock or size limit) within one test."""
    with contextlib.ExitStack() as stack:
        def start(name: str = "hub", *, keys: KeyPair | None = None, **kw: Any) -> RealHub:
            keys = keys or KeyPair.generate()
            kw.setdefault("require_auth", True)
            url, store = stack.enter_context(run_hub_thread(tmp_path / "hubs" / f"{name}.db", keys=keys, **kw))
            return RealHub(url, store, keys)
        yield start


@pytest.fixture
def real_hub(start_hub) -> RealHub:
    return start_hub()


@pytest.fixture
def terminal(real_hub: RealHub, data_dir: Path, session) -> TerminalIdentity:
    return enroll(IdentityStore(data_dir), real_hub.url, STATION, real_hub.code(), session=session)


class HookedSession(requests.Session):
    """A loopback session whose requests a test can watch, fail before sending, or lose after the hub answered."""

    def __init__(self) -> None:
        super().__init__()
        self.trust_env = False
        self.sent: list[tuple[str, str, dict, bytes, Any]] = []   # method, url, headers, body, timeout
        self.before = lambda method, url: None                     # may raise: nothing reaches the hub
        self.after = lambda method, url, response: None            # may raise: the hub acted, the reply is lost

    def request(self, method, url, **kw):
        self.before(method, url)
        self.sent.append((method, url, dict(kw.get("headers") or {}), kw.get("data") or b"", kw.get("timeout")))
        response = super().request(method, url, **kw)
        self.after(method, url, response)
        return response

    def batches(self) -> list[list[str]]:
        """The record ids of each push, as sent."""
        return [[r["id"] for r in _records(h, b)] for m, url, h, b, _ in self.sent
                if m == "POST" and url.endswith("/api/v1/records")]

    def pushes(self) -> list[tuple[dict, bytes]]:
        return [(h, b) for m, url, h, b, _ in self.sent if m == "POST" and url.endswith("/api/v1/records")]

    def put_offsets(self) -> list[int]:
        return [int(parse_qs(urlsplit(url).query)["offset"][0]) for m, url, *_ in self.sent if m == "PUT"]


def _records(headers: dict, body: bytes) -> list[dict]:
    raw = gzip.decompress(body) if headers.get("Content-Encoding") == "gzip" else body
    return json.loads(raw)["records"]


@pytest.fixture
def hooked():
    s = HookedSession()
    yield s
    s.close()


# --- the contract hub, for faults ----------------------------------------------------------------------------

@pytest.fixture
def chub():
    hub = ContractHub().start()
    yield hub
    hub.stop()


@pytest.fixture
def chub_terminal(chub: ContractHub, data_dir: Path, session) -> TerminalIdentity:
    return enroll(IdentityStore(data_dir), chub.url, STATION, chub.issue_code(STATION), session=session)


def sent_records(seen) -> list[dict]:
    """The records of one request the contract hub saw."""
    body = gzip.decompress(seen.body) if seen.headers.get("content-encoding") == "gzip" else seen.body
    return json.loads(body)["records"]

