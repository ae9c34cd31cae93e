"""Filing on behalf, without Qt, on the simulated devices: an agent files for a resident with consent recorded."""
import hashlib
import json
import time
from datetime import datetime, timedelta, timezone

import pytest

from devices.idcard.idnumber import check_char
from devices.qr_sim import mint_code
from kiosk.agents import AgentSession
from kiosk.catalog import parse_catalog
from kiosk.consent import zlb_confirmation
from kiosk.flow import FlowError, Problem
from kiosk.records import Consent, FiledBy, Identity
from local_db import audit
from tests.clocks import FakeClock
from tests.kiosk.flow_helpers import station, table_counts
from tests.local_db.sealed_helpers import opened_payload

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR signature strokes"
T0 = datetime(2026, 11, 25, 1, 30, tzinfo=timezone.utc)
ID_NUMBER = "33090219580315001" + check_char("33090219580315001")
CATALOG = parse_catalog({
    "items": [
        {"id": "mz.subsidy", "name": "困难群众临时救助申请", "category": "民政", "places": ["district"],
         "modes": ["帮办"], "time_limit_days": 10, "guide": ["帮办员代为提交", "区里审核"],
         "form": [{"key": "name", "label": "姓名", "prefill": "name"},
                  {"key": "reason", "label": "困难情况"}]},
        {"id": "sb.proof", "name": "社保参保证明打印", "category": "社保", "places": ["station"],
         "modes": ["自助办", "帮办"], "time_limit_days": 0, "guide": ["刷身份证"],
         "form": [{"key": "name", "label": "姓名", "prefill": "name"}]},
        {"id": "hy.marry", "name": "结婚登记", "category": "婚育", "places": ["district"], "modes": ["导办"],
         "guide": ["到定海区婚姻登记处"]},
    ]
})


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


def show_code(devices, id_number=ID_NUMBER, name="王海生"):
    now = int(time.time())
    devices.sims.qr.show(mint_code(name, id_number, "13812345678", iat=now, exp=now + 300))


def identified(flow, devices, agent, item_id="mz.subsidy"):
    session = flow.begin(item_id, agent=agent)
    show_code(devices)
    flow.identify_by_qr(session)
    assert flow.set_answers(session, {"reason": "台风损房"}) == {}
    return session


def test_agent_files_a_banban_item_with_signature_in_one_transaction(kiosk, agent):
    flow, devices, store = kiosk
    assert not CATALOG.get("mz.subsidy").kiosk_ready
    session = identified(flow, devices, agent)
    consent = flow.record_consent(session, "signature", PNG)
    app = flow.submit(session)

    sha = hashlib.sha256(PNG).hexdigest()
    assert app.filed_by == FiledBy("ag-7", "village_agent")
    assert app.consent == Consent("signature", sha, T0.isoformat(timespec="seconds")) == consent
    assert store.load_application(app.id) == app
    assert store.attachments.read(sha) == PNG
    outbox = dict(store.db.execute("SELECT kind, payload FROM outbox").fetchall())
    assert ID_NUMBER not in outbox["application"]   # sealed at rest
    payload = json.loads(opened_payload(store.db, app.id))
    assert payload["filed_by"] == {"agent_id": "ag-7", "role": "village_agent"}
    assert payload["consent"] == {"method": "signature", "evidence_sha256": sha, "at": app.created_at}
    assert payload["attachments"] == [sha]
    trail = json.loads(outbox["audit"])
    assert (trail["actor"], trail["action"], trail["target"], trail["outcome"]) == \
        ("agent:ag-7", audit.FILE_ON_BEHALF, app.id, "signature")
    assert counts(store) == {"applications": 1, "outbox": 2, "attachments": 1, "audit": 1, "print_journal": 1}


def test_a_failing_audit_write_takes_the_whole_filing_back(kiosk, agent, monkeypatch):
    flow, devices, store = kiosk
    session = identified(flow, devices, agent)
    flow.record_consent(session, "signature", PNG)

    def broken(entry):
        raise RuntimeError("disk gone")
    monkeypatch.setattr(store.audit, "write", broken)
    with pytest.raises(RuntimeError):
        flow.submit(session)
    assert set(counts(store).values()) == {0}   # no application, evidence, outbox row or receipt without the rest
    assert session.application is None and session.answers["reason"] == "台风损房"


def test_without_consent_nothing_is_saved(kiosk, agent):
    flow, devices, store = kiosk
    session = identified(flow, devices, agent)
    with pytest.raises(FlowError) as err:
        flow.submit(session)
    assert err.value.code is Problem.CONSENT_MISSING
    assert set(counts(store).values()) == {0}
    assert session.answers["reason"] == "台风损房"   # kept: the resident signs, then the agent submits
    flow.record_consent(session, "signature", PNG)
    assert flow.submit(session).filed_by.agent_id == "ag-7"


def test_withdrawal_mid_flow_wipes_saves_nothing_and_is_audited(kiosk, agent):
    flow, devices, store = kiosk
    session = identified(flow, devices, agent)
    flow.record_consent(session, "signature", PNG)
    flow.withdraw_consent(session)
    assert session.identity is None and session.answers == {} and session.consent is None
    assert session.consent_evidence == b"" and session.withdrawn
    assert counts(store) == {"applications": 0, "outbox": 1, "attachments": 0, "audit": 1, "print_journal": 0}
    row = store.db.execute("SELECT actor, action, target, outcome FROM audit").fetchone()
    assert row == ("agent:ag-7", audit.CONSENT_WITHDRAWN, "mz.subsidy", "ok")
    sent = store.db.execute("SELECT payload FROM outbox").fetchone()[0]
    assert ID_NUMBER not in sent and "王海生" not in sent and "台风" not in sent
    for late_call in (lambda: flow.submit(session), lambda: flow.record_consent(session, "signature", PNG)):
        with pytest.raises(FlowError) as err:   # e.g. a save the agent tapped as the resident withdrew
            late_call()
        assert err.value.code is Problem.CONSENT_WITHDRAWN
    assert counts(store)["applications"] == 0


