"""A proxy agent's work queue: what they filed at this station, and where each application stands now.

Read from the local database, so it works offline and shows the last state sync brought back. The state is
derived, most informative first: the hub's latest status (accepted, needs_material, done, certificate_issued,
rejected...), else quarantined (the hub or terminal refused the record; the technician's matter), else
delivered (the hub has it, no decision yet), else pending_sync. Rows carry no personal data beyond the masked
name that the receipt also shows. A 容缺受理 filing also carries what is still to be supplied and by when
(待补材料), until the hub says it is done or refused.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, replace

import sqlite_utils

from kiosk.records import Identity
from local_db.keys import SealError
from local_db.sealing import APPLICANT, sealer_of

PENDING_SYNC = "pending_sync"
QUARANTINED = "quarantined"
DELIVERED = "delivered"
MAX_ROWS = 200

_QUERY = """
    SELECT a.id, a.receipt_no, a.item_name, a.created_at, a.applicant, o.delivered_at, q.reason, s.status, s.note,
           a.deferral
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
    missing: tuple[str, ...] = ()   # 容缺受理: materials still to be supplied (待补材料)
    supply_by: str = ""         # their deadline, YYYY-MM-DD China time; "" when nothing is owed


SETTLED = ("done", "rejected", "certificate_issued")   # the hub's final word: nothing is owed any more


def agent_queue(db: sqlite_utils.Database, agent_id: str, limit: int = MAX_ROWS) -> list[QueueEntry]:
    """Newest first. On the kiosk's shared connection, call it under the store's lock (ApplicationStore)."""
    rows = db.execute(_QUERY, (agent_id, limit)).fetchall()
    sealer = sealer_of(db)
    return [_with_deferral(_entry(*row[1:4], _open_applicant(sealer, row[0], row[4]), *row[5:9]), row[9])
            for row in rows]


def _with_deferral(entry: QueueEntry, stored: str | None) -> QueueEntry:
    if stored is None or entry.state in SETTLED:
        return entry
    try:
        terms = json.loads(stored)
        return replace(entry, missing=tuple(terms["materials"]), supply_by=str(terms["deadline"]))
    except (ValueError, KeyError, TypeError):   # written by this kiosk; a damaged value hides only the reminder
        return entry


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
