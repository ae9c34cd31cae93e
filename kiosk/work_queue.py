"""A proxy agent's work queue: what they filed at this station, and where each application stands now.

Read from the local database, so it works offline and shows the last state sync brought back. The state is
derived, most informative first: held at the station for supervisor review (awaiting_review, or review_rejected
with the supervisor's reason), then the hub's latest status (accepted, needs_material, done, certificate_issued,
rejected...), else quarantined (the hub or terminal refused the record; the technician's matter), else
delivered (the hub has it, no decision yet), else pending_sync. The agent's unexpired drafts come first
(state draft, with the draft's id to resume or discard it). Rows carry no personal data beyond the masked
name that the receipt also shows. 有求必应 needs (kiosk/needs.py) join the queue with their category and short
number; the hub's dispatch status (dispatched, in_progress, done) comes with the assignee as the note. Bookings
(kiosk/bookings.py) join the same list too: their state is pending_sync, delivered, booking_confirmed or
booking_conflict with the hub's note naming free slots. A 容缺受理 filing also
carries what is still to be supplied and by when (待补材料), until the hub says it is done or refused. A filing
whose receipt the printer still owes says so (`receipt_owed`): the agent can 补打 it (kiosk/owed_receipts.py).
"""
from __future__ import annotations

import json
from dataclasses import dataclass, replace

import sqlite_utils

from kiosk.ids import utc_now
from kiosk.records import Identity
from local_db.drafts import drafts_of
from local_db.keys import SealError
from local_db.review import review_note
from local_db.sealing import APPLICANT, BOOKING_DETAILS, NEED_RESIDENT, sealer_of

PENDING_SYNC = "pending_sync"
QUARANTINED = "quarantined"
DELIVERED = "delivered"
DRAFT = "draft"
HELD = ("awaiting_review", "review_rejected")   # local_db/review.py: decided at the station, not by the hub
MAX_ROWS = 200

def _sync_state(alias: str) -> str:
    """Where a record stands on its way to the hub, alike for every kind the queue lists: its outbox row (delivered
    or not), a quarantine, the hub's latest status; selected as o.delivered_at, q.reason, s.status, s.note."""
    return (f"LEFT JOIN outbox o ON o.record_id = {alias}.id LEFT JOIN quarantine q ON q.record_id = {alias}.id"
            f" LEFT JOIN record_status s ON s.record_id = {alias}.id")


_QUERY = f"""
    SELECT a.id, a.receipt_no, a.item_name, a.created_at, a.applicant, o.delivered_at, q.reason, s.status, s.note,
           a.status, a.review_reason, a.review_note, a.deferral, p.status
    FROM applications a
    {_sync_state("a")}
    LEFT JOIN print_journal p ON p.application_id = a.id
    WHERE a.filed_by = ?
    ORDER BY a.created_at DESC, a.receipt_no DESC
    LIMIT ?
"""
_NEEDS = f"""
    SELECT n.id, n.number, '有求必应 · ' || n.category, n.created_at, n.resident, o.delivered_at, q.reason,
           s.status, s.note
    FROM needs n
    {_sync_state("n")}
    WHERE n.filed_by = ?
    ORDER BY n.created_at DESC, n.number DESC
    LIMIT ?
"""
_BOOKINGS = f"""
    SELECT b.id, b.slot_label, b.visit_kind, b.created_at, b.details, b.purged_at, o.delivered_at, q.reason,
           s.status, s.note
    FROM bookings b
    {_sync_state("b")}
    WHERE b.filed_by = ?
    ORDER BY b.created_at DESC, b.id DESC
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
    kind: str = "application"  # application | need | station_visit | home_visit (a booking: no receipt number)
    record_id: str = ""        # the booking's id, to book again after a conflict
    draft_id: str = ""         # set for a draft (receipt_no is then empty)
    reason: str = ""           # review_rejected: the supervisor's reason code (note: their words, if any)
    missing: tuple[str, ...] = ()   # 容缺受理: materials still to be supplied (待补材料)
    supply_by: str = ""         # their deadline, YYYY-MM-DD China time; "" when nothing is owed
    receipt_owed: bool = False  # saved, but its receipt did not print (paper out...): 补打回执


SETTLED = ("done", "rejected", "certificate_issued")   # the hub's final word: nothing is owed any more


def agent_queue(db: sqlite_utils.Database, agent_id: str, now_iso: str | None = None,
                limit: int = MAX_ROWS) -> list[QueueEntry]:
    """Drafts, then filings, needs and bookings newest first. On the kiosk's shared connection, call it under
    the store's lock (ApplicationStore)."""
    sealer = sealer_of(db)
    now_iso = now_iso or utc_now().isoformat(timespec="seconds")
    drafts = [QueueEntry("", d.item_name, d.updated_at, DRAFT, "", d.applicant_masked, draft_id=d.id)
              for d in drafts_of(db, sealer, agent_id, now_iso)]
    applications = [replace(_with_deferral(_held(sealer, row) or _entry(
                                *row[1:4], _open(sealer, APPLICANT.context(row[0]), row[4]), *row[5:9]), row[12]),
                            receipt_owed=row[13] == "owed")
                    for row in db.execute(_QUERY, (agent_id, limit)).fetchall()]
    needs = [replace(_entry(*row[1:4], _open(sealer, NEED_RESIDENT.context(row[0]), row[4]), *row[5:]), kind="need")
             for row in db.execute(_NEEDS, (agent_id, limit)).fetchall()]
    bookings = [_booking_entry(sealer, *row) for row in db.execute(_BOOKINGS, (agent_id, limit)).fetchall()]
    entries = sorted(applications + needs + bookings, key=lambda e: (e.created_at, e.receipt_no), reverse=True)
    return drafts + entries[:limit]


def _with_deferral(entry: QueueEntry, stored: str | None) -> QueueEntry:
    if stored is None or entry.state in SETTLED:
        return entry
    try:
        terms = json.loads(stored)
        return replace(entry, missing=tuple(terms["materials"]), supply_by=str(terms["deadline"]))
    except (ValueError, KeyError, TypeError):   # written by this kiosk; a damaged value hides only the reminder
        return entry


def _held(sealer, row: tuple) -> QueueEntry | None:
    """A filing still at the station for review: its state and, when rejected, the reason and note."""
    if row[9] not in HELD:
        return None
    masked = _masked_name(_open(sealer, APPLICANT.context(row[0]), row[4]))
    return QueueEntry(row[1], row[2], row[3], row[9], review_note(sealer, row[0], row[11]), masked,
                      reason=row[10] or "")


def _booking_entry(sealer, booking_id: str, slot_label: str, visit_kind: str, created_at: str, details: str,
                   purged_at: str | None, *state) -> QueueEntry:
    opened = "" if purged_at is not None else _open(sealer, BOOKING_DETAILS.context(booking_id), details)
    entry = _entry("", slot_label, created_at, opened, *state)
    return replace(entry, kind=visit_kind, record_id=booking_id)


def _open(sealer, context: str, value: str | None) -> str:
    if value is None:   # a need filed without identifying the resident
        return ""
    try:
        return sealer.open(value, context)
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
