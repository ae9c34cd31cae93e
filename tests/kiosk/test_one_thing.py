"""一件事, without Qt: one application covering a bundle of items, the shared data entered once."""
import json
from datetime import datetime, timezone

import pytest

from kiosk.agents import AgentSession
from kiosk.catalog import CatalogError, load_catalog, parse_catalog
from kiosk.flow import FlowError, Problem
from kiosk.one_thing import as_item, can_file
from kiosk.receipt import build_receipt
from kiosk.records import BundlePart
from tests.clocks import FakeClock
from tests.kiosk.flow_helpers import station, table_counts
from tests.kiosk.test_filing_on_behalf import ID_NUMBER, PNG, show_code
from tests.local_db.sealed_helpers import opened_payload

T0 = datetime(2026, 11, 25, 1, 30, tzinfo=timezone.utc)
PARENT = [{"key": "name", "label": "家长姓名", "prefill": "name"},
          {"key": "id_number", "label": "家长身份证号码", "prefill": "id_number"},
          {"key": "phone", "label": "联系电话", "kind": "phone"}]
RAW = {
    "items": [
        {"id": "hu.birth", "name": "出生登记", "category": "户籍", "places": ["station"], "modes": ["帮办"],
         "guide": ["帮办"], "time_limit_days": 3, "materials": [{"name": "父母户口簿"}],
         "deferrable_materials": ["父母户口簿"], "defer_days": 30},
        {"id": "yb.newborn", "name": "新生儿参保登记", "category": "医保", "places": ["station"],
         "modes": ["自助办", "帮办"], "guide": ["刷证"], "form": PARENT + [{"key": "child_name", "label": "宝宝姓名"}]},
        {"id": "sb.card", "name": "社会保障卡申领", "category": "社保", "places": ["station"], "modes": ["自助办", "帮办"],
         "guide": ["刷证"], "time_limit_days": 10,
         "form": PARENT + [{"key": "pickup", "label": "领卡方式", "kind": "choice", "choices": ["邮寄", "本站领取"]}]},
        {"id": "ws.cert", "name": "出生医学证明", "category": "卫生", "places": ["district"], "modes": ["导办"],
         "guide": ["到医院办"]},
    ],
    "bundles": [
        {"id": "newborn", "name": "新生儿一件事", "item_ids": ["hu.birth", "yb.newborn", "sb.card"],
         "shared_form": PARENT + [{"key": "child_name", "label": "宝宝姓名"}]},
        {"id": "guide_only", "name": "出生一件事", "item_ids": ["ws.cert", "hu.birth"]},
        {"id": "with_hospital", "name": "出生全程一件事", "item_ids": ["ws.cert", "hu.birth"], "shared_form": PARENT},
    ],
}
CATALOG = parse_catalog(RAW)


@pytest.fixture
def clock():
    return FakeClock(T0)


@pytest.fixture
def kiosk(tmp_path, clock):
    with station(tmp_path, CATALOG, clock) as parts:
        yield parts


@pytest.fixture
def agent(clock):
    return AgentSession("ag-7", "village_agent", T0, 300, clock)


def counts(store) -> dict[str, int]:
    return table_counts(store, "applications", "outbox", "print_journal")


def test_one_filing_one_transaction_one_receipt_shared_data_for_every_item(kiosk, agent):
    flow, devices, store = kiosk
    session = flow.begin_bundle("newborn", agent=agent)
    assert [f.key for f in session.item.form] == ["name", "id_number", "phone", "child_name", "sb.card/pickup"]
    show_code(devices)
    flow.identify_by_qr(session)
    assert flow.set_answers(session, {"phone": "13812345678", "child_name": "王小舟"}) == {"sb.card/pickup": "missing"}
    assert flow.set_answers(session, {"sb.card/pickup": "本站领取"}) == {}
    flow.record_consent(session, "signature", PNG)
    app = flow.submit(session)

    assert counts(store) == {"applications": 1, "outbox": 2, "print_journal": 1}   # outbox: + the audit entry
    assert (app.item_id, app.item_name, app.bundle_id) == ("newborn", "新生儿一件事", "newborn")
    assert app.bundle_parts == (BundlePart("hu.birth", "出生登记"), BundlePart("yb.newborn", "新生儿参保登记"),
                                BundlePart("sb.card", "社会保障卡申领"))
    assert store.load_application(app.id) == app
    payload = json.loads(opened_payload(store.db, app.id))
    assert payload["kind"] == "application" and payload["bundle_id"] == "newborn"
    shared = {"name": "王海生", "id_number": ID_NUMBER, "phone": "13812345678", "child_name": "王小舟"}
    assert payload["items"] == [
        {"item_id": "hu.birth", "item_name": "出生登记", "answers": shared},
        {"item_id": "yb.newborn", "item_name": "新生儿参保登记", "answers": shared},
        {"item_id": "sb.card", "item_name": "社会保障卡申领", "answers": shared | {"pickup": "本站领取"}},
    ]
    doc = build_receipt(app, session.item, "长岛便民服务站", "拨打 12345")
    assert ("回执号", app.receipt_no) in doc.lines and ("办理事项", "新生儿一件事") in doc.lines
    assert [v for k, v in doc.lines if k.strip().startswith("事项")] == ["出生登记", "新生儿参保登记", "社会保障卡申领"]
    assert ("承诺时限", "10个工作日") in doc.lines   # the longest of the items
    assert flow.print_receipt(session).printed and store.receipts_owed() == []


