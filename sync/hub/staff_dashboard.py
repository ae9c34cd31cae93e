"""Staff page for 好差评 and 办不成事: the day's summary and the week's analysis, with charts drawn here as inline
SVG (no scripts, nothing fetched from elsewhere), and the same figures as JSON for the district.

GET /staff/dashboard[?day=YYYY-MM-DD] and /staff/dashboard.json[?day=…], behind the staff password like every
staff page. Figures come from sync/hub/dashboard.py; this module only words and draws them. Nothing personal
is shown: stations, services, codes and counts, and links to the records themselves.
"""
from __future__ import annotations

from datetime import date
from html import escape

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response

from sync.hub import dashboard, staff_pages
from sync.hub.context import hub_of
from sync.hub.dashboard import Dashboard, DayFigures, Feedback, Tally
from sync.hub.staff import staff_only
from sync.hub.staff_pages import STATUS_LABELS, e, page

RATING_REASONS = {"quick": "办得快", "clear_guide": "指南看得懂", "easy_to_use": "操作简单", "no_trip": "不用多跑路",
                  "helpful_staff": "工作人员热心", "slow": "等得太久", "hard_to_use": "操作太难",
                  "unclear_guide": "指南看不懂", "device_fault": "机器出故障", "asked_twice": "重复填写或提交",
                  "not_done": "事情没办成", "other": "其他"}
REPORT_REASONS = {"cannot_find": "找不到要办的事", "cannot_understand": "看不懂", "machine_fault": "机器故障",
                  "missing_material": "材料不全办不了", "elsewhere": "要跑别处", "other": "其他", "unknown": "未注明"}
SCREENS = {"home": "首页", "search": "搜索", "tiles": "我要…", "items": "事项列表", "detail": "办事指南",
           "identify": "身份核验", "form": "填写信息", "confirm": "确认提交", "receipt": "回执", "rating": "评价",
           "progress": "办件查询", "agent_login": "工作人员登录", "consent": "群众授权", "commitment": "告知承诺书",
           "agent_home": "帮办工作台", "work_queue": "工作队列", "need_form": "有求必应", "booking": "预约",
           "doc_capture": "拍摄材料", "review": "审核", "maint_login": "维护登录", "maintenance": "维护",
           "report": "办不成事", "unknown": "未注明"}
SERVICES = {"application": "自助申请", "agent_filing": "帮办申请", "bundle": "一件事", "certificate_request": "证明申请",
            "certificate_print": "打印证明", "progress_query": "办件查询", "booking": "预约", "need": "有求必应",
            "unknown": "未注明"}
WHY = {"below_target": "满意率未达标", "reports": "有办不成事反映", "unhandled": "有未处理的差评或反映"}
LEVELS = {5: "非常满意", 4: "满意", 3: "基本满意", 2: "不满意", 1: "非常不满意"}

_STYLE = """<style>.tiles{display:flex;gap:1em;flex-wrap:wrap}.tile{border:1px solid #ccc;padding:.6em 1em;
min-width:9em}.tile b{display:block;font-size:1.8em}.charts{display:flex;gap:2em;flex-wrap:wrap}
svg text{font-family:sans-serif}</style>"""


@staff_only
async def dashboard_page(request: Request) -> Response:
    hub, day = hub_of(request), _day(request)
    if day is False:
        return HTMLResponse(staff_pages.message_page("日期不对", "请按 2026-11-25 的格式选择日期。"), status_code=400)
    figures = await run_in_threadpool(dashboard.build, hub.store, day, hub.clock)
    return HTMLResponse(render(figures))


@staff_only
async def dashboard_json(request: Request) -> Response:
    hub, day = hub_of(request), _day(request)
    if day is False:
        return JSONResponse({"error": "day must be YYYY-MM-DD"}, status_code=400)
    figures = await run_in_threadpool(dashboard.build, hub.store, day, hub.clock)
    return JSONResponse(figures.to_json())


def _day(request: Request) -> date | None | bool:
    """The chosen day; None for today; False when it does not read as a date."""
    text = request.query_params.get("day", "").strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return False


# --- the page --------------------------------------------------------------------------------------------------

def render(d: Dashboard) -> str:
    return page(
        _STYLE + f"<h1>好差评看板</h1>"
        f'<form method="get" action="/staff/dashboard">日期 <input type="date" name="day" value="{d.day}">'
        f' <button>查看</button> · <a href="/staff/dashboard.json?day={d.day}">导出 JSON</a></form>'
        + daily(d.today, d.target) + weekly(d))


