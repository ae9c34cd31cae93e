"""The resident's application flow, Qt-free: identify → form → confirm → durable save → receipt → rating.

Blocking calls (card reads, saving, printing) are plain methods; the UI runs them off its thread. Failures are
raised as `FlowError` with a code from `Problem` (or a device `Fault`), which the UI turns into a translated
message and a next step; this module never writes resident-facing text.
"""
from __future__ import annotations

import hashlib
import logging
import re
import sqlite3
from dataclasses import dataclass, field
from enum import Enum
from typing import Callable, Protocol

from devices.base import DeviceError, Fault, IdCardReader, QrScanner, ReceiptDoc, ReceiptPrinter, SmartCardReader
from kiosk.agents import AgentSession
from kiosk.catalog import Catalog
from kiosk.certificate_print import build_certificate_doc
from kiosk.certificates import can_request_here, is_certificate_item, request_for
from kiosk import deferral as commitments
from kiosk import one_thing
from kiosk.consent import make_consent, zlb_confirmation
from kiosk.ids import Clock, utc_now
from kiosk.idle import IdleGuard
from kiosk.rating import SERVICES, rating_problem
from kiosk.receipt import build_receipt
from kiosk.records import (Application, Bundle, Consent, Deferral, FiledBy, FormField, Identity, Mode,
                           ServiceItem)
from local_db import audit
from local_db.drafts import DraftStore
from local_db.store import ApplicationStore

log = logging.getLogger(__name__)


class Problem(str, Enum):
    UNKNOWN_ITEM = "unknown_item"
    NOT_AT_KIOSK = "not_at_kiosk"           # the item cannot be applied for at this terminal
    ITEM_PAUSED = "item_paused"             # the district paused it here (policies bundle); detail: the reason
    NOT_IDENTIFIED = "not_identified"
    FORM_INVALID = "form_invalid"
    STORAGE_FULL = "storage_full"           # disk or database full: nothing saved, answers kept for a retry
    STORAGE_FAILED = "storage_failed"
    ALREADY_SUBMITTED = "already_submitted"
    NOTHING_SUBMITTED = "nothing_submitted"
    OFFLINE_LIMIT = "offline_limit"         # too long unsynced / too big a backlog / disk nearly full
    AGENT_SESSION_ENDED = "agent_session_ended"   # the agent logged out or idled out: log in again
    CONSENT_MISSING = "consent_missing"     # an agent filing without the resident's recorded consent
    CONSENT_NOT_APPLICANT = "consent_not_applicant"   # the 浙里办 code shown is not the applicant's
    CONSENT_WITHDRAWN = "consent_withdrawn"  # the resident withdrew: the session was wiped, nothing saved
    CERTIFICATE_NOT_HERE = "certificate_not_here"   # not a certificate, or not one this station can request
    NO_CERTIFICATE = "no_certificate"       # no certificate issued (yet) for this receipt number
    NO_DRAFT = "no_draft"                   # the draft expired, was discarded, or is another agent's
    AGENTS_ONLY = "agents_only"             # drafts and photographed materials are for agent filings
    DEFERRAL_NOT_ALLOWED = "deferral_not_allowed"   # 容缺受理 is not open to this filer for this item
    MATERIAL_NOT_DEFERRABLE = "material_not_deferrable"   # detail: the material, which must be there to apply
    COMMITMENT_MISSING = "commitment_missing"   # materials left missing without the signed 告知承诺书


class FlowError(Exception):
    def __init__(self, code: Problem | Fault, detail: str = ""):
        super().__init__(f"{code.value}: {detail}" if detail else code.value)
        self.code = code
        self.detail = detail


class FieldError(str, Enum):
    MISSING = "missing"
    BAD_PHONE = "bad_phone"
    BAD_NUMBER = "bad_number"
    BAD_DATE = "bad_date"
    BAD_CHOICE = "bad_choice"
    TOO_LONG = "too_long"


@dataclass
class PrintOutcome:
    printed: bool
    fault: Fault | None = None   # set when the receipt is owed (paper out etc.)


