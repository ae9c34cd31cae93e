"""The maintenance sync report on a real kiosk database: queue by kind, oldest wait, quarantine with reasons and
no payload, recent errors from a real worker's failed rounds, and 立即同步 waking it (audited)."""
import json
import socket
import threading
from datetime import datetime, timedelta, timezone

import pytest

from kiosk.events import EventBus
from kiosk.sync_report import RecentErrors, build_report, force_sync, read_only
from local_db import audit
from local_db.audit import AuditLog
from local_db.db import open_db
from local_db.sync_state import LAST_SUCCESS
from sync.quarantine import Quarantine
from sync.worker import SyncStatus, SyncWorker
from tests.clocks import FakeClock

T0 = datetime(2026, 11, 25, 1, 30, tzinfo=timezone.utc)


@pytest.fixture
def db(tmp_path):
    db = open_db(tmp_path / "kiosk.db")
    yield db
    db.conn.close()


def queue(db, clock) -> list[str]:
    """Three waiting audit records an hour apart and one booking-like record of another kind."""
    log = AuditLog(db, "st-1", clock=clock)
    ids = []
    for _ in range(3):
        ids.append(log.record(audit.SYSTEM, audit.PERSONAL_DATA_PURGED, "01937c5e-1a2b-7000-8000-123456789012").id)
        clock.advance(hours=1)
    db.execute("INSERT INTO outbox (record_id, kind, payload, created_at) VALUES (?,?,?,?)",
               ("01937c5e-1a2b-7000-8000-000000000001", "need", json.dumps({"phone": "13812345678"}),
                clock().isoformat()))
    return ids


def test_the_report_counts_the_queue_by_kind_and_ages_the_oldest(db):
    clock = FakeClock(T0)
    queue(db, clock)
    db.execute("INSERT INTO meta (key, value) VALUES (?, ?)", (LAST_SUCCESS, T0.isoformat()))
    report = build_report(db, None, None, running=False, clock=lambda: T0 + timedelta(hours=5))
    assert report.pending_by_kind == {"audit": 3, "need": 1} and report.pending_total == 4
    assert report.oldest_pending_at == T0 and report.oldest_pending_age_s == 5 * 3600
    assert report.last_success_at == T0 and report.online is None and not report.running


def test_quarantine_shows_kind_and_reason_never_the_payload(db):
    clock = FakeClock(T0)
    ids = queue(db, clock)
    moved = Quarantine(db, clock).move({ids[0]: "rejected by hub: phone 13812345678 invalid",
                                        "01937c5e-1a2b-7000-8000-000000000001": "too large"})
    assert moved == 2
    report = build_report(db, None, None, running=False, clock=clock)
    assert report.quarantine_total == 2 and report.pending_by_kind == {"audit": 2}
    rows = {row.kind: row for row in report.quarantine}
    assert rows["need"].reason == "too large" and rows["need"].attempts == 1
    assert "13812345678" not in rows["audit"].reason and "redacted" in rows["audit"].reason
    assert "13812345678" not in repr(report)


def test_recent_errors_fold_repeats_and_keep_the_newest_first():
    clock = FakeClock(T0)
    errors = RecentErrors(size=2, clock=clock)
    status = dict(pending=0, oldest_pending_at=None, last_success_at=None)
    for error in ("hub unreachable", "hub unreachable", None, "HTTP 503", "bad reply"):
        errors.on_status(SyncStatus(online=error is None, last_error=error, **status))
        clock.advance(minutes=1)
    newest = errors.newest_first()
    assert [e.text for e in newest] == ["bad reply", "HTTP 503"]        # the ring dropped the oldest
    errors = RecentErrors(clock=clock)
    for _ in range(3):
        errors.on_status(SyncStatus(online=False, last_error="hub unreachable", **status))
    assert [(e.text, e.count) for e in errors.newest_first()] == [("hub unreachable", 3)]


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_force_sync_wakes_a_real_worker_whose_failure_reaches_the_report(tmp_path, db):
    bus = EventBus()
    errors = RecentErrors()
    bus.subscribe(SyncStatus, errors.on_status)
    rounds = []
    arrived = threading.Event()
    bus.subscribe(SyncStatus, lambda s: (rounds.append(s), arrived.set()))
    worker = SyncWorker(tmp_path / "kiosk.db", bus, hub_url=f"http://127.0.0.1:{closed_port()}", station_id="st-1",
                        interval_s=3600, timeout_s=2)
    worker.start()
    try:
        assert arrived.wait(20)
        arrived.clear()
        core = type("Core", (), {"sync": worker, "audit": AuditLog(db, "st-1"), "data_dir": tmp_path})()
        before = force_sync(core, "technician:T001")
        assert before is rounds[0]
        assert arrived.wait(20)                     # the forced round, not the hour-long timer
        assert worker.status is not before
        with read_only(tmp_path / "kiosk.db") as ro:
            report = build_report(ro, worker.status, errors, running=True)
        assert report.online is False and report.last_error and report.recent_errors[0].count >= 2
        assert report.pending_by_kind == {"audit": 1}          # the sync_forced line itself waits to be sent
        actors = db.execute("SELECT actor, action FROM audit").fetchall()
        assert actors == [("technician:T001", "sync_forced")]
    finally:
        worker.stop()


def test_force_sync_without_a_worker_says_so(db):
    core = type("Core", (), {"sync": None, "audit": AuditLog(db, "st-1")})()
    with pytest.raises(LookupError):
        force_sync(core, "technician:T001")
    assert db.execute("SELECT COUNT(*) FROM audit").fetchone() == (0,)
