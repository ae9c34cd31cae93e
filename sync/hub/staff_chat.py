"""Staff pages for live chat (在线咨询): the on-duty toggle, open chats longest-waiting first, one chat to read,
reply to and close. Same look, password and form token as the other staff pages; no JavaScript.

The list reloads itself every few seconds; loading it (or a chat) is what tells kiosks someone is there (see
sync/hub/chat.py). A chat page shows the transcript in a frame that reloads on its own, so a reply being typed
below it is never lost to a reload.
"""
from __future__ import annotations

from datetime import datetime

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from sync.chat_protocol import (ANSWERED, CLOSED_KIOSK, CLOSED_STAFF, EXPIRED, MAX_TEXT, STAFF, WAITING,
                                ChatMessage, clean_text)
from sync.hub import audit, staff_pages
from sync.hub.chat import Chat, ChatRefused, Duty
from sync.hub.chat_api import runtime
from sync.hub.context import hub_of
from sync.hub.paths import STAFF_PREFIX
from sync.hub.staff import _bad_form, _form, staff_only
from sync.hub.staff_pages import e, local_time, message_page

CHATS = STAFF_PREFIX + "/chats"
LIST_REFRESH_S = 10
TRANSCRIPT_REFRESH_S = 4
STATE_LABELS = {WAITING: "等待回复", ANSWERED: "已回复", CLOSED_STAFF: "工作人员已结束", CLOSED_KIOSK: "群众已结束",
                EXPIRED: "终端已断开"}
QUICK_REPLIES = ("您好，我是政务服务中心工作人员，请问有什么可以帮您？", "请稍等，我帮您查一下。",
                 "这个事项可以在自助机上办理，请回到首页搜索事项名称。", "还有其他问题吗？没有的话我先结束对话了。")
REFUSALS = {"chat_closed": "这个对话已经结束，不能再回复。", "chat_full": "这个对话的消息已达上限，请结束后请群众重新发起。",
            "unknown_chat": "没有这个对话。"}


def routes() -> list[Route]:
    return [
        Route(CHATS, chat_list, methods=["GET"]),
        Route(CHATS + "/duty", set_duty, methods=["POST"]),
        Route(CHATS + "/{chat_id}", chat_page, methods=["GET"]),
        Route(CHATS + "/{chat_id}/messages", transcript, methods=["GET"]),
        Route(CHATS + "/{chat_id}/reply", reply, methods=["POST"]),
        Route(CHATS + "/{chat_id}/close", close, methods=["POST"]),
    ]


@staff_only
async def chat_list(request: Request) -> Response:
    hub = hub_of(request)
    duty = await run_in_threadpool(hub.store.duty, True)
    open_chats = await run_in_threadpool(hub.store.chats, True)
    closed = await run_in_threadpool(hub.store.chats, False, 20)
    return HTMLResponse(list_page(duty, open_chats, closed, hub.clock(), hub.form_token()))


@staff_only
async def set_duty(request: Request) -> Response:
    hub = hub_of(request)
    form = await _form(request, hub)
    if form is None or form.get("on") not in ("0", "1"):
        return _bad_form()
    await run_in_threadpool(hub.store.set_duty, form["on"] == "1")
    audit.event(audit.CHAT_DUTY, on=form["on"])
    return RedirectResponse(CHATS, status_code=303)


@staff_only
async def chat_page(request: Request) -> Response:
    hub = hub_of(request)
    chat = await run_in_threadpool(hub.store.chat, request.path_params["chat_id"])
    if chat is None:
        return HTMLResponse(message_page("未找到", REFUSALS["unknown_chat"]), status_code=404)
    await run_in_threadpool(hub.store.duty, True)
    return HTMLResponse(chat_html(chat, hub.clock(), hub.form_token()))


@staff_only
async def transcript(request: Request) -> Response:
    hub = hub_of(request)
    chat = await run_in_threadpool(hub.store.chat, request.path_params["chat_id"])
    if chat is None:
        return HTMLResponse(message_page("未找到", REFUSALS["unknown_chat"]), status_code=404)
    messages = await run_in_threadpool(hub.store.chat_messages, chat.id)
    await run_in_threadpool(hub.store.duty, True)
    return HTMLResponse(transcript_html(chat, messages))


@staff_only
async def reply(request: Request) -> Response:
    hub, chat_id = hub_of(request), request.path_params["chat_id"]
    form = await _form(request, hub)
    if form is None:
        return _bad_form()
    text = clean_text(form.get("text", ""))
    if text is None:
        return HTMLResponse(message_page("无法发送", f"回复须为 1 到 {MAX_TEXT} 个字，不能含控制字符。请返回修改。"),
                            status_code=400)
    try:
        await run_in_threadpool(hub.store.post_message, chat_id, STAFF, text)
    except ChatRefused as refused:
        return HTMLResponse(message_page("无法发送", REFUSALS[refused.reason]),
                            status_code=404 if refused.reason == "unknown_chat" else 409)
    runtime(request).wakeups.notify()
    return RedirectResponse(f"{CHATS}/{chat_id}", status_code=303)


@staff_only
async def close(request: Request) -> Response:
    hub, chat_id = hub_of(request), request.path_params["chat_id"]
    if await _form(request, hub) is None:
        return _bad_form()
    try:
        chat = await run_in_threadpool(hub.store.close_chat, chat_id, CLOSED_STAFF)
    except ChatRefused:
        return HTMLResponse(message_page("未找到", REFUSALS["unknown_chat"]), status_code=404)
    runtime(request).wakeups.notify()
    audit.event(audit.CHAT_CLOSED, by="staff", state=chat.state)
    return RedirectResponse(CHATS, status_code=303)


