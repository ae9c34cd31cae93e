"""What the sync benchmarks share: a hub subprocess (optionally inside a network namespace) and percentiles."""
from __future__ import annotations

import math
import queue
import subprocess
import sys
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
READY = "hub listening on "


class Hub:
    """`python -m sync.hub serve` (signed requests), optionally inside a network namespace."""

    def __init__(self, db: str, host: str = "127.0.0.1", port: int = 0, netns: str | None = None):
        cmd = [sys.executable, "-m", "sync.hub", "serve", "--host", host, "--port", str(port), "--db", db]
        if netns:
            cmd = ["ip", "netns", "exec", netns, *cmd]
        self.proc = subprocess.Popen(cmd, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        lines: queue.Queue[str | None] = queue.Queue()

        def pump() -> None:   # keep draining, so the hub's output can never block it
            for line in self.proc.stdout:   # type: ignore[union-attr]
                lines.put(line.strip())
            lines.put(None)
        threading.Thread(target=pump, daemon=True).start()
        deadline = time.monotonic() + 30
        while True:
            line = lines.get(timeout=max(0.1, deadline - time.monotonic()))
            if line is None:
                raise RuntimeError(f"hub exited with {self.proc.wait(5)}")
            if line.startswith(READY):
                self.url = line[len(READY):]
                return

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)


def percentile(values: list[float], p: float) -> float | None:
    """Nearest-rank percentile, rounded to 0.1 ms; None for no values."""
    if not values:
        return None
    v = sorted(values)
    return round(v[min(len(v) - 1, max(0, math.ceil(p / 100 * len(v)) - 1))], 4)
