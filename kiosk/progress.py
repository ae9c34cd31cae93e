"""办件查询: what became of an application, by its receipt number or the QR code on the receipt.

Answers come from the local database, which the sync engine keeps up to date from the hub's status stream, so
a resident can ask offline and see the last known state. No personal data is returned: the receipt number is
the key a resident holds, and the answer says only the item, dates, status and certificate title/number.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import parse_qs, urlsplit

from kiosk.ids import CST
from kiosk.receipt import PROGRESS_SCHEME

RECEIPT_NO = re.compile(r"^[A-Z0-9]{2,12}-\d{8}-\d{4}$")


@dataclass(frozen=True)
class Progress:
    receipt_no: str
    item_name: str
    submitted_at: str
    delivered: bool             # the hub has the application
    status: str                 # submitted | accepted | needs_material | done | certificate_issued | rejected
                                # | at_town | at_district (证明直通车: the level that has the request) | ...
    note: str = ""
    updated_at: str = ""
    certificate_title: str = ""
    certificate_number: str = ""

    @property
    def submitted_local(self) -> str:
        """Submission time as the receipt prints it (China time), not the stored UTC."""
        return datetime.fromisoformat(self.submitted_at).astimezone(CST).strftime("%Y-%m-%d %H:%M")


def receipt_from_code(text: str) -> str | None:
    """The receipt number in a receipt's progress QR code (zdb://progress?r=...&id=...), or a typed number."""
    text = (text or "").strip()
    if text.startswith(PROGRESS_SCHEME):
        values = parse_qs(urlsplit(text).query).get("r", [])
        text = values[0] if values else ""
    text = text.upper()
    return text if RECEIPT_NO.match(text) else None


def lookup(db, receipt_no: str) -> Progress | None:
    row = db.execute(
        "SELECT a.id, a.receipt_no, a.item_name, a.created_at, o.delivered_at, s.status, s.note, s.at"
        " FROM applications a LEFT JOIN outbox o ON o.record_id = a.id"
        " LEFT JOIN record_status s ON s.record_id = a.id WHERE a.receipt_no = ?", (receipt_no,)
    ).fetchone()
    if row is None:
        return None
    record_id, number, item_name, created_at, delivered_at, status, note, at = row
    certificate = db.execute(
        "SELECT title, number FROM certificates WHERE record_id = ? ORDER BY issued_at DESC LIMIT 1", (record_id,)
    ).fetchone()
    return Progress(receipt_no=number, item_name=item_name, submitted_at=created_at,
                    delivered=delivered_at is not None, status=status or "submitted", note=note or "",
                    updated_at=at or "", certificate_title=certificate[0] if certificate else "",
                    certificate_number=certificate[1] if certificate else "")
