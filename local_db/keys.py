"""The key ring that seals residents' personal data at rest, and where it lives.

Field-level AES-256-GCM (`cryptography`) rather than SQLCipher, because the kiosk keeps the stock `sqlite3`
that sqlite-utils, the WAL/`secure_delete` settings and every `sqlite3.Error` handler are written against, and
because sealed values stay sealed wherever they travel inside the terminal: the WAL, freed pages, the quarantine
and a copied database file hold only ciphertext. What stays readable is what has no person in it (item, times,
status, receipt number), which is what statistics and 办件查询 need. Media files are sealed the same way.

The ring is a JSON list of keys with short ids; a sealed value names the id of the key that sealed it, so a
rotation (local_db/sealing.py) can add a key, re-seal every value, and retire the old one. The ring lives in
the data dir's `keys/` folder, bound to the machine one of two ways:

- TPM 2.0 present: the ring file is itself sealed with a key-encryption key that only this machine's TPM can
  unseal (local_db/tpm.py). A copied disk, the whole data dir included, reveals nothing.
- No TPM: the ring file is readable by its owner only (0600 in a 0700 folder; the installed kiosk runs as root,
  so root only). A file any other user could read is refused, not used.
"""
from __future__ import annotations

import base64
import json
import os
import secrets
import stat
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from local_db.fsutil import atomic_write

if TYPE_CHECKING:
    from local_db.tpm import Tpm

KEY_BYTES = 32
NONCE_BYTES = 12
TEXT_PREFIX = "zs1."            # zs1.<key id>.<base64url(nonce + ciphertext)>
BYTES_PREFIX = b"ZS1\x00"       # + key id (8 ASCII) + nonce + ciphertext
KEY_ID_LEN = 8
RING_FILE = "keyring.json"      # owner-only file protection
SEALED_RING_FILE = "keyring.tpm"  # the ring sealed with the TPM's key-encryption key
KEYS_DIR = "keys"


class KeyProblem(Exception):
    """Base of the key problems a technician must act on; messages never contain key material."""


class KeyRingMissing(KeyProblem):
    """The database holds sealed data but its key ring is gone: refuse rather than start a new, useless ring."""


class KeyFileExposed(KeyProblem):
    """The ring file can be read by users other than its owner."""


class SealError(ValueError):
    """A sealed value does not open: another machine's key, a retired key, or the bytes were changed."""


