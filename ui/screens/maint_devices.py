"""Maintenance tab 设备: each device family's health, 重新扫描 (hot-plug now) and the three tests.

The panel only schedules and renders: kiosk/device_tests.py does the work on a Tasks lane (the printer on "db",
the card on "card", the scanner on "qr") and audits each test as `device_test` with its outcome. A card test shows
the document type and the number's tail, a scan test the kind of code: nothing else of them reaches the screen.
"""
from __future__ import annotations

import logging
from typing import Callable

from PySide6.QtCore import QT_TRANSLATE_NOOP
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QVBoxLayout, QWidget

from kiosk.device_tests import FAULT_ADVICE, DeviceTests, FamilyStatus, TestOutcome, backend_words, rescan
from local_db import audit
from ui.screens.maint_widgets import STATE_WORDS, ResultBox, tr, worded
from ui.tasks import Tasks
from ui.widgets import button, label

log = logging.getLogger(__name__)

GROUP = "maint-devices"
# worded through ui.screens.maint_widgets.tr (context "Maintenance")
FAMILY_NAMES = {"idcard": QT_TRANSLATE_NOOP("Maintenance", "身份证读卡器"),
                "smartcard": QT_TRANSLATE_NOOP("Maintenance", "社保卡读卡器"),
                "qr": QT_TRANSLATE_NOOP("Maintenance", "扫码器"),
                "printer": QT_TRANSLATE_NOOP("Maintenance", "回执打印机")}
WAITING = {"printer": QT_TRANSLATE_NOOP("Maintenance", "正在打印测试页…"),
           "idcard": QT_TRANSLATE_NOOP("Maintenance", "请在 {s} 秒内把身份证放在读卡区…"),
           "qr": QT_TRANSLATE_NOOP("Maintenance", "请在 {s} 秒内把二维码对准扫码窗口…")}
DONE = {"printer": QT_TRANSLATE_NOOP("Maintenance", "测试页已打印，请查看出纸"),
        "idcard": QT_TRANSLATE_NOOP("Maintenance", "读卡正常"),
        "qr": QT_TRANSLATE_NOOP("Maintenance", "扫码正常")}


