"""免申即享 end to end over loopback: the hub publishes rules, the kiosk offers what they say; a resident's claim
reaches the hub as a `benefit_claim`, staff see it under its own label, mark it handled, and the kiosk hears."""
import json
import re
from datetime import datetime, timezone

import pytest

from kiosk.benefit_claims import BenefitClaims
from kiosk.benefits import LiveBenefits, card_facts, matching
from kiosk.events import EventBus
from kiosk.records import Identity
from local_db.store import ApplicationStore
from local_db.sync_state import installed_bundle
from sync.events import BundleApplied
from sync.hub.context import HubConfig
from sync.hub.keys import publish_bundle
from sync.terminal_identity import IdentityStore, enroll
from terminal_helpers import STATION, delivered_ids, make_engine

pytestmark = pytest.mark.timeout(90)
PASSWORD = "staff-pw-benefits"
STAFF = ("staff", PASSWORD)
NOW = datetime(2026, 11, 25, 2, 0, tzinfo=timezone.utc)
ELDER = Identity(source="idcard", name="王海生", id_number="330902194003150012", gender="男", birth_date="1940-03-15",
                 address="浙江省舟山市定海区环城南路1号")
FISHERS = {"benefits": [{
    "id": "fisher_care", "name": "渔民养老补助", "summary": "按规定标准发放", "department": "区海洋与渔业局",
    "next_step": "核实后按月发放", "rule": {"all": [{"fact": "age", "op": "ge", "value": 60},
                                              {"fact": "area_code", "op": "prefix", "value": "3309"}]}}]}


@pytest.fixture
def hub(start_hub):
    return start_hub(config=HubConfig(require_auth=True, staff_password=PASSWORD))


@pytest.fixture
def wired(hub, db, data_dir, session, kiosk_db_path):
    """An enrolled kiosk whose benefits in force follow what sync installs, as kiosk/app.py wires them."""
    bus = EventBus()
    live = LiveBenefits(lambda: installed_bundle(kiosk_db_path, "benefits"))
    bus.subscribe(BundleApplied, live.on_bundle_applied)
    identity = enroll(IdentityStore(data_dir), hub.url, STATION, hub.code(), session=session)
    return live, make_engine(db, session, hub.url, identity, data_dir, publish=bus.publish)


def offered(live: LiveBenefits) -> set[str]:
    return {b.id for b in matching(live.current, card_facts(ELDER, NOW))}


def staff_post(session, hub, record_id, action, **fields):
    page = session.get(f"{hub.url}/staff/terminals", auth=STAFF, timeout=10).text
    token = re.search(r'name="csrf" value="([0-9a-f]+)"', page).group(1)
    return session.post(f"{hub.url}/staff/records/{record_id}/{action}", auth=STAFF, timeout=10,
                        allow_redirects=False, data={"csrf": token, **fields})


def test_published_rules_reach_the_kiosk_and_change_what_is_offered(hub, wired):
    live, engine = wired
    assert "elderly_allowance_80" in offered(live) and live.current.version == "seed"
    publish_bundle(hub.store, hub.keys, "benefits", json.dumps(FISHERS, ensure_ascii=False))
    assert engine.run().error is None
    assert offered(live) == {"fisher_care"} and live.current.version == "1"


def test_rules_a_kiosk_refuses_leave_the_ones_in_force(hub, wired, db):
    live, engine = wired
    publish_bundle(hub.store, hub.keys, "benefits", json.dumps(FISHERS, ensure_ascii=False))
    engine.run()
    bad = json.loads(json.dumps(FISHERS))
    bad["benefits"][0]["rule"] = {"fact": "income", "op": "lt", "value": 1000}
    publish_bundle(hub.store, hub.keys, "benefits", json.dumps(bad))   # the library signs anything; kiosks check
    engine.run()
    assert offered(live) == {"fisher_care"} and live.current.version == "1"
    assert "unknown fact 'income'" in db.execute("SELECT value FROM meta WHERE key='sync.last_bundle_refusal'"
                                                 ).fetchone()[0]


def test_a_claim_reaches_staff_under_its_own_label_and_handled_comes_back(hub, wired, db, session):
    live, engine = wired
    store = ApplicationStore(db, STATION, "T01")
    veteran = live.current.get("veteran_card")
    [claim] = BenefitClaims(store).confirm(ELDER, [veteran], {"veteran": True, "disability": False}, "seed")
    assert engine.run().error is None and claim.id in delivered_ids(db)

    record = hub.store.get(claim.id)
    assert record.kind == "benefit_claim"
    assert record.payload["applicant"] == {"name": "王海生", "id_number": ELDER.id_number, "doc_type": "resident"}
    assert record.payload["declared"] == {"veteran": True}   # only what this benefit's rule relied on
    assert set(record.payload) == {"id", "kind", "item_id", "item_name", "station_id", "created_at", "benefit_id",
                                   "benefit_name", "department", "rules_version", "applicant", "declared"}

    listing = session.get(f"{hub.url}/", auth=STAFF, timeout=10).text
    assert "免申即享 · 退役军人优待证" in listing and ELDER.id_number not in listing and "330****" in listing
    page = session.get(f"{hub.url}/staff/records/{claim.id}", auth=STAFF, timeout=10).text
    assert "区退役军人事务局" in page and "退役军人：是" in page and "王**" in page
    assert ELDER.id_number not in page and "王海生" not in page

    assert staff_post(session, hub, claim.id, "status", status="done", note="已制证").status_code == 303
    assert engine.run().error is None
    assert db.execute("SELECT status, note FROM record_status WHERE record_id=?", (claim.id,)).fetchone() == \
        ("done", "已制证")


class HubWithoutBenefits:
    """A hub from before the benefits stream: 404 unknown_stream for it, an empty page for every other."""

    def __init__(self):
        self.asked = []

    def request(self, method, path, **kw):
        from sync.transport import HubHttpError, HubReply

        self.asked.append(path.rsplit("/", 1)[1])
        if path.endswith("/benefits"):
            raise HubHttpError(404, error="unknown_stream")
        return HubReply(200, {}, json.dumps({"items": [], "next_cursor": "c1", "more": False}).encode())


def test_a_hub_without_the_benefits_stream_is_no_failure_and_the_seed_stays(db, data_dir, kiosk_db_path):
    from sync.pull import Puller

    hub = HubWithoutBenefits()
    Puller(db, hub, data_dir=data_dir, hub_public_key=None).pull_all()
    assert "benefits" in hub.asked[hub.asked.index("update"):]   # asked after every older stream
    assert LiveBenefits(lambda: installed_bundle(kiosk_db_path, "benefits")).current.version == "seed"
