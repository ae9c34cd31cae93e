"""Every code the core can hand the UI, in plain Chinese: what happened and what to do next. One place.

Texts are marked with QT_TRANSLATE_NOOP (context "Messages") so lupdate extracts them, and translated when shown.
Source language is Simplified Chinese; placeholders are named ({n}) and filled after translation.
"""
from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication

from devices.base import Fault
from kiosk.flow import MAX_ANSWER, FieldError, Problem
from kiosk.records import Mode, Place

CONTEXT = "Messages"


@dataclass(frozen=True)
class Message:
    text: str        # what happened
    next_step: str   # what the resident can do now


_CARD_AGAIN = QT_TRANSLATE_NOOP("Messages", "请将身份证平放在读卡区，不要移动，再试一次")
_OWED = QT_TRANSLATE_NOOP("Messages", "您的申请已保存。请记下回执号，工作人员可为您补打")

FAULTS: dict[Fault, tuple[str, str]] = {
    Fault.NO_CARD: (QT_TRANSLATE_NOOP("Messages", "没有读到身份证"), _CARD_AGAIN),
    Fault.CARD_REMOVED: (QT_TRANSLATE_NOOP("Messages", "身份证被移开了，没有读完"), _CARD_AGAIN),
    Fault.CARD_UNREADABLE: (QT_TRANSLATE_NOOP("Messages", "身份证读取失败"),
                            QT_TRANSLATE_NOOP("Messages", "请擦一擦证件，平放在读卡区再试一次；仍不行请改用浙里办扫码")),
    Fault.CARD_UNSUPPORTED: (QT_TRANSLATE_NOOP("Messages", "本机暂不支持这种证件"),
                             QT_TRANSLATE_NOOP("Messages", "请改用浙里办扫码，或联系工作人员")),
    Fault.READER_ABSENT: (QT_TRANSLATE_NOOP("Messages", "读卡器暂不可用"),
                          QT_TRANSLATE_NOOP("Messages", "请改用浙里办扫码或联系工作人员")),
    Fault.QR_TIMEOUT: (QT_TRANSLATE_NOOP("Messages", "没有扫到二维码"),
                       QT_TRANSLATE_NOOP("Messages", "请打开浙里办‘亮证’，把二维码对准扫码口，再试一次")),
    Fault.QR_INVALID: (QT_TRANSLATE_NOOP("Messages", "无法识别此二维码"),
                       QT_TRANSLATE_NOOP("Messages", "请打开浙里办‘亮证’后重试")),
    Fault.QR_EXPIRED: (QT_TRANSLATE_NOOP("Messages", "二维码已过期"),
                       QT_TRANSLATE_NOOP("Messages", "请在浙里办中刷新二维码后重试")),
    Fault.PRINTER_ABSENT: (QT_TRANSLATE_NOOP("Messages", "打印机离线，回执未能打印"), _OWED),
    Fault.PAPER_OUT: (QT_TRANSLATE_NOOP("Messages", "打印机缺纸，回执未能打印"), _OWED),
    Fault.COVER_OPEN: (QT_TRANSLATE_NOOP("Messages", "打印机纸仓盖打开，回执未能打印"), _OWED),
    Fault.PRINTER_ERROR: (QT_TRANSLATE_NOOP("Messages", "打印机故障，回执未能打印"), _OWED),
}

# The QR scanner reports a missing device with the same code as the card reader.
QR_OVERRIDES: dict[Fault, tuple[str, str]] = {
    Fault.READER_ABSENT: (QT_TRANSLATE_NOOP("Messages", "扫码器暂不可用"),
                          QT_TRANSLATE_NOOP("Messages", "请改用刷身份证，或联系工作人员")),
}

