"""Receipt numbers are never issued twice: in normal running, and after a damaged database is restored from an
older backup (receipts printed after the backup may be in residents' hands)."""
import os
import sqlite3
import threading
from datetime import timedelta

import pytest

from local_db import backup as bk
from local_db import recovery
from local_db.db import open_db
from local_db.notices import Notices, notice_text
from local_db.receipt_numbers import UNKNOWN_MARGIN, floor, issued_by_day
from local_db.store import ApplicationStore
from tests.clocks import FakeClock, TickingClock
from tests.local_db.db_damage import RESIDENT, START, file_some, garble_pages, open_store

DAY = "20261125"


@pytest.fixture
def clock():
    return TickingClock(START)


def receipts(db_path) -> set[str]:
    conn = sqlite3.connect(db_path)
    try:
        return {row[0] for row in conn.execute("SELECT receipt_no FROM applications")}
    finally:
        conn.close()


def seq(receipt_no: str) -> int:
    return int(receipt_no.rsplit("-", 1)[1])


def issue_then_back_up_then_issue(tmp_path, clock, before: int, after: int) -> set[str]:
    """`before` receipts, a backup, `after` more receipts: every number handed out that day."""
    store = open_store(tmp_path, clock)
    file_some(store, before)
    bk.backup(tmp_path / "kiosk.db", tmp_path / "backups", FakeClock(START))
    file_some(store, after)
    store.db.conn.close()   # checkpoints the WAL into the file
    return receipts(tmp_path / "kiosk.db")


def restart(tmp_path, clock) -> ApplicationStore:
    """What a kiosk start does: recover, then open the store."""
    recovery.recover_at_start(tmp_path, FakeClock(clock.now + timedelta(minutes=10)))
    return open_store(tmp_path, clock)


def next_receipt(store: ApplicationStore) -> str:
    return store.submit("zs-hj-001", "户籍证明开具", RESIDENT, {"n": "next"}).receipt_no


# --- after a restore ---------------------------------------------------------------------------------------------

def test_receipts_lost_with_the_newest_page_are_not_issued_again(tmp_path, clock):
    issued = issue_then_back_up_then_issue(tmp_path, clock, before=3, after=60)
    assert garble_pages(tmp_path / "kiosk.db", "applications", which=slice(-1, None))   # the newest receipts
    store = restart(tmp_path, clock)
    try:
        kept = receipts(tmp_path / "kiosk.db")
        lost = issued - kept
        assert lost and max(seq(r) for r in lost) == 63   # the newest numbers are gone from the database
        new = next_receipt(store)
        # the table's last page is where its extent is read: how many rows went is unknown, so the margin, on
        # top of the highest number, still read from the receipt_no index (a b-tree apart from the rows)
        assert new not in issued and seq(new) == 63 + UNKNOWN_MARGIN + 1
        assert seq(next_receipt(store)) == seq(new) + 1   # and on from there
    finally:
        store.db.conn.close()
    notice, = Notices(tmp_path).pending()
    assert notice["receipt_floor"] == seq(new) - 1 and f"{seq(new):04d} 起" in notice_text(notice)


def test_a_gap_in_the_middle_neither_reuses_nor_collides(tmp_path, clock):
    issued = issue_then_back_up_then_issue(tmp_path, clock, before=3, after=60)
    garble_pages(tmp_path / "kiosk.db", "applications", which=slice(-4, -3))   # older receipts; the newest read
    store = restart(tmp_path, clock)
    try:
        assert max(seq(r) for r in receipts(tmp_path / "kiosk.db")) == 63   # salvaged around the hole
        lost = issued - receipts(tmp_path / "kiosk.db")
        new = next_receipt(store)   # counting the rows would give a number that is already there
    finally:
        store.db.conn.close()
    notice, = Notices(tmp_path).pending()
    assert lost and notice["unreadable"] == len(lost)   # counted exactly: only application pages were hit
    assert new not in issued and seq(new) == 63 + len(lost) + 1   # the highest read, plus the rows not read


