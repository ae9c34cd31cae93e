"""The on-screen keyboard: Qt Virtual Keyboard (pinyin zh_CN and en_US) docked at the bottom of the window.

Qt Virtual Keyboard is made the application's input method before the QApplication exists
(`prepare_input_method`), so its keys type straight into whichever QLineEdit has the focus: the widget stays the
one source of truth the screens read, with its own validator, length limit and the screen's checks. The keys live
in QML (ui/qml/Keyboard.qml) inside a QQuickWidget that never takes the focus; Qt's own keyboard window for plain
widgets is switched off (QT_VIRTUALKEYBOARD_DESKTOP_DISABLE), so the docked panel is the only one.

Any QLineEdit of a screen gets the keyboard when it gets the focus or a tap, except fields whose screen has its own
keypad (ui/keypad.py: staff login, maintenance settings), hidden-text fields and fields marked
`setProperty("osk", False)`. Digit fields (ImhDigitsOnly) get Qt's digit layout. A field may carry
`setProperty("oskSuggestions", [...])`: words shown above the keys, one tap each (no pinyin needed).

Privacy: the pinyin engine would learn every chosen word (a resident's name, address) in a user dictionary on disk
and offer it first to the next resident. `block_pinyin_learning` makes the engine's user-dictionary path one it
cannot open, so it runs on its built-in dictionary only; the echo of the text and the engine's composition are
cleared whenever the panel hides, and it hides whenever the screen changes, including the session wipe.
"""
from __future__ import annotations

import html
import logging
import os
from collections import Counter
from pathlib import Path
from typing import Sequence

from PySide6.QtCore import (SIGNAL, QEvent, QMetaObject, QObject, Qt, QTimer, QUrl, Q_ARG, Q_RETURN_ARG, Signal,
                            QStandardPaths, qInstallMessageHandler)
from PySide6.QtGui import QGuiApplication, QInputDevice, QInputMethodEvent
from PySide6.QtQuickWidgets import QQuickWidget
from PySide6.QtWidgets import (QApplication, QFrame, QHBoxLayout, QLineEdit, QScrollArea, QSizePolicy,
                               QVBoxLayout, QWidget)

from kiosk.catalog import Catalog
from kiosk.preferences import Prefs
from ui.keypad import Keypad
from ui.widgets import Screen, button, clear_layout, label, restyle

log = logging.getLogger(__name__)

MODES = ("always", "auto", "never")
QML = Path(__file__).resolve().parent / "qml" / "Keyboard.qml"
LAYOUTS = {"zh": "zh_CN", "en": "en_US"}
# the keys' share of the window: at most this much of its width and of its height (elderly mode: bigger keys)
WIDTH_SHARE = {False: 0.7, True: 1.0}
HEIGHT_SHARE = {False: 0.30, True: 0.40}
KEYS_RATIO = 0.34          # the default keyboard style's height / width, until the loaded keyboard tells
SUGGESTED_WORDS = 8
QWIDGETSIZE_MAX = (1 << 24) - 1
WORDS_SHOWN = 8            # pinyin candidates shown big above the keys (the keyboard's own row scrolls to the rest)
WORDS_SHOWN_ELDERLY = 5    # fewer, larger: they must fit the panel's width at elderly type
# Qt Virtual Keyboard drives one keyboard per process: the keys are made once and move to the window that needs them
_shared: list = []        # [the QQuickWidget with the keys]


def prepare_input_method(mode: str) -> None:
    """Call before the QApplication is created: Qt reads QT_IM_MODULE only then."""
    if mode == "never":
        return
    os.environ["QT_IM_MODULE"] = "qtvirtualkeyboard"
    os.environ["QT_VIRTUALKEYBOARD_DESKTOP_DISABLE"] = "1"   # no keyboard window of its own for plain widgets


def input_method_ready() -> bool:
    return os.environ.get("QT_IM_MODULE") == "qtvirtualkeyboard"


def has_touchscreen() -> bool:
    return any(device.type() == QInputDevice.DeviceType.TouchScreen for device in QInputDevice.devices())


def wanted(mode: str) -> bool:
    """Does this station show the keyboard? `auto`: only where Qt sees a touchscreen (some USB panels that
    pretend to be a mouse are not seen as one: hence the default `always`)."""
    if mode == "never" or not input_method_ready():
        return False
    return mode == "always" or has_touchscreen()