class DevicesPanel(QWidget):
    def __init__(self, core, tasks: Tasks, technician: Callable[[], str | None], parent: QWidget | None = None):
        super().__init__(parent)
        self.title = self.tr("设备")
        self.core, self.tasks, self.technician = core, tasks, technician
        self.tests = DeviceTests(core.devices, core.config)
        self.grid = QGridLayout()
        self.grid.setHorizontalSpacing(24)
        self.rescan_button = button(self.tr("重新扫描"))
        self.print_button = button(self.tr("测试打印"), "primary")
        self.card_button = button(self.tr("读卡测试"), "primary")
        self.qr_button = button(self.tr("扫码测试"), "primary")
        self.rescan_button.clicked.connect(self.rescan)
        self.print_button.clicked.connect(lambda: self.run_test("printer", "db", self.tests.test_print))
        self.card_button.clicked.connect(lambda: self.run_test("idcard", "card", self.tests.read_card))
        self.qr_button.clicked.connect(lambda: self.run_test("qr", "qr", self.tests.scan_code))
        self.result = ResultBox()
        self._lay_out()

    def _lay_out(self) -> None:
        buttons = QHBoxLayout()
        buttons.setSpacing(16)
        for each in (self.rescan_button, self.print_button, self.card_button, self.qr_button):
            buttons.addWidget(each)
        box = QVBoxLayout(self)
        box.setContentsMargins(24, 16, 24, 16)
        box.setSpacing(10)
        box.addWidget(label(self.tr("设备状态"), "section"))
        box.addLayout(self.grid)
        box.addLayout(buttons)
        box.addWidget(self.result)
        box.addStretch(1)
        box.addWidget(label(self.tr("读卡测试只显示证件类型和号码末四位；扫码测试只显示码的类型和校验结果。"
                                    "测试内容不保存、不记日志。每次测试都记入审计。"), "small"))

    # --- contract ------------------------------------------------------------------------------------------
    def refresh(self) -> None:
        """Probe every family now (the monitor's own round), so a fault a test just met shows in the table."""
        self.tasks.run("db", lambda: rescan(self.core.devices), self.show_status, self._status_failed, group=GROUP)

    def clear(self) -> None:
        self.tasks.forget(GROUP)
        self.tests.cancel_card()          # a read still waiting for a card stops now
        self.result.clear()
        self._fill([])
        self.set_busy(False)

    # --- status --------------------------------------------------------------------------------------------
    def rescan(self) -> None:
        self.set_busy(True)
        self.tasks.run("db", self._rescan_and_audit, self._rescanned, self._status_failed, group=GROUP)

    def _rescan_and_audit(self) -> list[FamilyStatus]:
        rows = rescan(self.core.devices)
        self._audit("all", "ok")
        return rows

    def _rescanned(self, rows: list[FamilyStatus]) -> None:
        self.set_busy(False)
        self.show_status(rows)
        self.result.show_result("ok", self.tr("已重新扫描设备"))

    def show_status(self, rows: list[FamilyStatus]) -> None:
        self._fill(rows)

    def _status_failed(self, error: BaseException) -> None:
        log.error("device status unavailable: %s", type(error).__name__)
        self.set_busy(False)
        self.result.show_result("error", self.tr("设备状态读取失败"), [self.tr("详情见日志")])

    def _fill(self, rows: list[FamilyStatus]) -> None:
        while self.grid.count():
            widget = self.grid.takeAt(0).widget()
            widget.hide()
            widget.deleteLater()
        for row, status in enumerate(rows):
            cells = (label(tr(FAMILY_NAMES[status.family]), wrap=False), label(self._state(status), wrap=False),
                     worded(tr(backend_words(status.backend)), status.backend), self._reason(status))
            for column, cell in enumerate(cells):
                self.grid.addWidget(cell, row, column)
        self.grid.setColumnStretch(3, 1)

    def _state(self, status: FamilyStatus) -> str:
        return tr(STATE_WORDS[status.state.value]) if status.enabled else self.tr("— 不使用")

    def _reason(self, status: FamilyStatus) -> QWidget:
        if not status.enabled:   # turned off on purpose: say where it is turned on, not that it is missing
            return worded(self.tr("可在“设置”中修改 {key} 启用").format(key=f"{status.family}_backend"))
        return worded(tr(status.words), status.reason)

    # --- tests ---------------------------------------------------------------------------------------------
    def run_test(self, family: str, lane: str, work: Callable[[], TestOutcome]) -> None:
        self.set_busy(True)
        self.result.show_result("warn", tr(WAITING[family]).format(s=int(self.tests.timeout_s)))
        self.tasks.run(lane, work, self._tested, self._test_broken, group=GROUP)

    def _tested(self, outcome: TestOutcome) -> None:
        self.set_busy(False)
        self.tasks.run("db", lambda: self._audit(outcome.family, outcome.audit_outcome), lambda _e: None,
                       lambda error: log.error("device test not audited: %s", type(error).__name__))
        if outcome.ok:
            facts = "　".join(f"{tr(name)}：{tr(value)}" for name, value in outcome.facts)
            self.result.show_result("ok", tr(DONE[outcome.family]), [facts])
        elif outcome.fault is not None:
            self.result.show_result("error", tr(FAULT_ADVICE[outcome.fault]),
                                    [self.tr("故障代码：{code}").format(code=outcome.fault.value)])
        else:
            self.result.show_result("error", self.tr("测试出错（{detail}）").format(detail=outcome.detail),
                                    [self.tr("详情见“日志”")])
        self.refresh()

    def _test_broken(self, error: BaseException) -> None:
        log.error("device test failed: %s", type(error).__name__)
        self.set_busy(False)
        self.result.show_result("error", self.tr("测试出错"), [self.tr("详情见“日志”")])

    def _audit(self, family: str, outcome: str) -> None:
        actor = self.technician()
        if actor is not None:
            self.core.audit.record(actor, audit.DEVICE_TEST, family, outcome)

    def set_busy(self, busy: bool) -> None:
        for each in (self.rescan_button, self.print_button, self.card_button, self.qr_button):
            each.setEnabled(not busy)
