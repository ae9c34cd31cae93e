"""Technician login to maintenance mode, offline: hub credentials of role technician, or a local PIN on a fresh install.

Technicians are credentials with role `technician` in the hub's `agent_credentials` stream (`python -m sync.hub
add-agent --role technician`), checked like an agent's (kiosk/agents.py: scrypt, validity window on the local
clock). An agent or supervisor credential does not open maintenance, and kiosk/agents.py refuses a technician's.
A station that has not pulled any technician yet can be opened with a local PIN set at install time:

    python -m kiosk.technicians set-pin --data-dir DIR      # asks for the PIN twice, unseen

It is kept as an scrypt hash in `<data dir>/technician_pin.json` (0600), is entered with an empty account, and
stops working once a technician credential from the hub is on the station. Wrong tries are counted per entered id
in the `agent_lockouts` table under a `maint:` prefix, so a reboot does not reset a lockout. Every entry, refusal,
lockout and exit is audited as `technician:<id>` (or `unidentified` for an id no credential has).
"""
from __future__ import annotations

import argparse
import enum
import getpass
import hashlib
import json
import logging
import sys
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Mapping

from kiosk.agents import AgentCredential, check_secret, load_credentials
from kiosk.agents import _dummy_hash   # the same "as slow as a real check" stand-in for an unknown id
from kiosk.ids import Clock, utc_now
from local_db import audit
from local_db.audit import AuditLog
from local_db.fsutil import atomic_write
from local_db.sync_state import transaction
from sync.credentials_hash import hash_password, verify_password

log = logging.getLogger(__name__)

ROLE = "technician"
LOCAL_ID = "local"                 # the audit actor technician:local; typed as an empty account
PIN_FILE = "technician_pin.json"
KEY_PREFIX = "maint:"              # agent_lockouts rows of maintenance; agent ids cannot hold ':'
MAX_ENTERED_ID = 128
MIN_PIN_LENGTH = 6


class MaintRefusal(str, enum.Enum):
    UNKNOWN = "unknown"                      # no technician has that id (an agent's id reads the same)
    WRONG_SECRET = "wrong_secret"
    LOCKED_OUT = "locked_out"
    REVOKED = "revoked"
    NOT_YET_VALID = "not_yet_valid"
    EXPIRED = "expired"
    NO_CREDENTIALS = "no_credentials"        # no technician synced and no local PIN set
    LOCAL_PIN_RETIRED = "local_pin_retired"  # the hub's technicians have arrived: the install PIN is off


COUNTED = frozenset({MaintRefusal.UNKNOWN, MaintRefusal.WRONG_SECRET, MaintRefusal.REVOKED})


@dataclass(frozen=True)
class MaintenanceRefused:
    reason: MaintRefusal
    at: datetime | None = None               # locked_out: until; not_yet_valid / expired: the window's edge


@dataclass(frozen=True)
class TechnicianSettings:
    max_failures: int = 5
    lockout_s: float = 30 * 60
    idle_timeout_s: float = 600.0

    @classmethod
    def from_config(cls, config: Any) -> "TechnicianSettings":
        return cls(config.get("technician_max_failures"), config.get("technician_lockout_min") * 60,
                   config.get("technician_idle_timeout_s"))


@dataclass(eq=False)
class TechnicianSession:
    """Who is in maintenance mode: the technician's id only."""
    technician_id: str
    started_at: datetime
    idle_timeout_s: float
    clock: Clock = field(repr=False)
    last_active: datetime = field(init=False)
    ended: bool = False

    def __post_init__(self) -> None:
        self.last_active = self.started_at

    @property
    def actor(self) -> str:
        return audit.technician_actor(self.technician_id)

    def touch(self) -> None:
        self.last_active = self.clock()

    def expired(self, now: datetime | None = None) -> bool:
        now = now or self.clock()
        return self.ended or (now - self.last_active).total_seconds() >= self.idle_timeout_s