def suggested_words(catalog: Catalog, limit: int = SUGGESTED_WORDS) -> list[str]:
    """The catalog's most used keywords (社保卡, 公积金, 医保…): what residents most often look for, one tap each."""
    counts = Counter(word for item in catalog.items.values() for word in item.keywords if 2 <= len(word) <= 6)
    return [word for word, _ in counts.most_common(limit)]


def block_pinyin_learning() -> bool:
    """Make the pinyin engine's user dictionary (`<config>/qtvirtualkeyboard/pinyin/usr_dict.dat`, a path it
    builds itself) a directory: the engine cannot open it and runs without one, learning nothing, writing
    nothing. A dictionary an earlier version left there holds residents' words: it is deleted. True when blocked."""
    config = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.ConfigLocation)
    path = Path(config) / "qtvirtualkeyboard" / "pinyin" / "usr_dict.dat"
    try:
        if path.is_file() or path.is_symlink():
            path.unlink()
        path.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        log.warning("on-screen keyboard: cannot block the pinyin user dictionary (%s)", error.strerror)
        return False
    return True


class KeyboardPanel(QFrame):
    """What the resident sees: the field's name and text, the 中/英 switch, suggested words, the keys, 完成."""

    done = Signal()
    height_changed = Signal()   # words shown or hidden, keys resized

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setProperty("role", "osk")
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)   # all of it, the screen the rest
        self.caption = label("", "osk-caption", wrap=False)
        self.echo = label("", "osk-echo", wrap=False)
        for text in (self.caption, self.echo):   # a long text is cut, it never widens the window
            text.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.echo.setTextFormat(Qt.TextFormat.RichText)   # the pinyin being composed is underlined (escaped)
        self.chinese_button = button(self.tr("中文拼音"), "osk-switch", checkable=True)
        self.english_button = button(self.tr("英文字母"), "osk-switch", checkable=True)
        self.chinese_button.clicked.connect(lambda: self.set_layout("zh"))
        self.english_button.clicked.connect(lambda: self.set_layout("en"))
        self.clear_button = button(self.tr("清空"), "osk-switch")
        self.clear_button.setAccessibleName(self.tr("清空这一栏"))
        self.done_button = button(self.tr("完成"), "osk-done")
        self.done_button.setAccessibleName(self.tr("完成，隐藏键盘"))
        self.done_button.clicked.connect(self.done)
        top = QHBoxLayout()
        top.setSpacing(12)
        texts = QVBoxLayout()
        texts.setSpacing(0)
        texts.addWidget(self.caption)
        texts.addWidget(self.echo)
        top.addLayout(texts, 1)
        for widget in (self.chinese_button, self.english_button, self.clear_button, self.done_button):
            top.addWidget(widget)
        self.words = QHBoxLayout()   # candidates while composing pinyin; suggested words while the field is empty
        self.words.setSpacing(10)
        self.words_row = QWidget()
        self.words_row.setLayout(self.words)
        self.words.setContentsMargins(0, 0, 0, 0)
        box = QVBoxLayout(self)
        box.setContentsMargins(16, 8, 16, 8)
        box.setSpacing(6)
        box.addLayout(top)
        box.addWidget(self.words_row)
        self._suggested: list[str] = []
        self._on_pick = None
        self.keys: QQuickWidget | None = None   # made on first use: loading the keyboard takes a moment
        self._box = box
        self.layout_name = "zh"
        self._elderly = False
        self.hide()

    # --- the QML keyboard ---------------------------------------------------------------------------------------
    def ensure_keys(self) -> bool:
        if self.keys is not None:
            return True
        keys = _take_shared_keys(self)
        if keys is None:
            block_pinyin_learning()   # before the engine can start (see module)
            keys = self._load_keys()
        if keys is None:
            return False
        self.keys = keys
        self._box.addWidget(keys)
        keys.show()
        QObject.connect(keys.rootObject(), SIGNAL("keyboardHeightChanged()"), self._fit_height)
        QObject.connect(keys.rootObject(), SIGNAL("preeditChanged()"), self._preedit_changed)
        self._apply_layout()
        self._wake_keyboard()
        self.fit(self.window().size())
        return True

    def _load_keys(self) -> QQuickWidget | None:
        keys = QQuickWidget(self)
        keys.setFocusPolicy(Qt.FocusPolicy.NoFocus)   # a tap on a key leaves the focus in the field being typed in
        keys.setAttribute(Qt.WidgetAttribute.WA_AcceptTouchEvents)
        keys.setResizeMode(QQuickWidget.ResizeMode.SizeRootObjectToView)
        keys.setClearColor(Qt.GlobalColor.transparent)
        # Qt's QML loader thread reports while this thread waits for it: a message handler written in Python
        # (pytest-qt's, the screenshot tool's) would wait for this thread's interpreter lock, which never comes
        previous = qInstallMessageHandler(None)
        try:
            keys.setSource(QUrl.fromLocalFile(str(QML)))
        finally:
            qInstallMessageHandler(previous)
        if keys.status() != QQuickWidget.Status.Ready or keys.rootObject() is None:
            log.error("on-screen keyboard did not load: %s", [e.toString() for e in keys.errors()])
            keys.deleteLater()
            return None
        _shared[:] = [keys]
        return keys

    def give_up_keys(self) -> QQuickWidget | None:
        """Another window of this process needs the keyboard (tests, the screenshot tool make several)."""
        keys, self.keys = self.keys, None
        if keys is None:
            return None
        for name, slot in (("keyboardHeightChanged()", self._fit_height), ("preeditChanged()", self._preedit_changed)):
            QObject.disconnect(keys.rootObject(), SIGNAL(name), slot)
        self._box.removeWidget(keys)
        return keys

    def _wake_keyboard(self) -> None:
        """Keys made after the field got the focus have not seen it: ask the input method to look again, and
        give the keyboard a moment to load its layout (bounded: a keyboard that never wakes is logged)."""
        QGuiApplication.inputMethod().update(Qt.InputMethodQuery.ImQueryAll)
        for _ in range(50):
            if str(self._call("inputMethodName")) not in ("null", "undefined", ""):
                return
            QApplication.processEvents()
        if QGuiApplication.focusObject() is not None:
            log.warning("on-screen keyboard: no input method after loading")

    def _call(self, name: str, *args):
        result = QMetaObject.invokeMethod(self.keys.rootObject(), name, Q_RETURN_ARG("QVariant"),
                                          *[Q_ARG("QVariant", a) for a in args])
        return result.toVariant() if hasattr(result, "toVariant") else result

    def fit(self, room) -> None:
        """Size the keys for a window of `room`: as wide as allowed, but never taller than their share of it."""
        if self.keys is None:
            return
        root = self.keys.rootObject()
        width, height = float(root.property("keysWidth") or 0), float(root.property("keyboardHeight") or 0)
        ratio = height / width if width > 0 and height > 0 else KEYS_RATIO
        wanted = min(room.width() * WIDTH_SHARE[self._elderly], room.height() * HEIGHT_SHARE[self._elderly] / ratio)
        root.setProperty("keyboardWidth", max(200.0, wanted))
        self._fit_height()

    def _fit_height(self) -> None:
        if self.keys is not None:
            self.keys.setFixedHeight(max(1, round(self.keys.rootObject().property("keyboardHeight"))))
            self.updateGeometry()
            self.height_changed.emit()

    # --- what the keys type -------------------------------------------------------------------------------------
    def set_layout(self, language: str) -> None:
        """中文拼音 (zh) or 英文字母 (en)."""
        self.layout_name = language if language in LAYOUTS else "zh"
        self._apply_layout()

    def _apply_layout(self) -> None:
        self.chinese_button.setChecked(self.layout_name == "zh")
        self.english_button.setChecked(self.layout_name == "en")
        if self.keys is not None:
            self._call("setLocale", LAYOUTS[self.layout_name])

    def _words_shown(self) -> int:
        return WORDS_SHOWN_ELDERLY if self._elderly else WORDS_SHOWN

    def set_elderly(self, elderly: bool) -> None:
        self._elderly = elderly
        self.setProperty("elderly", elderly)
        for widget in [self, *self.findChildren(QWidget)]:
            restyle(widget)
        self.fit(self.window().size())

    def tap_key(self, key: Qt.Key, text: str = "") -> bool:
        """What a tap on one key does: the input engine's virtual key click (used by tests and the tour)."""
        return bool(self.keys is not None and self._call("click", int(key), text))

    def type_letters(self, letters: str) -> None:
        for letter in letters:
            if letter == " ":
                self.tap_key(Qt.Key.Key_Space, " ")
            elif letter.isdigit():
                self.tap_key(Qt.Key(int(Qt.Key.Key_0) + int(letter)), letter)
            else:
                self.tap_key(Qt.Key(int(Qt.Key.Key_A) + ord(letter.lower()) - ord("a")), letter)

    def backspace(self) -> None:
        self.tap_key(Qt.Key.Key_Backspace)

    def candidates(self) -> list[str]:
        return list(self._call("candidates") or []) if self.keys is not None else []

    def choose(self, index: int) -> None:
        self._call("choose", index)
        self._show_words()

    def preedit(self) -> str:
        return str(self.keys.rootObject().property("preedit") or "") if self.keys is not None else ""

    # --- the text being edited ----------------------------------------------------------------------------------
    def show_field(self, caption: str, text: str, cursor: int) -> None:
        self.caption.setText(self.tr("正在输入：{field}").format(field=caption) if caption else self.tr("正在输入"))
        self._text, self._cursor = text, cursor
        self._render_echo()

    def _preedit_changed(self) -> None:
        if self.isVisible():
            self._render_echo()
            self._show_words()

    def _render_echo(self) -> None:
        text, cursor = getattr(self, "_text", ""), getattr(self, "_cursor", 0)
        composing = self.preedit()
        if not text and not composing:   # the way round pinyin, said where the text will appear
            self.echo.setText(html.escape(self.tr("拼音不好打？可点下面的常用词，或切换到“英文字母”打拼音首字母，如 sbk")))
            self.echo.setProperty("empty", True)
        else:
            shown = html.escape(text[:cursor]) + (f"<u>{html.escape(composing)}</u>" if composing else "")
            self.echo.setText(shown + "▏" + html.escape(text[cursor:]))
            self.echo.setProperty("empty", False)
        restyle(self.echo)
        self._show_words()

    def set_suggestions(self, words: Sequence[str], on_pick) -> None:
        self._suggested, self._on_pick = list(words), on_pick
        self._show_words()

    def _show_words(self) -> None:
        """Big candidates while pinyin is being composed; the suggested words while the field is empty."""
        clear_layout(self.words)
        if self.preedit():
            for index, word in enumerate(self.candidates()[:self._words_shown()]):
                chip = button(word, "osk-word")
                chip.clicked.connect(lambda _=False, i=index: self.choose(i))
                self.words.addWidget(chip)
        elif not getattr(self, "_text", "") and self._on_pick is not None:
            for word in self._suggested[:self._words_shown()]:
                chip = button(word, "osk-word")
                chip.clicked.connect(lambda _=False, w=word: self._on_pick(w))
                self.words.addWidget(chip)
        self.words.addStretch(1)
        self.words_row.setVisible(self.words.count() > 1)
        self.updateGeometry()
        self.height_changed.emit()

    def forget(self) -> None:
        """Hidden: nothing of what was typed stays in the panel or in the engine's composition."""
        self._text, self._cursor = "", 0
        self.caption.clear()
        self.echo.clear()
        self.set_suggestions((), None)
        if self.preedit():
            QGuiApplication.inputMethod().reset()   # drops a half-typed pinyin syllable


