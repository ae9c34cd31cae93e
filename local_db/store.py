"""The application store: a submission, its outbox row and its owed receipt commit together or not at all."""
from __future__ import annotations

import hashlib
import json
import threading
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import TYPE_CHECKING

import sqlite_utils

from kiosk.ids import CST, Clock, receipt_number, utc_now, uuid7
from kiosk.records import Application, BundlePart, Consent, Deferral, FiledBy, Identity, Rating
from local_db import audit
from local_db.audit import AuditLog
from local_db.keys import SealError
from local_db.receipt_numbers import local_day, next_sequence
from local_db.sealing import ANSWERS, APPLICANT, HELD_PAYLOAD, RATING_COMMENT, payload_context, sealer_of

if TYPE_CHECKING:
    from kiosk.certificates import CertificateRequest

# Receipt numbers count per local (China Standard Time) day, as the resident reads the date.


@dataclass(frozen=True)
class OutboxItem:
    seq: int
    record_id: str
    kind: str
    payload: dict | None   # None: the stored payload does not open or is not a JSON object (damaged on disk)
    attempts: int


@dataclass(frozen=True)
class OwedReceipt:
    receipt_no: str
    application_id: str
    attempts: int
    last_error: str | None


class ApplicationStore:
    def __init__(self, db: sqlite_utils.Database, station_id: str, station_code: str, clock: Clock = utc_now):
        self.db = db
        self.station_id = station_id
        self.station_code = station_code
        self.clock = clock
        self.sealer = sealer_of(db)   # applicant, answers, payloads and comments are sealed at rest
        db.conn.execute("PRAGMA secure_delete=ON")   # a discarded draft's sealed bytes are zeroed, not just freed
        self._lock = threading.RLock()  # one writer: transactions from UI worker threads never interleave
        # The audit trail shares the writer lock (local_db/audit.py). Consent evidence stays in the database, not
        # the media folder, so it commits or rolls back with its application; signatures are small.
        self.audit = AuditLog(db, station_id, clock, lock=self._lock)
        from sync.attachments import AttachmentStore   # here: the sync package imports this module

        self.attachments = AttachmentStore(db, None, clock)

    def submit(self, item_id: str, item_name: str, applicant: Identity, answers: dict[str, str],
               filed_by: FiledBy | None = None, consent: Consent | None = None, evidence: bytes = b"",
               certificate: "CertificateRequest | None" = None, media: tuple[bytes, ...] = (),
               review: bool = False, draft_id: str | None = None, deferral: Deferral | None = None,
               commitment: bytes = b"", bundle_id: str = "", bundle_parts: tuple[BundlePart, ...] = ()
               ) -> Application:
        """Commit the application, its outbox row and an owed receipt in one durable transaction. Filed by an
        agent, the consent evidence (an attachment) and the FILE_ON_BEHALF audit entry join the same transaction:
        there is never an application without its consent, nor consent evidence of one that was not filed.
        `media` (photographed pages) are stored in it too; `draft_id` names the agent's draft it finishes, deleted
        with it. `review`: held as awaiting_review, its payload sealed on the row, no outbox row and no receipt
        owed until a supervisor approves it (local_db/review.py). 容缺受理 (`deferral`) adds the signed commitment
        and its audit entry the same way. 一件事 (`bundle_id`, `bundle_parts`) is one record and one receipt
        covering every item."""
        _check_on_behalf(filed_by, consent, evidence)
        _check_evidence(deferral.commitment_sha256 if deferral else None, commitment, "commitment")
        if review and filed_by is None:
            raise ValueError("supervisor review applies to agents' filings")
        now = self.clock()
        conn = self.db.conn
        with self._lock, conn:
            conn.execute("BEGIN IMMEDIATE")  # serialise receipt numbering with other writers
            app = Application(
                id=uuid7(now), receipt_no=self._next_receipt_no(now), item_id=item_id, item_name=item_name,
                applicant=applicant, answers=dict(answers), created_at=now.isoformat(timespec="seconds"),
                station_id=self.station_id, filed_by=filed_by, consent=consent,
                status="awaiting_review" if review else "submitted",
                attachments=tuple(self.attachments.add(data) for data in media), deferral=deferral,
                bundle_id=bundle_id, bundle_parts=tuple(bundle_parts),
            )
            conn.execute(
                "INSERT INTO applications (id, receipt_no, item_id, item_name, applicant, answers, station_id,"
                " created_at, filed_by, filed_by_role, consent, status, deferral, bundle)"
                " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (app.id, app.receipt_no, app.item_id, app.item_name,
                 self.sealer.seal(json.dumps(asdict(applicant), ensure_ascii=False), APPLICANT.context(app.id)),
                 self.sealer.seal(json.dumps(app.answers, ensure_ascii=False), ANSWERS.context(app.id)),
                 app.station_id, app.created_at,
                 filed_by.agent_id if filed_by else None, filed_by.role if filed_by else None,
                 json.dumps(asdict(consent)) if consent else None, app.status,
                 json.dumps(deferral.to_payload(), ensure_ascii=False) if deferral else None,
                 json.dumps({"id": bundle_id, "parts": [asdict(p) for p in bundle_parts]}, ensure_ascii=False)
                 if bundle_id else None),
            )
            if filed_by is not None:
                self.attachments.add(evidence)
                self.audit.write(self.audit.entry(audit.agent_actor(filed_by.agent_id), audit.FILE_ON_BEHALF,
                                                  target=app.id, outcome=consent.method))
            if deferral is not None:
                self.attachments.add(commitment)
                actor = audit.agent_actor(filed_by.agent_id) if filed_by else audit.RESIDENT
                self.audit.write(self.audit.entry(actor, audit.DEFERRED_ACCEPTANCE, target=app.id,
                                                  outcome=deferral.method))
            payload = application_payload(app)
            if certificate is not None:
                payload |= {"kind": "certificate_request"} | certificate.to_payload()
            if draft_id is not None and filed_by is not None:
                conn.execute("DELETE FROM drafts WHERE id=? AND agent_id=?", (draft_id, filed_by.agent_id))
            if review:
                conn.execute("UPDATE applications SET held_payload=? WHERE id=?",
                             (self.sealer.seal(json.dumps(payload, ensure_ascii=False), HELD_PAYLOAD.context(app.id)),
                              app.id))
            else:
                self.release(app.id, payload, app.receipt_no, app.created_at)
        return app

    def release(self, record_id: str, payload: dict, receipt_no: str, at: str) -> None:
        """Inside a transaction: the record's outbox row and its owed receipt (at submit, or on approval)."""
        self._enqueue(record_id, payload["kind"], payload, at)
        self.db.conn.execute(
            "INSERT INTO print_journal (receipt_no, application_id, status, updated_at) VALUES (?,?, 'owed', ?)",
            (receipt_no, record_id, at),
        )

    def _next_receipt_no(self, now: datetime) -> str:
        """Inside the submit transaction: the day's next number, past any a restore may have lost
        (local_db/receipt_numbers.py)."""
        day = now.astimezone(CST)
        prefix = receipt_number(self.station_code, day, 0)[:-4]
        return receipt_number(self.station_code, day, next_sequence(self.db.conn, prefix, local_day(now)))

    def rate(self, item_id: str, application_id: str | None, level: int, reasons: tuple[str, ...],
             comment: str = "", *, service: str = "", item_name: str = "") -> Rating:
        """`service`: how the service ended (kiosk/rating.py SERVICES); `item_name` for the hub's dashboard.
        Both are left out of the payload when empty, so older hubs and records read the same."""
        if not 1 <= level <= 5:
            raise ValueError("rating level must be 1..5")
        now = self.clock().isoformat(timespec="seconds")
        rating_id = uuid7(self.clock())
        rating = Rating(application_id=application_id or "", level=level, reasons=tuple(reasons), comment=comment)
        conn = self.db.conn
        with self._lock, conn:
            conn.execute("BEGIN IMMEDIATE")
            conn.execute(
                "INSERT INTO ratings (id, application_id, item_id, level, reasons, comment, created_at)"
                " VALUES (?,?,?,?,?,?,?)",
                (rating_id, application_id, item_id, level, json.dumps(list(reasons), ensure_ascii=False),
                 self.sealer.seal(comment, RATING_COMMENT.context(rating_id)) if comment else "", now),
            )
            payload = {"id": rating_id, "kind": "rating", "station_id": self.station_id, "item_id": item_id,
                       "application_id": application_id, "level": level, "reasons": list(reasons),
                       "comment": comment, "created_at": now}
            payload |= {key: value for key, value in (("service", service), ("item_name", item_name)) if value}
            self._enqueue(rating_id, "rating", payload, now)
        return rating

    def enqueue(self, record_id: str, kind: str, payload: dict, created_at: str) -> None:
        """The sealed outbox row of a record written in the caller's transaction (kiosk/bookings.py)."""
        self._enqueue(record_id, kind, payload, created_at)

    def _enqueue(self, record_id: str, kind: str, payload: dict, created_at: str) -> None:
        sealed = self.sealer.seal(json.dumps(payload, ensure_ascii=False), payload_context(record_id))
        self.db.conn.execute(
            "INSERT INTO outbox (record_id, kind, payload, created_at) VALUES (?,?,?,?)",
            (record_id, kind, sealed, created_at),
        )

    # --- print journal -------------------------------------------------------------------------------------
    def mark_printed(self, receipt_no: str) -> None:
        self._journal(receipt_no, "printed", None)

    def mark_print_failed(self, receipt_no: str, error: str) -> None:
        self._journal(receipt_no, "owed", error)

    def _journal(self, receipt_no: str, status: str, error: str | None) -> None:
        with self._lock, self.db.conn:
            self.db.conn.execute(
                "UPDATE print_journal SET status=?, attempts=attempts+1, last_error=?, updated_at=?"
                " WHERE receipt_no=?",
                (status, error, self.clock().isoformat(timespec="seconds"), receipt_no),
            )

    def receipts_owed(self) -> list[OwedReceipt]:
        with self._lock:
            rows = self.db.execute(
                "SELECT receipt_no, application_id, attempts, last_error FROM print_journal WHERE status='owed'"
                " ORDER BY updated_at"
            ).fetchall()
        return [OwedReceipt(*row) for row in rows]

    def progress(self, receipt_no: str):
        """办件查询 by receipt number (kiosk/progress.py); read under the writer lock like every store read."""
        from kiosk.progress import lookup

        with self._lock:
            return lookup(self.db, receipt_no)

    def certificate(self, receipt_no: str):
        """The certificate issued for this receipt (kiosk/certificate_print.py), read under the writer lock."""
        from kiosk.certificate_print import find_certificate

        with self._lock:
            return find_certificate(self.db, receipt_no)

    def agent_queue(self, agent_id: str):
        """An agent's work queue (kiosk/work_queue.py), read under the writer lock like every store read."""
        from kiosk.work_queue import agent_queue

        with self._lock:
            return agent_queue(self.db, agent_id, self.clock().isoformat(timespec="seconds"))

    def file_need(self, draft, agent_id: str, resident: Identity | None = None):
        """有求必应 (kiosk/needs.py): the need, its outbox row and its audit entry in one transaction."""
        from kiosk.needs import NeedStore   # here: kiosk.needs imports kiosk.flow, which imports this module

        return NeedStore(self).file(draft, agent_id, resident)

    def file_callback(self, question: str, contact: str, location: str):
        """智能问答's 找人工 offline: the resident's callback request as a need (kiosk/needs.py)."""
        from kiosk.needs import NeedStore

        return NeedStore(self).file_callback(question, contact, location)

    def load_application(self, application_id: str) -> Application | None:
        with self._lock:
            row = self.db.execute(
                "SELECT id, receipt_no, item_id, item_name, applicant, answers, created_at, station_id, purged_at,"
                " filed_by, filed_by_role, consent, deferral, bundle FROM applications WHERE id=?", (application_id,)
            ).fetchone()
        if row is None or row[8] is not None:   # purged (local_db/retention.py): no applicant to rebuild
            return None
        filed_by = FiledBy(row[9], row[10] or "") if row[9] is not None else None
        consent = Consent(**json.loads(row[11])) if row[11] is not None else None
        applicant = self.sealer.open(row[4], APPLICANT.context(row[0]))
        answers = self.sealer.open(row[5], ANSWERS.context(row[0]))
        bundle = json.loads(row[13]) if row[13] is not None else {"id": "", "parts": []}
        return Application(id=row[0], receipt_no=row[1], item_id=row[2], item_name=row[3],
                           applicant=Identity(**json.loads(applicant)), answers=json.loads(answers),
                           created_at=row[6], station_id=row[7], filed_by=filed_by, consent=consent,
                           deferral=_deferral(row[12]), bundle_id=bundle["id"],
                           bundle_parts=tuple(BundlePart(**p) for p in bundle["parts"]))


