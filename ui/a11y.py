"""Accessibility across the screens: spoken names for controls, a non-colour mark for chosen options, and the
pixel size of a 9 mm touch target on this screen.

Names. Qt already names a button by its text and an input by the label whose buddy it is, so most controls need
nothing. Decorations (‹ ⌂ ★ ✓ ›) are stripped from what a screen reader says: a button showing "‹ 返回" is named
"返回", recomputed when it is shown and after a language switch, so the name follows the translated text. A
control with no words of its own is named with `name(widget, QT_TRANSLATE_NOOP("Accessible", "..."))`.

Chosen options. A checkable button carries a drawn ✓ when chosen and ○ when not (QIcon On/Off), so the choice is
seen without telling blue from white, and the button's text, which forms read as the answer, stays as it is.
"""
from __future__ import annotations

import re

from PySide6.QtCore import QCoreApplication, QEvent, QObject, QPointF, QRectF, QSize, Qt, QTimer
from PySide6.QtGui import QAccessible, QColor, QGuiApplication, QIcon, QPainter, QPainterPath, QPen, QPixmap
from PySide6.QtWidgets import QAbstractButton, QLineEdit, QWidget

from kiosk.elderly import DEFAULT_DPI, plausible_dpi, target_px

CONTEXT = "Accessible"
SOURCE_PROPERTY = "a11y_source"     # the untranslated name given by name(): re-translated on a language switch
AUTO_PROPERTY = "a11y_auto"         # the name was derived from the text here: recomputed when the text changes
# Decorations that carry no words: arrows, home, stars, marks, dots, the speaker, the exclamation sign.
DECORATIONS = "‹›«»<>⌂★☆✓✔✗✕×○●◉•！!？?→←↑↓▶◀🔊🔈🔇·…"
_DECORATION = re.compile("[" + re.escape(DECORATIONS) + r"\s]+")
_WORD = re.compile(r"[^\W_]", re.UNICODE)   # a letter, digit or CJK character
ICON_PX = 30


def prop(widget: QObject, key: str):
    """A dynamic property, or None when unset. Asked only when set: this PySide6 returns an unset property's None
    one reference short, and asking thousands of widgets soon frees None itself (a fatal error)."""
    return widget.property(key) if key.encode() in widget.dynamicPropertyNames() else None


def spoken(text: str) -> str:
    """What a screen reader should say for `text`: its words, without the decorations around and between them."""
    return _DECORATION.sub(" ", text.replace("&", "")).strip()


def has_words(text: str) -> bool:
    return bool(_WORD.search(text or ""))


def name(widget: QWidget, source: str) -> None:
    """Name a control that has no words of its own; `source` is marked QT_TRANSLATE_NOOP("Accessible", ...)."""
    widget.setProperty(SOURCE_PROPERTY, source)
    widget.setAccessibleName(QCoreApplication.translate(CONTEXT, source))


def refresh(widget: QWidget) -> None:
    """Bring one control's spoken name up to date with its text and the current language."""
    source = prop(widget, SOURCE_PROPERTY)
    if source:
        widget.setAccessibleName(QCoreApplication.translate(CONTEXT, source))
        return
    if isinstance(widget, QLineEdit):
        _name_by_placeholder(widget)
        return
    if not isinstance(widget, QAbstractButton):
        return
    text = widget.text()
    words = spoken(text)
    if prop(widget, AUTO_PROPERTY) or (not widget.accessibleName() and words != text.strip()):
        widget.setAccessibleName(words)
        widget.setProperty(AUTO_PROPERTY, True)


def _name_by_placeholder(line: QLineEdit) -> None:
    """An input whose only visible label is its placeholder ("群众姓名") is named by it; a caption (buddy) wins."""
    if not prop(line, AUTO_PROPERTY):
        interface = QAccessible.queryAccessibleInterface(line)
        if interface is None or interface.text(QAccessible.Text.Name) or not line.placeholderText():
            return
    line.setAccessibleName(line.placeholderText())
    line.setProperty(AUTO_PROPERTY, True)


def refresh_all(root: QWidget) -> None:
    for widget in [root, *root.findChildren(QWidget)]:
        refresh(widget)


class SpokenNames(QObject):
    """Installed on the application: names a button when it is shown, and every control after a language change
    (once the texts have been re-rendered, hence the zero-delay timer)."""

    def __init__(self, root: QWidget, parent: QObject | None = None):
        super().__init__(parent)
        self._root = root
        self._pending = QTimer(self, singleShot=True, interval=0, timeout=lambda: refresh_all(self._root))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind == QEvent.Type.Show and isinstance(watched, (QAbstractButton, QLineEdit)):
            refresh(watched)
        elif kind == QEvent.Type.LanguageChange and watched is self._root:
            self._pending.start()
        return False

    def refresh_soon(self) -> None:
        self._pending.start()


# --- chosen options: ✓ / ○ ------------------------------------------------------------------------------------------
_ICON: QIcon | None = None


def _mark(on: bool) -> QPixmap:
    ratio = QGuiApplication.primaryScreen().devicePixelRatio() if QGuiApplication.primaryScreen() else 1.0
    pixmap = QPixmap(round(ICON_PX * ratio), round(ICON_PX * ratio))
    pixmap.setDevicePixelRatio(ratio)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    if on:   # a white tick inside a white ring: drawn on the chosen (dark) button
        painter.setPen(QPen(QColor("white"), 4))
        painter.drawEllipse(QRectF(2, 2, ICON_PX - 4, ICON_PX - 4))
        tick = QPainterPath(QPointF(8, 15.5))
        tick.lineTo(13, 20.5)
        tick.lineTo(22, 9.5)
        painter.drawPath(tick)
    else:    # an empty dark ring: nothing chosen here yet
        painter.setPen(QPen(QColor("#073a7a"), 3))
        painter.drawEllipse(QRectF(2.5, 2.5, ICON_PX - 5, ICON_PX - 5))
    painter.end()
    return pixmap


def check_icon() -> QIcon:
    global _ICON
    if _ICON is None:
        _ICON = QIcon()
        for on in (False, True):
            state = QIcon.State.On if on else QIcon.State.Off
            for mode in (QIcon.Mode.Normal, QIcon.Mode.Active, QIcon.Mode.Selected):
                _ICON.addPixmap(_mark(on), mode, state)
    return _ICON


def mark_choice(widget: QAbstractButton) -> None:
    """A checkable button shows ✓ when chosen and ○ when not: the choice is not told by colour alone."""
    widget.setIcon(check_icon())
    widget.setIconSize(QSize(ICON_PX, ICON_PX))


# --- 9 mm touch targets ---------------------------------------------------------------------------------------------
def screen_dpi(configured: float) -> float:
    """Pixels per inch: the setting when given, else the screen's own report when believable, else the 15.6-inch
    1280x800 panel the kiosks ship with."""
    if configured > 0:
        return configured
    screen = QGuiApplication.primaryScreen()
    reported = screen.physicalDotsPerInch() if screen is not None else 0.0
    return reported if plausible_dpi(reported) else DEFAULT_DPI


def min_target_px(configured_dpi: float) -> int:
    return target_px(screen_dpi(configured_dpi))
