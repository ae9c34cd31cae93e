"""Starting a real hub for tests: as a subprocess (end-to-end) or on a thread in this process (unit tests).

    with run_hub_subprocess(tmp_path / "hub.db") as (proc, url):
        ...   # url like "http://127.0.0.1:41234"; the process is stopped on exit

Every wait is bounded; a hub that does not come up raises `HubStartError` with its output. `FakeHub` is a
scriptable stand-in for replies a real hub never sends (garbage, truncation, 5xx, slowness).
"""
from __future__ import annotations

import contextlib
import http.server
import json
import queue
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator

import requests

from sync.hub.app import DEFAULT_MAX_BODY, create_app
from sync.hub.server import READY_PREFIX, HubServer
from sync.hub.store import HubStore

REPO_ROOT = Path(__file__).resolve().parents[2]


class HubStartError(RuntimeError):
    pass


@contextlib.contextmanager
def run_hub_subprocess(db_path: Path | str, *, port: int = 0, extra_args: tuple[str, ...] = (),
                       start_timeout: float = 20.0) -> Iterator[tuple[subprocess.Popen, str]]:
    cmd = [sys.executable, "-m", "sync.hub", "--port", str(port), "--db", str(db_path), *extra_args]
    proc = subprocess.Popen(cmd, cwd=REPO_ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            encoding="utf-8", errors="replace")
    lines: queue.Queue[str | None] = queue.Queue()
    # Keep draining the pipe for the hub's whole life, so its logging can never block on a full pipe.
    threading.Thread(target=_pump, args=(proc, lines), name="hub-output", daemon=True).start()
    try:
        yield proc, _await_ready(proc, lines, start_timeout)
    finally:
        stop_process(proc)


def _pump(proc: subprocess.Popen, lines: "queue.Queue[str | None]") -> None:
    assert proc.stdout is not None
    for line in proc.stdout:
        lines.put(line.rstrip("\n"))
    lines.put(None)


def _await_ready(proc: subprocess.Popen, lines: "queue.Queue[str | None]", timeout: float) -> str:
    seen: list[str] = []
    deadline = time.monotonic() + timeout
    try:
        while True:
            line = lines.get(timeout=max(deadline - time.monotonic(), 0.0))
            if line is None:
                raise HubStartError(f"hub exited with {proc.wait(5)}: " + "\n".join(seen[-20:]))
            seen.append(line)
            if line.startswith(READY_PREFIX):
                return line[len(READY_PREFIX):].strip()
    except queue.Empty:
        raise HubStartError("hub did not report ready: " + "\n".join(seen[-20:])) from None


def stop_process(proc: subprocess.Popen, timeout: float = 10.0) -> int:
    """SIGTERM (uvicorn shuts down gracefully), then SIGKILL if it hangs."""
    if proc.poll() is None:
        proc.terminate()
        try:
            return proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
    return proc.wait(timeout)


@contextlib.contextmanager
def run_hub_thread(db_path: Path | str, *, port: int = 0, max_body_bytes: int = DEFAULT_MAX_BODY,
                   start_timeout: float = 10.0) -> Iterator[tuple[str, HubStore]]:
    """The same app and server on a background thread; yields (url, store) so tests can look inside."""
    store = HubStore(db_path)
    ready = threading.Event()
    server = HubServer(create_app(store, max_body_bytes=max_body_bytes), "127.0.0.1", port,
                       on_ready=lambda url: ready.set())
    thread = threading.Thread(target=server.run, name="hub-server", daemon=True)
    thread.start()
    deadline = time.monotonic() + start_timeout
    try:
        while not ready.wait(0.05):   # uvicorn exits its thread when it cannot bind: do not wait for nothing
            if not thread.is_alive() or time.monotonic() > deadline:
                raise HubStartError(f"hub thread did not start on port {port}")
        yield server.url, store
    finally:
        server.should_exit = True
        thread.join(start_timeout)
        store.close()


def loopback_session() -> requests.Session:
    session = requests.Session()
    session.trust_env = False   # no proxy from the environment between a test and loopback
    return session


# --- a scriptable fake hub ----------------------------------------------------------------------------------

@dataclass
class Reply:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    declared_length: int | None = None   # more than len(body): the connection drops mid-body
    delay_s: float = 0.0


def echo_results(status: str = "accepted") -> Callable[[str, str, bytes], Reply]:
    """A correct hub reply for whatever ids were sent."""
    def reply(method: str, path: str, body: bytes) -> Reply:
        if path.endswith("/health"):
            return Reply(body=b'{"ok": true, "service": "zhoudaoban-hub", "version": "fake"}')
        ids = [r["id"] for r in json.loads(body)["records"]]
        return Reply(body=json.dumps({"results": [{"id": i, "status": status} for i in ids]}).encode())
    return reply


class FakeHub:
    """A stdlib HTTP server on loopback answering whatever `reply` says; records every request."""

    def __init__(self) -> None:
        self.reply: Callable[[str, str, bytes], Reply] = lambda method, path, body: Reply(500)
        self.requests: list[tuple[str, str, bytes]] = []
        self.released = threading.Event()   # set at shutdown so delayed replies end at once
        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), name="fake-hub",
                                        daemon=True)

    def _handler(self) -> type:
        fake = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                self._answer(b"")

            def do_POST(self) -> None:
                self._answer(self.rfile.read(int(self.headers.get("Content-Length", 0))))

            def _answer(self, body: bytes) -> None:
                fake.requests.append((self.command, self.path, body))
                reply = fake.reply(self.command, self.path, body)
                if reply.delay_s:
                    fake.released.wait(reply.delay_s)
                self.send_response(reply.status)
                for key, value in reply.headers.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(reply.declared_length or len(reply.body)))
                self.end_headers()
                self.wfile.write(reply.body)
                self.close_connection = reply.declared_length is not None

            def log_message(self, format: str, *args: object) -> None:
                pass

        return Handler

    def start(self) -> "FakeHub":
        self._thread.start()
        return self

    def __enter__(self) -> "FakeHub":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def stop(self) -> None:
        self.released.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(10.0)
