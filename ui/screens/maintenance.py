"""The maintenance screen: who is in (technician id), 退出维护, and a tab bar over the panels.

A panel is one module `ui/screens/maint_<name>.py` with one class `<Name>Panel(core, tasks, technician, parent)`
that has `title`, `refresh()` (its tab was opened) and `clear()` (maintenance closed). `PANELS` lists them in tab
order as (module, class name); a module that is not there (another helper's panel not merged yet) or does not
import is left out and logged, and one that fails to build shows a placeholder, so the shell always opens.
"""
from __future__ import annotations

import importlib
import logging
from typing import Callable

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QTabWidget, QVBoxLayout, QWidget

from ui.screens.maint_widgets import MAINT_SHEET
from ui.tasks import Tasks
from ui.widgets import Screen, button, label, scroll_area

log = logging.getLogger(__name__)

PANELS: list[tuple[str, str]] = [
    ("ui.screens.maint_devices", "DevicesPanel"),
    ("ui.screens.maint_receipts", "ReceiptsPanel"),
    ("ui.screens.maint_sync", "SyncPanel"),
    ("ui.screens.maint_settings", "SettingsPanel"),
    ("ui.screens.maint_logs", "LogsPanel"),
    ("ui.screens.maint_database", "DatabasePanel"),
    ("ui.screens.maint_version", "VersionPanel"),
]


def panel_classes() -> list[type]:
    """The panel classes that exist on this build, in tab order."""
    found = []
    for module_name, class_name in PANELS:
        try:
            found.append(getattr(importlib.import_module(module_name), class_name))
        except ModuleNotFoundError as exc:
            if exc.name != module_name:          # the module is there but something it needs is not
                log.error("maintenance panel %s unavailable: %s", class_name, exc)
        except Exception as exc:
            log.error("maintenance panel %s unavailable: %s", class_name, type(exc).__name__)
    return found


class _Broken(QWidget):
    """Stands in for a panel that failed to build: says so, and the other tabs work."""

    def __init__(self, name: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.title = name
        QVBoxLayout(self).addWidget(label(self.tr("这个面板无法加载，详情见“日志”"), "big"))

    def refresh(self) -> None:
        pass

    def clear(self) -> None:
        pass


class MaintenanceScreen(Screen):
    exit_requested = Signal()
    restart_requested = Signal()   # a panel's change takes effect only in a new process (a database restore)

    def __init__(self, core, tasks: Tasks, parent: QWidget | None = None):
        super().__init__(self.tr("维护模式"), nav=False, parent=parent)
        self.back_button.hide()
        self.home_button.hide()
        self.setStyleSheet(MAINT_SHEET)
        self.actor: str | None = None            # set by ui/maintenance.py while a technician is in
        self.who = label("", "big", wrap=False)
        self.exit_button = button(self.tr("退出维护"), "primary")
        self.exit_button.clicked.connect(self.exit_requested)
        self.top.insertWidget(2, self.who)
        self.top.insertWidget(3, self.exit_button)
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(False)
        self.panels = [self._build(cls, core, tasks, lambda: self.actor) for cls in panel_classes()]
        for panel in self.panels:   # in a finger-scrolled area: a tall panel scrolls instead of growing the window
            self.tabs.addTab(scroll_area(panel), panel.title)
            if hasattr(panel, "restart_requested"):
                panel.restart_requested.connect(self.restart_requested)
        self.tabs.currentChanged.connect(self._opened)
        self.body.addWidget(self.tabs, 1)

    @staticmethod
    def _build(cls: type, core, tasks: Tasks, technician: Callable[[], str | None]) -> QWidget:
        try:
            return cls(core, tasks, technician)
        except Exception:
            log.exception("maintenance panel %s failed to build", cls.__name__)
            return _Broken(cls.__name__)

    def start(self, technician_id: str, actor: str) -> None:
        """A technician is in: show who, open the first tab and load it."""
        self.actor = actor
        self.who.setText(self.tr("技术员 {id}").format(id=technician_id))
        if self.tabs.currentIndex() != 0:
            self.tabs.setCurrentIndex(0)         # currentChanged refreshes it
        else:
            self._opened(0)

    def show_tab(self, title: str) -> QWidget:
        """Open the tab with this title (tests and the screenshot tool); returns its panel."""
        index = next(i for i in range(self.tabs.count()) if self.tabs.tabText(i) == title)
        self.tabs.setCurrentIndex(index)
        return self.panels[index]

    def _opened(self, index: int) -> None:
        if self.actor is None or index < 0:
            return
        try:
            self.panels[index].refresh()
        except Exception:
            log.exception("maintenance panel refresh failed")

    def clear(self) -> None:
        """Maintenance closed or idled out: every panel drops what it shows."""
        self.actor = None
        self.who.clear()
        for panel in self.panels:
            try:
                panel.clear()
            except Exception:
                log.exception("maintenance panel clear failed")

    def clear_personal(self) -> None:
        self.clear()
