"""Fetching a software update the hub signed: download in resumable pieces, check, stage. Never apply.

The `update` bundle (protocol 1.4) was verified like every bundle (the hub key pinned at enrollment, a newer
bundle version) before it was installed; its manifest names the archive by SHA-256 and size. Each sync round
the fetcher continues the download into `<data dir>/updates/<version>.part` (a piece per request, a few MB per
round so records never wait long behind it), then checks size and hash against the signed manifest, then the
archive's content (no absolute paths, no `..`, no links leading out, a main.py), then unpacks it into
`<app root>/releases/<version>.staging` and renames it into place. kiosk/updates.py applies it at a quiet hour.

Anything else is refused with a short reason code, recorded for the maintenance panel, audited and, on an
installer-managed station, written into state.json's history; the partial file is removed and the running
version is never touched. A full disk is found before the download (free space checked) or during it (ENOSPC):
the partial file goes, the reason is `disk_full`, and the station tries again an hour later.
"""
from __future__ import annotations

import errno
import hashlib
import json
import logging
import os
import shutil
import tarfile
import tomllib
import zlib
from dataclasses import dataclass, replace
from pathlib import Path, PurePosixPath
from typing import Any, Callable

import sqlite_utils

from kiosk.ids import Clock, utc_now
from kiosk.updates import (APPLIED, APPLYING, DOWNLOADING, REFUSED, RELEASES_DIR, ROLLED_BACK, STAGED,
                           VERIFIED, HistoryEntry, Refusal, UpdateStatus, change_status, load_status, now_iso,
                           record_history, release_dir, running_version)
from local_db.audit import SYSTEM, UPDATE_REFUSED, AuditLog
from local_db.fsutil import fsync_dir
from local_db.sync_state import SyncState
from sync.protocol import ProtocolError, UpdateManifest, parse_update_manifest, update_path, version_key
from sync.transport import HubTransport

log = logging.getLogger(__name__)

UPDATES_DIR = "updates"
MAX_MEMBERS = 20_000
MAX_UNPACKED_BYTES = 1024 ** 3
UNPACK_ROOM = 4                      # room asked for the unpacked tree, in archive sizes (code packs ~4:1)
RETRYABLE = frozenset({"disk_full", "archive_missing"})
SETTLED = frozenset({VERIFIED, STAGED, APPLYING, APPLIED, ROLLED_BACK})
DiskUsage = Callable[[str | Path], Any]   # shutil.disk_usage's shape: `.free` in bytes


class UpdateRefused(Exception):
    """`code` is one of kiosk.updates.REASONS."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


# --- the archive -------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ArchiveInfo:
    version: str | None              # pyproject.toml's [project] version inside, if there is one
    files: int
    unpacked_bytes: int


def inspect_archive(path: Path | str) -> ArchiveInfo:
    """Read the whole archive without writing anything: UpdateRefused unless it is a plain application tree."""
    version, files, total, names = None, 0, 0, set()
    try:
        with tarfile.open(path, "r:gz") as tar:
            for count, member in enumerate(tar, start=1):
                if count > MAX_MEMBERS:
                    raise UpdateRefused("bad_archive")
                name = _safe_name(member)
                if member.isfile():
                    files, total = files + 1, total + member.size
                    if total > MAX_UNPACKED_BYTES:
                        raise UpdateRefused("bad_archive")
                    if name == "pyproject.toml":
                        version = _project_version(tar.extractfile(member))
                names.add(name)
    except (tarfile.TarError, EOFError, zlib.error, OSError):
        raise UpdateRefused("bad_archive") from None
    if "main.py" not in names:
        raise UpdateRefused("no_main")
    return ArchiveInfo(version, files, total)


def _safe_name(member: tarfile.TarInfo) -> str:
    """The member's path inside the tree; UpdateRefused for absolute paths, `..`, links out and special files."""
    raw = member.name
    if raw.startswith("/") or "\\" in raw or "\x00" in raw:
        raise UpdateRefused("unsafe_archive")
    parts = [p for p in PurePosixPath(raw).parts if p != "."]
    if ".." in parts:
        raise UpdateRefused("unsafe_archive")
    if member.issym():   # a relative link staying inside the tree is fine; anything else could lead out
        if member.linkname.startswith("/") or not _inside(parts[:-1], member.linkname):
            raise UpdateRefused("unsafe_archive")
    elif not (member.isfile() or member.isdir()):   # hard links, devices, fifos: never in an application tree
        raise UpdateRefused("unsafe_archive")
    return "/".join(parts)


def _inside(directory: list[str], target: str) -> bool:
    """Whether `target`, relative to `directory` (parts below the tree's root), stays below the root."""
    depth = len(directory)
    for part in target.split("/"):
        if part == "..":
            depth -= 1
            if depth < 0:
                return False
        elif part not in ("", "."):
            depth += 1
    return True


