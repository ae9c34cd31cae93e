"""Small touch-first building blocks shared by the screens."""
from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QBoxLayout, QFrame, QGridLayout, QHBoxLayout, QLabel, QLayout, QLineEdit,
                               QPushButton, QScrollArea, QScroller, QSizePolicy, QStyle, QStyleOptionButton,
                               QStylePainter, QVBoxLayout, QWidget)

from ui.a11y import mark_choice

MARGIN = 32
SPACING = 16


def restyle(widget: QWidget) -> None:
    """Re-apply the stylesheet after a dynamic property changed."""
    widget.style().unpolish(widget)
    widget.style().polish(widget)


def label(text: str = "", role: str = "", wrap: bool = True) -> QLabel:
    widget = QLabel(text)
    widget.setWordWrap(wrap)
    widget.setTextFormat(Qt.TextFormat.PlainText)   # catalog text is data, never markup
    if role:
        widget.setProperty("role", role)
    return widget


def button(text: str, role: str = "", checkable: bool = False) -> QPushButton:
    widget = QPushButton(text)
    widget.setCursor(Qt.CursorShape.PointingHandCursor)
    widget.setCheckable(checkable)
    if checkable:
        mark_choice(widget)   # ✓ / ○: a choice is seen without telling colours apart
    widget.setFocusPolicy(Qt.FocusPolicy.NoFocus)   # touch screen: no focus rectangles, keep the keyboard focus
    if role:
        widget.setProperty("role", role)
    return widget


def frame(role: str, layout: QBoxLayout | None = None) -> QFrame:
    widget = QFrame()
    widget.setProperty("role", role)
    box = layout or QVBoxLayout()
    box.setContentsMargins(24, 16, 24, 16)
    box.setSpacing(10)
    widget.setLayout(box)
    return widget


def vbox(*widgets: QWidget, spacing: int = SPACING) -> QVBoxLayout:
    box = QVBoxLayout()
    box.setSpacing(spacing)
    for widget in widgets:
        box.addWidget(widget)
    return box


def hbox(*widgets: QWidget, spacing: int = SPACING, stretch_first: bool = False) -> QHBoxLayout:
    box = QHBoxLayout()
    box.setSpacing(spacing)
    if stretch_first:
        box.addStretch(1)
    for widget in widgets:
        box.addWidget(widget)
    return box


def spoken(*parts: str) -> str:
    """Sentences for the voice guide, one per line (a line break is a pause); empty parts left out."""
    return "\n".join(part for part in parts if part)


def blank(widget: QWidget) -> None:
    """Empty every label and input inside `widget` now (its deletion is deferred; personal data must not wait)."""
    for child in [widget, *widget.findChildren(QWidget)]:
        if isinstance(child, (QLabel, QLineEdit)):
            child.clear()


def clear_layout(layout: QLayout) -> None:
    """Remove and delete everything in `layout` (used when a screen shows new content)."""
    while layout.count():
        entry = layout.takeAt(0)
        if entry.widget() is not None:
            entry.widget().hide()
            blank(entry.widget())
            entry.widget().deleteLater()
        elif entry.layout() is not None:
            clear_layout(entry.layout())
            entry.layout().deleteLater()


def fill_grid(grid: QGridLayout, widgets: list[QWidget], columns: int) -> None:
    clear_layout(grid)
    for index, widget in enumerate(widgets):
        grid.addWidget(widget, index // columns, index % columns)
    for column in range(max(columns, grid.columnCount())):   # fewer columns than last time: the rest collapse
        grid.setColumnStretch(column, 1 if column < columns else 0)


def scrolling_rows(body: QBoxLayout) -> QVBoxLayout:
    """A column of cards filling the rest of `body`, scrolled by finger (the list screens' results)."""
    content = QWidget()
    rows = QVBoxLayout(content)
    rows.setContentsMargins(0, 0, 8, 0)   # room for the scroll bar
    rows.setSpacing(12)
    body.addWidget(scroll_area(content), 1)
    return rows


def scroll_area(content: QWidget, kinetic: bool = True) -> QScrollArea:
    """A vertical scroll area that scrolls by dragging a finger (kinetic), as touch users expect. Not kinetic
    over something the finger draws on (a signature pad): there the drag must reach the pad."""
    area = QScrollArea()
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.Shape.NoFrame)
    area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    area.setWidget(content)
    if kinetic:
        QScroller.grabGesture(area.viewport(), QScroller.ScrollerGestureType.LeftMouseButtonGesture)
    return area


