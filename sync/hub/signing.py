"""Who sent a request: checking the X-ZDB-* signature headers of sync/auth.py against enrolled terminals.

The checks run cheapest and most telling first, and the nonce is remembered only after the signature held, so
nobody without the terminal's key can burn its nonces. Failure codes are the contract's 401 `error` values.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

from sync.auth import (HEADER_NONCE, HEADER_SIGNATURE, HEADER_TERMINAL, HEADER_TIMESTAMP, MAX_SKEW_S, canonical,
                       unb64url, verify)
from sync.hub.store import HubStore, Terminal

MIN_NONCE_BYTES = 16
MAX_NONCE_CHARS = 128


class AuthFailure(Exception):
    """`code`: unknown_terminal, revoked, bad_signature, stale_timestamp or replayed."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class SignedRequest:
    method: str
    path_with_query: str             # as sent on the request line
    headers: Mapping[str, str]       # case-insensitive lookups (starlette Headers)
    body: bytes                      # raw, as sent (still gzip-compressed if it was)


def authenticate(store: HubStore, hub_time: int, request: SignedRequest) -> Terminal:
    terminal = store.terminal(request.headers.get(HEADER_TERMINAL, ""))
    if terminal is None:
        raise AuthFailure("unknown_terminal")
    if terminal.revoked:
        raise AuthFailure("revoked")
    timestamp = _timestamp(request.headers.get(HEADER_TIMESTAMP, ""))
    if timestamp is None or abs(timestamp - hub_time) > MAX_SKEW_S:
        raise AuthFailure("stale_timestamp")
    nonce, signature = request.headers.get(HEADER_NONCE, ""), request.headers.get(HEADER_SIGNATURE, "")
    message = canonical(request.method, request.path_with_query, timestamp, nonce, request.body)
    if not _nonce_ok(nonce) or not verify(terminal.public_key, signature, message):
        raise AuthFailure("bad_signature")
    if not store.remember_nonce(terminal.id, nonce):
        raise AuthFailure("replayed")
    return terminal


def _timestamp(text: str) -> int | None:
    text = text.strip()
    return int(text) if text.isascii() and text.lstrip("-").isdigit() and len(text) < 16 else None


def _nonce_ok(nonce: str) -> bool:
    if not nonce or len(nonce) > MAX_NONCE_CHARS or not nonce.isascii():
        return False
    if any(not (c.isalnum() or c in "-_") for c in nonce):
        return False
    try:
        return len(unb64url(nonce)) >= MIN_NONCE_BYTES
    except ValueError:
        return False
