"""HTML of the staff pages: server-rendered, every value escaped, no JavaScript.

Lists show masked identity only; the record page shows the applicant masked too, plus the answers staff need
to process the request. Times are shown in China Standard Time.
"""
from __future__ import annotations

import html
from datetime import datetime
from typing import Any, Iterable

from kiosk.ids import CST
from kiosk.records import Identity
from sync.hub import needs, routing
from sync.hub.store import STAFF_STATUSES, StatusUpdate, StoredRecord, Terminal

STATUS_LABELS = {"received": "已接收", "accepted": "已受理", "needs_material": "需补充材料", "done": "已办结",
                 "rejected": "不予受理", "certificate_issued": "已出证", "at_town": "已转镇审核",
                 "at_district": "已转区部门审核", "dispatched": "已派单", "in_progress": "处理中",
                 "booking_confirmed": "预约已确认", "booking_conflict": "预约冲突"}
KIND_LABELS = {"application": "申请", "rating": "好差评", "need": "诉求", "booking": "预约",
               "certificate_request": "证明申请", "consent": "授权", "audit": "审计", "benefit_claim": "免申即享",
               "report": "办不成事"}

_HEAD = """<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8">{refresh}<title>舟到办 · 数据汇聚中心</title>
<style>body{{font-family:sans-serif;margin:2em}} table{{border-collapse:collapse;margin:.5em 0}}
td,th{{border:1px solid #ccc;padding:.3em .8em;text-align:left}} th{{background:#eef}}
form{{margin:.8em 0}} .code{{font-size:2em;font-family:monospace}}</style></head><body>
<p><a href="/">记录</a> · <a href="/staff/terminals">终端</a> · <a href="/staff/slots">预约时段</a> · <a href="/staff/chats">在线咨询</a>
 · <a href="/staff/dashboard">好差评看板</a></p>"""
_TAIL = "</body></html>\n"


def e(value: Any) -> str:
    return html.escape("" if value is None else str(value))


def page(body: str, *, refresh: bool = False) -> str:
    return _HEAD.format(refresh='<meta http-equiv="refresh" content="30">' if refresh else "") + body + _TAIL


def summary(record: StoredRecord) -> dict[str, Any]:
    """What a list may show of a record: no name, ID number masked."""
    payload = record.payload
    return {
        "id": record.id, "kind": record.kind, "station_id": record.station_id,
        "received_at": record.received_at, "status": record.status,
        "receipt_no": _text(payload.get("receipt_no")), "item_id": _text(payload.get("item_id")),
        "item_name": _text(payload.get("item_name")),
        "applicant_id_masked": mask_id(_applicant(payload).get("id_number")),
        "created_at": _text(payload.get("created_at")), "filed_by": filed_by_text(payload),
    }


def mask_id(value: Any) -> str:
    return Identity(source="", name="", id_number=value).masked_id() if isinstance(value, str) and value else ""


def mask_name(value: Any) -> str:
    return Identity(source="", name=value, id_number="").masked_name() if isinstance(value, str) else ""


def holder(record: StoredRecord) -> str:
    """The certificate holder as the terminal may print it: masked name and ID."""
    applicant = _applicant(record.payload)
    return " ".join(filter(None, (mask_name(applicant.get("name")), mask_id(applicant.get("id_number")))))


def record_list(records: Iterable[StoredRecord]) -> str:
    rows = [summary(r) for r in records]
    body = "".join(
        f'<tr><td><a href="/staff/records/{e(row["id"])}">{e(row["receipt_no"] or "—")}</a></td>'
        + "".join(f"<td>{e(cell)}</td>" for cell in (
            row["item_name"] or KIND_LABELS.get(row["kind"], row["kind"]), row["applicant_id_masked"] or "—",
            row["filed_by"], row["station_id"], local_time(row["received_at"]),
            STATUS_LABELS.get(row["status"], row["status"])))
        + "</tr>" for row in rows
    ) or '<tr><td colspan="7">暂无记录</td></tr>'
    return page(f"<h1>舟到办 · 已接收记录</h1><p>最近 {len(rows)} 条（每 30 秒刷新）</p><table><thead><tr>"
                "<th>回执号</th><th>事项</th><th>申请人证件</th><th>经办</th><th>服务站</th><th>接收时间</th>"
                "<th>状态</th>"
                f"</tr></thead><tbody>{body}</tbody></table>", refresh=True)


