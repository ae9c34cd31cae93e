"""Starting the kiosk UI: `run(core, fullscreen)` is the one entry point main.py calls."""
from __future__ import annotations

import logging
import os
import sys

from PySide6.QtCore import QCoreApplication, QTimer
from PySide6.QtWidgets import QApplication

from ui.crash_guard import install_crash_guard
from ui.fonts import BASE_PIXEL_SIZE, kiosk_font, pick_family
from ui.style import stylesheet
from ui.window import MainWindow

log = logging.getLogger(__name__)
WINDOW_SIZE = (1280, 800)


def ensure_app(config=None) -> QApplication:
    """The QApplication with the kiosk's CJK font and stylesheet applied (created if none exists; with the
    station's `config`, the on-screen keyboard's input method is chosen first, as Qt reads it only then)."""
    if QApplication.instance() is None and config is not None:
        from ui.osk import prepare_input_method

        prepare_input_method(config["onscreen_keyboard"])
    app = QApplication.instance() or QApplication(sys.argv[:1])
    family = pick_family()
    log.info("UI font: %s", family)
    app.setFont(kiosk_font(family))
    app.setStyleSheet(stylesheet(family, BASE_PIXEL_SIZE))
    app.setApplicationName("zhoudaoban")
    app.setApplicationDisplayName(QCoreApplication.translate("App", "舟到办"))
    return app


def create_window(core) -> MainWindow:
    """A ready window for a started core (used by run(), the screenshot tool and tests)."""
    ensure_app(core.config)
    window = MainWindow(core)
    window.resize(*WINDOW_SIZE)
    return window


def run(core, fullscreen: bool) -> int:
    """Show the kiosk UI for `core` and run the Qt event loop until the window closes; returns the exit code."""
    app = ensure_app(core.config)
    window = create_window(core)
    lock = _lockdown(window, core.config, fullscreen)   # first: the filters installed after it see keys first
    if fullscreen:
        window.showFullScreen()
    else:
        window.show()
    window.start()
    _updates(window, core)
    _wedge_scanner(app, core)
    guard = install_crash_guard(window, core.config)
    _test_hooks(app, window)
    service_hooks(app, "首页已显示")   # i18n: as-is (systemctl status, for technicians)
    try:
        return app.exec()
    finally:
        guard.uninstall()
        if lock is not None:
            lock.uninstall()
        window.shutdown()


def _updates(window: MainWindow, core) -> None:
    """Installer-managed kiosks (ZDB_APP_ROOT): confirm this release once home is shown, and install a staged
    update at the quiet hour when nobody uses the kiosk (ui/update_timer.py)."""
    from kiosk.updates import managed_app_root
    from ui.update_timer import UpdateTimer, confirm_release

    app_root = managed_app_root()
    QTimer.singleShot(0, lambda: confirm_release(core, window.tasks, app_root))
    idle = lambda: (not window.in_use() and not core.idle.is_busy and window.agent_session is None  # noqa: E731
                    and window.maintenance.session is None)   # a technician at work is not a quiet kiosk
    window.update_timer = UpdateTimer(core, window.tasks, idle, app_root, parent=window)
    window.update_timer.start()


def _lockdown(window: MainWindow, config, fullscreen: bool):
    """Production runs full-screen and locked (ui/lockdown.py); a --windowed development run never is."""
    if not (fullscreen and config["lockdown"]):
        return None
    from ui.lockdown import install_lockdown

    return install_lockdown(window, config)


def _wedge_scanner(app: QApplication, core) -> None:
    if core.config["qr_backend"] == "wedge":
        from devices.qr_wedge import KEYBOARD
        from ui.wedge import WedgeKeyFilter

        app.installEventFilter(WedgeKeyFilter(KEYBOARD.feed, app))


def _test_hooks(app: QApplication, window) -> None:
    """Off unless the environment asks: ZDB_AUTOMATION=<socket> for end-to-end tests, ZDB_EXIT_WHEN_SHOWN=1
    for the start-up benchmark (prints "home-shown" once the home screen is on screen, then quits)."""
    socket_path = os.environ.get("ZDB_AUTOMATION")
    if socket_path:
        from ui.automation import AutomationServer
        window.automation = AutomationServer(window, socket_path)
    if os.environ.get("ZDB_EXIT_WHEN_SHOWN") == "1":
        # exit(0), not quit(): a locked window refuses the close that quit() asks for
        QTimer.singleShot(0, lambda: (print("home-shown", flush=True), app.exit(0)))


def service_hooks(app: QApplication, status: str) -> None:
    """Under systemd (zhoudaoban.service, Type=notify): READY=1 (with `status` for `systemctl status`) once the
    event loop runs with the screen shown, then WATCHDOG=1 from a timer on this GUI thread, so a hung UI misses
    its pings and is restarted. No-ops without $NOTIFY_SOCKET / $WATCHDOG_USEC (see kiosk/sd_notify.py)."""
    from kiosk import sd_notify

    QTimer.singleShot(0, lambda: sd_notify.notify(f"READY=1\nSTATUS={status}"))
    interval = sd_notify.watchdog_interval_ms()
    if interval:
        timer = QTimer(app)   # parented to the app: lives as long as the event loop
        timer.setInterval(interval)
        timer.timeout.connect(lambda: sd_notify.notify("WATCHDOG=1"))
        timer.start()
