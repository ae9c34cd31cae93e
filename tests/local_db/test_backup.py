"""Backups, integrity checks, restores and the recovery of a corrupt database at start, on real kiosk files."""
import json
import os
import sqlite3
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from kiosk.records import Identity
from local_db import backup as bk
from local_db.audit import SYSTEM, TECHNICIAN, verify_chain
from local_db.db import open_db
from local_db.keys import KeyStore
from local_db.sealing import rotate_keys
from local_db.store import ApplicationStore
from tests.clocks import FakeClock, TickingClock
from tests.tmpfs_helpers import small_tmpfs
from tests.local_db.sealed_helpers import opened_rows_text, stored_rows_text

RESIDENT = Identity(source="idcard", name="王海生", id_number="330902195803150012", address="定海区长岛")
START = datetime(2026, 11, 25, 1, 30, tzinfo=timezone.utc)


@pytest.fixture
def clock():
    return TickingClock(START)


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


# --- backups ---------------------------------------------------------------------------------------------------

def test_backup_is_a_checked_self_contained_copy_holding_only_sealed_values(tmp_path, clock):
    store = open_store(tmp_path, clock)
    file_some(store, 3)
    info = bk.backup(tmp_path / "kiosk.db", tmp_path / "backups", FakeClock(START))
    assert info.name == "kiosk-20261125T013000Z.db" and info.size > 0
    assert [b.name for b in bk.list_backups(tmp_path / "backups")] == [info.name]
    assert not list((tmp_path / "backups").glob(".*"))   # no temp file left
    assert bk.check(info.path).healthy
    raw = sqlite3.connect(info.path)
    assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "delete"   # one file, no -wal beside it
    raw.close()
    copy = open_db(info.path, migrate=False, keys=KeyStore(tmp_path / "keys"))
    try:
        assert RESIDENT.name in opened_rows_text(copy)             # the data is there, for the ring
        assert RESIDENT.name not in stored_rows_text(copy)         # but sealed in the file
        assert RESIDENT.id_number not in info.path.read_bytes().decode("utf-8", "replace")
    finally:
        copy.conn.close()
    store.db.conn.close()


def test_backups_keep_the_newest_n_and_never_the_last_good_one(tmp_path, clock):
    store = open_store(tmp_path, clock)
    file_some(store, 1)
    tick = FakeClock(START)
    made = []
    for _ in range(4):
        made.append(bk.backup(tmp_path / "kiosk.db", tmp_path / "backups", tick, keep=3))
        tick.advance(hours=1)
    assert [b.name for b in bk.list_backups(tmp_path / "backups")] == [m.name for m in made[:0:-1]]
    # the two newest get damaged: the next prune keeps only 1 newest, yet the good one behind them stays
    for info in made[2:]:
        info.path.write_bytes(b"garbage" * 1000)
    removed = bk.prune(tmp_path / "backups", keep=1)
    assert made[1].path.exists() and made[3].path.exists() and made[2].path in removed
    store.db.conn.close()


def test_a_backup_that_fails_its_check_is_not_kept(tmp_path):
    db_path = tmp_path / "kiosk.db"
    conn = sqlite3.connect(db_path)
    conn.execute("CREATE TABLE t (x)")
    conn.executemany("INSERT INTO t VALUES (?)", [("y" * 2000,)] * 50)
    conn.commit()
    conn.close()
    garble_pages(db_path, "t", which=slice(3, 5))
    with pytest.raises(bk.BackupError, match="完整性"):
        bk.backup(db_path, tmp_path / "backups")
    assert list((tmp_path / "backups").iterdir()) == []


@pytest.fixture
def small_disk(tmp_path):
    with small_tmpfs(tmp_path / "small") as mount:
        yield mount


def test_disk_full_during_a_backup_leaves_no_partial_file_and_says_so(tmp_path, clock, small_disk):
    store = open_store(tmp_path, clock)
    file_some(store, 40)   # well over 64 KiB
    with pytest.raises(bk.BackupError, match="磁盘空间不足"):
        bk.backup(tmp_path / "kiosk.db", small_disk / "backups")
    assert list((small_disk / "backups").iterdir()) == []
    store.db.conn.close()


# --- check -----------------------------------------------------------------------------------------------------

def test_check_reports_integrity_references_and_chain(tmp_path, clock):
    store = open_store(tmp_path, clock)
    file_some(store, 30)
    store.db.conn.close()
    report = bk.check(tmp_path / "kiosk.db")
    assert report.ok and report.healthy and report.chain["checked"] == 30
    garble_pages(tmp_path / "kiosk.db", "outbox", which=slice(2, 3))
    report = bk.check(tmp_path / "kiosk.db")
    assert not report.ok and report.integrity != ("ok",)
    assert json.dumps(report.to_json())   # serialisable for the diagnostic export
    (tmp_path / "nothing.db").write_bytes(b"this is not a database at all" * 200)
    assert not bk.check(tmp_path / "nothing.db").ok


