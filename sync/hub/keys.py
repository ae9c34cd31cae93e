"""The hub's Ed25519 signing key and signed bundles.

The key is made once and kept as a PKCS#8 PEM file readable only by the hub's user (0600), in the hub data
directory or wherever `--key-file` says. Hubs sharing one PostgreSQL database must share the key file too:
terminals pin the public key at enrollment and refuse bundles signed by any other.
"""
from __future__ import annotations

import json
import os
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from sync.auth import KeyPair, bundle_message
from sync.hub.store import BUNDLE_KINDS, Bundle, HubStore

KEY_FILE_NAME = "hub_signing_key.pem"


class KeyFileError(RuntimeError):
    pass


def load_or_create_key(data_dir: Path, key_file: Path | None = None) -> KeyPair:
    """The key in `key_file` (which must exist), else the data dir's key, made on first use."""
    if key_file is not None:
        return load_key(key_file)
    path = data_dir / KEY_FILE_NAME
    if not path.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        _create_key(path)
    return load_key(path)


def load_key(path: Path) -> KeyPair:
    try:
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except (OSError, ValueError) as exc:
        raise KeyFileError(f"cannot read hub key {path}: {type(exc).__name__}") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise KeyFileError(f"hub key {path} is not an Ed25519 key")
    return KeyPair(key)


def _create_key(path: Path) -> None:
    pem = Ed25519PrivateKey.generate().private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                     serialization.NoEncryption())
    try:   # O_EXCL: two hubs starting at once never overwrite each other's fresh key
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return
    with os.fdopen(fd, "wb") as out:
        out.write(pem)
        out.flush()
        os.fsync(out.fileno())


def sign_bundle(keys: KeyPair, kind: str, version: int, payload_json: str) -> Bundle:
    return Bundle(kind, version, payload_json, keys.sign(bundle_message(kind, version, payload_json)))


def publish_bundle(store: HubStore, keys: KeyPair, kind: str, payload_json: str,
                   version: int | None = None) -> Bundle:
    """Sign and store the next (or the given) version; the payload must be JSON and is kept byte for byte."""
    if kind not in BUNDLE_KINDS:
        raise ValueError(f"bundle kind must be one of {', '.join(BUNDLE_KINDS)}")
    json.loads(payload_json)   # ValueError if not JSON: terminals would refuse it anyway
    chosen = version if version is not None else store.next_bundle_version(kind)
    return store.add_bundle(sign_bundle(keys, kind, chosen, payload_json))