def test_a_bundle_may_use_deferral_where_its_items_allow(kiosk, agent):
    flow, devices, store = kiosk
    session = flow.begin_bundle("newborn", agent=agent)
    show_code(devices)
    flow.identify_by_qr(session)
    flow.set_answers(session, {"phone": "13812345678", "child_name": "王小舟", "sb.card/pickup": "邮寄"})
    assert flow.set_missing_materials(session, ["父母户口簿"]) == "2026-12-25"
    flow.sign_commitment(session, PNG)
    flow.record_consent(session, "signature", PNG)
    app = flow.submit(session)
    assert app.deferral.materials == ("父母户口簿",) and app.bundle_id == "newborn"


def test_who_may_file_a_bundle(kiosk, agent):
    flow, devices, store = kiosk
    with pytest.raises(FlowError) as err:   # 出生登记 is 帮办 only: not for the resident alone
        flow.begin_bundle("newborn")
    assert err.value.code is Problem.NOT_AT_KIOSK
    for bundle_id in ("guide_only", "with_hospital"):   # no shared form; a guide-only item in it
        with pytest.raises(FlowError) as err:
            flow.begin_bundle(bundle_id, agent=agent)
        assert err.value.code is Problem.NOT_AT_KIOSK
    with pytest.raises(FlowError) as err:
        flow.begin_bundle("nope", agent=agent)
    assert err.value.code is Problem.UNKNOWN_ITEM


def test_a_paused_item_pauses_its_bundle(tmp_path, clock, agent):
    paused = {"paused_reason": lambda item_id: "系统升级" if item_id == "sb.card" else None}
    with station(tmp_path, CATALOG, clock, **paused) as (flow, _devices, _store):
        with pytest.raises(FlowError) as err:
            flow.begin_bundle("newborn", agent=agent)
        assert err.value.code is Problem.ITEM_PAUSED and err.value.detail == "系统升级"


def test_withdrawing_a_bundle_saves_nothing(kiosk, agent):
    flow, devices, store = kiosk
    session = flow.begin_bundle("newborn", agent=agent)
    show_code(devices)
    flow.identify_by_qr(session)
    flow.record_consent(session, "signature", PNG)
    flow.withdraw_consent(session)
    assert counts(store) == {"applications": 0, "outbox": 1, "print_journal": 0}   # only the audit entry


@pytest.mark.parametrize("bundle, reason", [
    ({"item_ids": ["yb.newborn", "no.such"]}, "unknown items"),
    ({"item_ids": ["yb.newborn"], "shared_form": "name"}, "list of fields"),
    ({"item_ids": ["yb.newborn"], "shared_form": [{"key": "a/b", "label": "x"}]}, "without '/'"),
    ({"item_ids": ["yb.newborn"], "shared_form": [{"key": "a", "label": "x"}, {"key": "a", "label": "y"}]}, "unique"),
    ({"item_ids": ["yb.newborn"], "shared_form": [{"key": "a", "lable": "x"}]}, "bad shared field"),
    ({"id": "sb.card", "item_ids": ["yb.newborn"], "shared_form": PARENT}, "also an item"),
])
def test_catalog_refuses_bad_bundles(bundle, reason):
    raw = dict(RAW, bundles=[{"id": "b", "name": "某一件事"} | bundle])
    with pytest.raises(CatalogError, match=reason):
        parse_catalog(raw)


def test_seed_bundles_filed_as_one_are_fileable_by_an_agent():
    seed = load_catalog()
    filed = [b for b in seed.bundles if b.shared_form]
    assert {b.id for b in filed} >= {"newborn", "retire"}
    for bundle in filed:
        assert can_file(seed, bundle, by_agent=True), bundle.id
        item = as_item(seed, bundle)
        keys = [f.key for f in item.form]
        assert len(keys) == len(set(keys)) and {"name", "id_number", "phone"} <= set(keys)
