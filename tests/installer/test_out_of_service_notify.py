"""The out-of-service screen is a running service too: it tells systemd READY=1 (and pings the watchdog), so the
unit does not restart it in a loop until it gives up and leaves tty1 blank.

Run in its own process: the screen runs the Qt event loop to the end (app.exec), which a shared test
QApplication does not survive.
"""
from __future__ import annotations

import os
import socket
import subprocess
import sys

from tests.e2e.kioskproc import REPO_ROOT

SHOW_THEN_CLOSE = """
import sys
from PySide6.QtCore import QTimer
from ui.app import ensure_app
from ui.out_of_service import run_out_of_service
QTimer.singleShot(400, ensure_app().quit)   # stands in for the technician closing it
sys.exit(run_out_of_service("key_ring_missing", fullscreen=False))
"""


def test_out_of_service_screen_reports_ready_with_its_code(tmp_path):
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    listener.bind(str(tmp_path / "notify.sock"))
    listener.settimeout(30)
    env = {k: v for k, v in os.environ.items() if k != "ZDB_AUTOMATION"} | {
        "QT_QPA_PLATFORM": "offscreen", "NOTIFY_SOCKET": str(tmp_path / "notify.sock"),
        "WATCHDOG_USEC": "100000"}   # ping every 50 ms
    try:
        proc = subprocess.run([sys.executable, "-c", SHOW_THEN_CLOSE], cwd=REPO_ROOT, env=env, capture_output=True,
                              timeout=60)
        messages = [listener.recv(4096).decode("utf-8") for _ in range(3)]
    finally:
        listener.close()
    assert proc.returncode == 3, proc.stderr.decode(errors="replace")[-2000:]   # EXIT_OUT_OF_SERVICE
    assert messages[0] == "READY=1\nSTATUS=本机暂停服务（key_ring_missing）"
    assert messages[1:] == ["WATCHDOG=1", "WATCHDOG=1"]
