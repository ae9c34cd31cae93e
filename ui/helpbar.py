"""The strip under every screen with the resident's own controls: the language, voice replay, elderly mode and
"办不成事". Each feature adds its control here, so every screen offers it without each screen knowing about it."""
from __future__ import annotations

from PySide6.QtWidgets import QFrame, QHBoxLayout, QWidget


class HelpBar(QFrame):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setProperty("role", "helpbar")
        self.row = QHBoxLayout(self)
        self.row.setContentsMargins(32, 3, 32, 3)   # thin: the screens above need the height
        self.row.setSpacing(16)
        self.row.addStretch(1)
        self.hide()   # shown once a feature adds a control

    def add(self, widget: QWidget, *, left: bool = False) -> None:
        """Place a control: on the left (before the stretch) or, by default, the right-hand group."""
        if left:
            self.row.insertWidget(0, widget)
        else:
            self.row.addWidget(widget)
        self.show()
