"""No PIN on screen: not in the field, not in any label or button, not in a screenshot (ui/shots.py included)."""
from __future__ import annotations

import pytest
from PySide6.QtCore import QBuffer, QIODevice
from PySide6.QtWidgets import QAbstractButton, QLabel, QLineEdit, QPlainTextEdit, QTextEdit, QWidget
from test_ui_agent_login import PIN, issue, key, open_login
from ui_helpers import WAIT_MS, tap, wait_idle_tasks

pytestmark = pytest.mark.timeout(240)


def shown_texts(root: QWidget) -> list[str]:
    """What a screenshot of `root` can show in words: visible labels, buttons, fields as displayed, text boxes."""
    found = []
    for widget in [root, *root.findChildren(QWidget)]:
        if not widget.isVisible():
            continue
        if isinstance(widget, QLineEdit):
            found += [widget.displayText(), widget.placeholderText() if not widget.text() else ""]
        elif isinstance(widget, (QLabel, QAbstractButton)):
            found.append(widget.text())
        elif isinstance(widget, (QTextEdit, QPlainTextEdit)):
            found.append(widget.toPlainText())
        found += [widget.toolTip(), widget.windowTitle()]
    return [text for text in found if text]


def masked_fields_hide_their_text(root: QWidget) -> bool:
    secret = [w for w in root.findChildren(QLineEdit) if w.echoMode() != QLineEdit.EchoMode.Normal]
    return all(not any(c.isalnum() for c in w.displayText()) for w in secret)


def png_bytes(window) -> bytes:
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    assert window.grab().toImage().save(buffer, "PNG")
    return bytes(buffer.data())


def test_a_pin_typed_on_the_keypad_is_masked_everywhere_a_screenshot_sees(qtbot, window, core):
    issue(core)
    screen = open_login(qtbot, window)
    for text in ("字母", "a", "g", "-", "数字", "7"):
        tap(qtbot, key(screen, text))
    tap(qtbot, screen.pin)
    for digit in PIN:
        tap(qtbot, key(screen, digit))
    assert screen.pin.text() == PIN                                   # typed, and held only by the field
    assert screen.pin.echoMode() == QLineEdit.EchoMode.Password
    assert len(screen.pin.displayText()) == len(PIN) and not any(c.isdigit() for c in screen.pin.displayText())
    assert png_bytes(window).startswith(b"\x89PNG")
    shown = "\n".join(shown_texts(window))
    assert PIN not in shown and masked_fields_hide_their_text(window)


def test_a_refused_pin_is_cleared_and_not_quoted(qtbot, window, core):
    issue(core)
    screen = open_login(qtbot, window)
    tap(qtbot, screen.pin)
    wrong = "246813"
    for digit in wrong:
        tap(qtbot, key(screen, digit))
    tap(qtbot, screen.login_button)
    wait_idle_tasks(qtbot, window)
    qtbot.waitUntil(lambda: screen.error.isVisible(), timeout=WAIT_MS)
    assert screen.pin.text() == "" and wrong not in "\n".join(shown_texts(window))


def test_the_screenshot_tour_never_shows_a_pin(qtbot, core, tmp_path):
    """ui.shots' own tour, with each shot checked as it is taken (the shots' PINs: '1234' and the demo PIN)."""
    from ui.shots import DEMO_PIN, Shooter

    checked: list[str] = []

    class Checking(Shooter):
        def shot(self, name: str) -> None:
            super().shot(name)
            shown = "\n".join(shown_texts(self.window))
            assert DEMO_PIN not in shown, name
            assert masked_fields_hide_their_text(self.window), name
            if name.startswith("agent-login"):
                assert "1234" not in shown, name
            checked.append(name)

    shooter = Checking(core, tmp_path / "shots")
    try:
        shooter.run()
    finally:
        shooter.close()
    assert {"agent-login", "agent-login-refused", "agent-home", "consent"} <= set(checked)
