"""The hub's side of updates (protocol 1.4): packing, publishing a signed `update` bundle, serving the archive in
pieces to enrolled terminals only, on SQLite and PostgreSQL."""
from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import tarfile

import pytest

from sync.auth import bundle_message, verify
from sync.hub.keys import load_or_create_key
from sync.hub.store import open_store
from sync.hub.testing import REPO_ROOT
from sync.hub.updates import MAX_PIECE, pack_update, parse_range, publish_update
from sync.protocol import parse_update_manifest, update_path
from tests.update_archives import BAD_ARCHIVES, make_tree, tar_of

from hub_helpers import STREAMS_PATH


@pytest.fixture
def archive(tmp_path):
    packed = pack_update(make_tree(tmp_path / "tree", "0.2.0", padding=MAX_PIECE + 5000), tmp_path / "u.tar.gz")
    return packed.path


def test_pack_takes_a_plain_tree_or_a_checkouts_tracked_files(tmp_path):
    tree = make_tree(tmp_path / "tree", "0.3.1")
    (tree / "kiosk" / "__pycache__").mkdir()
    (tree / "kiosk" / "__pycache__" / "x.pyc").write_bytes(b"\0")
    (tree / "var").mkdir()
    (tree / "var" / "kiosk.db").write_bytes(b"residents")
    packed = pack_update(tree, tmp_path / "a.tar.gz")
    with tarfile.open(packed.path) as tar:
        names = sorted(tar.getnames())
        assert all(m.uid == 0 and m.mtime == 0 for m in tar.getmembers())
    assert names == ["kiosk/__init__.py", "kiosk/data.txt", "main.py", "pyproject.toml"]
    assert packed.version == "0.3.1" and packed.sha256 == hashlib.sha256(packed.path.read_bytes()).hexdigest()
    assert pack_update(tree, tmp_path / "b.tar.gz").sha256 == packed.sha256   # the same tree, the same bytes

    subprocess.run(["git", "init", "-q", str(tree)], check=True)
    subprocess.run(["git", "-C", str(tree), "add", "main.py", "pyproject.toml"], check=True)
    with tarfile.open(pack_update(tree, tmp_path / "c.tar.gz").path) as tar:
        assert sorted(tar.getnames()) == ["main.py", "pyproject.toml"]   # only what git tracks
    with pytest.raises(ValueError, match="no main.py"):
        pack_update(tree / "kiosk", tmp_path / "d.tar.gz")


def test_publish_stores_the_bytes_and_signs_the_manifest(hub, archive):
    bundle, manifest = publish_update(hub.store, hub.keys, archive, "0.2.0", notes="修复回执打印")
    assert bundle.kind == "update" and bundle.version == 1
    assert verify(hub.keys.public_b64(), bundle.signature, bundle_message("update", 1, bundle.payload_json))
    assert parse_update_manifest(json.loads(bundle.payload_json)) == manifest
    assert manifest.sha256 == hashlib.sha256(archive.read_bytes()).hexdigest()
    assert manifest.size == archive.stat().st_size and manifest.notes == "修复回执打印"
    assert b"".join(hub.store.attachment_chunks(manifest.sha256)) == archive.read_bytes()
    assert hub.store.attachment_range(manifest.sha256, 10, 20) == archive.read_bytes()[10:20]


def test_publish_refuses_what_stations_would_refuse(hub, archive, tmp_path):
    publish_update(hub.store, hub.keys, archive, "0.2.0")
    with pytest.raises(ValueError, match="not newer"):
        publish_update(hub.store, hub.keys, archive, "0.2.0")
    with pytest.raises(ValueError, match="says version 0.2.0"):
        publish_update(hub.store, hub.keys, archive, "0.3.0")   # pyproject.toml inside disagrees
    for name, (members, code) in BAD_ARCHIVES.items():
        with pytest.raises(ValueError, match=code):
            publish_update(hub.store, hub.keys, tar_of(tmp_path / "bad.tar.gz", members), "0.9.0")
    with pytest.raises(ValueError):
        publish_update(hub.store, hub.keys, archive, "latest")
    assert len(hub.store.bundles("update")) == 1