def application_payload(app: Application) -> dict:
    """What the hub receives for an application (the full record: the hub is the system of record). Filed by an
    agent, it says who, and names the consent evidence in `attachments` so the media upload carries it."""
    payload = {
        "id": app.id, "kind": "application", "receipt_no": app.receipt_no, "item_id": app.item_id,
        "item_name": app.item_name, "station_id": app.station_id, "created_at": app.created_at,
        "applicant": asdict(app.applicant), "answers": app.answers,
    }
    if app.filed_by is not None:
        payload["filed_by"] = asdict(app.filed_by)
    if app.consent is not None:
        payload["consent"] = asdict(app.consent)
    media = ([app.consent.evidence_sha256] if app.consent else []) + list(app.attachments)
    if app.deferral is not None:
        payload["deferred"] = app.deferral.to_payload()
        media.append(app.deferral.commitment_sha256)
    if media:
        payload["attachments"] = media
    if app.bundle_id:
        payload["bundle_id"] = app.bundle_id
        payload["items"] = bundle_items(app)
    return payload


def bundle_items(app: Application) -> list[dict]:
    """一件事, per item: the shared answers (keys without "/") and the item's own ("<item id>/<key>", unprefixed),
    as kiosk/one_thing.py lays out the bundle's form: the shared data entered once reaches every item."""
    shared = {k: v for k, v in app.answers.items() if "/" not in k}
    return [{"item_id": p.item_id, "item_name": p.item_name,
             "answers": shared | {k.split("/", 1)[1]: v for k, v in app.answers.items()
                                  if k.startswith(p.item_id + "/")}} for p in app.bundle_parts]


