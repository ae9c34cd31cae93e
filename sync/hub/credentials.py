"""Agent (帮办员) credentials for the `agent_credentials` stream: the hub keeps and sends only slow hashes.

A stream item is `{"agent_id", "display_name", "role", "password_hash", "valid_from", "valid_to", "revoked"}`
with `password_hash = {"alg": "scrypt", "n", "r", "p", "dklen", "salt", "hash"}` (salt and hash base64url).
The terminal checks a typed password offline with `verify_password` (sync/credentials_hash.py); a later item
with the same `agent_id` replaces the earlier one (a revocation is such an item with `revoked: true`).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

# Re-exported: the hashing lives where the kiosk can import it without the hub's dependencies.
from sync.credentials_hash import DKLEN, SCRYPT_N, SCRYPT_P, SCRYPT_R, hash_password, verify_password  # noqa: F401
from sync.hub.store import FeedItem

AGENT_ROLES = ("agent", "supervisor", "technician")   # technician: maintenance mode only (kiosk/technicians.py)


@dataclass(frozen=True)
class AgentCredential:
    agent_id: str
    station_id: str | None           # None: valid at every station
    display_name: str
    role: str
    password_hash: dict[str, Any]
    valid_from: datetime
    valid_to: datetime | None = None
    revoked: bool = False

    def to_feed_item(self) -> FeedItem:
        item = {"agent_id": self.agent_id, "display_name": self.display_name, "role": self.role,
                "password_hash": self.password_hash, "valid_from": self.valid_from.isoformat(timespec="seconds"),
                "valid_to": self.valid_to.isoformat(timespec="seconds") if self.valid_to else None,
                "revoked": self.revoked}
        return FeedItem("agent_credentials", self.agent_id, item, self.station_id)
