"""The audit chain end to end: a kiosk writes its trail, pushes it to the reference hub, and the hub's copy
verifies; an entry edited on the hub is found there."""
import json

import pytest

from local_db import audit
from local_db.audit import AuditLog, verify_chain
from sync.hub.audit_chain import verify_station
from terminal_helpers import STATION, delivered_ids, make_engine

pytestmark = pytest.mark.timeout(60)


def test_the_hub_verifies_the_pushed_chain_and_finds_an_edit(real_hub, terminal, db, data_dir, session):
    trail = AuditLog(db, STATION)
    entries = [trail.record(audit.agent_actor("ag-7"), audit.LOGIN),
               trail.record(audit.SYSTEM, audit.PERSONAL_DATA_PURGED, "01937c5e-1a2b-7000-8000-123456789012"),
               trail.record(audit.agent_actor("ag-7"), audit.LOGOUT, outcome="manual")]

    outcome = make_engine(db, session, real_hub.url, terminal, data_dir).run()

    assert outcome.error is None and set(delivered_ids(db)) >= {e.id for e in entries}
    local = verify_chain(db)
    report = verify_station(real_hub.store, STATION)
    assert report.ok and report.checked == 3 and report.gaps == ()
    assert (report.head_seq, report.head_hash) == (local.head_seq, local.head_hash)

    payload = real_hub.store.get(entries[1].id).payload | {"target": ""}
    real_hub.store._transact(lambda tx: tx.execute("UPDATE records SET payload=? WHERE id=?",
                                                   (json.dumps(payload), entries[1].id)))
    report = verify_station(real_hub.store, STATION)
    assert (report.ok, report.first_bad_seq, report.problem.value) == (False, 2, "edited")
