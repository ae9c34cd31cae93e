"""Maintenance tab 数据库: integrity check, backups (make one, list them, restore one), the notices of what happened
while no technician was there (a database restored at start), and the encrypted diagnostic export to USB.

A restore replaces the database file, which the running kiosk holds open: it is checked and staged here, done at
the next start, and the panel asks for that restart through `restart_requested` (the shell quits the app; the
service manager starts it again). The logic is local_db/ (backup, integrity, recovery, notices) and
kiosk/usb_export.py; this module schedules it on the db lane and renders it.
"""
from __future__ import annotations

import logging
from datetime import timedelta, timezone
from pathlib import Path
from typing import Callable

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QVBoxLayout, QWidget

from kiosk.usb_export import ExportError, export_for_core, find_sticks
from local_db import backup as bk
from local_db import notices, recovery
from local_db.integrity import IntegrityReport, check
from ui.tasks import Tasks
from ui.widgets import button, clear_layout, label, scrolling_rows

log = logging.getLogger(__name__)

GROUP = "maint-database"
CST = timezone(timedelta(hours=8))


def _when(moment) -> str:
    return moment.astimezone(CST).strftime("%Y-%m-%d %H:%M")


def _size(size: int) -> str:
    return f"{size / 1024 / 1024:.1f} MB" if size >= 1024 * 1024 else f"{max(size, 1) // 1024 or 1} KB"