def daily(t: DayFigures, target: float) -> str:
    bad_reasons = [(RATING_REASONS.get(c, c), n) for c, n in t.bad_reasons.most_common()]
    if t.no_reason:
        bad_reasons.append(("未注明原因", t.no_reason))
    return (
        f"<h2>日报 · {e(t.day)}</h2>" + _tiles(t.total, target) +
        '<div class="charts">' +
        _chart_block("差评原因", bar_chart(bad_reasons, "差评原因")) +
        _chart_block("办不成事 · 按原因", bar_chart(_labelled(t.report_reasons, REPORT_REASONS), "办不成事原因")) +
        _chart_block("办不成事 · 按页面", bar_chart(_labelled(t.report_screens, SCREENS), "办不成事页面")) +
        "</div><h3>分站情况</h3>" + _stations(t.stations, target) +
        "<h3>当日差评</h3>" + _bad_list(t.bad_ratings))


def weekly(d: Dashboard) -> str:
    points = [(f"{day.day:%m-%d}", day.total.satisfaction) for day in d.week]
    rows = "".join(f"<tr><td>{e(day.day)}</td><td>{day.total.ratings}</td><td>{_pct(day.total.satisfaction)}</td>"
                   f"<td>{day.total.bad}</td><td>{day.total.reports}</td></tr>" for day in d.week)
    worst = "".join(f"<tr><td>{e(_service(s.key, s.name))}</td><td>{s.ratings}</td><td>{s.bad}</td>"
                    f"<td>{_pct(s.satisfaction)}</td></tr>" for s in d.worst_services) \
        or f'<tr><td colspan="4">无（至少 {dashboard.MIN_RATINGS} 条评价且有差评的事项才列出）</td></tr>'
    stations = "".join(f"<tr><td>{e(s.station_id)}</td><td>{s.ratings}</td><td>{_pct(s.satisfaction)}</td>"
                       f"<td>{s.reports}</td><td>{s.unhandled}</td><td>{e('；'.join(WHY[w] for w in s.why))}</td></tr>"
                       for s in d.attention) or '<tr><td colspan="6">无</td></tr>'
    return (
        f"<h2>周分析 · {e(d.week[0].day)} 至 {e(d.day)}</h2>" + _tiles(d.week_total, d.target) +
        '<div class="charts">' +
        _chart_block("每日满意率", line_chart(points, d.target, "每日满意率")) +
        _chart_block("本周差评原因", bar_chart([(RATING_REASONS.get(c, c), n) for c, n in d.top_bad_reasons],
                                           "本周差评原因")) +
        _chart_block("本周办不成事原因", bar_chart([(REPORT_REASONS.get(c, c), n) for c, n in d.top_report_reasons],
                                             "本周办不成事原因")) +
        "</div><h3>每日趋势</h3><table><thead><tr><th>日期</th><th>评价数</th><th>满意率</th><th>差评</th>"
        f"<th>办不成事</th></tr></thead><tbody>{rows}</tbody></table>"
        "<h3>满意率最低的事项</h3><table><thead><tr><th>事项</th><th>评价数</th><th>差评</th><th>满意率</th></tr>"
        f"</thead><tbody>{worst}</tbody></table>"
        "<h3>需要关注的服务站</h3><table><thead><tr><th>服务站</th><th>评价数</th><th>满意率</th><th>办不成事</th>"
        f"<th>未处理</th><th>原因</th></tr></thead><tbody>{stations}</tbody></table>"
        f"<h3>未处理的差评和办不成事（{len(d.unhandled)}）</h3>" + _unhandled(d.unhandled) +
        "<p>在记录页把状态改为“已受理”或“已办结”即算已处理。</p>")


def _tiles(t: Tally, target: float) -> str:
    met = t.satisfaction is not None and t.satisfaction >= target
    verdict = "—" if t.satisfaction is None else ("✓ 达标" if met else "✗ 未达标")
    return ('<div class="tiles">'
            f'<div class="tile">评价数<b>{t.ratings}</b></div>'
            f'<div class="tile">满意率（4–5 星）<b>{_pct(t.satisfaction)}</b>目标 {_pct(target)} · {verdict}</div>'
            f'<div class="tile">差评（1–3 星）<b>{t.bad}</b></div>'
            f'<div class="tile">办不成事<b>{t.reports}</b></div></div>')


