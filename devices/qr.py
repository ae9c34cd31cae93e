"""浙里办 (Zheliban) identity codes: strict parsing and signature check.

The other code kinds (e-licences, the kiosk's progress codes) and `classify()` are in devices/qr_payloads.py; the
camera decode path is devices/qr_camera.py (`decode_image` here is kept for older callers).

Format (ours, agreed for the kiosk; three dot-separated ASCII parts):

    ZLB1.<base64url(JSON)>.<base64url(Ed25519 signature)>

- JSON is a UTF-8 object with exactly the keys
  {"v": 1, "name": str, "id_number": str, "phone": str, "iat": int, "exp": int}  (iat/exp: Unix seconds);
- the signature covers the ASCII bytes of "ZLB1.<base64url(JSON)>" and is made with the platform's key;
- base64url is unpadded and canonical.

Anything else is rejected with DeviceError(QR_INVALID), an outdated code with DeviceError(QR_EXPIRED). The
signature is checked before the JSON is parsed, so untrusted bytes never reach the JSON parser.
"""
from __future__ import annotations

import base64
import binascii
import functools
import json
import re
import time
from dataclasses import dataclass, field
from typing import Any, Callable

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from devices.base import DeviceError, Fault
from devices.idcard import idnumber
from kiosk.records import Identity

PREFIX = "ZLB1"
MAX_CODE_LEN = 1024          # a real code is ~250 characters; anything near a QR's capacity is not ours
MAX_LIFETIME_S = 600         # the platform issues short-lived codes; a long one is forged or misconfigured
CLOCK_SKEW_S = 300           # island kiosks may run offline for days: tolerate some clock drift
# DEMO platform public key (its private half lives only in devices/qr_sim.py). A deployment passes the real one.
DEMO_PUBLIC_KEY = bytes.fromhex("4d85d3ae9fd115ab5d4b43c02c228d4aab6be1a586543ee37293ad36fffa1455")

_SIGNATURE_CHARS = 86       # a 64-byte Ed25519 signature in unpadded base64url
_KEYS = {"v", "name", "id_number", "phone", "iat", "exp"}
_PHONE = re.compile(r"(1\d{10})?")


@dataclass(frozen=True)
class ZlbIdentityCode:
    name: str = field(repr=False)
    id_number: str = field(repr=False)
    phone: str = field(repr=False)
    issued_at: int
    expires_at: int

    def to_identity(self) -> Identity:
        return Identity(source="zlb_qr", name=self.name, id_number=self.id_number, phone=self.phone)


def _invalid(detail: str) -> DeviceError:
    return DeviceError(Fault.QR_INVALID, detail)


def b64url_encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _b64url_decode(text: str) -> bytes:
    try:
        data = base64.b64decode(text + "=" * (-len(text) % 4), altchars=b"-_", validate=True)
    except (binascii.Error, ValueError):
        raise _invalid("bad base64url") from None
    if b64url_encode(data) != text:
        raise _invalid("non-canonical base64url")
    return data


class ZlbVerifier:
    """Checks codes against one platform key; the clock is injected so tests never patch time.

    `verified_payload` and `check_times` are shared with the other signed formats (devices.qr_payloads)."""

    def __init__(self, public_key: bytes = DEMO_PUBLIC_KEY, clock: Callable[[], float] = time.time):
        self._key = Ed25519PublicKey.from_public_bytes(public_key)
        self.clock = clock

    def parse(self, text: Any) -> ZlbIdentityCode:
        claims = _claims(self.verified_payload(text))
        self.check_times(claims)
        return ZlbIdentityCode(claims["name"], claims["id_number"], claims["phone"], claims["iat"], claims["exp"])

    def verified_payload(self, text: Any, prefix: str = PREFIX, max_len: int = MAX_CODE_LEN) -> bytes:
        """The signed payload bytes of `<prefix>.<body>.<signature>`, or DeviceError(QR_INVALID)."""
        body, signature = _split(text, prefix, max_len)
        try:
            self._key.verify(_b64url_decode(signature), f"{prefix}.{body}".encode("ascii"))
        except InvalidSignature:
            raise _invalid("signature does not verify") from None
        return _b64url_decode(body)

    def check_times(self, claims: dict[str, Any]) -> None:
        """The code's own short validity window (iat/exp, Unix seconds), with some clock drift allowed."""
        now = self.clock()
        if not 0 < claims["exp"] - claims["iat"] <= MAX_LIFETIME_S:
            raise _invalid("implausible validity window")
        if claims["iat"] > now + CLOCK_SKEW_S:
            raise _invalid("issued in the future")
        if claims["exp"] < now - CLOCK_SKEW_S:
            raise DeviceError(Fault.QR_EXPIRED, "code expired")


