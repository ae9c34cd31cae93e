"""Maintenance tab 日志: the kiosk log newest first, by level, a page at a time (kiosk/log_view.py reads and redacts).

Times are shown in China time, as the status bar's clock: the log is written in the machine's time zone, which on
an installed kiosk may well be UTC, and a technician matching a fault to "what happened at 10:15" reads the clock.
"""
from __future__ import annotations

import logging
from datetime import datetime
from typing import Callable

from PySide6.QtCore import QT_TRANSLATE_NOOP
from PySide6.QtWidgets import QButtonGroup, QHBoxLayout, QVBoxLayout, QWidget

from kiosk.ids import CST
from kiosk.log_view import LogPage, read_page
from ui.screens.maint_widgets import text_list
from ui.tasks import Tasks
from ui.widgets import button, label

log = logging.getLogger(__name__)

GROUP = "maint-logs"
FILTERS = (("DEBUG", QT_TRANSLATE_NOOP("LogsPanel", "全部")), ("INFO", QT_TRANSLATE_NOOP("LogsPanel", "信息及以上")),
           ("WARNING", QT_TRANSLATE_NOOP("LogsPanel", "警告及以上")), ("ERROR", QT_TRANSLATE_NOOP("LogsPanel", "仅错误")))
LEVEL_WORDS = {"DEBUG": QT_TRANSLATE_NOOP("LogsPanel", "调试"), "INFO": QT_TRANSLATE_NOOP("LogsPanel", "信息"),
               "WARNING": QT_TRANSLATE_NOOP("LogsPanel", "警告"), "ERROR": QT_TRANSLATE_NOOP("LogsPanel", "错误"),
               "CRITICAL": QT_TRANSLATE_NOOP("LogsPanel", "严重")}


class LogsPanel(QWidget):
    def __init__(self, core, tasks: Tasks, technician: Callable[[], str | None], parent: QWidget | None = None):
        super().__init__(parent)
        self.title = self.tr("日志")
        self.core, self.tasks, self.technician = core, tasks, technician
        self.level, self.page = "INFO", 0
        self.levels = QButtonGroup(self)
        filters = QHBoxLayout()
        for index, (level, words) in enumerate(FILTERS):
            choice = button(self.tr(words), "choice", checkable=True)
            choice.setChecked(level == self.level)
            self.levels.addButton(choice, index)
            filters.addWidget(choice)
        self.levels.idClicked.connect(lambda index: self.show_level(FILTERS[index][0]))
        self.lines = text_list(QT_TRANSLATE_NOOP("Accessible", "日志"))
        self.newer = button(self.tr("‹ 较新"))
        self.older = button(self.tr("较早 ›"))
        self.newer.clicked.connect(lambda: self.show_page(self.page - 1))
        self.older.clicked.connect(lambda: self.show_page(self.page + 1))
        self.where = label("", wrap=False)
        pages = QHBoxLayout()
        pages.addWidget(self.newer)
        pages.addWidget(self.where, 1)
        pages.addWidget(self.older)
        box = QVBoxLayout(self)
        box.setContentsMargins(24, 12, 24, 12)
        box.setSpacing(10)
        box.addLayout(filters)
        box.addWidget(self.lines, 1)
        box.addLayout(pages)

    # --- contract ------------------------------------------------------------------------------------------
    def refresh(self) -> None:
        level, page = self.level, self.page
        self.tasks.run("db", lambda: read_page(self.core.data_dir, level, page), self.show_log, self._unreadable,
                       group=GROUP)

    def clear(self) -> None:
        self.tasks.forget(GROUP)
        self.lines.clear()
        self.where.clear()
        self.page = 0

    # --- paging and filter ---------------------------------------------------------------------------------
    def show_level(self, level: str) -> None:
        self.level, self.page = level, 0
        self.refresh()

    def show_page(self, page: int) -> None:
        self.page = max(page, 0)
        self.refresh()

    def show_log(self, page: LogPage) -> None:
        self.page = page.page
        self.lines.clear()
        for entry in page.entries:
            head = f"{station_time(entry.at)}  {self.tr(LEVEL_WORDS[entry.level])}  {entry.source}: {entry.text}"
            self.lines.addItem("\n".join([head, *(f"    {more}" for more in entry.more[-12:])]))
        if not page.entries:
            self.lines.addItem(self.tr("没有这一级别的日志"))
        self.where.setText(self.tr("第 {p} / {n} 页 · 共 {t} 条（最新的在前）").format(
            p=page.page + 1, n=page.pages, t=page.total))
        self.newer.setEnabled(page.page > 0)
        self.older.setEnabled(page.page < page.pages - 1)

    def _unreadable(self, error: BaseException) -> None:
        log.error("log unreadable: %s", type(error).__name__)
        self.lines.clear()
        self.lines.addItem(self.tr("日志读取失败"))


def station_time(at: str) -> str:
    """A logged time (the machine's own zone, "2026-11-25 22:17:48") as month, day and time in China time."""
    try:
        logged = datetime.strptime(at[:19], "%Y-%m-%d %H:%M:%S")
    except ValueError:
        return at[5:]
    return logged.astimezone(CST).strftime("%m-%d %H:%M:%S")   # a naive time is the machine's local time
