from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QLineEdit

from ui.wedge import WedgeKeyFilter


def test_each_typed_character_is_fed_once(qtbot):
    fed = []
    app = QApplication.instance()
    key_filter = WedgeKeyFilter(lambda char, t: fed.append(char))
    app.installEventFilter(key_filter)
    edit = QLineEdit()
    qtbot.addWidget(edit)
    edit.show()
    edit.activateWindow()
    edit.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is edit, timeout=5000)
    try:
        for i, char in enumerate("ZLB11"):
            QApplication.sendEvent(edit, QKeyEvent(QEvent.Type.KeyPress, ord(char), Qt.KeyboardModifier.NoModifier,
                                                   char))
        QApplication.sendEvent(edit, QKeyEvent(QEvent.Type.KeyPress, Qt.Key.Key_Return,
                                               Qt.KeyboardModifier.NoModifier))
    finally:
        app.removeEventFilter(key_filter)
    assert "".join(fed) == "ZLB11\r"   # a repeated character counts twice, each key once
