"""容缺受理 + 告知承诺, without Qt, on the simulated devices: materials left missing under a signed commitment."""
import hashlib
import json
from datetime import datetime, timezone

import pytest

from kiosk.agents import AgentSession
from kiosk.catalog import CatalogError, parse_catalog
from kiosk.flow import FlowError, Problem
from kiosk.receipt import build_receipt
from local_db import audit
from tests.clocks import FakeClock
from tests.kiosk.flow_helpers import station, table_counts
from tests.devices.escpos_decode import decode
from tests.kiosk.test_filing_on_behalf import ID_NUMBER, PNG, show_code
from tests.local_db.sealed_helpers import opened_payload

# 17:30 UTC on the 25th is already 01:30 on the 26th in China: the deadline counts from the Chinese day
T0 = datetime(2026, 11, 25, 17, 30, tzinfo=timezone.utc)
MATERIALS = [{"name": "居民身份证"}, {"name": "户口簿"}, {"name": "残疾人证"}, {"name": "低保证明", "optional": True}]
ITEM = {"category": "残疾人", "places": ["station"], "time_limit_days": 15, "guide": ["刷身份证"],
        "materials": MATERIALS, "form": [{"key": "name", "label": "姓名", "prefill": "name"},
                                         {"key": "disability_no", "label": "残疾人证号"}]}
CATALOG = parse_catalog({"items": [
    dict(ITEM, id="cj.sub", name="残疾人两项补贴申请", modes=["自助办", "帮办"],
         deferrable_materials=["户口簿", "残疾人证"], defer_days=15),
    dict(ITEM, id="cj.self", name="残疾人护理补贴申请", modes=["自助办", "帮办"],
         deferrable_materials=["户口簿"], defer_days=30, defer_self=True),
]})


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
    return table_counts(store, "applications", "outbox", "attachments", "audit", "print_journal")


def filled(flow, devices, item_id="cj.sub", agent=None):
    session = flow.begin(item_id, agent=agent)
    show_code(devices)
    flow.identify_by_qr(session)
    assert flow.set_answers(session, {"disability_no": "33090219580315001"[:10]}) == {}
    return session


def test_agent_files_with_missing_materials_under_a_signed_commitment(kiosk, agent, tmp_path):
    flow, devices, store = kiosk
    session = filled(flow, devices, agent=agent)
    assert flow.deferrable(session) == ("户口簿", "残疾人证")
    assert flow.set_missing_materials(session, ["户口簿"]) == "2026-12-11"   # 26 Nov (China) + 15 calendar days
    assert "户口簿" in flow.commitment_text(session) and "2026-12-11" in flow.commitment_text(session)
    with pytest.raises(FlowError) as err:
        flow.submit(session)   # missing materials without the commitment: nothing saved
    assert err.value.code is Problem.COMMITMENT_MISSING and set(counts(store).values()) == {0}

    deferral = flow.sign_commitment(session, PNG)
    flow.record_consent(session, "signature", PNG)
    app = flow.submit(session)

    assert app.deferral == deferral and store.load_application(app.id) == app
    assert deferral.materials == ("户口簿",) and deferral.deadline == "2026-12-11"
    evidence = store.attachments.read(deferral.commitment_sha256)
    assert hashlib.sha256(evidence).hexdigest() == deferral.commitment_sha256
    signed = json.loads(evidence)
    assert signed["text"].startswith("告知承诺书") and "户口簿" in signed["text"]
    assert signed["materials"] == ["户口簿"] and signed["deadline"] == "2026-12-11" and signed["signature_png"]
    raw = store.db.execute("SELECT blob FROM attachments WHERE sha256=?", (deferral.commitment_sha256,)).fetchone()
    assert "告知承诺书".encode() not in raw[0] and b"signature_png" not in raw[0]   # sealed at rest
    payload = json.loads(opened_payload(store.db, app.id))
    assert payload["deferred"] == {"materials": ["户口簿"], "deadline": "2026-12-11",
                                   "commitment_sha256": deferral.commitment_sha256, "method": "signature"}
    assert deferral.commitment_sha256 in payload["attachments"] and app.consent.evidence_sha256 in payload["attachments"]
    trail = [tuple(r) for r in store.db.execute("SELECT actor, action, target, outcome FROM audit ORDER BY seq")]
    assert ("agent:ag-7", audit.DEFERRED_ACCEPTANCE, app.id, "signature") in trail
    assert counts(store) == {"applications": 1, "outbox": 3, "attachments": 2, "audit": 2, "print_journal": 1}

    assert flow.print_receipt(session).printed
    printed = decode(max((tmp_path / "receipts").glob("*.bin"), key=lambda p: p.stat().st_mtime_ns).read_bytes())
    assert any("请于 2026-12-11 前补交：户口簿" in line for line in printed.texts)


def test_receipt_doc_states_the_deadline_from_the_injected_clock(kiosk, clock):
    flow, devices, store = kiosk
    clock.now = datetime(2026, 12, 31, 3, 0, tzinfo=timezone.utc)   # over the year's end
    agent = AgentSession("ag-7", "village_agent", clock.now, 300, clock)
    session = filled(flow, devices, agent=agent)
    flow.set_missing_materials(session, ["户口簿", "残疾人证"])
    flow.sign_commitment(session, PNG)
    flow.record_consent(session, "signature", PNG)
    app = flow.submit(session)
    doc = build_receipt(app, session.item, "长岛便民服务站", "拨打 12345")
    assert ("容缺受理", "请于 2027-01-15 前补交：户口簿、残疾人证") in doc.lines