# --- restore and key rotation --------------------------------------------------------------------------------

def test_restore_moves_the_current_file_aside_and_refuses_a_bad_backup(tmp_path, clock):
    store = open_store(tmp_path, clock)
    first = file_some(store, 2)
    good = bk.backup(tmp_path / "kiosk.db", tmp_path / "backups", FakeClock(START))
    file_some(store, 1)
    store.db.conn.close()
    bad = tmp_path / "backups" / "kiosk-20261126T000000Z.db"
    bad.write_bytes(b"not sqlite" * 500)
    with pytest.raises(bk.BackupError, match="损坏"):
        bk.restore(bad, tmp_path / "kiosk.db")
    assert len(ids_in(tmp_path / "kiosk.db")) == 3   # untouched
    done = bk.restore(good.path, tmp_path / "kiosk.db", FakeClock(START + timedelta(days=1)))
    assert done.aside.name == "kiosk.db.damaged-20261126T013000Z"
    assert ids_in(tmp_path / "kiosk.db") == set(first) and len(ids_in(done.aside)) == 3


def test_after_a_key_rotation_old_backups_are_refused_and_a_fresh_one_is_due_and_restores(tmp_path, clock):
    store = open_store(tmp_path, clock)
    file_some(store, 2)
    old = bk.backup(tmp_path / "kiosk.db", tmp_path / "backups", FakeClock(START))
    keys = KeyStore(tmp_path / "keys")
    ring_before = bk.ring_key_ids(tmp_path)
    assert bk.backup_status(old, ring_before).ok
    rotate_keys(store.db, keys, tmp_path / "media", store.audit)
    ring = bk.ring_key_ids(tmp_path)
    status = bk.backup_status(old, ring)
    assert not status.ok and "密钥" in status.reason
    with pytest.raises(bk.BackupError, match="密钥"):
        bk.request_restore(tmp_path, old.name)
    # the schedule sees no usable backup, takes one at once, and the old one goes once the new one is good
    scheduler = bk.BackupScheduler(tmp_path, interval_h=24, keep=7, clock=FakeClock(START + timedelta(minutes=5)))
    fresh = scheduler.run_once()
    assert fresh is not None and not old.path.exists()
    assert scheduler.run_once() is None   # not due again yet
    store.db.conn.close()
    bk.request_restore(tmp_path, fresh.name)
    recovery = bk.recover_at_start(tmp_path, FakeClock(START + timedelta(hours=1)))
    assert recovery.notice["kind"] == "db_restore_requested"
    db = open_db(tmp_path / "kiosk.db")
    try:
        assert RESIDENT.name in opened_rows_text(db)   # it opens with the rotated ring
    finally:
        db.conn.close()


def test_schedule_due():
    schedule = bk.BackupSchedule(24)
    assert schedule.due(START, None)
    assert not schedule.due(START, START - timedelta(hours=23))
    assert schedule.due(START, START - timedelta(hours=24))
    assert not bk.BackupSchedule(0).due(START, None)


# --- corruption at start ---------------------------------------------------------------------------------------

def test_corrupt_database_at_start_is_restored_salvaged_noticed_and_audited(tmp_path, clock):
    from kiosk.app import open_local_db

    store = open_store(tmp_path, clock)
    before = file_some(store, 5)
    bk.backup(tmp_path / "kiosk.db", tmp_path / "backups", FakeClock(START))
    after = file_some(store, 60)
    store.db.conn.close()                       # checkpoints the WAL into the file
    outbox_before = ids_in(tmp_path / "kiosk.db", "outbox", "record_id")
    hit = garble_pages(tmp_path / "kiosk.db", "outbox", which=slice(-3, -2))   # one page of recent records
    assert hit

    db = open_local_db(tmp_path)   # what build_core does
    try:
        apps = {row[0] for row in db.execute("SELECT id FROM applications")}
        assert set(before) | set(after) == apps     # applications were not hit: every one is back
        outbox = {row[0] for row in db.execute("SELECT record_id FROM outbox WHERE record_id NOT IN"
                                               " (SELECT id FROM audit WHERE action='db_restored')")}
        lost = outbox_before - outbox
        assert outbox <= outbox_before and 0 < len(lost) < 40
        assert RESIDENT.name in opened_rows_text(db)   # salvaged sealed rows open with the ring
        assert verify_chain(db).ok
        last = db.execute("SELECT actor, action FROM audit ORDER BY seq DESC LIMIT 1").fetchone()
        assert last == (SYSTEM, "db_restored")
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        db.conn.close()
    notice, = bk.Notices(tmp_path).pending()
    assert notice["kind"] == "db_restored" and notice["salvaged"] > 60
    assert notice["unreadable"] >= len(lost)   # counted, at most the rows of the garbled page
    text = bk.notice_text(notice)
    assert "已自动从备份恢复" in text and notice["backup"] in text
    assert (tmp_path / notice["aside"]).exists()   # the damaged file is kept
    assert bk.Notices(tmp_path).acknowledge(notice["id"]) and bk.Notices(tmp_path).pending() == []


