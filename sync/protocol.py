"""The kiosk ↔ hub wire format (API v1): typed records, serialisation and strict validation.

Both sides import this module, so the hub's request checks and the kiosk's reply checks cannot drift apart.
The kiosk trusts nothing in a reply: anything malformed is a `ProtocolError`, and on a `ProtocolError` no
outbox row is marked delivered. Error messages are short, fixed and never quote the body (it may hold
personal data).
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Collection

PROTOCOL_VERSION = "1.4.0"
API_PREFIX = "/api/v1"
HEALTH_PATH = f"{API_PREFIX}/health"
ENROLL_PATH = f"{API_PREFIX}/enroll"
RECORDS_PATH = f"{API_PREFIX}/records"
SERVICE_NAME = "zhoudaoban-hub"
KINDS = frozenset({"application", "rating", "need", "booking", "certificate_request", "consent", "audit",
                   "benefit_claim", "report"})
# "slots" (1.3), "update" (1.4) and newer streams last: a hub older than them answers 404, which sync/pull.py
# takes as empty
STREAMS = ("config", "policies", "catalog", "guides", "announcements", "agent_credentials", "status", "slots",
           "update", "benefits", "qa")
BUNDLE_KINDS = frozenset({"catalog", "policies", "config", "update", "benefits", "qa"})
MAX_RECORDS_PER_REQUEST = 1000
MAX_ATTACHMENT_BYTES = 52428800
_ID_RE = re.compile(r"[A-Za-z0-9_-]{1,64}")   # UUIDv7 today; room for other opaque ids
SHA256_RE = re.compile(r"^[0-9a-f]{64}$")
_STATUS_RE = re.compile(r"^[a-z_]{1,32}$")


def attachment_path(sha256: str) -> str:
    return f"{API_PREFIX}/attachments/{sha256}"


def stream_path(stream: str) -> str:
    return f"{API_PREFIX}/streams/{stream}"


def update_path(sha256: str) -> str:
    """Protocol 1.4: the bytes of a published update archive, by its hash (signed GET, Range allowed)."""
    return f"{API_PREFIX}/updates/{sha256}"


class SyncError(Exception):
    """A push or health check failed; `str(exc)` is short and safe to show staff or log."""


class ProtocolError(SyncError):
    """The other side sent something that does not follow this protocol."""


class Status(str, Enum):
    ACCEPTED = "accepted"      # stored now
    DUPLICATE = "duplicate"    # already stored earlier (e.g. our previous reply was lost): also delivered
    REJECTED = "rejected"      # will never be stored as sent; `reason` says why


@dataclass(frozen=True)
class WireRecord:
    id: str
    kind: str
    payload: dict[str, Any]
    attachments: tuple[str, ...] = ()   # content hashes; the media travel separately

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id, "kind": self.kind, "payload": self.payload}
        if self.attachments:
            out["attachments"] = list(self.attachments)
        return out


@dataclass(frozen=True)
class PushRequest:
    station_id: str
    records: tuple[WireRecord, ...]

    def to_json(self) -> dict[str, Any]:
        return {"station_id": self.station_id, "records": [r.to_json() for r in self.records]}

    def encode(self) -> bytes:
        return json.dumps(self.to_json(), ensure_ascii=False, separators=(",", ":")).encode("utf-8")


@dataclass(frozen=True)
class ItemResult:
    id: str | None             # None only when the hub could not read an id from the item
    status: Status
    reason: str = ""

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id, "status": self.status.value}
        if self.reason:
            out["reason"] = self.reason
        return out


@dataclass(frozen=True)
class PushReply:
    results: tuple[ItemResult, ...]

    def to_json(self) -> dict[str, Any]:
        return {"results": [r.to_json() for r in self.results]}

    def ids_with(self, status: Status) -> list[str]:
        return [r.id for r in self.results if r.status is status and r.id is not None]


@dataclass(frozen=True)
class HubHealth:
    ok: bool
    service: str
    version: str
    extra: dict[str, Any] = field(default_factory=dict, compare=False)

    @property
    def protocol(self) -> str:
        value = self.extra.get("protocol")
        return value if isinstance(value, str) else "1.0.0"


# --- kiosk side: strict reply parsing ------------------------------------------------------------------------

def decode_json(body: bytes) -> Any:
    try:
        return json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):  # truncated bodies land here too; so does [[[[...
        raise ProtocolError("reply is not JSON") from None


def utf8_text(value: str) -> str:
    """`value` as text SQLite can store: a lone surrogate (valid as a JSON escape, "\\ud800") becomes U+FFFD."""
    return value.encode("utf-8", "surrogatepass").decode("utf-8", "replace")


def is_utf8_text(*values: Any) -> bool:
    """Whether every string among `values` can be stored as it is (no lone surrogates)."""
    try:
        for value in values:
            if isinstance(value, str):
                value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def parse_push_reply(body: bytes, sent_ids: Collection[str]) -> PushReply:
    """Exactly one well-formed result per id sent, or `ProtocolError`."""
    data = decode_json(body)
    if not isinstance(data, dict) or not isinstance(data.get("results"), list):
        raise ProtocolError("reply has no results list")
    expected = set(sent_ids)
    results: list[ItemResult] = []
    seen: set[str] = set()
    for raw in data["results"]:
        result = _parse_result(raw)
        if result.id not in expected:
            raise ProtocolError("reply names a record not sent")
        if result.id in seen:
            raise ProtocolError("reply names a record twice")
        seen.add(result.id)
        results.append(result)
    if seen != expected:
        raise ProtocolError(f"reply covers {len(seen)} of {len(expected)} records")
    return PushReply(tuple(results))


def _parse_result(raw: Any) -> ItemResult:
    if not isinstance(raw, dict) or not isinstance(raw.get("id"), str):
        raise ProtocolError("reply has a malformed result")
    try:
        status = Status(raw.get("status"))
    except ValueError:
        raise ProtocolError("reply has an unknown result status") from None
    reason = raw.get("reason", "")
    if not isinstance(reason, str):
        raise ProtocolError("reply has a malformed reason")
    return ItemResult(raw["id"], status, utf8_text(reason[:200]))


def parse_health(body: bytes) -> HubHealth:
    data = decode_json(body)
    if not isinstance(data, dict) or data.get("ok") is not True:
        raise ProtocolError("hub reports not ok")
    if data.get("service") != SERVICE_NAME:
        raise ProtocolError("not a zhoudaoban hub")
    if not isinstance(data.get("version"), str) and not isinstance(data.get("protocol"), str):
        raise ProtocolError("hub version missing")   # 1.0 hubs send `version`, 1.1 hubs `protocol`
    extra = {k: v for k, v in data.items() if k not in {"ok", "service", "version"}}
    version = data.get("version")
    return HubHealth(True, SERVICE_NAME, version if isinstance(version, str) else "", extra)


# --- kiosk side, protocol 1.1: enrollment, attachments, streams -------------------------------------------

@dataclass(frozen=True)
class EnrollReply:
    terminal_id: str
    hub_public_key: str


@dataclass(frozen=True)
class UploadState:
    received: int
    complete: bool


@dataclass(frozen=True)
class StreamPage:
    items: tuple[Any, ...]     # each checked by the stream's own parser, so one bad item cannot hide a page
    next_cursor: str
    more: bool


@dataclass(frozen=True)
class Bundle:
    kind: str
    version: int
    payload_json: str
    signature: str


@dataclass(frozen=True)
class Certificate:
    number: str
    title: str
    text: str
    issuer: str = ""
    holder_masked: str = ""


@dataclass(frozen=True)
class StatusUpdate:
    record_id: str
    status: str
    at: str
    note: str = ""
    certificate: Certificate | None = None


def parse_enroll_reply(body: bytes) -> EnrollReply:
    data = decode_json(body)
    if not isinstance(data, dict):
        raise ProtocolError("enrollment reply is not an object")
    terminal_id, key = data.get("terminal_id"), data.get("hub_public_key")
    if not isinstance(terminal_id, str) or not _ID_RE.fullmatch(terminal_id):
        raise ProtocolError("enrollment reply has no valid terminal id")
    if not isinstance(key, str) or not re.fullmatch(r"[A-Za-z0-9_-]{43}=?", key):
        raise ProtocolError("enrollment reply has no valid hub key")
    return EnrollReply(terminal_id, key)


def parse_error_code(body: bytes) -> str:
    """The `error` word of a 401/403 reply, or "" when there is none (never the body itself)."""
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return ""
    error = data.get("error") if isinstance(data, dict) else None
    return error[:64] if isinstance(error, str) else ""


def parse_upload_state(body: bytes) -> UploadState:
    data = decode_json(body)
    if not isinstance(data, dict):
        raise ProtocolError("upload reply is not an object")
    received = data.get("received")
    if not isinstance(received, int) or isinstance(received, bool) or received < 0:
        raise ProtocolError("upload reply has no valid byte count")
    return UploadState(received, data.get("complete") is True)


def parse_stream_page(body: bytes) -> StreamPage:
    data = decode_json(body)
    if not isinstance(data, dict) or not isinstance(data.get("items"), list):
        raise ProtocolError("stream page has no items list")
    cursor, more = data.get("next_cursor"), data.get("more")
    if not isinstance(cursor, str) or not cursor or len(cursor) > 512:
        raise ProtocolError("stream page has no valid cursor")
    if not isinstance(more, bool):
        raise ProtocolError("stream page has no valid more flag")
    return StreamPage(tuple(data["items"]), cursor, more)


def parse_bundle(raw: Any) -> Bundle:
    """The bundle's shape only; whether to trust it is `sync.bundles.check_bundle`'s job."""
    if not isinstance(raw, dict):
        raise ProtocolError("bundle is not an object")
    kind, version = raw.get("kind"), raw.get("version")
    payload_json, signature = raw.get("payload_json"), raw.get("signature")
    if kind not in BUNDLE_KINDS:
        raise ProtocolError("bundle kind unknown")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise ProtocolError("bundle version invalid")
    if not isinstance(payload_json, str):
        raise ProtocolError("bundle payload missing")
    if not isinstance(signature, str) or not signature:
        raise ProtocolError("bundle unsigned")
    return Bundle(kind, version, payload_json, signature)


# --- protocol 1.4: software updates ---------------------------------------------------------------------------

VERSION_RE = re.compile(r"[0-9]{1,6}(?:\.[0-9]{1,6}){0,3}")   # dotted numbers: "0.2.0"; compared as numbers
MAX_UPDATE_BYTES = 512 * 1024 * 1024
MAX_NOTES_CHARS = 2000


def version_key(version: str) -> tuple[int, ...]:
    """"0.10.0" > "0.9.1"; trailing zeros do not count ("1.0" == "1"). ValueError for other shapes."""
    if not isinstance(version, str) or not VERSION_RE.fullmatch(version):
        raise ValueError("version must be dotted numbers like 0.2.0")
    parts = [int(p) for p in version.split(".")]
    while len(parts) > 1 and parts[-1] == 0:
        parts.pop()
    return tuple(parts)


@dataclass(frozen=True)
class UpdateManifest:
    """The payload of an `update` bundle: which application tree, by hash and size, and what it is."""
    version: str
    sha256: str
    size: int
    notes: str = ""
    min_from_version: str | None = None   # a station running an older version needs a new .deb instead

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"version": self.version, "sha256": self.sha256, "size": self.size,
                               "notes": self.notes}
        if self.min_from_version:
            out["min_from_version"] = self.min_from_version
        return out

    def encode(self) -> str:
        return json.dumps(self.to_json(), ensure_ascii=False, separators=(",", ":"), sort_keys=True)


def parse_update_manifest(data: Any) -> UpdateManifest:
    if not isinstance(data, dict):
        raise ProtocolError("update manifest is not an object")
    version, sha256, size = data.get("version"), data.get("sha256"), data.get("size")
    notes, min_from = data.get("notes", ""), data.get("min_from_version")
    if not isinstance(version, str) or not VERSION_RE.fullmatch(version):
        raise ProtocolError("update version invalid")
    if not isinstance(sha256, str) or not SHA256_RE.match(sha256):
        raise ProtocolError("update hash invalid")
    if not isinstance(size, int) or isinstance(size, bool) or not 0 < size <= MAX_UPDATE_BYTES:
        raise ProtocolError("update size invalid")
    if not isinstance(notes, str) or len(notes) > MAX_NOTES_CHARS or not is_utf8_text(notes):
        raise ProtocolError("update notes invalid")
    if min_from is not None and (not isinstance(min_from, str) or not VERSION_RE.fullmatch(min_from)):
        raise ProtocolError("update min_from_version invalid")
    return UpdateManifest(version, sha256, size, notes, min_from)


def parse_status_update(raw: Any) -> StatusUpdate:
    if not isinstance(raw, dict):
        raise ProtocolError("status update is not an object")
    record_id, status, at = raw.get("record_id"), raw.get("status"), raw.get("at")
    if not isinstance(record_id, str) or not _ID_RE.fullmatch(record_id):
        raise ProtocolError("status update has no valid record id")
    if not isinstance(status, str) or not _STATUS_RE.match(status):   # later minor versions may add statuses
        raise ProtocolError("status update has no valid status")
    if not isinstance(at, str) or not at:
        raise ProtocolError("status update has no time")
    note = raw.get("note", "")
    certificate = _parse_certificate(raw.get("certificate")) if status == "certificate_issued" else None
    if not is_utf8_text(at, note, *(vars(certificate).values() if certificate else ())):
        raise ProtocolError("status update has text that is not UTF-8")
    return StatusUpdate(record_id, status, at[:40], note[:500] if isinstance(note, str) else "", certificate)


def _parse_certificate(raw: Any) -> Certificate:
    if not isinstance(raw, dict):
        raise ProtocolError("certificate missing")
    text = {k: raw.get(k, "") for k in ("number", "title", "text", "issuer", "holder")}
    if not all(isinstance(v, str) for v in text.values()) or not text["number"] or not text["title"]:
        raise ProtocolError("certificate malformed")
    return Certificate(text["number"], text["title"], text["text"], text["issuer"], text["holder"])


# --- hub side: request validation ----------------------------------------------------------------------------

class RequestError(ValueError):
    """The whole request is malformed (HTTP 400); per-record problems are rejections instead."""


def parse_push_request(data: Any) -> tuple[str, list[WireRecord | ItemResult]]:
    """The station id and, per item in order, a valid record or its rejection."""
    if not isinstance(data, dict):
        raise RequestError("body must be a JSON object")
    station_id = data.get("station_id")
    if not isinstance(station_id, str) or not _ID_RE.fullmatch(station_id):
        raise RequestError("station_id missing or invalid")
    records = data.get("records")
    if not isinstance(records, list):
        raise RequestError("records must be a list")
    if len(records) > MAX_RECORDS_PER_REQUEST:
        raise RequestError(f"at most {MAX_RECORDS_PER_REQUEST} records per request")
    return station_id, [validate_record(raw) for raw in records]


def validate_record(raw: Any) -> WireRecord | ItemResult:
    if not isinstance(raw, dict):
        return ItemResult(None, Status.REJECTED, "record must be an object")
    record_id = raw.get("id")
    if not isinstance(record_id, str) or not _ID_RE.fullmatch(record_id):
        reason = "missing id" if record_id in (None, "") else "invalid id"
        return ItemResult(record_id if isinstance(record_id, str) else None, Status.REJECTED, reason)
    kind = raw.get("kind")
    if not isinstance(kind, str) or not kind:
        return ItemResult(record_id, Status.REJECTED, "missing kind")
    if kind not in KINDS:
        return ItemResult(record_id, Status.REJECTED, "unknown kind")
    payload = raw.get("payload")
    if not isinstance(payload, dict):
        return ItemResult(record_id, Status.REJECTED, "payload must be an object")
    if payload.get("id", record_id) != record_id:
        return ItemResult(record_id, Status.REJECTED, "payload id does not match record id")
    attachments = raw.get("attachments", [])
    if not isinstance(attachments, list) or not all(isinstance(h, str) and SHA256_RE.match(h) for h in attachments):
        return ItemResult(record_id, Status.REJECTED, "invalid attachments")
    return WireRecord(record_id, kind, payload, tuple(attachments))
