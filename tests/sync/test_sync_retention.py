"""The sync worker purges personal data after rounds that reached the hub and on schedule while offline, audits
each purge, and survives a purge that fails."""
import json
import logging
from datetime import timedelta

import pytest

from kiosk.ids import utc_now
from local_db.db import open_db
from sync.hub.testing import Reply, echo_results, loopback_session
from sync.settings import SyncSettings
from sync.worker import SyncWorker
from tests.clocks import FakeClock
from local_db.audit import verify_chain
from local_db.sealing import APPLICANT

pytestmark = pytest.mark.timeout(60)


@pytest.fixture
def clock():
    return FakeClock(utc_now())


@pytest.fixture
def worker_db(kiosk_db_path):
    db = open_db(kiosk_db_path, migrate=False)
    yield db
    db.conn.close()


@pytest.fixture
def worker(kiosk_db_path, bus, fake_hub, clock):
    return SyncWorker(kiosk_db_path, bus, settings=SyncSettings(hub_url=fake_hub.url, station_id="zs-test-001"),
                      session_factory=loopback_session, clock=clock)


def printed(app_store, submit):
    app = submit(1)[0]
    app_store.mark_printed(app.receipt_no)
    return app


def applicant(db, app) -> dict:
    raw = db.execute("SELECT applicant FROM applications WHERE id=?", (app.id,)).fetchone()[0]
    return json.loads(db.sealer.open(raw, APPLICANT.context(app.id)))


def purge_trail(db) -> list[tuple]:
    return db.execute("SELECT actor, action, target, outcome FROM audit WHERE action='personal_data_purged'"
                      " ORDER BY seq").fetchall()


def test_purge_follows_rounds_that_reached_the_hub(worker, worker_db, fake_hub, app_store, submit, session, clock,
                                                   dummy):
    app = printed(app_store, submit)
    fake_hub.reply = echo_results()
    assert worker.run_round(worker_db, session).online
    assert applicant(worker_db, app)["id_number"] == dummy.id_number   # delivered, still inside the window
    clock.now += timedelta(hours=25)
    assert worker.run_round(worker_db, session).online
    assert applicant(worker_db, app) == {"purged": True}
    assert purge_trail(worker_db) == [("system", "personal_data_purged", app.id, "ok")]


def test_purge_runs_on_schedule_while_the_hub_is_unreachable(worker, worker_db, fake_hub, app_store, submit,
                                                              session, clock, dummy):
    app = printed(app_store, submit)
    fake_hub.reply = echo_results()
    assert worker.run_round(worker_db, session).online           # acknowledged, then the island goes offline
    fake_hub.reply = lambda m, p, b: Reply(503, b"")
    clock.now += timedelta(hours=23)
    assert not worker.run_round(worker_db, session).online
    assert applicant(worker_db, app)["id_number"] == dummy.id_number   # inside the window
    clock.now += timedelta(hours=2)
    assert not worker.run_round(worker_db, session).online
    assert applicant(worker_db, app) == {"purged": True}                # due, though no round reached the hub
    assert [row[2] for row in purge_trail(worker_db)] == [app.id]
    assert verify_chain(worker_db).ok
    assert app_store.progress(app.receipt_no).delivered


def test_a_failing_purge_is_logged_and_the_round_still_reports(worker, worker_db, fake_hub, app_store, submit,
                                                               session, clock, caplog, dummy):
    app = printed(app_store, submit)
    worker_db.execute("CREATE TRIGGER boom BEFORE UPDATE OF purged_at ON applications"
                      " BEGIN SELECT RAISE(ABORT, 'boom'); END")
    fake_hub.reply = echo_results()
    worker.run_round(worker_db, session)
    clock.now += timedelta(hours=25)
    with caplog.at_level(logging.INFO):
        status = worker.run_round(worker_db, session)
    assert (status.online, status.pending, status.last_error) == (True, 0, None)
    assert "personal data purge failed: IntegrityError" in caplog.text
    assert dummy.name not in caplog.text and dummy.id_number not in caplog.text
    assert applicant(worker_db, app)["name"] == dummy.name   # rolled back whole, tried again next round
    worker_db.execute("DROP TRIGGER boom")
    worker.run_round(worker_db, session)
    assert applicant(worker_db, app) == {"purged": True}
