"""好差评 dashboard on the hub: figures from pushed ratings and 办不成事 reports checked against a hand-computed
fixture (China-time day boundaries included), the page and its SVG charts well-formed, staff-only, on both
stores; a report's text and phone never reach the figures or the export."""
import json
import re
import xml.etree.ElementTree as ET
from datetime import date, datetime, timezone

import pytest

from sync.hub import dashboard
from sync.hub.staff_dashboard import bar_chart, line_chart
from sync.hub.validation import parse_records_request

from hub_helpers import OTHER_STATION, STAFF_PASSWORD, STATION, push, record, results

pytestmark = pytest.mark.timeout(60)
STAFF = ("staff", STAFF_PASSWORD)
DAY = date(2026, 11, 25)                      # China time
NOW = datetime(2026, 11, 25, 4, 0, tzinfo=timezone.utc)   # 12:00 in China
PHONE = "13957012345"
SVG = "{http://www.w3.org/2000/svg}svg"


def rating(rid, level, created_at, reasons=(), item_id="", **extra):
    return record(rid, kind="rating", level=level, reasons=list(reasons), item_id=item_id, created_at=created_at,
                  application_id=None, comment=extra.pop("comment", ""), **extra)


def report(rid, reason, screen, created_at, **extra):
    return record(rid, kind="report", reason=reason, screen=screen, service="", created_at=created_at, **extra)


# station A (STATION) and B (OTHER_STATION); comments give each record's China day
FIXTURE_A = [
    rating("r1", 5, "2026-11-24T16:00:00+00:00", item_id="a1", item_name="事项一"),   # 11-25 00:00:00
    rating("r2", 2, "2026-11-25T15:59:59+00:00", ("slow",), item_id="a1"),            # 11-25 23:59:59
    rating("r3", 4, "2026-11-25T16:00:00+00:00", item_id="a1"),                       # 11-26: after the day
]
FIXTURE_B = [
    rating("r4", 1, "2026-11-24T15:59:59+00:00", item_id="a1"),          # 11-24 23:59:59, old: no reason
    report("r5", "machine_fault", "identify", "2026-11-25T02:00:00+00:00", text="读卡器没反应", phone=PHONE),
    rating("r6", 3, "2026-11-25T01:00:00Z", ("other",), service="progress_query", comment="等了很久"),
    rating("r7", 5, "2026-11-19T03:00:00+00:00", item_id="a2"),          # 11-19: the week's first day
    rating("r8", 5, "2026-11-18T15:00:00+00:00", item_id="a2"),          # 11-18 23:00: before the week
    report("r9", "cannot_find", "home", "garbage"),                      # no readable time: the day it arrived
]


def ingest(store, station_id, records):
    """Through the hub's own request checks, at the hub time the fixture sets (signed pushes need real time)."""
    body = json.dumps({"station_id": station_id, "records": records}, ensure_ascii=False).encode("utf-8")
    station, items = parse_records_request(body)
    assert all(r.status.value == "accepted" for r in store.ingest(station, items))


@pytest.fixture
def filled(hub):
    hub.clock.offset = NOW - datetime.now(timezone.utc)
    ingest(hub.store, STATION, FIXTURE_A)
    ingest(hub.store, OTHER_STATION, FIXTURE_B)
    return hub


def test_a_terminal_pushes_a_report_and_the_hub_accepts_it(session, hub, terminal):
    reply = push(session, hub.url, terminal, STATION, [report("p1", "elsewhere", "detail",
                                                              "2026-11-25T02:00:00+00:00")])
    assert results(reply) == [("p1", "accepted", None)]
    assert hub.store.get("p1").kind == "report"


