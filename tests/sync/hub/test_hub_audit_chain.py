"""A station's audit chain as the hub holds it: verified, gaps told apart from tampering, on both backends."""
import json
import subprocess
import sys
from datetime import datetime, timezone

import pytest

from local_db import audit
from local_db.audit import AuditLog
from local_db.audit_chain import Problem
from local_db.db import open_db
from sync.hub.audit_chain import verify_station
from sync.hub.store import HubRecord
from sync.hub.testing import REPO_ROOT

from hub_helpers import OTHER_STATION, STATION

pytestmark = pytest.mark.timeout(60)
T0 = datetime(2026, 11, 25, 1, 30, tzinfo=timezone.utc)


@pytest.fixture
def trail(tmp_path) -> list[HubRecord]:
    """Six entries as a kiosk of STATION wrote them, as validated push records."""
    db = open_db(tmp_path / "kiosk.db")
    log = AuditLog(db, STATION, clock=lambda: T0)
    for i in range(3):
        log.record(audit.agent_actor(f"ag-{i}"), audit.LOGIN)
        log.record(audit.agent_actor(f"ag-{i}"), audit.LOGOUT, outcome="idle")
    rows = db.execute("SELECT o.record_id, o.payload FROM outbox o JOIN audit a ON a.id = o.record_id"
                      " ORDER BY a.seq").fetchall()
    db.conn.close()
    return [HubRecord(record_id, "audit", json.loads(payload)) for record_id, payload in rows]


def tamper(store, record_id: str, **changes) -> None:
    payload = store.get(record_id).payload | changes
    store._transact(lambda tx: tx.execute("UPDATE records SET payload=? WHERE id=?",
                                          (json.dumps(payload), record_id)))


def test_a_complete_chain_verifies(hub_store, trail):
    hub_store.ingest(STATION, trail[3:])      # pushed out of order: the chain is by seq, not arrival
    hub_store.ingest(STATION, trail[:3])
    report = verify_station(hub_store, STATION)
    assert report.ok and report.checked == 6 and report.gaps == () and report.head_seq == 6
    assert verify_station(hub_store, OTHER_STATION).checked == 0


def test_entries_not_pushed_yet_are_gaps_not_tampering(hub_store, trail):
    hub_store.ingest(STATION, [trail[1], trail[2], trail[5]])
    report = verify_station(hub_store, STATION)
    assert report.ok and report.checked == 3 and report.gaps == ((1, 1), (4, 5))


def test_an_edited_entry_is_found(hub_store, trail):
    hub_store.ingest(STATION, trail)
    tamper(hub_store, trail[2].id, actor="agent:ag-9")
    report = verify_station(hub_store, STATION)
    assert (report.ok, report.first_bad_seq, report.problem, report.checked) == (False, 3, Problem.EDITED, 2)


def test_an_entry_rehashed_after_an_edit_no_longer_links(hub_store, trail):
    from local_db.audit_chain import link_hash
    hub_store.ingest(STATION, trail)
    p = trail[2].payload
    forged = link_hash(p["seq"], p["prev_hash"], p["id"], p["created_at"], "agent:ag-9", p["action"], p["target"],
                       p["outcome"], p["station_id"])
    tamper(hub_store, trail[2].id, actor="agent:ag-9", hash=forged)
    report = verify_station(hub_store, STATION)
    assert (report.ok, report.first_bad_seq, report.problem) == (False, 4, Problem.REORDERED)


def test_an_entry_claiming_another_station_is_refused(hub_store, trail):
    hub_store.ingest(OTHER_STATION, trail[:2])
    report = verify_station(hub_store, OTHER_STATION)
    assert not report.ok and report.problem is Problem.EDITED


def test_entries_from_before_the_chain_are_counted_apart(hub_store, trail):
    legacy = {k: v for k, v in trail[0].payload.items() if k not in ("seq", "prev_hash", "hash")}
    hub_store.ingest(STATION, [HubRecord("legacy-1", "audit", legacy | {"id": "legacy-1"}), *trail])
    report = verify_station(hub_store, STATION)
    assert report.ok and report.unchained == 1 and report.checked == 6


def test_the_cli_reports_json_and_fails_on_tampering(hub_store, trail, db_spec, tmp_path):
    hub_store.ingest(STATION, trail[:4])

    def verify() -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "sync.hub", "verify-audit", "--station", STATION,
                               "--db", db_spec, "--data-dir", str(tmp_path / "data")],
                              cwd=REPO_ROOT, capture_output=True, text=True, timeout=60)
    done = verify()
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert (out["station_id"], out["ok"], out["checked"], out["gaps"]) == (STATION, True, 4, [])
    tamper(hub_store, trail[1].id, outcome="manual")
    done = verify()
    out = json.loads(done.stdout)
    assert done.returncode == 1 and (out["ok"], out["first_bad_seq"], out["problem"]) == (False, 2, "edited")
