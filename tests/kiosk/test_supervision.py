"""好差评 rules and 办不成事 reports at the station, Qt-free: a bad rating needs a reason; every service ending
names itself in the rating; a report is checked, stored through the outbox with codes for screen and service,
audited with codes only, and its text and phone purged once delivered."""
from datetime import datetime, timezone

import pytest

from kiosk import report as reports
from kiosk.rating import BAD_REASONS, GOOD_REASONS, OTHER, SERVICES, rating_problem
from kiosk.report import REASONS, ReportDraft, ReportRefused, ReportStore, check_report
from local_db import audit
from local_db.db import open_db
from local_db.retention import purge_delivered
from local_db.store import ApplicationStore, Outbox
from tests.clocks import TickingClock

T0 = datetime(2026, 11, 25, 1, 30, tzinfo=timezone.utc)
PHONE = "13957012345"
WORDS = "机器说读不了卡，换了两次都不行"


@pytest.fixture
def store(tmp_path):
    db = open_db(tmp_path / "k.db")
    yield ApplicationStore(db, "st-1", "DH001", clock=TickingClock(T0))
    db.conn.close()


# --- 好差评 ----------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("level, reasons, comment, problem", [
    (5, (), "", None),                                  # good ratings: reasons optional
    (4, ("quick",), "", None),
    (3, (), "", "reason_needed"),                       # bad ratings: at least one reason
    (2, ("slow",), "", None),
    (1, (OTHER,), "", "reason_needed"),                 # 其他 needs its few words
    (1, (OTHER,), "   ", "reason_needed"),
    (1, (OTHER,), "等太久了", None),
    (2, ("quick",), "", "unknown_reason"),              # a good reason on a bad rating
    (2, ("slow",), "字" * 61, "comment_too_long"),
])
def test_a_bad_rating_needs_a_reason(level, reasons, comment, problem):
    assert rating_problem(level, reasons, comment) == problem


def test_reason_lists_and_services_are_codes():
    assert OTHER in BAD_REASONS and OTHER not in GOOD_REASONS
    assert {"application", "agent_filing", "bundle", "certificate_request", "certificate_print", "progress_query",
            "booking", "need"} == set(SERVICES)


def test_a_rating_names_its_service_and_item_and_old_style_calls_still_work(store):
    store.rate("sb.x", None, 5, ())                                  # an older caller: no service, no name
    store.rate("", None, 2, ("slow",), service="progress_query", item_name="户籍证明开具")
    first, second = (item.payload for item in Outbox(store.db).pending())
    assert "service" not in first and "item_name" not in first
    assert second["service"] == "progress_query" and second["item_name"] == "户籍证明开具"


# --- 办不成事 ----------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("draft, errors", [
    (ReportDraft("", screen="home"), {"reason": "missing"}),
    (ReportDraft("lost", screen="home"), {"reason": "bad_choice"}),
    (ReportDraft(OTHER, screen="home"), {"text": "missing"}),
    (ReportDraft("cannot_find", "字" * 101, screen="home"), {"text": "too_long"}),
    (ReportDraft("cannot_find", phone="1395", screen="home"), {"phone": "bad_phone"}),
    (ReportDraft("cannot_find", screen="王海生"), {"screen": "bad_code"}),
    (ReportDraft("cannot_find", screen="form", service="sb.sbk_apply"), {}),
])
def test_report_checks(draft, errors):
    assert check_report(draft.trimmed()) == errors


def test_a_report_is_stored_through_the_outbox_with_codes_and_audited_without_personal_data(store):
    filed = ReportStore(store).file(ReportDraft("machine_fault", WORDS, "139 5701 2345", "identify",
                                                "sb.sbk_apply"), language="en", elderly=True)
    [queued] = [i for i in Outbox(store.db).pending() if i.kind == reports.KIND]
    assert queued.record_id == filed.id and queued.payload == {
        "id": filed.id, "kind": "report", "station_id": "st-1", "created_at": filed.created_at,
        "reason": "machine_fault", "screen": "identify", "service": "sb.sbk_apply", "language": "en",
        "elderly": True, "text": WORDS, "phone": PHONE}
    raw = store.db.execute("SELECT payload FROM outbox WHERE record_id=?", (filed.id,)).fetchone()[0]
    assert PHONE not in raw and "读不了卡" not in raw                       # sealed at rest
    trail = store.db.execute("SELECT actor, action, target, outcome FROM audit").fetchall()
    assert trail == [(audit.RESIDENT, audit.REPORT_FILED, filed.id, "machine_fault")]


def test_a_refused_report_keeps_nothing(store):
    with pytest.raises(ReportRefused) as refused:
        ReportStore(store).file(ReportDraft(OTHER, "", PHONE, "home"))
    assert refused.value.errors == {"text": "missing"}
    assert Outbox(store.db).pending_count() == 0


def test_an_agent_at_the_desk_files_a_report_as_themselves(store):
    ReportStore(store).file(ReportDraft("elsewhere", screen="agent_home"), agent_id="ag-7")
    assert store.db.execute("SELECT actor FROM audit").fetchone()[0] == "agent:ag-7"


def test_the_audit_catalogue_knows_every_report_reason():
    assert audit.EVENTS[audit.REPORT_FILED].outcomes == frozenset(REASONS)


def test_delivered_reports_lose_their_text_and_phone(store):
    filed = ReportStore(store).file(ReportDraft("cannot_understand", WORDS, PHONE, "detail", "sb.x"))
    Outbox(store.db, TickingClock(T0)).mark_delivered([filed.id])
    purge_delivered(store.db, None, keep_days=0, clock=TickingClock(datetime(2026, 12, 30, tzinfo=timezone.utc)))
    raw = store.db.execute("SELECT payload FROM outbox WHERE record_id=?", (filed.id,)).fetchone()[0]
    opened = Outbox(store.db)._payload(filed.id, raw)
    assert opened["purged"] and "phone" not in opened and "text" not in opened
