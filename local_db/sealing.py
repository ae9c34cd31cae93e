"""Which columns hold sealed personal data, and the whole-database operations on them: sealing rows written
before encryption at rest, and key rotation.

Every sealed value is bound to its place by a context string (`applicant:<id>` and so on). The outbox and the
quarantine share `payload:<record id>`, because a quarantine move copies the sealed payload as it is.
"""
from __future__ import annotations

import fcntl
import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import sqlite_utils

from local_db import audit
from local_db.audit import AuditLog
from local_db.keys import (KeyRing, KeyRingMissing, KeyStore, Sealer, is_sealed, is_sealed_bytes, key_id_of,
                           load_cached)
from local_db.sync_state import transaction

log = logging.getLogger(__name__)

META_KEYS_USED = "sealing_keys"      # JSON list of every key id that was ever current for this database
META_SEALED = "sealed_at_rest"       # "1" once rows from before encryption at rest have been sealed
META_MEDIA_SEALED = "media_sealed_at_rest"   # "1" once media files from before it have been sealed


class KioskDatabase(sqlite_utils.Database):
    """A kiosk database connection and the sealer for its personal data."""

    sealer: Sealer


@dataclass(frozen=True)
class SealedColumn:
    table: str
    column: str
    keys: tuple[str, ...]      # the columns naming the row in its context
    prefix: str                # context: prefix + ":" + the key columns joined by ":"
    binary: bool = False
    skip_when: str = "0"       # SQL: rows never sealed (purge stubs, empty comments)

    def context(self, *key_values: object) -> str:
        return ":".join([self.prefix, *map(str, key_values)])


APPLICANT = SealedColumn("applications", "applicant", ("id",), "applicant", skip_when="purged_at IS NOT NULL")
ANSWERS = SealedColumn("applications", "answers", ("id",), "answers", skip_when="purged_at IS NOT NULL")
# audit payloads are codes and ids only (local_db/audit.py refuses anything else): they stay readable
OUTBOX_PAYLOAD = SealedColumn("outbox", "payload", ("record_id",), "payload",
                              skip_when="purged_at IS NOT NULL OR kind = 'audit'")
QUARANTINE_PAYLOAD = SealedColumn("quarantine", "payload", ("record_id",), "payload", skip_when="kind = 'audit'")
RATING_COMMENT = SealedColumn("ratings", "comment", ("id",), "comment", skip_when="comment = ''")
CERTIFICATE_TEXT = SealedColumn("certificates", "text", ("record_id", "number"), "certificate")
ATTACHMENT_BLOB = SealedColumn("attachments", "blob", ("sha256",), "attachment", binary=True,
                               skip_when="blob IS NULL OR length(blob) = 0")
NEED_DESCRIPTION = SealedColumn("needs", "description", ("id",), "need_description", skip_when="purged_at IS NOT NULL")
NEED_CONTACT = SealedColumn("needs", "contact", ("id",), "need_contact", skip_when="purged_at IS NOT NULL")
NEED_LOCATION = SealedColumn("needs", "location", ("id",), "need_location", skip_when="purged_at IS NOT NULL")
NEED_RESIDENT = SealedColumn("needs", "resident", ("id",), "need_resident", skip_when="purged_at IS NOT NULL")
BOOKING_DETAILS = SealedColumn("bookings", "details", ("id",), "booking", skip_when="purged_at IS NOT NULL")
DRAFT_BODY = SealedColumn("drafts", "body", ("id",), "draft")
HELD_PAYLOAD = SealedColumn("applications", "held_payload", ("id",), "held", skip_when="held_payload IS NULL")
REVIEW_NOTE = SealedColumn("applications", "review_note", ("id",), "review_note", skip_when="review_note IS NULL")
SEALED_COLUMNS = (APPLICANT, ANSWERS, OUTBOX_PAYLOAD, QUARANTINE_PAYLOAD, RATING_COMMENT, CERTIFICATE_TEXT,
                  ATTACHMENT_BLOB, NEED_DESCRIPTION, NEED_CONTACT, NEED_LOCATION, NEED_RESIDENT, BOOKING_DETAILS,
                  DRAFT_BODY, HELD_PAYLOAD, REVIEW_NOTE)


def payload_context(record_id: str) -> str:
    return OUTBOX_PAYLOAD.context(record_id)


def media_context(sha256: str) -> str:
    """A media file is bound to its content hash, like the blob column."""
    return ATTACHMENT_BLOB.context(sha256)