@dataclass
class KeyRing:
    current: str
    keys: dict[str, bytes] = field(default_factory=dict)

    @classmethod
    def new(cls) -> "KeyRing":
        ring = cls(current="")
        ring.add_key()
        return ring

    def add_key(self) -> str:
        """A fresh key, made current; the old ones stay until `retire` (their values still need them)."""
        key_id = secrets.token_hex(KEY_ID_LEN // 2)
        self.keys[key_id] = AESGCM.generate_key(bit_length=KEY_BYTES * 8)
        self.current = key_id
        return key_id

    def retire(self, keep: set[str]) -> list[str]:
        gone = [kid for kid in self.keys if kid not in keep and kid != self.current]
        for kid in gone:
            del self.keys[kid]
        return gone

    def to_json(self) -> bytes:
        keys = {kid: base64.b64encode(key).decode("ascii") for kid, key in self.keys.items()}
        return json.dumps({"version": 1, "current": self.current, "keys": keys}).encode("ascii")

    @classmethod
    def from_json(cls, data: bytes) -> "KeyRing":
        try:
            body = json.loads(data)
            keys = {str(kid): base64.b64decode(value, validate=True) for kid, value in body["keys"].items()}
            ring = cls(current=str(body["current"]), keys=keys)
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise KeyProblem("the key ring file is damaged") from exc
        if ring.current not in ring.keys or any(len(k) != KEY_BYTES or len(kid) != KEY_ID_LEN
                                                for kid, k in keys.items()):
            raise KeyProblem("the key ring file is damaged")
        return ring


class KeyStore:
    """The `keys/` folder of one data dir. `tpm` None: owner-only file; else the ring is sealed by that TPM."""

    def __init__(self, directory: Path | str, tpm: "Tpm | None" = None):
        self.directory = Path(directory)
        self.tpm = tpm

    @classmethod
    def beside(cls, db_path: Path | str, tpm: "Tpm | None" = None) -> "KeyStore":
        return cls(Path(db_path).parent / KEYS_DIR, tpm)

    @property
    def protection(self) -> str:
        if (self.directory / SEALED_RING_FILE).exists():
            return "tpm"
        return "file" if (self.directory / RING_FILE).exists() else "none"

    def exists(self) -> bool:
        return self.protection != "none"

    def load(self) -> KeyRing:
        if (self.directory / SEALED_RING_FILE).exists():
            return KeyRing.from_json(self._open_with_tpm())
        path = self.directory / RING_FILE
        try:
            info = path.stat()
        except FileNotFoundError:
            raise KeyRingMissing("no key ring in the data dir's keys folder") from None
        if info.st_mode & (stat.S_IRWXG | stat.S_IRWXO) or info.st_uid != os.geteuid():
            raise KeyFileExposed("the key ring file must belong to this user and be readable by it alone (0600)")
        return KeyRing.from_json(path.read_bytes())

    def save(self, ring: KeyRing) -> None:
        """Atomically replace the ring (a crash leaves the old or the new ring, never half of one)."""
        self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        os.chmod(self.directory, 0o700)
        if self.tpm is not None or (self.directory / SEALED_RING_FILE).exists():
            atomic_write(self.directory / SEALED_RING_FILE, self._seal_with_tpm(ring.to_json()), mode=0o600)
        else:
            atomic_write(self.directory / RING_FILE, ring.to_json(), mode=0o600)

    def _kek_dir(self) -> Path:
        return self.directory / "tpm"

    def _seal_with_tpm(self, ring_json: bytes) -> bytes:
        tpm = self._tpm()
        kek_dir = self._kek_dir()
        if not (kek_dir / "kek.priv").exists():
            kek_dir.mkdir(mode=0o700, exist_ok=True)
            tpm.seal(AESGCM.generate_key(bit_length=256), kek_dir)
        kek = tpm.unseal(kek_dir)
        nonce = os.urandom(NONCE_BYTES)
        return nonce + AESGCM(kek).encrypt(nonce, ring_json, b"zdb keyring")

    def _open_with_tpm(self) -> bytes:
        kek = self._tpm().unseal(self._kek_dir())
        data = (self.directory / SEALED_RING_FILE).read_bytes()
        try:
            return AESGCM(kek).decrypt(data[:NONCE_BYTES], data[NONCE_BYTES:], b"zdb keyring")
        except (InvalidTag, ValueError) as exc:
            raise KeyProblem("the TPM-sealed key ring does not open on this machine") from exc

    def _tpm(self) -> "Tpm":
        if self.tpm is None:
            from local_db.tpm import Tpm   # the machine's own TPM (kernel resource manager)

            self.tpm = Tpm()
        return self.tpm


class Sealer:
    """Seals and opens values with the ring `ring_source` returns. `context` binds a value to its place (column
    and row): a sealed applicant copied into another row does not open there.

    The ring is asked for on every call (a stat of the ring file, via `load_cached`), so a rotation by another
    process is seen at once: a writer that seals inside its transaction can never use a key a finished
    rotation has retired."""

    def __init__(self, ring_source: Callable[[], KeyRing]):
        self._ring_source = ring_source
        self._ring: KeyRing | None = None
        self._ciphers: dict[str, AESGCM] = {}

    @classmethod
    def for_store(cls, store: KeyStore) -> "Sealer":
        return cls(lambda: load_cached(store))

    @classmethod
    def fixed(cls, ring: KeyRing) -> "Sealer":
        return cls(lambda: ring)

    @property
    def ring(self) -> KeyRing:
        ring = self._ring_source()
        if ring is not self._ring:
            self._ring, self._ciphers = ring, {kid: AESGCM(key) for kid, key in ring.keys.items()}
        return ring

    def seal(self, text: str, context: str) -> str:
        kid, body = self._encrypt(text.encode("utf-8"), context)
        return f"{TEXT_PREFIX}{kid}.{base64.urlsafe_b64encode(body).decode('ascii')}"

    def open(self, value: str, context: str) -> str:
        """The plain text; a value that was never sealed (a purge stub, a row from before sealing) as it is."""
        if not is_sealed(value):
            return value
        kid, _, body = value[len(TEXT_PREFIX):].partition(".")
        try:
            raw = base64.urlsafe_b64decode(body.encode("ascii"))
        except ValueError as exc:
            raise SealError("sealed value is damaged") from exc
        return self._decrypt(kid, raw, context).decode("utf-8")

    def seal_bytes(self, data: bytes, context: str) -> bytes:
        kid, body = self._encrypt(bytes(data), context)
        return BYTES_PREFIX + kid.encode("ascii") + body

    def open_bytes(self, data: bytes, context: str) -> bytes:
        if not is_sealed_bytes(data):
            return bytes(data)
        start = len(BYTES_PREFIX)
        kid = bytes(data[start:start + KEY_ID_LEN]).decode("ascii", "replace")
        return self._decrypt(kid, bytes(data[start + KEY_ID_LEN:]), context)

    def _encrypt(self, data: bytes, context: str) -> tuple[str, bytes]:
        kid = self.ring.current
        nonce = os.urandom(NONCE_BYTES)
        return kid, nonce + self._ciphers[kid].encrypt(nonce, data, context.encode("utf-8"))

    def _decrypt(self, kid: str, raw: bytes, context: str) -> bytes:
        self.ring   # refresh: the value may have been sealed after a rotation this process has not seen
        cipher = self._ciphers.get(kid)
        if cipher is None:
            raise SealError("sealed with a key this terminal does not hold")
        try:
            return cipher.decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], context.encode("utf-8"))
        except (InvalidTag, ValueError) as exc:
            raise SealError("sealed value is damaged or belongs elsewhere") from exc


