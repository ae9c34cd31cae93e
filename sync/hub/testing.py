"""Starting a real hub for tests: as a subprocess (end-to-end) or on a thread in this process (unit tests).

    with run_hub_subprocess(tmp_path / "hub.db") as (proc, url):
        ...   # url like "http://127.0.0.1:41234"; the process is stopped on exit

Both start the hub `--open` (unsigned requests accepted) unless asked for `require_auth=True`; then enroll
terminals with `enroll_test_terminal` and sign requests with its `auth()`:

    with run_hub_thread(tmp_path / "hub.db", require_auth=True) as (url, store):
        terminal = enroll_test_terminal(url, store, "zs-test-001")
        session.post(url + RECORDS_PATH, data=body, auth=terminal.auth())

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
from typing import Callable, Iterator, NamedTuple

import requests
from requests.auth import AuthBase

from kiosk.ids import Clock, utc_now
from sync.auth import KeyPair, signed_headers
from sync.hub.app import create_app
from sync.hub.context import DEFAULT_MAX_BODY, HubConfig
from sync.hub.paths import ENROLL_PATH
from sync.hub.server import READY_PREFIX, HubServer
from sync.hub.store import HubStore, open_store

REPO_ROOT = Path(__file__).resolve().parents[2]


class HubStartError(RuntimeError):
    pass


@contextlib.contextmanager
def run_hub_subprocess(db: Path | str, *, port: int = 0, extra_args: tuple[str, ...] = (),
                       start_timeout: float = 20.0, require_auth: bool = False,
                       env: dict[str, str] | None = None) -> Iterator[tuple[subprocess.Popen, str]]:
    """`db`: a SQLite path, `sqlite:PATH` or a PostgreSQL DSN. The hub key lands beside a SQLite file."""
    cmd = [sys.executable, "-m", "sync.hub", "serve", "--port", str(port), "--db", str(db),
           *(() if require_auth else ("--open",)), *extra_args]
    proc = subprocess.Popen(cmd, cwd=REPO_ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            encoding="utf-8", errors="replace", env=env)
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
def run_hub_thread(db: Path | str | None = None, *, store: HubStore | None = None, port: int = 0,
                   max_body_bytes: int = DEFAULT_MAX_BODY, require_auth: bool = False,
                   config: HubConfig | None = None, keys: KeyPair | None = None, clock: Clock = utc_now,
                   tls: tuple[str, str] | None = None,
                   start_timeout: float = 10.0) -> Iterator[tuple[str, HubStore]]:
    """The same app and server on a background thread; yields (url, store) so tests can look inside.

    Give `db` (the store is opened and closed here) or an open `store` (the caller closes it). `config`
    overrides `max_body_bytes` and `require_auth`; `keys` default to a fresh hub key; `tls` is (cert, key).
    """
    own_store = store is None
    if store is None:
        assert db is not None, "give db or store"
        store = open_store(db, clock)
    config = config or HubConfig(require_auth=require_auth, max_body_bytes=max_body_bytes)
    ready = threading.Event()
    app = create_app(store, keys or KeyPair.generate(), config, clock=clock)
    server = HubServer(app, "127.0.0.1", port, on_ready=lambda url: ready.set(),
                       tls_cert=tls[0] if tls else None, tls_key=tls[1] if tls else None)
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
        if own_store:
            store.close()


# --- enrolled terminals for tests ---------------------------------------------------------------------------

class SignedAuth(AuthBase):
    """Signs each request as sync/auth.py says; the body must be bytes (or str/None), not a stream."""

    def __init__(self, terminal_id: str, keys: KeyPair, clock: Callable[[], float] = time.time,
                 offset_s: int = 0):
        self.terminal_id = terminal_id
        self.keys = keys
        self.clock = clock
        self.offset_s = offset_s   # what a terminal learned from X-ZDB-Hub-Time

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        body = request.body or b""
        if isinstance(body, str):
            body = body.encode("utf-8")
        if not isinstance(body, bytes):
            raise TypeError("SignedAuth signs byte bodies only")
        request.headers.update(signed_headers(self.keys, self.terminal_id, request.method or "GET",
                                              request.path_url, body, int(self.clock()) + self.offset_s))
        return request


class EnrolledTerminal(NamedTuple):
    """Unpacks as (terminal_id, keys, hub_public_key)."""
    terminal_id: str
    keys: KeyPair
    hub_public_key: str

    def auth(self, clock: Callable[[], float] = time.time, offset_s: int = 0) -> SignedAuth:
        return SignedAuth(self.terminal_id, self.keys, clock, offset_s)

    def headers(self, method: str, path_with_query: str, body: bytes = b"", *, timestamp: int | None = None,
                nonce: str | None = None) -> dict[str, str]:
        when = int(time.time()) if timestamp is None else timestamp
        return signed_headers(self.keys, self.terminal_id, method, path_with_query, body, when, nonce)


def enroll_test_terminal(url: str, store: HubStore | Path | str, station_id: str, *,
                         session: requests.Session | None = None, verify: bool | str | None = None,
                         keys: KeyPair | None = None) -> EnrolledTerminal:
    """Issue a code in the hub's database (`store`, or its --db spec) and enroll over HTTP, as a terminal does."""
    owned = None if isinstance(store, HubStore) else open_store(store)
    try:
        code = (owned or store).issue_enrollment_code(station_id, 600).code   # type: ignore[union-attr]
    finally:
        if owned is not None:
            owned.close()
    keys = keys or KeyPair.generate()
    http = session or loopback_session()
    reply = http.post(url + ENROLL_PATH, json={"station_id": station_id, "code": code,
                                               "public_key": keys.public_b64()}, timeout=10, verify=verify)
    if reply.status_code != 200:
        raise HubStartError(f"enrollment failed: HTTP {reply.status_code} {reply.text[:200]}")
    body = reply.json()
    return EnrolledTerminal(body["terminal_id"], keys, body["hub_public_key"])


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