def test_withdrawal_after_the_save_is_refused(kiosk, agent):
    flow, devices, store = kiosk
    session = identified(flow, devices, agent)
    flow.record_consent(session, "signature", PNG)
    app = flow.submit(session)
    with pytest.raises(FlowError) as err:
        flow.withdraw_consent(session)
    assert err.value.code is Problem.ALREADY_SUBMITTED and err.value.detail == app.receipt_no


def test_an_ended_agent_session_is_refused(kiosk, agent, clock):
    flow, devices, store = kiosk
    agent.ended = True   # AgentAuth.logout
    with pytest.raises(FlowError) as err:
        flow.begin("mz.subsidy", agent=agent)
    assert err.value.code is Problem.AGENT_SESSION_ENDED


def test_an_agent_idling_out_mid_flow_cannot_submit_and_nothing_is_lost(kiosk, agent, clock):
    flow, devices, store = kiosk
    session = identified(flow, devices, agent)
    flow.record_consent(session, "signature", PNG)
    clock.now += timedelta(seconds=301)
    with pytest.raises(FlowError) as err:
        flow.submit(session)
    assert err.value.code is Problem.AGENT_SESSION_ENDED
    assert set(counts(store).values()) == {0} and session.answers["reason"] == "台风损房"


def test_consent_by_the_residents_own_zlb_code(kiosk, agent):
    flow, devices, store = kiosk
    session = identified(flow, devices, agent)
    show_code(devices)
    consent = flow.confirm_by_zlb_code(session)
    expected = zlb_confirmation("mz.subsidy", "ag-7", T0.isoformat(timespec="seconds"), ID_NUMBER)
    assert consent.method == "zlb_code" and session.consent_evidence == expected
    assert ID_NUMBER.encode() not in expected and b'"item_id":"mz.subsidy"' in expected
    app = flow.submit(session)
    assert store.attachments.read(app.consent.evidence_sha256) == expected


def test_someone_elses_zlb_code_is_not_consent(kiosk, agent):
    flow, devices, store = kiosk
    session = identified(flow, devices, agent)
    other = "33090219750101001" + check_char("33090219750101001")
    show_code(devices, other, "李阿婆")
    with pytest.raises(FlowError) as err:
        flow.confirm_by_zlb_code(session)
    assert err.value.code is Problem.CONSENT_NOT_APPLICANT and session.consent is None


def test_another_person_identifying_drops_the_first_ones_consent(kiosk, agent):
    flow, devices, store = kiosk
    session = identified(flow, devices, agent)
    flow.record_consent(session, "signature", PNG)
    other = "33090219750101001" + check_char("33090219750101001")
    show_code(devices, other, "李阿婆")
    flow.identify_by_qr(session)
    assert session.consent is None and session.consent_evidence == b""


def test_consent_needs_an_identified_resident_and_real_evidence(kiosk, agent):
    flow, devices, store = kiosk
    session = flow.begin("mz.subsidy", agent=agent)
    with pytest.raises(FlowError) as err:
        flow.record_consent(session, "signature", PNG)
    assert err.value.code is Problem.NOT_IDENTIFIED
    show_code(devices)
    flow.identify_by_qr(session)
    for method, evidence in (("signature", b"GIF89a"), ("signature", b""), ("zlb_code", b"{}"), ("voice", PNG)):
        with pytest.raises(ValueError):
            flow.record_consent(session, method, evidence)
    assert session.consent is None


def test_a_resident_alone_is_unchanged(kiosk):
    flow, devices, store = kiosk
    with pytest.raises(FlowError) as err:
        flow.begin("mz.subsidy")   # 帮办 only: not for a resident alone
    assert err.value.code is Problem.NOT_AT_KIOSK
    calls = []
    original = store.submit

    def spy(*args, **kwargs):
        calls.append((len(args), kwargs))
        return original(*args, **kwargs)
    store.submit = spy
    session = flow.begin("sb.proof")
    show_code(devices)
    flow.identify_by_qr(session)
    app = flow.submit(session)
    assert calls == [(4, {})] and app.filed_by is None and app.consent is None
    payload = json.loads(opened_payload(store.db, app.id))
    assert not {"filed_by", "consent", "attachments"} & set(payload)
    assert counts(store) == {"applications": 1, "outbox": 1, "attachments": 0, "audit": 0, "print_journal": 1}
    with pytest.raises(ValueError):
        flow.record_consent(session, "signature", PNG)   # consent belongs to agent filing


def test_guide_only_items_stay_closed_to_agents(kiosk, agent):
    flow, *_ = kiosk
    with pytest.raises(FlowError) as err:
        flow.begin("hy.marry", agent=agent)
    assert err.value.code is Problem.NOT_AT_KIOSK


def test_the_store_refuses_mismatched_on_behalf_arguments(kiosk):
    _, _, store = kiosk
    resident = Identity(source="idcard", name="王海生", id_number=ID_NUMBER)
    consent = Consent("signature", hashlib.sha256(PNG).hexdigest(), T0.isoformat())
    for kwargs in ({"filed_by": FiledBy("ag-7", "x")}, {"consent": consent, "evidence": PNG},
                   {"filed_by": FiledBy("ag-7", "x"), "consent": consent, "evidence": PNG + b"!"}):
        with pytest.raises(ValueError):
            store.submit("mz.subsidy", "救助", resident, {}, **kwargs)
    assert set(counts(store).values()) == {0}
