"""Software updates at the hub: pack an application tree, publish it as a signed `update` bundle, serve its bytes.

    python -m sync.hub pack-update --source DIR --out FILE          # a .tar.gz of the tree (git-tracked files)
    python -m sync.hub publish-update FILE --version X [--notes …]  # store it and sign its manifest

The archive is stored content-addressed (SHA-256) in the hub database beside the attachments, so SQLite and
PostgreSQL hubs (and several hubs sharing one PostgreSQL) serve the same bytes. The manifest {version, sha256,
size, notes, min_from_version} is published as an `update` bundle signed with the hub key terminals pinned at
enrollment. Terminals fetch the archive with signed GETs in pieces (HTTP Range), so a cut link resumes; only an
archive some published update bundle names is served, never any other stored bytes (residents' scans).
"""
from __future__ import annotations

import gzip
import io
import json
import os
import subprocess
import tarfile
from dataclasses import dataclass
from pathlib import Path

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from sync.auth import KeyPair
from sync.hub.context import hub_of
from sync.hub.keys import publish_bundle
from sync.hub.store import Bundle, HubStore
from sync.hub.validation import SHA256_HEX
from sync.protocol import ProtocolError, UpdateManifest, parse_update_manifest, version_key
from sync.updates import UpdateRefused, file_sha256, inspect_archive

STORE_CHUNK = 1024 * 1024          # bytes per stored row
MAX_PIECE = 1024 * 1024            # most bytes one GET returns; a wider Range gets this much (206 says so)
# Never packed: version control, environments, local data, caches, build output.
SKIP_DIRS = frozenset({".git", ".venv", "venv", "var", "__pycache__", ".pytest_cache", ".hypothesis", "build",
                       "dist", "shots", ".mypy_cache", ".ruff_cache"})
SKIP_SUFFIXES = (".pyc", ".pyo")


# --- packing -------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class PackedUpdate:
    path: Path
    version: str | None
    files: int
    size: int
    sha256: str


def pack_update(source: Path, out: Path) -> PackedUpdate:
    """A .tar.gz of the application tree at `source`: the files git tracks in a checkout (commit first), else
    every file but SKIP_DIRS. Members are relative, owned by root:root, sorted, with fixed times: packing the
    same tree twice gives the same bytes."""
    source = Path(source).resolve()
    files = _tracked_files(source)
    if "main.py" not in files:
        raise ValueError(f"{source} has no main.py: not an application tree")
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.tmp")
    with open(tmp, "wb") as raw, gzip.GzipFile(filename="", fileobj=raw, mode="wb", mtime=0) as zipped, \
            tarfile.open(fileobj=zipped, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for name in files:
            _add(tar, source, name)
    os.replace(tmp, out)
    try:
        info = inspect_archive(out)   # what the stations will check, checked here first
    except UpdateRefused as refused:
        raise ValueError(f"the packed tree would be refused by stations: {refused.code}") from None
    return PackedUpdate(out, info.version, info.files, out.stat().st_size, file_sha256(out))


def _tracked_files(source: Path) -> list[str]:
    if (source / ".git").exists():
        try:
            listed = subprocess.run(["git", "-C", str(source), "ls-files", "-z", "--cached"], check=True,
                                    capture_output=True).stdout.decode("utf-8").split("\0")
            return sorted(name for name in listed if name and (source / name).is_file())
        except (OSError, subprocess.CalledProcessError):
            pass   # no git here: walk the tree instead
    found = []
    for folder, dirs, names in os.walk(source):
        dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS and not d.endswith(".egg-info"))
        for name in names:
            if not name.endswith(SKIP_SUFFIXES):
                found.append(str((Path(folder) / name).relative_to(source).as_posix()))
    return sorted(found)


def _add(tar: tarfile.TarFile, source: Path, name: str) -> None:
    path = source / name
    info = tarfile.TarInfo(name)
    info.mtime, info.uid, info.gid, info.uname, info.gname = 0, 0, 0, "root", "root"
    if path.is_symlink():
        info.type, info.linkname = tarfile.SYMTYPE, os.readlink(path)
        tar.addfile(info)
        return
    data = path.read_bytes()
    info.size = len(data)
    info.mode = 0o755 if os.access(path, os.X_OK) else 0o644
    tar.addfile(info, io.BytesIO(data))


# --- publishing ----------------------------------------------------------------------------------------------