def record_page(record: StoredRecord, history: list[StatusUpdate], token: str, issuer: str) -> str:
    if record.kind == needs.KIND:
        return need_page(record, history, token)
    if record.kind == "benefit_claim":   # 免申即享 (here: that module builds on this one's helpers)
        from sync.hub.benefit_pages import claim_page
        return claim_page(record, history, token)
    if record.kind in ("rating", "report"):   # 好差评 and 办不成事 (sync/hub/staff_dashboard.py)
        from sync.hub.staff_dashboard import feedback_page
        return feedback_page(record, history, token)
    s, applicant = summary(record), _applicant(record.payload)
    facts = [("回执号", s["receipt_no"]), ("事项", s["item_name"] or KIND_LABELS.get(record.kind, record.kind)),
             ("申请人", mask_name(applicant.get("name"))), ("证件号", s["applicant_id_masked"]),
             ("服务站", record.station_id), ("终端", record.terminal_id or "—"),
             ("经办", filed_by_text(record.payload)), ("群众同意", consent_text(record.payload)),
             ("容缺受理", deferred_text(record.payload)),
             ("接收时间", local_time(record.received_at)), ("状态", STATUS_LABELS.get(record.status, record.status)),
             ("说明", record.status_note)]
    answers = record.payload.get("answers") if isinstance(record.payload.get("answers"), dict) else {}
    return page(
        f"<h1>记录 {e(s['receipt_no'] or record.id)}</h1>{_table(facts)}"
        f"<h2>填报内容</h2>{_table(sorted(answers.items())) if answers else '<p>无</p>'}"
        + _bundle_items(record.payload) +
        f"<h2>附件</h2><p>{e(', '.join(record.attachments) or '无')}</p>"
        f"<h2>办理记录</h2>{_history(history)}"
        + _route(record, history, token) + _status_form(record.id, token) + _certificate_form(record.id, token, issuer))


def need_page(record: StoredRecord, history: list[StatusUpdate], token: str) -> str:
    """有求必应: what the resident needs and how to reach them (staff call back), then 派单 and the next steps."""
    s, payload = summary(record), record.payload
    who = mask_name(_applicant(payload).get("name"))
    facts = [("编号", s["receipt_no"]), ("类别", _text(payload.get("category"))),
             ("诉求内容", _text(payload.get("description"))), ("联系电话", _text(payload.get("contact"))),
             ("地点", _text(payload.get("location"))), ("群众", " ".join(filter(None, (who, s["applicant_id_masked"])))
                                                      or "未核验身份"),
             ("服务站", record.station_id), ("经办", filed_by_text(payload)),
             ("接收时间", local_time(record.received_at)), ("状态", STATUS_LABELS.get(record.status, record.status)),
             ("承办", needs.assignee(history) or "—")]
    return page(f"<h1>有求必应 {e(s['receipt_no'] or record.id)}</h1>{_table(facts)}"
                f"<h2>办理记录</h2>{_history(history)}" + _need_forms(record, token))


def _need_forms(record: StoredRecord, token: str) -> str:
    if record.status in needs.FINISHED:
        return ""
    action = f"/staff/records/{e(record.id)}"
    out = (f'<h2>派单</h2><form method="post" action="{action}/dispatch">'
           f'<input type="hidden" name="csrf" value="{e(token)}">'
           f'<label>承办部门或人员 <input name="assignee" required maxlength="{needs.MAX_ASSIGNEE}" size="40"></label> '
           f'<label>说明 <input name="note" maxlength="{needs.MAX_NOTE}" size="40"></label> <button>派单</button></form>')
    if record.status not in (needs.DISPATCHED, needs.IN_PROGRESS):
        return out
    options = "".join(f'<option value="{v}">{e(STATUS_LABELS[v])}</option>' for v in (needs.IN_PROGRESS, needs.DONE))
    return out + (f'<h2>办理进度</h2><form method="post" action="{action}/need_step">'
                  f'<input type="hidden" name="csrf" value="{e(token)}"><select name="status">{options}</select> '
                  f'<label>说明 <input name="note" maxlength="{needs.MAX_NOTE}" size="40"></label> <button>保存</button>'
                  '</form>')


