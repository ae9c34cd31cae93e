"""Kiosk lockdown inside the app: nothing in the touch UI leads to the desktop, a system dialog or another program.

Installed by ui.app.run() when the kiosk runs locked (full-screen production with the `lockdown` setting on;
`--windowed` development runs are never locked). One application-wide event filter:
- swallows the keys that escape, close or switch away (`escape_reason` lists them) before any widget sees them;
- swallows context menus, drag and drop and middle-click paste (the ways one resident's text could reach the
  next one, or a menu could open);
- keeps the window full-screen if anything takes it out of that state;
- makes every text input plain: no context menu of its own, no drops.
The window refuses to close (MainWindow.close_refused) until the app itself ends it (MainWindow.allow_close).

Keys reach the application's filters at each widget in turn, the filter installed last first. The lock is
installed before the idle, agent and keyboard-wedge filters, so those still see every key (a wedge scanner's
burst of characters, any control character it types), and it swallows only at widgets, never at the QWindow
that forwards keys to them. What the compositor grabs first (cage's VT switch, see docs/lockdown.md) never
reaches the app at all: the lock cannot stop it, the compositor's start-up must.
"""
from __future__ import annotations

import logging

from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QCursor, QGuiApplication
from PySide6.QtWidgets import QAbstractSpinBox, QLineEdit, QPlainTextEdit, QTextEdit, QWidget

log = logging.getLogger(__name__)

K = Qt.Key
M = Qt.KeyboardModifier

# Keys that do nothing for a resident and something for a desktop: the Windows/Super key, the menu key,
# print screen, power and launcher keys, Escape (leaves full-screen or closes dialogs in some shells).
SYSTEM_KEYS = frozenset(int(k) for k in (
    K.Key_Meta, K.Key_Super_L, K.Key_Super_R, K.Key_Hyper_L, K.Key_Hyper_R, K.Key_Menu, K.Key_Print,
    K.Key_SysReq, K.Key_Escape, K.Key_Close, K.Key_Terminal, K.Key_Explorer, K.Key_WWW, K.Key_HomePage,
    K.Key_LaunchMail, K.Key_LaunchMedia, K.Key_Calculator, K.Key_Search, K.Key_Tools, K.Key_PowerOff,
    K.Key_PowerDown, K.Key_Sleep, K.Key_Suspend, K.Key_Hibernate, K.Key_WakeUp, K.Key_Standby, K.Key_LogOff,
    K.Key_ScreenSaver, K.Key_TaskPane, K.Key_Execute, K.Key_ApplicationLeft, K.Key_ApplicationRight,
    K.Key_TopMenu, K.Key_SplitScreen, K.Key_Display,
)) | frozenset(range(int(K.Key_Launch0), int(K.Key_LaunchF) + 1)) | {int(K.Key_LaunchG), int(K.Key_LaunchH)}
FUNCTION_KEYS = range(int(K.Key_F1), int(K.Key_F35) + 1)   # F11 full-screen, F1 help, Ctrl+Alt+Fn VT switch
DIGITS = range(int(K.Key_0), int(K.Key_9) + 1)
# Pressed alone they do nothing; a widget needs them to know what is held (Shift for capitals, AltGr).
MODIFIER_KEYS = frozenset(int(k) for k in (K.Key_Shift, K.Key_Control, K.Key_Alt, K.Key_AltGr, K.Key_CapsLock,
                                           K.Key_NumLock))

KEY_EVENTS = frozenset({QEvent.Type.KeyPress, QEvent.Type.KeyRelease, QEvent.Type.ShortcutOverride})
DRAG_EVENTS = frozenset({QEvent.Type.DragEnter, QEvent.Type.DragMove, QEvent.Type.Drop})
MOUSE_BUTTON_EVENTS = frozenset({QEvent.Type.MouseButtonPress, QEvent.Type.MouseButtonRelease,
                                 QEvent.Type.MouseButtonDblClick})
WATCHED = KEY_EVENTS | DRAG_EVENTS | MOUSE_BUTTON_EVENTS | {
    QEvent.Type.ContextMenu, QEvent.Type.Polish, QEvent.Type.WindowStateChange}
TEXT_INPUTS = (QLineEdit, QTextEdit, QPlainTextEdit, QAbstractSpinBox)


