"""Which screen is showing and how to get back. A route is a small function that fills a screen and returns it,
so 返回 can re-open an earlier page even when the same screen widget showed something else since."""
from __future__ import annotations

from typing import Callable

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QStackedWidget, QWidget

Route = Callable[[], QWidget]


class Navigator(QObject):
    changed = Signal(QWidget)

    def __init__(self, stack: QStackedWidget, home: Route, parent: QObject | None = None):
        super().__init__(parent)
        self._stack = stack
        self._home = home
        self._history: list[Route] = []
        self._route: Route = home

    @property
    def current(self) -> QWidget:
        return self._stack.currentWidget()

    @property
    def depth(self) -> int:
        return len(self._history)

    def open(self, route: Route, remember: bool = True) -> None:
        """Show `route`; with remember=False the current page is replaced rather than kept for 返回."""
        if remember:
            self._history.append(self._route)
        self._show(route)

    def back(self) -> None:
        self._show(self._history.pop() if self._history else self._home)

    def home(self) -> None:
        self._history.clear()
        self._show(self._home)

    def _show(self, route: Route) -> None:
        self._route = route
        screen = route()
        self._stack.setCurrentWidget(screen)
        self.changed.emit(screen)
