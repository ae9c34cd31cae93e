"""Staff routes: record list and page, status changes and certificates, terminals and enrollment codes.

Guarded by one staff password over HTTP Basic (any user name). Serve it on loopback or behind TLS: Basic sends
the password in every request. Without a password the staff pages are off, except on an `--open` test hub.
Every form carries a token only these pages know, so another site cannot post with the staff's saved login.
"""
from __future__ import annotations

import base64
import binascii
import hmac
from typing import Awaitable, Callable
from urllib.parse import parse_qs

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse, RedirectResponse, Response

from sync.hub import audit, needs, routing, staff_pages
from sync.hub.context import Hub, hub_of
from sync.hub.middleware import BodyTooLarge, read_body
from sync.hub.store import STAFF_STATUSES, UnknownRecord
from sync.hub.validation import STATION_ID

Handler = Callable[[Request], Awaitable[Response]]
MAX_FORM_BYTES = 64 * 1024
MAX_CODE_TTL_H = 24 * 30
REALM = 'Basic realm="zdb-hub staff", charset="UTF-8"'


def staff_only(handler: Handler) -> Handler:
    async def guarded(request: Request) -> Response:
        refusal = _refusal(request)
        return refusal if refusal is not None else await handler(request)
    guarded.__name__ = handler.__name__
    return guarded


def _refusal(request: Request) -> Response | None:
    config = hub_of(request).config
    if config.staff_password is None:
        if not config.require_auth:
            return None   # --open test hub
        return PlainTextResponse("staff view disabled: start the hub with a staff password "
                                 "(--staff-password-file or ZDB_HUB_STAFF_PASSWORD)", status_code=503)
    if _password_ok(request.headers.get("authorization", ""), config.staff_password):
        return None
    audit.event(audit.STAFF_LOGIN_FAILED, path=request.url.path)
    return PlainTextResponse("staff password required", status_code=401, headers={"WWW-Authenticate": REALM})


def _password_ok(header: str, password: str) -> bool:
    scheme, _, encoded = header.partition(" ")
    if scheme.lower() != "basic":
        return False
    try:
        _, _, given = base64.b64decode(encoded.strip(), validate=True).decode("utf-8").partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return False
    return hmac.compare_digest(given.encode("utf-8"), password.encode("utf-8"))


async def _form(request: Request, hub: Hub) -> dict[str, str] | None:
    """The posted form, or None when it is too large or lacks this hub's form token."""
    try:
        raw = await read_body(request.receive, request.headers, MAX_FORM_BYTES)
        fields = {k: v[0] for k, v in parse_qs(raw.decode("utf-8"), keep_blank_values=True).items()}
    except (BodyTooLarge, UnicodeDecodeError):
        return None
    return fields if hmac.compare_digest(fields.get("csrf", ""), hub.form_token()) else None


def _bad_form() -> Response:
    return HTMLResponse(staff_pages.message_page("无法提交", "表单已过期或不完整，请返回刷新后重试。"), status_code=400)


# --- records -------------------------------------------------------------------------------------------------

@staff_only
async def record_list(request: Request) -> Response:
    records = await run_in_threadpool(hub_of(request).store.list, None, 200)
    return HTMLResponse(staff_pages.record_list(records))


@staff_only
async def records_json(request: Request) -> Response:
    """GET /api/v1/records: the same masked summaries as JSON, for scripts and tests."""
    limit = request.query_params.get("limit", "100")
    if not (limit.isdigit() and 1 <= int(limit) <= 1000):
        return JSONResponse({"error": "limit must be an integer 1..1000"}, status_code=400)
    station_id = request.query_params.get("station_id") or None
    records = await run_in_threadpool(hub_of(request).store.list, station_id, int(limit))
    return JSONResponse({"records": [staff_pages.summary(r) for r in records]})


@staff_only
async def record_page(request: Request) -> Response:
    hub, record_id = hub_of(request), request.path_params["record_id"]
    record = await run_in_threadpool(hub.store.get, record_id)
    if record is None:
        return HTMLResponse(staff_pages.message_page("未找到", "没有这条记录。"), status_code=404)
    history = await run_in_threadpool(hub.store.status_history, record_id)
    return HTMLResponse(staff_pages.record_page(record, history, hub.form_token(), hub.config.issuer))


@staff_only
async def change_status(request: Request) -> Response:
    hub, record_id = hub_of(request), request.path_params["record_id"]
    form = await _form(request, hub)
    if form is None or form.get("status") not in STAFF_STATUSES:
        return _bad_form()
    note = form.get("note", "").strip()
    if form["status"] == "needs_material" and not note:
        return HTMLResponse(staff_pages.message_page("需要说明", "“需补充材料”须写明需要补充什么。"), status_code=400)
    return await _apply(hub, record_id, form["status"], note, None)


@staff_only
async def issue_certificate(request: Request) -> Response:
    hub, record_id = hub_of(request), request.path_params["record_id"]
    form = await _form(request, hub)
    fields = {k: (form or {}).get(k, "").strip() for k in ("number", "title", "text", "issuer")}
    if form is None or not all(fields[k] for k in ("number", "title", "text")):
        return _bad_form()
    record = await run_in_threadpool(hub.store.get, record_id)
    if record is None:
        return HTMLResponse(staff_pages.message_page("未找到", "没有这条记录。"), status_code=404)
    certificate = {"number": fields["number"], "title": fields["title"], "holder": staff_pages.holder(record),
                   "issuer": fields["issuer"] or hub.config.issuer, "text": fields["text"]}
    return await _apply(hub, record_id, "certificate_issued", "", certificate)


