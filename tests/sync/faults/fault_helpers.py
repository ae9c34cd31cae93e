"""Shared by the fault tests: a kiosk database with submitted records, and the two "exactly once" checks.

After every fault the promise is the same: each record is on the hub exactly once, and the terminal has lost
nothing (every application and its outbox row are still there, and the outbox is fully delivered at the end).
"""
from __future__ import annotations

import os
import queue
import random
import socket
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

from kiosk.records import Identity
from local_db.db import open_db
from local_db.store import ApplicationStore
from sync.hub.store import HubStore, open_store

HERE = Path(__file__).resolve().parent

STATION = "zs-test-001"
DUMMY = Identity(source="idcard", name="测试人", id_number="330902199001011234", address="舟山市定海区测试路1号")
STEP_TIMEOUT_S = 20.0   # upper bound for any single wait (process start, drain, exit)


def make_kiosk_db(path: Path, n: int) -> list[str]:
    """A migrated kiosk database with `n` submitted applications; their ids in submission order."""
    db = open_db(path)
    try:
        store = ApplicationStore(db, STATION, "T01")
        return [store.submit("zs-hj-001", "户籍证明开具", DUMMY, {"purpose": f"测试{i}"}).id for i in range(n)]
    finally:
        db.conn.close()


def integrity(path: Path) -> str:
    conn = sqlite3.connect(str(path), timeout=10.0)
    try:
        return conn.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        conn.close()


def terminal_counts(path: Path) -> dict[str, int]:
    conn = sqlite3.connect(str(path), timeout=10.0)
    try:
        one = lambda sql: conn.execute(sql).fetchone()[0]   # noqa: E731
        return {"applications": one("SELECT COUNT(*) FROM applications"),
                "outbox": one("SELECT COUNT(*) FROM outbox"),
                "pending": one("SELECT COUNT(*) FROM outbox WHERE delivered_at IS NULL"),
                "quarantined": one("SELECT COUNT(*) FROM quarantine") if _has_table(conn, "quarantine") else 0}
    finally:
        conn.close()


def _has_table(conn: sqlite3.Connection, name: str) -> bool:
    return conn.execute("SELECT 1 FROM sqlite_master WHERE type='table' AND name=?", (name,)).fetchone() is not None


def assert_terminal_intact(path: Path, ids: list[str], *, drained: bool) -> None:
    assert integrity(path) == "ok"
    conn = sqlite3.connect(str(path), timeout=10.0)
    try:
        apps = [r[0] for r in conn.execute("SELECT id FROM applications ORDER BY id")]
        outbox = [r[0] for r in conn.execute("SELECT record_id FROM outbox ORDER BY record_id")]
        pending = conn.execute("SELECT COUNT(*) FROM outbox WHERE delivered_at IS NULL").fetchone()[0]
    finally:
        conn.close()
    assert apps == sorted(ids), "an application was lost or added on the terminal"
    assert outbox == sorted(ids), "an outbox row was lost or duplicated on the terminal"
    if drained:
        assert pending == 0, f"{pending} records still pending"
        assert terminal_counts(path)["quarantined"] == 0


def assert_hub_exactly_once(hub: Path | HubStore, ids: list[str]) -> None:
    """Read the hub's own store (an open one, or its database file): every id once, nothing else."""
    store = hub if isinstance(hub, HubStore) else open_store(hub)
    try:
        listed = [r.id for r in store.list(limit=len(ids) + 1000)]
        count = store.count()
    finally:
        if store is not hub:
            store.close()
    assert count == len(ids) == len(listed), f"hub holds {count} records, expected {len(ids)}"
    assert len(set(listed)) == len(listed), "a record is stored twice on the hub"
    assert set(listed) == set(ids), "hub records differ from the terminal's"


def fault_seed(name: str) -> int:
    """FAULT_SEED from the environment replays a run; otherwise a fresh seed, printed so a failure can be replayed."""
    seed = int(os.environ.get("FAULT_SEED") or random.SystemRandom().randrange(2 ** 32))
    print(f"{name}: seed {seed} (replay with FAULT_SEED={seed})")
    return seed


class Child:
    """`push_child.py` as a process; its output lines are drained on a thread, waits are bounded."""

    def __init__(self, kiosk_db: Path, hub_url: str, batch_size: int):
        self.proc = subprocess.Popen([sys.executable, str(HERE / "push_child.py"), str(kiosk_db), hub_url,
                                      str(batch_size)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                     text=True, encoding="utf-8", errors="replace")
        self.lines: queue.Queue[str | None] = queue.Queue()
        self.seen: list[str] = []
        threading.Thread(target=self._pump, daemon=True).start()

    def _pump(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.put(line.rstrip("\n"))
        self.lines.put(None)

    def wait_line(self, prefix: str, timeout: float = STEP_TIMEOUT_S) -> str:
        while True:
            try:
                line = self.lines.get(timeout=timeout)
            except queue.Empty:
                raise AssertionError(f"child printed no {prefix} within {timeout}s: {self.seen[-10:]}") from None
            if line is None:
                raise AssertionError(f"child ended before {prefix}: {self.seen[-10:]}")
            self.seen.append(line)
            if line.startswith(prefix):
                return line

    def kill(self) -> int:
        if self.proc.poll() is None:
            self.proc.kill()   # SIGKILL: no handler, no cleanup, no flush
        return self.proc.wait(STEP_TIMEOUT_S)

    def finish(self) -> int:
        try:
            return self.proc.wait(STEP_TIMEOUT_S)
        finally:
            self.kill()


class CuttingProxy:
    """A loopback TCP proxy in front of a hub. Requests always reach the hub; a chunk of the hub's reply is,
    with probability `p`, dropped or cut in half and the connection closed, so the hub has done the work and
    the terminal never hears the answer."""

    def __init__(self, upstream_port: int, rng: random.Random, p: float):
        self.upstream = ("127.0.0.1", upstream_port)
        self.rng, self.p = rng, p
        self.replies = self.cut = 0
        self._lock = threading.Lock()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.1)
        self.url = f"http://127.0.0.1:{self._listener.getsockname()[1]}"
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, name="cutting-proxy", daemon=True)

    def __enter__(self) -> "CuttingProxy":
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(STEP_TIMEOUT_S)
        self._listener.close()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                client, _ = self._listener.accept()
            except socket.timeout:
                continue
            try:
                hub = socket.create_connection(self.upstream, timeout=STEP_TIMEOUT_S)
            except OSError:
                client.close()
                continue
            for sock in (client, hub):
                sock.settimeout(STEP_TIMEOUT_S)
            threading.Thread(target=self._copy, args=(client, hub), daemon=True).start()
            threading.Thread(target=self._replies, args=(hub, client), daemon=True).start()

    def _decide(self) -> str:
        with self._lock:
            self.replies += 1
            if self.rng.random() >= self.p:
                return "pass"
            self.cut += 1
            return self.rng.choice(("drop", "half"))

    def _copy(self, src: socket.socket, dst: socket.socket) -> None:
        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass
        finally:
            _close(src, dst)

    def _replies(self, hub: socket.socket, client: socket.socket) -> None:
        try:
            while data := hub.recv(65536):
                verdict = self._decide()
                if verdict == "pass":
                    client.sendall(data)
                    continue
                if verdict == "half":
                    client.sendall(data[:len(data) // 2])
                break
        except OSError:
            pass
        finally:
            _close(hub, client)


def _close(*socks: socket.socket) -> None:
    for sock in socks:
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        sock.close()
