"""The slow password hash of agent credentials, shared so the hub that makes it and the kiosk that checks it offline
cannot drift.

`{"alg": "scrypt", "n", "r", "p", "dklen", "salt", "hash"}` with salt and hash base64url. Imports nothing from the
hub, so the kiosk can use it without the server's dependencies.
"""
from __future__ import annotations

import hashlib
import hmac
import os
from typing import Any

from sync.auth import b64url, unb64url

# 16 MiB and ~50 ms per check on a kiosk: slow enough against guessing a stolen table, fast enough at a login.
SCRYPT_N, SCRYPT_R, SCRYPT_P, DKLEN = 2 ** 14, 8, 1, 32
MAXMEM = 64 * 1024 * 1024   # also caps what a malformed stored hash can make a kiosk allocate


def hash_password(password: str, *, salt: bytes | None = None, n: int = SCRYPT_N, r: int = SCRYPT_R,
                  p: int = SCRYPT_P) -> dict[str, Any]:
    salt = salt if salt is not None else os.urandom(16)
    digest = hashlib.scrypt(password.encode("utf-8"), salt=salt, n=n, r=r, p=p, dklen=DKLEN, maxmem=MAXMEM)
    return {"alg": "scrypt", "n": n, "r": r, "p": p, "dklen": DKLEN, "salt": b64url(salt), "hash": b64url(digest)}


def verify_password(password: str, stored: Any) -> bool:
    """Constant-time check; any malformed `stored` (wrong types, bad base64, parameters scrypt refuses) is False."""
    try:
        if stored["alg"] != "scrypt":
            return False
        digest = hashlib.scrypt(password.encode("utf-8"), salt=unb64url(stored["salt"]), n=int(stored["n"]),
                                r=int(stored["r"]), p=int(stored["p"]), dklen=int(stored["dklen"]),
                                maxmem=MAXMEM)
        return hmac.compare_digest(digest, unb64url(stored["hash"]))
    except (KeyError, TypeError, ValueError, OverflowError, MemoryError):
        return False
