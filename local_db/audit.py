"""The station's audit trail: who did what to which record, with what outcome; never personal data.

Each entry is an `audit` row and an outbox row of kind "audit" committed in one transaction, so the hub gets the
same trail the kiosk keeps. Fields are short codes and ids only. A value shaped like a resident ID number or a
phone number is refused before anything is written: an audit line cannot be recalled once it has been sent.
"""
from __future__ import annotations

import json
import re
import threading
from dataclasses import dataclass

import sqlite_utils

from kiosk.ids import Clock, utc_now, uuid7
from local_db.sync_state import transaction

# The catalogue (STYLE.md 12): every action named once, with its actor and outcome.
LOGIN = "login"                    # actor: agent:<id>; outcome: ok
LOGIN_FAILED = "login_failed"      # actor: agent:<id> or unidentified; outcome: the refusal reason code
LOCKOUT = "lockout"                # actor: as login_failed; outcome: locked (the streak reached the limit)
LOGOUT = "logout"                  # actor: agent:<id>; outcome: manual | idle
FILE_ON_BEHALF = "file_on_behalf"  # actor: agent:<id>; target: the application id; outcome: the consent method
CONSENT_WITHDRAWN = "consent_withdrawn"  # actor: agent:<id>; target: the item id; outcome: ok (nothing was saved)
CERTIFICATE_PRINTED = "certificate_printed"  # actor: resident; target: the record id; outcome: ok or fault code

RESIDENT = "resident"
TECHNICIAN = "technician"
SYSTEM = "system"
UNIDENTIFIED = "unidentified"      # a login with an id no synced credential has: the typed text is never kept

_CODE = re.compile(r"[a-z][a-z0-9_]{0,39}")
_AGENT_ID = re.compile(r"[A-Za-z0-9_.-]{1,64}")
_ACTOR = re.compile(rf"{RESIDENT}|{TECHNICIAN}|{SYSTEM}|{UNIDENTIFIED}|agent:{_AGENT_ID.pattern}")
_TARGET = re.compile(r"[A-Za-z0-9_.:-]{0,80}")
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
# 11+ digits in a row (mobile 11, ID number 15/18, bank card 16-19), an ID number ending in X, and the usual
# grouped spellings of both (138-1234-5678, 330902 19580315 0012).
_PERSONAL = re.compile(r"(?<!\d)(?:\d{11,}|\d{17}[Xx]|1[3-9]\d[ -]\d{4}[ -]\d{4}|\d{6}[ -]\d{8}[ -]\d{3}[\dXx])")


class PersonalDataInAudit(ValueError):
    """A field was not a short code or id, or looked like an ID or phone number. The message names the field only."""


@dataclass(frozen=True)
class AuditEntry:
    id: str
    at: str
    actor: str
    action: str
    target: str
    outcome: str


def agent_actor(agent_id: str) -> str:
    return f"agent:{agent_id}"


def agent_id_ok(agent_id: str) -> bool:
    """Whether an agent id can stand in an audit actor (the hub's ids do; a phone number used as one does not)."""
    return bool(_AGENT_ID.fullmatch(agent_id)) and not looks_personal(agent_id)


def looks_personal(value: str) -> bool:
    """True for text that holds an ID-number- or phone-shaped run of digits (a record's UUID never does)."""
    return not _UUID.fullmatch(value) and bool(_PERSONAL.search(value))


def check_fields(actor: str, action: str, target: str, outcome: str) -> None:
    shapes = {"actor": (actor, _ACTOR), "action": (action, _CODE), "target": (target, _TARGET),
              "outcome": (outcome, _CODE)}
    for name, (value, shape) in shapes.items():
        if not isinstance(value, str) or not shape.fullmatch(value) or looks_personal(value):
            raise PersonalDataInAudit(f"audit {name} refused: not a short code or id")


class AuditLog:
    """`lock` must be the one guarding the connection's other writers (the kiosk's ApplicationStore._lock)."""

    def __init__(self, db: sqlite_utils.Database, station_id: str, clock: Clock = utc_now,
                 lock: threading.RLock | None = None):
        self.db = db
        self.station_id = station_id
        self.clock = clock
        self.lock = lock or threading.RLock()

    def record(self, actor: str, action: str, target: str = "", outcome: str = "ok") -> AuditEntry:
        entry = self.entry(actor, action, target, outcome)
        with self.lock, transaction(self.db):
            self.write(entry)
        return entry

    def entry(self, actor: str, action: str, target: str = "", outcome: str = "ok") -> AuditEntry:
        """A checked entry, for callers that write it inside a transaction of their own (`write`)."""
        check_fields(actor, action, target, outcome)
        now = self.clock()
        return AuditEntry(uuid7(now), now.isoformat(timespec="seconds"), actor, action, target, outcome)

    def write(self, entry: AuditEntry) -> None:
        """Insert the row and its outbox row; the caller holds `lock` and an open transaction."""
        conn = self.db.conn
        conn.execute("INSERT INTO audit (id, at, actor, action, target, outcome) VALUES (?,?,?,?,?,?)",
                     (entry.id, entry.at, entry.actor, entry.action, entry.target, entry.outcome))
        payload = {"id": entry.id, "kind": "audit", "station_id": self.station_id, "created_at": entry.at,
                   "actor": entry.actor, "action": entry.action, "target": entry.target, "outcome": entry.outcome}
        conn.execute("INSERT INTO outbox (record_id, kind, payload, created_at) VALUES (?,?,?,?)",
                     (entry.id, "audit", json.dumps(payload, ensure_ascii=False), entry.at))

    def recent(self, limit: int = 100) -> list[AuditEntry]:
        with self.lock:
            rows = self.db.execute("SELECT id, at, actor, action, target, outcome FROM audit ORDER BY id DESC"
                                   " LIMIT ?", (limit,)).fetchall()
        return [AuditEntry(*row) for row in rows]
