"""A proxy agent's work queue: what they filed at this station, and where each application stands now.

Read from the local database, so it works offline and shows the last state sync brought back. The state is
derived, most informative first: held at the station for supervisor review (awaiting_review, or review_rejected
with the supervisor's reason), then the hub's latest status (accepted, needs_material, done, certificate_issued,
rejected...), else quarantined (the hub or terminal refused the record; the technician's matter), else
delivered (the hub has it, no decision yet), else pending_sync. The agent's unexpired drafts come first
(state draft, with the draft's id to resume or discard it). Rows carry no personal data beyond the masked
name that the receipt also shows.
"""
from __future__ import annotations

import json
from dataclasses import dataclass

import sqlite_utils

from kiosk.ids import utc_now
from kiosk.records import Identity
from local_db.drafts import drafts_of
from local_db.keys import SealError
from local_db.review import review_note
from local_db.sealing import APPLICANT, sealer_of

PENDING_SYNC = "pending_sync"
QUARANTINED = "quarantined"
DELIVERED = "delivered"
DRAFT = "draft"
HELD = ("awaiting_review", "review_rejected")   # local_db/review.py: decided at the station, not by the hub
MAX_ROWS = 200

_QUERY = """
    SELECT a.id, a.receipt_no, a.item_name, a.created_at, a.applicant, o.delivered_at, q.reason, s.status, s.note,
           a.status, a.review_reason, a.review_note
    FROM applications a
    LEFT JOIN outbox o ON o.record_id = a.id
    LEFT JOIN quarantine q ON q.record_id = a.id
    LEFT JOIN record_status s ON s.record_id = a.id
    WHERE a.filed_by = ?
    ORDER BY a.created_at DESC, a.receipt_no DESC
    LIMIT ?
"""


@dataclass(frozen=True)
class QueueEntry:
    receipt_no: str
    item_name: str
    created_at: str            # ISO 8601 UTC
    state: str                 # pending_sync | quarantined | delivered | the hub's latest status
    note: str = ""             # the hub's note (e.g. which material is missing) or the quarantine reason
    applicant_masked: str = ""  # "王**"; empty once retention has purged the applicant
    draft_id: str = ""         # set for a draft (receipt_no is then empty)
    reason: str = ""           # review_rejected: the supervisor's reason code (note: their words, if any)


def agent_queue(db: sqlite_utils.Database, agent_id: str, now_iso: str | None = None, limit: int = MAX_ROWS) -> list[QueueEntry]:
    """Drafts, then filings newest first. On the kiosk's shared connection, call it under the store's lock."""
    sealer = sealer_of(db)
    now_iso = now_iso or utc_now().isoformat(timespec="seconds")
    drafts = [QueueEntry("", d.item_name, d.updated_at, DRAFT, "", d.applicant_masked, d.id)
              for d in drafts_of(db, sealer, agent_id, now_iso)]
    rows = db.execute(_QUERY, (agent_id, limit)).fetchall()
    return drafts + [_held(sealer, row) or _entry(*row[1:4], _open_applicant(sealer, row[0], row[4]), *row[5:9])
                     for row in rows]


def _held(sealer, row: tuple) -> QueueEntry | None:
    """A filing still at the station for review: its state and, when rejected, the reason and note."""
    if row[9] not in HELD:
        return None
    masked = _masked_name(_open_applicant(sealer, row[0], row[4]))
    return QueueEntry(row[1], row[2], row[3], row[9], review_note(sealer, row[0], row[11]), masked,
                      reason=row[10] or "")


def _open_applicant(sealer, application_id: str, applicant: str) -> str:
    try:
        return sealer.open(applicant, APPLICANT.context(application_id))
    except SealError:   # a damaged value must not hide the agent's whole queue; the row shows without a name
        return ""


def _entry(receipt_no: str, item_name: str, created_at: str, applicant: str, delivered_at: str | None,
           quarantine_reason: str | None, status: str | None, note: str | None) -> QueueEntry:
    if status:
        state, note = status, note or ""
    elif quarantine_reason is not None:
        state, note = QUARANTINED, quarantine_reason
    elif delivered_at is not None:
        state, note = DELIVERED, ""
    else:
        state, note = PENDING_SYNC, ""
    return QueueEntry(receipt_no, item_name, created_at, state, note, _masked_name(applicant))


def _masked_name(applicant: str) -> str:
    try:
        name = json.loads(applicant).get("name", "")
    except (ValueError, AttributeError):
        return ""
    return Identity(source="", name=name, id_number="").masked_name() if isinstance(name, str) else ""
