"""拍摄材料 in an agent's filing: runs a PageCapture on the "camera" lane, previews it, and hands back to the summary.

The preview polls the capture's newest frame on a timer (the capture thread never touches Qt). The page is kept
on the resident's session as soon as it is taken; 重拍 or leaving drops it, 使用 keeps it for the save.
"""
from __future__ import annotations

import logging
from typing import Callable

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QObject, QTimer, Signal

from devices.doccam import CaptureFailed, Captured, Failure
from devices.doccam.page import Reason
from kiosk.doc_capture import PageCapture
from kiosk.flow import ResidentSession, ServiceFlow
from ui.messages import Message, message_for_error
from ui.navigation import Navigator
from ui.screens.doc_capture import DocCaptureScreen
from ui.tasks import Tasks

log = logging.getLogger(__name__)

GROUP = "doc-capture"
PREVIEW_MS = 100

_HINTS = {   # what the detector sees now, as advice (page.Reason)
    Reason.NO_PAGE.value: QT_TRANSLATE_NOOP("DocCapture", "没有看到材料：请把纸平放在拍摄区"),
    Reason.CUT_OFF.value: QT_TRANSLATE_NOOP("DocCapture", "材料没有完全在画面里：请往中间挪一挪"),
    Reason.TOO_SMALL.value: QT_TRANSLATE_NOOP("DocCapture", "材料太小：请放近一些"),
    Reason.TOO_DARK.value: QT_TRANSLATE_NOOP("DocCapture", "太暗了：请打开台灯或换个亮处"),
    Reason.TOO_BLURRY.value: QT_TRANSLATE_NOOP("DocCapture", "有点模糊：请按住纸不要动"),
    Reason.BAD_FRAME.value: QT_TRANSLATE_NOOP("DocCapture", "摄像头画面异常，正在重试"),
}
_FOUND = QT_TRANSLATE_NOOP("DocCapture", "找到材料了，请保持不动…")
_FAILURES = {
    Failure.CAMERA_ABSENT: (QT_TRANSLATE_NOOP("DocCapture", "高拍仪（拍摄材料的摄像头）无法使用"),
                            QT_TRANSLATE_NOOP("DocCapture", "请检查高拍仪的连接线后再试；也可以不拍，提交后再补材料")),
    Failure.TOO_LARGE: (QT_TRANSLATE_NOOP("DocCapture", "这一页拍得不够清楚"),
                        QT_TRANSLATE_NOOP("DocCapture", "请把纸放平、放近一些后再试一次")),
}
_NOT_FOUND = (QT_TRANSLATE_NOOP("DocCapture", "没能拍到材料"),
              QT_TRANSLATE_NOOP("DocCapture", "请把整页材料平放在拍摄区中间，按住不动，再试一次"))


def tr(source: str) -> str:
    return QCoreApplication.translate("DocCapture", source)


class DocCaptureController(QObject):
    finished = Signal()   # back to the summary (a page used or not)

    def __init__(self, flow: ServiceFlow, session: Callable[[], ResidentSession | None],
                 open_source: Callable[[], object] | None, tasks: Tasks, nav: Navigator, screen: DocCaptureScreen,
                 parent: QObject | None = None):
        super().__init__(parent)
        self.flow, self.session, self.open_source = flow, session, open_source
        self.tasks, self.nav, self.screen = tasks, nav, screen
        self.capture: PageCapture | None = None
        self.taken: str | None = None          # the sha of the page on screen, not yet used or retaken
        self._timer = QTimer(self, interval=PREVIEW_MS, timeout=self._preview)
        screen.retake_requested.connect(self.retake)
        screen.use_requested.connect(self.use)
        screen.back_requested.connect(self.leave)
        screen.home_requested.connect(self.leave)

    def open(self) -> None:
        self.nav.open(lambda: self.screen, remember=False)
        self.start()

    def start(self) -> None:
        session = self.session()
        if session is None:
            return
        self.screen.show_live()
        if self.open_source is None:
            self._done(CaptureFailed(Failure.CAMERA_ABSENT, 0))
            return
        capture = PageCapture(self.open_source, lambda jpeg: self.flow.keep_capture(session, jpeg))
        self.capture = capture
        self._timer.start()
        self.tasks.run("camera", capture.run, self._done, self._broken, group=GROUP)

    def _preview(self) -> None:
        glimpse = self.capture.latest() if self.capture is not None else None
        if glimpse is None:
            return
        finding = glimpse.finding
        hint = "" if finding is None else tr(_FOUND) if finding.found else tr(_HINTS.get(finding.reason.value, ""))
        self.screen.show_glimpse(glimpse, hint)

    def _done(self, outcome: Captured | CaptureFailed) -> None:
        self._timer.stop()
        session = self.session()
        if isinstance(outcome, Captured) and session is not None and outcome.sha256 in session.captures:
            self.taken = outcome.sha256
            self.screen.show_result(session.captures[outcome.sha256])
            return
        if isinstance(outcome, CaptureFailed) and outcome.reason is not Failure.CANCELLED:
            log.info("document capture failed: %s", outcome.reason.value)
            text, next_step = _FAILURES.get(outcome.reason, _NOT_FOUND)
            self.screen.show_failure(Message(tr(text), tr(next_step)))

    def _broken(self, error: BaseException) -> None:
        self._timer.stop()
        log.error("document capture broke: %s", type(error).__name__)
        self.screen.show_failure(message_for_error(error))

    def retake(self) -> None:
        self._drop_taken()
        self.start()

    def use(self) -> None:
        self.taken = None   # it stays on the session, saved with the filing
        self._close()

    def leave(self) -> None:
        self._drop_taken()
        self._close()

    def _drop_taken(self) -> None:
        session = self.session()
        if self.taken is not None and session is not None:
            self.flow.drop_capture(session, self.taken)
        self.taken = None

    def _close(self) -> None:
        self.stop()
        self.screen.clear_personal()
        self.finished.emit()

    def stop(self) -> None:
        """Leave the camera: a capture still waiting ends, its late result is dropped."""
        self._timer.stop()
        self.tasks.forget(GROUP)
        if self.capture is not None:
            self.capture.cancel()
            self.capture = None