def test_truncated_database_is_restored_with_what_can_be_read(tmp_path, clock):
    from kiosk.app import open_local_db

    store = open_store(tmp_path, clock)
    before = file_some(store, 3)
    bk.backup(tmp_path / "kiosk.db", tmp_path / "backups", FakeClock(START))
    file_some(store, 40)
    store.db.conn.close()
    path = tmp_path / "kiosk.db"
    with open(path, "r+b") as file:
        file.truncate(path.stat().st_size * 2 // 3)
    db = open_local_db(tmp_path)
    try:
        assert set(before) <= {row[0] for row in db.execute("SELECT id FROM applications")}
        assert verify_chain(db).ok
    finally:
        db.conn.close()
    notice, = bk.Notices(tmp_path).pending()
    assert notice["unreadable"] is None or notice["unreadable"] > 0 or notice["salvaged"] > 0


def test_not_a_database_without_any_backup_refuses_to_start(tmp_path):
    from kiosk.app import StartupRefused, open_local_db

    (tmp_path / "kiosk.db").write_bytes(os.urandom(8192))
    with pytest.raises(StartupRefused) as refused:
        open_local_db(tmp_path)
    assert refused.value.code == "db_corrupt_no_backup"
    assert (tmp_path / "kiosk.db").exists()   # nothing replaced it with an empty database


def test_not_a_database_with_a_backup_restores_and_says_nothing_could_be_read(tmp_path, clock):
    from kiosk.app import open_local_db

    store = open_store(tmp_path, clock)
    kept = file_some(store, 2)
    bk.backup(tmp_path / "kiosk.db", tmp_path / "backups", FakeClock(START))
    store.db.conn.close()
    (tmp_path / "kiosk.db").write_bytes(os.urandom(16384))
    db = open_local_db(tmp_path)
    try:
        assert {row[0] for row in db.execute("SELECT id FROM applications")} == set(kept)
    finally:
        db.conn.close()
    notice, = bk.Notices(tmp_path).pending()
    assert notice["salvaged"] == 0 and notice["unreadable"] is None
    assert "无法统计" in bk.notice_text(notice)


def test_healthy_database_is_left_alone(tmp_path, clock):
    store = open_store(tmp_path, clock)
    file_some(store, 1)
    store.db.conn.close()
    assert bk.recover_at_start(tmp_path) is None
    assert bk.Notices(tmp_path).all() == []


def test_scheduler_thread_backs_up_at_start_and_waits_while_a_resident_is_saving(tmp_path, clock):
    store = open_store(tmp_path, clock)
    file_some(store, 1)
    busy = bk.BackupScheduler(tmp_path, interval_h=24, keep=7, quiet=lambda: False)
    assert busy.run_once() is None and bk.list_backups(tmp_path / "backups") == []
    scheduler = bk.BackupScheduler(tmp_path, interval_h=24, keep=7, check_every_s=3600)
    scheduler.start()
    try:
        for _ in range(200):
            if bk.list_backups(tmp_path / "backups"):
                break
            scheduler._stop.wait(0.05)
        assert len(bk.list_backups(tmp_path / "backups")) == 1
    finally:
        scheduler.stop()
    assert not scheduler._thread.is_alive()
    store.db.conn.close()


def test_a_requested_restore_that_cannot_be_done_keeps_the_database_and_says_so(tmp_path, clock):
    store = open_store(tmp_path, clock)
    ids = file_some(store, 2)
    info = bk.backup(tmp_path / "kiosk.db", tmp_path / "backups", FakeClock(START))
    store.db.conn.close()
    bk.request_restore(tmp_path, info.name)
    info.path.write_bytes(b"damaged since" * 100)   # the backup went bad before the restart
    assert bk.recover_at_start(tmp_path) is None
    assert ids_in(tmp_path / "kiosk.db") == set(ids) and not (tmp_path / bk.RESTORE_REQUEST).exists()
    notice, = bk.Notices(tmp_path).pending()
    assert "未能完成" in bk.notice_text(notice)
