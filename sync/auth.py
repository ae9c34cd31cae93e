"""Request signing shared by terminal and hub (see sync/openapi.yaml, "Terminal identity and request signing").

Ed25519 over `METHOD \\n PATH_WITH_QUERY \\n TIMESTAMP \\n NONCE \\n sha256hex(body)`. Both sides import this
module so the canonical string cannot drift. Keys travel as base64url of their raw 32 bytes.
"""
from __future__ import annotations

import base64
import hashlib
import os
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

HEADER_TERMINAL = "X-ZDB-Terminal"
HEADER_TIMESTAMP = "X-ZDB-Timestamp"
HEADER_NONCE = "X-ZDB-Nonce"
HEADER_SIGNATURE = "X-ZDB-Signature"
HEADER_HUB_TIME = "X-ZDB-Hub-Time"
MAX_SKEW_S = 300          # a signed request older or newer than this is refused as stale
NONCE_WINDOW_S = 600      # the hub remembers nonces this long (> 2 * MAX_SKEW_S)


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def canonical(method: str, path_with_query: str, timestamp: int, nonce: str, body: bytes) -> bytes:
    digest = hashlib.sha256(body).hexdigest()
    return f"{method.upper()}\n{path_with_query}\n{timestamp}\n{nonce}\n{digest}".encode("utf-8")


@dataclass(frozen=True)
class KeyPair:
    private: Ed25519PrivateKey

    @classmethod
    def generate(cls) -> "KeyPair":
        return cls(Ed25519PrivateKey.generate())

    @classmethod
    def from_private_bytes(cls, raw: bytes) -> "KeyPair":
        return cls(Ed25519PrivateKey.from_private_bytes(raw))

    def private_bytes(self) -> bytes:
        return self.private.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw,
                                          serialization.NoEncryption())

    def public_b64(self) -> str:
        return b64url(self.private.public_key().public_bytes(serialization.Encoding.Raw,
                                                             serialization.PublicFormat.Raw))

    def sign(self, message: bytes) -> str:
        return b64url(self.private.sign(message))


def new_nonce() -> str:
    return b64url(os.urandom(18))


def signed_headers(keys: KeyPair, terminal_id: str, method: str, path_with_query: str, body: bytes,
                   timestamp: int, nonce: str | None = None) -> dict[str, str]:
    nonce = nonce or new_nonce()
    return {
        HEADER_TERMINAL: terminal_id,
        HEADER_TIMESTAMP: str(timestamp),
        HEADER_NONCE: nonce,
        HEADER_SIGNATURE: keys.sign(canonical(method, path_with_query, timestamp, nonce, body)),
    }


def verify(public_key_b64: str, signature_b64: str, message: bytes) -> bool:
    try:
        key = Ed25519PublicKey.from_public_bytes(unb64url(public_key_b64))
        key.verify(unb64url(signature_b64), message)
        return True
    except (InvalidSignature, ValueError, TypeError):
        return False


def bundle_message(kind: str, version: int, payload_json: str) -> bytes:
    """What the hub signs for a catalog/policies/config bundle (components.schemas.Bundle)."""
    return f"{kind}\n{version}\n{hashlib.sha256(payload_json.encode('utf-8')).hexdigest()}".encode("utf-8")
