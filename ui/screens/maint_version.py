"""Maintenance panel 版本与更新: software version, releases, the update in progress and what became of earlier
ones; 立即检查更新 wakes sync, 立即安装 applies a staged update now (a second tap confirms; audited)."""
from __future__ import annotations

import logging
from datetime import datetime
from typing import Callable

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QTimer
from PySide6.QtWidgets import QVBoxLayout, QWidget

from kiosk.ids import CST, Clock, utc_now
from kiosk.updates import (APPLIED, APPLYING, DOWNLOADING, REFUSED, ROLLED_BACK, STAGED, VERIFIED, ApplyResult,
                           QuietWindow, VersionReport, managed_app_root, version_report)
from local_db.audit import TECHNICIAN
from ui.update_timer import SYNC_BUSY, install_staged, request_restart
from ui.widgets import button, hbox, label

log = logging.getLogger(__name__)
CONFIRM_MS = 10_000   # the second tap of 立即安装 must come within this

REASONS = {
    "bad_signature": QT_TRANSLATE_NOOP("VersionPanel", "签名无效，不是本区平台发布的"),
    "stale_bundle": QT_TRANSLATE_NOOP("VersionPanel", "更新说明的版本不比已收到的新"),
    "bad_manifest": QT_TRANSLATE_NOOP("VersionPanel", "更新说明格式错误"),
    "not_newer": QT_TRANSLATE_NOOP("VersionPanel", "版本不比正在运行的新"),
    "too_old": QT_TRANSLATE_NOOP("VersionPanel", "本机版本过旧，需由技术员重新安装软件包"),
    "disk_full": QT_TRANSLATE_NOOP("VersionPanel", "磁盘空间不足，已删除下载的部分，一小时后重试"),
    "archive_missing": QT_TRANSLATE_NOOP("VersionPanel", "平台上找不到更新文件，一小时后重试"),
    "size_mismatch": QT_TRANSLATE_NOOP("VersionPanel", "文件大小与签名说明不符，已删除"),
    "hash_mismatch": QT_TRANSLATE_NOOP("VersionPanel", "文件校验值与签名说明不符，已删除"),
    "unsafe_archive": QT_TRANSLATE_NOOP("VersionPanel", "更新包含有不安全的路径或链接"),
    "bad_archive": QT_TRANSLATE_NOOP("VersionPanel", "更新包已损坏"),
    "no_main": QT_TRANSLATE_NOOP("VersionPanel", "更新包缺少主程序 main.py"),
    "version_mismatch": QT_TRANSLATE_NOOP("VersionPanel", "更新包内的版本号与说明不符"),
    "backup_failed": QT_TRANSLATE_NOOP("VersionPanel", "数据库备份失败，未安装，下个静默时段重试"),
    "failed_starts": QT_TRANSLATE_NOOP("VersionPanel", "新版本多次未能启动"),
    "release_missing": QT_TRANSLATE_NOOP("VersionPanel", "新版本的文件不见了"),
    "backup_missing": QT_TRANSLATE_NOOP("VersionPanel", "找不到安装前的数据库备份，数据库未恢复，请联系技术支持"),
}
OUTCOMES = {
    "confirmed": QT_TRANSLATE_NOOP("VersionPanel", "安装成功"),
    "rolled_back": QT_TRANSLATE_NOOP("VersionPanel", "已回退"),
    "refused": QT_TRANSLATE_NOOP("VersionPanel", "已拒绝"),
}


def _t(text: str) -> str:
    return QCoreApplication.translate("VersionPanel", text)