def escape_reason(key: int, modifiers: Qt.KeyboardModifier) -> str | None:
    """Why a key must not reach a widget of the locked kiosk, or None for typing and editing keys (letters,
    digits, Enter, Backspace, Delete, arrows, Home/End, Tab, Shift)."""
    key = int(key)
    ctrl, alt = bool(modifiers & M.ControlModifier), bool(modifiers & M.AltModifier)
    if key in SYSTEM_KEYS:
        return "system key"
    if key in FUNCTION_KEYS:
        return "function key"
    if key in MODIFIER_KEYS:
        return None
    if modifiers & M.MetaModifier:
        return "super combination"
    if ctrl and alt:
        # Ctrl+Alt+Del, +Backspace, +F1…F12 (VT switch), +T (a terminal in some desktops). Linux reports AltGr
        # as its own key, not Ctrl+Alt; the Chinese (US) layout types nothing with AltGr on Windows either.
        return "ctrl+alt combination"
    if alt:
        # Alt+F4, Alt+Tab, Alt+Esc, Alt+Space (the window menu), mnemonics. Alt+keypad digits stay: some
        # wedge scanners type characters as Windows Alt codes.
        return None if modifiers & M.KeypadModifier and key in DIGITS else "alt combination"
    if ctrl:
        return "ctrl combination"   # Ctrl+Q/W close, Ctrl+Esc start menu, Ctrl+C/V/X carry text between people
    return None


class KioskLock(QObject):
    """The application-wide filter of a locked kiosk; `install()` once the window exists, before it is shown."""

    def __init__(self, window: QWidget, hide_cursor: bool = True):
        super().__init__(window)
        self.window = window
        self.hide_cursor = hide_cursor
        self.swallowed = 0           # keys, menus and drops refused so far (technicians' log, tests)
        self._installed = False

    def install(self) -> None:
        app = QCoreApplication.instance()
        # No title bar, no close button, even if something takes the window out of full-screen. Not
        # WindowStaysOnTopHint: under cage the kiosk is the only client, and on Wayland the hint means nothing.
        self.window.setWindowFlag(Qt.WindowType.FramelessWindowHint, True)
        self.window.setContextMenuPolicy(Qt.ContextMenuPolicy.PreventContextMenu)
        self.window.setAcceptDrops(False)
        for widget in self.window.findChildren(QWidget):
            plain(widget)
        self.window.close_refused = True
        app.installEventFilter(self)
        if self.hide_cursor:
            QGuiApplication.setOverrideCursor(QCursor(Qt.CursorShape.BlankCursor))
        self._installed = True
        log.info("kiosk locked: escape keys swallowed, closing refused, cursor %s",
                 "hidden" if self.hide_cursor else "shown")

    def uninstall(self) -> None:
        if not self._installed:
            return
        self._installed = False
        QCoreApplication.instance().removeEventFilter(self)
        if self.hide_cursor:
            QGuiApplication.restoreOverrideCursor()
        log.info("kiosk lock lifted (%d keys, menus or drops swallowed)", self.swallowed)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind not in WATCHED:
            return False
        if kind in KEY_EVENTS:
            return self._key(watched, event)
        if kind == QEvent.Type.ContextMenu or kind in DRAG_EVENTS:
            return self._refuse(event)
        if kind in MOUSE_BUTTON_EVENTS:   # middle click pastes the selection on Linux
            return event.button() == Qt.MouseButton.MiddleButton and self._refuse(event)
        if kind == QEvent.Type.Polish and isinstance(watched, QWidget):
            plain(watched)
        elif kind == QEvent.Type.WindowStateChange and watched is self.window:
            self._keep_full_screen()
        return False

    def _key(self, watched: QObject, event) -> bool:
        if not isinstance(watched, QWidget):   # the QWindow only forwards keys to widgets: swallowed there
            return False
        reason = escape_reason(event.key(), event.modifiers())
        if reason is None:
            return False
        if event.type() == QEvent.Type.ShortcutOverride:
            event.accept()                     # accepted: no shortcut fires; the key press comes and is swallowed
        elif event.type() == QEvent.Type.KeyPress:
            self.swallowed += 1
            log.debug("key swallowed: %s", reason)   # the reason, never the key's text
        return True

    def _refuse(self, event: QEvent) -> bool:
        event.ignore()
        self.swallowed += 1
        return True

    def _keep_full_screen(self) -> None:
        if not self.window.isFullScreen() and self._installed:
            log.warning("window left full-screen; restored")
            QTimer.singleShot(0, self._restore)

    def _restore(self) -> None:
        if self._installed and not self.window.isFullScreen():
            self.window.showFullScreen()


def plain(widget: QWidget) -> None:
    """A text input without its own context menu (copy, paste, select all…) and without drops."""
    if isinstance(widget, TEXT_INPUTS):
        widget.setContextMenuPolicy(Qt.ContextMenuPolicy.PreventContextMenu)
        widget.setAcceptDrops(False)
        if isinstance(widget, QLineEdit):
            widget.setDragEnabled(False)


def install_lockdown(window: QWidget, config) -> KioskLock:
    """Lock `window` as the kiosk's only window (call before showing it full-screen)."""
    lock = KioskLock(window, hide_cursor=config["hide_cursor"])
    lock.install()
    return lock


def leave_kiosk(window: QWidget, code: int = 0) -> None:
    """End the app on purpose (maintenance's exit or restart, an update's restart): the window may close now,
    and the event loop returns `code` to main.py (non-zero: the service manager starts the kiosk again)."""
    allow = getattr(window, "allow_close", None)
    if allow is not None:
        allow()
    QCoreApplication.exit(code)