@staff_only
async def forward(request: Request) -> Response:
    """转下一级: the form names the level it forwards to, so a second click (or a stale page) cannot skip one."""
    hub, record_id = hub_of(request), request.path_params["record_id"]
    form = await _form(request, hub)
    if form is None or not routing.is_level_status(form.get("to", "")):
        return _bad_form()
    return await _apply(hub, record_id, form["to"], form.get("note", "").strip(), None)


@staff_only
async def dispatch(request: Request) -> Response:
    """派单: the need goes to a department or person, named in the note the station receives."""
    hub, record_id = hub_of(request), request.path_params["record_id"]
    form = await _form(request, hub)
    who, note = ((form or {}).get(k, "").strip() for k in ("assignee", "note"))
    if form is None:
        return _bad_form()
    if not who or len(who) > needs.MAX_ASSIGNEE or len(note) > needs.MAX_NOTE:
        return HTMLResponse(staff_pages.message_page("需要承办人", "派单须写明承办部门或人员（100 字以内）。"),
                            status_code=400)
    return await _apply(hub, record_id, needs.DISPATCHED, needs.step_note(who, note), None)


@staff_only
async def need_step(request: Request) -> Response:
    """处理中 / 已办结: the note keeps naming whoever the need was dispatched to."""
    hub, record_id = hub_of(request), request.path_params["record_id"]
    form = await _form(request, hub)
    if form is None or form.get("status") not in (needs.IN_PROGRESS, needs.DONE):
        return _bad_form()
    note = form.get("note", "").strip()[:needs.MAX_NOTE]
    history = await run_in_threadpool(hub.store.status_history, record_id)
    return await _apply(hub, record_id, form["status"], needs.step_note(needs.assignee(history), note), None)


NEED_REFUSALS = {"not_a_need": "这条记录不是有求必应诉求。", "finished": "这条诉求已办结，不能再改。",
                 "not_dispatched": "请先派单，再标记处理中或已办结。"}
ROUTE_REFUSALS = {"no_route": "这条记录不是证明申请，没有流转路线。", "finished": "这条记录已办结，不能再转。",
                  "at_end": "已在最后一级，不能再转。", "out_of_order": "只能按 村→镇→区 逐级转，不能跳级或退回。请刷新页面。"}


async def _apply(hub: Hub, record_id: str, status: str, note: str, certificate: dict | None) -> Response:
    try:
        await run_in_threadpool(hub.store.set_status, record_id, status, note, certificate)
    except UnknownRecord:
        return HTMLResponse(staff_pages.message_page("未找到", "没有这条记录。"), status_code=404)
    except routing.RouteRefused as refused:
        audit.event(audit.FORWARD_REFUSED, record=record_id, reason=refused.reason)
        return HTMLResponse(staff_pages.message_page("不能转交", ROUTE_REFUSALS[refused.reason]), status_code=409)
    except needs.NeedStepRefused as refused:
        audit.event(audit.NEED_STEP_REFUSED, record=record_id, reason=refused.reason)
        return HTMLResponse(staff_pages.message_page("不能更改", NEED_REFUSALS[refused.reason]), status_code=409)
    if status == needs.DISPATCHED:
        audit.event(audit.NEED_DISPATCHED, record=record_id)   # never the assignee: a person's name
    audit.event(audit.STATUS_CHANGED, record=record_id, status=status)
    return RedirectResponse(f"/staff/records/{record_id}", status_code=303)


# --- terminals -----------------------------------------------------------------------------------------------

@staff_only
async def terminals(request: Request) -> Response:
    hub = hub_of(request)
    return HTMLResponse(staff_pages.terminals_page(await run_in_threadpool(hub.store.terminals), hub.form_token()))


@staff_only
async def issue_code(request: Request) -> Response:
    hub = hub_of(request)
    form = await _form(request, hub)
    station_id, ttl = (form or {}).get("station_id", "").strip(), (form or {}).get("ttl_hours", "24").strip()
    if form is None or not STATION_ID.match(station_id) or not ttl.isdigit() or not 1 <= int(ttl) <= MAX_CODE_TTL_H:
        return _bad_form()
    issued = await run_in_threadpool(hub.store.issue_enrollment_code, station_id, int(ttl) * 3600)
    audit.event(audit.CODE_ISSUED, station=station_id)
    return HTMLResponse(staff_pages.code_page(issued.code, issued.station_id, issued.expires_at),
                        headers={"Cache-Control": "no-store"})


@staff_only
async def revoke_terminal(request: Request) -> Response:
    hub, terminal_id = hub_of(request), request.path_params["terminal_id"]
    if await _form(request, hub) is None:
        return _bad_form()
    if not await run_in_threadpool(hub.store.revoke_terminal, terminal_id):
        return HTMLResponse(staff_pages.message_page("未找到", "没有这台终端。"), status_code=404)
    audit.event(audit.TERMINAL_REVOKED, terminal=terminal_id)
    return RedirectResponse("/staff/terminals", status_code=303)