def is_sealed(value: object) -> bool:
    return isinstance(value, str) and value.startswith(TEXT_PREFIX)


def is_sealed_bytes(value: object) -> bool:
    return isinstance(value, (bytes, bytearray, memoryview)) and bytes(value[:len(BYTES_PREFIX)]) == BYTES_PREFIX


def key_id_of(value: str | bytes) -> str | None:
    if is_sealed(value):
        return value[len(TEXT_PREFIX):].partition(".")[0]
    if is_sealed_bytes(value):
        start = len(BYTES_PREFIX)
        return bytes(value[start:start + KEY_ID_LEN]).decode("ascii", "replace")
    return None


_cache_lock = threading.Lock()
_cache: dict[Path, tuple[Path, tuple, KeyRing]] = {}   # keys folder → (ring file, its version, the ring)


def _version(path: Path) -> tuple:
    """The ring file's identity: every save replaces the file (a new inode), so a save within the same clock
    tick as the last one is still seen."""
    info = path.stat()
    return info.st_ino, info.st_mtime_ns, info.st_size


def load_cached(store: KeyStore) -> KeyRing:
    """One load per process and ring version: a TPM unseal takes a while, and every seal asks for the ring. The
    common case is one stat of the ring file last seen (a rotation replaces the file)."""
    cached = _cache.get(store.directory)
    if cached is not None:
        try:
            if _version(cached[0]) == cached[1]:
                return cached[2]
        except FileNotFoundError:
            pass
    with _cache_lock:
        path = store.directory / (SEALED_RING_FILE if store.protection == "tpm" else RING_FILE)
        try:
            version = _version(path)
        except FileNotFoundError:
            version = ()
        ring = store.load()
        _cache[store.directory] = (path, version, ring)
        return ring
