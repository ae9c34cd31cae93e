"""Personal data retention on the terminal: once the hub has held a record for `keep_hours`, the kiosk forgets
who filed it.

The hub is the system of record. The kiosk keeps only what it still needs without personal data: receipt
number, item, dates and status for 办件查询, and a stub of each delivered outbox row (a delivered row is never
sent again). An application whose receipt is still owed keeps everything until it prints, because the reprint
shows the masked name and ID number. Undelivered and quarantined records are never touched: the hub has not
confirmed them, and the quarantine is the technician's.

Runs on the sync worker's own connection, in one transaction per run. Media files are deleted only after the
commit; a row keeps its file's path until a later run sees the file gone, so a crash in between only delays
the deletion.
"""
from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import sqlite_utils

from kiosk.ids import Clock, utc_now
from local_db import audit
from local_db.audit import AuditLog
from local_db.keys import SealError
from local_db.sealing import payload_context, sealer_of
from local_db.sync_state import transaction

log = logging.getLogger(__name__)

PURGED = json.dumps({"purged": True})
# Payload fields a delivered stub keeps: identifiers and catalogue facts, nothing about the person.
KEPT_FIELDS = ("id", "kind", "receipt_no", "item_id", "item_name", "station_id", "created_at", "application_id",
               "level", "reasons", "slot_id", "visit_kind", "slot_label")

# Delivered rows past the window whose application (if any) owes no receipt; julianday() compares ISO
# times whatever their UTC offset, and a malformed time gives NULL, which purges nothing.
_DUE_OUTBOX = """
    SELECT o.record_id, o.kind, o.payload FROM outbox o
    WHERE o.purged_at IS NULL AND o.kind != 'audit' AND o.delivered_at IS NOT NULL
      AND julianday(o.delivered_at) <= julianday(?)
      AND NOT EXISTS (SELECT 1 FROM print_journal p WHERE p.application_id = o.record_id AND p.status = 'owed')
"""
# Uploaded media past the window; those a pending or quarantined record still names are skipped in Python
# (the payloads are sealed, so SQL cannot look inside them).
_DUE_MEDIA = """
    SELECT a.sha256, a.path FROM attachments a
    WHERE a.purged_at IS NULL AND a.done_at IS NOT NULL AND julianday(a.done_at) <= julianday(?)
"""
_UNSETTLED_PAYLOADS = """
    SELECT record_id, payload FROM outbox WHERE delivered_at IS NULL
    UNION ALL SELECT record_id, payload FROM quarantine
"""


@dataclass(frozen=True)
class PurgeResult:
    applications: int = 0      # applicant and answers blanked
    outbox: int = 0            # delivered payloads cut to a stub
    rating_comments: int = 0   # free-text comments cleared
    media: int = 0             # attachment rows marked purged (bytes gone or going)
    files_deleted: int = 0     # media files removed from disk in this run
    needs: int = 0             # 有求必应 needs: description, contact, location and resident blanked
    bookings: int = 0          # booking contact, address and reason blanked

    @property
    def changed(self) -> bool:
        return any((self.applications, self.outbox, self.rating_comments, self.media, self.files_deleted,
                    self.needs, self.bookings))


def purge_delivered(db: sqlite_utils.Database, media_dir: Path | str | None, *, keep_days: float,
                    clock: Clock = utc_now, trail: AuditLog | None = None) -> PurgeResult:
    """Forget personal data the hub has held for `keep_days`; safe to run as often as wanted. With `trail`, each
    record purged gets a PERSONAL_DATA_PURGED audit entry in the same transaction."""
    now = clock()
    cutoff = (now - timedelta(days=max(0.0, keep_days))).isoformat()
    stamp = now.isoformat(timespec="seconds")
    media_dir = Path(media_dir) if media_dir is not None else None
    db.conn.execute("PRAGMA secure_delete=ON")   # zero the old bytes of rewritten rows in the database file
    with transaction(db):
        outbox, applications, comments, needs, bookings = _purge_records(db, cutoff, stamp, trail)
        media, files = _purge_media(db, media_dir, cutoff, stamp)
    result = PurgeResult(applications, outbox, comments, media, _delete(files), needs, bookings)
    if result.changed:   # counts only: never what was purged
        log.info("personal data purged: %d application(s), %d need(s), %d booking(s), %d outbox row(s),"
                 " %d rating comment(s), %d media (%d file(s) deleted)", result.applications, result.needs,
                 result.bookings, result.outbox,
                 result.rating_comments, result.media, result.files_deleted)
    return result


