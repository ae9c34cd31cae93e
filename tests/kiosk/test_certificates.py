"""证明直通车 on the kiosk: which items are certificate requests, their route, and what the station refuses."""
import json

import pytest

from kiosk.catalog import load_catalog, parse_catalog
from kiosk.certificates import LEVELS, can_request_here, is_certificate_item, route_for
from kiosk.flow import FlowError, Problem
from local_db.store import Outbox
from tests.local_db.sealed_helpers import opened_payload
from tests.kiosk.flow_helpers import station


def item(item_id, department, category="证明开具", places=("station", "town", "district"), modes=("自助办", "帮办"),
         form=True):
    return {"id": item_id, "name": item_id, "category": category, "places": list(places), "modes": list(modes),
            "department": department, "guide": ["刷身份证"],
            "form": [{"key": "name", "label": "姓名", "prefill": "name"},
                     {"key": "purpose", "label": "证明用途", "kind": "choice", "choices": ["子女入学", "其他"]}]
            if form else []}


CATALOG = parse_catalog({
    "items": [
        item("zm.hj", "舟山市公安局定海分局"),
        item("zm.town", "所在镇（乡）人民政府、街道办事处"),
        item("sb.cert", "定海区人力社保局", category="社保"),           # a certificate by theme, not by category
        item("sw.tax", "国家税务总局舟山市定海区税务局", category="税务"),
        item("zm.far", "定海区民政局", places=("district",), modes=("导办",), form=False),
        item("zm.agent", "定海区民政局", modes=("帮办", "导办"), form=False),
        item("sb.other", "定海区人力社保局", category="社保"),          # no certificate
    ],
    "themes": [{"id": "open_proof", "title": "我要开证明", "item_ids": ["zm.hj", "sb.cert", "sw.tax"]}],
})


@pytest.mark.parametrize("item_id, certificate", [
    ("zm.hj", True), ("zm.town", True), ("sb.cert", True), ("sw.tax", True), ("zm.far", True), ("sb.other", False)])
def test_certificate_items_come_from_the_theme_and_the_category(item_id, certificate):
    assert is_certificate_item(CATALOG, CATALOG.get(item_id)) is certificate


@pytest.mark.parametrize("item_id, route", [
    ("zm.hj", ("village", "town", "district")),      # 舟山市…
    ("sb.cert", ("village", "town", "district")),    # 定海区…
    ("sw.tax", ("village", "town", "district")),     # 国家税务总局…
    ("zm.town", ("village", "town")),                # the town issues it itself
])
def test_route_starts_here_and_reaches_the_district_for_district_bodies(item_id, route):
    assert route_for(CATALOG.get(item_id)) == route


def test_every_seed_certificate_has_a_route_and_most_can_be_requested_here():
    catalog = load_catalog()
    certificates = [i for i in catalog.items.values() if is_certificate_item(catalog, i)]
    assert len(certificates) >= 10
    assert all(route_for(i)[0] == "village" and set(route_for(i)) <= set(LEVELS) for i in certificates)
    assert not can_request_here(catalog.get("zm.cremation_proof"), by_agent=True)   # district-only, 导办
    assert can_request_here(catalog.get("zm.kin_proof"), by_agent=True)
    assert not can_request_here(catalog.get("zm.kin_proof"), by_agent=False)        # 帮办 only


@pytest.fixture
def kiosk(tmp_path):
    with station(tmp_path, CATALOG) as (flow, _devices, store):
        yield flow, store


def test_a_certificate_request_goes_out_with_its_route_and_purpose(kiosk):
    flow, store = kiosk
    session = flow.begin_certificate("zm.hj")
    flow.identify_by_card(session)
    assert flow.set_answers(session, {"purpose": "子女入学"}) == {}
    app = flow.submit(session)
    [queued] = Outbox(store.db).pending()
    assert queued.record_id == app.id and queued.kind == "certificate_request"
    assert queued.payload["kind"] == "certificate_request"
    assert queued.payload["route"] == ["village", "town", "district"] and queued.payload["purpose"] == "子女入学"
    assert queued.payload["receipt_no"] == app.receipt_no


@pytest.mark.parametrize("item_id", ["sb.other", "zm.hj"])
def test_begin_still_files_an_application(kiosk, item_id):
    flow, store = kiosk
    session = flow.begin(item_id)
    flow.identify_by_card(session)
    flow.set_answers(session, {"purpose": "其他"})
    flow.submit(session)
    [queued] = Outbox(store.db).pending()
    assert queued.kind == "application" and "route" not in queued.payload


@pytest.mark.parametrize("item_id,kind", [("zm.hj", "certificate_request"), ("sb.other", "application")])
def test_the_guide_opens_a_certificate_by_zhengming_zhitongche_and_anything_else_as_an_application(
        kiosk, item_id, kind):
    flow, store = kiosk
    session = flow.begin_from_guide(item_id)
    flow.identify_by_card(session)
    flow.set_answers(session, {"purpose": "其他"})
    flow.submit(session)
    [queued] = Outbox(store.db).pending()
    assert queued.kind == kind


@pytest.mark.parametrize("item_id", ["sb.other", "zm.far", "zm.agent"])
def test_a_certificate_the_station_cannot_handle_is_refused_and_nothing_is_saved(kiosk, item_id):
    flow, store = kiosk
    with pytest.raises(FlowError) as err:
        flow.begin_certificate(item_id)
    assert err.value.code is Problem.CERTIFICATE_NOT_HERE and err.value.detail == item_id
    assert Outbox(store.db).pending_count() == 0
    assert store.db.execute("SELECT COUNT(*) FROM applications").fetchone()[0] == 0


def test_an_unknown_item_is_unknown(kiosk):
    flow, _ = kiosk
    with pytest.raises(FlowError) as err:
        flow.begin_certificate("zm.nothing")
    assert err.value.code is Problem.UNKNOWN_ITEM


def test_payload_is_json_safe(kiosk):
    flow, store = kiosk
    session = flow.begin_certificate("zm.town")
    flow.identify_by_card(session)
    flow.set_answers(session, {"purpose": "其他"})
    flow.submit(session)
    record_id = store.db.execute("SELECT record_id FROM outbox").fetchone()[0]
    assert json.loads(opened_payload(store.db, record_id))["route"] == ["village", "town"]
