"""Maintenance tab 回执补打: the receipts the printer still owes, each with 补打, and how the reprint went.

kiosk/owed_receipts.py does the work on the "db" lane (the store's lock, and the printer, as the resident's print
does) and audits each reprint as `receipt_reprinted`. The list shows receipt number, item, filing time, attempts
and the last fault: never the resident's name or ID number.
"""
from __future__ import annotations

import logging
from typing import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QVBoxLayout, QWidget

from kiosk.owed_receipts import OwedReceipts, OwedRow, Reprint
from ui.i18n import data_text
from ui.screens.maint_widgets import ResultBox, tr, worded
from ui.tasks import Tasks
from ui.widgets import button, clear_layout, frame, label

log = logging.getLogger(__name__)

GROUP = "maint-receipts"


class ReceiptsPanel(QWidget):
    def __init__(self, core, tasks: Tasks, technician: Callable[[], str | None], parent: QWidget | None = None):
        super().__init__(parent)
        self.title = self.tr("回执补打")
        self.core, self.tasks, self.technician = core, tasks, technician
        self.owed = OwedReceipts(core.flow)
        self.summary = label("", "big")
        self.refresh_button = button(self.tr("刷新"))
        self.refresh_button.clicked.connect(self.refresh)
        self.result = ResultBox()
        self.rows = QVBoxLayout()
        self.rows.setSpacing(10)
        self.reprint_buttons: dict[str, QWidget] = {}
        self._lay_out()

    def _lay_out(self) -> None:
        head = QHBoxLayout()
        head.addWidget(self.summary, 1)
        head.addWidget(self.refresh_button)
        box = QVBoxLayout(self)
        box.setContentsMargins(24, 16, 24, 16)
        box.setSpacing(10)
        box.addLayout(head)
        box.addWidget(self.result)
        box.addLayout(self.rows)
        box.addStretch(1)
        box.addWidget(label(self.tr("打印机缺纸、纸仓盖未合或断电时，已保存的申请欠一张回执，会列在这里。"
                                    "列表不显示群众姓名和证件号；补打的回执和原回执一样只印遮挡后的姓名和证件号。"
                                    "每次补打都记入审计。"), "small"))

    # --- contract ------------------------------------------------------------------------------------------
    def refresh(self) -> None:
        if not self.reprint_buttons:
            self.summary.setText(self.tr("正在读取…"))
        self.tasks.run("db", self.owed.owed, self.show_rows, self._read_failed, group=GROUP)

    def clear(self) -> None:
        self.tasks.forget(GROUP)
        self.result.clear()
        self.summary.clear()
        self._fill([])
        self.set_busy(False)   # a reprint under way when maintenance closed: its answer is dropped

    # --- list ----------------------------------------------------------------------------------------------
    def show_rows(self, rows: list[OwedRow]) -> None:
        self._fill(rows)
        self.summary.setText(self.tr("待补打的回执 {n} 张（最早的在前）").format(n=len(rows)) if rows
                             else self.tr("没有待补打的回执"))

    def _read_failed(self, error: BaseException) -> None:
        log.error("owed receipts not read: %s", type(error).__name__)
        self.summary.setText(self.tr("待补打的回执读取失败，详情见“日志”"))

    def _fill(self, rows: list[OwedRow]) -> None:
        clear_layout(self.rows)
        self.reprint_buttons = {}
        for row in rows:
            self.rows.addWidget(self._row(row))

    def _row(self, row: OwedRow) -> QWidget:
        box = frame("card", QHBoxLayout())
        left = QVBoxLayout()
        left.setSpacing(4)
        left.addWidget(label(row.receipt_no, "big", wrap=False))
        left.addWidget(label(self.tr("{item} · 提交于 {time}").format(item=data_text(row.item_name), time=row.filed_at)))
        left.addWidget(worded(self.tr("已试 {n} 次 · {fault}").format(n=row.attempts, fault=tr(row.fault_words)),
                              row.last_error))
        again = button(self.tr("补打"), "primary")
        again.setObjectName(f"reprint-{row.receipt_no}")
        again.clicked.connect(lambda _=False, no=row.receipt_no: self.reprint(no))
        self.reprint_buttons[row.receipt_no] = again
        box.layout().addLayout(left, 1)
        box.layout().addWidget(again, 0, Qt.AlignmentFlag.AlignVCenter)
        return box

    # --- reprint -------------------------------------------------------------------------------------------
    def reprint(self, receipt_no: str) -> None:
        actor = self.technician()
        if actor is None:   # maintenance closed meanwhile
            return
        self.set_busy(True)
        self.result.show_result("warn", self.tr("正在补打回执 {no}…").format(no=receipt_no))
        self.tasks.run("db", lambda: self.owed.reprint(receipt_no, actor), self._reprinted, self._broken,
                       group=GROUP)

    def _reprinted(self, outcome: Reprint) -> None:
        self.set_busy(False)
        headline, next_step = (tr(words) if words else "" for words in outcome.words())
        lines = [next_step] if next_step else []
        if outcome.fault is not None:
            lines.append(self.tr("故障代码：{code}").format(code=outcome.fault.value))
        self.result.show_result("ok" if outcome.printed else "error",
                                self.tr("回执 {no}：{words}").format(no=outcome.receipt_no, words=headline), lines)
        self.refresh()

    def _broken(self, error: BaseException) -> None:
        log.error("reprint failed: %s", type(error).__name__)
        self.set_busy(False)
        self.result.show_result("error", self.tr("补打出错"), [self.tr("详情见“日志”")])
        self.refresh()

    def set_busy(self, busy: bool) -> None:
        for each in (self.refresh_button, *self.reprint_buttons.values()):
            each.setEnabled(not busy)