def _project_version(handle: Any) -> str | None:
    try:
        return str(tomllib.loads(handle.read().decode("utf-8"))["project"]["version"])
    except (AttributeError, KeyError, TypeError, ValueError, UnicodeDecodeError):
        return None


def file_sha256(path: Path | str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1024 * 1024), b""):
            digest.update(block)
    return digest.hexdigest()


def unpack_release(archive: Path, app_root: Path, version: str) -> Path:
    """Unpack into releases/<version>.staging, then rename to releases/<version>: a release folder is whole."""
    releases = Path(app_root) / RELEASES_DIR
    releases.mkdir(parents=True, exist_ok=True)
    target = release_dir(app_root, version)
    if (target / "main.py").is_file():
        return target   # staged before a crash, or installed by the package already
    staging = releases / f"{version}.staging"
    shutil.rmtree(staging, ignore_errors=True)
    try:
        with tarfile.open(archive, "r:gz") as tar:
            # the data filter (Python >= 3.11.4) is a second guard behind inspect_archive
            tar.extractall(staging, **({"filter": "data"} if hasattr(tarfile, "data_filter") else {}))
        if not (staging / "main.py").is_file():
            raise UpdateRefused("no_main")
        shutil.rmtree(target, ignore_errors=True)   # an incomplete folder of that name, never a runnable one
        os.rename(staging, target)
        fsync_dir(releases)
    except OSError as exc:
        shutil.rmtree(staging, ignore_errors=True)
        if exc.errno in (errno.ENOSPC, errno.EDQUOT):
            raise UpdateRefused("disk_full") from None
        raise
    except (tarfile.TarError, zlib.error, EOFError):
        shutil.rmtree(staging, ignore_errors=True)
        raise UpdateRefused("unsafe_archive") from None
    except UpdateRefused:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return target


# --- the fetcher ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class UpdateOptions:
    app_root: Path | None = None             # the installer's app root; None: fetch and verify, never stage
    running_version: str | None = None       # None: the version of this code (pyproject.toml)
    reserve_bytes: int = 0                   # free space the download must leave (the kiosk's disk guardrail)
    chunk_bytes: int = 256 * 1024            # bytes asked for per request
    round_budget_bytes: int = 4 * 1024 * 1024   # most bytes fetched per sync round; the next round resumes
    retry_after_s: float = 3600.0            # a disk_full or archive_missing refusal is tried again after this


