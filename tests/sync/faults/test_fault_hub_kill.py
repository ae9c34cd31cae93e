"""The hub killed with SIGKILL mid-batch, again and again, and restarted on the same port and database,
while the kiosk's real SyncWorker keeps retrying and the kiosk keeps taking applications."""
import contextlib
import random
import time

import pytest

from fault_helpers import (STEP_TIMEOUT_S, assert_hub_exactly_once, assert_terminal_intact, fault_seed, integrity,
                           make_kiosk_db, terminal_counts)
from kiosk.events import EventBus
from sync.hub.testing import HubStartError, loopback_session, run_hub_subprocess
from sync.settings import SyncSettings
from sync.worker import Backoff, SyncWorker

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(75)]

RECORDS = 300
MORE_PER_ROUND = 120
ROUNDS = 12
LIFE_S = (0.02, 0.2)   # how long each hub lives before SIGKILL


def test_hub_killed_mid_batch_every_record_once(tmp_path):
    rng = random.Random(fault_seed("hub kill -9"))
    kiosk_db, hub_db = tmp_path / "kiosk.db", tmp_path / "hub" / "hub.db"
    ids = make_kiosk_db(kiosk_db, RECORDS)
    with run_hub_subprocess(hub_db) as (proc, url):
        port = int(url.rsplit(":", 1)[1])   # the first hub picks a free port; the restarts reuse it
        settings = SyncSettings(hub_url=url, station_id="zs-test-001", sync_interval_s=0.2, sync_timeout_s=2.0,
                                sync_batch_size=2, sync_probe_interval_s=0.05)
        worker = SyncWorker(kiosk_db, EventBus(), settings=settings, session_factory=loopback_session,
                            backoff=Backoff(base_s=0.05, cap_s=0.2, floor_s=0.02))
        worker.start()
        try:
            kills_mid_push = _kill_repeatedly(rng, proc, hub_db, port, kiosk_db, ids)
            with contextlib.ExitStack() as stack:
                _start(stack, hub_db, port)
                _wait_drained(kiosk_db)
        finally:
            assert worker.stop(STEP_TIMEOUT_S)
    print(f"hub kill -9: {ROUNDS} kills, {kills_mid_push} with records still pending; {len(ids)} records")
    assert kills_mid_push >= ROUNDS // 3
    assert_terminal_intact(kiosk_db, ids, drained=True)
    assert_hub_exactly_once(hub_db, ids)


def _kill_repeatedly(rng, proc, hub_db, port, kiosk_db, ids) -> int:
    mid_push = 0
    for round_no in range(ROUNDS):
        with contextlib.ExitStack() as stack:
            if round_no:
                ids += make_kiosk_db(kiosk_db, MORE_PER_ROUND)
                proc = _start(stack, hub_db, port)
            time.sleep(rng.uniform(*LIFE_S))
            proc.kill()   # SIGKILL, whatever the hub is doing
            proc.wait(STEP_TIMEOUT_S)
        mid_push += terminal_counts(kiosk_db)["pending"] > 0
        assert integrity(hub_db) == "ok"
        assert_terminal_intact(kiosk_db, ids, drained=False)
    return mid_push


def _start(stack: contextlib.ExitStack, hub_db, port):
    """The hub on the same port and database; a just-killed hub's port may take a moment to be free."""
    for attempt in range(5):
        try:
            return stack.enter_context(run_hub_subprocess(hub_db, port=port))[0]
        except HubStartError:
            time.sleep(0.2 * (attempt + 1))
    raise HubStartError(f"hub would not restart on port {port}")


def _wait_drained(kiosk_db) -> None:
    deadline = time.monotonic() + 30.0
    while terminal_counts(kiosk_db)["pending"]:
        assert time.monotonic() < deadline, f"outbox not drained: {terminal_counts(kiosk_db)}"
        time.sleep(0.05)
