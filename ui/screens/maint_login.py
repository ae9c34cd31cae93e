"""Technician login to maintenance mode: the agent login's account field, masked PIN and keypad, its own words.

Reached only by the hidden gesture (ui/maintenance.py). The account may be left empty on a fresh install that has
not synced yet: the PIN is then the local one set with `python -m kiosk.technicians set-pin`. Each refusal gets a
plain Chinese message with what to do next; a lockout says until when (China time, the station's clock).
"""
from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication
from PySide6.QtWidgets import QWidget

from kiosk.technicians import MaintenanceRefused, MaintRefusal
from ui.agent_messages import refusal_time
from ui.messages import Message
from ui.screens.agent_login import AgentLoginScreen

CONTEXT = "MaintMessages"
_AGAIN = QT_TRANSLATE_NOOP("MaintMessages", "连续输错多次，维护入口会暂时锁定")
_ASK = QT_TRANSLATE_NOOP("MaintMessages", "请联网同步后再试，或联系运维负责人")

REFUSALS: dict[MaintRefusal, tuple[str, str]] = {
    MaintRefusal.UNKNOWN: (QT_TRANSLATE_NOOP("MaintMessages", "账号或维护密码不对，请再试一次"), _AGAIN),
    MaintRefusal.WRONG_SECRET: (QT_TRANSLATE_NOOP("MaintMessages", "账号或维护密码不对，请再试一次"), _AGAIN),
    MaintRefusal.LOCKED_OUT: (QT_TRANSLATE_NOOP("MaintMessages", "输错次数太多，维护入口已锁定，请在 {time} 后再试"),
                              QT_TRANSLATE_NOOP("MaintMessages", "忘记密码请联系运维负责人在服务端重置")),
    MaintRefusal.REVOKED: (QT_TRANSLATE_NOOP("MaintMessages", "这个技术员账号已停用"),
                           QT_TRANSLATE_NOOP("MaintMessages", "请联系运维负责人")),
    MaintRefusal.NOT_YET_VALID: (QT_TRANSLATE_NOOP("MaintMessages", "这个技术员账号要到 {time} 才能使用"), _ASK),
    MaintRefusal.EXPIRED: (QT_TRANSLATE_NOOP("MaintMessages", "这个技术员账号已于 {time} 到期"), _ASK),
    MaintRefusal.NO_CREDENTIALS: (
        QT_TRANSLATE_NOOP("MaintMessages", "本机还没有技术员账号，也没有设置本机维护密码"),
        QT_TRANSLATE_NOOP("MaintMessages", "请联网同步；新装机器可运行 python -m kiosk.technicians set-pin 设置维护密码")),
    MaintRefusal.LOCAL_PIN_RETIRED: (
        QT_TRANSLATE_NOOP("MaintMessages", "本机维护密码已停用：技术员账号已同步到本机"),
        QT_TRANSLATE_NOOP("MaintMessages", "请输入您的技术员账号和密码")),
}
EMPTY = (QT_TRANSLATE_NOOP("MaintMessages", "请输入维护密码"),
         QT_TRANSLATE_NOOP("MaintMessages", "账号只在尚未同步的新装机器上留空"))
BROKEN = (QT_TRANSLATE_NOOP("MaintMessages", "暂时无法核对维护密码"),
          QT_TRANSLATE_NOOP("MaintMessages", "请稍后再试；详情见日志"))


def _tr(text: str) -> str:
    return QCoreApplication.translate(CONTEXT, text) if text else ""


def refusal_message(refusal: MaintenanceRefused) -> Message:
    text, next_step = REFUSALS[refusal.reason]
    return Message(_tr(text).format(time=refusal_time(refusal.at, refusal.reason is MaintRefusal.LOCKED_OUT)),
                   _tr(next_step))


def empty_message() -> Message:
    return Message(*(_tr(t) for t in EMPTY))


def unavailable_message() -> Message:
    return Message(*(_tr(t) for t in BROKEN))


class MaintLoginScreen(AgentLoginScreen):
    """The agent login's fields and keypad; `login_requested(account, pin)` with an account that may be empty."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.title.setText(self.tr("维护模式 · 技术员登录"))
        self.account.setPlaceholderText(self.tr("技术员账号（新装机器可留空）"))
        self.pin.setPlaceholderText(self.tr("维护密码"))

    def login_text(self) -> str:
        return self.tr("进入维护")

    def footnote(self) -> str:
        # two sentences, two lines: the resident's one ("返回") never breaks in the middle
        return self.tr("仅供设备维护技术员使用，每次进入和尝试都会记录。\n办事群众请点“返回”。")