def _route(record: StoredRecord, history: list[StatusUpdate], token: str) -> str:
    """证明直通车: the route with the level that has the request, and 转下一级 while there is one."""
    route = routing.route_of(record.payload)
    if not route:
        return ""
    statuses = [u.status for u in history]
    here = routing.current_level(statuses)
    steps = " → ".join(f"<b>{e(routing.LEVEL_LABELS[level])}（当前）</b>" if level == here
                       else e(routing.LEVEL_LABELS[level]) for level in route)
    purpose = _text(record.payload.get("purpose"))
    out = f"<h2>流转</h2><p>{steps}</p>" + (f"<p>证明用途：{e(purpose)}</p>" if purpose else "")
    following = routing.next_status(record.payload, record.status, statuses)
    if following is None:
        return out
    level = next(k for k, v in routing.LEVEL_STATUSES.items() if v == following)
    return out + (f'<form method="post" action="/staff/records/{e(record.id)}/forward">'
                  f'<input type="hidden" name="csrf" value="{e(token)}"><input type="hidden" name="to" '
                  f'value="{e(following)}"><label>说明 <input name="note" size="60" maxlength="500"></label> '
                  f'<button>转下一级（{e(routing.LEVEL_LABELS[level])}）</button></form>')


CONSENT_METHODS = {"signature": "手写签名", "zlb_code": "浙里办码确认"}


def filed_by_text(payload: dict[str, Any]) -> str:
    """Who filed it: a proxy agent (帮办代办) or the resident at the kiosk (no `filed_by`)."""
    filed_by = payload.get("filed_by")
    if not isinstance(filed_by, dict) or not filed_by.get("agent_id"):
        return "本人自助"
    return f"帮办员 {_text(filed_by.get('agent_id'))} 代办"


def deferred_text(payload: dict[str, Any]) -> str:
    """容缺受理: the materials still owed and the deadline the resident signed for; "否" when all were there."""
    deferred = payload.get("deferred")
    if not isinstance(deferred, dict):
        return "否"
    materials = deferred.get("materials") if isinstance(deferred.get("materials"), list) else []
    owed = "、".join(_text(m) for m in materials)
    method = CONSENT_METHODS.get(deferred.get("method"), "")
    return (f"待补材料：{owed}；补交期限 {_text(deferred.get('deadline'))}"
            + (f"；告知承诺书（{method}）" if method else "；告知承诺书已签"))


def _bundle_items(payload: dict[str, Any]) -> str:
    """一件事: each item of the bundle with its answers (the shared ones repeated, as each department needs)."""
    items = payload.get("items")
    if not payload.get("bundle_id") or not isinstance(items, list):
        return ""
    blocks = []
    for n, item in enumerate(i for i in items if isinstance(i, dict)):
        answers = item.get("answers") if isinstance(item.get("answers"), dict) else {}
        blocks.append(f"<h3>{n + 1}. {e(_text(item.get('item_name')) or _text(item.get('item_id')))}</h3>"
                      + (_table(sorted(answers.items())) if answers else "<p>无</p>"))
    return f"<h2>一件事 · 包含 {len(blocks)} 个事项</h2>" + "".join(blocks)


def consent_text(payload: dict[str, Any]) -> str:
    consent = payload.get("consent")
    if not isinstance(consent, dict):
        return "—" if isinstance(payload.get("filed_by"), dict) else "本人办理"
    method = CONSENT_METHODS.get(consent.get("method"), _text(consent.get("method")))
    return f"{method}，{local_time(_text(consent.get('at')))}"