PROBLEMS: dict[Problem, tuple[str, str]] = {
    Problem.UNKNOWN_ITEM: (QT_TRANSLATE_NOOP("Messages", "找不到这个事项"),
                           QT_TRANSLATE_NOOP("Messages", "请返回首页重新查找")),
    Problem.NOT_AT_KIOSK: (QT_TRANSLATE_NOOP("Messages", "这个事项不能在本机办理"),
                           QT_TRANSLATE_NOOP("Messages", "请按办事指南到对应地点办理")),
    Problem.ITEM_PAUSED: (QT_TRANSLATE_NOOP("Messages", "这个事项在本机暂停办理"),
                          QT_TRANSLATE_NOOP("Messages", "请到乡镇（街道）便民服务中心办理，或拨打 12345 政务服务热线咨询")),
    Problem.NOT_IDENTIFIED: (QT_TRANSLATE_NOOP("Messages", "还没有确认您的身份"),
                             QT_TRANSLATE_NOOP("Messages", "请先刷身份证或扫浙里办码")),
    Problem.FORM_INVALID: (QT_TRANSLATE_NOOP("Messages", "有内容需要修改"),
                           QT_TRANSLATE_NOOP("Messages", "请按红色提示修改后再提交")),
    Problem.STORAGE_FULL: (QT_TRANSLATE_NOOP("Messages", "本机存储已满，申请未能保存。"),
                           QT_TRANSLATE_NOOP("Messages", "请联系工作人员。您填写的内容仍保留")),
    Problem.STORAGE_FAILED: (QT_TRANSLATE_NOOP("Messages", "申请暂时未能保存。"),
                             QT_TRANSLATE_NOOP("Messages", "您填写的内容仍保留，请点“重试”；仍不行请联系工作人员")),
    Problem.ALREADY_SUBMITTED: (QT_TRANSLATE_NOOP("Messages", "这份申请已经提交过了"),
                                QT_TRANSLATE_NOOP("Messages", "请查看您的回执号")),
    Problem.OFFLINE_LIMIT: (QT_TRANSLATE_NOOP("Messages", "本机已较长时间未能联网上报，暂停受理新的申请"),
                            QT_TRANSLATE_NOOP("Messages", "请到镇便民服务中心办理，或请工作人员帮忙；已提交的申请不受影响")),
    Problem.NOTHING_SUBMITTED: (QT_TRANSLATE_NOOP("Messages", "申请还没有提交，没有回执可打印"),
                                QT_TRANSLATE_NOOP("Messages", "请先核对信息并点“确认提交”")),
    Problem.AGENT_SESSION_ENDED: (QT_TRANSLATE_NOOP("Messages", "帮办员登录已结束"),
                                  QT_TRANSLATE_NOOP("Messages", "请帮办员重新登录后再办理")),
    Problem.CONSENT_MISSING: (QT_TRANSLATE_NOOP("Messages", "还没有记录群众本人的授权"),
                              QT_TRANSLATE_NOOP("Messages", "请群众本人在屏幕上签名，或出示本人浙里办码确认；填写的内容仍保留")),
    Problem.CONSENT_NOT_APPLICANT: (QT_TRANSLATE_NOOP("Messages", "出示的浙里办码不是申请人本人的"),
                                    QT_TRANSLATE_NOOP("Messages", "请申请人本人出示浙里办码，或改为在屏幕上签名")),
    Problem.CONSENT_WITHDRAWN: (QT_TRANSLATE_NOOP("Messages", "您已撤回授权，本次填写的内容已清除，没有提交"),
                                QT_TRANSLATE_NOOP("Messages", "如需办理，可随时重新开始")),
    Problem.CERTIFICATE_NOT_HERE: (QT_TRANSLATE_NOOP("Messages", "这个证明不能在本服务站申请"),
                                   QT_TRANSLATE_NOOP("Messages", "请按办事指南到镇或区便民服务中心办理；本机没有保存任何内容")),
    Problem.NO_CERTIFICATE: (QT_TRANSLATE_NOOP("Messages", "这个回执号还没有可打印的证明"),
                             QT_TRANSLATE_NOOP("Messages", "证明出具后会自动发到本机，请稍后再查")),
    Problem.NO_DRAFT: (QT_TRANSLATE_NOOP("Messages", "这份草稿已不在了（已过期或已删除）"),
                       QT_TRANSLATE_NOOP("Messages", "请重新为群众填写")),
    Problem.AGENTS_ONLY: (QT_TRANSLATE_NOOP("Messages", "只有帮办员代办时才能保存草稿或拍摄材料"),
                          QT_TRANSLATE_NOOP("Messages", "请工作人员登录后再办")),
    Problem.DEFERRAL_NOT_ALLOWED: (QT_TRANSLATE_NOOP("Messages", "这个事项不能缺材料先受理"),
                                   QT_TRANSLATE_NOOP("Messages", "请带齐材料再来，或请帮办员帮忙")),
    Problem.MATERIAL_NOT_DEFERRABLE: (QT_TRANSLATE_NOOP("Messages", "缺少必须当场提供的材料，暂时不能受理"),
                                      QT_TRANSLATE_NOOP("Messages", "请带上这份材料再来办理")),
    Problem.COMMITMENT_MISSING: (QT_TRANSLATE_NOOP("Messages", "缺材料受理需要先签告知承诺书"),
                                 QT_TRANSLATE_NOOP("Messages", "请群众本人签名，或取消勾选缺少的材料")),
}

