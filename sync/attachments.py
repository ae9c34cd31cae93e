"""Attachments (scans, photos): content-addressed, stored once, uploaded in resumable chunks apart from records.

A record names its media by SHA-256 in its payload's `attachments` list and is pushed without waiting for
them. The uploader asks the hub how much it holds (HEAD), sends the rest chunk by chunk, resumes from the
hub's number on 409, and starts over on 422 (the hub found the bytes did not match the hash).
"""
from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import sqlite_utils

from kiosk.ids import Clock, utc_now
from local_db.review import held_media
from local_db.sealing import media_context, sealer_of
from local_db.fsutil import atomic_write
from sync.protocol import MAX_ATTACHMENT_BYTES, ProtocolError, attachment_path, parse_upload_state
from sync.transport import HubTransport

log = logging.getLogger(__name__)

HEADER_RECEIVED = "X-ZDB-Received"
HEADER_COMPLETE = "X-ZDB-Complete"
MAX_FAILURES = 3    # a damaged local copy or content the hub keeps refusing: stop trying after this many


@dataclass(frozen=True)
class AttachmentInfo:
    sha256: str
    size: int
    uploaded: int
    attempts: int


class AttachmentStore:
    """`media_dir` set: bytes in files under it; None: bytes in the database (small kiosks, tests)."""

    def __init__(self, db: sqlite_utils.Database, media_dir: Path | str | None = None, clock: Clock = utc_now):
        self.db = db
        self.media_dir = Path(media_dir) if media_dir is not None else None
        self.clock = clock
        self.sealer = sealer_of(db)   # scans, photos and signatures are sealed at rest, in files and blobs alike

    def add(self, data: bytes) -> str:
        """Keep `data` (once, however often added) and return its SHA-256 for a record's `attachments`."""
        if not 0 < len(data) <= MAX_ATTACHMENT_BYTES:
            raise ValueError(f"attachment must be 1..{MAX_ATTACHMENT_BYTES} bytes")
        sha = hashlib.sha256(data).hexdigest()
        if self._exists(sha):
            return sha
        sealed = self.sealer.seal_bytes(data, media_context(sha))
        relative, blob = None, sealed
        if self.media_dir is not None:   # the file first: a row never names bytes that are not there
            relative, blob = f"{sha[:2]}/{sha}", None
            (self.media_dir / sha[:2]).mkdir(parents=True, exist_ok=True)
            atomic_write(self.media_dir / relative, sealed, mode=0o600)
        self.db.execute("INSERT OR IGNORE INTO attachments (sha256, path, blob, size, created_at)"
                        " VALUES (?,?,?,?,?)", (sha, relative, blob, len(data), self._now()))
        return sha

    def _exists(self, sha: str) -> bool:
        return self.db.execute("SELECT 1 FROM attachments WHERE sha256=?", (sha,)).fetchone() is not None

    def read(self, sha: str) -> bytes:
        row = self.db.execute("SELECT path, blob FROM attachments WHERE sha256=?", (sha,)).fetchone()
        if row is None:
            raise KeyError(sha)
        path, blob = row
        if blob is not None:
            return self.sealer.open_bytes(blob, media_context(sha))
        if self.media_dir is None:
            raise FileNotFoundError("attachment kept as a file but no media directory given")
        return self.sealer.open_bytes((self.media_dir / path).read_bytes(), media_context(sha))

    def pending(self, limit: int = 100) -> list[AttachmentInfo]:
        """Oldest first, leaving out media of filings held for supervisor review (local_db/review.py)."""
        held = held_media(self.db)
        rows = self.db.execute("SELECT sha256, size, uploaded, attempts FROM attachments WHERE done_at IS NULL"
                               " AND attempts < ? ORDER BY created_at, sha256 LIMIT ?",
                               (MAX_FAILURES, limit + len(held))).fetchall()
        return [AttachmentInfo(*row) for row in rows if row[0] not in held][:limit]

    def pending_count(self) -> int:
        return self.db.execute("SELECT COUNT(*) FROM attachments WHERE done_at IS NULL").fetchone()[0]

    def is_done(self, sha: str) -> bool:
        row = self.db.execute("SELECT done_at FROM attachments WHERE sha256=?", (sha,)).fetchone()
        return bool(row and row[0])

    def set_uploaded(self, sha: str, received: int) -> None:
        self.db.execute("UPDATE attachments SET uploaded=? WHERE sha256=?", (received, sha))

    def mark_done(self, sha: str) -> None:
        self.db.execute("UPDATE attachments SET done_at=?, uploaded=size, last_error=NULL WHERE sha256=?",
                        (self._now(), sha))

    def mark_failed(self, sha: str, error: str) -> None:
        self.db.execute("UPDATE attachments SET attempts=attempts+1, last_error=? WHERE sha256=?",
                        (error[:200], sha))

    def _now(self) -> str:
        return self.clock().isoformat(timespec="seconds")