# --- the local PIN -------------------------------------------------------------------------------------------
def set_local_pin(data_dir: Path | str, pin: str, clock: Clock = utc_now) -> Path:
    if len(pin) < MIN_PIN_LENGTH or not pin.isdigit():
        raise ValueError(f"the PIN must be at least {MIN_PIN_LENGTH} digits")
    path = Path(data_dir) / PIN_FILE
    body = {"password_hash": hash_password(pin), "set_at": clock().isoformat(timespec="seconds")}
    atomic_write(path, json.dumps(body).encode(), mode=0o600)
    return path


def load_local_pin(data_dir: Path | str) -> Mapping[str, Any] | None:
    """The local PIN's hash, or None when unset, unreadable or readable by others (then it is not trusted)."""
    path = Path(data_dir) / PIN_FILE
    try:
        if path.stat().st_mode & 0o077:
            log.warning("technician PIN file is readable by others; ignored")
            return None
        stored = json.loads(path.read_text(encoding="utf-8"))["password_hash"]
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError):
        log.warning("technician PIN file unreadable; ignored")
        return None
    return stored if isinstance(stored, dict) else None


# --- the service ---------------------------------------------------------------------------------------------
class TechnicianAuth:
    """Login, exit and idle exit of maintenance mode; writes on the audit log's connection, under its lock."""

    def __init__(self, audit_log: AuditLog, data_dir: Path | str, settings: TechnicianSettings = TechnicianSettings(),
                 clock: Clock = utc_now):
        self.trail = audit_log
        self.db = audit_log.db
        self.data_dir = Path(data_dir)
        self.settings = settings
        self.clock = clock

    def technicians(self) -> dict[str, AgentCredential]:
        """Synced technician credentials by id; a revocation (which names no role) is kept for its id."""
        return {cid: c for cid, c in load_credentials(self.db).by_id.items() if c.role == ROLE or c.revoked}

    def login(self, technician_id: str, pin: str) -> TechnicianSession | MaintenanceRefused:
        now = self.clock()
        entered = technician_id.strip()[:MAX_ENTERED_ID]
        synced = self.technicians()
        has_hub_technician = any(not c.revoked for c in synced.values())
        if entered in ("", LOCAL_ID):
            return self._local_login(pin, now, has_hub_technician)
        credential = synced.get(entered)
        if credential is None and not has_hub_technician and load_local_pin(self.data_dir) is None:
            return self._refused(audit.UNIDENTIFIED, None, MaintenanceRefused(MaintRefusal.NO_CREDENTIALS))
        actor = audit.technician_actor(entered) if credential else audit.UNIDENTIFIED
        key = _lock_key(entered, credential is not None)
        until = self._locked_until(key, now)
        if until is not None:
            return self._refused(actor, None, MaintenanceRefused(MaintRefusal.LOCKED_OUT, until))
        refusal = check_secret(credential, pin, now, _dummy_hash(synced))
        if refusal is None:
            return self._start(entered, key, now)
        refused = MaintenanceRefused(MaintRefusal(refusal.reason.value), refusal.at)
        return self._refused(actor, key if refused.reason in COUNTED else None, refused)

    def _local_login(self, pin: str, now: datetime, has_hub_technician: bool) -> TechnicianSession | MaintenanceRefused:
        actor, key = audit.technician_actor(LOCAL_ID), KEY_PREFIX + LOCAL_ID
        stored = load_local_pin(self.data_dir)
        if has_hub_technician:
            return self._refused(actor, None, MaintenanceRefused(MaintRefusal.LOCAL_PIN_RETIRED))
        if stored is None:
            return self._refused(audit.UNIDENTIFIED, None, MaintenanceRefused(MaintRefusal.NO_CREDENTIALS))
        until = self._locked_until(key, now)
        if until is not None:
            return self._refused(actor, None, MaintenanceRefused(MaintRefusal.LOCKED_OUT, until))
        if verify_password(pin, stored):
            return self._start(LOCAL_ID, key, now)
        return self._refused(actor, key, MaintenanceRefused(MaintRefusal.WRONG_SECRET))

    def exit(self, session: TechnicianSession, reason: str = "manual") -> None:
        """`reason`: manual | idle | crash (ui/crash_guard.py). A session already ended is left alone (no second audit line)."""
        if session.ended:
            return
        session.ended = True
        self.trail.record(session.actor, audit.MAINTENANCE_EXITED, outcome=reason)

    def end_if_idle(self, session: TechnicianSession) -> bool:
        if not session.expired(self.clock()):
            return False
        self.exit(session, "idle")
        return True

    def _start(self, technician_id: str, key: str, now: datetime) -> TechnicianSession:
        entry = self.trail.entry(audit.technician_actor(technician_id), audit.MAINTENANCE_ENTERED)
        with self.trail.lock, transaction(self.db):
            self.db.execute("DELETE FROM agent_lockouts WHERE login_key=?", (key,))   # a success ends the streak
            self.trail.write(entry)
        log.info("maintenance mode entered")
        return TechnicianSession(technician_id, now, self.settings.idle_timeout_s, self.clock)

    def _refused(self, actor: str, counted_key: str | None, refusal: MaintenanceRefused) -> MaintenanceRefused:
        """Audit the refusal; a guess (`counted_key`) lengthens its streak and may lock the id out."""
        entries = [self.trail.entry(actor, audit.MAINTENANCE_REFUSED, outcome=refusal.reason.value)]
        with self.trail.lock, transaction(self.db):
            until = self._count_failure(counted_key) if counted_key else None
            if until is not None:
                entries.append(self.trail.entry(actor, audit.MAINTENANCE_LOCKED, outcome="locked"))
                refusal = MaintenanceRefused(MaintRefusal.LOCKED_OUT, until)
            for entry in entries:
                self.trail.write(entry)
        log.info("maintenance login refused: %s", refusal.reason.value)
        return refusal

    def _locked_until(self, key: str, now: datetime) -> datetime | None:
        row = self.db.execute("SELECT locked_until FROM agent_lockouts WHERE login_key=?", (key,)).fetchone()
        until = datetime.fromisoformat(row[0]) if row and row[0] else None
        return until if until is not None and now < until else None

    def _count_failure(self, key: str) -> datetime | None:
        """One more failure in the streak; the lock's end when this one reaches the limit. Inside a transaction."""
        now = self.clock()
        row = self.db.execute("SELECT failures, locked_until FROM agent_lockouts WHERE login_key=?",
                              (key,)).fetchone()
        failures = 1 if row is None or row[1] is not None else row[0] + 1   # a lock run out starts a new streak
        until = now + timedelta(seconds=self.settings.lockout_s) if failures >= self.settings.max_failures else None
        self.db.execute(
            "INSERT INTO agent_lockouts (login_key, failures, last_failure_at, locked_until) VALUES (?,?,?,?)"
            " ON CONFLICT(login_key) DO UPDATE SET failures=excluded.failures,"
            " last_failure_at=excluded.last_failure_at, locked_until=excluded.locked_until",
            (key, failures, now.isoformat(timespec="seconds"), until.isoformat(timespec="seconds") if until else None))
        return until


