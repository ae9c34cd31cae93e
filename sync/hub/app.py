"""The reference hub's HTTP API (v1) and its staff page, as a Starlette app.

Listing endpoints show summaries with the ID number masked: the full record (personal data) stays in the
hub database until staff access with authentication exists (a later milestone).
"""
from __future__ import annotations

import html
import json
from datetime import datetime, timedelta, timezone
from typing import Any

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from kiosk.records import Identity
from sync.hub.store import HubStore, StoredRecord
from sync.protocol import HEALTH_PATH, RECORDS_PATH, SERVICE_NAME, PushReply, RequestError, parse_push_request

HUB_VERSION = "0.1.0"
DEFAULT_MAX_BODY = 4 * 1024 * 1024    # a full batch of applications is a few hundred KB
CST = timezone(timedelta(hours=8))     # staff read times in local (China Standard) time


class BodyTooLarge(Exception):
    pass


def create_app(store: HubStore, *, max_body_bytes: int = DEFAULT_MAX_BODY) -> Starlette:
    app = Starlette(routes=[
        Route("/", staff_page, methods=["GET"]),
        Route(HEALTH_PATH, health, methods=["GET"]),
        Route(RECORDS_PATH, post_records, methods=["POST"]),
        Route(RECORDS_PATH, list_records, methods=["GET"]),
    ])
    app.state.store = store
    app.state.max_body_bytes = max_body_bytes
    return app


def _error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)


async def health(request: Request) -> Response:
    return JSONResponse({"ok": True, "service": SERVICE_NAME, "version": HUB_VERSION, "api": 1})


async def post_records(request: Request) -> Response:
    try:
        body = await _read_body(request, request.app.state.max_body_bytes)
    except BodyTooLarge:
        return _error(413, "request body too large")
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return _error(400, "body is not JSON")
    try:
        station_id, items = parse_push_request(data)
    except RequestError as exc:
        return _error(400, str(exc))
    results = await run_in_threadpool(request.app.state.store.ingest, station_id, items)
    return JSONResponse(PushReply(tuple(results)).to_json())


async def _read_body(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise BodyTooLarge
    chunks, size = [], 0
    async for chunk in request.stream():   # chunked uploads have no Content-Length to trust
        size += len(chunk)
        if size > limit:
            raise BodyTooLarge
        chunks.append(chunk)
    return b"".join(chunks)


async def list_records(request: Request) -> Response:
    try:
        limit = _limit(request.query_params.get("limit"))
    except ValueError:
        return _error(400, "limit must be an integer 1..1000")
    station_id = request.query_params.get("station_id") or None
    records = await run_in_threadpool(request.app.state.store.list, station_id, limit)
    return JSONResponse({"records": [summary(r) for r in records]})


def _limit(raw: str | None, default: int = 100) -> int:
    value = default if raw is None else int(raw)
    if not 1 <= value <= 1000:
        raise ValueError(raw)
    return value


def summary(record: StoredRecord) -> dict[str, Any]:
    """What staff and tests may see of a record: no name, ID number masked."""
    payload = record.payload
    applicant = payload.get("applicant") if isinstance(payload.get("applicant"), dict) else {}
    return {
        "id": record.id,
        "kind": record.kind,
        "station_id": record.station_id,
        "received_at": record.received_at,
        "receipt_no": _text(payload.get("receipt_no")),
        "item_id": _text(payload.get("item_id")),
        "item_name": _text(payload.get("item_name")),
        "applicant_id_masked": mask_id(applicant.get("id_number")),
        "created_at": _text(payload.get("created_at")),
    }


def mask_id(value: Any) -> str:
    return Identity(source="", name="", id_number=value).masked_id() if isinstance(value, str) and value else ""


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


async def staff_page(request: Request) -> Response:
    records = await run_in_threadpool(request.app.state.store.list, None, 200)
    return HTMLResponse(render_staff_page([summary(r) for r in records]))


def render_staff_page(rows: list[dict[str, Any]]) -> str:
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(cell)}</td>" for cell in (
            row["receipt_no"] or "—", row["item_name"] or _KIND_LABELS.get(row["kind"], row["kind"]),
            row["applicant_id_masked"] or "—", row["station_id"], _local_time(row["received_at"]),
        )) + "</tr>"
        for row in rows
    ) or '<tr><td colspan="5">暂无记录</td></tr>'
    return _PAGE.format(count=len(rows), rows=body)


_KIND_LABELS = {"application": "申请", "rating": "好差评"}


def _local_time(iso: str) -> str:
    try:
        return datetime.fromisoformat(iso).astimezone(CST).strftime("%Y-%m-%d %H:%M:%S")
    except ValueError:
        return iso


_PAGE = """<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta http-equiv="refresh" content="30">
<title>舟到办 · 数据汇聚中心</title>
<style>body{{font-family:sans-serif;margin:2em}} table{{border-collapse:collapse}}
td,th{{border:1px solid #ccc;padding:.3em .8em;text-align:left}} th{{background:#eef}}</style>
</head>
<body><h1>舟到办 · 已接收记录</h1><p>最近 {count} 条（每 30 秒刷新）</p>
<table><thead><tr><th>回执号</th><th>事项</th><th>申请人证件</th><th>服务站</th><th>接收时间</th></tr></thead>
<tbody>{rows}</tbody></table></body></html>
"""
