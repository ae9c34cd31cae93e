"""办件查询: type the receipt number or show the receipt's QR code; the last known state, in plain words."""
from __future__ import annotations

from typing import Callable

from PySide6.QtCore import QT_TRANSLATE_NOOP, Signal
from PySide6.QtWidgets import QHBoxLayout, QLineEdit, QWidget

from kiosk.flow import PrintOutcome
from kiosk.progress import Progress, receipt_from_code
from ui.i18n import data_text
from ui.messages import message_for, message_for_error
from ui.a11y import name
from ui.tasks import Tasks
from ui.widgets import ErrorPanel, Screen, button, frame, label


class ProgressScreen(Screen):
    answered = Signal(object)   # Progress | None, for tests
    print_finished = Signal(object)   # PrintOutcome | BaseException, for tests
    rating_requested = Signal(str, str)   # service code (progress_query | certificate_print), the item's name

    def __init__(self, lookup: Callable[[str], Progress | None], scan: Callable[[], str], tasks: Tasks,
                 print_certificate: Callable[[str], PrintOutcome] | None = None, parent: QWidget | None = None):
        super().__init__(self.tr("查询办理进度"), parent=parent)
        self._lookup, self._scan, self._tasks = lookup, scan, tasks
        self._print_certificate = print_certificate
        self._shown: Progress | None = None
        self.box = QLineEdit()
        self.box.setPlaceholderText(self.tr("输入回执号，例如 DH001-20261125-0001"))
        name(self.box, QT_TRANSLATE_NOOP("Accessible", "回执号"))
        self.box.returnPressed.connect(self.ask)
        ask = button(self.tr("查询"), "primary")
        ask.clicked.connect(self.ask)
        self.scan_button = button(self.tr("扫回执上的二维码"))
        self.scan_button.clicked.connect(self.scan)
        row = QHBoxLayout()
        row.addWidget(self.box, 1)
        row.addWidget(ask)
        row.addWidget(self.scan_button)
        self.body.addLayout(row)
        self.error = ErrorPanel()
        self.body.addWidget(self.error)
        self.result = frame("card")
        self.headline = label("", "huge")
        self.details = label("", "big")
        self.result.layout().addWidget(self.headline)
        self.result.layout().addWidget(self.details)
        self.print_button = button(self.tr("打印证明"), "primary")
        self.print_button.clicked.connect(self.print_certificate)
        self.print_note = label("", "big")
        self.result.layout().addWidget(self.print_button)
        self.result.layout().addWidget(self.print_note)
        self.rate_button = button(self.tr("评价本次服务"))   # 好差评 after a query, or after printing the certificate
        self.rate_button.clicked.connect(self._rate)
        self.result.layout().addWidget(self.rate_button)
        self._printed_certificate = False
        self.result.hide()
        self.body.addWidget(self.result)
        self.body.addWidget(label(self.tr("进度来自上次联网时的记录；没联网时显示的是本机最后知道的情况。"), "hint"))
        self.body.addStretch(1)

    def ask(self) -> None:
        self._ask_for(self.box.text())

    def scan(self) -> None:
        self.scan_button.setEnabled(False)
        self._tasks.run("qr", self._scan, self._scanned,
                        lambda error: (self.scan_button.setEnabled(True),
                                       self._say(self.tr("没有扫到回执上的二维码"), self.tr("请把回执上的二维码对准扫码口，或直接输入回执号"))),
                        group="progress")

    def _scanned(self, text: str) -> None:
        self.scan_button.setEnabled(True)
        self._ask_for(text)

    def _ask_for(self, text: str) -> None:
        receipt_no = receipt_from_code(text)
        if receipt_no is None:
            self._say(self.tr("这不是本机的回执号"), self.tr("回执号像 DH001-20261125-0001，印在回执最上面"))
            return
        self.box.setText(receipt_no)
        self._tasks.run("db", lambda: self._lookup(receipt_no), self._show, lambda error: self._say(
            self.tr("暂时查不到"), self.tr("请稍后再试，或拨打回执上的电话")), group="progress")

    def _show(self, progress: Progress | None) -> None:
        self._shown = progress
        self.answered.emit(progress)
        if progress is None:
            self._say(self.tr("本机没有这个回执号的申请"), self.tr("请核对回执号；在别处提交的申请请拨打回执上的电话查询"))
            return
        self.error.clear()
        self.headline.setText(self._status_text(progress))
        lines = [self.tr("办理事项：{item}").format(item=data_text(progress.item_name)),
                 self.tr("提交时间：{at}").format(at=progress.submitted_local)]
        if progress.note:
            lines.append(self.tr("说明：{note}").format(note=progress.note))
        if progress.certificate_number:
            lines.append(self.tr("证明：{title}（编号 {number}）").format(title=progress.certificate_title,
                                                                    number=progress.certificate_number))
        self.details.setText("\n".join(lines))
        self.print_button.setVisible(bool(progress.certificate_number) and self._print_certificate is not None)
        self.print_button.setEnabled(True)
        self.print_note.clear()
        self._printed_certificate = False
        self.result.show()

    def print_certificate(self) -> None:
        """证明直通车: the issued certificate, printed on the receipt printer (db lane, like receipts)."""
        progress, printer = self._shown, self._print_certificate
        if progress is None or printer is None:
            return
        self.print_button.setEnabled(False)
        self.error.clear()
        self.print_note.setText(self.tr("正在打印证明…"))
        self._tasks.run("db", lambda: printer(progress.receipt_no), self._printed, self._print_failed,
                        group="progress")

    def _printed(self, outcome: PrintOutcome) -> None:
        self.print_button.setEnabled(True)
        if outcome.printed:
            self.print_note.setText(self.tr("证明已打印，请从出纸口取走"))
            self._printed_certificate = True
        else:
            message = message_for(outcome.fault)
            self.print_note.setText(self.tr("证明没有打印出来，已保存在本机，可以再打印"))
            self.error.show_message(message.text, message.next_step)
        self.print_finished.emit(outcome)

    def _print_failed(self, error: BaseException) -> None:
        self.print_button.setEnabled(True)
        self.print_note.clear()
        message = message_for_error(error)
        self.error.show_message(message.text, message.next_step)
        self.print_finished.emit(error)

    def _rate(self) -> None:
        progress = self._shown
        service = "certificate_print" if self._printed_certificate else "progress_query"
        self.rating_requested.emit(service, progress.item_name if progress is not None else "")

    def _status_text(self, progress: Progress) -> str:
        words = {
            "accepted": self.tr("已受理，正在办理"),
            "needs_material": self.tr("需要补充材料"),
            "done": self.tr("已办结"),
            "certificate_issued": self.tr("证明已出具"),
            "at_town": self.tr("已转镇审核"),
            "at_district": self.tr("已转区部门审核"),
            "rejected": self.tr("未予受理"),
        }
        if progress.status in words:
            return words[progress.status]
        return self.tr("已上报，等待受理") if progress.delivered else self.tr("已保存在本机，联网后自动上报")

    def _say(self, text: str, next_step: str) -> None:
        self.result.hide()
        self.error.show_message(text, next_step)

    def clear_personal(self) -> None:
        self._shown = None
        self._printed_certificate = False
        self.print_note.clear()
        self.box.clear()
        self.headline.clear()
        self.details.clear()
        self.result.hide()
        self.error.clear()
