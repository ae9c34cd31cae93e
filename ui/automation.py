"""Test automation channel for end-to-end tests (off unless ZDB_AUTOMATION names a socket path).

An end-to-end test starts `main.py` as a real process and drives the real widgets through a local socket, one
JSON command a line, like a person would: read what is visible, tap a button by its text, type into a field.
It reads on-screen text, so it is only ever enabled by the test harness, never on a kiosk.
"""
from __future__ import annotations

import json
import logging

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QInputMethodEvent
from PySide6.QtNetwork import QLocalServer, QLocalSocket
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QAbstractButton, QApplication, QLabel, QLineEdit, QListWidget, QTextEdit, QWidget

log = logging.getLogger(__name__)


class AutomationServer(QObject):
    def __init__(self, window: QWidget, path: str):
        super().__init__(window)
        self.window = window
        self.server = QLocalServer(self)
        QLocalServer.removeServer(path)
        if not self.server.listen(path):
            raise RuntimeError(f"automation socket {path}: {self.server.errorString()}")
        self.server.newConnection.connect(self._accept)
        self._buffers: dict[QLocalSocket, bytes] = {}

    def _accept(self) -> None:
        while self.server.hasPendingConnections():
            sock = self.server.nextPendingConnection()
            self._buffers[sock] = b""
            sock.readyRead.connect(lambda s=sock: self._read(s))
            sock.disconnected.connect(lambda s=sock: self._buffers.pop(s, None))

    def _read(self, sock: QLocalSocket) -> None:
        self._buffers[sock] = self._buffers.get(sock, b"") + bytes(sock.readAll())
        while b"\n" in self._buffers[sock]:
            line, self._buffers[sock] = self._buffers[sock].split(b"\n", 1)
            try:
                reply = self.handle(json.loads(line))
            except Exception as exc:  # a bad command is the test's problem, never the kiosk's
                reply = {"ok": False, "error": f"{type(exc).__name__}: {exc}"}
            sock.write(json.dumps(reply, ensure_ascii=False).encode() + b"\n")
            sock.flush()

    def handle(self, command: dict) -> dict:
        op = command.get("op")
        if op == "state":
            return {"ok": True, "texts": self.visible_texts()}
        if op == "click":
            return {"ok": self.click(command["text"])}
        if op == "type":
            return {"ok": self.type_into(command.get("field", ""), command["text"])}
        if op == "quit":
            QApplication.instance().quit()
            return {"ok": True}
        return {"ok": False, "error": f"unknown op {op!r}"}

    def _visible(self, cls) -> list:
        return [w for w in self.window.findChildren(cls) if w.isVisible()]

    def visible_texts(self) -> list[str]:
        texts = []
        for widget in self._visible(QWidget):
            if isinstance(widget, (QLabel, QAbstractButton)) and widget.text():
                texts.append(widget.text())
            elif isinstance(widget, QLineEdit):
                texts.append(widget.text() or widget.placeholderText())
            elif isinstance(widget, QTextEdit):
                texts.append(widget.toPlainText())
            elif isinstance(widget, QListWidget):
                texts.extend(widget.item(i).text() for i in range(widget.count()))
        return texts

    def click(self, text: str) -> bool:
        buttons = [b for b in self._visible(QAbstractButton) if b.isEnabled()]
        for match in (lambda t: t == text, lambda t: text in t):
            for button in buttons:
                if match(button.text().replace("\n", " ")):
                    QTest.mouseClick(button, Qt.LeftButton)
                    return True
        for lst in self._visible(QListWidget):
            for i in range(lst.count()):
                if text in lst.item(i).text():
                    lst.setCurrentRow(i)
                    lst.itemClicked.emit(lst.item(i))
                    return True
        return False

    def type_into(self, field: str, text: str) -> bool:
        for edit in self._visible(QLineEdit):
            if not field or field in (edit.objectName(), edit.placeholderText()):
                edit.setFocus()
                edit.clear()
                commit_text(edit, text)
                return True
        return False


def commit_text(widget: QWidget, text: str) -> None:
    """Type like a Chinese input method: one committed character at a time. (QTest.keyClicks aborts the process
    on a non-ASCII character: qasciikey.cpp asserts.)"""
    for char in text:
        event = QInputMethodEvent()
        event.setCommitString(char)
        QApplication.sendEvent(widget, event)
