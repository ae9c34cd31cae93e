"""Drafts, supervisor review and photographed materials of an agent's filing, without Qt, on simulated devices."""
import json
import pytest

from devices.doccam import Captured, CaptureSettings, DocumentCapture
from devices.doccam.live import Watched, open_source
from devices.doccam.sim import SimDocumentCamera
from devices.idcard.idnumber import check_char
from devices.qr import parse_identity_code
from kiosk.agents import AgentSession
from kiosk.flow import FlowError, Problem, ServiceFlow
from kiosk.idle import IdleGuard
from kiosk.work_queue import DRAFT
from local_db import audit
from local_db.drafts import DraftStore
from local_db.review import ReviewDesk, ReviewRefused
from tests.kiosk.test_filing_on_behalf import (CATALOG, ID_NUMBER, PNG, T0, agent, clock, counts,  # noqa: F401
                                               identified, kiosk, show_code)
from tests.local_db.sealed_helpers import opened_payload, stored_rows_text



def actions(store) -> list[tuple[str, str, str]]:
    return [tuple(r) for r in store.db.execute("SELECT actor, action, outcome FROM audit ORDER BY seq").fetchall()]


# --- drafts ---------------------------------------------------------------------------------------------------
def test_a_draft_is_sealed_listed_and_resumed_with_answers_but_not_identity(kiosk, agent):
    flow, devices, store = kiosk
    session = identified(flow, devices, agent)
    draft_id = flow.save_draft(session)
    assert counts(store)["outbox"] == 1 and counts(store)["applications"] == 0   # the audit line only
    assert "台风损房" not in stored_rows_text(store.db) and ID_NUMBER not in stored_rows_text(store.db)
    [entry] = store.agent_queue("ag-7")
    assert (entry.state, entry.draft_id, entry.applicant_masked) == (DRAFT, draft_id, "王**")
    assert store.agent_queue("someone-else") == []

    resumed = flow.resume_draft(draft_id, agent)
    assert resumed.identity is None and resumed.answers["reason"] == "台风损房"
    with pytest.raises(FlowError):
        flow.submit(resumed)             # not identified: the card or code is read again, for consent
    show_code(devices)
    flow.identify_by_qr(resumed)
    assert resumed.answers["reason"] == "台风损房"
    flow.record_consent(resumed, "signature", PNG)
    flow.submit(resumed)
    assert store.db.execute("SELECT COUNT(*) FROM drafts").fetchone()[0] == 0   # the filing finished it
    assert [(a, b) for a, b, _ in actions(store)] == [("agent:ag-7", audit.DRAFT_SAVED),
                                                      ("agent:ag-7", audit.FILE_ON_BEHALF)]


def test_another_persons_card_clears_the_drafts_answers(kiosk, agent):
    flow, devices, store = kiosk
    draft_id = flow.save_draft(identified(flow, devices, agent))
    resumed = flow.resume_draft(draft_id, agent)
    show_code(devices, id_number="33090219900101123" + check_char("33090219900101123"), name="李四")
    flow.identify_by_qr(resumed)
    assert "reason" not in resumed.answers


def test_discard_deletes_the_draft_and_audits(kiosk, agent):
    flow, devices, store = kiosk
    draft_id = flow.save_draft(identified(flow, devices, agent))
    other = AgentSession("ag-8", "agent", T0, 300, agent.clock)
    with pytest.raises(FlowError) as refused:
        flow.discard_draft(draft_id, other)
    assert refused.value.code is Problem.NO_DRAFT
    flow.discard_draft(draft_id, agent)
    assert store.db.execute("SELECT COUNT(*) FROM drafts").fetchone()[0] == 0
    assert actions(store)[-1] == ("agent:ag-7", audit.DRAFT_DISCARDED, "ok")
    assert store.db.execute("PRAGMA secure_delete").fetchone()[0] == 1
    with pytest.raises(FlowError):
        flow.resume_draft(draft_id, agent)


def test_drafts_expire_after_the_configured_days(kiosk, agent, clock):
    flow, devices, store = kiosk
    drafts = DraftStore(store, keep_days=2)
    draft_id = drafts.save("ag-7", "mz.subsidy", "困难群众临时救助申请", None, {"reason": "x"})
    clock.advance(days=1)
    assert drafts.purge_expired() == 0 and drafts.load(draft_id, "ag-7") is not None
    clock.advance(days=1, seconds=1)
    assert drafts.load(draft_id, "ag-7") is None and store.agent_queue("ag-7") == []   # hidden at once
    assert drafts.purge_expired() == 1
    assert store.db.execute("SELECT COUNT(*) FROM drafts").fetchone()[0] == 0
    assert actions(store)[-1] == ("system", audit.DRAFT_EXPIRED, "ok")


def test_drafts_are_for_agents_only(kiosk):
    flow, devices, store = kiosk
    session = flow.begin("sb.proof")
    with pytest.raises(FlowError) as refused:
        flow.save_draft(session)
    assert refused.value.code is Problem.AGENTS_ONLY


# --- supervisor review ----------------------------------------------------------------------------------------
@pytest.fixture
def reviewed(tmp_path, kiosk, clock):
    flow, devices, store = kiosk
    flow = ServiceFlow(CATALOG, store, devices, parse_identity_code, IdleGuard(90, 20), "站", "12345",
                       device_timeout_s=3.0, needs_review=lambda item_id: item_id == "mz.subsidy", clock=clock)
    return flow, devices, store, ReviewDesk(store)


def filed(flow, devices, agent):
    session = identified(flow, devices, agent)
    flow.record_consent(session, "signature", PNG)
    return flow.submit(session), session


