import json
import sqlite3
from datetime import datetime, timedelta, timezone

import pytest

from kiosk.records import Identity
from local_db.db import SCHEMA_VERSION, open_db
from tests.local_db.sealed_helpers import opened_payload
from local_db.store import ApplicationStore, Outbox
from tests.clocks import FakeClock

RESIDENT = Identity(source="idcard", name="王海生", id_number="330902195803150012", address="定海区长岛")


@pytest.fixture
def clock():
    return FakeClock(datetime(2026, 11, 25, 1, 30, tzinfo=timezone.utc))


@pytest.fixture
def store(tmp_path, clock):
    return ApplicationStore(open_db(tmp_path / "k.db"), "st-1", "DH001", clock=clock)


def test_open_sets_durable_pragmas(tmp_path):
    db = open_db(tmp_path / "k.db")
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION


def test_newer_schema_is_refused(tmp_path):
    db = open_db(tmp_path / "k.db")
    db.execute(f"PRAGMA user_version={SCHEMA_VERSION + 1}")
    db.conn.close()
    with pytest.raises(RuntimeError, match="newer"):
        open_db(tmp_path / "k.db")


def test_submit_writes_application_outbox_and_owed_receipt_together(store):
    app = store.submit("shebao.x", "社保参保证明打印", RESIDENT, {"phone": "13800000000"})
    db = store.db
    assert db.execute("SELECT COUNT(*) FROM applications").fetchone()[0] == 1
    outbox = db.execute("SELECT record_id, kind, payload FROM outbox").fetchall()
    assert [(r[0], r[1]) for r in outbox] == [(app.id, "application")]
    assert json.loads(opened_payload(db, app.id))["receipt_no"] == app.receipt_no
    assert app.applicant.id_number not in outbox[0][2]   # sealed at rest (local_db/keys.py)
    assert store.receipts_owed()[0].receipt_no == app.receipt_no
    assert app.id[14] == "7"  # UUIDv7


def test_receipt_numbers_count_per_local_day(store, clock):
    first = store.submit("a", "A", RESIDENT, {})
    second = store.submit("a", "A", RESIDENT, {})
    clock.now += timedelta(hours=20)  # 2026-11-25 21:30 UTC is 11-26 in China
    third = store.submit("a", "A", RESIDENT, {})
    assert first.receipt_no == "DH001-20261125-0001"
    assert second.receipt_no == "DH001-20261125-0002"
    assert third.receipt_no == "DH001-20261126-0001"


def test_failed_insert_leaves_no_partial_rows(store):
    store.db.conn.execute("CREATE TRIGGER boom BEFORE INSERT ON print_journal BEGIN SELECT RAISE(ABORT, 'x'); END")
    with pytest.raises(sqlite3.DatabaseError):
        store.submit("a", "A", RESIDENT, {})
    for table in ("applications", "outbox", "print_journal"):
        assert store.db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0] == 0


def test_full_database_raises_and_keeps_earlier_records(store):
    store.submit("a", "A", RESIDENT, {})
    pages = store.db.execute("PRAGMA page_count").fetchone()[0]
    store.db.execute(f"PRAGMA max_page_count={pages}")
    with pytest.raises(sqlite3.OperationalError, match="full"):
        for _ in range(200):
            store.submit("a", "A" * 2000, RESIDENT, {"note": "x" * 2000})
    assert store.db.execute("SELECT COUNT(*) FROM outbox").fetchone()[0] >= 1


def test_print_journal_tracks_owed_and_printed(store):
    app = store.submit("a", "A", RESIDENT, {})
    store.mark_print_failed(app.receipt_no, "paper_out")
    owed = store.receipts_owed()
    assert owed[0].attempts == 1 and owed[0].last_error == "paper_out"
    store.mark_printed(app.receipt_no)
    assert store.receipts_owed() == []


def test_rating_is_queued_for_sync(store):
    app = store.submit("a", "A", RESIDENT, {})
    store.rate("a", app.id, 5, ("quick",))
    kinds = [r[0] for r in store.db.execute("SELECT kind FROM outbox ORDER BY seq")]
    assert kinds == ["application", "rating"]
    with pytest.raises(ValueError):
        store.rate("a", app.id, 6, ())


def test_outbox_pending_and_delivery(store, clock):
    apps = [store.submit("a", "A", RESIDENT, {}) for _ in range(3)]
    outbox = Outbox(store.db, clock=clock)
    assert [i.record_id for i in outbox.pending()] == [a.id for a in apps]
    outbox.mark_failed([apps[0].id], "offline")
    outbox.mark_delivered([apps[0].id, apps[1].id])
    assert [i.record_id for i in outbox.pending()] == [apps[2].id]
    assert outbox.pending_count() == 1
    assert outbox.oldest_pending_at() == datetime.fromisoformat(apps[2].created_at)


def test_load_application_round_trip(store):
    app = store.submit("a", "A", RESIDENT, {"k": "v"})
    assert store.load_application(app.id) == app
    assert store.load_application("nope") is None


def test_migration_6_keeps_earlier_applications_as_filed_by_the_resident(tmp_path):
    from local_db.migrations import MIGRATIONS

    conn = sqlite3.connect(tmp_path / "k.db", isolation_level=None)
    for version, statements in enumerate(MIGRATIONS[:5], start=1):
        for statement in statements:
            conn.execute(statement)
        conn.execute(f"PRAGMA user_version={version}")
    conn.execute("INSERT INTO applications (id, receipt_no, item_id, item_name, applicant, answers, station_id,"
                 " created_at) VALUES ('a1', 'DH001-20261125-0001', 'x', 'X', ?, '{}', 'st-1', '2026-11-25')",
                 (json.dumps({"source": "idcard", "name": "王海生", "id_number": "330902195803150012"}),))
    conn.close()
    store = ApplicationStore(open_db(tmp_path / "k.db"), "st-1", "DH001")
    app = store.load_application("a1")
    assert app is not None and app.filed_by is None and app.consent is None
    assert store.agent_queue("ag-7") == []


def test_a_failure_text_with_a_lone_surrogate_is_stored_not_raised(store):
    from sync.quarantine import Quarantine

    apps = [store.submit("shebao.x", "社保参保证明打印", RESIDENT, {}) for _ in range(2)]
    outbox = Outbox(store.db)
    outbox.mark_failed([apps[0].id], "hub said \ud800")
    assert Quarantine(store.db).move({apps[1].id: "rejected: \udfff"}) == 1
    stored = store.db.execute("SELECT last_error FROM outbox WHERE record_id=?", (apps[0].id,)).fetchone()[0]
    assert stored.startswith("hub said \ufffd") and "\ud800" not in stored
    assert Quarantine(store.db).list()[0].reason.startswith("rejected: \ufffd")