# --- HTML ----------------------------------------------------------------------------------------------------

def _refreshing(html: str, seconds: int) -> str:
    return html.replace('<meta charset="utf-8">', f'<meta charset="utf-8"><meta http-equiv="refresh" '
                                                  f'content="{seconds}">', 1)


def waited(chat: Chat, now: datetime) -> str:
    """How long the resident has waited for an answer, as staff read it: "3分05秒"."""
    if chat.waiting_since is None:
        return "—"
    seconds = max(0, int((now - chat.waiting_since).total_seconds()))
    return f"{seconds // 60}分{seconds % 60:02d}秒"


def _duty_form(duty: Duty, now: datetime, token: str) -> str:
    on = duty.on_duty
    state = ("<b>值班中</b>：自助机会向群众提供“人工咨询”。离开时请点“下班”。" if on else
             "<b>未值班</b>：自助机不提供人工咨询，群众可留下回电请求。")
    return (f"<p>{state}</p><form method=\"post\" action=\"{CHATS}/duty\">"
            f'<input type="hidden" name="csrf" value="{e(token)}"><input type="hidden" name="on" '
            f'value="{"0" if on else "1"}"><button>{"下班（停止接入）" if on else "上班（开始接入）"}</button></form>')


def list_page(duty: Duty, open_chats: list[Chat], closed: list[Chat], now: datetime, token: str) -> str:
    rows = "".join(
        f'<tr><td><a href="{CHATS}/{e(c.id)}">{e(c.station_id)}</a></td><td>{e(STATE_LABELS[c.state])}</td>'
        f"<td>{e(waited(c, now))}</td><td>{c.last_n}</td><td>{e(local_time(c.opened_at.isoformat()))}</td>"
        f"<td>{'English' if c.lang == 'en' else '中文'}</td></tr>" for c in open_chats
    ) or '<tr><td colspan="6">暂无进行中的咨询</td></tr>'
    done = "".join(
        f'<tr><td><a href="{CHATS}/{e(c.id)}">{e(c.station_id)}</a></td><td>{e(STATE_LABELS[c.state])}</td>'
        f"<td>{c.last_n}</td><td>{e(local_time(c.closed_at.isoformat() if c.closed_at else ''))}</td></tr>"
        for c in closed) or '<tr><td colspan="4">无</td></tr>'
    body = (f"<h1>在线咨询</h1>{_duty_form(duty, now, token)}"
            f"<h2>进行中（{len(open_chats)}，等待最久的在前；每 {LIST_REFRESH_S} 秒刷新）</h2>"
            "<table><thead><tr><th>服务站</th><th>状态</th><th>已等待</th><th>消息数</th><th>开始时间</th><th>语言</th>"
            f"</tr></thead><tbody>{rows}</tbody></table>"
            "<h2>最近结束</h2><table><thead><tr><th>服务站</th><th>结果</th><th>消息数</th><th>结束时间</th></tr></thead>"
            f"<tbody>{done}</tbody></table>")
    return _refreshing(staff_pages.page(body), LIST_REFRESH_S)


def chat_html(chat: Chat, now: datetime, token: str) -> str:
    facts = staff_pages._table([("服务站", chat.station_id), ("终端", chat.terminal_id or "—"),
                                ("状态", STATE_LABELS[chat.state]), ("已等待", waited(chat, now)),
                                ("开始时间", local_time(chat.opened_at.isoformat())),
                                ("群众使用的语言", "English" if chat.lang == "en" else "中文")])
    frame = (f'<iframe title="对话记录" src="{CHATS}/{e(chat.id)}/messages#end" '
             'style="width:100%;height:24em;border:1px solid #ccc"></iframe>')
    if not chat.open:
        return staff_pages.page(f"<h1>在线咨询 · {e(chat.station_id)}</h1>{facts}{frame}"
                                f'<p>对话已结束。<a href="{CHATS}">返回列表</a></p>')
    action, hidden = f"{CHATS}/{e(chat.id)}", f'<input type="hidden" name="csrf" value="{e(token)}">'
    quick = "".join(f'<form method="post" action="{action}/reply" style="display:inline">{hidden}'
                    f'<input type="hidden" name="text" value="{e(q)}"><button>{e(q)}</button></form> '
                    for q in QUICK_REPLIES)
    return staff_pages.page(
        f"<h1>在线咨询 · {e(chat.station_id)}</h1>{facts}{frame}"
        f'<form method="post" action="{action}/reply">{hidden}<label>回复 <input name="text" required '
        f'maxlength="{MAX_TEXT}" size="80" autofocus></label> <button>发送</button></form>'
        f"<p>常用语：{quick}</p>"
        f'<form method="post" action="{action}/close">{hidden}<button>结束对话</button></form>'
        f'<p><a href="{CHATS}">返回列表</a></p>')


def transcript_html(chat: Chat, messages: list[ChatMessage]) -> str:
    turns = "".join(
        f'<p class="{e(m.sender)}"><b>{"工作人员" if m.sender == STAFF else "群众"}</b> '
        f"<small>{e(local_time(m.at))}</small><br>{e(m.text)}</p>" for m in messages) or "<p>尚无消息</p>"
    ending = "" if chat.open else f"<p><b>{e(STATE_LABELS[chat.state])}</b></p>"
    html = ('<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>对话记录</title><style>'
            "body{font-family:sans-serif;margin:.5em} p{margin:.4em 0;padding:.3em .6em;border-radius:6px;"
            "white-space:pre-wrap} .resident{background:#eef} .staff{background:#efe}</style></head><body>"
            f'{turns}{ending}<a id="end"></a></body></html>\n')
    return _refreshing(html, TRANSCRIPT_REFRESH_S) if chat.open else html
