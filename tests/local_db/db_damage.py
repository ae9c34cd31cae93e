"""Real kiosk databases and the damage a failing disk does to them, for the backup, recovery and receipt tests."""
import os
import sqlite3
from datetime import datetime, timezone
from pathlib import Path

from kiosk.records import Identity
from local_db.audit import TECHNICIAN
from local_db.db import open_db
from local_db.store import ApplicationStore

RESIDENT = Identity(source="idcard", name="王海生", id_number="330902195803150012", address="定海区长岛")
START = datetime(2026, 11, 25, 1, 30, tzinfo=timezone.utc)


def open_store(data_dir: Path, clock) -> ApplicationStore:
    data_dir.mkdir(parents=True, exist_ok=True)
    return ApplicationStore(open_db(data_dir / "kiosk.db", shared=True), "st-1", "DH001", clock=clock)


def file_some(store: ApplicationStore, n: int) -> list[str]:
    ids = []
    for i in range(n):
        ids.append(store.submit("zs-hj-001", "户籍证明开具", RESIDENT, {"note": "x" * 300, "n": str(i)}).id)
        store.audit.record(TECHNICIAN, "key_rotated", f"k{i:07d}")   # some audit trail to chain
    return ids


def ids_in(db_path: Path, table="applications", column="id") -> set[str]:
    conn = sqlite3.connect(db_path)
    try:
        return {row[0] for row in conn.execute(f"SELECT {column} FROM {table}")}
    finally:
        conn.close()


def garble_pages(db_path: Path, table: str, *, which: slice) -> list[int]:
    """Overwrite some leaf pages of `table` with garbage, as a failing disk would."""
    conn = sqlite3.connect(db_path)
    page_size = conn.execute("PRAGMA page_size").fetchone()[0]
    pages = [row[0] for row in conn.execute("SELECT pageno FROM dbstat WHERE name=? AND pagetype='leaf'"
                                            " ORDER BY pageno", (table,))]
    conn.close()
    chosen = pages[which]
    with open(db_path, "r+b") as file:
        for page in chosen:
            file.seek((page - 1) * page_size)
            file.write(os.urandom(page_size))
    return chosen
