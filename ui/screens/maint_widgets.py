"""Small pieces the maintenance panels share: a denser look for technicians, a result box, times and ages in words."""
from __future__ import annotations

from datetime import datetime, timezone

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, Qt
from PySide6.QtWidgets import QFrame, QGridLayout, QHBoxLayout, QLabel, QListWidget, QScroller, QVBoxLayout, QWidget

from kiosk.ids import CST
from ui.a11y import name
from ui.widgets import label, restyle

# Set on the maintenance screen, so it reaches every panel (others' too): technicians read more at once than
# residents, at arm's length, so text is smaller and buttons lower than the resident screens', still finger-sized.
MAINT_SHEET = """
QLabel { font-size: 22px; }
QLabel[role="title"] { font-size: 32px; }
QLabel[role="section"] { font-size: 24px; padding-top: 2px; }
QLabel[role="big"] { font-size: 26px; }
QLabel[role="small"] { font-size: 18px; }
QLabel[role="code"] { font-size: 16px; color: #5b6472; font-family: monospace; }
QPushButton { min-height: 56px; font-size: 24px; padding: 4px 18px; }
QPushButton[role="nav"] { min-height: 56px; max-height: 56px; font-size: 24px; }
QTabBar::tab { min-height: 56px; min-width: 120px; font-size: 24px; padding: 0 20px; background: #e2e7ee;
    border: 2px solid #b8c3d3; border-bottom: none; border-top-left-radius: 10px; border-top-right-radius: 10px; }
QTabBar::tab:selected { background: white; color: #073a7a; font-weight: bold; }
QTabWidget::pane { background: white; border: 2px solid #b8c3d3; border-radius: 8px; }
QListWidget { font-size: 20px; background: white; border: none; }
QFrame[role="ok"] QLabel, QFrame[role="error"] QLabel, QFrame[role="warn"] QLabel { font-size: 22px; }
"""

STATE_WORDS = {"ok": QT_TRANSLATE_NOOP("Maintenance", "● 正常"), "absent": QT_TRANSLATE_NOOP("Maintenance", "○ 未连接"),
               "error": QT_TRANSLATE_NOOP("Maintenance", "！故障")}


def tr(text: str) -> str:
    return QCoreApplication.translate("Maintenance", text)


class ResultBox(QFrame):
    """A test's or an action's answer: a headline and some lines, framed as ok / warn / error in words too."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.headline = label("", "big")
        self.lines = label("")
        box = QVBoxLayout(self)
        box.setContentsMargins(20, 12, 20, 12)
        box.setSpacing(6)
        box.addWidget(self.headline)
        box.addWidget(self.lines)
        self.hide()

    def show_result(self, kind: str, headline: str, lines: list[str] = ()) -> None:
        self.setProperty("role", kind)   # ok | warn | error
        restyle(self)
        self.headline.setText(headline)
        self.lines.setText("\n".join(lines))
        self.lines.setVisible(bool(lines))
        self.show()

    def clear(self) -> None:
        self.headline.clear()
        self.lines.clear()
        self.hide()


CODE_CHARS = 48   # a driver's detail can be long (an exception's text); the full one is in the log


def worded(words: str, code: str = "") -> QWidget:
    """Plain words with the machine's code in small type after them, on one line: the technician reads the words,
    support asks for the code. The code alone when there are no words for it; nothing when there is neither."""
    cell = QWidget()
    row = QHBoxLayout(cell)
    row.setContentsMargins(0, 0, 0, 0)
    row.setSpacing(8)
    if words:
        row.addWidget(label(words, wrap=False))
    if code and code != words:
        small = label(code if len(code) <= CODE_CHARS else code[:CODE_CHARS - 1] + "…", "code", wrap=False)
        small.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignBottom)   # near the words' baseline
        small.setContentsMargins(0, 0, 0, 3)
        row.addWidget(small)
    row.addStretch(1)
    return cell


def fact_grid(rows: list[tuple[str, str]], grid: QGridLayout | None = None, columns: int = 1) -> QGridLayout:
    """Label: value pairs, `columns` pairs to a row; a given grid is emptied and refilled."""
    grid = grid or QGridLayout()
    while grid.count():
        widget = grid.takeAt(0).widget()
        if widget is not None:
            widget.hide()
            widget.deleteLater()
    for index, (name, value) in enumerate(rows):
        row, column = divmod(index, columns)
        grid.addWidget(label(name, "hint", wrap=False), row, 2 * column)
        grid.addWidget(_value(value), row, 2 * column + 1)
    for column in range(columns):
        grid.setColumnStretch(2 * column + 1, 1)
    grid.setHorizontalSpacing(24)
    grid.setVerticalSpacing(6)
    return grid


def _value(text: str) -> QLabel:
    widget = label(text)
    widget.setProperty("role", "")
    return widget


def text_list(spoken: str) -> QListWidget:
    """A read-only list of wrapped text lines, scrolled by dragging a finger; `spoken`: its screen-reader name,
    marked QT_TRANSLATE_NOOP("Accessible", ...)."""
    rows = QListWidget()
    name(rows, spoken)
    rows.setWordWrap(True)
    rows.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    rows.setVerticalScrollMode(QListWidget.ScrollMode.ScrollPerPixel)
    rows.setMinimumHeight(96)
    QScroller.grabGesture(rows.viewport(), QScroller.ScrollerGestureType.LeftMouseButtonGesture)
    return rows


def local_time(moment: datetime | None) -> str:
    if moment is None:
        return QCoreApplication.translate("Maintenance", "从未")
    aware = moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
    return aware.astimezone(CST).strftime("%Y-%m-%d %H:%M")


def age_words(seconds: float | None) -> str:
    if seconds is None:
        return QCoreApplication.translate("Maintenance", "无")
    minutes = int(seconds // 60)
    if minutes < 1:
        return QCoreApplication.translate("Maintenance", "不到1分钟")
    if minutes < 60:
        return QCoreApplication.translate("Maintenance", "{n}分钟").format(n=minutes)
    if minutes < 48 * 60:
        return QCoreApplication.translate("Maintenance", "{h}小时{m}分钟").format(h=minutes // 60, m=minutes % 60)
    return QCoreApplication.translate("Maintenance", "{n}天").format(n=minutes // (24 * 60))
