"""kill -9 of the terminal at random moments while it pushes, many times; then one clean run drains the outbox.

After each kill the kiosk database passes integrity_check and still holds every application and outbox row;
at the end the hub holds every record exactly once and the outbox is fully delivered.
"""
import random
import time

import pytest

from fault_helpers import (Child, assert_hub_exactly_once, assert_terminal_intact, fault_seed, make_kiosk_db,
                           terminal_counts)
from sync.hub.testing import run_hub_subprocess

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(75)]

RECORDS = 200
MORE_PER_ROUND = 20   # the kiosk keeps taking applications between crashes
BATCH = 2
ROUNDS = 30
MAX_DELAY_S = 0.08   # after READY: the child is inside health()/push() for all of this window


def test_terminal_killed_mid_push_loses_and_doubles_nothing(tmp_path):
    rng = random.Random(fault_seed("terminal kill -9"))
    kiosk_db, hub_db = tmp_path / "kiosk.db", tmp_path / "hub" / "hub.db"
    ids = make_kiosk_db(kiosk_db, RECORDS)
    killed_mid_push = 0
    with run_hub_subprocess(hub_db) as (_, url):
        for _ in range(ROUNDS):
            ids += make_kiosk_db(kiosk_db, MORE_PER_ROUND)
            child = Child(kiosk_db, url, BATCH)
            try:
                child.wait_line("READY")
                before = terminal_counts(kiosk_db)["pending"]
                time.sleep(rng.uniform(0.0, MAX_DELAY_S))
                code = child.kill()
            finally:
                child.kill()
            after = terminal_counts(kiosk_db)["pending"]
            killed_mid_push += code == -9 and 0 < after < before
            assert after <= before
            assert_terminal_intact(kiosk_db, ids, drained=False)
        child = Child(kiosk_db, url, BATCH)
        try:
            child.wait_line("DONE")
            assert child.finish() == 0
        finally:
            child.kill()
    print(f"terminal kill -9: {ROUNDS} kills, {killed_mid_push} with records still pending")
    assert killed_mid_push >= ROUNDS // 3, "the kills should land while records are still being pushed"
    assert_terminal_intact(kiosk_db, ids, drained=True)
    assert_hub_exactly_once(hub_db, ids)