def test_terminals_pull_the_bundle_and_fetch_pieces_with_range(hub, terminal, session, archive):
    _, manifest = publish_update(hub.store, hub.keys, archive, "0.2.0")
    page = session.get(hub.url + STREAMS_PATH + "update", auth=terminal.auth(), timeout=10).json()
    assert [json.loads(i["payload_json"])["sha256"] for i in page["items"]] == [manifest.sha256]
    data = archive.read_bytes()
    url = hub.url + update_path(manifest.sha256)

    piece = session.get(url, headers={"Range": "bytes=100-199"}, auth=terminal.auth(), timeout=10)
    assert piece.status_code == 206 and piece.content == data[100:200]
    assert piece.headers["Content-Range"] == f"bytes 100-199/{len(data)}"
    rest = session.get(url, headers={"Range": f"bytes={len(data) - 7}-"}, auth=terminal.auth(), timeout=10)
    assert rest.status_code == 206 and rest.content == data[-7:]
    wide = session.get(url, headers={"Range": "bytes=0-"}, auth=terminal.auth(), timeout=10)
    assert wide.status_code == 206 and wide.content == data[:MAX_PIECE]   # one piece at most; it says so
    assert wide.headers["Content-Range"] == f"bytes 0-{MAX_PIECE - 1}/{len(data)}"
    past = session.get(url, headers={"Range": f"bytes={len(data)}-"}, auth=terminal.auth(), timeout=10)
    assert past.status_code == 416


def test_only_published_archives_are_served_and_only_to_enrolled_terminals(hub, terminal, session, archive):
    _, manifest = publish_update(hub.store, hub.keys, archive, "0.2.0")
    url = hub.url + update_path(manifest.sha256)
    assert session.get(url, timeout=10).status_code == 401   # unsigned
    scan = b"a resident's scanned document"
    sha = hashlib.sha256(scan).hexdigest()
    hub.store.put_chunk(sha, 0, len(scan), scan)   # an attachment some terminal uploaded
    assert session.get(hub.url + update_path(sha), auth=terminal.auth(), timeout=10).status_code == 404
    assert session.get(hub.url + update_path("zz"), auth=terminal.auth(), timeout=10).status_code == 400


def test_range_headers():
    assert parse_range(None, 10) == (0, 10)
    assert parse_range("bytes=2-4", 10) == (2, 5)
    assert parse_range("bytes=8-", 10) == (8, 10)
    assert parse_range("bytes=-3", 10) == (7, 10)
    assert parse_range("bytes=5-100", 10) == (5, 10)
    for unsatisfiable in ("bytes=10-", "bytes=4-2", "bytes=0-1,3-4", "items=0-1", "bytes=a-b", "bytes=-0"):
        assert parse_range(unsatisfiable, 10) is None


def test_the_cli_packs_and_publishes(tmp_path):
    tree = make_tree(tmp_path / "tree", "1.4.2")
    db = tmp_path / "hub" / "hub.db"
    run = lambda *args: subprocess.run([sys.executable, "-m", "sync.hub", *args], cwd=REPO_ROOT,  # noqa: E731
                                       capture_output=True, text=True, timeout=60)
    packed = run("pack-update", "--source", str(tree), "--out", str(tmp_path / "u.tar.gz"))
    assert packed.returncode == 0 and "version 1.4.2" in packed.stdout, packed.stderr
    published = run("publish-update", str(tmp_path / "u.tar.gz"), "--version", "1.4.2", "--notes", "新版",
                    "--db", str(db))
    assert published.returncode == 0 and "published update 1.4.2" in published.stdout, published.stderr
    again = run("publish-update", str(tmp_path / "u.tar.gz"), "--version", "1.4.2", "--db", str(db))
    assert again.returncode == 2 and "not newer" in again.stderr
    store = open_store(db)
    try:
        manifest = parse_update_manifest(json.loads(store.bundles("update")[0].payload_json))
        keys = load_or_create_key(db.parent)
        assert verify(keys.public_b64(), store.bundles("update")[0].signature,
                      bundle_message("update", 1, store.bundles("update")[0].payload_json))
    finally:
        store.close()
    assert (manifest.version, manifest.notes) == ("1.4.2", "新版")