def sealer_of(db: sqlite_utils.Database) -> Sealer:
    sealer = getattr(db, "sealer", None)
    if sealer is None:
        raise TypeError("this connection was not opened with local_db.db.open_db: it has no sealer")
    return sealer


# --- opening -------------------------------------------------------------------------------------------------

def attach_sealer(db: KioskDatabase, store: KeyStore) -> Sealer:
    """Give the connection its sealer, making the ring the first time. A database that has sealed data but
    whose ring is gone is refused: a new ring would seal new data while the old could never be read again."""
    if not store.exists() and _keys_used(db):   # checked first: a refusal leaves the data dir as it found it
        raise KeyRingMissing("this database was sealed with a key ring that is no longer in its keys folder")
    with _creation_lock(store):
        if not store.exists():
            if _keys_used(db):
                raise KeyRingMissing("this database was sealed with a key ring that is no longer in its keys folder")
            if store.tpm is None:   # a new ring is bound to the machine's TPM when it has one
                from local_db.tpm import default_tpm

                store.tpm = default_tpm()
            store.save(KeyRing.new())
        ring = load_cached(store)
    db.sealer = Sealer.for_store(store)
    if ring.current not in _keys_used(db):
        _remember_key(db, ring.current)
    return db.sealer


def _creation_lock(store: KeyStore):
    store.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    return _Flock(store.directory / ".lock")


class _Flock:
    """Two connections opening a new database at once must not each make a ring."""

    def __init__(self, path: Path):
        self.path = path

    def __enter__(self):
        self.handle = open(self.path, "a")
        fcntl.flock(self.handle, fcntl.LOCK_EX)

    def __exit__(self, *exc):
        fcntl.flock(self.handle, fcntl.LOCK_UN)
        self.handle.close()


def _keys_used(db: sqlite_utils.Database) -> list[str]:
    if not db["meta"].exists():   # opened unmigrated (a read before the app's first start migrates it)
        return []
    row = db.execute("SELECT value FROM meta WHERE key=?", (META_KEYS_USED,)).fetchone()
    return json.loads(row[0]) if row else []


def _remember_key(db: sqlite_utils.Database, key_id: str) -> None:
    if not db["meta"].exists():
        return
    with transaction(db):
        used = _keys_used(db)
        if key_id not in used:
            db.conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?,?)",
                            (META_KEYS_USED, json.dumps(used + [key_id])))


# --- whole-database passes -----------------------------------------------------------------------------------

def seal_plaintext_rows(db: KioskDatabase) -> int:
    """Seal personal data written before encryption at rest (an upgraded kiosk); once, in one transaction."""
    if db.execute("SELECT value FROM meta WHERE key=?", (META_SEALED,)).fetchone():
        return 0
    db.conn.execute("PRAGMA secure_delete=ON")   # the plaintext's old bytes are zeroed, not left in free pages
    with transaction(db):
        changed = sum(_reseal(db, column, only_plain=True) for column in SEALED_COLUMNS)
        db.conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, '1')", (META_SEALED,))
    if changed:
        log.info("sealed %d value(s) written before encryption at rest", changed)
    return changed


def _reseal(db: KioskDatabase, column: SealedColumn, *, only_plain: bool) -> int:
    """Seal with the current key every value of `column` that is plaintext (or, unless `only_plain`, that was
    sealed with another key). Runs inside the caller's transaction."""
    sealer = db.sealer
    current = sealer.ring.current
    keys = ", ".join(column.keys)
    sql = (f"SELECT rowid, {keys}, {column.column} FROM {column.table}"
           f" WHERE {column.column} IS NOT NULL AND NOT ({column.skip_when})")
    changed = 0
    for rowid, *key_values, value in db.conn.execute(sql).fetchall():
        sealed = is_sealed_bytes(value) if column.binary else is_sealed(value)
        if sealed and (only_plain or key_id_of(value) == current):
            continue
        context = column.context(*key_values)
        if column.binary:
            new = sealer.seal_bytes(sealer.open_bytes(value, context), context)
        else:
            new = sealer.seal(sealer.open(value, context), context)
        db.conn.execute(f"UPDATE {column.table} SET {column.column}=? WHERE rowid=?", (new, rowid))
        changed += 1
    return changed


@dataclass(frozen=True)
class Rotation:
    new_key: str
    retired: tuple[str, ...]
    values: int
    media_files: int