def _status_form(record_id: str, token: str) -> str:
    options = "".join(f'<option value="{e(v)}">{e(STATUS_LABELS[v])}</option>' for v in STAFF_STATUSES)
    return (f'<h2>更改状态</h2><form method="post" action="/staff/records/{e(record_id)}/status">'
            f'<input type="hidden" name="csrf" value="{e(token)}"><select name="status">{options}</select> '
            '<label>说明（需补充材料时必填）<input name="note" size="60" maxlength="500"></label> <button>保存</button></form>')


def _certificate_form(record_id: str, token: str, issuer: str) -> str:
    return (f'<h2>出具证明</h2><form method="post" action="/staff/records/{e(record_id)}/certificate">'
            f'<input type="hidden" name="csrf" value="{e(token)}">'
            '<p><label>证明编号 <input name="number" required></label></p>'
            '<p><label>标题 <input name="title" required size="40"></label></p>'
            f'<p><label>出具单位 <input name="issuer" value="{e(issuer)}" size="40"></label></p>'
            '<p><label>正文<br><textarea name="text" rows="6" cols="70" required></textarea></label></p>'
            '<button>出具并发送到终端</button></form>')


def _history(history: list[StatusUpdate]) -> str:
    if not history:
        return "<p>尚无</p>"
    return _table([(local_time(u.at.isoformat()), STATUS_LABELS.get(u.status, u.status)
                    + (f"：{u.note}" if u.note else "")
                    + (f"（证明 {u.certificate.get('number', '')}）" if u.certificate else "")) for u in history])


def terminals_page(terminals: list[Terminal], token: str) -> str:
    rows = "".join(
        f"<tr><td>{e(t.station_id)}</td><td>{e(t.id)}</td><td>{e(local_time(t.enrolled_at.isoformat()))}</td>"
        + (f"<td>已吊销 {e(local_time(t.revoked_at.isoformat()))}</td>" if t.revoked_at else
           f'<td><form method="post" action="/staff/terminals/{e(t.id)}/revoke">'
           f'<input type="hidden" name="csrf" value="{e(token)}"><button>吊销</button></form></td>')
        + "</tr>" for t in terminals) or '<tr><td colspan="4">尚无终端</td></tr>'
    return page(
        "<h1>终端</h1><table><thead><tr><th>服务站</th><th>终端</th><th>登记时间</th><th></th></tr></thead>"
        f"<tbody>{rows}</tbody></table><h2>发放登记码</h2>"
        f'<form method="post" action="/staff/terminals/codes"><input type="hidden" name="csrf" value="{e(token)}">'
        '<label>服务站 <input name="station_id" required pattern="[A-Za-z0-9_-]{1,64}"></label> '
        '<label>有效小时 <input name="ttl_hours" value="24" size="4"></label> <button>生成</button></form>')


def code_page(code: str, station_id: str, expires_at: datetime) -> str:
    return page(f"<h1>服务站 {e(station_id)} 的登记码</h1><p class=\"code\">{e(code)}</p>"
                f"<p>仅可使用一次，{e(local_time(expires_at.isoformat()))} 前有效。此页关闭后不再显示。</p>")


def message_page(title: str, text: str) -> str:
    return page(f"<h1>{e(title)}</h1><p>{e(text)}</p>")


def local_time(iso: str) -> str:
    try:
        return datetime.fromisoformat(iso).astimezone(CST).strftime("%Y-%m-%d %H:%M:%S")
    except ValueError:
        return iso


def _table(rows: Iterable[tuple[Any, Any]]) -> str:
    return "<table>" + "".join(f"<tr><th>{e(k)}</th><td>{e(v)}</td></tr>" for k, v in rows) + "</table>"


def _applicant(payload: dict[str, Any]) -> dict[str, Any]:
    return payload.get("applicant") if isinstance(payload.get("applicant"), dict) else {}


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""
