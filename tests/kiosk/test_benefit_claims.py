"""免申即享 claims at the kiosk: one transaction per confirmation, sealed, audited, and a keyed marker (never the
ID number) so the same resident is not offered the same benefit twice here."""
import json
from datetime import datetime, timezone

import pytest

from kiosk.benefit_claims import KIND, MARKER_KEY, MARKER_PREFIX, BenefitClaims
from kiosk.benefits import load_seed
from kiosk.records import Identity
from local_db import audit
from local_db.db import open_db
from local_db.store import ApplicationStore, Outbox
from tests.clocks import TickingClock
from tests.local_db.sealed_helpers import opened_payload, stored_rows_text

T0 = datetime(2026, 11, 25, 1, 30, tzinfo=timezone.utc)
ELDER = Identity(source="idcard", name="王海生", id_number="330902194003150012", gender="男", birth_date="1940-03-15",
                 address="浙江省舟山市定海区环城南路1号")
OTHER = Identity(source="idcard", name="陈美玲", id_number="330903199002150026")


@pytest.fixture
def store(tmp_path):
    db = open_db(tmp_path / "k.db")
    yield ApplicationStore(db, "st-1", "DH001", clock=TickingClock(T0))
    db.conn.close()


def seed(*ids):
    benefits = load_seed()
    return [benefits.get(i) for i in ids]


def test_a_confirmation_is_one_sealed_outbox_record_per_benefit_with_its_audit_entry(store):
    claims = BenefitClaims(store).confirm(ELDER, seed("elderly_allowance_80", "veteran_card"),
                                          {"veteran": True, "disability": False}, "seed")
    assert [c.benefit_id for c in claims] == ["elderly_allowance_80", "veteran_card"]
    kinds = [(i.record_id, i.kind) for i in Outbox(store.db).pending(100) if i.kind == KIND]
    assert kinds == [(c.id, KIND) for c in claims]
    payload = json.loads(opened_payload(store.db, claims[1].id))
    assert payload["applicant"]["id_number"] == ELDER.id_number and payload["declared"] == {"veteran": True}
    assert json.loads(opened_payload(store.db, claims[0].id))["declared"] == {}   # age and address come from the card
    trail = [(e.action, e.actor, e.target) for e in store.audit.recent()]
    assert {(audit.BENEFIT_CLAIMED, "resident", c.id) for c in claims} <= set(trail)
    on_disk = stored_rows_text(store.db)
    assert ELDER.id_number not in on_disk and "王海生" not in on_disk


def test_an_agent_helping_is_named_by_id(store):
    [claim] = BenefitClaims(store).confirm(ELDER, seed("veteran_card"), {"veteran": True}, "7", agent_id="ag-7")
    payload = json.loads(opened_payload(store.db, claim.id))
    assert payload["filed_by"] == {"agent_id": "ag-7", "role": "agent"} and payload["rules_version"] == "7"
    assert any(e.actor == "agent:ag-7" and e.target == claim.id for e in store.audit.recent())


def test_already_claimed_is_known_for_that_resident_only_by_a_keyed_marker(store):
    claims = BenefitClaims(store)
    assert claims.claimed(ELDER, ["veteran_card"]) == frozenset()     # nothing yet: not even a key is made
    assert store.db.execute("SELECT COUNT(*) FROM meta WHERE key=?", (MARKER_KEY,)).fetchone()[0] == 0
    claims.confirm(ELDER, seed("veteran_card"), {"veteran": True}, "seed")
    assert claims.claimed(ELDER, ["veteran_card", "senior_bus_pass"]) == {"veteran_card"}
    assert claims.claimed(OTHER, ["veteran_card"]) == frozenset()
    markers = [k for (k,) in store.db.execute("SELECT key FROM meta WHERE key LIKE ?", (MARKER_PREFIX + "%",))]
    assert len(markers) == 1 and ELDER.id_number not in markers[0] and ELDER.id_number[-6:] not in markers[0]
    key_row = store.db.execute("SELECT value FROM meta WHERE key=?", (MARKER_KEY,)).fetchone()[0]
    assert store.db.sealer.open(key_row, "meta:" + MARKER_KEY) != key_row   # sealed at rest


def test_a_marker_key_that_no_longer_opens_is_replaced_and_old_markers_stop_matching(store):
    claims = BenefitClaims(store)
    claims.confirm(ELDER, seed("veteran_card"), {"veteran": True}, "seed")
    store.db.execute("UPDATE meta SET value='damaged' WHERE key=?", (MARKER_KEY,))
    assert claims.claimed(ELDER, ["veteran_card"]) == frozenset()
    claims.confirm(ELDER, seed("senior_bus_pass"), {}, "seed")
    assert claims.claimed(ELDER, ["veteran_card", "senior_bus_pass"]) == {"senior_bus_pass"}


def test_declining_stores_nothing(store):
    before = stored_rows_text(store.db)
    assert BenefitClaims(store).confirm(ELDER, [], {"veteran": True}, "seed") == ()
    assert Outbox(store.db).pending(100) == []
    assert stored_rows_text(store.db).count("benefit") == before.count("benefit")