@dataclass
class ResidentSession:
    """Everything one resident left on the kiosk. Holds personal data: `wipe()` when done or idle.
    With `agent` set, a proxy agent files for the resident and needs their consent first."""
    item: ServiceItem
    identity: Identity | None = None
    answers: dict[str, str] = field(default_factory=dict)
    application: Application | None = None
    print_outcome: PrintOutcome | None = None
    rated: bool = False
    agent: AgentSession | None = None
    consent: Consent | None = None
    consent_evidence: bytes = field(default=b"", repr=False)   # kept until the save writes it with the record
    withdrawn: bool = False
    certificate: bool = False    # 证明直通车 (begin_certificate): filed as a certificate request, routed by the hub
    draft_id: str | None = None  # resumed from this draft: the save deletes it, a second draft replaces it
    draft_id_number: str = field(default="", repr=False)   # whose draft: another person's card clears the answers
    captures: dict[str, bytes] = field(default_factory=dict, repr=False)   # sha256 → JPEG, saved with the record
    bundle: Bundle | None = None   # 一件事 (begin_bundle): `item` is then the bundle as one item (kiosk/one_thing.py)
    missing: tuple[str, ...] = ()   # 容缺受理: deferrable materials the resident does not have with them
    deferral: Deferral | None = None   # the signed commitment's terms, once signed
    commitment_evidence: bytes = field(default=b"", repr=False)   # written with the record, like consent

    def wipe(self) -> None:
        self.identity = None
        self.answers.clear()
        self.captures.clear()
        self.draft_id_number = ""
        self.application = None
        self.print_outcome = None
        self.missing = ()
        self.forget_consent()

    def forget_consent(self) -> None:
        self.consent = None
        self.consent_evidence = b""
        self.forget_commitment()

    def forget_commitment(self) -> None:
        self.deferral = None
        self.commitment_evidence = b""


PHONE = re.compile(r"^1\d{10}$|^0\d{2,3}-?\d{7,8}$")
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
MAX_ANSWER = 200


class DeviceAccess(Protocol):
    """Asked for each use, never kept: the device behind an attribute may change with hot-plug."""
    idcard: IdCardReader
    smartcard: SmartCardReader
    qr: QrScanner
    printer: ReceiptPrinter