def test_a_material_that_may_not_be_deferred_refuses_the_filing(kiosk, agent):
    flow, devices, store = kiosk
    session = filled(flow, devices, agent=agent)
    with pytest.raises(FlowError) as err:
        flow.set_missing_materials(session, ["户口簿", "居民身份证"])
    assert err.value.code is Problem.MATERIAL_NOT_DEFERRABLE and err.value.detail == "居民身份证"
    assert session.missing == ()


def test_the_resident_alone_only_where_the_item_allows_it(kiosk):
    flow, devices, store = kiosk
    session = filled(flow, devices, "cj.sub")
    assert flow.deferrable(session) == ()
    with pytest.raises(FlowError) as err:
        flow.set_missing_materials(session, ["户口簿"])
    assert err.value.code is Problem.DEFERRAL_NOT_ALLOWED

    session = filled(flow, devices, "cj.self")
    assert flow.set_missing_materials(session, ["户口簿"]) == "2026-12-26"
    show_code(devices)
    deferral = flow.commit_by_zlb_code(session)   # the resident's own 浙里办 code signs the commitment
    app = flow.submit(session)
    assert app.filed_by is None and app.deferral == deferral and deferral.method == "zlb_code"
    evidence = store.attachments.read(deferral.commitment_sha256)
    assert ID_NUMBER.encode() not in evidence and json.loads(evidence)["id_sha256"]
    row = store.db.execute("SELECT actor, action, outcome FROM audit").fetchone()
    assert row == (audit.RESIDENT, audit.DEFERRED_ACCEPTANCE, "zlb_code")


def test_changing_the_missing_materials_needs_a_new_commitment(kiosk, agent):
    flow, devices, store = kiosk
    session = filled(flow, devices, agent=agent)
    flow.set_missing_materials(session, ["户口簿"])
    flow.sign_commitment(session, PNG)
    flow.set_missing_materials(session, ["户口簿", "残疾人证"])
    assert session.deferral is None and session.commitment_evidence == b""
    flow.set_missing_materials(session, [])   # all there after all: an ordinary filing
    flow.record_consent(session, "signature", PNG)
    app = flow.submit(session)
    assert app.deferral is None
    assert "deferred" not in json.loads(opened_payload(store.db, app.id))


def test_withdrawing_after_signing_the_commitment_saves_nothing(kiosk, agent):
    flow, devices, store = kiosk
    session = filled(flow, devices, agent=agent)
    flow.set_missing_materials(session, ["户口簿"])
    flow.sign_commitment(session, PNG)
    flow.withdraw_consent(session)
    assert session.missing == () and session.deferral is None and session.commitment_evidence == b""
    assert counts(store) == {"applications": 0, "outbox": 1, "attachments": 0, "audit": 1, "print_journal": 0}
    with pytest.raises(FlowError) as err:
        flow.submit(session)
    assert err.value.code is Problem.CONSENT_WITHDRAWN


def test_a_failing_audit_write_takes_the_commitment_back_too(kiosk, agent, monkeypatch):
    flow, devices, store = kiosk
    session = filled(flow, devices, agent=agent)
    flow.set_missing_materials(session, ["户口簿"])
    flow.sign_commitment(session, PNG)
    flow.record_consent(session, "signature", PNG)
    real = store.audit.write

    def broken(entry):
        if entry.action == audit.DEFERRED_ACCEPTANCE:
            raise RuntimeError("disk gone")
        return real(entry)
    monkeypatch.setattr(store.audit, "write", broken)
    with pytest.raises(RuntimeError):
        flow.submit(session)
    assert set(counts(store).values()) == {0}


def test_the_work_queue_shows_what_is_owed_and_by_when(kiosk, agent):
    flow, devices, store = kiosk
    session = filled(flow, devices, agent=agent)
    flow.set_missing_materials(session, ["残疾人证"])
    flow.sign_commitment(session, PNG)
    flow.record_consent(session, "signature", PNG)
    app = flow.submit(session)
    (entry,) = store.agent_queue("ag-7")
    assert entry.receipt_no == app.receipt_no and entry.missing == ("残疾人证",) and entry.supply_by == "2026-12-11"
    with store.db.conn:
        store.db.conn.execute("INSERT INTO record_status (record_id, status, note, at, received_at) VALUES (?,?,?,?,?)",
                              (app.id, "done", "", T0.isoformat(), T0.isoformat()))
    assert store.agent_queue("ag-7")[0].missing == ()   # the hub's final word: nothing owed any more


@pytest.mark.parametrize("change, reason", [
    ({"deferrable_materials": ["身份证明"]}, "not required materials"),
    ({"deferrable_materials": ["低保证明"]}, "not required materials"),   # optional: nothing to defer
    ({"deferrable_materials": ["户口簿"]}, "defer_days"),                  # no deadline
    ({"deferrable_materials": ["户口簿"], "defer_days": 400}, "defer_days"),
    ({"defer_days": 10}, "defer_days"),                                    # a deadline for nothing
    ({"deferrable_materials": "户口簿", "defer_days": 10}, "list of material names"),
])
def test_catalog_refuses_bad_deferral_terms(change, reason):
    with pytest.raises(CatalogError, match=reason):
        parse_catalog({"items": [dict(ITEM, id="x", name="x", modes=["帮办"], **change)]})
