"""The terminal's side of updates (sync/updates.py) against the reference hub: the signed bundle pulled, the
archive fetched in resumable pieces, checked and staged, and every bad case refused with the running version
untouched: a tampered archive, a forged bundle, unsafe archive content, an older version, a full disk."""
from __future__ import annotations

import hashlib
import sqlite3
import subprocess
from collections import namedtuple
from datetime import datetime, timezone
from pathlib import Path

import pytest
import requests

from kiosk.updates import DOWNLOADING, REFUSED, STAGED, VERIFIED, ReleaseState, load_state, load_status, save_state
from local_db.audit import AuditLog
from sync.engine import SyncEngine
from sync.hub.keys import sign_bundle
from sync.hub.updates import pack_update, publish_update, store_archive
from sync.protocol import UpdateManifest
from sync.transport import ClockOffset
from sync.auth import KeyPair
from sync.updates import UpdateOptions
from tests.clocks import FakeClock
from tests.update_archives import BAD_ARCHIVES, make_tree, tar_of
from terminal_helpers import settings_for

Disk = namedtuple("Disk", "total used free")


@pytest.fixture
def app_root(tmp_path: Path) -> Path:
    root = tmp_path / "app"
    (root / "releases" / "0.1.0").mkdir(parents=True)
    (root / "releases" / "0.1.0" / "main.py").write_text("print('old')\n")
    save_state(root, ReleaseState(current="0.1.0"))
    return root


@pytest.fixture
def published(real_hub, tmp_path):
    """Publish a packed tree of `version` on the reference hub; returns (archive path, manifest)."""
    def publish(version: str = "0.2.0", padding: int = 600_000):
        packed = pack_update(make_tree(tmp_path / f"tree-{version}", version, padding=padding),
                             tmp_path / f"{version}.tar.gz")
        _, manifest = publish_update(real_hub.store, real_hub.keys, packed.path, version, notes="测试更新")
        return packed.path, manifest
    return publish


def engine_for(db, session, hub, terminal, data_dir, app_root=None, clock=None, **options) -> SyncEngine:
    opts = UpdateOptions(app_root=app_root, running_version="0.1.0", **options)
    return SyncEngine(db, session, settings_for(hub.url, attachment_chunk_bytes=128 * 1024), data_dir=data_dir,
                      identity=terminal, offset=ClockOffset(), updates=opts,
                      clock=clock or (lambda: datetime.now(timezone.utc)))


def audit_outcomes(db) -> list[tuple[str, str, str]]:
    return [(e.action, e.target, e.outcome) for e in reversed(AuditLog(db, "x").recent())]


def update_gets(session) -> list[str]:
    return [h.get("Range", "") for m, url, h, *_ in session.sent if m == "GET" and "/api/v1/updates/" in url]


# --- the good path -----------------------------------------------------------------------------------------------