def test_figures_match_the_hand_computed_fixture(filled):
    d = dashboard.build(filled.store, DAY)
    t = d.today
    assert (t.total.ratings, t.total.good, t.total.reports) == (3, 1, 2)          # r1 r2 r6; r5 r9
    assert t.total.satisfaction == pytest.approx(1 / 3)
    assert dict(t.bad_reasons) == {"slow": 1, "other": 1} and t.no_reason == 0
    assert dict(t.report_reasons) == {"machine_fault": 1, "cannot_find": 1}
    assert dict(t.report_screens) == {"identify": 1, "home": 1}
    assert {s: (x.ratings, x.good, x.reports) for s, x in t.stations.items()} == {
        STATION: (2, 1, 0), OTHER_STATION: (1, 0, 2)}
    assert [r.id for r in t.bad_ratings] == ["r2", "r6"]
    # the week 11-19 .. 11-25
    assert [x.day for x in d.week][0] == date(2026, 11, 19) and d.week[-1] is t
    assert (d.week_total.ratings, d.week_total.good, d.week_total.reports) == (5, 2, 2)   # r1 r2 r4 r6 r7
    assert [(x.day.day, x.total.ratings) for x in d.week if x.total.ratings] == [(19, 1), (24, 1), (25, 3)]
    assert d.week[5].no_reason == 1                                                   # r4, on 11-24
    assert [(s.key, s.ratings, s.bad) for s in d.worst_services] == [("a1", 3, 2)]    # r1 r2 r4
    assert d.worst_services[0].name == "事项一"
    assert [(s.station_id, s.why) for s in d.attention] == [
        (OTHER_STATION, ("below_target", "reports", "unhandled")), (STATION, ("unhandled",))]
    assert sorted(r.id for r in d.unhandled) == ["r2", "r4", "r5", "r6", "r9"]


def test_a_handled_bad_rating_leaves_the_unhandled_list(filled):
    filled.store.set_status("r2", "done", "已回访")
    d = dashboard.build(filled.store, DAY)
    assert sorted(r.id for r in d.unhandled) == ["r4", "r5", "r6", "r9"]
    assert [(s.station_id, s.why) for s in d.attention][1:] == []   # station A: nothing left to look at


def test_today_comes_from_the_injected_clock(filled):
    assert dashboard.build(filled.store, clock=lambda: NOW).day == DAY
    late = datetime(2026, 11, 25, 16, 30, tzinfo=timezone.utc)        # 00:30 on 11-26 in China
    assert dashboard.build(filled.store, clock=lambda: late).today.total.ratings == 1   # r3


def test_staff_page_and_export_are_staff_only_and_hold_nothing_personal(session, filled):
    for path in ("/staff/dashboard", "/staff/dashboard.json"):
        assert session.get(filled.url + path, timeout=10).status_code == 401
    page = session.get(filled.url + "/staff/dashboard?day=2026-11-25", auth=STAFF, timeout=10)
    assert page.status_code == 200 and "好差评看板" in page.text and "33.3%" in page.text
    assert PHONE not in page.text and "读卡器没反应" not in page.text and "等了很久" not in page.text
    svgs = re.findall(r"<svg .*?</svg>", page.text, re.S)
    assert len(svgs) == 6
    for svg in svgs:
        assert ET.fromstring(svg).tag == SVG
    exported = session.get(filled.url + "/staff/dashboard.json?day=2026-11-25", auth=STAFF, timeout=10)
    figures = exported.json()
    assert figures["today"]["ratings"] == 3 and figures["week"]["ratings"] == 5
    assert figures["today"]["report_reasons"] == {"machine_fault": 1, "cannot_find": 1}
    assert PHONE not in exported.text and "读卡器" not in exported.text
    bad = session.get(filled.url + "/staff/dashboard?day=25-11-2026", auth=STAFF, timeout=10)
    assert bad.status_code == 400


def test_a_report_page_shows_the_callback_phone_to_staff(session, filled):
    page = session.get(filled.url + "/staff/records/r5", auth=STAFF, timeout=10)
    assert page.status_code == 200 and "机器故障" in page.text and PHONE in page.text and "身份核验" in page.text
    listing = session.get(filled.url + "/", auth=STAFF, timeout=10).text
    assert "办不成事" in listing and PHONE not in listing


def test_charts_are_well_formed_svg_with_their_figures_in_words():
    bars = ET.fromstring(bar_chart([("等得太久 <&>", 3), ("其他", 1)], "差评原因"))
    assert bars.tag == SVG and "等得太久 <&> 3" in bars.get("aria-label")
    assert [t.text for t in bars.iter("{http://www.w3.org/2000/svg}text")] == ["等得太久 <&>", "3", "其他", "1"]
    assert ET.fromstring(bar_chart([], "空")).tag == SVG
    line = ET.fromstring(line_chart([("11-24", 1.0), ("11-25", None), ("11-26", 0.5), ("11-27", 0.75)], 0.98, "满意率"))
    polylines = list(line.iter("{http://www.w3.org/2000/svg}polyline"))
    assert len(polylines) == 1 and len(polylines[0].get("points").split()) == 2   # a day without ratings: a gap
    assert "目标 98%" in "".join(t.text or "" for t in line.iter("{http://www.w3.org/2000/svg}text"))
