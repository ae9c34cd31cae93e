"""Keyboard-wedge QR scanners type their codes as fast keystrokes: hand every typed character to the Qt-free
assembler in devices/qr_wedge.py, which tells a scanner burst from a person typing."""
from __future__ import annotations

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QApplication


class WedgeKeyFilter(QObject):
    def __init__(self, feed, parent: QObject | None = None):
        super().__init__(parent)
        self._feed = feed            # devices.qr_wedge.KEYBOARD.feed(char, seconds)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.KeyPress and self._first_receiver(watched):
            text = event.text() or ("\r" if event.key() in (0x01000004, 0x01000005) else "")  # Return, Enter
            if text:
                self._feed(text, event.timestamp() / 1000)
        return False

    @staticmethod
    def _first_receiver(watched: QObject) -> bool:
        """An ignored key event travels on to each parent widget; count it only where it first arrives."""
        focus = QApplication.focusWidget()
        return watched is focus if focus is not None else getattr(watched, "isWindow", lambda: False)()
