"""Software updates end to end on real processes: the hub (a process) publishes an update made from this very
tree; a terminal's sync pulls the signed bundle and downloads the archive through a link that drops mid-way
(it resumes); the update is staged, applied at a quiet hour, and the launcher starts the new release as the
service would; the real kiosk comes up on it and confirms it. Then the bad ones: a tampered archive, a bundle
signed by another key and a disk too small, each refused with the running version untouched."""
from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import tomllib
from datetime import datetime
from pathlib import Path

import pytest

from kiosk.ids import CST
from kiosk.updates import (DOWNLOADING, REFUSED, STAGED, QuietWindow, ReleaseState, apply_staged, due, load_state,
                           load_status, save_state)
from local_db.audit import AuditLog
from local_db.db import open_db
from sync.auth import KeyPair
from sync.engine import SyncEngine
from sync.hub.keys import sign_bundle
from sync.hub.store import open_store
from sync.hub.testing import loopback_session, run_hub_subprocess
from sync.protocol import UpdateManifest
from sync.settings import SyncSettings
from sync.terminal_identity import IdentityStore, enroll
from sync.transport import ClockOffset
from sync.updates import UpdateOptions
from tests.e2e.kioskproc import REPO_ROOT
from tests.update_archives import make_tree

pytestmark = pytest.mark.e2e
STATION = "zs-dh-cjd-001"
NIGHT = datetime(2026, 12, 1, 2, 30, tzinfo=CST)
LAUNCHER = REPO_ROOT / "installer" / "launcher.py"


