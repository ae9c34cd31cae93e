"""Start `main.py` as a real process and drive it through the automation socket (see ui/automation.py)."""
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]


class KioskProcess:
    def __init__(self, data_dir: Path, config: dict, log_path: Path):
        data_dir.mkdir(parents=True, exist_ok=True)
        (data_dir / "config.json").write_text(json.dumps(config), encoding="utf-8")
        self.socket_path = str(data_dir / "automation.sock")
        env = os.environ | {"QT_QPA_PLATFORM": "offscreen", "ZDB_AUTOMATION": self.socket_path}
        self._log = open(log_path, "wb")
        self.proc = subprocess.Popen([sys.executable, "main.py", "--windowed", "--data-dir", str(data_dir)],
                                     cwd=REPO_ROOT, env=env, stdout=self._log, stderr=subprocess.STDOUT)
        self._sock = self._connect(deadline=time.monotonic() + 30)
        self._reader = self._sock.makefile("rb")

    def _connect(self, deadline: float) -> socket.socket:
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"kiosk exited early with {self.proc.returncode}")
            try:
                sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                sock.settimeout(15)
                sock.connect(self.socket_path)
                return sock
            except OSError:
                sock.close()
                time.sleep(0.1)
        raise TimeoutError("kiosk automation socket never appeared")

    def command(self, op: str, **args) -> dict:
        self._sock.sendall(json.dumps({"op": op, **args}, ensure_ascii=False).encode() + b"\n")
        return json.loads(self._reader.readline())

    def texts(self) -> list[str]:
        return self.command("state")["texts"]

    def wait_for(self, text: str, timeout: float = 20.0) -> list[str]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            texts = self.texts()
            if any(text in t for t in texts):
                return texts
            time.sleep(0.1)
        raise AssertionError(f"{text!r} never shown; on screen: {self.texts()}")

    def tap(self, text: str, timeout: float = 20.0) -> None:
        self.wait_for(text, timeout)
        assert self.command("click", text=text)["ok"], f"could not tap {text!r}"

    def type(self, field: str, text: str) -> None:
        assert self.command("type", field=field, text=text)["ok"], f"no field {field!r}"

    def quit(self, timeout: float = 20.0) -> int:
        try:
            self.command("quit")
        except (OSError, ValueError):
            pass
        try:
            return self.proc.wait(timeout)
        finally:
            self.close()

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)
        self._sock.close()
        self._log.close()
