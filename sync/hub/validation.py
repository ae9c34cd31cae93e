"""Checking a pushed batch on the hub: protocol.py's request validation plus what only the hub adds.

`sync.protocol.parse_push_request` checks the envelope and every item, so terminal and hub cannot drift. On
top of it the hub accepts the record kinds protocol 1.1 added, checks the optional `attachments` hashes, and
rejects payloads no database could store (NUL characters, lone surrogates) as items, not as a failed batch.
"""
from __future__ import annotations

import json
import re
from typing import Any

from sync import encodings
from sync.hub.store import HubRecord
from sync.protocol import ItemResult, RequestError, Status, WireRecord, parse_push_request, validate_record

# openapi.yaml 1.1, /records requestBody kind enum. protocol.KINDS may still hold only the 1.0 kinds.
CONTRACT_KINDS = frozenset({"application", "rating", "need", "booking", "certificate_request", "consent", "audit",
                            "benefit_claim", "report"})
SHA256_HEX = re.compile(r"^[0-9a-f]{64}$")
STATION_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")   # as protocol.py checks it in a push
MAX_ATTACHMENTS_PER_RECORD = 100


class BodyTooLarge(Exception):
    pass


class BadEncoding(Exception):
    """Content-Encoding the hub does not speak (415) or a body that does not decode with it (400)."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.status = status


def decode_body(body: bytes, content_encoding: str, max_inflated: int) -> bytes:
    """The JSON bytes of a request body, inflated at most to `max_inflated` bytes (zip bombs)."""
    try:
        return encodings.decode(body, content_encoding, max_inflated)
    except encodings.UnsupportedEncoding:
        raise BadEncoding("unsupported content encoding", 415) from None
    except encodings.BadBody as exc:
        raise BadEncoding(str(exc)) from None
    except encodings.InflatesTooFar:
        raise BodyTooLarge from None


def parse_records_request(raw_json: bytes) -> tuple[str, list[HubRecord | ItemResult]]:
    try:
        data = json.loads(raw_json.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise RequestError("body is not JSON") from None
    station_id, checked = parse_push_request(data)
    return station_id, [_hub_rules(raw, item) for raw, item in zip(data["records"], checked)]


def _hub_rules(raw: Any, item: WireRecord | ItemResult) -> HubRecord | ItemResult:
    if isinstance(item, ItemResult):
        item = _newer_kind(raw, item)
        if isinstance(item, ItemResult):
            return item
    attachments = raw.get("attachments", [])
    if not _valid_attachments(attachments):
        return ItemResult(item.id, Status.REJECTED, "invalid attachments")
    if not _storable(item.payload):
        return ItemResult(item.id, Status.REJECTED, "payload has characters that cannot be stored")
    return HubRecord(item.id, item.kind, item.payload, tuple(dict.fromkeys(attachments)))


def _newer_kind(raw: Any, rejected: ItemResult) -> WireRecord | ItemResult:
    """A 1.1 kind that protocol.py's 1.0 list refused: run the same checks with a kind it knows."""
    if rejected.reason != "unknown kind" or raw.get("kind") not in CONTRACT_KINDS:
        return rejected
    checked = validate_record({**raw, "kind": "application"})
    return checked if isinstance(checked, ItemResult) else WireRecord(checked.id, raw["kind"], checked.payload)


def _valid_attachments(value: Any) -> bool:
    return (isinstance(value, list) and len(value) <= MAX_ATTACHMENTS_PER_RECORD
            and all(isinstance(h, str) and SHA256_HEX.match(h) for h in value))


def _storable(value: Any) -> bool:
    """No NUL (PostgreSQL cannot hold it; refused on SQLite too, for one behaviour) and no lone surrogates."""
    if isinstance(value, dict):
        return all(_storable(k) and _storable(v) for k, v in value.items())
    if isinstance(value, list):
        return all(_storable(v) for v in value)
    if isinstance(value, str):
        if "\x00" in value:
            return False
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return False
    return True
