"""有求必应: an agent records a resident's need (category, description, contact, location) for the hub to dispatch.

Qt-free. `check_need` says what is wrong per field, so the screen can show it in place and keep what was typed.
`NeedStore.file` writes the need, its outbox row (kind "need") and the NEED_FILED audit entry in one transaction,
under the application store's writer lock; description, contact, location and resident are sealed at rest
(local_db/sealing.py). The hub's answer (dispatched to X, in progress, done) comes back by the status stream
and shows in the agent's work queue (kiosk/work_queue.py).

A resident may file one too, without an agent: 智能问答's 找人工 when no live chat is available leaves a callback
request (`NeedStore.file_callback`, source "qa_callback"): the question, the phone number to call back and the
station as the place; `filed_by` is empty, so the hub shows it as filed by the resident.
"""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from kiosk.flow import PHONE, FieldError
from kiosk.ids import CST, uuid7
from kiosk.records import Identity
from local_db import audit
from local_db.sealing import NEED_CONTACT, NEED_DESCRIPTION, NEED_LOCATION, NEED_RESIDENT
from local_db.sync_state import transaction

if TYPE_CHECKING:
    from local_db.store import ApplicationStore

KIND = "need"
CALLBACK_SOURCE = "qa_callback"       # a resident's 找人工 request from 智能问答
CALLBACK_CATEGORY = "政策咨询"          # a question to answer by phone
RESIDENT_FILER = ""                   # filed_by of a need the resident filed (agent ids are never empty)
# The island categories; a new one is one more entry here (the hub shows whatever the need names).
CATEGORIES = ("生活照料", "医疗就医", "交通出行", "房屋维修", "政策咨询", "矛盾纠纷", "其他")
MAX_LENGTHS = {"description": 500, "contact": 20, "location": 100}
FIELDS = ("category", "description", "contact", "location")


@dataclass(frozen=True)
class NeedDraft:
    """What the agent typed, as typed (trimmed): kept whole when it is refused, so nothing is lost."""
    category: str = ""
    description: str = ""
    contact: str = ""          # the resident's phone: mobile or landline with area code
    location: str = ""         # village and address, as the resident says it

    def trimmed(self) -> "NeedDraft":
        return NeedDraft(*(getattr(self, name).strip() for name in FIELDS))


@dataclass(frozen=True)
class Need:
    id: str                    # UUIDv7: the record id up to the hub
    number: str                # short number for the resident: YQ-DH001-20261125-0003
    category: str
    description: str
    contact: str
    location: str
    filed_by: str              # the agent's id ("" when the resident filed it)
    station_id: str
    created_at: str            # ISO 8601 UTC
    resident: Identity | None = None   # when the agent identified the resident
    source: str = ""           # "qa_callback": a resident's callback request from 智能问答


@dataclass(frozen=True)
class NeedRefused:
    """The draft is not saved; `errors` per field (category, description, contact, location)."""
    draft: NeedDraft
    errors: dict[str, FieldError]


def check_need(draft: NeedDraft) -> dict[str, FieldError]:
    """The problems of a (trimmed) draft, per field; empty when it can be filed."""
    errors: dict[str, FieldError] = {}
    if not draft.category:
        errors["category"] = FieldError.MISSING
    elif draft.category not in CATEGORIES:
        errors["category"] = FieldError.BAD_CHOICE
    for name, limit in MAX_LENGTHS.items():
        value = getattr(draft, name)
        if not value:
            errors[name] = FieldError.MISSING
        elif len(value) > limit:
            errors[name] = FieldError.TOO_LONG
    if "contact" not in errors and not PHONE.match(draft.contact):
        errors["contact"] = FieldError.BAD_PHONE
    return errors


def need_number(station_code: str, day: datetime, sequence: int) -> str:
    return f"YQ-{station_code}-{day.astimezone(CST):%Y%m%d}-{sequence:04d}"


def need_payload(need: Need) -> dict:
    """What the hub receives. `receipt_no` and `item_name` are what the staff list shows for any record."""
    payload = {"id": need.id, "kind": KIND, "receipt_no": need.number, "item_name": f"有求必应 · {need.category}",
               "station_id": need.station_id, "created_at": need.created_at, "category": need.category,
               "description": need.description, "contact": need.contact, "location": need.location}
    if need.filed_by != RESIDENT_FILER:
        payload["filed_by"] = {"agent_id": need.filed_by, "role": "agent"}
    if need.source:
        payload["source"] = need.source
        payload["item_name"] = "有求必应 · 请回电"
    if need.resident is not None:
        payload["applicant"] = asdict(need.resident)
    return payload