def publish_update(store: HubStore, keys: KeyPair, archive: Path, version: str, notes: str = "",
                   min_from_version: str | None = None) -> tuple[Bundle, UpdateManifest]:
    """Check the archive as a station would, store its bytes, then sign and publish its manifest (in that order:
    a terminal never sees a manifest whose bytes the hub does not hold). ValueError for a bad archive, a
    version the archive's pyproject.toml contradicts, or one not newer than the last published update."""
    version_key(version)   # ValueError unless dotted numbers
    if min_from_version:
        version_key(min_from_version)
    try:
        info = inspect_archive(archive)
    except UpdateRefused as refused:
        raise ValueError(f"archive refused: {refused.code}") from None
    if info.version is not None and version_key(info.version) != version_key(version):
        raise ValueError(f"archive's pyproject.toml says version {info.version}, not {version}")
    newest = latest_manifest(store)
    if newest is not None and version_key(version) <= version_key(newest.version):
        raise ValueError(f"version {version} is not newer than the published update {newest.version}")
    manifest = UpdateManifest(version, file_sha256(archive), archive.stat().st_size, notes, min_from_version)
    store_archive(store, archive, manifest.sha256)
    return publish_bundle(store, keys, "update", manifest.encode()), manifest


def store_archive(store: HubStore, archive: Path, sha256: str) -> None:
    """Resumes an earlier interrupted publish; the store checks the hash when the last piece lands."""
    size = archive.stat().st_size
    state = store.attachment_state(sha256)
    if state.complete:
        return
    offset = state.received if state.total == size else 0
    with open(archive, "rb") as handle:
        handle.seek(offset)
        while offset < size:
            piece = handle.read(STORE_CHUNK)
            outcome = store.put_chunk(sha256, offset, size, piece)
            if outcome.hash_mismatch:
                raise ValueError("archive changed while it was being stored")
            offset += len(piece)


def _manifests(store: HubStore) -> list[UpdateManifest]:
    """The published update manifests, newest first (one that does not parse is skipped: never served)."""
    found = []
    for bundle in reversed(store.bundles("update")):
        try:
            found.append(parse_update_manifest(json.loads(bundle.payload_json)))
        except (ValueError, ProtocolError):
            continue
    return found


def latest_manifest(store: HubStore) -> UpdateManifest | None:
    manifests = _manifests(store)
    return manifests[0] if manifests else None


def published_manifest(store: HubStore, sha256: str) -> UpdateManifest | None:
    """The manifest of a published update naming this archive, if its bytes are all here."""
    for manifest in _manifests(store):
        if manifest.sha256 == sha256:
            return manifest if store.attachment_state(sha256).complete else None
    return None


# --- serving -------------------------------------------------------------------------------------------------

async def get_archive(request: Request) -> Response:
    """GET /api/v1/updates/{sha256} (signed). A piece of at most MAX_PIECE bytes: 206 with Content-Range, or 200
    with the whole archive when no Range was asked and it fits in one piece."""
    sha256 = request.path_params["sha256"]
    if not SHA256_HEX.match(sha256):
        return JSONResponse({"error": "bad_hash"}, status_code=400)
    store = hub_of(request).store
    manifest = await run_in_threadpool(published_manifest, store, sha256)
    if manifest is None:
        return JSONResponse({"error": "unknown_update"}, status_code=404)
    wanted = parse_range(request.headers.get("range"), manifest.size)
    if wanted is None:
        return JSONResponse({"error": "bad_range"}, status_code=416,
                            headers={"Content-Range": f"bytes */{manifest.size}"})
    start, stop = wanted[0], min(wanted[1], wanted[0] + MAX_PIECE)
    data = await run_in_threadpool(store.attachment_range, sha256, start, stop)
    headers = {"Accept-Ranges": "bytes", "Content-Type": "application/octet-stream"}
    if start == 0 and stop == manifest.size and "range" not in request.headers:
        return Response(data, status_code=200, headers=headers)
    headers["Content-Range"] = f"bytes {start}-{start + len(data) - 1}/{manifest.size}"
    return Response(data, status_code=206, headers=headers)


def parse_range(header: str | None, size: int) -> tuple[int, int] | None:
    """[start, stop) asked for by a single `bytes=` range; the whole archive without a header; None when
    the range cannot be satisfied (or is not one we serve: several ranges, other units)."""
    if header is None:
        return 0, size
    unit, _, spec = header.strip().partition("=")
    if unit.strip().lower() != "bytes" or "," in spec:
        return None
    first, dash, last = spec.strip().partition("-")
    if not dash:
        return None
    if not first:   # a suffix: the last N bytes
        if not last.isdigit() or int(last) == 0:
            return None
        return max(0, size - int(last)), size
    if not first.isdigit() or (last and not last.isdigit()):
        return None
    start = int(first)
    stop = min(size, int(last) + 1) if last else size
    return (start, stop) if start < stop else None


__all__ = ["PackedUpdate", "get_archive", "pack_update", "parse_range", "publish_update", "published_manifest",
           "store_archive"]