@pytest.mark.parametrize("damage", ["garbage", "vanished"])
def test_an_unreadable_or_vanished_database_jumps_by_the_margin(tmp_path, clock, damage):
    issued = issue_then_back_up_then_issue(tmp_path, clock, before=3, after=20)
    if damage == "garbage":
        (tmp_path / "kiosk.db").write_bytes(os.urandom(32768))
    else:
        (tmp_path / "kiosk.db").unlink()
    store = restart(tmp_path, clock)
    try:
        assert receipts(tmp_path / "kiosk.db") < issued   # only the backup's three came back
        assert floor(store.db.conn, DAY) == 3 + UNKNOWN_MARGIN
        new = next_receipt(store)
        assert new not in issued and seq(new) == 3 + UNKNOWN_MARGIN + 1
    finally:
        store.db.conn.close()


def test_a_technicians_restore_of_a_sound_database_continues_without_a_jump(tmp_path, clock):
    issue_then_back_up_then_issue(tmp_path, clock, before=3, after=5)
    name = bk.list_backups(tmp_path / "backups")[0].name
    recovery.request_restore(tmp_path, name)
    store = restart(tmp_path, clock)
    try:
        assert seq(next_receipt(store)) == 9   # every row was salvaged: nothing to jump over
    finally:
        store.db.conn.close()


def test_floors_survive_a_second_restore_from_a_backup_that_lacks_them(tmp_path, clock):
    issue_then_back_up_then_issue(tmp_path, clock, before=3, after=5)
    (tmp_path / "kiosk.db").write_bytes(os.urandom(16384))
    store = restart(tmp_path, clock)        # floor 3 + margin, in the restored file's meta
    store.db.conn.close()
    clock.advance(minutes=1)
    assert garble_pages(tmp_path / "kiosk.db", "outbox", which=slice(-1, None))   # damaged again elsewhere
    store = restart(tmp_path, clock)        # the same old backup again; the floor is read from the damaged file
    try:
        assert seq(next_receipt(store)) == 3 + UNKNOWN_MARGIN + 1   # not 4: that may be in a resident's hand
    finally:
        store.db.conn.close()


def test_issued_by_day_reads_numbers_and_floors_and_gives_up_on_garbage(tmp_path, clock):
    issue_then_back_up_then_issue(tmp_path, clock, before=2, after=0)
    assert issued_by_day(tmp_path / "kiosk.db") == {DAY: 2}
    (tmp_path / "junk.db").write_bytes(b"not a database" * 1000)
    assert issued_by_day(tmp_path / "junk.db") is None


# --- normal running --------------------------------------------------------------------------------------------

def test_a_salvaged_gap_does_not_make_the_next_filing_fail(tmp_path, clock):
    store = open_store(tmp_path, clock)
    try:
        file_some(store, 3)
        conn = store.db.conn   # as a salvage leaves it: 0004 unreadable, 0005 copied across
        conn.execute("INSERT INTO applications (id, receipt_no, item_id, item_name, applicant, answers, station_id,"
                     " created_at) VALUES ('salvaged', 'DH001-20261125-0005', 'x', 'X', '', '{}', 'st-1', ?)",
                     (START.isoformat(),))
        assert [seq(next_receipt(store)) for _ in range(2)] == [6, 7]
    finally:
        store.db.conn.close()


def test_receipt_numbers_stay_unique_with_two_writers_at_once(tmp_path, clock):
    stores = [open_store(tmp_path, clock) for _ in range(2)]   # two connections to one file
    made: list[str] = []
    lock = threading.Lock()

    def file_ten(store):
        for _ in range(10):
            number = next_receipt(store)
            with lock:
                made.append(number)

    threads = [threading.Thread(target=file_ten, args=(s,)) for s in stores]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    try:
        assert sorted(seq(r) for r in made) == list(range(1, 21))
        with pytest.raises(sqlite3.IntegrityError):   # the schema still refuses a second holder of a number
            stores[0].db.conn.execute(
                "INSERT INTO applications (id, receipt_no, item_id, item_name, applicant, answers, station_id,"
                " created_at) VALUES ('dup', ?, 'x', 'X', '', '{}', 'st-1', '')", (made[0],))
    finally:
        for store in stores:
            store.db.conn.close()


def test_another_days_numbers_and_floors_do_not_count(tmp_path):
    clock = FakeClock(START)
    store = ApplicationStore(open_db(tmp_path / "kiosk.db"), "st-1", "DH001", clock=clock)
    try:
        store.db.conn.execute("INSERT INTO meta (key, value) VALUES ('receipt.floor.20261124', '900')")
        assert next_receipt(store) == "DH001-20261125-0001"
        clock.advance(days=1)
        assert next_receipt(store) == "DH001-20261126-0001"
    finally:
        store.db.conn.close()
