"""The locked kiosk: real key events sent to the focused widget; escape combinations never reach it, typing and a
wedge scanner's burst do; the window stays open and full-screen; no context menu, no drop, no system dialog."""
import re
from pathlib import Path

import pytest
from PySide6.QtCore import QEvent, QMimeData, QObject, QPoint, QPointF, Qt
from PySide6.QtGui import QContextMenuEvent, QDragEnterEvent, QGuiApplication, QKeyEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication
from ui_helpers import WAIT_MS, go_to_form

from kiosk.config import Config
from ui.lockdown import KioskLock, escape_reason, leave_kiosk
from ui.wedge import WedgeKeyFilter

K, M = Qt.Key, Qt.KeyboardModifier
NONE = M.NoModifier
ESCAPES = [
    (K.Key_F4, M.AltModifier), (K.Key_Tab, M.AltModifier), (K.Key_Backtab, M.AltModifier | M.ShiftModifier),
    (K.Key_Escape, M.AltModifier), (K.Key_Escape, M.ControlModifier), (K.Key_Meta, NONE), (K.Key_Super_L, NONE),
    (K.Key_D, M.MetaModifier), (K.Key_L, M.MetaModifier), (K.Key_Delete, M.ControlModifier | M.AltModifier),
    (K.Key_Backspace, M.ControlModifier | M.AltModifier), (K.Key_F1, M.ControlModifier | M.AltModifier),
    (K.Key_F7, M.ControlModifier | M.AltModifier), (K.Key_F12, M.ControlModifier | M.AltModifier),
    (K.Key_T, M.ControlModifier | M.AltModifier), (K.Key_Q, M.ControlModifier), (K.Key_W, M.ControlModifier),
    (K.Key_F11, NONE), (K.Key_Escape, NONE), (K.Key_Menu, NONE), (K.Key_Space, M.AltModifier),
    (K.Key_Print, NONE), (K.Key_Print, M.AltModifier), (K.Key_C, M.ControlModifier), (K.Key_V, M.ControlModifier),
    (K.Key_Insert, M.ShiftModifier | M.ControlModifier), (K.Key_PowerOff, NONE),
]
TYPING = [(K.Key_A, NONE), (K.Key_A, M.ShiftModifier), (K.Key_5, NONE), (K.Key_Return, NONE),
          (K.Key_Enter, M.KeypadModifier), (K.Key_Backspace, NONE), (K.Key_Left, NONE),
          (K.Key_Right, NONE), (K.Key_Delete, NONE), (K.Key_Tab, NONE), (K.Key_Space, NONE),
          (K.Key_7, M.AltModifier | M.KeypadModifier), (K.Key_Alt, M.AltModifier),
          (K.Key_Shift, M.ShiftModifier)]   # Alt+keypad: a Windows Alt code some wedge scanners type


MODIFIERS = {K.Key_Shift, K.Key_Control, K.Key_Alt}


class KeySpy(QObject):
    """On the widget itself: sees a key only if no application filter swallowed it first. (Shift, Ctrl and Alt
    pressed alone pass the lock: QTest presses them before the key they modify.)"""

    def __init__(self, parent):
        super().__init__(parent)
        self.keys = []

    def eventFilter(self, watched, event):
        if event.type() == QEvent.Type.KeyPress and event.key() not in MODIFIERS:
            self.keys.append((event.key(), event.modifiers()))
        return False


@pytest.fixture
def locked(qtbot, core):
    from ui.app import create_window

    window = create_window(core)     # not qtbot.addWidget: its closing at teardown would be refused
    lock = KioskLock(window, hide_cursor=True)
    lock.install()                     # before showing, as ui.app.run() does: the frameless flag needs no re-show
    window.showFullScreen()
    qtbot.waitExposed(window, timeout=WAIT_MS)
    window.start()
    box = window.screens.home.search_box
    focus(qtbot, box)
    yield window, lock, box
    lock.uninstall()
    window.allow_close()
    window.shutdown()
    window.close()
    window.deleteLater()


def focus(qtbot, widget) -> None:
    widget.activateWindow()
    widget.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is widget, timeout=WAIT_MS)


def form_field(qtbot, window, core):
    """A free-text field of a real form, focused, as a resident reaches it."""
    go_to_form(qtbot, window, core)
    field = next(e.line for e in window.screens.form.editors.values()
                 if e.line is not None and e.spec.kind == "text" and not e.line.isReadOnly())
    focus(qtbot, field)
    return field


@pytest.mark.parametrize(("key", "mods"), ESCAPES)
def test_the_policy_names_every_escape(key, mods):
    assert escape_reason(key, mods) is not None


@pytest.mark.parametrize(("key", "mods"), TYPING)
def test_the_policy_lets_typing_and_editing_through(key, mods):
    assert escape_reason(key, mods) is None


@pytest.mark.parametrize(("key", "mods"), ESCAPES)
def test_escape_combinations_never_reach_the_focused_widget(locked, key, mods):
    window, lock, box = locked
    spy = KeySpy(box)
    box.installEventFilter(spy)
    box.setText("社保")
    QTest.keyClick(box, key, mods)                                    # ShortcutOverride, press, release
    QApplication.sendEvent(box, QKeyEvent(QEvent.Type.KeyPress, key, mods))   # and one sent plainly
    assert spy.keys == [] and box.text() == "社保"
    assert window.isVisible() and window.isFullScreen() and lock.swallowed >= 2