class UpdateFetcher:
    """Runs on the sync worker's thread and connection, after the round's pull."""

    def __init__(self, db: sqlite_utils.Database, transport: HubTransport, data_dir: Path | str,
                 options: UpdateOptions = UpdateOptions(), *, station_id: str, clock: Clock = utc_now,
                 disk_usage: DiskUsage = shutil.disk_usage):
        self.db = db
        self.transport = transport
        self.data_dir = Path(data_dir)
        self.options = options
        self.station_id = station_id
        self.clock = clock
        self.disk_usage = disk_usage
        self.updates_dir = self.data_dir / UPDATES_DIR

    # --- one round ---------------------------------------------------------------------------------------------
    def run(self, should_stop: Callable[[], bool] = lambda: False) -> UpdateStatus | None:
        """The status after this round's work; None when no update bundle is installed. Network trouble raises
        SyncError with the partial download kept for the next round."""
        manifest = self._manifest()
        if manifest is None:
            return None
        status = load_status(self.data_dir)
        if not self._wanted(manifest, status):
            return status
        try:
            return self._fetch(manifest, status, should_stop)
        except UpdateRefused as refused:
            return self._refuse(manifest, refused.code)

    def _manifest(self) -> UpdateManifest | None:
        installed = SyncState(self.db, self.clock).installed("update")
        if installed is None or installed.payload is None:
            return None
        try:
            return parse_update_manifest(json.loads(installed.payload))
        except (ValueError, ProtocolError):   # checked when installed: only a damaged database gets here
            log.error("installed update manifest unreadable")
            return None

    def _wanted(self, manifest: UpdateManifest, status: UpdateStatus) -> bool:
        if status.sha256 != manifest.sha256:
            return True
        if status.state in SETTLED:
            return False
        if status.state == REFUSED:
            return status.reason in RETRYABLE and self._seconds_since(status.at) >= self.options.retry_after_s
        return True

    def _fetch(self, manifest: UpdateManifest, status: UpdateStatus,
               should_stop: Callable[[], bool]) -> UpdateStatus:
        running = self.options.running_version or running_version()
        if not self._newer_than(manifest, running):
            return status
        if status.sha256 != manifest.sha256 or status.state == REFUSED:
            status = self._start(manifest)
        app_root = self.options.app_root
        if app_root is not None and (release_dir(app_root, manifest.version) / "main.py").is_file():
            return self._set(lambda s: replace(s, state=STAGED, at=now_iso(self.clock)))
        have = self._download(manifest, should_stop)
        if have < manifest.size:
            return load_status(self.data_dir)
        part = self._part(manifest)
        if part.stat().st_size != manifest.size:
            raise UpdateRefused("size_mismatch")
        if file_sha256(part) != manifest.sha256:
            raise UpdateRefused("hash_mismatch")
        info = inspect_archive(part)
        if info.version is not None and version_key(info.version) != version_key(manifest.version):
            raise UpdateRefused("version_mismatch")
        return self._stage(manifest, part, info)

    def _newer_than(self, manifest: UpdateManifest, running: str) -> bool:
        """False (nothing to do) when it is the version running; UpdateRefused when older or too far ahead."""
        try:
            mine = version_key(running)
        except ValueError:   # "unknown": a tree without pyproject.toml; take the signed update
            return True
        theirs = version_key(manifest.version)
        if theirs == mine:
            return False
        if theirs < mine:
            raise UpdateRefused("not_newer")
        if manifest.min_from_version and mine < version_key(manifest.min_from_version):
            raise UpdateRefused("too_old")
        return True

    def _start(self, manifest: UpdateManifest) -> UpdateStatus:
        """A new update (or a refused one tried again): earlier partial files go."""
        self._clean_parts()
        return self._set(lambda s: UpdateStatus(DOWNLOADING, manifest.version, manifest.sha256, manifest.size, 0,
                                                manifest.notes, at=now_iso(self.clock), last_refusal=s.last_refusal,
                                                audited=s.audited))

    # --- download ----------------------------------------------------------------------------------------------
    def _part(self, manifest: UpdateManifest) -> Path:
        return self.updates_dir / f"{manifest.version}.part"

    def _download(self, manifest: UpdateManifest, should_stop: Callable[[], bool]) -> int:
        """Bytes held after this round's share of the download."""
        self.updates_dir.mkdir(parents=True, exist_ok=True)
        part = self._part(manifest)
        have = part.stat().st_size if part.exists() else 0
        if have > manifest.size:
            part.unlink()
            have = 0
        self._check_space(manifest, have)
        budget = self.options.round_budget_bytes
        try:
            fd = os.open(part, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
            try:
                while have < manifest.size and budget > 0 and not should_stop():
                    data = self._piece(manifest, have, min(manifest.size, have + self.options.chunk_bytes))
                    _write_all(fd, data)
                    os.fsync(fd)   # what the status says is held is on disk, so a power cut resumes there
                    have, budget = have + len(data), budget - len(data)
                    self._set(lambda s: replace(s, state=DOWNLOADING, received=have))
            finally:
                os.close(fd)
        except OSError as exc:
            if exc.errno in (errno.ENOSPC, errno.EDQUOT):
                raise UpdateRefused("disk_full") from None
            raise
        return have

    def _check_space(self, manifest: UpdateManifest, have: int) -> None:
        """Room for the rest of the download and the unpacked tree, leaving the kiosk's own reserve."""
        need = {self.updates_dir: manifest.size - have}
        app_root = self.options.app_root
        if app_root is not None:
            releases = Path(app_root) / RELEASES_DIR
            releases.mkdir(parents=True, exist_ok=True)
            if os.stat(releases).st_dev == os.stat(self.updates_dir).st_dev:
                need[self.updates_dir] += manifest.size * UNPACK_ROOM
            else:
                need[releases] = manifest.size * UNPACK_ROOM
        for directory, size in need.items():
            if self.disk_usage(directory).free - size < self.options.reserve_bytes:
                log.warning("update %s: not enough free space in %s", manifest.version, directory.name)
                raise UpdateRefused("disk_full")

    def _piece(self, manifest: UpdateManifest, start: int, stop: int) -> bytes:
        reply = self.transport.request("GET", update_path(manifest.sha256), expect=(200, 206, 404, 416),
                                       headers={"Range": f"bytes={start}-{stop - 1}",
                                                "Accept": "application/octet-stream"})
        if reply.status == 404:
            raise UpdateRefused("archive_missing")
        if reply.status == 416:   # the hub holds fewer bytes than the signed manifest says
            raise UpdateRefused("size_mismatch")
        if reply.status == 206:
            if _range_start(reply.headers.get("Content-Range", "")) != start:
                raise ProtocolError("update piece from another offset")
            data = reply.content
        else:   # 200: something between ignored the Range; take our piece of the whole
            data = reply.content[start:stop]
        if not data:
            raise ProtocolError("update download does not advance")
        if start + len(data) > manifest.size:
            raise UpdateRefused("size_mismatch")
        return data

    # --- outcome -----------------------------------------------------------------------------------------------
    def _stage(self, manifest: UpdateManifest, part: Path, info: ArchiveInfo) -> UpdateStatus:
        app_root = self.options.app_root
        if app_root is None:   # a development checkout: verified and kept, never applied
            os.replace(part, self.updates_dir / f"{manifest.version}.tar.gz")
            log.info("update %s verified (not installer-managed: not staged)", manifest.version)
            return self._set(lambda s: replace(s, state=VERIFIED, received=manifest.size, at=now_iso(self.clock)))
        releases = Path(app_root) / RELEASES_DIR
        if self.disk_usage(releases).free - info.unpacked_bytes < self.options.reserve_bytes:
            raise UpdateRefused("disk_full")
        unpack_release(part, Path(app_root), manifest.version)
        part.unlink(missing_ok=True)
        log.info("update %s staged; waiting for the quiet hour", manifest.version)
        return self._set(lambda s: replace(s, state=STAGED, received=manifest.size, at=now_iso(self.clock)))

    def _refuse(self, manifest: UpdateManifest, code: str) -> UpdateStatus:
        if code != "archive_missing":   # kept: the hub may have it again, and the bytes held are still good
            self._clean_parts()
        log.warning("update %s refused: %s", manifest.version, code)
        at = now_iso(self.clock)
        entry = HistoryEntry(manifest.version, "refused", at, code)
        audited = self._history(entry)
        try:
            AuditLog(self.db, self.station_id, self.clock).record(SYSTEM, UPDATE_REFUSED, manifest.version, code)
        except Exception as exc:   # a full disk may refuse this too; the status below still tells
            log.error("update refusal not audited: %s", type(exc).__name__)
        base = UpdateStatus(REFUSED, manifest.version, manifest.sha256, manifest.size, 0, manifest.notes, code, at)
        return self._set(lambda s: replace(base, last_refusal=Refusal(manifest.version, code, at),
                                           audited=s.audited + audited))

    def on_bundle_refused(self, stream: str, item: Any, reason: str) -> None:
        """Puller's listener, inside the page's transaction: an update bundle that failed its signature or
        shape check is recorded and audited; the update in progress (if any) is left as it was."""
        if stream != "update":
            return
        version, code = _claimed_version(item), _refusal_code(reason)
        at = now_iso(self.clock)
        audited = self._history(HistoryEntry(version, "refused", at, code))
        trail = AuditLog(self.db, self.station_id, self.clock)
        trail.write(trail.entry(SYSTEM, UPDATE_REFUSED, version, code))
        self._set(lambda s: replace(s, last_refusal=Refusal(version, code, at), audited=s.audited + audited))

    def _history(self, entry: HistoryEntry) -> tuple[str, ...]:
        """Write the refusal into state.json's history (managed stations); its key, as it is audited here."""
        if self.options.app_root is None:
            return ()
        try:
            record_history(self.options.app_root, entry)
        except (OSError, ValueError) as exc:
            log.error("update refusal not recorded in the release state: %s", type(exc).__name__)
            return ()
        return (entry.key,)

    def _set(self, change: Callable[[UpdateStatus], UpdateStatus]) -> UpdateStatus:
        return change_status(self.data_dir, change)

    def _clean_parts(self) -> None:
        if self.updates_dir.is_dir():
            for stale in self.updates_dir.glob("*.part"):
                stale.unlink(missing_ok=True)

    def _seconds_since(self, iso: str) -> float:
        from datetime import datetime
        try:
            return (self.clock() - datetime.fromisoformat(iso)).total_seconds()
        except (TypeError, ValueError):
            return float("inf")


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def _range_start(content_range: str) -> int | None:
    """The first byte of `bytes START-END/TOTAL`."""
    unit, _, rest = content_range.strip().partition(" ")
    first = rest.partition("-")[0]
    return int(first) if unit == "bytes" and first.isascii() and first.isdigit() else None


def _claimed_version(item: Any) -> str:
    """The version a refused bundle claims, if it is shaped like one (it is not trusted, only shown)."""
    try:
        return parse_update_manifest(json.loads(item["payload_json"])).version
    except (KeyError, TypeError, ValueError, ProtocolError, RecursionError):
        return "unknown"


def _refusal_code(reason: str) -> str:
    if "signature" in reason or "unsigned" in reason or "no hub key" in reason:
        return "bad_signature"
    if "not newer" in reason:
        return "stale_bundle"
    return "bad_manifest"


__all__ = ["ArchiveInfo", "UpdateFetcher", "UpdateOptions", "UpdateRefused", "inspect_archive",
           "unpack_release"]
