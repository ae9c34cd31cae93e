"""浙里办 (Zheliban) identity codes: strict parsing and signature check, plus the camera-frame decode path.

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

_SHAPE = re.compile(r"ZLB1\.([A-Za-z0-9_-]{4,})\.([A-Za-z0-9_-]{86})")   # 64-byte signature = 86 chars
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
    """Checks codes against one platform key; the clock is injected so tests never patch time."""

    def __init__(self, public_key: bytes = DEMO_PUBLIC_KEY, clock: Callable[[], float] = time.time):
        self._key = Ed25519PublicKey.from_public_bytes(public_key)
        self._clock = clock

    def parse(self, text: Any) -> ZlbIdentityCode:
        payload = self._verified_payload(_split(text))
        claims = _claims(payload)
        self._check_times(claims)
        return ZlbIdentityCode(claims["name"], claims["id_number"], claims["phone"], claims["iat"], claims["exp"])

    def _verified_payload(self, parts: tuple[str, str]) -> bytes:
        body, signature = parts
        try:
            self._key.verify(_b64url_decode(signature), f"{PREFIX}.{body}".encode("ascii"))
        except InvalidSignature:
            raise _invalid("signature does not verify") from None
        return _b64url_decode(body)

    def _check_times(self, claims: dict[str, Any]) -> None:
        now = self._clock()
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


def _split(text: Any) -> tuple[str, str]:
    """Cheap shape checks first: type, length, ASCII, prefix, alphabet (no decoding of a 10 MB string)."""
    if not isinstance(text, str):
        raise _invalid(f"not text: {type(text).__name__}")
    if len(text) > MAX_CODE_LEN:
        raise _invalid(f"too long: {len(text)} characters")
    text = text.strip()     # scanners in keyboard mode append CR/LF
    if not text.isascii() or not text.isprintable():
        raise _invalid("binary or non-ASCII content")
    if not text.startswith(PREFIX + "."):
        raise _invalid("not a ZLB1 code")
    match = _SHAPE.fullmatch(text)
    if match is None:
        raise _invalid("malformed ZLB1 code")
    return match.group(1), match.group(2)


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    keys = [k for k, _ in pairs]
    if len(set(keys)) != len(keys):
        raise ValueError("duplicate key")
    return dict(pairs)


def _claims(payload: bytes) -> dict[str, Any]:
    try:
        claims = json.loads(payload.decode("utf-8"), object_pairs_hook=_no_duplicates)
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise _invalid("payload is not JSON") from None
    if not isinstance(claims, dict) or set(claims) != _KEYS or claims["v"] != 1:
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
    """Texts of the QR codes zxing-cpp finds in a camera frame (PIL image or numpy array)."""
    import zxingcpp   # imported here: a kiosk without a scanner never loads it

    found = zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode, text_mode=zxingcpp.TextMode.Plain)
    return [r.text for r in found if r.valid]
