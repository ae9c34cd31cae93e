"""Opaque stream cursors. Today a cursor is base64url of "v1:<seq>"; terminals store and return it verbatim,
so the hub may change what is inside without a protocol change."""
from __future__ import annotations

import binascii
import re

from sync.auth import b64url, unb64url

_INSIDE = re.compile(r"^v1:(\d{1,18})$")


class BadCursor(ValueError):
    pass


def encode_cursor(seq: int) -> str:
    return b64url(f"v1:{seq}".encode("ascii"))


def decode_cursor(cursor: str | None) -> int:
    """The seq after which to continue; no cursor (or an empty one) means from the start."""
    if not cursor:
        return 0
    try:
        match = _INSIDE.match(unb64url(cursor).decode("ascii"))
    except (binascii.Error, ValueError):
        raise BadCursor(cursor) from None
    if match is None:
        raise BadCursor(cursor)
    return int(match.group(1))
