"""Driving the kiosk window like a resident: taps, typing through the input method, bounded waits."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QInputMethodEvent
from PySide6.QtWidgets import QAbstractButton, QApplication, QLabel, QLineEdit, QPushButton, QScrollArea, QWidget

WAIT_MS = 15_000
DEMO_NAME = "王海生"                 # devices.idcard.simulator.DEMO_CARD (fictitious)
DEMO_ID = "330902196803121232"


def open_window(qtbot, core):
    from ui.app import create_window

    win = create_window(core)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win, timeout=WAIT_MS)
    win.start()
    return win


def tap(qtbot, widget: QWidget) -> None:
    """A real click at the widget's place in the window (scrolled into view first, as a finger would). A widget
    just added to a shown layout is shown by a queued call: wait for it to be drawn, as a finger waits."""
    if not widget.isVisible() and not widget.isHidden():
        qtbot.waitUntil(widget.isVisible, timeout=5_000)
    assert widget.isVisible() and widget.isEnabled(), f"cannot tap {widget!r}"
    QApplication.processEvents()   # a layout change already under way (the keyboard docking) lands first
    parent = widget.parentWidget()
    while parent is not None:
        if isinstance(parent, QScrollArea):
            parent.ensureWidgetVisible(widget)
        parent = parent.parentWidget()
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)


def type_text(widget: QLineEdit, text: str) -> None:
    """Commit text one character at a time, as a Chinese input method does (QTest.keyClicks aborts on CJK)."""
    for char in text:
        event = QInputMethodEvent()
        event.setCommitString(char)
        QApplication.sendEvent(widget, event)


def button_with_text(root: QWidget, text: str) -> QAbstractButton:
    QApplication.processEvents()   # buttons just added to a shown layout are shown on the next turn of the loop
    found = [b for b in root.findChildren(QAbstractButton) if b.isVisible() and text in b.text()]
    assert found, f"no visible button with {text!r}"
    return found[0]


def texts(root: QWidget) -> list[str]:
    return [w.text() for w in root.findChildren(QLabel) + root.findChildren(QLineEdit) if w.text()]


def joined_texts(root: QWidget) -> str:
    return "\n".join(texts(root))


def wait_screen(qtbot, window, screen) -> None:
    qtbot.waitUntil(lambda: window.nav.current is screen, timeout=WAIT_MS)


def wait_idle_tasks(qtbot, window) -> None:
    qtbot.waitUntil(lambda: window.tasks.in_flight == 0, timeout=WAIT_MS)


def fill_valid(form_screen) -> None:
    """Complete every editable field with a valid value, keeping what is already there when it is valid."""
    for editor in form_screen.editors.values():
        if editor.choices is not None:
            editor.choices.buttons()[0].setChecked(True)
        elif editor.spec.kind == "phone":
            editor.line.setText("13800000000")
        elif editor.spec.kind == "number":
            editor.line.setText("3")
        elif editor.spec.kind == "date":
            editor.line.setText("2024-05-01")
        elif not editor.line.text():
            editor.line.setText("浙江省舟山市定海区长岛乡渔港路18号")


def ready_item_id(core, query: str = "社保") -> str:
    hits = core.search.search(query, limit=20)
    for hit in hits:
        item = core.catalog.get(hit.item_id)
        if item is not None and item.kiosk_ready:
            return item.id
    raise AssertionError(f"no kiosk-ready item for {query!r}")


def go_to_form(qtbot, window, core) -> None:
    """Home → item detail → 在本机申请 → 刷身份证 (demo card) → form."""
    s = window.screens
    window.browse.open_item(ready_item_id(core))
    tap(qtbot, s.detail.apply_button)
    wait_screen(qtbot, window, s.identify)
    tap(qtbot, s.identify.card_button)
    wait_screen(qtbot, window, s.form)


def go_to_confirm(qtbot, window, core) -> None:
    go_to_form(qtbot, window, core)
    fill_valid(window.screens.form)
    tap(qtbot, window.screens.form.next_button)
    wait_screen(qtbot, window, window.screens.confirm)


def make_core(data_dir: Path, **overrides):
    from kiosk.app import build_core
    from kiosk.config import Config

    config = Config().with_overrides(fullscreen=False, **overrides)
    return build_core(data_dir, config, start_sync=False)


def drawn_button(qtbot, root: QWidget, text: str) -> QPushButton:
    """The shown button with `text` under `root` (a redraw leaves the old ones hidden until deleteLater runs)."""
    def shown():
        return [b for b in root.findChildren(QPushButton) if b.text() == text and not b.isHidden()]
    qtbot.waitUntil(lambda: bool(shown()), timeout=WAIT_MS)
    return shown()[-1]