class ServiceFlow:
    def __init__(self, catalog: Catalog, store: ApplicationStore, devices: "DeviceAccess",
                 qr_parser: Callable[[str], Identity], idle: IdleGuard,
                 station_name: str, follow_up: str, device_timeout_s: float = 30.0,
                 on_submitted: Callable[[Application], None] = lambda app: None,
                 guardrail: Callable[[], object | None] = lambda: None,
                 paused_reason: Callable[[str], str | None] = lambda item_id: None,
                 needs_review: Callable[[str], bool] = lambda item_id: False,
                 drafts: DraftStore | None = None, clock: Clock = utc_now):
        self.catalog = catalog
        self.store = store
        self.devices = devices
        self.qr_parser = qr_parser
        self.idle = idle
        self.station_name = station_name
        self.follow_up = follow_up
        self.device_timeout_s = device_timeout_s
        self.on_submitted = on_submitted
        self.guardrail = guardrail   # latest sync guardrail (sync/guardrails.py), None when unknown
        self.paused_reason = paused_reason   # asked at each start: policies change while the kiosk runs
        self.needs_review = needs_review     # item id → an agent's filing waits for a supervisor (review_items)
        self.drafts = drafts or DraftStore(store)
        self.clock = clock

    def begin(self, item_id: str, agent: AgentSession | None = None) -> ResidentSession:
        """`agent`: a proxy agent files for the resident; 帮办 items are then open even when not kiosk-ready
        (the agent files them for the district to process)."""
        if agent is not None:
            _check_agent(agent)
        item = self.catalog.get(item_id)
        if item is None:
            raise FlowError(Problem.UNKNOWN_ITEM, item_id)
        if not (item.kiosk_ready or (agent is not None and Mode.AGENT in item.modes)):
            raise FlowError(Problem.NOT_AT_KIOSK, item_id)
        reason = self.paused_reason(item_id)
        if reason:
            raise FlowError(Problem.ITEM_PAUSED, reason)
        limit = self.guardrail()
        if limit is not None and limit.refuses_non_urgent and not item.urgent:
            raise FlowError(Problem.OFFLINE_LIMIT, ",".join(r.code.value for r in limit.reasons))
        return ResidentSession(item=item, agent=agent)

    def begin_bundle(self, bundle_id: str, agent: AgentSession | None = None) -> ResidentSession:
        """一件事: one application for every item of the bundle. Refused unless the bundle is filed as one and each
        item may be filed by this person; a paused item pauses the bundle."""
        if agent is not None:
            _check_agent(agent)
        bundle = self.catalog.bundle(bundle_id)
        if bundle is None:
            raise FlowError(Problem.UNKNOWN_ITEM, bundle_id)
        if not one_thing.can_file(self.catalog, bundle, by_agent=agent is not None):
            raise FlowError(Problem.NOT_AT_KIOSK, bundle_id)
        reason = next(filter(None, map(self.paused_reason, bundle.item_ids)), None)
        if reason:
            raise FlowError(Problem.ITEM_PAUSED, reason)
        item = one_thing.as_item(self.catalog, bundle)
        limit = self.guardrail()
        if limit is not None and limit.refuses_non_urgent and not item.urgent:
            raise FlowError(Problem.OFFLINE_LIMIT, ",".join(r.code.value for r in limit.reasons))
        return ResidentSession(item=item, agent=agent, bundle=bundle)

    def begin_from_guide(self, item_id: str, agent: AgentSession | None = None) -> ResidentSession:
        """What 在本机申请 / 为群众代办 on an item's guide opens. A certificate goes by 证明直通车 even when it is
        only "printed": offline, every certificate is issued by its department and comes back by sync."""
        item = self.catalog.get(item_id)
        if item is not None and is_certificate_item(self.catalog, item):
            return self.begin_certificate(item_id, agent)
        return self.begin(item_id, agent)

    def begin_certificate(self, item_id: str, agent: AgentSession | None = None) -> ResidentSession:
        """证明直通车: like `begin`, but an item that is no certificate, or one this station cannot request (not
        filed here, or not by this person: 帮办 only for an agent), is refused before anything is typed."""
        item = self.catalog.get(item_id)
        if item is None:
            raise FlowError(Problem.UNKNOWN_ITEM, item_id)
        if not (is_certificate_item(self.catalog, item) and can_request_here(item, by_agent=agent is not None)):
            raise FlowError(Problem.CERTIFICATE_NOT_HERE, item_id)
        session = self.begin(item_id, agent)
        session.certificate = True
        return session

    # --- identification ------------------------------------------------------------------------------------
    def identify_by_card(self, session: ResidentSession) -> Identity:
        identity = self._device_call(lambda: self.devices.idcard.read_identity(self.device_timeout_s))
        return self._identified(session, identity)

    def identify_by_sscard(self, session: ResidentSession) -> Identity:
        """社会保障卡 in the PC/SC reader: name and ID number, as on the resident's ID card."""
        card = self._device_call(lambda: self.devices.smartcard.read_card(self.device_timeout_s))
        return self._identified(session, Identity(source="sscard", name=card.name, id_number=card.id_number))

    def identify_by_qr(self, session: ResidentSession) -> Identity:
        raw = self._device_call(lambda: self.devices.qr.scan(self.device_timeout_s))
        identity = self._device_call(lambda: self.qr_parser(raw))
        return self._identified(session, identity)

    def cancel_identify(self) -> None:
        """Interrupt a waiting card read or scan; never blocks, harmless when nothing waits."""
        for device in (self.devices.idcard, self.devices.qr, self.devices.smartcard):
            cancel = getattr(device, "cancel", None)
            if cancel is not None:
                try:
                    cancel()
                except Exception:   # a driver's cancel failing must not stop the resident going back
                    log.exception("cancel failed on %s", getattr(device, "name", "device"))

    def _device_call(self, call):
        try:
            return call()
        except DeviceError as exc:
            log.info("device fault: %s", exc.reason.value)  # detail may hold protocol bytes, not personal data
            raise FlowError(exc.reason, exc.detail) from exc

    def _identified(self, session: ResidentSession, identity: Identity) -> Identity:
        previous = session.identity
        expected = previous.id_number if previous is not None else session.draft_id_number
        if expected and expected != identity.id_number:
            session.answers.clear()  # another person's card: nothing of the first (or the draft's) may carry over
            session.captures.clear()
            session.forget_consent()
        session.draft_id_number = ""
        session.identity = identity
        session.answers = self.prefill(session.item, identity) | {
            k: v for k, v in session.answers.items() if v
        }
        self.idle.touch()
        return identity

    @staticmethod
    def prefill(item: ServiceItem, identity: Identity) -> dict[str, str]:
        values = {"name": identity.name, "id_number": identity.id_number, "address": identity.address,
                  "phone": identity.phone}
        return {f.key: values.get(f.prefill, "") for f in item.form if f.prefill and values.get(f.prefill)}

    # --- form ----------------------------------------------------------------------------------------------
    def set_answers(self, session: ResidentSession, answers: dict[str, str]) -> dict[str, FieldError]:
        """Keep what was typed (even when invalid, so nothing is lost) and return the problems per field."""
        cleaned = {k: (v or "").strip() for k, v in answers.items()}
        session.answers.update(cleaned)
        return {f.key: err for f in session.item.form if (err := check_field(f, session.answers.get(f.key, "")))}

    # --- durable submission --------------------------------------------------------------------------------
    def submit(self, session: ResidentSession) -> Application:
        if session.withdrawn:
            raise FlowError(Problem.CONSENT_WITHDRAWN)
        if session.application is not None:
            raise FlowError(Problem.ALREADY_SUBMITTED, session.application.receipt_no)
        if session.identity is None:
            raise FlowError(Problem.NOT_IDENTIFIED)
        deferred = self._deferred(session)   # the commitment is signed before the consent: asked for first
        extra = self._on_behalf(session) | deferred
        if self.set_answers(session, {}):
            raise FlowError(Problem.FORM_INVALID)
        if session.certificate:
            extra["certificate"] = request_for(session.item, session.answers)
        if session.agent is not None:
            extra |= {"media": tuple(session.captures.values()), "draft_id": session.draft_id,
                      "review": self.needs_review(session.item.id)}
        extra |= self._bundled(session)
        with self.idle.busy():
            try:
                app = self.store.submit(session.item.id, session.item.name, session.identity, session.answers,
                                        **extra)
            except sqlite3.OperationalError as exc:
                full = "full" in str(exc).lower()
                log.error("saving application failed: %s", exc)
                raise FlowError(Problem.STORAGE_FULL if full else Problem.STORAGE_FAILED, str(exc)) from exc
        session.application = app
        self.on_submitted(app)
        return app

    def _on_behalf(self, session: ResidentSession) -> dict:
        """The store's extra arguments when an agent files (none for a resident alone: that call is unchanged)."""
        agent = session.agent
        if agent is None:
            return {}
        _check_agent(agent)
        if session.consent is None:
            raise FlowError(Problem.CONSENT_MISSING)
        agent.touch()
        return {"filed_by": FiledBy(agent.agent_id, agent.role), "consent": session.consent,
                "evidence": session.consent_evidence}

    # --- drafts and photographed materials (agent filings) -------------------------------------------------
    def save_draft(self, session: ResidentSession) -> str:
        """Keep the filing to finish later (the resident went for a paper): sealed, for draft_keep_days. The
        session keeps going; consent is never kept in a draft, nor are photographed pages (photograph them again)."""
        agent = self._agent_of(session)
        self.set_answers(session, {})
        with self.idle.busy():
            session.draft_id = self.drafts.save(agent.agent_id, session.item.id, session.item.name,
                                                session.identity, session.answers, session.draft_id)
        return session.draft_id

    def resume_draft(self, draft_id: str, agent: AgentSession) -> ResidentSession:
        """A new session with the draft's answers; the resident is not identified: their card or code must be
        read again (consent is given in person), and another person's card clears the draft's answers."""
        _check_agent(agent)
        draft = self.drafts.load(draft_id, agent.agent_id)
        if draft is None:
            raise FlowError(Problem.NO_DRAFT)
        session = self.begin_from_guide(draft.item_id, agent)
        session.answers = dict(draft.answers)
        session.draft_id = draft.id
        session.draft_id_number = draft.identity.id_number if draft.identity else ""
        agent.touch()
        return session

    def discard_draft(self, draft_id: str, agent: AgentSession) -> None:
        _check_agent(agent)
        if not self.drafts.discard(draft_id, agent.agent_id):
            raise FlowError(Problem.NO_DRAFT)

    def keep_capture(self, session: ResidentSession, jpeg: bytes) -> str:
        """DocumentCapture's `store`: the page stays on the session until the save commits it with the record."""
        self._agent_of(session)
        sha = hashlib.sha256(jpeg).hexdigest()
        session.captures[sha] = bytes(jpeg)
        self.idle.touch()
        return sha

    def drop_capture(self, session: ResidentSession, sha: str) -> None:
        """重拍: the page is not used."""
        session.captures.pop(sha, None)

    def _agent_of(self, session: ResidentSession) -> AgentSession:
        if session.agent is None:
            raise FlowError(Problem.AGENTS_ONLY)
        if session.application is not None:
            raise FlowError(Problem.ALREADY_SUBMITTED, session.application.receipt_no)
        _check_agent(session.agent)
        session.agent.touch()
        return session.agent

    def _deferred(self, session: ResidentSession) -> dict:
        if not session.missing:
            return {}
        if session.deferral is None:
            raise FlowError(Problem.COMMITMENT_MISSING)
        return {"deferral": session.deferral, "commitment": session.commitment_evidence}

    def _bundled(self, session: ResidentSession) -> dict:
        bundle = session.bundle
        if bundle is None:
            return {}
        return {"bundle_id": bundle.id, "bundle_parts": one_thing.bundle_parts(self.catalog, bundle)}

    # --- 容缺受理 + 告知承诺 ---------------------------------------------------------------------------------
    def deferrable(self, session: ResidentSession) -> tuple[str, ...]:
        """The materials this filer may tick as missing; empty: 容缺 is not offered."""
        return session.item.deferrable_for(by_agent=session.agent is not None)

    def set_missing_materials(self, session: ResidentSession, names: tuple[str, ...] | list[str]) -> str:
        """Before the summary: which materials the resident does not have. Returns the deadline (YYYY-MM-DD) or
        "" when none are missing. A required material that may not be deferred refuses the filing here."""
        names = tuple(dict.fromkeys(names))
        if names and session.agent is None and not session.item.defer_self:
            raise FlowError(Problem.DEFERRAL_NOT_ALLOWED, session.item.id)
        allowed = self.deferrable(session)
        refused = next((n for n in names if n not in allowed), None)
        if refused is not None:
            raise FlowError(Problem.MATERIAL_NOT_DEFERRABLE, refused)
        if names != session.missing:
            session.forget_commitment()   # a commitment covers exactly the materials it names
        session.missing = names
        self.idle.touch()
        return self.deadline(session) if names else ""

    def deadline(self, session: ResidentSession) -> str:
        return f"{commitments.deadline(self.clock(), session.item.defer_days):%Y-%m-%d}"

    def commitment_text(self, session: ResidentSession) -> str:
        due = commitments.deadline(self.clock(), session.item.defer_days)
        return commitments.commitment_text(session.item.name, session.missing, due)

    def sign_commitment(self, session: ResidentSession, png: bytes) -> Deferral:
        return self._commit(session, "signature", png, "")

    def commit_by_zlb_code(self, session: ResidentSession) -> Deferral:
        """The resident's own verified 浙里办 code signs the commitment (the applicant's, as for consent)."""
        self._check_commitment_possible(session)
        raw = self._device_call(lambda: self.devices.qr.scan(self.device_timeout_s))
        shown = self._device_call(lambda: self.qr_parser(raw))
        if shown.id_number != session.identity.id_number:
            raise FlowError(Problem.CONSENT_NOT_APPLICANT)
        return self._commit(session, "zlb_code", b"", shown.id_number)

    def _commit(self, session: ResidentSession, method: str, proof: bytes, id_number: str) -> Deferral:
        self._check_commitment_possible(session)
        now = self.clock()
        due = commitments.deadline(now, session.item.defer_days)
        text = commitments.commitment_text(session.item.name, session.missing, due)
        evidence = commitments.commitment_evidence(session.item.id, text, session.missing, due, method, proof,
                                                   now.isoformat(timespec="seconds"), id_number)
        session.deferral = Deferral(session.missing, f"{due:%Y-%m-%d}", hashlib.sha256(evidence).hexdigest(),
                                    method)
        session.commitment_evidence = evidence
        self.idle.touch()
        return session.deferral

    @staticmethod
    def _check_commitment_possible(session: ResidentSession) -> None:
        if session.withdrawn:
            raise FlowError(Problem.CONSENT_WITHDRAWN)
        if session.agent is not None:
            _check_agent(session.agent)
        if session.identity is None:
            raise FlowError(Problem.NOT_IDENTIFIED)
        if not session.missing:
            raise ValueError("a commitment is signed only for missing materials")

    # --- consent (filing on behalf) ------------------------------------------------------------------------
    def record_consent(self, session: ResidentSession, method: str, evidence: bytes) -> Consent:
        """Keep the resident's consent on the session. The evidence is written with the application, in the save's
        transaction: stored now, the sync worker could upload a signature whose consent is then withdrawn."""
        _check_consent_possible(session)
        consent = make_consent(method, evidence, self.clock().isoformat(timespec="seconds"))
        session.consent, session.consent_evidence = consent, bytes(evidence)
        session.agent.touch()
        self.idle.touch()
        return consent

    def confirm_by_zlb_code(self, session: ResidentSession) -> Consent:
        """The resident shows their own 浙里办 code; it must be the applicant's (a verified code, same ID)."""
        _check_consent_possible(session)
        raw = self._device_call(lambda: self.devices.qr.scan(self.device_timeout_s))
        shown = self._device_call(lambda: self.qr_parser(raw))
        if shown.id_number != session.identity.id_number:
            raise FlowError(Problem.CONSENT_NOT_APPLICANT)
        at = self.clock().isoformat(timespec="seconds")
        text = zlb_confirmation(session.item.id, session.agent.agent_id, at, shown.id_number)
        return self.record_consent(session, "zlb_code", text)

    def withdraw_consent(self, session: ResidentSession) -> None:
        """The resident withdraws before the save: everything they left is wiped, nothing is saved, and the
        withdrawal is audited with the item id only. After the save it is the district's matter."""
        if session.application is not None:
            raise FlowError(Problem.ALREADY_SUBMITTED, session.application.receipt_no)
        session.wipe()
        session.withdrawn = True
        actor = audit.agent_actor(session.agent.agent_id) if session.agent else audit.RESIDENT
        self.store.audit.record(actor, audit.CONSENT_WITHDRAWN, target=session.item.id)

    # --- receipt -------------------------------------------------------------------------------------------
    def print_receipt(self, session: ResidentSession) -> PrintOutcome:
        """Print after the save; a failure leaves the receipt owed in the journal, never the record at risk."""
        app = session.application
        if app is None:
            raise FlowError(Problem.NOTHING_SUBMITTED)
        if app.status != "submitted":   # awaiting review: no receipt is owed until a supervisor approves it
            session.print_outcome = PrintOutcome(printed=False)
            return session.print_outcome
        doc = build_receipt(app, session.item, self.station_name, self.follow_up)   # for a bundle: as one item
        session.print_outcome = self.print_owed(app.receipt_no, doc)
        return session.print_outcome

    def print_owed(self, receipt_no: str, doc: ReceiptDoc) -> PrintOutcome:
        """Print an owed receipt and settle its journal row: printed, or still owed with the fault (also the
        reprint's way, kiosk/owed_receipts.py)."""
        with self.idle.busy():
            try:
                self.devices.printer.print_receipt(doc)
            except DeviceError as exc:
                self.store.mark_print_failed(receipt_no, exc.reason.value)
                return PrintOutcome(printed=False, fault=exc.reason)
            except Exception as exc:  # a driver bug must not take the resident's receipt number with it
                log.exception("printer driver failed")
                self.store.mark_print_failed(receipt_no, f"driver: {type(exc).__name__}")
                return PrintOutcome(printed=False, fault=Fault.PRINTER_ERROR)
            self.store.mark_printed(receipt_no)
            return PrintOutcome(printed=True)

    def print_certificate(self, receipt_no: str) -> PrintOutcome:
        """证明直通车: print the certificate issued for this receipt. The certificate stays in the database, so a
        fault (paper out…) loses nothing: fix the printer and call again."""
        cert = self.store.certificate(receipt_no)
        if cert is None:
            raise FlowError(Problem.NO_CERTIFICATE, receipt_no)
        doc = build_certificate_doc(cert, self.station_name, self.clock())
        with self.idle.busy():
            try:
                self.devices.printer.print_receipt(doc)
            except DeviceError as exc:
                outcome = PrintOutcome(printed=False, fault=exc.reason)
            except Exception as exc:  # a driver bug: the same answer as for receipts
                log.exception("printer driver failed: %s", type(exc).__name__)
                outcome = PrintOutcome(printed=False, fault=Fault.PRINTER_ERROR)
            else:
                outcome = PrintOutcome(printed=True)
        self.store.audit.record(audit.RESIDENT, audit.CERTIFICATE_PRINTED, target=cert.record_id,
                                outcome="ok" if outcome.printed else outcome.fault.value)
        return outcome

    # --- rating --------------------------------------------------------------------------------------------
    def rate(self, session: ResidentSession, level: int, reasons: tuple[str, ...], comment: str = "") -> None:
        """The resident's 好差评 of this filing; a bad rating without a reason raises ValueError (the screen
        never submits one)."""
        _check_rating(level, reasons, comment)
        app_id = session.application.id if session.application else None
        self.store.rate(session.item.id, app_id, level, reasons, comment.strip(), service=service_of(session),
                        item_name=session.item.name)
        session.rated = True

    def rate_service(self, service: str, level: int, reasons: tuple[str, ...], comment: str = "",
                     item_id: str = "", item_name: str = "") -> None:
        """好差评 of a service that is not a filing (a progress query, a printed certificate, a booking, a need)."""
        if service not in SERVICES:
            raise ValueError("unknown service")
        _check_rating(level, reasons, comment)
        self.store.rate(item_id, None, level, reasons, comment.strip(), service=service, item_name=item_name)