class OnScreenKeyboard(QObject):
    """Shows the panel for the focused text field of a screen, hides it on 完成 and whenever the screen changes."""

    visibility_changed = Signal(bool)

    def __init__(self, window, mode: str, parent: QObject | None = None):
        super().__init__(parent or window)
        self.window = window
        self.enabled = wanted(mode)
        self.field: QLineEdit | None = None
        self.panel = KeyboardPanel()
        self.panel.done.connect(lambda: self.hide())
        self.panel.height_changed.connect(self._squeeze_screen)
        self.panel.clear_button.clicked.connect(lambda: self.pick_word(""))
        layout = window.layout()
        layout.insertWidget(layout.indexOf(window.help_bar), self.panel)   # above the help strip
        self._prefs_changed(window.prefs.current, window.prefs.current)
        window.prefs.subscribe(self._prefs_changed)
        window.nav.changed.connect(self._screen_changed)
        app = QApplication.instance()
        app.focusChanged.connect(self._focus_changed)
        app.installEventFilter(self)   # a field focused or tapped by the resident (see eventFilter)
        window.destroyed.connect(self._disconnect)

    def _disconnect(self) -> None:
        app = QApplication.instance()
        app.removeEventFilter(self)
        try:
            app.focusChanged.disconnect(self._focus_changed)
        except (RuntimeError, TypeError):
            pass

    # --- which fields ---------------------------------------------------------------------------------------------
    def wants_keyboard(self, widget) -> bool:
        if not self.enabled or not isinstance(widget, QLineEdit) or widget.isReadOnly() or not widget.isEnabled():
            return False
        if widget.echoMode() != QLineEdit.EchoMode.Normal or widget.property("osk") is False:
            return False
        if not self.window.isAncestorOf(widget):
            return False
        screen = _screen_of(widget)
        return screen is not None and not screen.findChildren(Keypad)   # its own keypad: keep it

    # --- showing and hiding ---------------------------------------------------------------------------------------
    def _focus_changed(self, old, new) -> None:
        if new is not None and new is not self.field and self.window.isAncestorOf(new) and self.panel.isVisible() \
                and not self.wants_keyboard(new):
            self.hide()   # the focus moved to something that is not typed into

    def show_for(self, field: QLineEdit) -> None:
        fresh = self.panel.keys is None
        if not self.panel.ensure_keys():
            return
        if fresh and field.hasFocus():
            # keys just made or moved here: the input method learns the focused field again, as a new focus
            field.clearFocus()
            field.setFocus(Qt.FocusReason.OtherFocusReason)
        if field is not self.field:
            self._follow(field)
        self.panel.set_suggestions([str(w) for w in (field.property("oskSuggestions") or [])], self.pick_word)
        self._echo()
        if not self.panel.isVisible():
            # the screen gives the keys its room even where its content would rather have more (it is clipped
            # at the bottom while typing: a scroll area shrinks, the field is scrolled into view)
            self.window.stack.setMinimumHeight(1)
            self.panel.show()
            self._squeeze_screen()
            self.visibility_changed.emit(True)
        QTimer.singleShot(0, self._settle_panel)   # once the screen has given the panel its room

    def _follow(self, field: QLineEdit) -> None:
        if self.field is not None:
            self._unfollow()
        self.field = field
        field.textChanged.connect(self._echo)
        field.cursorPositionChanged.connect(self._echo)

    def _unfollow(self) -> None:
        field, self.field = self.field, None
        if field is None or not _alive(field):
            return
        for signal in (field.textChanged, field.cursorPositionChanged):
            try:
                signal.disconnect(self._echo)
            except (RuntimeError, TypeError):
                pass

    def hide(self, keep_focus: bool = False) -> None:
        """完成, leaving the screen, the session wipe: hide, and forget what the panel showed."""
        field = self.field if self.field is not None and _alive(self.field) else None
        was_visible = self.panel.isVisible()
        self.panel.hide()
        self.window.stack.setMinimumHeight(0)   # the screens' own minimum and room again
        self.window.stack.setMaximumHeight(QWIDGETSIZE_MAX)
        self.panel.forget()
        self._unfollow()
        if field is not None and field.hasFocus() and not keep_focus:
            field.clearFocus()   # so the next tap on it is a new focus
        if was_visible:
            self.visibility_changed.emit(False)

    def is_shown(self) -> bool:
        return self.panel.isVisible()

    def eventFilter(self, watched, event) -> bool:
        kind = event.type()
        if watched is self.window and kind == QEvent.Type.Resize:
            self.panel.fit(event.size())
            QTimer.singleShot(0, self._squeeze_screen)
        elif watched is self.window and kind == QEvent.Type.Hide:
            self.hide()
            _keep_keys(self.panel)   # the window may be deleted next; a keyboard made again does not commit
        elif kind == QEvent.Type.FocusIn and event.reason() != Qt.FocusReason.ActiveWindowFocusReason:
            # not when the window merely became active (the kiosk at rest keeps its screen): a tap, or a screen
            # that moved the focus into its field
            if self.wants_keyboard(watched):
                QTimer.singleShot(0, lambda: self._show_if_focused(watched))
        elif kind == QEvent.Type.MouseButtonPress and self.wants_keyboard(watched) and not self.panel.isVisible():
            QTimer.singleShot(0, lambda: self._show_if_focused(watched))   # tapped again after 完成
        return False

    def _show_if_focused(self, field: QLineEdit) -> None:
        if not _alive(self.panel):   # a deferred call for a window since deleted
            return
        if _alive(field) and field.hasFocus() and field.isVisible() and self.wants_keyboard(field):
            self.show_for(field)

    def _screen_changed(self, screen) -> None:
        # after the change has run its course: it may come from inside the engine's own commit (typing on home
        # opens the search screen), which must not be reset under its feet
        QTimer.singleShot(0, lambda: self._settle_on(screen))

    def _settle_on(self, screen) -> None:
        """Leaving a screen hides the keyboard; arriving home (also the session wipe) leaves it hidden, elsewhere
        a screen that put the focus in its field (typing on home continues on the search screen) gets it back."""
        if not _alive(self.panel):   # a deferred call for a window since deleted
            return
        if self.window.nav.current is not screen:
            return   # another change follows
        focused = QApplication.focusWidget()
        on_screen = focused is not None and screen.isAncestorOf(focused)
        keep = on_screen and screen not in (self.window.screens.home, self.window.screens.agent_home) \
            and self.wants_keyboard(focused)
        self.hide(keep_focus=keep)
        self.panel.set_layout(self.window.prefs.current.language)
        if keep:
            self.show_for(focused)
        elif on_screen:
            focused.clearFocus()

    def _prefs_changed(self, old: Prefs, new: Prefs) -> None:
        if old.language != new.language or old is new:
            self.panel.set_layout(new.language)   # the keys start in the session's language
        self.panel.set_elderly(new.elderly)

    # --- what the panel shows and does ------------------------------------------------------------------------------
    def _echo(self) -> None:
        field = self.field
        if field is None or not _alive(field):
            return
        caption = field.accessibleName() or field.placeholderText()
        self.panel.show_field(caption, field.text(), field.cursorPosition())

    def pick_word(self, word: str) -> None:
        """A suggested word (or nothing: 清空) replaces what is in the field, committed as typing is (so the screen
        reacts to it as to typing)."""
        field = self.field
        if field is None or not _alive(field):
            return
        QGuiApplication.inputMethod().reset()
        field.selectAll()
        if not word:
            field.del_()   # an edit as typing is: the screen hears it
            return
        event = QInputMethodEvent()
        event.setCommitString(word)
        QApplication.sendEvent(field, event)

    def _settle_panel(self) -> None:
        if not _alive(self.panel):   # a deferred call for a window since deleted
            return
        self.panel.fit(self.window.size())
        self._squeeze_screen()
        self._reveal()

    def _squeeze_screen(self) -> None:
        """The screen gets what the panel leaves, even less than it would like (it is cut at the bottom while
        typing; a scroll area shrinks): the window's layout alone lets a tall screen push the keys off the glass."""
        if not _alive(self.panel):   # a deferred call for a window since deleted
            return
        if not self.panel.isVisible():
            return
        layout = self.window.layout()
        others = [layout.itemAt(i).widget() for i in range(layout.count())]
        used = sum(w.sizeHint().height() if w is self.panel else w.height()
                   for w in others if w is not None and w is not self.window.stack and w.isVisible())
        used += layout.spacing() * max(0, len([w for w in others if w is not None and w.isVisible()]) - 1)
        self.window.stack.setMaximumHeight(max(1, self.window.height() - used))

    def _reveal(self) -> None:
        if not _alive(self.panel):   # a deferred call for a window since deleted
            return
        field = self.field
        if field is None or not _alive(field):
            return
        parent = field.parentWidget()
        while parent is not None:
            if isinstance(parent, QScrollArea):
                parent.ensureWidgetVisible(field, 0, 40)
            parent = parent.parentWidget()


def _take_shared_keys(panel: KeyboardPanel) -> QQuickWidget | None:
    if not _shared or not _alive(_shared[0]):
        return None
    keys = _shared[0]
    owner = keys.parentWidget()
    if isinstance(owner, KeyboardPanel) and owner is not panel:
        owner.give_up_keys()
    keys.setParent(panel)
    return keys


def _keep_keys(panel: KeyboardPanel) -> None:
    keys = panel.give_up_keys()
    if keys is not None:
        keys.hide()
        keys.setParent(None)   # parentless and hidden until the next window takes it


def _screen_of(widget: QWidget) -> Screen | None:
    parent = widget.parentWidget()
    while parent is not None and not isinstance(parent, Screen):
        parent = parent.parentWidget()
    return parent


def _alive(widget: QWidget) -> bool:
    from shiboken6 import isValid

    return isValid(widget)