def _stations(stations: dict[str, Tally], target: float) -> str:
    rows = "".join(
        f"<tr><td>{e(sid)}</td><td>{t.ratings}</td><td>{_pct(t.satisfaction)}</td><td>{t.bad}</td>"
        f"<td>{t.reports}</td><td>{'—' if t.satisfaction is None else ('达标' if t.satisfaction >= target else '未达标')}"
        "</td></tr>" for sid, t in sorted(stations.items())) or '<tr><td colspan="6">当日无评价和反映</td></tr>'
    return ("<table><thead><tr><th>服务站</th><th>评价数</th><th>满意率</th><th>差评</th><th>办不成事</th>"
            f"<th>是否达标</th></tr></thead><tbody>{rows}</tbody></table>")


def _bad_list(rows: list[Feedback]) -> str:
    body = "".join(
        f'<tr><td><a href="/staff/records/{e(r.id)}">{e(r.station_id)}</a></td>'
        f"<td>{e(_service(r.service, r.item_name))}</td><td>{e(LEVELS.get(r.level, r.level))}</td>"
        f"<td>{e('、'.join(RATING_REASONS.get(c, c) for c in r.reasons) or '未注明')}</td>"
        f"<td>{e(STATUS_LABELS.get(r.status, r.status))}</td></tr>" for r in rows) or '<tr><td colspan="5">无</td></tr>'
    return ("<table><thead><tr><th>服务站</th><th>事项</th><th>评价</th><th>原因</th><th>状态</th></tr></thead>"
            f"<tbody>{body}</tbody></table>")


def _unhandled(rows: list[Feedback]) -> str:
    def what(r: Feedback) -> str:
        if r.kind == "report":
            return f"办不成事：{REPORT_REASONS.get(r.reason, r.reason)}（{SCREENS.get(r.screen, r.screen or '未注明')}）"
        return f"差评：{LEVELS.get(r.level, r.level)} · " + ("、".join(RATING_REASONS.get(c, c) for c in r.reasons)
                                                            or "未注明原因")
    body = "".join(f'<tr><td>{e(r.day)}</td><td><a href="/staff/records/{e(r.id)}">{e(r.station_id)}</a></td>'
                   f"<td>{e(_service(r.service, r.item_name) if r.service else '—')}</td><td>{e(what(r))}</td></tr>"
                   for r in rows) or '<tr><td colspan="4">无</td></tr>'
    return ("<table><thead><tr><th>日期</th><th>服务站</th><th>事项</th><th>内容</th></tr></thead>"
            f"<tbody>{body}</tbody></table>")


def _chart_block(title: str, svg: str) -> str:
    return f"<figure><figcaption>{e(title)}</figcaption>{svg}</figure>"


def _labelled(counter, labels: dict[str, str]) -> list[tuple[str, int]]:
    return [(labels.get(code, code), n) for code, n in counter.most_common()]


def _service(key: str, name: str) -> str:
    return name or SERVICES.get(key, key)


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


# --- charts ----------------------------------------------------------------------------------------------------

def _x(text: object) -> str:
    return escape(str(text), quote=True)


def bar_chart(pairs: list[tuple[str, int]], title: str, width: int = 520) -> str:
    """Horizontal bars, one per label, the count written at the end of each (not length alone)."""
    row, label_w, pad = 30, 170, 8
    if not pairs:
        return (f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{width}" height="40" '
                f'aria-label="{_x(title)}：无数据"><title>{_x(title)}</title>'
                '<text x="8" y="25" font-size="14" fill="#555">无数据</text></svg>')
    top = max(n for _, n in pairs) or 1
    span = width - label_w - 60
    height = row * len(pairs) + pad * 2
    bars = []
    for i, (label, n) in enumerate(pairs):
        y = pad + i * row
        w = max(1, round(span * n / top)) if n else 0
        bars.append(f'<text x="{label_w - 8}" y="{y + 20}" font-size="14" text-anchor="end">{_x(label)}</text>'
                    f'<rect x="{label_w}" y="{y + 5}" width="{w}" height="20" fill="#3a6ea5"/>'
                    f'<text x="{label_w + w + 6}" y="{y + 20}" font-size="14">{n}</text>')
    summary = "；".join(f"{label} {n}" for label, n in pairs)
    return (f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{width}" height="{height}" '
            f'viewBox="0 0 {width} {height}" aria-label="{_x(title)}：{_x(summary)}"><title>{_x(title)}</title>'
            + "".join(bars) + "</svg>")


