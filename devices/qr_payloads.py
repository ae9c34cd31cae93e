"""What a scanned code is: `classify(text)` -> a typed record, or DeviceError(QR_INVALID / QR_EXPIRED).

Three kinds are accepted, all plain ASCII so that every scanner kind (camera, keyboard wedge, serial) can carry them:

1. 浙里办 identity code `ZLB1.<body>.<sig>` (format in devices/qr.py) -> `IdentityCode`.
2. E-licence (电子证照) code, signed by the same platform key as the identity code:

       ZLBL1.<base64url(JSON)>.<base64url(Ed25519 signature over the ASCII "ZLBL1.<base64url(JSON)>")>

   JSON: a UTF-8 object with exactly the keys
       {"v": 1, "type": "hukou" | "marriage" | "disability" | "business",   (户口簿 / 结婚证 / 残疾人证 / 营业执照)
        "holder": str,        person's name, or the enterprise's name for a business licence (1-100 characters)
        "holder_id": str,     GB 11643 ID number, or the GB 32100 unified social credit code for a business licence
        "number": str,        licence number: 1-40 printable ASCII characters, no spaces
        "issuer": str,        issuing authority, e.g. 舟山市定海区民政局 (1-60 characters)
        "valid_to": str,      last day the licence is valid, "YYYY-MM-DD", or "" for licences without an end
        "iat": int, "exp": int}   the code's own short validity window, as for identity codes
   A licence past `valid_to` (kiosk date in China Standard Time) is DeviceError(QR_EXPIRED, "licence expired").
3. The kiosk's own progress-lookup code printed on receipts (kiosk/receipt.py): `zdb://progress?r=<receipt no>&id=<uuid>`
   -> `ProgressCode`. It is unsigned: it only names a record, and holds no personal data.

Everything else is rejected as `QrRejected` (a DeviceError with reason QR_INVALID and a `rejection` the UI can
explain): too long (> 4 KB), not text, control characters, non-ASCII (binary, foreign text, emoji), web addresses,
unknown formats, and recognised codes that fail their checks (tampered, wrong key, malformed).
"""
from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import Enum
from typing import Any, Callable, Union
from urllib.parse import unquote

from devices.base import DeviceError, Fault
from devices.idcard import idnumber
from devices.qr import DEMO_PUBLIC_KEY, PREFIX, ZlbIdentityCode, ZlbVerifier, json_object
from kiosk.ids import CST

IdentityCode = ZlbIdentityCode
LICENCE_PREFIX = "ZLBL1"
PROGRESS_PREFIX = "zdb://progress?"
MAX_PAYLOAD = 4096           # bigger than any code of ours: reject before looking inside
MAX_LICENCE_LEN = 2048

_LICENCE_KEYS = {"v", "type", "holder", "holder_id", "number", "issuer", "valid_to", "iat", "exp"}
_LICENCE_NUMBER = re.compile(r"[\x21-\x7e]{1,40}")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_RECEIPT_NO = re.compile(r"[A-Za-z0-9]{1,16}-\d{8}-\d{4,6}")     # kiosk.ids.receipt_number
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]{0,20}:")
_USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"                   # GB 32100: no I, O, S, V, Z


class LicenceType(str, Enum):
    HUKOU = "hukou"              # 户口簿 household register
    MARRIAGE = "marriage"        # 结婚证 marriage certificate
    DISABILITY = "disability"    # 残疾人证 disability certificate
    BUSINESS = "business"        # 营业执照 business licence

    @property
    def label(self) -> str:
        return _LICENCE_LABELS[self]


_LICENCE_LABELS = {LicenceType.HUKOU: "户口簿", LicenceType.MARRIAGE: "结婚证", LicenceType.DISABILITY: "残疾人证",
                   LicenceType.BUSINESS: "营业执照"}


@dataclass(frozen=True)
class ELicenceCode:
    licence_type: LicenceType
    holder: str = field(repr=False)
    holder_id: str = field(repr=False)
    number: str = field(repr=False)
    issuer: str
    valid_to: date | None        # None: no end date
    issued_at: int
    expires_at: int


@dataclass(frozen=True)
class ProgressCode:
    receipt_no: str
    record_id: str


ScannedCode = Union[IdentityCode, ELicenceCode, ProgressCode]


class Rejection(str, Enum):
    NOT_TEXT = "not_text"
    TOO_LONG = "too_long"
    EMPTY = "empty"
    CONTROL_CHARS = "control_chars"      # NUL, escapes, binary read as text
    NON_ASCII = "non_ascii"              # foreign text, emoji, binary
    URL = "url"                          # a web address or another app's link
    UNKNOWN_FORMAT = "unknown_format"
    BAD_CODE = "bad_code"                # one of our formats, but tampered, forged or malformed


class QrRejected(DeviceError):
    """DeviceError(QR_INVALID) that also says which kind of rejection it is; detail holds no code content."""

    def __init__(self, rejection: Rejection, detail: str = ""):
        super().__init__(Fault.QR_INVALID, f"{rejection.value}: {detail}" if detail else rejection.value)
        self.rejection = rejection


