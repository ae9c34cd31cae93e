"""The audit trail as a hash chain: append-only, one line across connections, and tampering found."""
import hashlib
import json
import sqlite3
import threading
from datetime import datetime, timezone

import pytest

from kiosk.ids import uuid7
from local_db import audit
from local_db.audit import AuditLog, verify_chain
from local_db.audit_chain import GENESIS, Problem, link_hash
from local_db.db import open_db
from local_db.migrations import MIGRATIONS
from local_db.store import Outbox
from local_db.sync_state import transaction

T0 = datetime(2026, 11, 25, 1, 30, tzinfo=timezone.utc)
RECORD = "01937c5e-1a2b-7000-8000-123456789012"


@pytest.fixture
def log(tmp_path):
    db = open_db(tmp_path / "k.db")
    yield AuditLog(db, "st-1", clock=lambda: T0)
    db.conn.close()


def fill(log: AuditLog, n: int = 5) -> None:
    for i in range(n):
        log.record(audit.agent_actor(f"ag-{i}"), audit.LOGIN)


def as_attacker(db) -> None:
    """Someone with the file: the triggers are just rows in sqlite_master."""
    db.execute("DROP TRIGGER audit_no_update")
    db.execute("DROP TRIGGER audit_no_delete")


def test_a_clean_chain_verifies_and_links_from_genesis(log):
    fill(log)
    rows = log.db.execute("SELECT seq, prev_hash, hash FROM audit ORDER BY seq").fetchall()
    assert [r[0] for r in rows] == [1, 2, 3, 4, 5]
    assert rows[0][1] == GENESIS and all(rows[i][1] == rows[i - 1][2] for i in range(1, 5))
    report = verify_chain(log.db)
    assert report.ok and report.checked == 5 and report.head_seq == 5 and report.head_hash == rows[-1][2]
    assert verify_chain(open_db(log.db.conn.execute("PRAGMA database_list").fetchone()[2])).ok   # another reader


def test_an_empty_trail_verifies(log):
    assert verify_chain(log.db).ok and verify_chain(log.db).checked == 0


def test_the_hash_covers_every_field_in_one_canonical_encoding(log):
    log.record(audit.SYSTEM, audit.PERSONAL_DATA_PURGED, RECORD)
    row = log.db.execute("SELECT seq, prev_hash, id, at, actor, action, target, outcome, station_id, hash"
                         " FROM audit").fetchone()
    assert row[-1] == link_hash(*row[:-1])
    encoded = json.dumps(list(row[:-1]), ensure_ascii=False, separators=(",", ":")).encode()
    assert row[-1] == hashlib.sha256(encoded).hexdigest()


def test_the_outbox_payload_carries_the_chain(log):
    fill(log, 2)
    rows = log.db.execute("SELECT id, seq, prev_hash, hash FROM audit ORDER BY seq").fetchall()
    payloads = {item.record_id: item.payload for item in Outbox(log.db).pending()}   # as the sync worker reads them
    for record_id, seq, prev_hash, digest in rows:
        body = payloads[record_id]
        assert (body["seq"], body["prev_hash"], body["hash"], body["station_id"]) == (seq, prev_hash, digest, "st-1")


def test_the_table_is_append_only(log):
    fill(log, 2)
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        log.db.execute("UPDATE audit SET outcome='manual' WHERE seq=1")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        log.db.execute("DELETE FROM audit WHERE seq=2")
    with pytest.raises(sqlite3.IntegrityError, match="chained"):
        log.db.execute("INSERT INTO audit (id, at, actor, action, outcome) VALUES ('x', 't', 'system', 'login', 'ok')")
    assert verify_chain(log.db).ok


def test_an_edited_row_is_found_at_its_seq(log):
    fill(log)
    as_attacker(log.db)
    log.db.execute("UPDATE audit SET actor='agent:someone-else' WHERE seq=3")
    report = verify_chain(log.db)
    assert not report.ok and report.first_bad_seq == 3 and report.problem is Problem.EDITED
    assert report.checked == 2 and report.head_seq == 2


def test_a_deleted_row_is_found(log):
    fill(log)
    as_attacker(log.db)
    log.db.execute("DELETE FROM audit WHERE seq=2")
    report = verify_chain(log.db)
    assert (report.ok, report.first_bad_seq, report.problem) == (False, 2, Problem.MISSING)


def test_a_deleted_last_row_is_found_by_the_outbox_row_it_leaves(log):
    fill(log)
    as_attacker(log.db)
    log.db.execute("DELETE FROM audit WHERE seq=5")
    report = verify_chain(log.db)
    assert (report.ok, report.first_bad_seq, report.problem) == (False, 5, Problem.MISSING)


def test_a_row_renumbered_and_rehashed_into_a_gap_is_reordered(log):
    fill(log)
    as_attacker(log.db)
    log.db.execute("DROP INDEX audit_seq")
    log.db.execute("DELETE FROM audit WHERE seq=2")
    seq, prev, rid, at, actor, action, target, outcome, station = log.db.execute(
        "SELECT seq, prev_hash, id, at, actor, action, target, outcome, station_id FROM audit WHERE seq=3").fetchone()
    forged = link_hash(2, prev, rid, at, actor, action, target, outcome, station)
    log.db.execute("UPDATE audit SET seq=2, hash=? WHERE id=?", (forged, rid))
    log.db.execute("DELETE FROM outbox")   # and covers the tracks the outbox would show
    report = verify_chain(log.db)
    assert (report.ok, report.first_bad_seq, report.problem) == (False, 2, Problem.REORDERED)