class VersionPanel(QWidget):
    def __init__(self, core, tasks, technician: Callable[[], str | None], parent: QWidget | None = None):
        super().__init__(parent)
        self.core, self.tasks, self.technician = core, tasks, technician
        self.title = self.tr("版本与更新")
        self.app_root = managed_app_root()
        self.quiet = QuietWindow.from_config(core.config)
        self.clock: Clock = utc_now
        self.restart: Callable[[], None] = request_restart   # tests put a recorder here
        self.report: VersionReport | None = None
        self._armed = False
        self._disarm = QTimer(self)
        self._disarm.setSingleShot(True)
        self._disarm.setInterval(CONFIRM_MS)
        self._disarm.timeout.connect(self._reset_install)
        self._build()

    def _build(self) -> None:
        self.version_label = label("", "big")
        self.managed_label = label("")
        self.releases_label = label("")
        self.update_label = label("", "section")
        self.notes_label = label("")
        self.quiet_label = label("")
        self.refusal_label = label("", "warn")
        self.history_label = label("", "small")
        self.message = label("", "hint")
        self.check_button = button(self.tr("立即检查更新"))
        self.install_button = button(self.tr("立即安装"), "primary")
        self.check_button.clicked.connect(self._check_now)
        self.install_button.clicked.connect(self._install_tapped)
        box = QVBoxLayout(self)
        for widget in (self.version_label, self.managed_label, self.releases_label, self.update_label,
                       self.notes_label, self.quiet_label, self.refusal_label, label(self.tr("更新记录"), "section"),
                       self.history_label):
            box.addWidget(widget)
        box.addStretch(1)
        box.addLayout(hbox(self.check_button, self.install_button, stretch_first=True))
        box.addWidget(self.message)
        self.clear()

    # --- the panel contract ----------------------------------------------------------------------------------
    def refresh(self) -> None:
        data_dir, app_root, quiet = self.core.data_dir, self.app_root, self.quiet
        self.tasks.run("db", lambda: version_report(data_dir, app_root, quiet), self._show, self._show_error)

    def clear(self) -> None:
        self.report = None
        for widget in (self.version_label, self.managed_label, self.releases_label, self.update_label,
                       self.notes_label, self.quiet_label, self.refusal_label, self.history_label, self.message):
            widget.setText("")
        self.refusal_label.hide()
        self._reset_install()
        self.install_button.setEnabled(False)

    # --- showing ---------------------------------------------------------------------------------------------
    def _show(self, report: VersionReport) -> None:
        self.report = report
        self.version_label.setText(self.tr("软件版本：{version}").format(version=report.running))
        if report.managed:
            self.managed_label.setText(self.tr("由安装包管理（{root}）").format(root=report.app_root))
            self.releases_label.setText(self.tr("当前版本：{current}　上一版本：{previous}　本机已有：{all}").format(
                current=report.current or "—", previous=report.previous or "—",
                all="、".join(report.releases) or "—"))
        else:
            self.managed_label.setText(self.tr("开发环境（未设置 ZDB_APP_ROOT）：更新只下载校验，不安装"))
            self.releases_label.setText("")
        if report.state_problem:
            self.releases_label.setText(self.tr("版本记录文件无法读取：{problem}").format(problem=report.state_problem))
        self.update_label.setText(self._update_text(report))
        notes = report.status.notes if report.status.state != REFUSED else ""
        self.notes_label.setText(self.tr("更新说明：{notes}").format(notes=notes) if notes else "")
        self.quiet_label.setText(self.tr("自动安装时段：每天 {window}（无人使用时）").format(window=report.quiet))
        self._show_refusal(report)
        self.history_label.setText("\n".join(self._history_line(h) for h in report.history[:8]) or self.tr("暂无"))
        self.install_button.setEnabled(report.managed and report.status.state == STAGED and report.trial is None)

    def _update_text(self, report: VersionReport) -> str:
        s = report.status
        if report.trial is not None:
            return self.tr("{version} 试运行中（已启动 {starts} 次，未确认）").format(version=report.trial.version,
                                                                        starts=report.trial.starts)
        texts = {
            DOWNLOADING: lambda: self.tr("正在下载 {version}：{done}/{size} KB").format(
                version=s.version, done=s.received // 1024, size=max(1, s.size // 1024)),
            VERIFIED: lambda: self.tr("{version} 已下载并校验（开发环境，不安装）").format(version=s.version),
            STAGED: lambda: self.tr("{version} 已就绪，等待静默时段安装").format(version=s.version),
            APPLYING: lambda: self.tr("{version} 正在安装，终端将重启").format(version=s.version),
            APPLIED: lambda: self.tr("{version} 已安装并运行正常").format(version=s.version),
            REFUSED: lambda: self.tr("{version} 已拒绝：{reason}").format(version=s.version, reason=reason(s.reason)),
            ROLLED_BACK: lambda: self.tr("{version} 启动失败，已回退：{reason}").format(version=s.version,
                                                                              reason=reason(s.reason)),
        }
        return texts.get(s.state, lambda: self.tr("没有待安装的更新"))()

    def _show_refusal(self, report: VersionReport) -> None:
        refusal = report.status.last_refusal
        if refusal is None or (report.status.state == REFUSED and refusal.version == report.status.version):
            self.refusal_label.hide()
            return
        self.refusal_label.setText(self.tr("最近拒绝：{version}（{at}）{reason}").format(
            version=refusal.version, at=local_time(refusal.at), reason=reason(refusal.reason)))
        self.refusal_label.show()

    def _history_line(self, entry) -> str:
        text = f"{local_time(entry.at)}　{entry.version}　{_t(OUTCOMES.get(entry.outcome, entry.outcome))}"
        return text + (f"：{reason(entry.reason)}" if entry.reason else "")

    def _show_error(self, error: BaseException) -> None:
        log.error("version panel: %s", type(error).__name__)
        self.message.setText(self.tr("读取版本信息失败（{kind}）").format(kind=type(error).__name__))

    # --- actions ---------------------------------------------------------------------------------------------
    def _check_now(self) -> None:
        if self.core.sync is None:
            self.message.setText(self.tr("本机未启用同步，无法检查更新"))
            return
        self.core.sync.wake()
        self.message.setText(self.tr("已开始同步；有新版本时会自动下载，请稍后刷新本页查看"))

    def _install_tapped(self) -> None:
        if self.report is None or not self.install_button.isEnabled():
            return
        if not self._armed:   # a technician's choice outside the quiet hour: ask once more
            self._armed = True
            self.install_button.setText(self.tr("再点一次确认安装（终端将重启）"))
            self._disarm.start()
            return
        self._reset_install()
        self.install_button.setEnabled(False)
        self.message.setText(self.tr("正在备份数据库并安装…"))
        app_root, clock = self.app_root, self.clock
        actor = self.technician() or TECHNICIAN
        core = self.core
        self.tasks.run("db", lambda: install_staged(core, app_root, clock, actor),
                       self._installed, self._show_error)

    def _installed(self, result: ApplyResult) -> None:
        if result.applied or result.reason == SYNC_BUSY:
            self.message.setText(self.tr("{version} 已安装，正在重启…").format(version=result.version))
            self.restart()
            return
        self.message.setText(self.tr("未安装：{reason}").format(reason=reason(result.reason)))
        self.refresh()

    def _reset_install(self) -> None:
        self._armed = False
        self._disarm.stop()
        self.install_button.setText(self.tr("立即安装"))


def reason(code: str) -> str:
    extra = {"nothing_staged": QT_TRANSLATE_NOOP("VersionPanel", "没有已就绪的更新"),
             "not_managed": QT_TRANSLATE_NOOP("VersionPanel", "开发环境，不安装")}
    text = REASONS.get(code) or extra.get(code)
    return _t(text) if text else code


def local_time(iso: str) -> str:
    try:
        return datetime.fromisoformat(iso).astimezone(CST).strftime("%Y-%m-%d %H:%M")
    except (TypeError, ValueError):
        return iso
