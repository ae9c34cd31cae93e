"""办不成事 and 好差评 end to end: a report and ratings made offline are pushed to a real loopback hub by the
sync engine, the hub stores the report with its codes, and the staff dashboard counts them for the day."""
import pytest

from kiosk.ids import utc_now
from kiosk.report import ReportDraft, ReportStore
from local_db.store import ApplicationStore
from sync.hub import dashboard
from sync.hub.context import HubConfig
from sync.terminal_identity import IdentityStore, enroll
from terminal_helpers import STATION, delivered_ids, make_engine

pytestmark = pytest.mark.timeout(90)
PASSWORD = "staff-pw-reports"
PHONE = "13957012345"


@pytest.fixture
def hub(start_hub):
    return start_hub(config=HubConfig(require_auth=True, staff_password=PASSWORD))


def test_an_offline_report_and_ratings_reach_the_hub_and_its_dashboard(hub, db, data_dir, session):
    store = ApplicationStore(db, STATION, "T01")
    report = ReportStore(store).file(ReportDraft("missing_material", "户口本忘带了", PHONE, "confirm", "sb.x"))
    store.rate("", None, 2, ("other",), "等太久", service="progress_query", item_name="户籍证明开具")
    store.rate("sb.x", None, 5, ("quick",), service="application", item_name="社保卡申领")

    identity = enroll(IdentityStore(data_dir), hub.url, STATION, hub.code(), session=session)
    engine = make_engine(db, session, hub.url, identity, data_dir)
    assert engine.run().error is None and report.id in delivered_ids(db)
    stored = hub.store.get(report.id)
    assert stored.kind == "report" and stored.station_id == STATION
    assert (stored.payload["reason"], stored.payload["screen"], stored.payload["service"]) == (
        "missing_material", "confirm", "sb.x")
    audits = hub.store.records_of_kind(STATION, "audit")
    filed = [r.payload for r in audits if r.payload["action"] == "report_filed"]
    assert [(a["target"], a["outcome"]) for a in filed] == [(report.id, "missing_material")]
    assert PHONE not in str(filed)

    figures = dashboard.build(hub.store, clock=utc_now)
    assert (figures.today.total.ratings, figures.today.total.good, figures.today.total.reports) == (2, 1, 1)
    assert dict(figures.today.report_reasons) == {"missing_material": 1}
    assert dict(figures.today.bad_reasons) == {"other": 1}
    page = session.get(f"{hub.url}/staff/dashboard", auth=("staff", PASSWORD), timeout=10)
    assert page.status_code == 200 and "材料不全办不了" in page.text and PHONE not in page.text