@dataclass(frozen=True)
class UploadResult:
    done: int = 0
    failed: int = 0
    bytes_sent: int = 0


class AttachmentUploader:
    """Uploads pending attachments one after another; a network error ends the pass (next round resumes)."""

    def __init__(self, store: AttachmentStore, transport: HubTransport, *, chunk_bytes: int = 256 * 1024,
                 max_restarts: int = 2, max_conflicts: int = 3):
        self.store = store
        self.transport = transport
        self.chunk_bytes = max(1, chunk_bytes)
        self.max_restarts = max_restarts
        self.max_conflicts = max_conflicts

    def upload_pending(self, should_stop: Callable[[], bool] = lambda: False) -> UploadResult:
        done = failed = sent = 0
        for info in self.store.pending(1000):
            if should_stop():
                break
            ok, nbytes = self.upload(info, should_stop)
            done, failed, sent = done + ok, failed + (not ok), sent + nbytes
        return UploadResult(done, failed, sent)

    def upload(self, info: AttachmentInfo, should_stop: Callable[[], bool] = lambda: False) -> tuple[bool, int]:
        """(finished, bytes sent). Raises SyncError on network trouble, leaving the progress recorded."""
        data = self.store.read(info.sha256)
        if hashlib.sha256(data).hexdigest() != info.sha256:   # never send bytes that cannot match
            self.store.mark_failed(info.sha256, "local copy damaged")
            log.error("attachment %s: local copy damaged", info.sha256[:12])
            return False, 0
        held, complete = self._held(info.sha256)
        if complete:
            self.store.mark_done(info.sha256)
            return True, 0
        return self._send_from(info.sha256, data, held if held <= len(data) else 0, should_stop)

    def _held(self, sha: str) -> tuple[int, bool]:
        reply = self.transport.request("HEAD", attachment_path(sha), expect=(200, 404))
        if reply.status == 404:
            return 0, False
        received = reply.headers.get(HEADER_RECEIVED, "0")
        if not received.isdigit():
            raise ProtocolError("attachment state unreadable")
        return int(received), reply.headers.get(HEADER_COMPLETE, "").lower() == "true"

    def _send_from(self, sha: str, data: bytes, offset: int, should_stop: Callable[[], bool]) -> tuple[bool, int]:
        restarts = conflicts = sent = 0
        while not should_stop():
            chunk = data[offset:offset + self.chunk_bytes]
            reply = self.transport.request("PUT", attachment_path(sha), query={"offset": offset, "total": len(data)},
                                           body=chunk, expect=(200, 409, 422),
                                           headers={"Content-Type": "application/octet-stream"})
            sent += len(chunk)
            if reply.status == 422:
                restarts += 1
                if restarts > self.max_restarts:
                    self.store.mark_failed(sha, "hub refuses the content")
                    return False, sent
                offset = 0
                continue
            state = parse_upload_state(reply.content)
            if reply.status == 409:
                conflicts += 1
                if conflicts > self.max_conflicts or state.received > len(data):
                    raise ProtocolError("hub keeps disagreeing about an upload")
            elif state.complete:
                self.store.mark_done(sha)
                return True, sent
            elif state.received <= offset or state.received >= len(data):
                raise ProtocolError("upload reply does not advance")
            offset = state.received
            self.store.set_uploaded(sha, offset)
        return False, sent
