"""Cold start to the home screen shown, against a bare PySide6 window started the same way in the same run.

Prints one JSON object. Both programs run as fresh processes on the offscreen platform, alternating, so that
machine noise hits both alike; the figure to watch is the ratio.
"""
from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BARE = (
    "import sys\n"
    "from PySide6.QtCore import QTimer\n"
    "from PySide6.QtWidgets import QApplication, QLabel\n"
    "app = QApplication(sys.argv)\n"
    "w = QLabel('舟到办'); w.resize(1280, 800); w.show()\n"
    "QTimer.singleShot(0, lambda: (print('home-shown', flush=True), app.quit()))\n"
    "app.exec()\n"
)


def time_until_shown(cmd: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        for line in proc.stdout:
            if line.startswith("home-shown"):
                return time.perf_counter() - start
        raise RuntimeError(f"{cmd[1]} exited ({proc.wait()}) without showing its window")
    finally:
        proc.kill()
        proc.wait()


def main(rounds: int = 5) -> dict:
    env = os.environ | {"QT_QPA_PLATFORM": "offscreen", "ZDB_EXIT_WHEN_SHOWN": "1"}
    kiosk_times, bare_times = [], []
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(tmp) / "kiosk"
        kiosk_cmd = [sys.executable, "main.py", "--windowed", "--no-sync", "--data-dir", str(data_dir)]
        time_until_shown(kiosk_cmd, env)  # first run creates the database: not a cold *start* measure
        for _ in range(rounds):
            bare_times.append(time_until_shown([sys.executable, "-c", BARE], env))
            kiosk_times.append(time_until_shown(kiosk_cmd, env))
    kiosk, bare = statistics.median(kiosk_times), statistics.median(bare_times)
    return {
        "bench": "startup",
        "rounds": rounds,
        "kiosk_home_shown_s": {"median": round(kiosk, 3), "min": round(min(kiosk_times), 3),
                               "max": round(max(kiosk_times), 3)},
        "bare_pyside6_window_s": {"median": round(bare, 3), "min": round(min(bare_times), 3),
                                  "max": round(max(bare_times), 3)},
        "ratio_kiosk_to_bare": round(kiosk / bare, 2),
    }


if __name__ == "__main__":
    print(json.dumps(main(int(sys.argv[1]) if len(sys.argv) > 1 else 5), ensure_ascii=False))
