"""Proxy-agent (帮办代办员) login at the station, offline: credentials pulled from the hub, lockout, idle logout.

The hub sends only slow hashes (sync/credentials_hash.py) in the `agent_credentials` stream; sync/pull.py keeps the
newest item per agent id in `stream_items`. Everything here reads the local copy, so a login works with the link
down, and the validity window is checked against the kiosk's own clock. Failed tries are counted per entered id
in `agent_lockouts`, so a reboot does not reset a lockout. Every outcome goes to the audit trail.
"""
from __future__ import annotations

import enum
import hashlib
import json
import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, ClassVar, Mapping

import sqlite_utils

from kiosk.ids import CST, Clock, utc_now
from local_db import audit
from local_db.audit import AuditLog
from local_db.sync_state import transaction
from sync.auth import unb64url
from sync.credentials_hash import DKLEN, MAXMEM, SCRYPT_N, SCRYPT_P, SCRYPT_R, verify_password

log = logging.getLogger(__name__)

STREAM = "agent_credentials"
MAX_ENTERED_ID = 128
NOT_AGENT_ROLES = frozenset({"technician"})   # same stream, other doors (kiosk/technicians.py): unknown here


class Refusal(str, enum.Enum):
    UNKNOWN = "unknown"
    WRONG_SECRET = "wrong_secret"
    LOCKED_OUT = "locked_out"
    REVOKED = "revoked"
    NOT_YET_VALID = "not_yet_valid"
    EXPIRED = "expired"                              # offline: sync, or ask the town to renew it
    NO_CREDENTIALS_SYNCED = "no_credentials_synced"  # a new station that has not pulled yet


# Refusals that lengthen the streak: guesses. A right secret outside its window is not a guess.
COUNTED = frozenset({Refusal.UNKNOWN, Refusal.WRONG_SECRET, Refusal.REVOKED})


@dataclass(frozen=True)
class LoginRefused:
    reason: Refusal
    at: datetime | None = None    # locked_out: until; not_yet_valid: valid_from; expired: valid_to


@dataclass(frozen=True)
class AgentCredential:
    agent_id: str
    display_name: str
    role: str
    password_hash: Mapping[str, Any] | None   # None on a revocation
    valid_from: datetime | None
    valid_to: datetime | None
    revoked: bool


@dataclass(frozen=True)
class CredentialSet:
    by_id: Mapping[str, AgentCredential]
    malformed: int                            # items ignored: a bad item never stops the others


@dataclass(frozen=True)
class AgentSettings:
    max_failures: int = 5
    lockout_s: float = 15 * 60
    idle_timeout_s: float = 300.0
    PREFIX: ClassVar[str] = "agent"   # config keys <prefix>_max_failures, _lockout_min, _idle_timeout_s

    @classmethod
    def from_config(cls, config: Any):
        return cls(config.get(f"{cls.PREFIX}_max_failures"), config.get(f"{cls.PREFIX}_lockout_min") * 60,
                   config.get(f"{cls.PREFIX}_idle_timeout_s"))


class IdleSession:
    """What a staff session (an agent's, a technician's) does with its `started_at`, `idle_timeout_s`, `clock`,
    `last_active` and `ended` fields: it ends after idle_timeout_s without a touch."""

    def __post_init__(self) -> None:
        self.last_active = self.started_at

    def touch(self) -> None:
        self.last_active = self.clock()

    def expired(self, now: datetime | None = None) -> bool:
        now = now or self.clock()
        return self.ended or (now - self.last_active).total_seconds() >= self.idle_timeout_s


@dataclass(eq=False)
class AgentSession(IdleSession):
    """Who is logged in: the agent's id and role only, no name or other personal data."""
    agent_id: str
    role: str
    started_at: datetime
    idle_timeout_s: float
    clock: Clock = field(repr=False)
    last_active: datetime = field(init=False)
    ended: bool = False


# --- parsing the pulled stream ------------------------------------------------------------------------------------
def load_credentials(db: sqlite_utils.Database) -> CredentialSet:
    by_id: dict[str, AgentCredential] = {}
    malformed = 0
    for (body,) in db.execute("SELECT body FROM stream_items WHERE stream=?", (STREAM,)).fetchall():
        try:
            credential = parse_credential(json.loads(body))
        except (ValueError, TypeError, KeyError):
            malformed += 1
            continue
        by_id[credential.agent_id] = credential
    if malformed:
        log.warning("agent credentials: %d malformed item(s) ignored", malformed)   # no content: hashes
    return CredentialSet(by_id, malformed)


