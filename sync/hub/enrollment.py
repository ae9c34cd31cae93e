"""One-time enrollment codes and terminal ids.

A code is read off a hub administrator's screen and typed on a terminal, so it uses Crockford base32 (no I, L,
O, U; those typed anyway are read as 1, 1, 0) in groups of four: 12 symbols, 60 random bits. Only a SHA-256 of
the normalised code is stored; 60 bits with expiry and single use need no slow hash.
"""
from __future__ import annotations

import hashlib
import secrets
import uuid

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_CONFUSABLE = str.maketrans({"I": "1", "L": "1", "O": "0"})
CODE_SYMBOLS = 12


def new_code() -> str:
    raw = "".join(secrets.choice(ALPHABET) for _ in range(CODE_SYMBOLS))
    return "-".join(raw[i:i + 4] for i in range(0, CODE_SYMBOLS, 4))


def normalise(code: str) -> str:
    """What was typed, without separators or case, confusable letters mapped."""
    return "".join(c for c in code.upper() if c.isalnum()).translate(_CONFUSABLE)


def hash_code(code: str) -> str:
    return hashlib.sha256(("zdb-enroll\n" + normalise(code)).encode("utf-8")).hexdigest()


def new_terminal_id() -> str:
    return "t-" + uuid.uuid4().hex
