from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLineEdit

from ui.wedge import WedgeKeyFilter


def test_each_typed_character_is_fed_once(qtbot):
    fed = []
    app = QApplication.instance()
    edit = QLineEdit()
    qtbot.addWidget(edit)
    key_filter = WedgeKeyFilter(lambda char, t: fed.append(char), edit)   # owned by Qt: no stray QObject at exit
    app.installEventFilter(key_filter)
    edit.show()
    edit.activateWindow()
    edit.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is edit, timeout=5000)
    try:
        qtbot.keyClicks(edit, "ZLB11")          # ASCII, as wedge scanners type
        qtbot.keyClick(edit, Qt.Key.Key_Return)
    finally:
        app.removeEventFilter(key_filter)
    assert "".join(fed) == "ZLB11\r"   # a repeated character counts twice, each key once
