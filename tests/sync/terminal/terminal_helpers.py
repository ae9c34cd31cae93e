"""Helpers for the terminal sync tests (a uniquely named module: a bare `conftest` import can collide)."""
from __future__ import annotations

import json
import socket
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import requests

from local_db.store import Outbox
from sync import encodings
from sync.auth import KeyPair
from sync.engine import SyncEngine
from sync.hub.store import HubStore
from sync.settings import SyncSettings
from sync.terminal_identity import TerminalIdentity
from sync.transport import ClockOffset, HubTransport, Timeouts

STATION = "zs-test-001"   # the station tests/sync/conftest.py submits for


def settings_for(hub_url: str, **overrides: Any) -> SyncSettings:
    """Pulls in every round unless a test says otherwise."""
    base = dict(hub_url=hub_url, station_id=STATION, sync_timeout_s=3.0, sync_pull_interval_s=0.0)
    return SyncSettings(**(base | overrides))


def make_engine(db, session, hub_url: str, identity: TerminalIdentity | None, data_dir: Path, *,
                offset: ClockOffset | None = None, publish=lambda event: None, push_sessions=(),
                **overrides: Any) -> SyncEngine:
    return SyncEngine(db, session, settings_for(hub_url, **overrides), data_dir=data_dir, identity=identity,
                      offset=offset or ClockOffset(), publish=publish, push_sessions=push_sessions)


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


@dataclass
class RealHub:
    """The reference hub on a thread, with its store and bundle key at hand."""
    url: str
    store: HubStore
    keys: KeyPair

    def code(self, station_id: str = STATION) -> str:
        return self.store.issue_enrollment_code(station_id, 600).code


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

    def pushes(self) -> list[tuple[dict, bytes]]:
        return [(h, b) for m, url, h, b, _ in self.sent if m == "POST" and url.endswith("/api/v1/records")]

    def batches(self) -> list[list[str]]:
        """The record ids of each push, as sent."""
        return [[r["id"] for r in _records(h, b)] for h, b in self.pushes()]

    def put_offsets(self) -> list[int]:
        return [int(parse_qs(urlsplit(url).query)["offset"][0]) for m, url, *_ in self.sent if m == "PUT"]


def _records(headers: dict, body: bytes) -> list[dict]:
    return json.loads(encodings.decode(body, headers.get("Content-Encoding", ""), 1 << 30))["records"]


def sent_records(seen) -> list[dict]:
    """The records of one request the contract hub saw."""
    return json.loads(encodings.decode(seen.body, seen.headers.get("content-encoding", ""), 1 << 30))["records"]
