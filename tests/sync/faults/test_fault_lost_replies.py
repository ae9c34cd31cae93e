"""Replies lost after the hub committed: a loopback proxy drops or cuts some of the hub's replies. The terminal
(enrolled, signing every request) retries; the hub answers "duplicate"; every record lands exactly once."""
import random

import pytest

from fault_helpers import (STATION, CuttingProxy, assert_hub_exactly_once, assert_terminal_intact, fault_seed,
                           make_kiosk_db)
from local_db.db import open_db
from local_db.store import Outbox
from sync.client import PushResult, SyncClient
from sync.hub.testing import enroll_test_terminal, loopback_session, run_hub_thread
from sync.protocol import SyncError
from sync.terminal_identity import TerminalIdentity

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(60)]

RECORDS = 200
BATCH = 4
CUT_P = 0.3
MAX_PUSHES = 2000   # bound: ~RECORDS / BATCH / (1 - CUT_P) pushes are expected


def test_lost_replies_are_retried_and_stored_once(tmp_path):
    rng = random.Random(fault_seed("lost replies"))
    kiosk_db = tmp_path / "kiosk.db"
    ids = make_kiosk_db(kiosk_db, RECORDS)
    with run_hub_thread(tmp_path / "hub.db", require_auth=True) as (url, store):
        enrolled = enroll_test_terminal(url, store, STATION)
        with CuttingProxy(int(url.rsplit(":", 1)[1]), rng, CUT_P) as proxy:
            identity = TerminalIdentity(enrolled.terminal_id, STATION, enrolled.hub_public_key, enrolled.keys,
                                        proxy.url)
            total, failures = _push_until_drained(kiosk_db, proxy.url, identity)
        print(f"lost replies: {proxy.replies} reply chunks, {proxy.cut} cut, {failures} failed pushes, "
              f"{len(total.accepted)} accepted, {len(total.duplicate)} duplicate")
        assert proxy.cut > 0 and failures > 0
        assert len(total.duplicate) > 0, "a cut reply to a committed batch should come back duplicate"
        assert len(set(total.accepted)) == len(total.accepted)
        assert set(total.accepted) | set(total.duplicate) == set(ids)
        assert_hub_exactly_once(store, ids)
    assert_terminal_intact(kiosk_db, ids, drained=True)


def _push_until_drained(kiosk_db, url, identity) -> tuple[PushResult, int]:
    db = open_db(kiosk_db, migrate=False)
    session = loopback_session()
    try:
        outbox = Outbox(db)
        client = SyncClient(outbox, url, STATION, session=session, timeout_s=2.0, batch_size=BATCH,
                            identity=identity)
        total, failures = PushResult(sent=0), 0
        for _ in range(MAX_PUSHES):
            if outbox.pending_count() == 0:
                return total, failures
            try:
                total += client.push()
            except SyncError:
                failures += 1   # the worker would back off and retry; here we retry at once
        raise AssertionError(f"outbox not drained after {MAX_PUSHES} pushes")
    finally:
        session.close()
        db.conn.close()