def test_a_rolled_back_write_leaves_the_tail_where_it_was(log):
    fill(log, 2)
    with pytest.raises(RuntimeError):
        with log.lock, transaction(log.db):
            log.write(log.entry(audit.SYSTEM, audit.PERSONAL_DATA_PURGED, RECORD))
            raise RuntimeError("the caller's own work failed")
    log.record(audit.SYSTEM, audit.PERSONAL_DATA_PURGED, RECORD)
    assert [r[0] for r in log.db.execute("SELECT seq FROM audit ORDER BY seq")] == [1, 2, 3]
    assert verify_chain(log.db).ok


def test_two_connections_appending_from_two_threads_never_fork_the_chain(tmp_path):
    """The kiosk's store connection and the sync worker's own, both writing at once."""
    path = tmp_path / "k.db"
    open_db(path).conn.close()
    per_thread, errors = 40, []
    start = threading.Barrier(2)

    def writer(name: str) -> None:
        db = open_db(path)
        try:
            trail = AuditLog(db, "st-1")
            start.wait()
            for _ in range(per_thread):
                trail.record(audit.SYSTEM, audit.KEY_ROTATED, name)
        except Exception as exc:   # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            db.conn.close()

    threads = [threading.Thread(target=writer, args=(name,)) for name in ("kiosk", "sync")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    db = open_db(path)
    assert [r[0] for r in db.execute("SELECT seq FROM audit ORDER BY seq")] == list(range(1, 2 * per_thread + 1))
    assert {r[0] for r in db.execute("SELECT target FROM audit")} == {"kiosk", "sync"}
    report = verify_chain(db)
    assert report.ok and report.checked == 2 * per_thread


def test_a_write_from_another_connection_joins_its_transaction(tmp_path):
    """How retention (sync worker's connection) audits a purge together with the purge itself."""
    kiosk_db, worker_db = open_db(tmp_path / "k.db"), open_db(tmp_path / "k.db")
    AuditLog(kiosk_db, "st-1").record(audit.agent_actor("ag-1"), audit.LOGIN)
    worker_trail = AuditLog(worker_db, "st-1")
    with transaction(worker_db):
        worker_db.execute("INSERT INTO meta (key, value) VALUES ('purged', '1')")
        link = worker_trail.write(worker_trail.entry(audit.SYSTEM, audit.PERSONAL_DATA_PURGED, RECORD))
    assert link.seq == 2 and verify_chain(kiosk_db).ok


def test_migration_7_chains_the_rows_written_before_it(tmp_path):
    path = tmp_path / "k.db"
    conn = sqlite3.connect(path, isolation_level=None)
    for version, statements in enumerate(MIGRATIONS[:6], start=1):
        for statement in statements:
            conn.execute(statement)
        conn.execute(f"PRAGMA user_version={version}")
    ids = [uuid7(T0) for _ in range(3)]
    for i, record_id in enumerate(ids):
        conn.execute("INSERT INTO audit (id, at, actor, action, target, outcome) VALUES (?,?,?,?,?,?)",
                     (record_id, T0.isoformat(), "agent:ag-7", "login", "", "ok"))
        payload = {"id": record_id, "kind": "audit", "station_id": "st-9", "created_at": T0.isoformat(),
                   "actor": "agent:ag-7", "action": "login", "target": "", "outcome": "ok"}
        conn.execute("INSERT INTO outbox (record_id, kind, payload, created_at, delivered_at) VALUES (?,?,?,?,?)",
                     (record_id, "audit", json.dumps(payload), T0.isoformat(), T0.isoformat() if i == 0 else None))
    conn.close()
    db = open_db(path)
    rows = db.execute("SELECT id, seq, station_id, hash FROM audit ORDER BY seq").fetchall()
    assert [(r[0], r[1], r[2]) for r in rows] == [(ids[0], 1, "st-9"), (ids[1], 2, "st-9"), (ids[2], 3, "st-9")]
    pending = [item.payload for item in Outbox(db).pending()]
    assert [(p["seq"], p["hash"]) for p in pending] == [(2, rows[1][3]), (3, rows[2][3])]
    AuditLog(db, "st-9").record(audit.agent_actor("ag-7"), audit.LOGOUT, outcome="idle")
    report = verify_chain(db)
    assert report.ok and report.checked == 4


def test_the_technicians_command_prints_the_report(log, capsys):
    fill(log, 3)
    path = log.db.conn.execute("PRAGMA database_list").fetchone()[2]
    assert audit.main(["verify", path]) == 0
    assert json.loads(capsys.readouterr().out) | {"head_hash": ""} == {
        "ok": True, "checked": 3, "first_bad_seq": None, "problem": None, "detail": "", "head_seq": 3,
        "head_hash": "", "gaps": [], "unchained": 0}
    as_attacker(log.db)
    log.db.execute("UPDATE audit SET outcome='idle' WHERE seq=2")
    assert audit.main(["verify", path]) == 1
    out = json.loads(capsys.readouterr().out)
    assert (out["ok"], out["first_bad_seq"], out["problem"]) == (False, 2, "edited")
    assert audit.main(["verify", path + ".nope"]) == 2
