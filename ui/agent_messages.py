"""Why an agent login was refused, in plain Chinese: what happened and what to do next. One entry per reason.

Kept apart from ui/messages.py (the resident's messages). An unknown account and a wrong PIN read the same, so
the screen never tells a stranger which accounts exist. Times are shown in China time, as the station's clock.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication

from kiosk.agents import LoginRefused, Refusal
from kiosk.flow import FieldError
from kiosk.ids import CST
from kiosk.needs import MAX_LENGTHS
from ui.messages import FIELD_ERRORS, Message, tr

CONTEXT = "AgentMessages"

_TRY_AGAIN = QT_TRANSLATE_NOOP("AgentMessages", "请检查账号和密码后重新输入")
_ASK_TOWN = QT_TRANSLATE_NOOP("AgentMessages", "请联网同步后再试，或联系乡镇便民服务中心")

REFUSALS: dict[Refusal, tuple[str, str]] = {
    Refusal.UNKNOWN: (QT_TRANSLATE_NOOP("AgentMessages", "账号或密码不对，请再试一次"), _TRY_AGAIN),
    Refusal.WRONG_SECRET: (QT_TRANSLATE_NOOP("AgentMessages", "账号或密码不对，请再试一次"), _TRY_AGAIN),
    Refusal.LOCKED_OUT: (QT_TRANSLATE_NOOP("AgentMessages", "输错次数太多，已暂时锁定，请在 {time} 后再试"),
                         QT_TRANSLATE_NOOP("AgentMessages", "忘记密码请联系乡镇便民服务中心重置")),
    Refusal.REVOKED: (QT_TRANSLATE_NOOP("AgentMessages", "这个帮办员账号已停用，请联系乡镇便民服务中心"), ""),
    Refusal.NOT_YET_VALID: (QT_TRANSLATE_NOOP("AgentMessages", "这个帮办员账号要到 {time} 才能使用"), _ASK_TOWN),
    Refusal.EXPIRED: (QT_TRANSLATE_NOOP("AgentMessages", "这个帮办员账号已于 {time} 到期"), _ASK_TOWN),
    Refusal.NO_CREDENTIALS_SYNCED: (
        QT_TRANSLATE_NOOP("AgentMessages", "本机还没有同步帮办员账号，请联网同步后再试"),
        QT_TRANSLATE_NOOP("AgentMessages", "仍不行请联系乡镇便民服务中心")),
}

EMPTY = (QT_TRANSLATE_NOOP("AgentMessages", "请输入账号和密码"),
         QT_TRANSLATE_NOOP("AgentMessages", "先点账号框输入账号，再点密码框输入密码"))
BROKEN = (QT_TRANSLATE_NOOP("AgentMessages", "暂时无法登录"),
          QT_TRANSLATE_NOOP("AgentMessages", "请稍后再试；仍不行请联系乡镇便民服务中心"))


def refusal_message(refusal: LoginRefused) -> Message:
    text, next_step = REFUSALS[refusal.reason]
    return Message(_tr(text).format(time=refusal_time(refusal.at, refusal.reason is Refusal.LOCKED_OUT)),
                   _tr(next_step))


def empty_fields_message() -> Message:
    return Message(*(_tr(t) for t in EMPTY))


def unavailable_message() -> Message:
    return Message(*(_tr(t) for t in BROKEN))


def refusal_time(at: datetime | None, lockout: bool) -> str:
    """A refusal's moment for its message, in China time: a lockout's end as the minute it is over (also the
    maintenance login's, ui/screens/maint_login.py), a validity window's edge as date and time."""
    if at is None:
        return ""
    local = at.astimezone(CST)
    if lockout:
        return _minute_after(local).strftime("%H:%M")   # a lock ending at 10:15:30 is still on at 10:15
    return local.strftime("%Y-%m-%d %H:%M")


def _minute_after(moment: datetime) -> datetime:
    whole = moment.replace(second=0, microsecond=0)
    return whole if whole == moment else whole + timedelta(minutes=1)


def _tr(text: str) -> str:
    return QCoreApplication.translate(CONTEXT, text) if text else ""


# --- 有求必应 (ui/screens/need_form.py) ----------------------------------------------------------------------

NEED_SAVE_FAILED = (QT_TRANSLATE_NOOP("AgentMessages", "诉求没有保存成功"),
                    QT_TRANSLATE_NOOP("AgentMessages", "填写的内容还在，请再点一次“提交”；仍不行请联系技术人员"))


def need_error_text(field: str, code: FieldError) -> str:
    """The resident form's words for a field problem, with this field's own length limit."""
    return tr(FIELD_ERRORS[code]).format(n=MAX_LENGTHS.get(field, 0))


def need_save_failed_message() -> Message:
    return Message(_tr(NEED_SAVE_FAILED[0]), _tr(NEED_SAVE_FAILED[1]))


def draft_saved_message() -> Message:
    return Message(QCoreApplication.translate("AgentMessages", "已保存为草稿"),
                   QCoreApplication.translate("AgentMessages", "在“我的工作队列”里点“继续办理”接着办；群众须再刷一次证件。"
                                                               "草稿过期会自动删除。"))
