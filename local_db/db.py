"""Opening the kiosk database: pragmas and ordered migrations.

The sync worker opens its own connection; the kiosk's writer connection is shared by the UI's worker threads
behind the store's lock. WAL lets the sync worker read while the writer commits. synchronous=FULL makes a committed submission survive a power cut,
which is the promise printed on the receipt.
"""
from __future__ import annotations

import sqlite3
from pathlib import Path

import sqlite_utils

from local_db.migrations import MIGRATIONS

SCHEMA_VERSION = len(MIGRATIONS)


def open_db(path: Path | str, *, migrate: bool = True, shared: bool = False) -> sqlite_utils.Database:
    """`shared=True` lets several threads use the connection; its owner must serialise transactions."""
    conn = sqlite3.connect(str(path), timeout=10.0, isolation_level=None, check_same_thread=not shared)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("PRAGMA foreign_keys=ON")
    conn.execute("PRAGMA busy_timeout=10000")
    db = sqlite_utils.Database(conn)
    if migrate:
        apply_migrations(db)
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
