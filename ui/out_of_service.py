"""The screen a kiosk shows when it must not serve (kiosk.app.StartupRefused): what the resident can do instead,
and a code the technician can act on. Nothing else runs: no devices, no sync, no database."""
from __future__ import annotations

import os

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, Qt
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from ui.app import WINDOW_SIZE, ensure_app, service_hooks

EXIT_OUT_OF_SERVICE = 3   # for the service manager: not a crash to restart in a loop, a technician's job

# Each refusal code in words a technician can act on; the code itself is shown too, for the phone call.
TECHNICIAN_HINTS = {
    "key_ring_missing": QT_TRANSLATE_NOOP("OutOfService", "数据密钥丢失：请从备份恢复本机 keys 文件夹，切勿新建"),
    "key_file_exposed": QT_TRANSLATE_NOOP("OutOfService", "数据密钥文件权限过宽：请改为仅本机服务账户可读（0600）"),
    "key_ring_unreadable": QT_TRANSLATE_NOOP("OutOfService", "数据密钥无法读取（已损坏，或属于另一台设备的安全芯片）"),
    "db_corrupt_no_backup": QT_TRANSLATE_NOOP("OutOfService", "数据库已损坏且没有可用的备份：请联系区级技术支持，"
                                                              "勿删除数据目录中的任何文件"),
}
UNKNOWN_HINT = QT_TRANSLATE_NOOP("OutOfService", "本机无法安全打开数据")


def tr(text: str) -> str:
    return QCoreApplication.translate("OutOfService", text)


class OutOfServiceWindow(QWidget):
    def __init__(self, code: str):
        super().__init__()
        self.setObjectName("outOfService")
        self.setWindowTitle(QCoreApplication.translate("OutOfService", "舟到办"))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(80, 80, 80, 80)
        layout.setSpacing(28)
        layout.addStretch(1)
        technician = QCoreApplication.translate("OutOfService", "技术员：{hint}（{code}）").format(
            hint=tr(TECHNICIAN_HINTS.get(code, UNKNOWN_HINT)), code=code)
        for text, name in ((QCoreApplication.translate("OutOfService", "本机暂停服务"), "title"),
                           (QCoreApplication.translate("OutOfService", "请到附近的便民服务站或村委会办理，工作人员会帮您。"),
                            "next_step"),
                           ("This terminal is out of service. Please ask at the nearest service station.", "english"),
                           (technician, "technician")):
            label = QLabel(text)
            label.setObjectName(name)
            label.setWordWrap(True)
            label.setAlignment(Qt.AlignmentFlag.AlignCenter)
            layout.addWidget(label)
        layout.addStretch(2)
        self.setStyleSheet("#title { font-size: 48px; font-weight: bold; } #next_step { font-size: 30px; }"
                           " #english { font-size: 22px; color: #555; } #technician { font-size: 18px; color: #777; }")


def run_out_of_service(code: str, fullscreen: bool) -> int:
    """Show the screen until the window is closed (a technician's keyboard, or the test harness)."""
    app = ensure_app()
    window = OutOfServiceWindow(code)
    window.resize(*WINDOW_SIZE)
    if fullscreen:
        window.showFullScreen()
    else:
        window.show()
    socket_path = os.environ.get("ZDB_AUTOMATION")
    if socket_path:   # the end-to-end tests read this screen like any other
        from ui.automation import AutomationServer

        window.automation = AutomationServer(window, socket_path)
    # the service is up, showing this screen: without READY=1 systemd would restart it in a loop until it gives
    # up and leaves the screen blank (cage exits 0 whatever the app's exit code, so the code cannot tell it)
    service_hooks(app, f"本机暂停服务（{code}）")   # i18n: as-is (systemctl status)
    app.exec()
    return EXIT_OUT_OF_SERVICE