def outbox_kinds(store) -> list[str]:
    return [r[0] for r in store.db.execute("SELECT kind FROM outbox ORDER BY seq").fetchall()]


def test_a_reviewed_item_waits_outside_the_outbox(reviewed, agent):
    flow, devices, store, desk = reviewed
    app, session = filed(flow, devices, agent)
    assert app.status == "awaiting_review"
    assert outbox_kinds(store) == ["audit"]     # FILE_ON_BEHALF only: the record itself is held
    assert store.receipts_owed() == []
    assert flow.print_receipt(session).printed is False
    assert [e.state for e in store.agent_queue("ag-7")] == ["awaiting_review"]
    [waiting] = desk.awaiting()
    assert (waiting.application_id, waiting.filed_by, waiting.applicant_masked) == (app.id, "ag-7", "王**")
    assert ID_NUMBER not in stored_rows_text(store.db)  # the held payload is sealed


def test_approval_moves_the_record_into_the_outbox_in_one_transaction(reviewed, agent, clock, monkeypatch):
    flow, devices, store, desk = reviewed
    app, _ = filed(flow, devices, agent)
    with pytest.raises(ReviewRefused, match="not_supervisor"):
        desk.approve(app.id, "ag-9", "agent")
    with pytest.raises(ReviewRefused, match="own_filing"):
        desk.approve(app.id, "ag-7", "supervisor")
    monkeypatch.setattr(store.audit, "write", _boom)
    with pytest.raises(RuntimeError):
        desk.approve(app.id, "sv-1", "supervisor")
    assert outbox_kinds(store) == ["audit"] and desk.awaiting() != []   # all or nothing
    monkeypatch.undo()
    desk.approve(app.id, "sv-1", "supervisor")
    assert outbox_kinds(store) == ["audit", "application", "audit"]
    payload = json.loads(opened_payload(store.db, app.id))
    assert payload["filed_by"]["agent_id"] == "ag-7" and payload["receipt_no"] == app.receipt_no
    assert [r.receipt_no for r in store.receipts_owed()] == [app.receipt_no]
    assert actions(store)[-1] == ("agent:sv-1", audit.REVIEW_APPROVED, "ok")
    assert desk.awaiting() == [] and store.agent_queue("ag-7")[0].state == "pending_sync"
    with pytest.raises(ReviewRefused, match="not_awaiting"):
        desk.approve(app.id, "sv-1", "supervisor")


def _boom(entry):
    raise RuntimeError("disk gone")


def test_a_rejection_is_shown_to_the_filer_and_keeps_the_record(reviewed, agent):
    flow, devices, store, desk = reviewed
    app, _ = filed(flow, devices, agent)
    with pytest.raises(ReviewRefused, match="bad_reason"):
        desk.reject(app.id, "sv-1", "supervisor", "because")
    desk.reject(app.id, "sv-1", "supervisor", "missing_material", "缺少房屋受损照片")
    [entry] = store.agent_queue("ag-7")
    assert entry.state == "review_rejected" and (entry.reason, entry.note) == ("missing_material", "缺少房屋受损照片")
    assert "缺少房屋受损照片" not in stored_rows_text(store.db)   # the note is sealed
    assert outbox_kinds(store) == ["audit", "audit"]
    assert actions(store)[-1] == ("agent:sv-1", audit.REVIEW_REJECTED, "missing_material")
    assert store.load_application(app.id).answers["reason"] == "台风损房"   # nothing lost


# --- photographed materials -----------------------------------------------------------------------------------
def test_a_photographed_page_is_saved_with_the_filing(kiosk, agent):
    flow, devices, store = kiosk
    session = identified(flow, devices, agent)
    source = Watched(SimDocumentCamera(seed=3))
    capture = DocumentCapture(source, lambda jpeg: flow.keep_capture(session, jpeg),
                              CaptureSettings(timeout_s=30), on_finding=source.found)
    result = capture.capture()
    assert isinstance(result, Captured), result
    assert source.latest().finding is not None and source.latest().finding.found
    assert counts(store)["attachments"] == 0      # kept on the session until the save
    flow.record_consent(session, "signature", PNG)
    app = flow.submit(session)
    assert app.attachments == (result.sha256,)
    assert store.attachments.read(result.sha256)[:2] == b"\xff\xd8"   # a JPEG, sealed at rest
    payload = json.loads(opened_payload(store.db, app.id))
    assert payload["attachments"][1] == result.sha256 and len(payload["attachments"]) == 2


def test_a_page_not_used_is_dropped_and_a_withdrawal_keeps_none(kiosk, agent):
    flow, devices, store = kiosk
    session = identified(flow, devices, agent)
    sha = flow.keep_capture(session, b"\xff\xd8jpeg")
    flow.drop_capture(session, sha)
    assert session.captures == {}
    flow.keep_capture(session, b"\xff\xd8jpeg")
    flow.withdraw_consent(session)
    assert session.captures == {} and counts(store)["attachments"] == 0


def test_no_document_camera_is_reported_as_absent():
    from devices.base import DeviceError, Fault
    with pytest.raises(DeviceError) as absent:
        open_source("none")
    assert absent.value.reason is Fault.READER_ABSENT


def test_media_of_a_held_filing_stay_off_the_hub_until_approved(reviewed, agent):
    from sync.attachments import AttachmentStore

    flow, devices, store, desk = reviewed
    app, _ = filed(flow, devices, agent)
    signature = app.consent.evidence_sha256
    uploads = AttachmentStore(store.db)
    assert signature not in [a.sha256 for a in uploads.pending()]   # held with its record
    desk.approve(app.id, "sv-1", "supervisor")
    assert signature in [a.sha256 for a in uploads.pending()]       # approved: it goes with the record