def _purge_records(db: sqlite_utils.Database, cutoff: str, stamp: str,
                   trail: AuditLog | None) -> tuple[int, int, int, int, int]:
    conn = db.conn
    outbox = applications = comments = needs = bookings = 0
    sealer = sealer_of(db)
    for record_id, kind, payload in conn.execute(_DUE_OUTBOX, (cutoff,)).fetchall():
        try:
            payload = sealer.open(payload, payload_context(record_id))
        except SealError:
            payload = ""   # unreadable anyway: the stub keeps the id and kind, and the ciphertext goes
        conn.execute("UPDATE outbox SET payload=?, purged_at=? WHERE record_id=?",
                     (json.dumps(stub(record_id, kind, payload), ensure_ascii=False), stamp, record_id))
        outbox += 1
        # record ids are UUIDs: at most one of these matches
        # consent keeps its method and time, not the evidence's hash: the evidence itself goes with the media
        applications += conn.execute("UPDATE applications SET applicant=?, answers=?, purged_at=?,"
                                     " consent=CASE WHEN consent IS NULL THEN NULL ELSE json_object("
                                     "'method', json_extract(consent, '$.method'),"
                                     " 'at', json_extract(consent, '$.at'), 'purged', json('true')) END"
                                     " WHERE id=? AND purged_at IS NULL",
                                     (PURGED, PURGED, stamp, record_id)).rowcount
        comments += conn.execute("UPDATE ratings SET comment='' WHERE id=? AND comment != ''",
                                 (record_id,)).rowcount
        needs += conn.execute("UPDATE needs SET description='', contact='', location='', resident=NULL,"
                              " purged_at=? WHERE id=? AND purged_at IS NULL", (stamp, record_id)).rowcount
        # the slot, its label and the state stay for the work queue; who, where and why go
        bookings += conn.execute("UPDATE bookings SET details=?, purged_at=? WHERE id=? AND purged_at IS NULL",
                                 (PURGED, stamp, record_id)).rowcount
        if trail is not None:
            trail.write(trail.entry(audit.SYSTEM, audit.PERSONAL_DATA_PURGED, target=record_id))
    return outbox, applications, comments, needs, bookings


def stub(record_id: str, kind: str, payload: str) -> dict:
    """What a delivered outbox row keeps: identifiers and catalogue facts, marked purged."""
    try:
        body = json.loads(payload)
    except ValueError:
        body = None
    kept = {k: body[k] for k in KEPT_FIELDS if k in body} if isinstance(body, dict) else {}
    return {"id": record_id, "kind": kind} | kept | {"purged": True}


def _purge_media(db: sqlite_utils.Database, media_dir: Path | None, cutoff: str,
                 stamp: str) -> tuple[int, list[Path]]:
    """Mark due media purged; return the files to delete once the transaction commits."""
    conn = db.conn
    files = _leftovers(db, media_dir)
    marked = 0
    due = conn.execute(_DUE_MEDIA, (cutoff,)).fetchall()
    still_named = _media_named_by_unsettled(db) if due else set()   # opens every unsent payload: only if needed
    for sha, path in due:
        if still_named is None or sha in still_named:
            continue
        if path is not None and media_dir is None:
            continue   # a file we cannot reach: leave it for a run that knows the media folder
        # bytes kept in the row go now; an empty blob (not NULL) satisfies the table's path-or-blob check
        conn.execute("UPDATE attachments SET purged_at=?, blob=CASE WHEN path IS NULL THEN X'' ELSE blob END"
                     " WHERE sha256=?", (stamp, sha))
        marked += 1
        file = _media_file(media_dir, path) if path is not None else None
        if file is not None:
            files.append(file)
    return marked, files


def _media_named_by_unsettled(db: sqlite_utils.Database) -> set[str] | None:
    """Hashes any not-yet-delivered or quarantined record mentions. A payload that does not open keeps every
    file: losing a file a record still needs is worse than keeping one too long."""
    sealer = sealer_of(db)
    named: set[str] = set()
    for record_id, payload in db.conn.execute(_UNSETTLED_PAYLOADS).fetchall():
        try:
            text = sealer.open(payload, payload_context(record_id))
        except SealError:
            return None   # None: keep every file
        named.update(_SHA256.findall(text))
    return named


_SHA256 = re.compile(r"[0-9a-f]{64}")


def _leftovers(db: sqlite_utils.Database, media_dir: Path | None) -> list[Path]:
    """Files of earlier runs: forget the path of those now gone, delete again those a crash left behind."""
    if media_dir is None:
        return []
    remaining = []
    rows = db.execute("SELECT sha256, path FROM attachments WHERE purged_at IS NOT NULL AND path IS NOT NULL")
    for sha, path in rows.fetchall():
        file = _media_file(media_dir, path)
        if file is None:
            continue
        if file.exists():
            remaining.append(file)
        else:
            db.conn.execute("UPDATE attachments SET path=NULL, blob=X'' WHERE sha256=?", (sha,))
    return remaining


def _media_file(media_dir: Path, path: str) -> Path | None:
    """The file a row names, only if it lies inside the media folder (a damaged row must not aim elsewhere)."""
    file = media_dir / path
    return file if file.resolve().is_relative_to(media_dir.resolve()) else None


def _delete(files: list[Path]) -> int:
    deleted = 0
    for file in files:
        try:
            file.unlink()
            deleted += 1
        except FileNotFoundError:
            pass   # already gone: that is the goal
        except OSError as exc:   # retried by the next run (the row keeps its path)
            log.error("media file not deleted: %s", type(exc).__name__)
    return deleted
