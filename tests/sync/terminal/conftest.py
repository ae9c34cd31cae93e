"""Fixtures for the terminal side of protocol 1.1.

Integration tests run against the reference hub (`real_hub`, signatures required) with a terminal enrolled
over HTTP (`terminal`). A `HookedSession` watches the wire, fails requests or loses replies after the hub
acted. Only what the real hub never does on purpose (garbage, 5xx/429, hangs, forged older bundles, a hub that
keeps refusing content) uses the contract hub (`chub`, `chub_terminal`, zdb_contract_hub.py).
The kiosk database, `submit`, `bus` and `status_log` come from tests/sync/conftest.py.
"""
from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any

import pytest

from local_db.db import open_db
from sync.auth import KeyPair
from sync.hub.testing import run_hub_thread
from sync.terminal_identity import IdentityStore, TerminalIdentity, enroll
from terminal_helpers import STATION, HookedSession, RealHub
from zdb_contract_hub import ContractHub


@pytest.fixture
def data_dir(kiosk_db_path: Path) -> Path:
    return kiosk_db_path.parent


@pytest.fixture
def db(kiosk_db_path: Path):
    database = open_db(kiosk_db_path, migrate=False)
    yield database
    database.conn.close()


# --- the reference hub, requiring signatures -----------------------------------------------------------------

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