def service_of(session: ResidentSession) -> str:
    """How a filing ended, for the rating: 一件事, a certificate request, an agent's filing, or the resident's own."""
    if session.bundle is not None:
        return "bundle"
    if session.certificate:
        return "certificate_request"
    return "agent_filing" if session.agent is not None else "application"


def _check_rating(level: int, reasons: tuple[str, ...], comment: str) -> None:
    problem = rating_problem(level, tuple(reasons), comment)
    if problem is not None:
        raise ValueError(f"rating refused: {problem}")


def _check_agent(agent: AgentSession) -> None:
    if agent.expired():
        raise FlowError(Problem.AGENT_SESSION_ENDED)


def _check_consent_possible(session: ResidentSession) -> None:
    if session.withdrawn:
        raise FlowError(Problem.CONSENT_WITHDRAWN)
    if session.agent is None:
        raise ValueError("consent is recorded only when an agent files for the resident")
    _check_agent(session.agent)
    if session.identity is None:
        raise FlowError(Problem.NOT_IDENTIFIED)   # consent is given by someone: identify them first


def check_field(spec: FormField, value: str) -> FieldError | None:
    if not value:
        return FieldError.MISSING if spec.required else None
    if len(value) > MAX_ANSWER:
        return FieldError.TOO_LONG
    if spec.kind == "phone" and not PHONE.match(value):
        return FieldError.BAD_PHONE
    if spec.kind == "number" and not value.isdigit():
        return FieldError.BAD_NUMBER
    if spec.kind == "date" and not DATE.match(value):
        return FieldError.BAD_DATE
    if spec.kind == "choice" and spec.choices and value not in spec.choices:
        return FieldError.BAD_CHOICE
    return None