def rotate_keys(db: KioskDatabase, store: KeyStore, media_dir: Path | None = None,
                trail: AuditLog | None = None) -> Rotation:
    """Add a key, re-seal every value and media file with it, then retire the old keys.

    Crash-safe in order: the ring is saved holding old and new keys before anything is re-sealed; the rows are
    re-sealed in one transaction; media files one by one, each replaced atomically; old keys leave the ring only
    after all of that. A crash at any point leaves every value openable, and running the rotation again finishes it.
    """
    ring = store.load()
    new_key = ring.add_key()
    store.save(ring)
    db.conn.execute("PRAGMA secure_delete=ON")
    with transaction(db):
        values = sum(_reseal(db, column, only_plain=False) for column in SEALED_COLUMNS)
        if trail is not None:
            trail.write(trail.entry(audit.TECHNICIAN, audit.KEY_ROTATED, target=new_key))
    _remember_key(db, new_key)
    files = sum(1 for _ in _reseal_media(db.sealer, media_dir)) if media_dir is not None else 0
    retired = tuple(ring.retire(keep={new_key}))
    store.save(ring)
    log.info("key rotated: %d value(s), %d media file(s) re-sealed, %d key(s) retired", values, files, len(retired))
    return Rotation(new_key, retired, values, files)


def seal_media_files(db: KioskDatabase, media_dir: Path) -> int:
    """Seal media files written before encryption at rest (an upgraded kiosk), once: later files are sealed as
    they are written, so later starts do not read the folder again."""
    if db.execute("SELECT value FROM meta WHERE key=?", (META_MEDIA_SEALED,)).fetchone():
        return 0
    count = sum(1 for _ in _reseal_media(db.sealer, media_dir, only_plain=True)) if media_dir.is_dir() else 0
    db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, '1')", (META_MEDIA_SEALED,))
    return count


def _reseal_media(sealer: Sealer, media_dir: Path, only_plain: bool = False) -> Iterator[Path]:
    from local_db.fsutil import atomic_write

    current = sealer.ring.current
    for file in sorted(media_dir.glob("??/*")):
        if not file.is_file() or file.name.startswith("."):
            continue
        data = file.read_bytes()
        if is_sealed_bytes(data) and (only_plain or key_id_of(data) == current):
            continue
        context = media_context(file.name)
        atomic_write(file, sealer.seal_bytes(sealer.open_bytes(data, context), context), mode=0o600)
        yield file


# --- technician commands -------------------------------------------------------------------------------------

def key_status(db: KioskDatabase, store: KeyStore) -> dict:
    """How the ring is protected and how many values each key seals: ids and counts, never key material."""
    ring = store.load()
    per_key: dict[str, int] = {}
    plain = 0
    for column in SEALED_COLUMNS:
        sql = (f"SELECT {column.column} FROM {column.table}"
               f" WHERE {column.column} IS NOT NULL AND NOT ({column.skip_when})")
        for (value,) in db.execute(sql).fetchall():
            kid = key_id_of(value)
            if kid is None:
                plain += 1
            else:
                per_key[kid] = per_key.get(kid, 0) + 1
    return {"protection": store.protection, "current": ring.current, "keys": sorted(ring.keys),
            "sealed_values": per_key, "plaintext_values": plain,
            "unknown_keys": sorted(set(per_key) - set(ring.keys))}


def main(argv: list[str] | None = None) -> int:
    """`python -m local_db.sealing status|rotate --data-dir DIR`: JSON on stdout, exit 0 when done."""
    import argparse

    from kiosk.config import load_config
    from local_db.db import open_db

    parser = argparse.ArgumentParser(prog="python -m local_db.sealing", description=main.__doc__)
    parser.add_argument("command", choices=("status", "rotate"))
    parser.add_argument("--data-dir", type=Path, required=True)
    args = parser.parse_args(argv)
    db_path = args.data_dir / "kiosk.db"
    if not db_path.exists():
        print(json.dumps({"error": "no kiosk database in that data dir"}))
        return 2
    store = KeyStore.beside(db_path)
    db = open_db(db_path, keys=store)
    try:
        if args.command == "status":
            print(json.dumps(key_status(db, store), indent=2))
            return 0
        from sync.engine import MEDIA_DIR

        trail = AuditLog(db, load_config(args.data_dir)["station_id"])
        rotation = rotate_keys(db, store, args.data_dir / MEDIA_DIR, trail)
        print(json.dumps({"new_key": rotation.new_key, "retired": list(rotation.retired), "values": rotation.values,
                          "media_files": rotation.media_files}, indent=2))
        return 0
    finally:
        db.conn.close()


if __name__ == "__main__":
    raise SystemExit(main())
