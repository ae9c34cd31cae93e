"""Maintenance tab 同步: connection, last contact, the queue by kind, the oldest wait, the quarantine with reasons, the
last errors, and 立即同步 (wakes the worker, audited as `sync_forced`, then shows how that round went).

kiosk/sync_report.py builds the report on its own read-only connection; the panel schedules it and renders it.
`RecentErrors` listens on the event bus from the moment the panel is built (window start-up), so failures from
before maintenance was opened are listed too. Kinds, counts, reason words and record ids only: never a payload.
"""
from __future__ import annotations

import logging
import time
from datetime import datetime
from typing import Any, Callable

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QTimer
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QVBoxLayout, QWidget

from kiosk.log_redaction import redact
from kiosk.sync_report import RecentErrors, SyncReport, force_sync, report_for
from ui.bridge import SYNC_STATUS_HOMES, optional_event_type
from ui.screens.maint_widgets import ResultBox, age_words, fact_grid, local_time, text_list
from ui.tasks import Tasks
from ui.widgets import button, label

log = logging.getLogger(__name__)

GROUP = "maint-sync"
ROUND_WAIT_S = 90.0        # a forced round over a poor island link can take a while
KIND_NAMES = {"application": QT_TRANSLATE_NOOP("SyncPanel", "申请"), "audit": QT_TRANSLATE_NOOP("SyncPanel", "审计"),
              "rating": QT_TRANSLATE_NOOP("SyncPanel", "评价"), "need": QT_TRANSLATE_NOOP("SyncPanel", "诉求"),
              "booking": QT_TRANSLATE_NOOP("SyncPanel", "预约"),
              "certificate_request": QT_TRANSLATE_NOOP("SyncPanel", "证明申请"),
              "consent": QT_TRANSLATE_NOOP("SyncPanel", "授权")}
# The sync worker's and the hub's fixed wordings (sync/transport.py, sync/worker.py, sync/client.py) in plain
# Chinese, by how they start; the original follows in brackets, for support calls.
SYNC_WORDS: tuple[tuple[str, str], ...] = (
    ("hub unreachable", QT_TRANSLATE_NOOP("SyncPanel", "连不上服务端")),
    ("hub timed out", QT_TRANSLATE_NOOP("SyncPanel", "服务端没有及时应答")),
    ("request failed", QT_TRANSLATE_NOOP("SyncPanel", "请求没有发出去")),
    ("hub returned HTTP", QT_TRANSLATE_NOOP("SyncPanel", "服务端返回错误")),
    ("local database unavailable", QT_TRANSLATE_NOOP("SyncPanel", "本机数据库打不开")),
    ("terminal identity unreadable", QT_TRANSLATE_NOOP("SyncPanel", "本机的终端身份文件读不出")),
    ("internal error", QT_TRANSLATE_NOOP("SyncPanel", "同步程序内部出错，详情见“日志”")),
    ("too large", QT_TRANSLATE_NOOP("SyncPanel", "记录太大，无法上报")),
    ("rejected by hub", QT_TRANSLATE_NOOP("SyncPanel", "服务端拒收")),
    ("revoked", QT_TRANSLATE_NOOP("SyncPanel", "服务端已停用本机")),
    ("unknown_terminal", QT_TRANSLATE_NOOP("SyncPanel", "服务端不认识本机：请重新注册")),
)


