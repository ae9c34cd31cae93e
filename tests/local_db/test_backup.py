"""Backups on real kiosk files: taking, pruning, restoring, key rotation and the schedule."""
import sqlite3
from datetime import timedelta

import pytest

from local_db import backup as bk
from local_db import recovery
from local_db.backup_schedule import BackupSchedule, BackupScheduler
from local_db.db import open_db
from local_db.integrity import check
from local_db.keys import KeyStore
from local_db.sealing import rotate_keys
from tests.clocks import FakeClock, TickingClock
from tests.local_db.db_damage import RESIDENT, START, file_some, garble_pages, ids_in, open_store
from tests.local_db.sealed_helpers import opened_rows_text, stored_rows_text
from tests.tmpfs_helpers import small_tmpfs


@pytest.fixture
def clock():
    return TickingClock(START)


# --- backups ---------------------------------------------------------------------------------------------------

def test_backup_is_a_checked_self_contained_copy_holding_only_sealed_values(tmp_path, clock):
    store = open_store(tmp_path, clock)
    file_some(store, 3)
    info = bk.backup(tmp_path / "kiosk.db", tmp_path / "backups", FakeClock(START))
    assert info.name == "kiosk-20261125T013000Z.db" and info.size > 0
    assert [b.name for b in bk.list_backups(tmp_path / "backups")] == [info.name]
    assert not list((tmp_path / "backups").glob(".*"))   # no temp file left
    assert check(info.path).healthy
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
        recovery.request_restore(tmp_path, old.name)
    # the schedule sees no usable backup, takes one at once, and the old one goes once the new one is good
    scheduler = BackupScheduler(tmp_path, interval_h=24, keep=7, clock=FakeClock(START + timedelta(minutes=5)))
    fresh = scheduler.run_once()
    assert fresh is not None and not old.path.exists()
    assert scheduler.run_once() is None   # not due again yet
    store.db.conn.close()
    recovery.request_restore(tmp_path, fresh.name)
    recovered = recovery.recover_at_start(tmp_path, FakeClock(START + timedelta(hours=1)))
    assert recovered.notice["kind"] == "db_restore_requested"
    db = open_db(tmp_path / "kiosk.db")
    try:
        assert RESIDENT.name in opened_rows_text(db)   # it opens with the rotated ring
    finally:
        db.conn.close()


def test_schedule_due():
    schedule = BackupSchedule(24)
    assert schedule.due(START, None)
    assert not schedule.due(START, START - timedelta(hours=23))
    assert schedule.due(START, START - timedelta(hours=24))
    assert not BackupSchedule(0).due(START, None)


def test_scheduler_thread_backs_up_at_start_and_waits_while_a_resident_is_saving(tmp_path, clock):
    store = open_store(tmp_path, clock)
    file_some(store, 1)
    busy = BackupScheduler(tmp_path, interval_h=24, keep=7, quiet=lambda: False)
    assert busy.run_once() is None and bk.list_backups(tmp_path / "backups") == []
    scheduler = BackupScheduler(tmp_path, interval_h=24, keep=7, check_every_s=3600)
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