class PayloadClassifier:
    def __init__(self, public_key: bytes = DEMO_PUBLIC_KEY, clock: Callable[[], float] = time.time):
        self.verifier = ZlbVerifier(public_key, clock)

    def classify(self, text: Any) -> ScannedCode:
        text = _screened(text)
        if text.startswith(PREFIX + "."):
            return _as_bad_code(self.verifier.parse, text)
        if text.startswith(LICENCE_PREFIX + "."):
            return _as_bad_code(self.parse_licence, text)
        if text.startswith(PROGRESS_PREFIX):
            return _as_bad_code(parse_progress, text)
        if _SCHEME.match(text):
            raise QrRejected(Rejection.URL, "a link, not a kiosk code")
        raise QrRejected(Rejection.UNKNOWN_FORMAT, "not a kiosk code")

    def parse_licence(self, text: Any) -> ELicenceCode:
        claims = json_object(self.verifier.verified_payload(text, LICENCE_PREFIX, MAX_LICENCE_LEN))
        _check_licence_fields(claims)
        self.verifier.check_times(claims)
        valid_to = date.fromisoformat(claims["valid_to"]) if claims["valid_to"] else None
        if valid_to is not None and valid_to < datetime.fromtimestamp(self.verifier.clock(), CST).date():
            raise DeviceError(Fault.QR_EXPIRED, "licence expired")
        return ELicenceCode(LicenceType(claims["type"]), claims["holder"], claims["holder_id"], claims["number"],
                            claims["issuer"], valid_to, claims["iat"], claims["exp"])


def classify(text: Any, public_key: bytes = DEMO_PUBLIC_KEY, clock: Callable[[], float] = time.time) -> ScannedCode:
    """Scanned text -> IdentityCode | ELicenceCode | ProgressCode, or QrRejected / DeviceError(QR_EXPIRED)."""
    return PayloadClassifier(public_key, clock).classify(text)


def _screened(text: Any) -> str:
    """Checks that need no format knowledge, cheapest first (a 10 MB string is refused by its length)."""
    if not isinstance(text, str):
        raise QrRejected(Rejection.NOT_TEXT, type(text).__name__)
    if len(text) > MAX_PAYLOAD:
        raise QrRejected(Rejection.TOO_LONG, f"{len(text)} characters")
    text = text.strip(" \r\n\t")          # wedge and serial scanners end codes with CR/LF or Tab
    if not text:
        raise QrRejected(Rejection.EMPTY)
    if not text.isprintable():
        raise QrRejected(Rejection.CONTROL_CHARS)
    if not text.isascii():
        raise QrRejected(Rejection.NON_ASCII)
    return text


def _as_bad_code(parse: Callable[[str], ScannedCode], text: str) -> ScannedCode:
    try:
        return parse(text)
    except DeviceError as exc:
        if exc.reason is Fault.QR_INVALID and not isinstance(exc, QrRejected):
            raise QrRejected(Rejection.BAD_CODE, exc.detail) from None
        raise


# --- e-licence fields -------------------------------------------------------------------------------------------

def _text_field(value: Any, longest: int) -> bool:
    return isinstance(value, str) and 1 <= len(value) <= longest and value.isprintable() and value.strip() == value


def _check_licence_fields(claims: dict[str, Any]) -> None:
    if set(claims) != _LICENCE_KEYS or type(claims["v"]) is not int or claims["v"] != 1:
        raise _bad("unexpected licence fields or version")
    if claims["type"] not in {t.value for t in LicenceType}:
        raise _bad("unknown licence type")
    if not _text_field(claims["holder"], 100) or not _text_field(claims["issuer"], 60):
        raise _bad("bad holder or issuer")
    business = claims["type"] == LicenceType.BUSINESS.value
    if not (uscc_is_valid(claims["holder_id"]) if business else idnumber.is_valid(claims["holder_id"])):
        raise _bad("holder id fails its check digit")
    if not (isinstance(claims["number"], str) and _LICENCE_NUMBER.fullmatch(claims["number"])):
        raise _bad("bad licence number")
    if not (isinstance(claims["valid_to"], str) and (claims["valid_to"] == "" or _is_date(claims["valid_to"]))):
        raise _bad("bad valid_to")
    for key in ("iat", "exp"):
        if type(claims[key]) is not int:
            raise _bad(f"{key} is not an integer")


def _is_date(text: str) -> bool:
    if not _DATE.fullmatch(text):
        return False
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True


def uscc_is_valid(code: Any) -> bool:
    """GB 32100-2015 unified social credit code (统一社会信用代码): 18 characters, the last a mod-31 check."""
    if not (isinstance(code, str) and len(code) == 18 and all(c in _USCC_CHARS for c in code)):
        return False
    total = sum(_USCC_CHARS.index(c) * pow(3, i, 31) for i, c in enumerate(code[:17]))
    return _USCC_CHARS[(31 - total % 31) % 31] == code[17]


def _bad(detail: str) -> DeviceError:
    return DeviceError(Fault.QR_INVALID, detail)


# --- progress codes ---------------------------------------------------------------------------------------------

def parse_progress(text: str) -> ProgressCode:
    """`zdb://progress?r=<receipt no>&id=<uuid>` exactly (either order), as kiosk.receipt.progress_code writes it."""
    if len(text) > 200:
        raise _bad("progress code too long")
    pairs = [part.partition("=") for part in text[len(PROGRESS_PREFIX):].split("&")]
    fields = {key: value for key, sep, value in pairs if sep}
    if len(pairs) != 2 or set(fields) != {"r", "id"}:
        raise _bad("progress code needs exactly r and id")
    receipt_no = unquote(fields["r"])
    if not _RECEIPT_NO.fullmatch(receipt_no):
        raise _bad("bad receipt number")
    if not _UUID.fullmatch(fields["id"]):
        raise _bad("bad record id")
    return ProgressCode(receipt_no, fields["id"])
