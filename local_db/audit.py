"""The station's audit trail: who did what to which record, with what outcome; never personal data.

Each entry is an `audit` row and an outbox row of kind "audit" committed in one transaction, so the hub gets the
same trail the kiosk keeps. Fields are short codes and ids only. A value shaped like a resident ID number or a
phone number is refused before anything is written: an audit line cannot be recalled once it has been sent. An
action must be one of the catalogue's event types below, with an actor role and outcome that type allows.

The rows form a hash chain (local_db/audit_chain.py) and the table refuses UPDATE and DELETE (migration 7);
`verify_chain` finds an entry edited or deleted behind the triggers' back. Technicians:
`python -m local_db.audit verify DB` prints the report as JSON.
"""
from __future__ import annotations

import argparse
import json
import re
import sqlite3
import sys
import threading
from dataclasses import dataclass, replace
from pathlib import Path

import sqlite_utils

from kiosk.ids import Clock, utc_now, uuid7
from local_db.audit_chain import GENESIS, ChainReport, Link, Problem, check_links
from local_db.sync_state import transaction

CHAIN_SCHEMA = 7                   # the migration that chained the trail (local_db/migrations.py)

RESIDENT = "resident"
TECHNICIAN = "technician"
SYSTEM = "system"
UNIDENTIFIED = "unidentified"      # a login with an id no synced credential has: the typed text is never kept
AGENT = "agent"                    # the role of an actor agent:<id>


@dataclass(frozen=True)
class EventType:
    """One kind of audit entry: who may be its actor (by role), what its target is, and its possible outcomes."""
    action: str
    actor_roles: frozenset[str]
    outcomes: frozenset[str]
    target: str = ""                 # what the target field holds; "" means the entry has none


def _event(action: str, actors: str, outcomes: str, target: str = "") -> EventType:
    return EventType(action, frozenset(actors.split()), frozenset(outcomes.split()), target)


# The catalogue (STYLE.md 12): every event type named once. Outcome codes mirror kiosk.agents.Refusal,
# kiosk.consent's methods and devices.base.Fault; tests/local_db/test_audit.py keeps them in step.
LOGIN = "login"
LOGIN_FAILED = "login_failed"
LOCKOUT = "lockout"
LOGOUT = "logout"
FILE_ON_BEHALF = "file_on_behalf"
CONSENT_WITHDRAWN = "consent_withdrawn"
CERTIFICATE_PRINTED = "certificate_printed"
PERSONAL_DATA_PURGED = "personal_data_purged"
KEY_ROTATED = "key_rotated"
NEED_FILED = "need_filed"
NEED_REFUSED = "need_refused"
BOOKING_FILED = "booking_filed"
BOOKING_REFUSED = "booking_refused"
DRAFT_SAVED = "draft_saved"
DRAFT_DISCARDED = "draft_discarded"
DRAFT_EXPIRED = "draft_expired"
REVIEW_APPROVED = "review_approved"
REVIEW_REJECTED = "review_rejected"
REVIEW_REASONS = "missing_material wrong_item wrong_answers other"   # local_db/review.py
DEFERRED_ACCEPTANCE = "deferred_acceptance"
# data tools (kiosk/settings_edit.py, local_db/backup.py, kiosk/usb_export.py)
SETTINGS_CHANGED = "settings_changed"
DB_BACKED_UP = "db_backed_up"
DB_RESTORED = "db_restored"
NOTICE_ACKNOWLEDGED = "notice_acknowledged"
DIAGNOSTICS_EXPORTED = "diagnostics_exported"
# maintenance mode (kiosk/technicians.py, kiosk/device_tests.py, ui/maintenance.py)
MAINTENANCE_ENTERED = "maintenance_entered"
MAINTENANCE_REFUSED = "maintenance_refused"
MAINTENANCE_LOCKED = "maintenance_locked"
MAINTENANCE_EXITED = "maintenance_exited"
DEVICE_TEST = "device_test"
SYNC_FORCED = "sync_forced"
_MAINT_REFUSALS = ("unknown wrong_secret locked_out revoked not_yet_valid expired no_credentials"
                   " local_pin_retired")   # kiosk.technicians.MaintRefusal
# updates (kiosk/updates.py, sync/updates.py, installer/launcher.py); outcomes track kiosk.updates.REASONS
UPDATE_APPLIED = "update_applied"
UPDATE_ROLLED_BACK = "update_rolled_back"
UPDATE_REFUSED = "update_refused"
_UPDATE_REFUSALS = ("bad_signature stale_bundle bad_manifest not_newer too_old disk_full archive_missing"
                    " size_mismatch hash_mismatch unsafe_archive bad_archive no_main version_mismatch backup_failed")