class CuttingLink:
    """A loopback TCP relay to the hub that drops every connection once `cut_after` bytes of update archive
    replies have passed (None: never), like an island link going down mid-download; it logs the Range asked."""

    def __init__(self, target_port: int):
        self.target_port = target_port
        self.cut_after: int | None = None
        self.update_bytes = 0
        self.ranges: list[str] = []
        self._lock = threading.Lock()
        self._server = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self._server.getsockname()[1]}"
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._server.accept()
            except OSError:
                return
            upstream = socket.create_connection(("127.0.0.1", self.target_port))
            state = {"update": False}
            threading.Thread(target=self._pump_up, args=(client, upstream, state), daemon=True).start()
            threading.Thread(target=self._pump_down, args=(upstream, client, state), daemon=True).start()

    def _pump_up(self, src: socket.socket, dst: socket.socket, state: dict) -> None:
        with contextlib.suppress(OSError):
            while data := src.recv(65536):
                text = data.decode("latin-1")
                if text.startswith("GET /api/v1/updates/"):
                    state["update"] = True
                    self.ranges += [line.split(":", 1)[1].strip() for line in text.split("\r\n")
                                    if line.lower().startswith("range:")]
                elif text[:4] in ("GET ", "POST", "PUT ", "HEAD"):
                    state["update"] = False
                dst.sendall(data)
        _close(src, dst)

    def _pump_down(self, src: socket.socket, dst: socket.socket, state: dict) -> None:
        with contextlib.suppress(OSError):
            while data := src.recv(16384):
                if state["update"]:
                    with self._lock:
                        self.update_bytes += len(data)
                        over = self.cut_after is not None and self.update_bytes > self.cut_after
                    if over:
                        dst.sendall(data[: len(data) // 2])
                        break   # the link drops in the middle of a reply
                dst.sendall(data)
        _close(src, dst)

    def close(self) -> None:
        self._server.close()


def _close(*socks: socket.socket) -> None:
    for s in socks:
        try:
            s.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        s.close()


def run_cli(*args: str) -> str:
    out = subprocess.run([sys.executable, "-m", "sync.hub", *args], cwd=REPO_ROOT, capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0, out.stderr
    return out.stdout


def this_tree_as(version: str, dest: Path) -> Path:
    """This checkout's files (tracked, and new ones not ignored) with pyproject.toml saying `version`."""
    listed = subprocess.run(["git", "-C", str(REPO_ROOT), "ls-files", "-z", "--cached", "--others",
                             "--exclude-standard"], check=True, capture_output=True).stdout.decode().split("\0")
    for name in filter(None, listed):
        source = REPO_ROOT / name
        if source.is_file():
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, dest / name)
    pyproject = dest / "pyproject.toml"
    text = pyproject.read_text(encoding="utf-8")
    old = next(line for line in text.splitlines() if line.startswith("version = "))
    pyproject.write_text(text.replace(old, f'version = "{version}"', 1), encoding="utf-8")
    return dest


@pytest.fixture
def island(tmp_path: Path):
    """A hub process, an enrolled terminal data dir, an app root running 0.1.0, a link to the hub."""
    hub_db = tmp_path / "hub" / "hub.db"
    hub_db.parent.mkdir()
    data_dir, app_root = tmp_path / "data", tmp_path / "app"
    data_dir.mkdir()
    (app_root / "releases" / "0.1.0").mkdir(parents=True)
    (app_root / "releases" / "0.1.0" / "main.py").write_text("raise SystemExit('the old release')\n")
    save_state(app_root, ReleaseState(current="0.1.0"))
    with run_hub_subprocess(hub_db, require_auth=True) as (proc, url):
        session = loopback_session()
        code = run_cli("enroll-code", "--station", STATION, "--db", str(hub_db)).split()[0]
        identity = enroll(IdentityStore(data_dir), url, STATION, code, session=session)
        open_db(data_dir / "kiosk.db").conn.close()
        link = CuttingLink(int(url.rsplit(":", 1)[1]))
        try:
            yield Island(tmp_path, hub_db, url, data_dir, app_root, identity, link, session)
        finally:
            link.close()
            session.close()


class Island:
    def __init__(self, tmp, hub_db, url, data_dir, app_root, identity, link, session):
        self.tmp, self.hub_db, self.url, self.data_dir, self.app_root = tmp, hub_db, url, data_dir, app_root
        self.identity, self.link, self.session = identity, link, session

    def sync_round(self, **options) -> None:
        """One round of the terminal's sync, on its own connection, through the island link."""
        db = open_db(self.data_dir / "kiosk.db", migrate=False)
        try:
            settings = SyncSettings(hub_url=self.link.url, station_id=STATION, sync_timeout_s=10.0,
                                    sync_pull_interval_s=0.0, attachment_chunk_bytes=64 * 1024)
            opts = UpdateOptions(app_root=self.app_root, running_version="0.1.0", round_budget_bytes=1 << 30,
                                 **options)
            outcome = SyncEngine(db, self.session, settings, data_dir=self.data_dir, identity=self.identity,
                                 offset=ClockOffset(), updates=opts).run()
            assert outcome.error is None, outcome.error
        finally:
            db.conn.close()

    def audit(self) -> list[tuple[str, str, str, str]]:
        db = open_db(self.data_dir / "kiosk.db", migrate=False)
        try:
            return [(e.actor, e.action, e.target, e.outcome) for e in reversed(AuditLog(db, STATION).recent())]
        finally:
            db.conn.close()

    def publish(self, version: str, tree: Path) -> str:
        archive = self.tmp / f"{version}.tar.gz"
        run_cli("pack-update", "--source", str(tree), "--out", str(archive))
        out = run_cli("publish-update", str(archive), "--version", version, "--notes", f"版本 {version}",
                      "--db", str(self.hub_db))
        return out.split("sha256 ")[1].split(",")[0]


def wait_until(predicate, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def test_an_update_travels_from_the_hub_to_a_running_new_release(island):
    sha = island.publish("0.1.1", this_tree_as("0.1.1", island.tmp / "tree"))
    size = (island.tmp / "0.1.1.tar.gz").stat().st_size

    island.link.cut_after = size // 3   # the link drops a third of the way through
    island.sync_round()
    status = load_status(island.data_dir)
    assert status.state == DOWNLOADING and 0 < status.received < size
    held = (island.data_dir / "updates" / "0.1.1.part").stat().st_size
    assert held == status.received and held % (64 * 1024) == 0   # whole pieces only
    asked = len(island.link.ranges)

    island.link.cut_after = None   # the link is back
    island.sync_round()
    assert island.link.ranges[asked] == f"bytes={held}-{held + 64 * 1024 - 1}"   # resumed, not restarted
    status = load_status(island.data_dir)
    assert (status.state, status.version, status.sha256) == (STAGED, "0.1.1", sha)
    release = island.app_root / "releases" / "0.1.1"
    assert (release / "main.py").is_file() and 'version = "0.1.1"' in (release / "pyproject.toml").read_text()

    quiet = QuietWindow.parse("02:00", "04:00")
    assert due(NIGHT, quiet, lambda: True)   # 02:30, nobody at the kiosk
    assert apply_staged(island.app_root, island.data_dir, lambda: NIGHT, audit=_recorder(island)).applied
    assert load_state(island.app_root).trial.version == "0.1.1"

    log = open(island.tmp / "kiosk.log", "wb")
    env = os.environ | {"QT_QPA_PLATFORM": "offscreen"}
    env.pop("ZDB_APP_ROOT", None)
    kiosk = subprocess.Popen([sys.executable, str(LAUNCHER), "--app-root", str(island.app_root), "--python",
                              sys.executable, "--data-dir", str(island.data_dir), "--", "--windowed", "--no-sync"],
                             env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        state = wait_until(lambda: (s := load_state(island.app_root)) and s.trial is None and s, 120,
                           "the new release to confirm itself")
        cmdline = Path(f"/proc/{kiosk.pid}/cmdline").read_bytes().split(b"\0")   # exec kept the PID
        assert str(release / "main.py").encode() in cmdline
    finally:
        kiosk.terminate()
        kiosk.wait(30)
        log.close()
    assert state.current == "0.1.1" and state.previous == "0.1.0"
    assert [(h.version, h.outcome) for h in state.history] == [("0.1.1", "confirmed")]
    assert ("system", "update_applied", "0.1.1", "confirmed") in island.audit()
    assert load_status(island.data_dir).state == "applied"


def _recorder(island):
    def record(actor, action, target, outcome):
        db = open_db(island.data_dir / "kiosk.db", migrate=False)
        try:
            AuditLog(db, STATION).record(actor, action, target, outcome)
        finally:
            db.conn.close()
    return record


def test_bad_updates_are_refused_and_the_running_version_stays(island):
    # a tampered archive: the hub's stored bytes no longer match the signed manifest
    sha = island.publish("0.2.0", make_tree(island.tmp / "tree-0.2.0", "0.2.0", padding=200_000))
    hub = sqlite3.connect(island.hub_db, timeout=30)
    with hub:
        hub.execute("UPDATE attachment_chunks SET data=zeroblob(length(data)) WHERE sha256=?", (sha,))
    hub.close()
    island.sync_round()
    status = load_status(island.data_dir)
    assert (status.state, status.reason) == (REFUSED, "hash_mismatch")
    assert not (island.app_root / "releases" / "0.2.0").exists()
    assert not list((island.data_dir / "updates").glob("*"))

    # a bundle signed by a key the terminal never pinned
    forged_tree = make_tree(island.tmp / "tree-0.3.0", "0.3.0")
    archive = island.tmp / "forged.tar.gz"
    run_cli("pack-update", "--source", str(forged_tree), "--out", str(archive))
    manifest = UpdateManifest("0.3.0", hashlib.sha256(archive.read_bytes()).hexdigest(), archive.stat().st_size)
    store = open_store(island.hub_db)
    try:
        store.add_bundle(sign_bundle(KeyPair.generate(), "update", store.next_bundle_version("update"),
                                     manifest.encode()))
    finally:
        store.close()
    ranges = len(island.link.ranges)
    island.sync_round()
    status = load_status(island.data_dir)
    assert status.last_refusal.version == "0.3.0" and status.last_refusal.reason == "bad_signature"
    assert len(island.link.ranges) == ranges   # nothing downloaded for it

    state = load_state(island.app_root)
    assert state.current == "0.1.0" and state.trial is None
    assert [(h.version, h.reason) for h in state.history] == [("0.2.0", "hash_mismatch"), ("0.3.0", "bad_signature")]
    trail = island.audit()
    assert ("system", "update_refused", "0.2.0", "hash_mismatch") in trail
    assert ("system", "update_refused", "0.3.0", "bad_signature") in trail


def test_a_download_that_does_not_fit_the_disk_is_refused_cleanly(island):
    updates_dir = island.data_dir / "updates"
    updates_dir.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=128k", "tmpfs", str(updates_dir)],
                             capture_output=True, text=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here (needs root): {mounted.stderr.strip()[:120]}")
    try:
        island.publish("0.2.0", make_tree(island.tmp / "tree", "0.2.0", padding=400_000))
        island.sync_round()
        status = load_status(island.data_dir)
        assert (status.state, status.reason) == (REFUSED, "disk_full")
        assert list(updates_dir.iterdir()) == [] and island.link.ranges == []   # refused before downloading
        assert load_state(island.app_root).current == "0.1.0"
        assert ("system", "update_refused", "0.2.0", "disk_full") in island.audit()
    finally:
        subprocess.run(["umount", str(updates_dir)], check=True)


def test_git_archive_output_is_accepted_too(island):
    """publish-update takes `git archive --format=tar.gz HEAD` as well (the documented alternative to pack-update)."""
    archive = island.tmp / "git.tar.gz"
    subprocess.run(["git", "-C", str(REPO_ROOT), "archive", "--format=tar.gz", "-o", str(archive), "HEAD"],
                   check=True)
    version = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["project"]["version"]
    out = run_cli("publish-update", str(archive), "--version", version, "--db", str(island.hub_db))
    assert f"published update {version}" in out