class DatabasePanel(QWidget):
    restart_requested = Signal()   # a restore is staged: the kiosk must restart to carry it out
    done = Signal(str)             # an action finished (tests wait on it): its name

    def __init__(self, core, tasks: Tasks, technician: Callable[[], str | None], parent: QWidget | None = None):
        super().__init__(parent)
        self.title = self.tr("数据库")
        self.core, self.tasks, self.technician = core, tasks, technician
        self.data_dir = Path(core.data_dir)
        self.pending_restore: str | None = None
        self._build()

    # --- layout ------------------------------------------------------------------------------------------------

    def _build(self) -> None:
        outer = QVBoxLayout(self)
        actions = QHBoxLayout()
        self.check_button = button(self.tr("检查完整性"))
        self.check_button.clicked.connect(self.check)
        self.backup_button = button(self.tr("立即备份"), "primary")
        self.backup_button.clicked.connect(self.backup_now)
        self.refresh_button = button(self.tr("刷新"))
        self.refresh_button.clicked.connect(self.refresh)
        for widget in (self.check_button, self.backup_button, self.refresh_button):
            actions.addWidget(widget)
        actions.addStretch(1)
        outer.addLayout(actions)
        self.result = label("")
        outer.addWidget(self.result)
        self.confirm = self._confirm_frame()
        outer.addWidget(self.confirm)
        body = QVBoxLayout()
        self.rows = scrolling_rows(body)
        outer.addLayout(body, 1)

    def _confirm_frame(self) -> QFrame:
        frame = QFrame()
        frame.setProperty("role", "warn")
        box = QVBoxLayout(frame)
        self.confirm_text = label("")
        box.addWidget(self.confirm_text)
        row = QHBoxLayout()
        self.cancel_button = button(self.tr("取消"))
        self.cancel_button.clicked.connect(self.cancel_restore)
        self.confirm_button = button(self.tr("确认恢复并重启"), "danger")
        self.confirm_button.clicked.connect(self.confirm_restore)
        row.addStretch(1)
        row.addWidget(self.cancel_button)
        row.addWidget(self.confirm_button)
        box.addLayout(row)
        frame.hide()
        return frame

    # --- loading -----------------------------------------------------------------------------------------------

    def refresh(self) -> None:
        def load():
            return notices.Notices(self.data_dir).pending(), bk.statuses(self.data_dir), find_sticks()

        self.tasks.run("db", load, self._show, self._failed, group=GROUP)

    def _show(self, loaded) -> None:
        pending, backups, sticks = loaded
        clear_layout(self.rows)
        if pending:
            self.rows.addWidget(label(self.tr("技术员通知"), "section"))
            for notice in pending:
                self.rows.addLayout(self._notice_row(notice))
        self.rows.addWidget(label(self.tr("备份"), "section"))
        if not backups:
            self.rows.addWidget(label(self.tr("还没有备份")))
        for status in backups:
            self.rows.addLayout(self._backup_row(status))
        self.rows.addWidget(label(self.tr("导出诊断到U盘（加密）"), "section"))
        if not self.core.config["diagnostics_public_key"].strip():
            self.rows.addWidget(label(self.tr("未设置区级诊断公钥（diagnostics_public_key），不能导出")))
        elif not sticks:
            self.rows.addWidget(label(self.tr("未找到U盘：请插入后点“刷新”")))
        for stick in sticks:
            text = self.tr("导出诊断到U盘") + f"：{stick.label}（{self.tr('可用')} {_size(stick.free_bytes)}）"
            export = button(text)
            export.setEnabled(not stick.read_only)
            export.clicked.connect(lambda _=False, s=stick: self.export(s))
            self.rows.addWidget(export)
        self.rows.addStretch(1)
        self.done.emit("refresh")

    def _notice_row(self, notice: dict) -> QHBoxLayout:
        row = QHBoxLayout()
        row.addWidget(label(notices.notice_text(notice)), 1)
        ack = button(self.tr("知道了"))
        ack.clicked.connect(lambda _=False, nid=notice["id"]: self.acknowledge(nid))
        row.addWidget(ack)
        return row

    def _backup_row(self, status: bk.BackupStatus) -> QHBoxLayout:
        row = QHBoxLayout()
        state = self.tr("可用于恢复") if status.ok else self.tr(status.reason)
        row.addWidget(label(f"{_when(status.info.taken_at)}  {_size(status.info.size)}  {state}"), 1)
        restore = button(self.tr("恢复"))
        restore.setProperty("backup", status.info.name)
        restore.setEnabled(status.ok)
        restore.clicked.connect(lambda _=False, info=status.info: self.ask_restore(info))
        row.addWidget(restore)
        return row

    # --- actions -----------------------------------------------------------------------------------------------

    def check(self) -> None:
        self.result.setText(self.tr("正在检查，数据库较大时需要一两分钟…"))
        self.tasks.run("db", lambda: check(self.data_dir / bk.DB_FILE), self._checked, self._failed, group=GROUP)

    def _checked(self, report: IntegrityReport) -> None:
        lines = [self.tr("完整性：") + (self.tr("正常") if report.ok else "；".join(report.integrity[:3])),
                 self.tr("外键问题：%n 处", "", report.foreign_key_violations)]
        chain = report.chain or {}
        lines.append(self.tr("审计链：") + (self.tr("完整（%n 条）", "", chain.get("checked", 0)) if chain.get("ok")
                                          else self.tr("有问题：") + str(chain.get("problem") or chain.get("detail"))))
        self.result.setText("\n".join(lines))
        self.done.emit("check")

    def backup_now(self) -> None:
        actor = self._actor()
        if actor is None:
            return
        self.result.setText(self.tr("正在备份…"))
        keep = self.core.config["backup_keep"]
        self.tasks.run("db", lambda: bk.backup_now(self.data_dir, keep, self.core.audit, actor),
                       self._backed_up, self._failed, group=GROUP)

    def _backed_up(self, info: bk.BackupInfo) -> None:
        self.result.setText(self.tr("备份完成：") + f"{_when(info.taken_at)}  {_size(info.size)}")
        self.done.emit("backup")
        self.refresh()

    def ask_restore(self, info: bk.BackupInfo) -> None:
        self.pending_restore = info.name
        self.confirm_text.setText(self.tr("恢复到 %1 的备份？当前数据库会改名保留，备份之后办理的记录会尽量从中带回。"
                                          "恢复需要重新启动本机，期间暂停服务约一分钟。").replace("%1", _when(info.taken_at)))
        self.confirm.show()

    def cancel_restore(self) -> None:
        self.pending_restore = None
        self.confirm.hide()

    def confirm_restore(self) -> None:
        actor = self._actor()
        if actor is None or self.pending_restore is None:
            return
        name = self.pending_restore
        self.confirm_button.setEnabled(False)
        self.tasks.run("db", lambda: recovery.order_restore(self.data_dir, name, self.core.audit, actor),
                       self._restore_ordered, self._failed, group=GROUP)

    def _restore_ordered(self, _none) -> None:
        self.confirm.hide()
        self.confirm_button.setEnabled(True)
        self.pending_restore = None
        self.result.setText(self.tr("已安排恢复：本机正在重新启动，启动时完成恢复。"))
        self.done.emit("restore")
        self.restart_requested.emit()

    def acknowledge(self, notice_id: str) -> None:
        actor = self._actor()
        if actor is None:
            return
        self.tasks.run("db", lambda: notices.acknowledge(self.data_dir, notice_id, self.core.audit, actor),
                       lambda _done: self.refresh(), self._failed, group=GROUP)

    def export(self, stick) -> None:
        actor = self._actor()
        if actor is None:
            return
        self.result.setText(self.tr("正在导出，请勿拔出U盘…"))
        self.tasks.run("db", lambda: export_for_core(self.core, stick, actor), self._exported, self._failed,
                       group=GROUP)

    def _exported(self, exported) -> None:
        self.result.setText(self.tr("已导出（加密）：") + exported.path.name + self.tr("。现在可以拔出U盘。"))
        self.done.emit("export")

    def _actor(self) -> str | None:
        actor = self.technician()
        if actor is None:
            self.result.setText(self.tr("请先以技术员身份登录"))
        return actor

    def _failed(self, exc: BaseException) -> None:
        self.confirm_button.setEnabled(True)
        if isinstance(exc, (bk.BackupError, ExportError)):
            self.result.setText(str(exc))
        else:
            log.error("database panel: %s", type(exc).__name__, exc_info=exc)
            self.result.setText(self.tr("操作失败，请查看日志"))
        self.done.emit("failed")

    def clear(self) -> None:
        self.tasks.forget(GROUP)
        clear_layout(self.rows)
        self.result.clear()
        self.cancel_restore()