# owed receipts (kiosk/owed_receipts.py): 补打 by a technician in maintenance or the filing agent at the desk
RECEIPT_REPRINTED = "receipt_reprinted"
# 免申即享 (kiosk/benefit_claims.py)
BENEFIT_CLAIMED = "benefit_claimed"
# 智能问答 (kiosk/qa.py, kiosk/needs.py): a resident leaves a callback request when no live chat is available
CALLBACK_REQUESTED = "callback_requested"
_REFUSALS = "unknown wrong_secret locked_out revoked not_yet_valid expired no_credentials_synced"
_FAULTS = ("no_card card_removed card_unreadable card_unsupported reader_absent qr_timeout qr_invalid qr_expired"
           " printer_absent paper_out cover_open printer_error")
CATALOGUE: tuple[EventType, ...] = (
    _event(LOGIN, "agent", "ok"),
    _event(LOGIN_FAILED, "agent unidentified", _REFUSALS),             # outcome: the refusal reason
    _event(LOCKOUT, "agent unidentified", "locked"),                   # the streak reached the limit
    _event(LOGOUT, "agent", "manual idle"),
    _event(FILE_ON_BEHALF, "agent", "signature zlb_code", "application id"),   # outcome: the consent method
    _event(CONSENT_WITHDRAWN, "agent resident", "ok", "item id"),      # before the save: nothing was kept
    _event(CERTIFICATE_PRINTED, "resident", "ok " + _FAULTS, "record id"),     # outcome: ok or the fault
    _event(PERSONAL_DATA_PURGED, "system", "ok", "record id"),         # whose personal data retention blanked
    _event(KEY_ROTATED, "technician system", "ok", "new key id"),      # the sealing key ring's new current key
    _event(NEED_FILED, "agent", "ok", "need id"),                      # 有求必应 (kiosk/needs.py)
    _event(NEED_REFUSED, "agent", "invalid"),                          # bad input: nothing was kept
    _event(BOOKING_FILED, "agent", "station_visit home_visit", "booking id"),   # queued; the hub confirms later
    _event(BOOKING_REFUSED, "agent", "slot_full slot_gone", "slot id"),          # at the station: nothing kept
    _event(DRAFT_SAVED, "agent", "ok", "draft id"),                    # a filing kept to finish later
    _event(DRAFT_DISCARDED, "agent", "ok", "draft id"),
    _event(DRAFT_EXPIRED, "system", "ok", "draft id"),                 # past draft_keep_days: deleted
    _event(REVIEW_APPROVED, "agent", "ok", "application id"),          # actor: the supervisor
    _event(REVIEW_REJECTED, "agent", REVIEW_REASONS, "application id"),   # outcome: the reason code
    _event(DEFERRED_ACCEPTANCE, "agent resident", "signature zlb_code", "application id"),  # 容缺: commitment method
    # data tools: settings keys and backup file names only, never a setting's value
    _event(SETTINGS_CHANGED, "technician", "set reset", "setting key"),   # reset: the local value removed
    _event(DB_BACKED_UP, "technician", "ok", "backup file"),              # scheduled backups are not audited
    _event(DB_RESTORED, "technician system", "ok", "backup file"),       # system: a corrupt database at start
    _event(NOTICE_ACKNOWLEDGED, "technician", "ok", "notice id"),         # a maintenance notice read
    _event(DIAGNOSTICS_EXPORTED, "technician", "ok"),                     # encrypted, to a USB stick
    # maintenance mode: actor technician:<id> once known, unidentified for an id no credential has
    _event(MAINTENANCE_ENTERED, "technician", "ok"),
    _event(MAINTENANCE_REFUSED, "technician unidentified", _MAINT_REFUSALS),   # outcome: the refusal reason
    _event(MAINTENANCE_LOCKED, "technician unidentified", "locked"),          # the streak reached the limit
    _event(MAINTENANCE_EXITED, "technician", "manual idle crash"),
    _event(DEVICE_TEST, "technician", "ok failed " + _FAULTS, "device family"),  # outcome: ok or the fault
    _event(SYNC_FORCED, "technician", "ok"),
    # updates: the target is the software version
    _event(UPDATE_APPLIED, "system technician", "started confirmed", "update version"),   # installing; running
    _event(UPDATE_ROLLED_BACK, "system", "failed_starts release_missing backup_missing", "update version"),
    _event(UPDATE_REFUSED, "system", _UPDATE_REFUSALS, "update version"),   # outcome: the reason code
    # owed receipts: ok, the printer's fault (still owed), or record_unreadable (sealed applicant damaged on disk)
    _event(RECEIPT_REPRINTED, "technician agent", "ok record_unreadable " + _FAULTS, "application id"),
    # 免申即享: the resident confirmed a benefit (with the agent who helped, if any); declining leaves nothing
    _event(BENEFIT_CLAIMED, "resident agent", "ok", "claim id"),
    # 智能问答: 找人工 offline leaves a 有求必应 need asking staff to call back (bad input is not audited)
    _event(CALLBACK_REQUESTED, "resident", "ok", "need id"),
)
EVENTS: dict[str, EventType] = {event.action: event for event in CATALOGUE}

