"""A signature pad: finger or mouse strokes drawn smoothly on a white canvas, exported as PNG bytes.

Strokes are kept as point lists and drawn as quadratic curves through the midpoints, so a finger's jagged sampling
still reads as handwriting. The PNG is what the core stores as consent evidence (kiosk/consent.py checks its magic).
"""
from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP, QBuffer, QByteArray, QIODevice, QPointF, Qt, Signal
from PySide6.QtGui import QColor, QImage, QMouseEvent, QPainter, QPainterPath, QPaintEvent, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from ui.a11y import name

INK = QColor("#0b2a5b")
PEN_WIDTH = 5.0


class SignaturePad(QWidget):
    inked = Signal(bool)   # whether anything is drawn now (the 确认签名 button follows it)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._strokes: list[list[QPointF]] = []
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(480, 240)
        self.setCursor(Qt.CursorShape.CrossCursor)
        name(self, QT_TRANSLATE_NOOP("Accessible", "签名区：请用手指在这里签名"))

    @property
    def has_ink(self) -> bool:
        return any(len(stroke) > 1 for stroke in self._strokes)

    def clear(self) -> None:
        """Also the personal-data wipe: a signature must not outlive its session."""
        had_ink = self.has_ink
        self._strokes.clear()
        self.update()
        if had_ink:
            self.inked.emit(False)

    # --- input (touch arrives as synthesized mouse events) --------------------------------------------------
    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self._strokes.append([event.position()])
            self.update()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if event.buttons() & Qt.MouseButton.LeftButton and self._strokes:
            was_inked = self.has_ink
            self._strokes[-1].append(event.position())
            self.update()
            if not was_inked:
                self.inked.emit(True)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if self._strokes and len(self._strokes[-1]) < 2:   # a tap is not a signature
            self._strokes.pop()

    # --- drawing -------------------------------------------------------------------------------------------
    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        try:
            self._draw(painter)
            painter.setPen(QPen(QColor("#b8c3d3"), 2))
            painter.drawRect(self.rect().adjusted(1, 1, -2, -2))
        finally:
            painter.end()   # never leave it to the garbage collector: a painter outliving the event aborts Qt

    def _draw(self, painter: QPainter) -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.fillRect(self.rect(), Qt.GlobalColor.white)
        pen = QPen(INK, PEN_WIDTH, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap, Qt.PenJoinStyle.RoundJoin)
        painter.setPen(pen)
        for stroke in self._strokes:
            if len(stroke) > 1:
                painter.drawPath(smooth_path(stroke))

    def to_png(self) -> bytes:
        """The canvas as PNG bytes (white background, no frame)."""
        image = QImage(self.size(), QImage.Format.Format_RGB32)
        painter = QPainter(image)
        try:
            self._draw(painter)
        finally:
            painter.end()
        data = QByteArray()
        buffer = QBuffer(data)
        buffer.open(QIODevice.OpenModeFlag.WriteOnly)
        image.save(buffer, "PNG")
        buffer.close()
        return bytes(data.data())


def smooth_path(points: list[QPointF]) -> QPainterPath:
    """Quadratic segments from midpoint to midpoint, each bent by the sampled point between them."""
    path = QPainterPath(points[0])
    for previous, point in zip(points, points[1:]):
        middle = (previous + point) / 2
        path.quadTo(previous, middle)
    path.lineTo(points[-1])
    return path