def _lock_key(entered: str, known: bool) -> str:
    """A known id counts under its own name; an unknown one under a hash, so what was typed is never stored."""
    return KEY_PREFIX + (entered if known else "?" + hashlib.sha256(entered.encode("utf-8")).hexdigest()[:32])


# --- command line --------------------------------------------------------------------------------------------
def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m kiosk.technicians",
                                     description="maintenance-mode access for technicians")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("set-pin", help="set the local maintenance PIN (fresh installs, before the first sync)")
    p.add_argument("--data-dir", required=True, type=Path)
    p.add_argument("--pin-stdin", action="store_true", help="read the PIN from stdin instead of asking")
    args = parser.parse_args(argv)
    if args.pin_stdin:
        pin = sys.stdin.readline().rstrip("\n")
    else:
        pin = getpass.getpass("maintenance PIN (digits): ")
        if getpass.getpass("again: ") != pin:
            print("the two PINs differ; nothing changed", file=sys.stderr)
            return 1
    args.data_dir.mkdir(parents=True, exist_ok=True)
    try:
        path = set_local_pin(args.data_dir, pin)
    except ValueError as exc:
        print(f"{exc}; nothing changed", file=sys.stderr)
        return 1
    print(f"maintenance PIN set ({path}); it works until a technician credential from the hub reaches the kiosk")
    return 0


if __name__ == "__main__":
    sys.exit(main())