_CODE = re.compile(r"[a-z][a-z0-9_]{0,39}")
_AGENT_ID = re.compile(r"[A-Za-z0-9_.-]{1,64}")
_ACTOR = re.compile(rf"{RESIDENT}|{TECHNICIAN}|{SYSTEM}|{UNIDENTIFIED}|{AGENT}:{_AGENT_ID.pattern}"
                    rf"|{TECHNICIAN}:{_AGENT_ID.pattern}")
_TARGET = re.compile(r"[A-Za-z0-9_.:-]{0,80}")
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
# 11+ digits in a row (mobile 11, ID number 15/18, bank card 16-19), an ID number ending in X, and the usual
# grouped spellings of both (138-1234-5678, 330902 19580315 0012).
_PERSONAL = re.compile(r"(?<!\d)(?:\d{11,}|\d{17}[Xx]|1[3-9]\d[ -]\d{4}[ -]\d{4}|\d{6}[ -]\d{8}[ -]\d{3}[\dXx])")


class PersonalDataInAudit(ValueError):
    """A field was not a short code or id, or looked like an ID or phone number. The message names the field only."""


class NotInCatalogue(ValueError):
    """An action the catalogue does not name, or an actor role, outcome or target its event type does not allow."""


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


def technician_actor(technician_id: str) -> str:
    return f"{TECHNICIAN}:{technician_id}"


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


def role_of(actor: str) -> str:
    """agent:<id> → agent, technician:<id> → technician; the plain roles are their own."""
    return actor.split(":", 1)[0]


def check_event(actor: str, action: str, target: str, outcome: str) -> EventType:
    """The catalogue's event type for an entry whose fields passed `check_fields`, or `NotInCatalogue`."""
    event = EVENTS.get(action)
    if event is None:
        raise NotInCatalogue(f"audit action {action} is not in the catalogue")
    if role_of(actor) not in event.actor_roles:
        raise NotInCatalogue(f"audit {action}: actor role {role_of(actor)} not allowed")
    if outcome not in event.outcomes:
        raise NotInCatalogue(f"audit {action}: outcome {outcome} not allowed")
    if bool(target) != bool(event.target):
        raise NotInCatalogue(f"audit {action}: " + (f"target must be the {event.target}" if event.target
                                                     else "takes no target"))
    return event


