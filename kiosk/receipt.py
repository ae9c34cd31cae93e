"""What a receipt says: composed once from the stored application, laid out later by the printer."""
from __future__ import annotations

from datetime import datetime
from urllib.parse import quote

from devices.base import ReceiptDoc
from kiosk.ids import CST
from kiosk.records import Application, ServiceItem

PROGRESS_SCHEME = "zdb://progress"


def progress_code(app: Application) -> str:
    """QR payload for progress lookup: the receipt number (human) and record id (exact), no personal data."""
    return f"{PROGRESS_SCHEME}?r={quote(app.receipt_no)}&id={app.id}"


def build_receipt(app: Application, item: ServiceItem | None, station_name: str, follow_up: str) -> ReceiptDoc:
    created = datetime.fromisoformat(app.created_at).astimezone(CST)
    limit = _time_limit_text(item)
    lines = [
        ("回执号", app.receipt_no),
        ("办理事项", app.item_name),
        ("申请人", app.applicant.masked_name()),
        ("证件号", app.applicant.masked_id()),
        ("提交时间", f"{created:%Y-%m-%d %H:%M}"),
        ("办理地点", station_name),
    ]
    lines += [(f"　事项{n}", part.item_name) for n, part in enumerate(app.bundle_parts, start=1)]   # 一件事
    if app.filed_by is not None:   # every record says who filed it for whom: the paper too
        lines.append(("代办", f"帮办员 {app.filed_by.agent_id} 代办"))
    if app.deferral is not None:
        lines.append(("容缺受理", deferral_text(app)))
    if limit:
        lines.append(("承诺时限", limit))
    lines.append(("进度查询", item.follow_up if item and item.follow_up else follow_up))
    return ReceiptDoc(
        title="舟到办 · 受理回执",
        lines=tuple(lines),
        qr_payload=progress_code(app),
        qr_caption="扫码查询办理进度",
        footer=("您的申请已安全保存，网络恢复后自动上报。", "请妥善保管本回执。"),
    )


def deferral_text(app: Application) -> str:
    """What the resident must bring, and by when (calendar days, China time: kiosk/deferral.py)."""
    deferral = app.deferral
    return f"请于 {deferral.deadline} 前补交：{'、'.join(deferral.materials)}" if deferral else ""


def _time_limit_text(item: ServiceItem | None) -> str:
    if item is None:
        return ""
    return "当场办结" if item.time_limit_days == 0 else f"{item.time_limit_days}个工作日"
