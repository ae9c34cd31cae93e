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

API_PREFIX = "/api/v1"
HEALTH_PATH = f"{API_PREFIX}/health"
RECORDS_PATH = f"{API_PREFIX}/records"
SERVICE_NAME = "zhoudaoban-hub"
KINDS = frozenset({"application", "rating"})
MAX_RECORDS_PER_REQUEST = 1000
_ID_RE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")   # UUIDv7 today; room for other opaque ids


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

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "kind": self.kind, "payload": self.payload}


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


# --- kiosk side: strict reply parsing ------------------------------------------------------------------------

def decode_json(body: bytes) -> Any:
    try:
        return json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):  # truncated bodies land here too
        raise ProtocolError("reply is not JSON") from None


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
    return ItemResult(raw["id"], status, reason[:200])


def parse_health(body: bytes) -> HubHealth:
    data = decode_json(body)
    if not isinstance(data, dict) or data.get("ok") is not True:
        raise ProtocolError("hub reports not ok")
    if data.get("service") != SERVICE_NAME:
        raise ProtocolError("not a zhoudaoban hub")
    if not isinstance(data.get("version"), str):
        raise ProtocolError("hub version missing")
    extra = {k: v for k, v in data.items() if k not in {"ok", "service", "version"}}
    return HubHealth(True, SERVICE_NAME, data["version"], extra)


# --- hub side: request validation ----------------------------------------------------------------------------

class RequestError(ValueError):
    """The whole request is malformed (HTTP 400); per-record problems are rejections instead."""


def parse_push_request(data: Any) -> tuple[str, list[WireRecord | ItemResult]]:
    """The station id and, per item in order, a valid record or its rejection."""
    if not isinstance(data, dict):
        raise RequestError("body must be a JSON object")
    station_id = data.get("station_id")
    if not isinstance(station_id, str) or not _ID_RE.match(station_id):
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
    if not isinstance(record_id, str) or not _ID_RE.match(record_id):
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
    return WireRecord(record_id, kind, payload)
