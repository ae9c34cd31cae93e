"""Opening the kiosk database: pragmas and ordered migrations.

The sync worker opens its own connection; the kiosk's writer connection is shared by the UI's worker threads
behind the store's lock. WAL lets the sync worker read while the writer commits. synchronous=FULL makes a committed submission survive a power cut,
which is the promise printed on the receipt.
"""
from __future__ import annotations

import sqlite3
from pathlib import Path

import sqlite_utils

from local_db.keys import KeyStore
from local_db.migrations import MIGRATIONS
from local_db.sealing import KioskDatabase, attach_sealer, seal_plaintext_rows

SCHEMA_VERSION = len(MIGRATIONS)


def open_db(path: Path | str, *, migrate: bool = True, shared: bool = False,
            keys: KeyStore | None = None) -> KioskDatabase:
    """`shared=True` lets several threads use the connection; its owner must serialise transactions. `keys`:
    where the ring sealing personal data lives (local_db/keys.py); by default the `keys/` folder beside it."""
    conn = sqlite3.connect(str(path), timeout=10.0, isolation_level=None, check_same_thread=not shared)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("PRAGMA foreign_keys=ON")
    conn.execute("PRAGMA busy_timeout=10000")
    db = KioskDatabase(conn)
    if migrate:
        apply_migrations(db)
    attach_sealer(db, keys or KeyStore.beside(path))
    if migrate:
        seal_plaintext_rows(db)
    return db


def apply_migrations(db: sqlite_utils.Database) -> int:
    """Bring the schema to SCHEMA_VERSION; each step commits with its version number, so a crash mid-way resumes."""
    current = db.execute("PRAGMA user_version").fetchone()[0]
    if current > SCHEMA_VERSION:
        raise RuntimeError(f"database schema {current} is newer than this software ({SCHEMA_VERSION})")
    for version in range(current + 1, SCHEMA_VERSION + 1):
        with db.conn:
            db.conn.execute("BEGIN IMMEDIATE")
            for statement in MIGRATIONS[version - 1]:
                statement(db.conn) if callable(statement) else db.conn.execute(statement)
            db.conn.execute(f"PRAGMA user_version={version}")
    return SCHEMA_VERSION
