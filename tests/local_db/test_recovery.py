"""Restores at start-up on real kiosk files: a corrupt, truncated or vanished database, or a staged restore."""
import os

import pytest

from local_db import backup as bk
from local_db import recovery
from local_db.audit import SYSTEM, verify_chain
from local_db.notices import Notices, notice_text
from tests.clocks import FakeClock, TickingClock
from tests.local_db.db_damage import RESIDENT, START, file_some, garble_pages, ids_in, open_store
from tests.local_db.sealed_helpers import opened_rows_text


@pytest.fixture
def clock():
    return TickingClock(START)


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
    notice, = Notices(tmp_path).pending()
    assert notice["kind"] == "db_restored" and notice["salvaged"] > 60
    assert notice["unreadable"] >= len(lost)   # counted, at most the rows of the garbled page
    text = notice_text(notice)
    assert "已自动从备份恢复" in text and notice["backup"] in text
    assert (tmp_path / notice["aside"]).exists()   # the damaged file is kept
    assert Notices(tmp_path).acknowledge(notice["id"]) and Notices(tmp_path).pending() == []


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
    notice, = Notices(tmp_path).pending()
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
    notice, = Notices(tmp_path).pending()
    assert notice["salvaged"] == 0 and notice["unreadable"] is None
    assert "无法统计" in notice_text(notice)


def test_healthy_database_is_left_alone(tmp_path, clock):
    store = open_store(tmp_path, clock)
    file_some(store, 1)
    store.db.conn.close()
    assert recovery.recover_at_start(tmp_path) is None
    assert Notices(tmp_path).all() == []


def test_a_requested_restore_that_cannot_be_done_keeps_the_database_and_says_so(tmp_path, clock):
    store = open_store(tmp_path, clock)
    ids = file_some(store, 2)
    info = bk.backup(tmp_path / "kiosk.db", tmp_path / "backups", FakeClock(START))
    store.db.conn.close()
    recovery.request_restore(tmp_path, info.name)
    info.path.write_bytes(b"damaged since" * 100)   # the backup went bad before the restart
    assert recovery.recover_at_start(tmp_path) is None
    assert ids_in(tmp_path / "kiosk.db") == set(ids) and not (tmp_path / recovery.RESTORE_REQUEST).exists()
    notice, = Notices(tmp_path).pending()
    assert "未能完成" in notice_text(notice)