def test_typing_enter_backspace_and_arrows_still_work_in_a_form(locked, qtbot, core):
    window, _lock, _box = locked
    field = form_field(qtbot, window, core)
    spy = KeySpy(field)
    field.installEventFilter(spy)
    field.clear()
    QTest.keyClicks(field, "abc12")
    QTest.keyClick(field, K.Key_Backspace)
    QTest.keyClick(field, K.Key_Left)
    QTest.keyClick(field, K.Key_Left)
    QTest.keyClicks(field, "X")
    QTest.keyClick(field, K.Key_Return)
    assert field.text() == "abXc1"
    assert len(spy.keys) == 10


def test_a_wedge_scanner_burst_reaches_the_assembler_and_the_field(locked, qtbot, core):
    """As in ui.app.run(): the wedge filter is installed after the lock, so it sees each key first."""
    window, _lock, _box = locked
    field = form_field(qtbot, window, core)
    fed = []
    wedge = WedgeKeyFilter(lambda char, t: fed.append(char), field)
    app = QApplication.instance()
    app.installEventFilter(wedge)
    try:
        field.clear()
        QTest.keyClicks(field, "ZLB1234567")
        QTest.keyClick(field, K.Key_F4, M.AltModifier)     # a swallowed key in the middle changes nothing
        QTest.keyClick(field, K.Key_Return)
    finally:
        app.removeEventFilter(wedge)
    assert "".join(fed) == "ZLB1234567\r"
    assert field.text() == "ZLB1234567"


def test_closing_is_refused_until_the_app_itself_allows_it(locked, qtbot):
    window, _lock, _box = locked
    assert window.close() is False
    assert window.isVisible()
    window.allow_close()
    assert window.close() is True
    window.close_refused = True      # for the fixture's teardown


def test_leave_kiosk_lets_the_window_close_and_ends_the_loop_with_its_code(locked, qtbot):
    window, _lock, _box = locked
    from PySide6.QtCore import QTimer

    QTimer.singleShot(0, lambda: leave_kiosk(window, 4))
    give_up = QTimer(singleShot=True, interval=5000, timeout=lambda: QApplication.exit(99))
    give_up.start()                                  # only if leave_kiosk did not end the loop
    try:
        assert QApplication.instance().exec() == 4
    finally:
        give_up.stop()                               # or it would end a later test's event loop
    assert window.close_refused is False and window.close() is True


def test_the_window_goes_back_to_full_screen(locked, qtbot):
    window, _lock, _box = locked
    window.showNormal()
    qtbot.waitUntil(window.isFullScreen, timeout=WAIT_MS)
    window.showMinimized()
    qtbot.waitUntil(window.isFullScreen, timeout=WAIT_MS)


def test_frameless_and_no_pointer(locked):
    window, lock, _box = locked
    assert window.windowFlags() & Qt.WindowType.FramelessWindowHint
    assert QGuiApplication.overrideCursor().shape() == Qt.CursorShape.BlankCursor
    lock.uninstall()
    assert QGuiApplication.overrideCursor() is None


def test_a_context_menu_event_does_nothing(locked, qtbot):
    window, lock, box = locked
    assert box.contextMenuPolicy() == Qt.ContextMenuPolicy.PreventContextMenu
    for target in (box, window, window.screens.home):
        event = QContextMenuEvent(QContextMenuEvent.Reason.Mouse, QPoint(5, 5), target.mapToGlobal(QPoint(5, 5)))
        assert QApplication.sendEvent(target, event) is True   # taken by the lock
    qtbot.wait(50)
    assert QApplication.activePopupWidget() is None and QApplication.activeModalWidget() is None


def test_nothing_can_be_dropped_into_a_field(locked):
    _window, _lock, box = locked
    assert not box.acceptDrops() and not box.dragEnabled()
    data = QMimeData()
    data.setText("上一位居民的电话 13800000000")
    event = QDragEnterEvent(QPoint(5, 5), Qt.DropAction.CopyAction, data, Qt.MouseButton.LeftButton, NONE)
    QApplication.sendEvent(box, event)
    assert not event.isAccepted()


def test_middle_click_does_not_paste(locked, qtbot):
    _window, _lock, box = locked
    box.clear()
    QGuiApplication.clipboard().setText("上一位居民", mode=QGuiApplication.clipboard().Mode.Clipboard)
    QTest.mouseClick(box, Qt.MouseButton.MiddleButton, pos=QPointF(10, 10).toPoint())
    assert box.text() == ""


def test_fields_made_later_are_plain_too(locked, qtbot):
    from PySide6.QtWidgets import QLineEdit

    window, _lock, _box = locked
    later = QLineEdit(window.screens.home)
    later.show()
    assert later.contextMenuPolicy() == Qt.ContextMenuPolicy.PreventContextMenu and not later.acceptDrops()


def test_a_windowed_run_is_not_locked(qtbot, core):
    from ui.app import _lockdown, create_window

    window = create_window(core)
    qtbot.addWidget(window)
    assert _lockdown(window, core.config, fullscreen=False) is None
    assert _lockdown(window, Config().with_overrides(lockdown=False), fullscreen=True) is None
    assert window.close_refused is False


SYSTEM_DIALOGS = re.compile(r"\b(QFileDialog|QMessageBox|QColorDialog|QFontDialog|QInputDialog|QErrorMessage|"
                            r"QPrintDialog|QPageSetupDialog|QProgressDialog|QWizard|QDialog|QMenu|QSystemTrayIcon|"
                            r"QDesktopServices)\b")


def test_the_ui_never_opens_a_system_dialog_or_another_program():
    """A system dialog (file, message, colour…) is a way out of the kiosk; QDesktopServices starts other programs."""
    ui_dir = Path(__file__).resolve().parents[2] / "ui"
    found = [f"{path.relative_to(ui_dir.parent)}:{n}" for path in sorted(ui_dir.rglob("*.py"))
             for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
             if SYSTEM_DIALOGS.search(line)]
    assert found == []
