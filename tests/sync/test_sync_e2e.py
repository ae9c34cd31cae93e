"""End to end: the hub as a real process (`python -m sync.hub`), the kiosk's real database and worker."""
import re

import pytest

from sync.client import SyncClient
from sync.hub.testing import loopback_session, run_hub_subprocess, stop_process
from sync.protocol import RECORDS_PATH, PushRequest, WireRecord
from sync.worker import Backoff, SyncWorker

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(90)]

STATION = "zs-test-001"


@pytest.fixture
def hub_process(tmp_path):
    with run_hub_subprocess(tmp_path / "hub" / "hub.db") as (proc, url):
        yield proc, url


def hub_records(session, url, **params) -> list[dict]:
    response = session.get(url + RECORDS_PATH, params=params, timeout=5)
    assert response.status_code == 200
    return response.json()["records"]


def test_hub_prints_its_port_and_serves(hub_process, session, tmp_path):
    proc, url = hub_process
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+", url) and proc.poll() is None
    assert session.get(url + "/api/v1/health", timeout=5).json()["ok"] is True
    assert "舟到办" in session.get(url + "/", timeout=5).text
    assert (tmp_path / "hub" / "hub.db").exists()   # parent directory created


def test_push_from_the_kiosk_database(hub_process, outbox, submit, session):
    _, url = hub_process
    apps = submit(3)
    result = SyncClient(outbox, url, STATION, session=session).push()
    assert len(result.accepted) == 3 and outbox.pending_count() == 0
    listed = hub_records(session, url, station_id=STATION)
    assert [r["receipt_no"] for r in listed] == [a.receipt_no for a in reversed(apps)]


def test_same_batch_twice_is_stored_once(hub_process, outbox, submit, session):
    """The hub committed but the reply never reached the kiosk: the kiosk sends the same batch again."""
    _, url = hub_process
    submit(2)
    batch = PushRequest(STATION, tuple(WireRecord(i.record_id, i.kind, i.payload) for i in outbox.pending()))
    first = session.post(url + RECORDS_PATH, data=batch.encode(), timeout=5).json()["results"]
    assert {r["status"] for r in first} == {"accepted"}
    assert outbox.pending_count() == 2   # never settled: the reply was "lost"
    result = SyncClient(outbox, url, STATION, session=session).push()
    assert result.accepted == () and len(result.duplicate) == 2
    assert outbox.pending_count() == 0
    assert sorted(r["id"] for r in hub_records(session, url)) == sorted(r.id for r in batch.records)


def test_worker_survives_a_hub_restart(tmp_path, kiosk_db_path, bus, status_log, submit, session):
    db_path = tmp_path / "hub.db"
    with run_hub_subprocess(db_path) as (proc, url):
        port = int(url.rsplit(":", 1)[1])
        worker = SyncWorker(kiosk_db_path, bus, hub_url=url, station_id=STATION, interval_s=60.0, timeout_s=2.0,
                            session_factory=loopback_session, backoff=Backoff(base_s=0.1, cap_s=0.5))
        worker.start()
        try:
            assert status_log.wait_for(lambda s: True).online
            mark = status_log.mark()
            first = submit(1)[0]
            worker.wake()
            assert status_log.wait_for(lambda s: True, since=mark).pending == 0
            stop_process(proc)

            mark = status_log.mark()
            second = submit(1)[0]
            worker.wake()
            down = status_log.wait_for(lambda s: True, since=mark)
            assert (down.online, down.pending) == (False, 1) and down.last_error == "hub unreachable"

            with run_hub_subprocess(db_path, port=port):
                mark = status_log.mark()
                worker.wake()
                up = status_log.wait_for(lambda s: s.online, since=mark)
                assert up.pending == 0
                assert sorted(r["id"] for r in hub_records(session, url)) == sorted([first.id, second.id])
        finally:
            assert worker.stop(5.0)