class AuditLog:
    """`lock` must be the one guarding the connection's other writers (the kiosk's ApplicationStore._lock).

    Another connection to the same database (the sync worker's) writes through an AuditLog of its own; the
    chain stays one line because every write reads the tail inside its BEGIN IMMEDIATE transaction."""

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
        check_event(actor, action, target, outcome)
        now = self.clock()
        return AuditEntry(uuid7(now), now.isoformat(timespec="seconds"), actor, action, target, outcome)

    def write(self, entry: AuditEntry) -> Link:
        """Chain the entry after the tail and insert it with its outbox row. The caller holds `lock` and has
        begun the transaction with BEGIN IMMEDIATE (`sync_state.transaction`), so the tail read here is the
        tail the entry commits after, whichever connection wrote last."""
        check_fields(entry.actor, entry.action, entry.target, entry.outcome)
        check_event(entry.actor, entry.action, entry.target, entry.outcome)
        conn = self.db.conn
        if not conn.in_transaction:
            raise RuntimeError("audit write outside a transaction")
        tail = conn.execute("SELECT seq, hash FROM audit WHERE seq IS NOT NULL ORDER BY seq DESC LIMIT 1").fetchone()
        seq, prev_hash = (tail[0] + 1, tail[1]) if tail else (1, GENESIS)
        unhashed = Link(seq, prev_hash, None, entry.id, entry.at, entry.actor, entry.action, entry.target,
                        entry.outcome, self.station_id)
        link = replace(unhashed, hash=unhashed.expected_hash())
        conn.execute("INSERT INTO audit (id, at, actor, action, target, outcome, seq, prev_hash, hash, station_id)"
                     " VALUES (?,?,?,?,?,?,?,?,?,?)", (entry.id, entry.at, entry.actor, entry.action, entry.target,
                                                       entry.outcome, seq, prev_hash, link.hash, self.station_id))
        payload = {"id": entry.id, "kind": "audit", "station_id": self.station_id, "created_at": entry.at,
                   "actor": entry.actor, "action": entry.action, "target": entry.target, "outcome": entry.outcome,
                   "seq": seq, "prev_hash": prev_hash, "hash": link.hash}
        conn.execute("INSERT INTO outbox (record_id, kind, payload, created_at) VALUES (?,?,?,?)",
                     (entry.id, "audit", json.dumps(payload, ensure_ascii=False), entry.at))
        return link

    def recent(self, limit: int = 100) -> list[AuditEntry]:
        with self.lock:
            rows = self.db.execute("SELECT id, at, actor, action, target, outcome FROM audit ORDER BY seq DESC"
                                   " LIMIT ?", (limit,)).fetchall()
        return [AuditEntry(*row) for row in rows]

    def verify(self) -> ChainReport:
        with self.lock:
            return verify_chain(self.db)


# --- verifying the station's copy --------------------------------------------------------------------------------

_LINKS = ("SELECT seq, prev_hash, hash, id, at, actor, action, target, outcome, station_id FROM audit"
          " ORDER BY seq IS NULL, seq, id")
# Audit ids the outbox or quarantine still names but the audit table lost: a deleted tail leaves no gap.
_ORPHANS = ("SELECT record_id FROM outbox WHERE kind='audit' UNION SELECT record_id FROM quarantine"
            " WHERE kind='audit' EXCEPT SELECT id FROM audit ORDER BY 1 LIMIT 1")


def verify_chain(db: sqlite_utils.Database) -> ChainReport:
    """Recompute every entry's hash and link, in one read snapshot. Detects an edited entry (at its seq), a
    deleted one (the gap it leaves, or the outbox row it leaves behind) and entries moved or re-linked."""
    conn = db.conn
    own = not conn.in_transaction
    if own:
        conn.execute("BEGIN")
    try:
        report = check_links(Link(*row) for row in conn.execute(_LINKS).fetchall())
        orphan = conn.execute(_ORPHANS).fetchone() if report.ok else None
    finally:
        if own:
            conn.execute("COMMIT")
    if orphan is None:
        return report
    return replace(report, ok=False, first_bad_seq=report.head_seq + 1, problem=Problem.MISSING,
                   detail=f"entry {orphan[0]} is gone; its outbox row remains")


def main(argv: list[str] | None = None) -> int:
    """`python -m local_db.audit verify DB`: the chain report as JSON; exit 0 intact, 1 broken, 2 unusable."""
    parser = argparse.ArgumentParser(prog="python -m local_db.audit", description="the station's audit trail")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("verify", help="check the hash chain").add_argument("db", type=Path, help="the kiosk database")
    args = parser.parse_args(argv)
    if not args.db.is_file():
        print(json.dumps({"ok": False, "error": "no such database"}))
        return 2
    conn = sqlite3.connect(f"{args.db.resolve().as_uri()}?mode=ro", uri=True, isolation_level=None)
    try:
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if version < CHAIN_SCHEMA:
            print(json.dumps({"ok": False, "error": f"schema {version} predates the audit chain ({CHAIN_SCHEMA})"}))
            return 2
        report = verify_chain(sqlite_utils.Database(conn))
    finally:
        conn.close()
    print(json.dumps(report.to_json(), ensure_ascii=False))
    return 0 if report.ok else 1


# supervision (办不成事, kiosk/report.py): the reason code only, never the resident's text or phone
REPORT_FILED = "report_filed"
_REPORT_REASONS = "cannot_find cannot_understand machine_fault missing_material elsewhere other"
CATALOGUE += (_event(REPORT_FILED, "resident agent", _REPORT_REASONS, "report id"),)
EVENTS[REPORT_FILED] = CATALOGUE[-1]


if __name__ == "__main__":
    sys.exit(main())
