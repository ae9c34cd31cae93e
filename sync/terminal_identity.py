"""Who this terminal is to the hub: enrolled once with a one-time code, then every request signed.

The Ed25519 private key is generated here and never leaves the data directory (`terminal.key`, mode 0600).
`terminal.json` holds the terminal id, the station and the hub's public key pinned at enrollment (it verifies
catalog/policy/config bundles). Both files are replaced atomically; the key is written before the identity, so
an identity file never names a key that is not there.
"""
from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import requests

from kiosk.ids import Clock, utc_now
from sync.auth import KeyPair, b64url, unb64url
from local_db.fsutil import atomic_write
from sync.protocol import ENROLL_PATH, ProtocolError, SyncError, parse_enroll_reply, parse_error_code

log = logging.getLogger(__name__)

IDENTITY_FILE = "terminal.json"
KEY_FILE = "terminal.key"


class IdentityError(SyncError):
    """The identity files exist but cannot be used (damaged, wrong permissions, mismatched)."""


class EnrollmentError(SyncError):
    """Enrollment failed; `reason` is the hub's error word (e.g. "used", "expired") or a short local reason."""

    def __init__(self, message: str, reason: str = ""):
        super().__init__(message)
        self.reason = reason


@dataclass(frozen=True)
class TerminalIdentity:
    terminal_id: str
    station_id: str
    hub_public_key: str      # base64url; pinned at enrollment
    keys: KeyPair = field(repr=False, compare=False)
    hub_url: str = ""
    enrolled_at: str = ""


class IdentityStore:
    def __init__(self, data_dir: Path | str):
        self.data_dir = Path(data_dir)

    @property
    def identity_path(self) -> Path:
        return self.data_dir / IDENTITY_FILE

    @property
    def key_path(self) -> Path:
        return self.data_dir / KEY_FILE

    def exists(self) -> bool:
        return self.identity_path.exists()

    def load(self) -> TerminalIdentity | None:
        """None when the terminal was never enrolled; IdentityError when the files are unusable."""
        if not self.identity_path.exists():
            return None
        try:
            data = json.loads(self.identity_path.read_text(encoding="utf-8"))
            keys = KeyPair.from_private_bytes(unb64url(self.key_path.read_text(encoding="ascii").strip()))
            identity = TerminalIdentity(data["terminal_id"], data["station_id"], data["hub_public_key"], keys,
                                        data.get("hub_url", ""), data.get("enrolled_at", ""))
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise IdentityError(f"terminal identity unreadable ({type(exc).__name__})") from None
        if data.get("public_key") != keys.public_b64():
            raise IdentityError("terminal key does not match its identity")
        return identity

    def save(self, identity: TerminalIdentity) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        atomic_write(self.key_path, b64url(identity.keys.private_bytes()).encode("ascii"), mode=0o600)
        record = {"terminal_id": identity.terminal_id, "station_id": identity.station_id,
                  "hub_public_key": identity.hub_public_key, "public_key": identity.keys.public_b64(),
                  "hub_url": identity.hub_url, "enrolled_at": identity.enrolled_at}
        atomic_write(self.identity_path, json.dumps(record, indent=2).encode("utf-8"), mode=0o600)


def enroll(store: IdentityStore, hub_url: str, station_id: str, code: str, *,
           session: requests.Session | None = None, timeout_s: float = 15.0, force: bool = False,
           keygen: Callable[[], KeyPair] = KeyPair.generate, clock: Clock = utc_now) -> TerminalIdentity:
    """POST /enroll (unsigned) with a fresh key pair; saves and returns the identity."""
    if store.exists() and not force:
        raise EnrollmentError("terminal already enrolled (use --force to enroll again)", "already_enrolled")
    keys = keygen()
    body = json.dumps({"station_id": station_id, "code": code, "public_key": keys.public_b64()}).encode("utf-8")
    session = session if session is not None else requests.Session()
    try:
        response = session.post(hub_url.rstrip("/") + ENROLL_PATH, data=body, timeout=timeout_s,
                                headers={"Content-Type": "application/json", "Accept": "application/json"},
                                allow_redirects=False)
    except requests.RequestException as exc:
        raise EnrollmentError(f"hub unreachable ({type(exc).__name__})", "unreachable") from None
    if response.status_code != 200:
        reason = parse_error_code(response.content)
        raise EnrollmentError(f"hub refused enrollment: HTTP {response.status_code} {reason}".strip(), reason)
    try:
        reply = parse_enroll_reply(response.content)
    except ProtocolError as exc:
        raise EnrollmentError(str(exc), "protocol") from None
    identity = TerminalIdentity(reply.terminal_id, station_id, reply.hub_public_key, keys, hub_url.rstrip("/"),
                                clock().isoformat(timespec="seconds"))
    store.save(identity)
    log.info("terminal enrolled as %s", identity.terminal_id)
    return identity