class Screen(QWidget):
    """A full-window page with an optional title bar (返回 / 首页). Subclasses fill `self.body`."""

    back_requested = Signal()
    home_requested = Signal()
    spoken_changed = Signal()   # what spoken_text() says changed without a page change (a new state, results)
    instruction: QLabel | None = None   # the screen's main instruction, read aloud after the title

    def __init__(self, title: str = "", nav: bool = True, parent: QWidget | None = None):
        super().__init__(parent)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(MARGIN, 12, MARGIN, 12)   # thin: the strips above and below need the height
        outer.setSpacing(SPACING)
        self.title = label(title, "title", wrap=True)
        self.back_button = button(self.tr("‹ 返回"), "nav")
        self.home_button = button(self.tr("⌂ 首页"), "nav")
        self.back_button.clicked.connect(self.back_requested)
        self.home_button.clicked.connect(self.home_requested)
        self.top = QHBoxLayout()   # the title row; a screen may add a small control at its end
        self.top.setSpacing(SPACING)
        self.top.addWidget(self.back_button, 0, Qt.AlignmentFlag.AlignTop)
        self.top.addWidget(self.title, 1)
        self.top.addWidget(self.home_button, 0, Qt.AlignmentFlag.AlignTop)
        outer.addLayout(self.top)
        if not nav:   # only once parented: showing a parentless widget would open a window of its own
            self.back_button.hide()
            self.home_button.hide()
        # The body scrolls when it cannot fit (large type, a staff notice line, a long form): the window never
        # grows past the screen and nothing is squeezed on top of something else.
        content = QWidget()
        self.body = QVBoxLayout(content)
        self.body.setContentsMargins(0, 0, 0, 0)
        self.body.setSpacing(SPACING)
        # by its bar, not kinetic: a flick gesture here would delay every tap on the screen and steal the drag of a
        # signature pad; the lists inside a screen keep their finger scrolling
        self.body_area = scroll_area(content, kinetic=False)
        outer.addWidget(self.body_area, 1)

    def clear_personal(self) -> None:
        """Forget everything about the resident this screen shows. Screens with personal data override this."""

    def spoken_text(self) -> str:
        """What the voice guide reads when this screen opens: guidance only (title, instruction, what to do),
        never what the resident entered or a card gave. Screens with more to say override this."""
        instruction = self.instruction.text() if self.instruction is not None and not self.instruction.isHidden() \
            else ""
        return spoken(self.title.text(), instruction)

    def spoken_focus(self, widget: QWidget) -> str:
        """What to say when `widget` of this screen gets the keyboard focus ("" for nothing)."""
        return ""

    def announce(self) -> None:
        """Read this screen's guidance again if it is on screen (its state changed)."""
        self.spoken_changed.emit()


class ErrorPanel(QFrame):
    """What went wrong and what to do next, in words and with a ！ mark (never colour alone)."""

    shown = Signal(str)   # the message and its next step, for the voice guide

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setProperty("role", "error")
        self.text = label("", "big")
        self.next_step = label("")
        icon = label("！", "huge", wrap=False)
        icon.setStyleSheet("color: #a4161a;")
        texts = vbox(self.text, self.next_step, spacing=6)
        row = QHBoxLayout(self)
        row.setContentsMargins(24, 16, 24, 16)
        row.addWidget(icon, 0, Qt.AlignmentFlag.AlignTop)
        row.addLayout(texts, 1)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        self.hide()

    def show_message(self, text: str, next_step: str) -> None:
        self.text.setText(text)
        self.next_step.setText(next_step)
        self.show()
        self.shown.emit(spoken(text, next_step))

    def clear(self) -> None:
        self.text.clear()
        self.next_step.clear()
        self.hide()


class RowButton(QPushButton):
    """A big tappable row: a main text on the left, a badge (words, not colour alone) and › on the right.

    The button's own text() is the main text (so automation and accessibility find it by name); the labels draw it.
    """

    def __init__(self, text: str, badge: str = "", badge_role: str = "badge", parent: QWidget | None = None):
        super().__init__(text, parent)
        self.setProperty("role", "row")
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.text_label = label(text, "big")
        row = QHBoxLayout(self)
        row.setContentsMargins(24, 10, 20, 10)
        row.setSpacing(SPACING)
        row.addWidget(self.text_label, 1)
        if badge:
            row.addWidget(label(badge, badge_role, wrap=False))
        row.addWidget(label("›", "big", wrap=False))
        for child in self.findChildren(QLabel):
            child.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)

    def paintEvent(self, event) -> None:
        option = QStyleOptionButton()
        self.initStyleOption(option)
        option.text = ""          # the labels show the text, wrapped
        QStylePainter(self).drawControl(QStyle.ControlElement.CE_PushButton, option)

    def sizeHint(self):
        hint = self.layout().sizeHint()
        hint.setHeight(max(hint.height(), 88))
        return hint

    def minimumSizeHint(self):
        hint = self.layout().minimumSize()
        hint.setHeight(max(hint.height(), 88))
        return hint

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        return max(88, self.layout().totalHeightForWidth(width))