def parse_credential(item: Any) -> AgentCredential:
    """Raises ValueError (or TypeError/KeyError) for anything not a usable item."""
    agent_id = item["agent_id"]
    if not isinstance(agent_id, str) or not audit.agent_id_ok(agent_id):
        raise ValueError("agent id unusable")   # it goes into audit actors, so it must pass their check
    revoked = item.get("revoked", False)
    if not isinstance(revoked, bool):
        raise ValueError("revoked is not a boolean")
    if revoked:   # a revocation carries no hash and no window: only the id matters
        return AgentCredential(agent_id, "", "", None, None, None, True)
    role, name = item["role"], item.get("display_name", "")
    if not isinstance(role, str) or not role or not isinstance(name, str):
        raise ValueError("role or name")
    return AgentCredential(agent_id, name, role, _checked_hash(item["password_hash"]), _when(item.get("valid_from")),
                           _when(item.get("valid_to")), False)


def _checked_hash(stored: Any) -> Mapping[str, Any]:
    if not isinstance(stored, dict) or stored.get("alg") != "scrypt":
        raise ValueError("not an scrypt hash")
    n, r, p, dklen = (stored[k] for k in ("n", "r", "p", "dklen"))
    if not all(type(v) is int and v > 0 for v in (n, r, p, dklen)) or n < 2 or n & (n - 1):
        raise ValueError("scrypt parameters")
    if 128 * n * r > MAXMEM or not 16 <= dklen <= 64 or len(unb64url(stored["hash"])) != dklen:
        raise ValueError("scrypt parameters")
    unb64url(stored["salt"])
    return dict(stored)


def _when(value: Any) -> datetime | None:
    if value is None:
        return None
    moment = datetime.fromisoformat(value)     # TypeError for a non-string, ValueError for a bad one
    return moment if moment.tzinfo else moment.replace(tzinfo=CST)   # the hub administrator's local time


# --- the service ------------------------------------------------------------------------------------------------
class AgentAuth:
    """Login, logout and idle logout of agents; writes on the audit log's connection, under its lock."""

    def __init__(self, audit_log: AuditLog, settings: AgentSettings = AgentSettings(), clock: Clock = utc_now):
        self.trail = audit_log
        self.db = audit_log.db
        self.settings = settings
        self.clock = clock
        self.lockouts = LoginLockouts(self.db, settings, clock)

    def credentials(self) -> CredentialSet:
        return load_credentials(self.db)

    def login(self, agent_id: str, secret: str) -> AgentSession | LoginRefused:
        now = self.clock()
        entered = agent_id.strip()[:MAX_ENTERED_ID]
        credentials = self.credentials().by_id
        if not credentials:
            return self._refused(audit.UNIDENTIFIED, None, LoginRefused(Refusal.NO_CREDENTIALS_SYNCED))
        credential = credentials.get(entered)
        if credential is not None and credential.role in NOT_AGENT_ROLES:
            credential = None
        actor = audit.agent_actor(entered) if credential else audit.UNIDENTIFIED
        key = self.lockouts.key(entered, known=credential is not None)
        until = self.lockouts.locked_until(key, now)
        if until is not None:
            return self._refused(actor, None, LoginRefused(Refusal.LOCKED_OUT, until))
        refusal = check_secret(credential, secret, now, _dummy_hash(credentials))
        if refusal is None:
            return self._start(credential, key, now)
        return self._refused(actor, key if refusal.reason in COUNTED else None, refusal)

    def logout(self, session: AgentSession, reason: str = "manual") -> None:
        """`reason`: manual | idle. A session already ended is left alone (no second audit line)."""
        if session.ended:
            return
        session.ended = True
        self.trail.record(audit.agent_actor(session.agent_id), audit.LOGOUT, outcome=reason)

    def end_if_idle(self, session: AgentSession) -> bool:
        """Called by the UI's idle timer; True when the session is over (ended now or before)."""
        if not session.expired(self.clock()):
            return False
        self.logout(session, "idle")
        return True

    def _start(self, credential: AgentCredential, key: str, now: datetime) -> AgentSession:
        entry = self.trail.entry(audit.agent_actor(credential.agent_id), audit.LOGIN)
        with self.trail.lock, transaction(self.db):
            self.lockouts.clear(key)
            self.trail.write(entry)
        return AgentSession(credential.agent_id, credential.role, now, self.settings.idle_timeout_s, self.clock)

    def _refused(self, actor: str, counted_key: str | None, refusal: LoginRefused) -> LoginRefused:
        """Audit the refusal; a guess (`counted_key`) lengthens its streak and may lock the id out."""
        entries = [self.trail.entry(actor, audit.LOGIN_FAILED, outcome=refusal.reason.value)]
        with self.trail.lock, transaction(self.db):
            until = self.lockouts.count_failure(counted_key) if counted_key else None
            if until is not None:
                entries.append(self.trail.entry(actor, audit.LOCKOUT, outcome="locked"))
                refusal = LoginRefused(Refusal.LOCKED_OUT, until)
            for entry in entries:
                self.trail.write(entry)
        return refusal