class SyncPanel(QWidget):
    def __init__(self, core, tasks: Tasks, technician: Callable[[], str | None], parent: QWidget | None = None):
        super().__init__(parent)
        self.title = self.tr("同步")
        self.core, self.tasks, self.technician = core, tasks, technician
        self.errors = RecentErrors()
        status_type = optional_event_type("SyncStatus", SYNC_STATUS_HOMES)
        if status_type is not None:
            core.events.subscribe(status_type, self.errors.on_status)
        self._before: Any = None
        self._deadline = 0.0
        self._poll = QTimer(self, interval=300, timeout=self._check_round)
        self.facts = QGridLayout()
        self.quarantine = text_list(QT_TRANSLATE_NOOP("Accessible", "被隔离的记录"))
        self.recent = text_list(QT_TRANSLATE_NOOP("Accessible", "最近的同步错误"))
        self.sync_button = button(self.tr("立即同步"), "primary")
        self.sync_button.clicked.connect(self.force)
        self.refresh_button = button(self.tr("刷新"))
        self.refresh_button.clicked.connect(self.refresh)
        self.result = ResultBox()
        self._lay_out()

    def _lay_out(self) -> None:
        lists = QHBoxLayout()
        lists.setSpacing(20)
        for title, widget in ((self.tr("隔离区（服务端拒收或本机无法发送）"), self.quarantine),
                              (self.tr("最近的同步错误"), self.recent)):
            column = QVBoxLayout()
            column.addWidget(label(title, "section"))
            column.addWidget(widget, 1)
            lists.addLayout(column, 1)
        actions = QHBoxLayout()
        actions.addWidget(self.sync_button)
        actions.addWidget(self.refresh_button)
        actions.addWidget(self.result, 1)
        box = QVBoxLayout(self)
        box.setContentsMargins(24, 12, 24, 12)
        box.setSpacing(10)
        box.addLayout(self.facts)
        box.addLayout(actions)
        box.addLayout(lists, 1)

    # --- contract ------------------------------------------------------------------------------------------
    def refresh(self) -> None:
        self.tasks.run("db", lambda: report_for(self.core, self.errors), self.show_report, self._unreadable,
                       group=GROUP)

    def clear(self) -> None:
        self.tasks.forget(GROUP)
        self._poll.stop()
        self._before = None
        fact_grid([], self.facts)
        self.quarantine.clear()
        self.recent.clear()
        self.result.clear()
        self.sync_button.setEnabled(True)

    # --- rendering -----------------------------------------------------------------------------------------
    def show_report(self, report: SyncReport) -> None:
        fact_grid(self._facts(report), self.facts, columns=2)
        self.quarantine.clear()
        for row in report.quarantine:
            self.quarantine.addItem(self.tr("{kind} · {reason} · 尝试{n}次\n  {at} · {id}").format(
                kind=_kind(row.kind), reason=sync_words(row.reason), n=row.attempts,
                at=_short_time(_when(row.quarantined_at)), id=row.record_id))
        if not report.quarantine:
            self.quarantine.addItem(self.tr("隔离区是空的"))
        self.recent.clear()
        for error in report.recent_errors:
            times = self.tr("（连续{n}次，最近 {at}）").format(n=error.count, at=_short_time(error.last_at)) \
                if error.count > 1 else _short_time(error.first_at)
            self.recent.addItem(f"{sync_words(error.text)}  {times}")
        if not report.recent_errors:
            self.recent.addItem(self.tr("启动以来没有同步错误"))
        self.sync_button.setEnabled(report.running and not self._poll.isActive())

    def _facts(self, report: SyncReport) -> list[tuple[str, str]]:
        if not report.running:
            connection = self.tr("本机未启动同步（--no-sync），只能查看队列")
        elif report.online is None:
            connection = self.tr("同步已启动，尚未完成第一轮")
        else:
            connection = self.tr("● 已联网") if report.online else self.tr("○ 离线")
        by_kind = "，".join(f"{_kind(k)} {n}" for k, n in report.pending_by_kind.items()) or self.tr("无")
        rows = [(self.tr("连接"), connection),
                (self.tr("上次成功同步"), local_time(report.last_success_at)),
                (self.tr("待上报"), self.tr("{n} 件（{kinds}）").format(n=report.pending_total, kinds=by_kind)),
                (self.tr("最早一件已等"), age_words(report.oldest_pending_age_s)),
                (self.tr("待传附件"), str(report.attachments_pending)),
                (self.tr("隔离区"), self.tr("{n} 件").format(n=report.quarantine_total))]
        if report.last_error:
            rows.append((self.tr("上一轮错误"), sync_words(report.last_error)))
        if report.auth_refusal:
            rows.append((self.tr("服务端拒绝本机"), sync_words(report.auth_refusal)))
        return rows

    def _unreadable(self, error: BaseException) -> None:
        log.error("sync report unavailable: %s", type(error).__name__)
        self.result.show_result("error", self.tr("读取同步状态失败"), [self.tr("详情见“日志”")])

    # --- 立即同步 ------------------------------------------------------------------------------------------
    def force(self) -> None:
        actor = self.technician()
        if actor is None:
            return
        self.sync_button.setEnabled(False)
        self.result.show_result("warn", self.tr("已请求同步，正在等待这一轮的结果…"))
        self.tasks.run("db", lambda: force_sync(self.core, actor), self._forced, self._not_forced, group=GROUP)

    def _forced(self, before: Any) -> None:
        self._before = before
        self._deadline = time.monotonic() + ROUND_WAIT_S
        self._poll.start()

    def _not_forced(self, error: BaseException) -> None:
        self.sync_button.setEnabled(self.core.sync is not None)
        if isinstance(error, LookupError):
            self.result.show_result("error", self.tr("本机未启动同步，无法立即同步"))
        else:
            log.error("forced sync failed: %s", type(error).__name__)
            self.result.show_result("error", self.tr("无法发起同步"), [self.tr("详情见“日志”")])

    def _check_round(self) -> None:
        status = getattr(self.core.sync, "status", None)
        if status is self._before:
            if time.monotonic() > self._deadline:
                self._poll.stop()
                self.sync_button.setEnabled(True)
                self.result.show_result("warn", self.tr("这一轮还没有结束"), [self.tr("可稍后点“刷新”查看")])
            return
        self._poll.stop()
        if status.online and not status.last_error:
            self.result.show_result("ok", self.tr("同步完成：已联网，待上报 {n} 件").format(n=max(status.pending, 0)))
        else:
            self.result.show_result("error", self.tr("同步没有成功"),
                                    [sync_words(redact(str(status.last_error or ""))[:120])])
        self.refresh()


def _kind(kind: str) -> str:
    return QCoreApplication.translate("SyncPanel", KIND_NAMES[kind]) if kind in KIND_NAMES else kind


def sync_words(text: str) -> str:
    """A sync error or quarantine reason in Chinese with the original after it; unknown ones as they are."""
    words = next((QCoreApplication.translate("SyncPanel", w) for start, w in SYNC_WORDS if text.startswith(start)), "")
    return f"{words}（{text}）" if words else text


def _short_time(moment: datetime | None) -> str:
    """Month, day and time: the lists are narrow, and quarantine and errors are recent."""
    return local_time(moment)[5:] if moment is not None else local_time(None)


def _when(text: str) -> datetime | None:
    try:
        return datetime.fromisoformat(text)
    except (TypeError, ValueError):
        return None