# Problems whose FlowError detail is for the resident (hub text, not a code): the text names it.
WITH_DETAIL: dict[Problem, str] = {
    Problem.ITEM_PAUSED: QT_TRANSLATE_NOOP("Messages", "这个事项在本机暂停办理，原因：{detail}"),
    Problem.MATERIAL_NOT_DEFERRABLE: QT_TRANSLATE_NOOP("Messages", "缺少“{detail}”，这份材料必须当场提供，暂时不能受理"),
}

FIELD_ERRORS: dict[FieldError, str] = {
    FieldError.MISSING: QT_TRANSLATE_NOOP("Messages", "请填写这一项"),
    FieldError.BAD_PHONE: QT_TRANSLATE_NOOP("Messages", "请填写11位手机号，或带区号的座机号"),
    FieldError.BAD_NUMBER: QT_TRANSLATE_NOOP("Messages", "请只填写数字"),
    FieldError.BAD_DATE: QT_TRANSLATE_NOOP("Messages", "请按“年-月-日”填写，例如 2024-05-01"),
    FieldError.BAD_CHOICE: QT_TRANSLATE_NOOP("Messages", "请从选项中选一个"),
    FieldError.TOO_LONG: QT_TRANSLATE_NOOP("Messages", "内容太长，请写在{n}个字以内"),
}

UNEXPECTED = (QT_TRANSLATE_NOOP("Messages", "出了点问题，这一步没有完成"),
              QT_TRANSLATE_NOOP("Messages", "请再试一次，或联系工作人员"))

LEVELS: dict[int, str] = {
    5: QT_TRANSLATE_NOOP("Messages", "非常满意"),
    4: QT_TRANSLATE_NOOP("Messages", "满意"),
    3: QT_TRANSLATE_NOOP("Messages", "基本满意"),
    2: QT_TRANSLATE_NOOP("Messages", "不满意"),
    1: QT_TRANSLATE_NOOP("Messages", "非常不满意"),
}

REASONS: dict[str, str] = {
    "quick": QT_TRANSLATE_NOOP("Messages", "办得快"),
    "clear_guide": QT_TRANSLATE_NOOP("Messages", "指南看得懂"),
    "easy_to_use": QT_TRANSLATE_NOOP("Messages", "操作简单"),
    "no_trip": QT_TRANSLATE_NOOP("Messages", "不用多跑路"),
    "helpful_staff": QT_TRANSLATE_NOOP("Messages", "工作人员热心"),
    "slow": QT_TRANSLATE_NOOP("Messages", "等得太久"),
    "hard_to_use": QT_TRANSLATE_NOOP("Messages", "操作太难"),
    "unclear_guide": QT_TRANSLATE_NOOP("Messages", "指南看不懂"),
    "device_fault": QT_TRANSLATE_NOOP("Messages", "机器出故障"),
    "asked_twice": QT_TRANSLATE_NOOP("Messages", "重复填写或提交"),
    "not_done": QT_TRANSLATE_NOOP("Messages", "事情没办成"),
    "other": QT_TRANSLATE_NOOP("Messages", "其他"),   # with the resident's own words (kiosk/rating.py OTHER)
}

PLACES: dict[Place, str] = {
    Place.STATION: QT_TRANSLATE_NOOP("Messages", "本便民服务站"),
    Place.TOWN: QT_TRANSLATE_NOOP("Messages", "乡镇（街道）便民服务中心"),
    Place.DISTRICT: QT_TRANSLATE_NOOP("Messages", "定海区行政服务中心"),
}

MODES: dict[Mode, str] = {
    Mode.SELF: QT_TRANSLATE_NOOP("Messages", "自助办理"),
    Mode.AGENT: QT_TRANSLATE_NOOP("Messages", "工作人员帮办"),
    Mode.GUIDE: QT_TRANSLATE_NOOP("Messages", "工作人员导办"),
}


