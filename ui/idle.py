"""Idle handling: any touch or key restarts the idle clock; the guard's state is polled once a second.

WARNING shows a countdown overlay with a big 继续 button; EXPIRED asks the window to wipe and go home.
The core's IdleGuard reports ACTIVE while a save or print is under way, and the watcher also checks is_busy,
so a resident's application is never wiped mid-save.
"""
from __future__ import annotations

import math
from typing import Callable

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QFrame, QVBoxLayout, QWidget

from kiosk.idle import IdleGuard, IdleState
from ui.widgets import button, frame, label

INPUT_EVENTS = frozenset({
    QEvent.Type.MouseButtonPress, QEvent.Type.MouseButtonRelease, QEvent.Type.TouchBegin,
    QEvent.Type.TouchUpdate, QEvent.Type.TouchEnd, QEvent.Type.KeyPress, QEvent.Type.Wheel,
    QEvent.Type.InputMethod,
})


class IdleWatcher(QObject):
    warning = Signal(int)   # whole seconds left
    active = Signal()
    expired = Signal()

    def __init__(self, guard: IdleGuard, in_use: Callable[[], bool], interval_ms: int = 1000,
                 parent: QObject | None = None):
        super().__init__(parent)
        self._guard = guard
        self._in_use = in_use          # False when the kiosk shows nothing worth warning about
        self._timer = QTimer(self, interval=interval_ms, timeout=self.poll)

    def start(self) -> None:
        self._guard.touch()
        self._timer.start()

    def set_interval(self, ms: int) -> None:
        """How often the guard is asked (1 s on a kiosk; tests with short timeouts ask more often)."""
        self._timer.setInterval(ms)

    def stop(self) -> None:
        self._timer.stop()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in INPUT_EVENTS:
            self._guard.touch()
        return False

    def poll(self) -> None:
        if self._guard.is_busy:
            self.active.emit()
            return
        if not self._in_use():
            self._guard.touch()
            self.active.emit()
            return
        status = self._guard.status()
        if status.state is IdleState.EXPIRED:
            self._guard.touch()
            self.expired.emit()
        elif status.state is IdleState.WARNING:
            self.warning.emit(max(math.ceil(status.seconds_left), 1))
        else:
            self.active.emit()


class IdleOverlay(QFrame):
    """Dims the window and asks 您还在吗？ with a countdown and one big 继续 button."""

    resume_requested = Signal()

    def __init__(self, parent: QWidget):
        super().__init__(parent)
        self.setProperty("role", "overlay")
        card = frame("card")
        card.setFixedWidth(760)
        card.layout().setContentsMargins(48, 40, 48, 40)
        card.layout().setSpacing(24)
        question = label(self.tr("您还在吗？"), "huge")
        question.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.countdown = label("", "big")
        self.countdown.setAlignment(Qt.AlignmentFlag.AlignCenter)
        resume = button(self.tr("继续办理"), "primary")
        resume.setMinimumHeight(110)
        resume.setStyleSheet("font-size: 40px;")
        resume.clicked.connect(self.resume_requested)
        for widget in (question, self.countdown, resume):
            card.layout().addWidget(widget)
        box = QVBoxLayout(self)
        box.addStretch(1)
        box.addWidget(card, 0, Qt.AlignmentFlag.AlignHCenter)
        box.addStretch(1)
        parent.installEventFilter(self)
        self.hide()

    def show_countdown(self, seconds: int) -> None:
        self.countdown.setText(self.tr("{n} 秒后返回首页，您填写的内容会被清除").format(n=seconds))
        self.setGeometry(self.parentWidget().rect())
        self.raise_()
        self.show()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.parentWidget() and event.type() == QEvent.Type.Resize:
            self.setGeometry(self.parentWidget().rect())
        return False