class LoginLockouts:
    """Streaks of wrong tries per login key in `agent_lockouts`, so a reboot does not reset a lockout. Agents count
    under their ids, maintenance under `maint:` ids (`prefix`; agent ids cannot hold ':'). The writes run inside
    the caller's transaction, under the audit log's lock, with the audit lines they go with."""

    def __init__(self, db: sqlite_utils.Database, settings: AgentSettings, clock: Clock, prefix: str = ""):
        self.db, self.settings, self.clock, self.prefix = db, settings, clock, prefix

    def key(self, entered: str, known: bool) -> str:
        """A known id counts under its own name; an unknown one under a hash, so what was typed (perhaps a
        resident's phone number by mistake) is never stored."""
        return self.prefix + (entered if known else "?" + hashlib.sha256(entered.encode("utf-8")).hexdigest()[:32])

    def locked_until(self, key: str, now: datetime) -> datetime | None:
        row = self.db.execute("SELECT locked_until FROM agent_lockouts WHERE login_key=?", (key,)).fetchone()
        until = datetime.fromisoformat(row[0]) if row and row[0] else None
        return until if until is not None and now < until else None

    def count_failure(self, key: str) -> datetime | None:
        """One more failure in the streak; the lock's end when this one reaches the limit."""
        now = self.clock()
        row = self.db.execute("SELECT failures, locked_until FROM agent_lockouts WHERE login_key=?",
                              (key,)).fetchone()
        lock_over = row is not None and row[1] is not None   # a lock that has run out starts a fresh streak
        failures = 1 if row is None or lock_over else row[0] + 1
        until = now + timedelta(seconds=self.settings.lockout_s) if failures >= self.settings.max_failures else None
        self.db.execute(
            "INSERT INTO agent_lockouts (login_key, failures, last_failure_at, locked_until) VALUES (?,?,?,?)"
            " ON CONFLICT(login_key) DO UPDATE SET failures=excluded.failures,"
            " last_failure_at=excluded.last_failure_at, locked_until=excluded.locked_until",
            (key, failures, now.isoformat(timespec="seconds"), until.isoformat(timespec="seconds") if until else None))
        return until

    def clear(self, key: str) -> None:
        """A success ends the streak."""
        self.db.execute("DELETE FROM agent_lockouts WHERE login_key=?", (key,))


def check_secret(credential: AgentCredential | None, secret: str, now: datetime,
                 dummy_hash: Mapping[str, Any]) -> LoginRefused | None:
    """None when the secret opens a credential in its window. The secret is checked before the window, so only
    someone who knows it learns that a credential has expired."""
    if credential is None:
        verify_password(secret, dummy_hash)    # as slow as a real check: timing does not tell which ids exist
        return LoginRefused(Refusal.UNKNOWN)
    if credential.revoked:                     # a revocation has no hash left to check against
        return LoginRefused(Refusal.REVOKED)
    if not verify_password(secret, credential.password_hash):
        return LoginRefused(Refusal.WRONG_SECRET)
    if credential.valid_from is not None and now < credential.valid_from:
        return LoginRefused(Refusal.NOT_YET_VALID, credential.valid_from)
    if credential.valid_to is not None and now >= credential.valid_to:
        return LoginRefused(Refusal.EXPIRED, credential.valid_to)
    return None


def _dummy_hash(credentials: Mapping[str, AgentCredential]) -> Mapping[str, Any]:
    """A hash with the parameters real ones use here, that no secret matches."""
    real = next((c.password_hash for c in credentials.values() if c.password_hash), None)
    params = {k: real[k] for k in ("n", "r", "p", "dklen")} if real else \
        {"n": SCRYPT_N, "r": SCRYPT_R, "p": SCRYPT_P, "dklen": DKLEN}
    return {"alg": "scrypt", **params, "salt": "AAAAAAAAAAAAAAAAAAAAAA", "hash": "A" * 43}
