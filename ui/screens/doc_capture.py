"""拍摄材料: the document camera's live view with the sheet outlined, then the flattened page to 重拍 or 使用."""
from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPointF, Qt, Signal
from PySide6.QtGui import QColor, QImage, QPainter, QPen, QPixmap, QPolygonF
from PySide6.QtWidgets import QHBoxLayout, QLabel, QWidget

from devices.doccam.live import Glimpse
from ui.messages import Message
from ui.widgets import ErrorPanel, Screen, button, label

VIEW_SIZE = (640, 440)   # drawn at most this size; the minimum stays small so the window keeps its 1280×800


class DocCaptureScreen(Screen):
    retake_requested = Signal()   # 重拍 (also 再试一次 after a failure)
    use_requested = Signal()      # 使用: the page goes with the filing

    def __init__(self, parent: QWidget | None = None):
        super().__init__(self.tr("拍摄材料"), parent=parent)
        self.hint = label("", "big")
        self.body.addWidget(self.hint)
        self.view = QLabel()
        self.view.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.view.setMinimumSize(320, 220)
        self.body.addWidget(self.view, 1)
        self.error = ErrorPanel()
        self.body.addWidget(self.error)
        self.retake_button = button(self.tr("重拍"))
        self.use_button = button(self.tr("使用这一页"), "primary")
        self.retake_button.clicked.connect(self.retake_requested)
        self.use_button.clicked.connect(self.use_requested)
        row = QHBoxLayout()
        row.setSpacing(24)
        row.addWidget(self.retake_button, 1)
        row.addWidget(self.use_button, 2)
        self.body.addLayout(row)
        self.show_live()

    def show_live(self) -> None:
        self.error.clear()
        self.view.clear()
        self.hint.setText(self.tr("请把材料平放在拍摄区，整页都在画面里，拍好前不要移动"))
        self.retake_button.hide()
        self.use_button.hide()

    def show_glimpse(self, glimpse: Glimpse, hint: str) -> None:
        """A preview frame with the detected sheet outlined (green when good to photograph)."""
        pixmap = QPixmap.fromImage(to_qimage(glimpse.frame))
        finding = glimpse.finding
        if finding is not None and finding.quad is not None:
            painter = QPainter(pixmap)
            painter.setPen(QPen(QColor("#2e7d32" if finding.found else "#f9a825"), 6))
            painter.drawPolygon(QPolygonF([QPointF(*point) for point in finding.quad.array()]))
            painter.end()
        self.view.setPixmap(pixmap.scaled(*VIEW_SIZE, Qt.AspectRatioMode.KeepAspectRatio,
                                          Qt.TransformationMode.SmoothTransformation))
        if hint:
            self.hint.setText(hint)

    def show_result(self, jpeg: bytes) -> None:
        pixmap = QPixmap()
        pixmap.loadFromData(jpeg, "JPEG")
        self.view.setPixmap(pixmap.scaled(*VIEW_SIZE, Qt.AspectRatioMode.KeepAspectRatio,
                                          Qt.TransformationMode.SmoothTransformation))
        self.hint.setText(self.tr("已拍好。文字清楚就点“使用这一页”，否则点“重拍”"))
        self.retake_button.setText(self.tr("重拍"))
        self.retake_button.show()
        self.use_button.show()

    def show_failure(self, message: Message) -> None:
        self.view.clear()
        self.hint.clear()
        self.error.show_message(message.text, message.next_step)
        self.retake_button.setText(self.tr("再试一次"))
        self.retake_button.show()
        self.use_button.hide()

    def clear_personal(self) -> None:
        self.view.clear()
        self.error.clear()
        self.retake_button.hide()
        self.use_button.hide()


def to_qimage(frame: np.ndarray) -> QImage:
    """A BGR or gray uint8 frame as a QImage that owns its pixels."""
    frame = np.ascontiguousarray(frame)
    height, width = frame.shape[:2]
    if frame.ndim == 2:
        return QImage(frame.data, width, height, frame.strides[0], QImage.Format.Format_Grayscale8).copy()
    return QImage(frame.data, width, height, frame.strides[0], QImage.Format.Format_BGR888).copy()