def test_an_update_is_pulled_fetched_in_pieces_checked_and_staged(db, hooked, real_hub, terminal, data_dir,
                                                                 app_root, published):
    archive, manifest = published()
    engine = engine_for(db, hooked, real_hub, terminal, data_dir, app_root, round_budget_bytes=300_000)
    assert engine.run().error is None
    status = load_status(data_dir)
    assert status.state == DOWNLOADING and 0 < status.received < manifest.size   # a round's share only
    assert (data_dir / "updates" / "0.2.0.part").stat().st_size == status.received
    for _ in range(5):
        if load_status(data_dir).state == STAGED:
            break
        engine.run()
    status = load_status(data_dir)
    assert (status.state, status.version, status.sha256, status.notes) == (STAGED, "0.2.0", manifest.sha256, "测试更新")
    staged = app_root / "releases" / "0.2.0"
    assert (staged / "main.py").is_file() and (staged / "kiosk" / "blob.bin").stat().st_size == 600_000
    assert not list((app_root / "releases").glob("*.staging")) and not list((data_dir / "updates").iterdir())
    ranges = update_gets(hooked)
    assert ranges[0] == "bytes=0-131071" and len(ranges) == -(-manifest.size // (128 * 1024))
    assert load_state(app_root).current == "0.1.0"   # staged, not applied
    engine.run()
    assert len(update_gets(hooked)) == len(ranges)   # settled: nothing fetched again


def test_a_cut_connection_resumes_where_it_stopped(db, hooked, real_hub, terminal, data_dir, app_root, published):
    _, manifest = published()
    calls = []

    def cut_the_third_piece(method, url):
        if "/api/v1/updates/" in url:
            calls.append(url)
            if len(calls) == 3:
                raise requests.ConnectionError("link dropped")
    hooked.before = cut_the_third_piece
    engine = engine_for(db, hooked, real_hub, terminal, data_dir, app_root)
    assert engine.run().error is None   # records are not held up by the update's trouble
    assert load_status(data_dir).state == DOWNLOADING
    assert (data_dir / "updates" / "0.2.0.part").stat().st_size == 2 * 128 * 1024
    engine.run()
    assert load_status(data_dir).state == STAGED
    assert update_gets(hooked)[2] == f"bytes={2 * 128 * 1024}-{3 * 128 * 1024 - 1}"   # resumed, not restarted


def test_without_the_installer_an_update_is_verified_but_never_staged(db, session, real_hub, terminal, data_dir,
                                                                     published):
    archive, _ = published()
    engine_for(db, session, real_hub, terminal, data_dir).run()
    assert load_status(data_dir).state == VERIFIED
    assert (data_dir / "updates" / "0.2.0.tar.gz").read_bytes() == archive.read_bytes()


# --- refused -----------------------------------------------------------------------------------------------------

def test_a_tampered_archive_is_refused_and_nothing_changes(db, hooked, real_hub, terminal, data_dir, app_root,
                                                           published, tmp_path):
    archive, manifest = published()
    hub_db = sqlite3.connect(tmp_path / "hubs" / "hub.db")   # the hub's stored bytes changed behind its back
    with hub_db:
        hub_db.execute("UPDATE attachment_chunks SET data=zeroblob(length(data)) WHERE sha256=?", (manifest.sha256,))
    hub_db.close()
    engine = engine_for(db, hooked, real_hub, terminal, data_dir, app_root)
    engine.run()
    status = load_status(data_dir)
    assert (status.state, status.reason) == (REFUSED, "hash_mismatch")
    assert status.last_refusal.version == "0.2.0"
    assert not (app_root / "releases" / "0.2.0").exists() and not list((data_dir / "updates").glob("*"))
    state = load_state(app_root)
    assert state.current == "0.1.0" and state.trial is None
    assert (state.history[-1].outcome, state.history[-1].reason) == ("refused", "hash_mismatch")
    assert ("update_refused", "0.2.0", "hash_mismatch") in audit_outcomes(db)
    fetched = len(update_gets(hooked))
    engine.run()
    assert load_status(data_dir).state == REFUSED and len(update_gets(hooked)) == fetched   # not fetched again


def test_a_bundle_signed_by_another_key_is_refused_before_any_download(db, hooked, real_hub, terminal, data_dir,
                                                                      app_root, tmp_path):
    tree = make_tree(tmp_path / "tree", "0.9.0")
    archive = pack_update(tree, tmp_path / "evil.tar.gz").path
    sha = hashlib.sha256(archive.read_bytes()).hexdigest()
    store_archive(real_hub.store, archive, sha)
    forged = sign_bundle(KeyPair.generate(), "update", 1,
                         UpdateManifest("0.9.0", sha, archive.stat().st_size).encode())
    real_hub.store.add_bundle(forged)
    engine_for(db, hooked, real_hub, terminal, data_dir, app_root).run()
    status = load_status(data_dir)
    assert status.state == "none" and status.last_refusal.reason == "bad_signature"
    assert status.last_refusal.version == "0.9.0"
    assert update_gets(hooked) == [] and not (app_root / "releases" / "0.9.0").exists()
    assert ("update_refused", "0.9.0", "bad_signature") in audit_outcomes(db)
    assert load_state(app_root).history[-1].reason == "bad_signature"


@pytest.mark.parametrize("case", sorted(BAD_ARCHIVES))
def test_unsafe_or_incomplete_archives_are_refused(case, db, session, real_hub, terminal, data_dir, app_root,
                                                   tmp_path):
    members, code = BAD_ARCHIVES[case]
    archive = tar_of(tmp_path / "bad.tar.gz", members)
    sha = hashlib.sha256(archive.read_bytes()).hexdigest()
    store_archive(real_hub.store, archive, sha)   # a hub whose publish step was skipped: the station checks too
    manifest = UpdateManifest("0.2.0", sha, archive.stat().st_size)
    real_hub.store.add_bundle(sign_bundle(real_hub.keys, "update", 1, manifest.encode()))
    engine_for(db, session, real_hub, terminal, data_dir, app_root).run()
    status = load_status(data_dir)
    assert (status.state, status.reason) == (REFUSED, code)
    assert sorted(p.name for p in (app_root / "releases").iterdir()) == ["0.1.0"]
    assert not (tmp_path / "outside.py").exists() and not list((data_dir / "updates").glob("*"))


def test_an_older_or_too_distant_version_is_refused(db, session, real_hub, terminal, data_dir, app_root,
                                                     tmp_path):
    packed = pack_update(make_tree(tmp_path / "tree", "0.0.9"), tmp_path / "old.tar.gz")
    publish_update(real_hub.store, real_hub.keys, packed.path, "0.0.9")
    engine_for(db, session, real_hub, terminal, data_dir, app_root).run()
    assert (load_status(data_dir).state, load_status(data_dir).reason) == (REFUSED, "not_newer")
    packed = pack_update(make_tree(tmp_path / "tree2", "0.5.0"), tmp_path / "far.tar.gz")
    publish_update(real_hub.store, real_hub.keys, packed.path, "0.5.0", min_from_version="0.3.0")
    engine_for(db, session, real_hub, terminal, data_dir, app_root).run()
    assert (load_status(data_dir).state, load_status(data_dir).reason) == (REFUSED, "too_old")
    assert load_state(app_root).current == "0.1.0"


# --- a full disk -------------------------------------------------------------------------------------------------

@pytest.fixture
def small_disk(data_dir: Path):
    """A 256 KiB tmpfs mounted as the updates folder (root only; skipped where mounting is not allowed)."""
    target = data_dir / "updates"
    target.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=256k,mode=0700", "tmpfs", str(target)],
                             capture_output=True, text=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here (needs root): {mounted.stderr.strip()[:120]}")
    yield target
    subprocess.run(["umount", str(target)], check=True)


def test_a_download_that_cannot_fit_is_refused_before_it_starts(db, hooked, real_hub, terminal, data_dir,
                                                                app_root, published, small_disk):
    published(padding=600_000)
    engine_for(db, hooked, real_hub, terminal, data_dir, app_root).run()
    status = load_status(data_dir)
    assert (status.state, status.reason) == (REFUSED, "disk_full")
    assert update_gets(hooked) == [] and list(small_disk.iterdir()) == []
    assert load_state(app_root).current == "0.1.0"


def test_a_disk_that_fills_up_during_the_download_is_cleaned_and_retried_later(db, hooked, real_hub, terminal,
                                                                               data_dir, app_root, published,
                                                                               small_disk):
    published(padding=600_000)
    clock = FakeClock(datetime.now(timezone.utc))
    engine = engine_for(db, hooked, real_hub, terminal, data_dir, app_root, clock=clock,
                        round_budget_bytes=1 << 30)
    engine.updates.disk_usage = lambda path: Disk(1 << 40, 0, 1 << 40)   # another program fills it after the check
    engine.run()
    status = load_status(data_dir)
    assert (status.state, status.reason) == (REFUSED, "disk_full")   # the kernel said ENOSPC mid-download
    assert len(update_gets(hooked)) >= 2 and list(small_disk.iterdir()) == []   # the partial file is gone
    assert load_state(app_root).current == "0.1.0"
    assert ("update_refused", "0.2.0", "disk_full") in audit_outcomes(db)

    fetched = len(update_gets(hooked))
    engine.run()
    assert load_status(data_dir).state == REFUSED and len(update_gets(hooked)) == fetched   # not within the hour
    subprocess.run(["umount", str(small_disk)], check=True)
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", str(small_disk)], check=True)
    clock.advance(hours=1, seconds=1)
    engine.run()
    assert load_status(data_dir).state == STAGED   # room again an hour later: fetched and staged