def parse_identity_code(text: Any, public_key: bytes = DEMO_PUBLIC_KEY,
                        clock: Callable[[], float] = time.time) -> Identity:
    """The flows' QR parser: scanned text -> Identity, or DeviceError(QR_INVALID / QR_EXPIRED)."""
    return ZlbVerifier(public_key, clock).parse(text).to_identity()


@functools.lru_cache(maxsize=8)
def _shape(prefix: str) -> re.Pattern[str]:
    return re.compile(rf"{re.escape(prefix)}\.([A-Za-z0-9_-]{{4,}})\.([A-Za-z0-9_-]{{{_SIGNATURE_CHARS}}})")


def _split(text: Any, prefix: str = PREFIX, max_len: int = MAX_CODE_LEN) -> tuple[str, str]:
    """Cheap shape checks first: type, length, ASCII, prefix, alphabet (no decoding of a 10 MB string)."""
    if not isinstance(text, str):
        raise _invalid(f"not text: {type(text).__name__}")
    if len(text) > max_len:
        raise _invalid(f"too long: {len(text)} characters")
    text = text.strip()     # scanners in keyboard mode append CR/LF
    if not text.isascii() or not text.isprintable():
        raise _invalid("binary or non-ASCII content")
    if not text.startswith(prefix + "."):
        raise _invalid(f"not a {prefix} code")
    match = _shape(prefix).fullmatch(text)
    if match is None:
        raise _invalid(f"malformed {prefix} code")
    return match.group(1), match.group(2)


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    keys = [k for k, _ in pairs]
    if len(set(keys)) != len(keys):
        raise ValueError("duplicate key")
    return dict(pairs)


def json_object(payload: bytes) -> dict[str, Any]:
    """A signed payload as a JSON object with unique keys, or DeviceError(QR_INVALID)."""
    try:
        claims = json.loads(payload.decode("utf-8"), object_pairs_hook=_no_duplicates)
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise _invalid("payload is not JSON") from None
    if not isinstance(claims, dict):
        raise _invalid("payload is not a JSON object")
    return claims


def _claims(payload: bytes) -> dict[str, Any]:
    claims = json_object(payload)
    if set(claims) != _KEYS or type(claims["v"]) is not int or claims["v"] != 1:   # true == 1 in Python
        raise _invalid("unexpected payload fields or version")
    _check_fields(claims)
    return claims


def _check_fields(claims: dict[str, Any]) -> None:
    name, id_number, phone = claims["name"], claims["id_number"], claims["phone"]
    if not (isinstance(name, str) and 1 <= len(name) <= 30 and name.isprintable() and name.strip() == name):
        raise _invalid("bad name")
    if not idnumber.is_valid(id_number):
        raise _invalid("ID number fails GB 11643 check")
    if not (isinstance(phone, str) and _PHONE.fullmatch(phone)):
        raise _invalid("bad phone")
    for key in ("iat", "exp"):
        if type(claims[key]) is not int:
            raise _invalid(f"{key} is not an integer")


def decode_image(image: Any) -> list[str]:
    """Texts of the QR codes in a camera frame (PIL image or numpy array), by the camera scanner's decode path."""
    import numpy as np

    from devices.qr_camera import decode_frame   # imported here: a kiosk without a scanner never loads it

    if not isinstance(image, np.ndarray):
        image = np.asarray(image.convert("L"))
    return decode_frame(image)
