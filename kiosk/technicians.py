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
import json
import logging
import sys
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, ClassVar, Mapping

from kiosk.agents import (AgentCredential, AgentSettings, IdleSession, LoginLockouts, check_secret,
                          load_credentials)
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
class TechnicianSettings(AgentSettings):
    max_failures: int = 5
    lockout_s: float = 30 * 60
    idle_timeout_s: float = 600.0
    PREFIX: ClassVar[str] = "technician"


@dataclass(eq=False)
class TechnicianSession(IdleSession):
    """Who is in maintenance mode: the technician's id only."""
    technician_id: str
    started_at: datetime
    idle_timeout_s: float
    clock: Clock = field(repr=False)
    last_active: datetime = field(init=False)
    ended: bool = False

    @property
    def actor(self) -> str:
        return audit.technician_actor(self.technician_id)


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
        self.lockouts = LoginLockouts(self.db, settings, clock, prefix=KEY_PREFIX)

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
        key = self.lockouts.key(entered, known=credential is not None)
        until = self.lockouts.locked_until(key, now)
        if until is not None:
            return self._refused(actor, None, MaintenanceRefused(MaintRefusal.LOCKED_OUT, until))
        refusal = check_secret(credential, pin, now, _dummy_hash(synced))
        if refusal is None:
            return self._start(entered, key, now)
        refused = MaintenanceRefused(MaintRefusal(refusal.reason.value), refusal.at)
        return self._refused(actor, key if refused.reason in COUNTED else None, refused)

    def _local_login(self, pin: str, now: datetime, has_hub_technician: bool) -> TechnicianSession | MaintenanceRefused:
        actor, key = audit.technician_actor(LOCAL_ID), self.lockouts.key(LOCAL_ID, known=True)
        stored = load_local_pin(self.data_dir)
        if has_hub_technician:
            return self._refused(actor, None, MaintenanceRefused(MaintRefusal.LOCAL_PIN_RETIRED))
        if stored is None:
            return self._refused(audit.UNIDENTIFIED, None, MaintenanceRefused(MaintRefusal.NO_CREDENTIALS))
        until = self.lockouts.locked_until(key, now)
        if until is not None:
            return self._refused(actor, None, MaintenanceRefused(MaintRefusal.LOCKED_OUT, until))
        if verify_password(pin, stored):
            return self._start(LOCAL_ID, key, now)
        return self._refused(actor, key, MaintenanceRefused(MaintRefusal.WRONG_SECRET))

    def exit(self, session: TechnicianSession, reason: str = "manual") -> None:
        """`reason`: manual | idle | crash (ui/crash_guard.py). A session already ended is left alone (no second
        audit line)."""
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
            self.lockouts.clear(key)
            self.trail.write(entry)
        log.info("maintenance mode entered")
        return TechnicianSession(technician_id, now, self.settings.idle_timeout_s, self.clock)

    def _refused(self, actor: str, counted_key: str | None, refusal: MaintenanceRefused) -> MaintenanceRefused:
        """Audit the refusal; a guess (`counted_key`) lengthens its streak and may lock the id out."""
        entries = [self.trail.entry(actor, audit.MAINTENANCE_REFUSED, outcome=refusal.reason.value)]
        with self.trail.lock, transaction(self.db):
            until = self.lockouts.count_failure(counted_key) if counted_key else None
            if until is not None:
                entries.append(self.trail.entry(actor, audit.MAINTENANCE_LOCKED, outcome="locked"))
                refusal = MaintenanceRefused(MaintRefusal.LOCKED_OUT, until)
            for entry in entries:
                self.trail.write(entry)
        log.info("maintenance login refused: %s", refusal.reason.value)
        return refusal


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