def _deferral(stored: str | None) -> Deferral | None:
    if stored is None:
        return None
    data = json.loads(stored)
    return Deferral(tuple(data["materials"]), data["deadline"], data["commitment_sha256"], data["method"])


def _check_evidence(sha256: str | None, evidence: bytes, what: str) -> None:
    if sha256 is not None and hashlib.sha256(evidence).hexdigest() != sha256:
        raise ValueError(f"{what} evidence does not match its hash")
    if sha256 is None and evidence:
        raise ValueError(f"{what} evidence without its terms")


def _check_on_behalf(filed_by: FiledBy | None, consent: Consent | None, evidence: bytes) -> None:
    """Programming errors, not resident problems: the flow refuses a missing consent first (CONSENT_MISSING)."""
    if (filed_by is None) != (consent is None):
        raise ValueError("an agent filing needs the resident's consent, and consent needs an agent")
    if consent is not None and hashlib.sha256(evidence).hexdigest() != consent.evidence_sha256:
        raise ValueError("consent evidence does not match its hash")


class Outbox:
    """Read and settle the outbox; used by the sync worker on its own connection."""

    def __init__(self, db: sqlite_utils.Database, clock: Clock = utc_now):
        self.db = db
        self.clock = clock
        self.sealer = sealer_of(db)

    def pending(self, limit: int = 100) -> list[OutboxItem]:
        return self.pending_after(0, limit)

    def pending_after(self, after_seq: int, limit: int = 100) -> list[OutboxItem]:
        """Oldest first; `after_seq` skips what a pipelined push already has in flight."""
        rows = self.db.execute(
            "SELECT seq, record_id, kind, payload, attempts FROM outbox WHERE delivered_at IS NULL AND seq > ?"
            " ORDER BY seq LIMIT ?", (after_seq, limit)
        ).fetchall()
        return [OutboxItem(seq, rid, kind, self._payload(rid, payload), attempts)
                for seq, rid, kind, payload, attempts in rows]

    def _payload(self, record_id: str, stored: str) -> dict | None:
        """The payload as queued; None for one damaged on disk, which the push quarantines rather than letting one
        bad row stop every round (sync/client.py)."""
        try:
            body = json.loads(self.sealer.open(stored, payload_context(record_id)))
        except (SealError, ValueError):
            return None
        return body if isinstance(body, dict) else None

    def mark_delivered(self, record_ids: list[str]) -> None:
        now = self.clock().isoformat(timespec="seconds")
        with self.db.conn:
            self.db.conn.executemany(
                "UPDATE outbox SET delivered_at=?, attempts=attempts+1, last_error=NULL WHERE record_id=?",
                [(now, rid) for rid in record_ids],
            )

    def mark_failed(self, record_ids: list[str], error: str) -> None:
        from sync.protocol import utf8_text   # here: the sync package imports this module

        with self.db.conn:
            self.db.conn.executemany(
                "UPDATE outbox SET attempts=attempts+1, last_error=? WHERE record_id=?",
                [(utf8_text(error[:500]), rid) for rid in record_ids],
            )

    def pending_count(self) -> int:
        return self.db.execute("SELECT COUNT(*) FROM outbox WHERE delivered_at IS NULL").fetchone()[0]

    def oldest_pending_at(self) -> datetime | None:
        row = self.db.execute("SELECT MIN(created_at) FROM outbox WHERE delivered_at IS NULL").fetchone()
        return datetime.fromisoformat(row[0]) if row and row[0] else None
