"""Supervisor review: agents' filings of configured items wait for a supervisor at the station before they sync.

`ApplicationStore.submit(review=True)` keeps the record as awaiting_review with its outbox payload sealed on the
row (`held_payload`). Approval moves that payload into the outbox and owes the receipt, with its audit line, in one
transaction; rejection keeps the record (nothing is lost) as review_rejected with a reason code and an optional
note (sealed), which the filing agent sees in their work queue. A supervisor never reviews their own filing.
"""
from __future__ import annotations

import json
from dataclasses import dataclass

from kiosk.records import Identity
from local_db import audit
from local_db.keys import SealError
from local_db.sealing import ANSWERS, APPLICANT, HELD_PAYLOAD, REVIEW_NOTE, sealer_of
from local_db.sync_state import transaction

SUPERVISOR = "supervisor"
AWAITING = "awaiting_review"
REJECTED = "review_rejected"
REASONS = tuple(audit.REVIEW_REASONS.split())
MAX_NOTE = 200


class ReviewRefused(Exception):
    """code: not_supervisor | own_filing | not_awaiting | bad_reason"""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class AwaitingReview:
    application_id: str
    receipt_no: str
    item_name: str
    filed_by: str
    created_at: str
    applicant_masked: str
    item_id: str = ""
    answers: tuple[tuple[str, str], ...] = ()   # (field key, value) as the agent entered them: what is approved


class ReviewDesk:
    """Works on the application store's connection, under its lock."""

    def __init__(self, store):
        self.store = store
        self.db, self.lock, self.trail = store.db, store._lock, store.audit

    def awaiting(self) -> list[AwaitingReview]:
        with self.lock:
            rows = self.db.execute("SELECT id, receipt_no, item_name, filed_by, created_at, applicant, item_id, answers"
                                   " FROM applications WHERE status=? ORDER BY created_at", (AWAITING,)).fetchall()
        return [AwaitingReview(*row[:5], self._masked(row[0], row[5]), row[6], self._answers(row[0], row[7]))
                for row in rows]

    def approve(self, application_id: str, supervisor_id: str, role: str) -> None:
        entry = self.trail.entry(audit.agent_actor(supervisor_id), audit.REVIEW_APPROVED, target=application_id)
        with self.lock, transaction(self.db):
            receipt_no, held = self._held(application_id, supervisor_id, role)
            payload = json.loads(self.store.sealer.open(held, HELD_PAYLOAD.context(application_id)))
            self.db.execute("UPDATE applications SET status='submitted', held_payload=NULL, reviewed_by=?,"
                            " reviewed_at=? WHERE id=?", (supervisor_id, self._now(), application_id))
            self.store.release(application_id, payload, receipt_no, self._now())
            self.trail.write(entry)

    def reject(self, application_id: str, supervisor_id: str, role: str, reason: str, note: str = "") -> None:
        """The record stays (its held payload too, should the district want it), marked for its filer."""
        if reason not in REASONS:
            raise ReviewRefused("bad_reason")
        entry = self.trail.entry(audit.agent_actor(supervisor_id), audit.REVIEW_REJECTED, target=application_id,
                                 outcome=reason)
        note = note.strip()[:MAX_NOTE]
        sealed = self.store.sealer.seal(note, REVIEW_NOTE.context(application_id)) if note else None
        with self.lock, transaction(self.db):
            self._held(application_id, supervisor_id, role)
            self.db.execute("UPDATE applications SET status=?, reviewed_by=?, reviewed_at=?, review_reason=?,"
                            " review_note=? WHERE id=?",
                            (REJECTED, supervisor_id, self._now(), reason, sealed, application_id))
            self.trail.write(entry)

    def _held(self, application_id: str, supervisor_id: str, role: str) -> tuple[str, str]:
        """Inside the transaction: the receipt number and held payload, or ReviewRefused."""
        if role != SUPERVISOR:
            raise ReviewRefused("not_supervisor")
        row = self.db.execute("SELECT receipt_no, held_payload, filed_by, status FROM applications WHERE id=?",
                              (application_id,)).fetchone()
        if row is None or row[3] != AWAITING or row[1] is None:
            raise ReviewRefused("not_awaiting")   # decided meanwhile (another supervisor), or never held
        if row[2] == supervisor_id:
            raise ReviewRefused("own_filing")     # four eyes: the filer cannot approve their own filing
        return row[0], row[1]

    def _answers(self, application_id: str, sealed: str) -> tuple[tuple[str, str], ...]:
        try:
            answers = json.loads(self.store.sealer.open(sealed, ANSWERS.context(application_id)))
        except (SealError, ValueError):
            return ()
        return tuple((str(k), str(v)) for k, v in answers.items()) if isinstance(answers, dict) else ()

    def _masked(self, application_id: str, applicant: str) -> str:
        try:
            name = json.loads(self.store.sealer.open(applicant, APPLICANT.context(application_id))).get("name", "")
        except (SealError, ValueError):
            return ""
        return Identity(source="", name=name, id_number="").masked_name()

    def _now(self) -> str:
        return self.store.clock().isoformat(timespec="seconds")


def review_note(sealer, application_id: str, sealed: str | None) -> str:
    if not sealed:
        return ""
    try:
        return sealer.open(sealed, REVIEW_NOTE.context(application_id))
    except SealError:
        return ""


def held_media(db) -> set[str]:
    """Hashes of media that only filings held at the station name (awaiting review, or sent back): they stay off
    the hub until a supervisor approves the filing, as its record does."""
    sealer = sealer_of(db)
    named: set[str] = set()
    for record_id, sealed in db.execute("SELECT id, held_payload FROM applications WHERE held_payload IS NOT NULL"):
        try:
            named.update(json.loads(sealer.open(sealed, HELD_PAYLOAD.context(record_id))).get("attachments") or ())
        except (SealError, ValueError, AttributeError):
            continue   # an unreadable held payload names nothing we could hold back
    return named