def line_chart(points: list[tuple[str, float | None]], target: float, title: str, width: int = 520,
               height: int = 240) -> str:
    """Daily satisfaction as a line with a dot and its value per day; the target as a dashed line, labelled.
    A day without ratings has no dot and breaks the line."""
    left, right, top, bottom = 56, 36, 34, 36
    values = [v for _, v in points if v is not None]
    low = min([target, *values]) if values else target
    floor = max(0.0, int(low * 10) / 10 - 0.1 if low < 1 else 0.9)   # the axis starts a little below the lowest
    plot_w, plot_h = width - left - right, height - top - bottom
    step = plot_w / max(1, len(points) - 1)

    def y(v: float) -> float:
        return round(top + plot_h * (1 - (v - floor) / (1 - floor)), 1)

    parts = [f'<line x1="{left}" y1="{top}" x2="{left}" y2="{top + plot_h}" stroke="#888"/>',
             f'<line x1="{left}" y1="{top + plot_h}" x2="{left + plot_w}" y2="{top + plot_h}" stroke="#888"/>']
    for v in (floor, (floor + 1) / 2, 1.0):
        parts.append(f'<text x="{left - 6}" y="{y(v) + 5}" font-size="12" text-anchor="end">{v * 100:.0f}%</text>')
    parts.append(f'<line x1="{left}" y1="{y(target)}" x2="{left + plot_w}" y2="{y(target)}" stroke="#b03030" '
                 f'stroke-dasharray="6 4"/><text x="{left + plot_w}" y="12" font-size="12" text-anchor="end" '
                 f'fill="#b03030">虚线：目标 {target * 100:.0f}%</text>')
    segment: list[str] = []
    segments: list[list[str]] = [segment]
    for i, (label, v) in enumerate(points):
        x = round(left + step * i, 1)
        parts.append(f'<text x="{x}" y="{height - 12}" font-size="12" text-anchor="middle">{_x(label)}</text>')
        if v is None:
            segment = []
            segments.append(segment)
            continue
        segment.append(f"{x},{y(v)}")
        parts.append(f'<circle cx="{x}" cy="{y(v)}" r="4" fill="#3a6ea5"/>'
                     f'<text x="{x}" y="{y(v) - 8}" font-size="11" text-anchor="middle">{v * 100:.1f}%</text>')
    lines = "".join(f'<polyline points="{" ".join(s)}" fill="none" stroke="#3a6ea5" stroke-width="2"/>'
                    for s in segments if len(s) > 1)
    summary = "；".join(f"{label} {_pct(v)}" for label, v in points)
    return (f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{width}" height="{height}" '
            f'viewBox="0 0 {width} {height}" aria-label="{_x(title)}：{_x(summary)}"><title>{_x(title)}</title>'
            + lines + "".join(parts) + "</svg>")


# --- one rating or report --------------------------------------------------------------------------------------

def feedback_page(record, history, token: str) -> str:
    """A rating or 办不成事 report: what the resident said, and the status form that marks it handled. A report's
    phone is shown here only, for the callback the resident asked for."""
    p = record.payload
    text = lambda key: p.get(key) if isinstance(p.get(key), str) else ""   # noqa: E731
    if record.kind == "report":
        title = "办不成事反映"
        facts = [("原因", REPORT_REASONS.get(text("reason"), text("reason"))),
                 ("当时所在页面", SCREENS.get(text("screen"), text("screen") or "未注明")),
                 ("当时在办的事项", text("service") or "—"), ("群众的话", text("text") or "—"),
                 ("回拨电话", text("phone") or "未留")]
    else:
        codes = dashboard._codes(p.get("reasons"))
        title = "好差评"
        facts = [("评价", LEVELS.get(dashboard._level(p.get("level")), "—")),
                 ("事项", _service(text("item_id") or text("service"), text("item_name"))),
                 ("服务方式", SERVICES.get(text("service"), text("service") or "—")),
                 ("原因", "、".join(RATING_REASONS.get(c, c) for c in codes) or "未注明"),
                 ("留言", text("comment") or "—")]
    facts += [("服务站", record.station_id), ("接收时间", staff_pages.local_time(record.received_at)),
              ("状态", STATUS_LABELS.get(record.status, record.status))]
    return page(f"<h1>{title}</h1>{staff_pages._table(facts)}<h2>办理记录</h2>{staff_pages._history(history)}"
                + staff_pages._status_form(record.id, token))
