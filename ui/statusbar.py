"""The strip at the top of every screen: station, clock, connection and what is waiting to be sent."""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from PySide6.QtCore import QDateTime, Qt, QTimer, QTimeZone, Signal
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QSizePolicy, QWidget

from ui.style import BAR_BUTTON_PX
from ui.i18n import current_locale
from ui.widgets import button, label


def _as_datetime(value: Any) -> datetime | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=timezone.utc)
    try:
        return _as_datetime(datetime.fromisoformat(str(value)))
    except ValueError:
        return None


CHINA_TIME = QTimeZone(8 * 3600)


class TappableLabel(QLabel):
    """A label that answers a tap (the agent badge): styled as the strip's text, not as a button."""
    tapped = Signal()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton and self.rect().contains(event.position().toPoint()):
            self.tapped.emit()


class StatusBar(QFrame):
    logout_requested = Signal()   # the logged-in agent tapped 退出
    agent_home_requested = Signal()   # the agent tapped their badge: back to the agent's desk

    def __init__(self, station_name: str, syncing: bool = True, parent: QWidget | None = None):
        super().__init__(parent)
        self.setProperty("role", "statusbar")
        self.station = label(station_name, wrap=False)
        self.agent = TappableLabel()
        self.agent.setTextFormat(Qt.TextFormat.PlainText)   # the id comes from the hub: data, never markup
        self.agent.setCursor(Qt.CursorShape.PointingHandCursor)
        self.agent.tapped.connect(self.agent_home_requested)
        self.agent.setMinimumHeight(BAR_BUTTON_PX)   # tappable: as tall as the strip's buttons (over 9 mm)
        self.agent.setAccessibleDescription(self.tr("点此回到帮办首页"))
        self.logout_button = button(self.tr("退出"))
        self.logout_button.clicked.connect(self.logout_requested)
        self.connection = label(self.tr("网络状态检测中") if syncing else self.tr("○ 未启用上报"), wrap=False)
        # Never widen a full-screen window: a state too long for the strip is clipped, not the screen.
        self.connection.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.clock = label("", wrap=False)
        row = QHBoxLayout(self)
        row.setContentsMargins(32, 4, 32, 4)   # thin: 退出 must be over 9 mm tall and the screens need the height
        self.setMinimumHeight(48)
        row.setSpacing(32)
        row.addWidget(self.station)
        row.addWidget(self.agent)
        row.addWidget(self.logout_button)
        row.addWidget(self.connection, 1)
        row.addWidget(self.clock)
        self.hide_agent()
        self._timer = QTimer(self, interval=1000, timeout=self.tick)
        self._timer.start()
        self._status: Any = None
        self.tick()

    def show_agent(self, agent_id: str) -> None:
        """Agent mode: who is logged in, and the way out, on every screen."""
        self.agent.setText(self.tr("帮办员 {agent} 已登录").format(agent=agent_id))
        self.station.hide()   # the agent knows the station; the sync state needs the room more
        self.agent.show()
        self.logout_button.show()

    def hide_agent(self) -> None:
        self.agent.clear()
        self.agent.hide()
        self.logout_button.hide()
        self.station.show()

    def tick(self) -> None:
        now = QDateTime.currentDateTime().toTimeZone(CHINA_TIME)   # as receipt numbers count days
        self.clock.setText(current_locale().toString(now, self.tr("M月d日 dddd HH:mm")))
        if self._status is not None:
            self.connection.setText(self.describe(self._status))

    def show_sync_status(self, status: Any) -> None:
        self._status = status
        self.connection.setText(self.describe(status))

    def describe(self, status: Any, now: datetime | None = None) -> str:
        now = now or datetime.now(timezone.utc)
        # Most important first: the strip is clipped on the right when a long state does not fit.
        return self._guardrail_text(status) + self._connection_text(status, now) + self._last_success_text(status, now)

    def _last_success_text(self, status: Any, now: datetime) -> str:
        last = _as_datetime(getattr(status, "last_success_at", None))
        if getattr(status, "online", False) or last is None:
            return ""
        return self.tr(" · 上次上报{age}前").format(age=self.age_text(now - last))

    def _guardrail_text(self, status: Any) -> str:
        level = getattr(getattr(getattr(status, "guardrail", None), "level", None), "value", "ok")
        if level == "refuse_non_urgent":
            return self.tr("！暂停受理新申请  ")
        if level == "warn":
            return self.tr("！请尽快联网上报  ")
        return ""

    def _connection_text(self, status: Any, now: datetime) -> str:
        pending = int(getattr(status, "pending", 0) or 0)
        if pending < 0:
            return self.tr("● 已联网 · 待上报数暂不可知") if getattr(status, "online", False) \
                else self.tr("○ 离线 · 待上报数暂不可知")
        if getattr(status, "online", False):
            if pending:
                return self.tr("● 已联网 · 正在上报 {n} 件").format(n=pending)
            return self.tr("● 已联网 · 全部已上报")
        if not pending:
            return self.tr("○ 离线 · 无待上报")
        oldest = _as_datetime(getattr(status, "oldest_pending_at", None))
        if oldest is None:
            return self.tr("○ 离线 · 待上报 {n} 件").format(n=pending)
        age = self.age_text(now - oldest)
        return self.tr("○ 离线 · 待上报 {n} 件，最早等了{age}").format(n=pending, age=age)

    def age_text(self, delta) -> str:
        minutes = max(int(delta.total_seconds() // 60), 0)
        if minutes < 1:
            return self.tr("不到1分钟")
        if minutes < 60:
            return self.tr("{n}分钟").format(n=minutes)
        if minutes < 48 * 60:
            return self.tr("{n}小时").format(n=minutes // 60)
        return self.tr("{n}天").format(n=minutes // (24 * 60))


class NoticeBar(QFrame):
    """A small, non-blocking line for staff (e.g. the catalog fell back to the built-in copy)."""

    def __init__(self, notice: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setProperty("role", "notice")
        self.text = label("", wrap=False)
        self.text.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        row = QHBoxLayout(self)
        row.setContentsMargins(32, 4, 32, 4)
        row.addWidget(self.text, 1)
        self.set_notice(notice)

    def set_notice(self, notice: str) -> None:
        self.text.setText(self.tr("工作人员提示：{notice}").format(notice=notice) if notice else "")
        self.text.setToolTip(notice)
        if not notice:
            self.hide()
        elif self.parentWidget() is not None:   # never show it as a window of its own before it is laid out
            self.show()