def tr(source: str) -> str:
    return QCoreApplication.translate(CONTEXT, source)


def message_for(code: Enum | None, *, via_qr: bool = False) -> Message:
    """The resident-facing message for a Problem or Fault (unknown or None → a generic one)."""
    table_entry = (via_qr and QR_OVERRIDES.get(code)) or FAULTS.get(code) or PROBLEMS.get(code) or UNEXPECTED
    text, next_step = table_entry
    return Message(tr(text), tr(next_step))


def message_for_error(error: BaseException, *, via_qr: bool = False) -> Message:
    code = getattr(error, "code", None)
    message = message_for(code, via_qr=via_qr)
    detail = getattr(error, "detail", "")
    if code in WITH_DETAIL and detail:
        return Message(tr(WITH_DETAIL[code]).format(detail=detail), message.next_step)
    return message


def field_error_text(code: FieldError) -> str:
    return tr(FIELD_ERRORS[code]).format(n=MAX_ANSWER)


def level_label(level: int) -> str:
    return tr(LEVELS[level])


def reason_label(code: str) -> str:
    source = REASONS.get(code)
    return tr(source) if source else code


def place_label(place: Place) -> str:
    return tr(PLACES[place])


def mode_label(mode: Mode) -> str:
    return tr(MODES[mode])


# An agent's work queue (kiosk/work_queue.py): each filing's state in plain words.
QUEUE_STATES: dict[str, str] = {
    "pending_sync": QT_TRANSLATE_NOOP("Messages", "待同步"),
    "delivered": QT_TRANSLATE_NOOP("Messages", "已送达"),
    "received": QT_TRANSLATE_NOOP("Messages", "已送达"),
    "accepted": QT_TRANSLATE_NOOP("Messages", "已受理"),
    "needs_material": QT_TRANSLATE_NOOP("Messages", "需补充材料"),
    "done": QT_TRANSLATE_NOOP("Messages", "已办结"),
    "certificate_issued": QT_TRANSLATE_NOOP("Messages", "证明已出具"),
    "at_town": QT_TRANSLATE_NOOP("Messages", "已转镇审核"),
    "at_district": QT_TRANSLATE_NOOP("Messages", "已转区部门审核"),
    "rejected": QT_TRANSLATE_NOOP("Messages", "未通过"),
    "dispatched": QT_TRANSLATE_NOOP("Messages", "已受理，已派单"),
    "in_progress": QT_TRANSLATE_NOOP("Messages", "处理中"),
    "quarantined": QT_TRANSLATE_NOOP("Messages", "隔离待处理"),
    "booking_confirmed": QT_TRANSLATE_NOOP("Messages", "预约已确认"),
    "booking_conflict": QT_TRANSLATE_NOOP("Messages", "预约未成功，请改约"),
    "draft": QT_TRANSLATE_NOOP("Messages", "草稿"),
    "awaiting_review": QT_TRANSLATE_NOOP("Messages", "待审核"),
    "review_rejected": QT_TRANSLATE_NOOP("Messages", "审核退回"),
}
REVIEW_REASONS: dict[str, str] = {   # local_db/review.py REASONS
    "missing_material": QT_TRANSLATE_NOOP("Messages", "材料不全"),
    "wrong_item": QT_TRANSLATE_NOOP("Messages", "事项选错"),
    "wrong_answers": QT_TRANSLATE_NOOP("Messages", "填写有误"),
    "other": QT_TRANSLATE_NOOP("Messages", "其他"),
}


def review_reason_label(code: str) -> str:
    source = REVIEW_REASONS.get(code)
    return tr(source) if source else code


BOOKING_KINDS: dict[str, str] = {
    "station_visit": QT_TRANSLATE_NOOP("Messages", "到站预约"),
    "home_visit": QT_TRANSLATE_NOOP("Messages", "上门办预约"),
}


def booking_kind_label(kind: str) -> str:
    source = BOOKING_KINDS.get(kind)
    return tr(source) if source else kind


def queue_state_label(state: str) -> str:
    """A state the hub added later than this kiosk shows as its code rather than not at all."""
    source = QUEUE_STATES.get(state)
    return tr(source) if source else state
