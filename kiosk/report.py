"""办不成事: a resident says they could not get something done, from any screen.

Qt-free. What went wrong is a code (`REASONS`); the screen and the service the resident was on are codes too,
recorded by the window, never typed. An optional short text and an optional phone for a callback are the only
personal data: they travel in the record's payload (sealed at rest in the outbox like every payload) and never
reach the audit trail or the logs. `ReportStore.file` writes the outbox row (kind "report") and the REPORT_FILED
audit entry (codes only) in one transaction, so a report works offline and is synced like any record.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from kiosk.flow import PHONE
from kiosk.ids import uuid7
from local_db import audit
from local_db.sync_state import transaction

if TYPE_CHECKING:
    from local_db.store import ApplicationStore

KIND = "report"
REASONS = ("cannot_find", "cannot_understand", "machine_fault", "missing_material", "elsewhere", "other")
OTHER = "other"
MAX_TEXT = 100
SCREEN_CODE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
SERVICE_CODE = re.compile(r"^[A-Za-z0-9_.:-]{0,64}$")   # a catalog item or bundle id; "" when none


@dataclass(frozen=True)
class ReportDraft:
    reason: str = ""
    text: str = ""            # the resident's own words (optional; required with "other")
    phone: str = ""           # for a callback (optional)
    screen: str = ""          # the screen the resident was on, as a code (ui/report.py)
    service: str = ""         # the item or bundle id the resident was doing, if any

    def trimmed(self) -> "ReportDraft":
        return ReportDraft(self.reason.strip(), self.text.strip(), self.phone.strip().replace(" ", ""),
                           self.screen.strip(), self.service.strip())


@dataclass(frozen=True)
class Report:
    id: str
    reason: str
    text: str
    phone: str
    screen: str
    service: str
    station_id: str
    created_at: str           # ISO 8601 UTC
    language: str = "zh"
    elderly: bool = False


def check_report(draft: ReportDraft) -> dict[str, str]:
    """Problems per field ("reason", "text", "phone", "screen", "service"): codes the screen words. Empty: fine."""
    errors: dict[str, str] = {}
    if draft.reason not in REASONS:
        errors["reason"] = "missing" if not draft.reason else "bad_choice"
    if len(draft.text) > MAX_TEXT:
        errors["text"] = "too_long"
    elif draft.reason == OTHER and not draft.text:
        errors["text"] = "missing"
    if draft.phone and not PHONE.match(draft.phone):
        errors["phone"] = "bad_phone"
    if not SCREEN_CODE.match(draft.screen):
        errors["screen"] = "bad_code"
    if not SERVICE_CODE.match(draft.service):
        errors["service"] = "bad_code"
    return errors


def report_payload(report: Report) -> dict:
    """What the hub receives; `item_name` is left to the hub's labels, the kiosk core holds no words."""
    payload = {"id": report.id, "kind": KIND, "station_id": report.station_id, "created_at": report.created_at,
               "reason": report.reason, "screen": report.screen, "service": report.service,
               "language": report.language, "elderly": report.elderly}
    if report.text:
        payload["text"] = report.text
    if report.phone:
        payload["phone"] = report.phone
    return payload


class ReportRefused(ValueError):
    def __init__(self, errors: dict[str, str]):
        super().__init__("report refused: " + ", ".join(sorted(errors)))
        self.errors = errors


class ReportStore:
    """Reports in the kiosk's outbox, under the application store's writer lock, sealer and audit trail."""

    def __init__(self, store: "ApplicationStore"):
        self.store = store

    def file(self, draft: ReportDraft, *, agent_id: str | None = None, language: str = "zh",
             elderly: bool = False) -> Report:
        """Store the report durably (outbox row + audit entry) or raise ReportRefused with the field codes."""
        draft = draft.trimmed()
        errors = check_report(draft)
        if errors:
            raise ReportRefused(errors)
        store, now = self.store, self.store.clock()
        report = Report(uuid7(now), draft.reason, draft.text, draft.phone, draft.screen, draft.service,
                        store.station_id, now.isoformat(timespec="seconds"), language, elderly)
        actor = audit.agent_actor(agent_id) if agent_id else audit.RESIDENT
        trail = store.audit
        with store._lock, transaction(store.db):
            trail.write(trail.entry(actor, audit.REPORT_FILED, target=report.id, outcome=report.reason))
            store.enqueue(report.id, KIND, report_payload(report), report.created_at)
        return report
