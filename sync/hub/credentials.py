"""Agent (帮办员) credentials for the `agent_credentials` stream: the hub keeps and sends only slow hashes.

A stream item is `{"agent_id", "display_name", "role", "password_hash", "valid_from", "valid_to", "revoked"}`
with `password_hash = {"alg": "scrypt", "n", "r", "p", "dklen", "salt", "hash"}` (salt and hash base64url).
The terminal checks a typed password offline with `verify_password`; a later item with the same `agent_id`
replaces the earlier one (a revocation is such an item with `revoked: true`).
"""
from __future__ import annotations

import hashlib
import hmac
import os
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sync.auth import b64url, unb64url
from sync.hub.store import FeedItem

# 16 MiB and ~50 ms per check on a kiosk: slow enough against guessing a stolen table, fast enough at a login.
SCRYPT_N, SCRYPT_R, SCRYPT_P, DKLEN = 2 ** 14, 8, 1, 32
_MAXMEM = 64 * 1024 * 1024
AGENT_ROLES = ("agent", "supervisor")


def hash_password(password: str, *, salt: bytes | None = None, n: int = SCRYPT_N, r: int = SCRYPT_R,
                  p: int = SCRYPT_P) -> dict[str, Any]:
    salt = salt if salt is not None else os.urandom(16)
    digest = hashlib.scrypt(password.encode("utf-8"), salt=salt, n=n, r=r, p=p, dklen=DKLEN, maxmem=_MAXMEM)
    return {"alg": "scrypt", "n": n, "r": r, "p": p, "dklen": DKLEN, "salt": b64url(salt), "hash": b64url(digest)}


def verify_password(password: str, stored: dict[str, Any]) -> bool:
    try:
        if stored["alg"] != "scrypt":
            return False
        digest = hashlib.scrypt(password.encode("utf-8"), salt=unb64url(stored["salt"]), n=int(stored["n"]),
                                r=int(stored["r"]), p=int(stored["p"]), dklen=int(stored["dklen"]),
                                maxmem=_MAXMEM)
        return hmac.compare_digest(digest, unb64url(stored["hash"]))
    except (KeyError, TypeError, ValueError):
        return False


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
