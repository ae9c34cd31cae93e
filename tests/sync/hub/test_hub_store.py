"""The storage interface itself: choosing a backend, reopening, old SQLite files, the audit log."""
import logging
import sqlite3

import pytest

from sync.hub.store import DbSpec, HubRecord, open_store, parse_db_spec

from hub_helpers import STATION, push, record

pytestmark = pytest.mark.timeout(60)


@pytest.mark.parametrize("spec,expected", [
    ("var/hub.db", DbSpec("sqlite", "var/hub.db")),
    ("sqlite:/srv/hub/hub.db", DbSpec("sqlite", "/srv/hub/hub.db")),
    ("postgresql://zdb@db.example/zdb", DbSpec("postgresql", "postgresql://zdb@db.example/zdb")),
    ("postgres://zdb@db/zdb", DbSpec("postgresql", "postgres://zdb@db/zdb")),
])
def test_db_spec(spec, expected):
    assert parse_db_spec(spec) == expected


def test_everything_survives_reopening(db_spec, clock):
    store = open_store(db_spec, clock)
    code = store.issue_enrollment_code(STATION, 600).code
    terminal = store.enroll(STATION, code, "k" * 43)
    store.ingest(STATION, [HubRecord("r1", "rating", {"level": 5}, ("a" * 64,))])
    store.set_status("r1", "done")
    store.close()
    reopened = open_store(db_spec, clock)
    try:
        assert reopened.get("r1").payload == {"level": 5} and reopened.get("r1").attachments == ("a" * 64,)
        assert [r.status.value for r in reopened.ingest(STATION, [HubRecord("r1", "rating", {})])] == ["duplicate"]
        assert reopened.terminal(terminal.id).station_id == STATION
        assert [u.status for u in reopened.status_history("r1")] == ["done"]
    finally:
        reopened.close()


def test_a_hub_db_from_before_protocol_1_1_is_upgraded_in_place(tmp_path):
    path = tmp_path / "hub.db"
    old = sqlite3.connect(path)
    old.executescript("""
        CREATE TABLE records (seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, kind TEXT NOT NULL,
            station_id TEXT NOT NULL, payload TEXT NOT NULL, received_at TEXT NOT NULL);
        INSERT INTO records (id, kind, station_id, payload, received_at)
            VALUES ('old-1', 'application', 'zs-1', '{"id": "old-1"}', '2026-01-01T00:00:00+00:00');
    """)
    old.commit()
    old.close()
    store = open_store(path)
    try:
        kept = store.get("old-1")
        assert (kept.status, kept.received_at) == ("received", "2026-01-01T00:00:00+00:00")
        store.set_status("old-1", "accepted")
        assert store.get("old-1").status == "accepted"
    finally:
        store.close()


def test_the_postgres_schema_name_is_checked():
    from sync.hub.pg_store import PostgresStore
    with pytest.raises(ValueError):
        PostgresStore("postgresql://nowhere/x", schema="x; DROP TABLE records")


def test_the_audit_log_never_holds_personal_data(session, hub, terminal, caplog):
    applicant = {"name": "测试人", "id_number": "330902199001011234"}
    with caplog.at_level(logging.INFO, logger="zdb.hub.audit"):
        push(session, hub.url, terminal, STATION, [record("r1", applicant=applicant, phone="13800000000")])
    text = caplog.text
    assert "records_received" in text and "accepted=1" in text
    assert applicant["name"] not in text and applicant["id_number"] not in text and "13800000000" not in text


def test_an_unreachable_postgres_is_store_busy():
    from sync.hub.store import StoreBusy
    with pytest.raises(StoreBusy):
        open_store("postgresql://zdb:zdb@127.0.0.1:1/nothing?connect_timeout=2")


def test_a_sqlite_file_locked_by_another_process_is_store_busy(tmp_path, monkeypatch):
    from sync.hub import sqlite_store
    from sync.hub.store import StoreBusy
    monkeypatch.setattr(sqlite_store, "BUSY_TIMEOUT_S", 0.2)
    store = open_store(tmp_path / "hub.db")
    other = sqlite3.connect(tmp_path / "hub.db", isolation_level=None)
    other.execute("BEGIN IMMEDIATE")   # an admin command mid-write, for longer than the busy timeout
    try:
        with pytest.raises(StoreBusy):
            store.ingest(STATION, [HubRecord("r1", "rating", {})])
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert store.ingest(STATION, [HubRecord("r1", "rating", {})])[0].status.value == "accepted"
    store.close()
