"""The terminal-facing API of protocol 1.1 (sync/openapi.yaml): health, enroll, records, attachments, streams.

Signatures are checked before these run (`middleware.SignedRequests`); here `terminal_of(request)` is the
enrolled terminal, or None on an `--open` hub. Error bodies are `{"error": code}` and never quote the request.
"""
from __future__ import annotations

import json
from collections import Counter
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from sync.auth import unb64url
from sync.hub import audit
from sync.hub.context import CONTRACT_MAX_ATTACHMENT, hub_of, terminal_of
from sync.hub.cursors import BadCursor, decode_cursor, encode_cursor
from sync.hub.middleware import BodyTooLarge, read_body
from sync import encodings
from sync.hub.paths import PROTOCOL_VERSION, STREAMS
from sync.hub.store import BUNDLE_KINDS, EnrollmentRefused, Page, UploadRefused
from sync.hub.validation import SHA256_HEX, STATION_ID, BadEncoding, decode_body, parse_records_request
from sync.hub.validation import BodyTooLarge as InflatedTooLarge
from sync.protocol import SERVICE_NAME, PushReply, RequestError

HUB_VERSION = "0.2.0"
MAX_ENROLL_BODY = 16 * 1024
DEFAULT_PAGE, MAX_PAGE = 100, 500


def error(status: int, code: str, **extra: Any) -> JSONResponse:
    return JSONResponse({"error": code, **extra}, status_code=status)


async def health(request: Request) -> Response:
    return JSONResponse({"ok": True, "service": SERVICE_NAME, "version": HUB_VERSION,
                         "protocol": PROTOCOL_VERSION, "api": 1, "encodings": list(encodings.SUPPORTED)})


# --- enrollment ----------------------------------------------------------------------------------------------

async def enroll(request: Request) -> Response:
    hub = hub_of(request)
    try:
        data = json.loads((await read_body(request.receive, request.headers, MAX_ENROLL_BODY)).decode("utf-8"))
    except BodyTooLarge:
        return error(413, "too_large")
    except (UnicodeDecodeError, ValueError):
        return error(400, "body is not JSON")
    fields = _enroll_fields(data)
    if isinstance(fields, Response):
        return fields
    station_id, code, public_key = fields
    try:
        terminal = await run_in_threadpool(hub.store.enroll, station_id, code, public_key)
    except EnrollmentRefused as refused:
        audit.event(audit.ENROLLMENT_REFUSED, station=station_id, reason=refused.reason)
        return error(403, refused.reason)
    audit.event(audit.TERMINAL_ENROLLED, station=station_id, terminal=terminal.id)
    return JSONResponse({"terminal_id": terminal.id, "hub_public_key": hub.keys.public_b64(),
                         "station_id": terminal.station_id})


def _enroll_fields(data: Any) -> tuple[str, str, str] | Response:
    if not isinstance(data, dict) or not all(isinstance(data.get(k), str) for k in ("station_id", "code",
                                                                                    "public_key")):
        return error(400, "station_id, code and public_key are required strings")
    if not STATION_ID.match(data["station_id"]) or len(data["code"]) > 64:
        return error(400, "station_id or code malformed")
    try:
        key_ok = len(unb64url(data["public_key"])) == 32
    except ValueError:
        key_ok = False
    if not key_ok:
        return error(400, "bad_public_key")
    return data["station_id"], data["code"], data["public_key"]


# --- records -------------------------------------------------------------------------------------------------

async def post_records(request: Request) -> Response:
    hub = hub_of(request)
    try:
        body = await read_body(request.receive, request.headers, hub.config.max_body_bytes)
        raw = decode_body(body, request.headers.get("content-encoding", ""), hub.config.max_inflated_bytes)
        station_id, items = parse_records_request(raw)
    except (BodyTooLarge, InflatedTooLarge):
        return error(413, "too_large")
    except BadEncoding as bad:
        return error(bad.status, str(bad))
    except RequestError as bad:
        return error(400, str(bad))
    terminal = terminal_of(request)
    if terminal is not None and terminal.station_id != station_id:
        return error(403, "wrong_station")
    results = await run_in_threadpool(hub.store.ingest, station_id, items, terminal.id if terminal else None)
    counts = Counter(r.status.value for r in results)
    audit.event(audit.RECORDS_RECEIVED, station=station_id, terminal=terminal.id if terminal else "-", **counts)
    return JSONResponse(PushReply(tuple(results)).to_json())


# --- attachments ---------------------------------------------------------------------------------------------

async def head_attachment(request: Request) -> Response:
    sha256 = request.path_params["sha256"]
    if not SHA256_HEX.match(sha256):
        return error(400, "bad_hash")
    state = await run_in_threadpool(hub_of(request).store.attachment_state, sha256)
    return Response(status_code=200, headers={"X-ZDB-Received": str(state.received),
                                              "X-ZDB-Complete": "true" if state.complete else "false"})


async def put_attachment(request: Request) -> Response:
    hub, sha256 = hub_of(request), request.path_params["sha256"]
    if not SHA256_HEX.match(sha256):
        return error(400, "bad_hash")
    offset, total = _int(request.query_params.get("offset")), _int(request.query_params.get("total"))
    if offset is None or total is None or offset < 0 or total < 1:
        return error(400, "offset and total are required: offset >= 0, total >= 1")
    if total > min(hub.config.max_attachment_bytes, CONTRACT_MAX_ATTACHMENT):
        return error(413, "too_large")
    try:
        body = await read_body(request.receive, request.headers, hub.config.max_body_bytes)
    except BodyTooLarge:
        return error(413, "too_large")
    terminal = terminal_of(request)
    try:
        outcome = await run_in_threadpool(hub.store.put_chunk, sha256, offset, total, body,
                                          terminal.id if terminal else None)
    except UploadRefused as refused:
        status = 409 if refused.reason == "offset_mismatch" else 400
        return error(status, refused.reason, received=refused.received)
    if outcome.hash_mismatch:
        audit.event(audit.ATTACHMENT_DISCARDED, terminal=terminal.id if terminal else "-")
        return error(422, "hash_mismatch", received=0)
    return JSONResponse({"received": outcome.state.received, "complete": outcome.state.complete})


def _int(text: str | None) -> int | None:
    return int(text) if text is not None and text.isascii() and text.isdigit() and len(text) < 16 else None


# --- streams -------------------------------------------------------------------------------------------------

async def get_stream(request: Request) -> Response:
    stream = request.path_params["stream"]
    if stream not in STREAMS:
        return error(404, "unknown_stream")
    try:
        after = decode_cursor(request.query_params.get("cursor"))
    except BadCursor:
        return error(400, "bad_cursor")
    limit = _int(request.query_params.get("limit", str(DEFAULT_PAGE)))
    if limit is None or not 1 <= limit <= MAX_PAGE:
        return error(400, f"limit must be 1..{MAX_PAGE}")
    terminal = terminal_of(request)
    # An --open hub has no terminal to take the station from; tests name it in the query instead.
    station_id = terminal.station_id if terminal else request.query_params.get("station_id")
    if stream == "status" and not station_id:
        return error(400, "station_id required")
    page = await run_in_threadpool(_page, hub_of(request).store, stream, station_id, after, limit)
    return JSONResponse({"items": page.items, "next_cursor": encode_cursor(page.last_seq), "more": page.more})


def _page(store, stream: str, station_id: str | None, after: int, limit: int) -> Page:
    if stream == "status":
        return store.status_page(station_id, after, limit)
    if stream in BUNDLE_KINDS:
        return store.bundle_page(stream, after)
    return store.feed_page(stream, station_id, after, limit)