class NeedStore:
    """Needs in the kiosk database, sharing the application store's connection, writer lock, sealer and trail."""

    def __init__(self, store: "ApplicationStore"):
        self.store = store

    def file(self, draft: NeedDraft, agent_id: str, resident: Identity | None = None) -> Need | NeedRefused:
        draft = draft.trimmed()
        errors = check_need(draft)
        actor = audit.agent_actor(agent_id)
        trail = self.store.audit
        if errors:   # audited (codes only); the draft stays on screen for the agent to correct
            trail.record(actor, audit.NEED_REFUSED, outcome="invalid")
            return NeedRefused(draft, errors)
        with self.store._lock, transaction(self.store.db):
            need = self._insert(draft, agent_id, resident)
            trail.write(trail.entry(actor, audit.NEED_FILED, target=need.id))
            self.store._enqueue(need.id, KIND, need_payload(need), need.created_at)
        return need

    def file_callback(self, question: str, contact: str, location: str) -> Need | NeedRefused:
        """The resident's own 找人工 request: staff call `contact` back about `question`. Only the need's id is
        audited; the question and the number are sealed like any need's description and contact."""
        draft = NeedDraft(CALLBACK_CATEGORY, question, contact, location).trimmed()
        errors = check_need(draft)
        if errors:   # the screen shows the field's problem; nothing is kept
            return NeedRefused(draft, errors)
        trail = self.store.audit
        with self.store._lock, transaction(self.store.db):
            need = self._insert(draft, RESIDENT_FILER, None, CALLBACK_SOURCE)
            trail.write(trail.entry(audit.RESIDENT, audit.CALLBACK_REQUESTED, target=need.id))
            self.store._enqueue(need.id, KIND, need_payload(need), need.created_at)
        return need

    def _insert(self, draft: NeedDraft, agent_id: str, resident: Identity | None, source: str = "") -> Need:
        store, now = self.store, self.store.clock()
        need = Need(uuid7(now), self._next_number(now), draft.category, draft.description, draft.contact,
                    draft.location, agent_id, store.station_id, now.isoformat(timespec="seconds"), resident, source)
        seal = store.sealer.seal
        store.db.conn.execute(
            "INSERT INTO needs (id, number, category, description, contact, location, resident, station_id,"
            " filed_by, created_at) VALUES (?,?,?,?,?,?,?,?,?,?)",
            (need.id, need.number, need.category, seal(need.description, NEED_DESCRIPTION.context(need.id)),
             seal(need.contact, NEED_CONTACT.context(need.id)), seal(need.location, NEED_LOCATION.context(need.id)),
             seal(json.dumps(asdict(resident), ensure_ascii=False), NEED_RESIDENT.context(need.id))
             if resident is not None else None,
             need.station_id, agent_id, need.created_at))
        return need

    def _next_number(self, now: datetime) -> str:
        """Inside the filing transaction: numbers count per local day, like receipt numbers."""
        prefix = need_number(self.store.station_code, now, 0)[:-4]
        count = self.store.db.conn.execute("SELECT COUNT(*) FROM needs WHERE number LIKE ?",
                                           (prefix + "%",)).fetchone()[0]
        return need_number(self.store.station_code, now, count + 1)

    def load(self, need_id: str) -> Need | None:
        """The need with its personal data opened; None when unknown or purged by retention."""
        store = self.store
        with store._lock:
            row = store.db.execute(
                "SELECT id, number, category, description, contact, location, resident, station_id, filed_by,"
                " created_at, purged_at FROM needs WHERE id=?", (need_id,)).fetchone()
        if row is None or row[10] is not None:
            return None
        opened = [store.sealer.open(row[i], column.context(row[0]))
                  for i, column in ((3, NEED_DESCRIPTION), (4, NEED_CONTACT), (5, NEED_LOCATION))]
        resident = (Identity(**json.loads(store.sealer.open(row[6], NEED_RESIDENT.context(row[0]))))
                    if row[6] is not None else None)
        return Need(row[0], row[1], row[2], *opened, filed_by=row[8], station_id=row[7], created_at=row[9],
                    resident=resident)
