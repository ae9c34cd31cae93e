"""Staff page for 预约 slots: the upcoming slots with their seats taken, a form to publish one, and cancel.

The same as `python -m sync.hub add-slot` / `cancel-slot`; times are entered in China time.
"""
from __future__ import annotations

import os
from datetime import datetime

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from kiosk.ids import CST
from sync.hub import staff_pages
from sync.hub.bookings import SLOT_KINDS, Slot, slot_label
from sync.hub.context import hub_of
from sync.hub.staff import _bad_form, _form, staff_only
from sync.hub.staff_pages import e, page
from sync.hub.validation import STATION_ID

KIND_LABELS = {"station_visit": "到站办理", "home_visit": "上门办"}
MAX_CAPACITY = 500
MAX_TEXT = 100


@staff_only
async def slots(request: Request) -> Response:
    hub = hub_of(request)
    upcoming = await run_in_threadpool(hub.store.upcoming_slots, None)
    return HTMLResponse(slots_page(upcoming, hub.form_token()))


@staff_only
async def add_slot(request: Request) -> Response:
    hub = hub_of(request)
    slot = slot_from_form(await _form(request, hub))
    if slot is None:
        return _bad_form()
    await run_in_threadpool(hub.store.add_slot, slot)
    return RedirectResponse("/staff/slots", status_code=303)


@staff_only
async def cancel_slot(request: Request) -> Response:
    hub = hub_of(request)
    if await _form(request, hub) is None:
        return _bad_form()
    if not await run_in_threadpool(hub.store.cancel_slot, request.path_params["slot_id"]):
        return HTMLResponse(staff_pages.message_page("未找到", "没有这个未取消的时段。"), status_code=404)
    return RedirectResponse("/staff/slots", status_code=303)


def slot_from_form(form: dict[str, str] | None) -> Slot | None:
    """A valid slot from the posted fields, or None (the page says the form was incomplete)."""
    if form is None:
        return None
    get = lambda key: form.get(key, "").strip()[:MAX_TEXT]   # noqa: E731
    try:
        start, end = _local(get("start")), _local(get("end"))
        capacity = int(get("capacity") or "1")
    except ValueError:
        return None
    slot = Slot("s-" + os.urandom(6).hex(), get("kind"), get("station_id"), start, end, capacity, get("service"),
                get("department"), get("area"))
    if not STATION_ID.match(slot.station_id) or not 0 < capacity <= MAX_CAPACITY:
        return None
    try:
        slot.check()
    except ValueError:
        return None
    return slot


def _local(text: str) -> datetime:
    moment = datetime.fromisoformat(text)   # <input type="datetime-local">: 2026-12-01T09:00
    return moment if moment.tzinfo else moment.replace(tzinfo=CST)


def slots_page(upcoming: list[tuple[Slot, int]], token: str) -> str:
    rows = "".join(
        f"<tr><td>{e(s.station_id)}</td><td>{e(KIND_LABELS[s.kind])}</td><td>{e(slot_label(s))}</td>"
        f"<td>{e(s.area)}</td><td>{booked}/{s.capacity}</td>"
        + ("<td>已取消</td>" if s.cancelled else
           f'<td><form method="post" action="/staff/slots/{e(s.id)}/cancel">'
           f'<input type="hidden" name="csrf" value="{e(token)}"><button>取消</button></form></td>')
        + "</tr>" for s, booked in upcoming) or '<tr><td colspan="6">尚无时段</td></tr>'
    kinds = "".join(f'<option value="{k}">{KIND_LABELS[k]}</option>' for k in SLOT_KINDS)
    return page(
        "<h1>预约时段</h1><table><thead><tr><th>服务站</th><th>类型</th><th>时间</th><th>上门范围</th>"
        f"<th>已约/名额</th><th></th></tr></thead><tbody>{rows}</tbody></table><h2>发布时段</h2>"
        f'<form method="post" action="/staff/slots"><input type="hidden" name="csrf" value="{e(token)}">'
        '<label>服务站 <input name="station_id" required pattern="[A-Za-z0-9_-]{1,64}"></label> '
        f'<label>类型 <select name="kind">{kinds}</select></label> '
        '<label>开始 <input type="datetime-local" name="start" required></label> '
        '<label>结束 <input type="datetime-local" name="end" required></label> '
        '<label>名额 <input name="capacity" value="1" size="4"></label> '
        '<label>事项 <input name="service"></label> <label>部门 <input name="department"></label> '
        '<label>上门范围 <input name="area"></label> <button>发布</button></form>')
