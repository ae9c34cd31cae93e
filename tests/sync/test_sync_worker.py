"""The background worker: rounds, draining, backoff, status events, and that nothing stops the thread."""
import socket
import time

import pytest

from kiosk.config import Config
from sync.hub.testing import Reply, echo_results, loopback_session, run_hub_thread
from sync.worker import Backoff, SyncStatus, SyncWorker

pytestmark = pytest.mark.timeout(60)

STATION = "zs-test-001"
FAST = Backoff(base_s=0.05, cap_s=0.2, rng=lambda: 1.0)   # deterministic: 0.05, 0.1, 0.2, 0.2, ...


@pytest.fixture
def make_worker(kiosk_db_path, bus):
    started: list[SyncWorker] = []

    def make(url: str, db_path=None, **overrides) -> SyncWorker:
        settings = dict(hub_url=url, station_id=STATION, interval_s=60.0, timeout_s=2.0,
                        session_factory=loopback_session, backoff=FAST) | overrides
        worker = SyncWorker(db_path or kiosk_db_path, bus, **settings)
        worker.start()
        started.append(worker)
        return worker

    yield make
    for worker in started:
        assert worker.stop(5.0), "sync worker did not stop"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_backoff_doubles_jitters_and_caps():
    top = Backoff(base_s=2, cap_s=300, rng=lambda: 1.0)
    assert [top.delay(n) for n in range(1, 10)] == [2, 4, 8, 16, 32, 64, 128, 256, 300]
    assert Backoff(base_s=2, cap_s=300, rng=lambda: 0.25).delay(3) == 2   # full jitter: anywhere up to the step
    assert Backoff(base_s=2, cap_s=300, rng=lambda: 0.0).delay(3) == 0.5   # ... above a small floor
    assert top.delay(1000) == 300
    assert top.delay(1, at_least=30) == 30 and top.delay(1, at_least=900) == 900   # Retry-After honoured
    assert top.delay(1, at_least=10 ** 6) == 3600   # but not a hub's absurd ask


def test_submission_reaches_the_hub_after_wake(make_worker, hub, submit, status_log):
    worker = make_worker(hub.url)
    first = status_log.wait_for(lambda s: True)
    assert (first.online, first.pending, first.last_error, first.next_attempt_in_s) == (True, 0, None, 60.0)
    mark = status_log.mark()
    app = submit(1)[0]
    worker.wake()
    done = status_log.wait_for(lambda s: True, since=mark)
    assert (done.online, done.pending, done.oldest_pending_at, done.last_error) == (True, 0, None, None)
    assert done.last_success_at is not None and worker.status == done
    assert hub.store.get(app.id).payload["receipt_no"] == app.receipt_no
    assert status_log.threads == {"sync-worker"}   # never the caller's (UI) thread


def test_drains_the_outbox_in_batches_within_one_round(make_worker, fake_hub, submit, status_log):
    submit(5)
    fake_hub.reply = echo_results()
    make_worker(fake_hub.url, batch_size=2)
    status = status_log.wait_for(lambda s: True)
    assert status.pending == 0 and status.online
    assert [m for m, _, _ in fake_hub.requests if m == "POST"] == ["POST", "POST", "POST"]


def test_hub_down_then_up(make_worker, tmp_path, submit, status_log):
    port = free_port()
    submit(2)
    worker = make_worker(f"http://127.0.0.1:{port}", backoff=Backoff(base_s=30, cap_s=60, rng=lambda: 0.5))
    down = status_log.wait_for(lambda s: True)
    assert (down.online, down.pending, down.last_error) == (False, 2, "hub unreachable")
    assert down.oldest_pending_at is not None and down.last_success_at is None
    assert down.next_attempt_in_s == 15.0   # backed off, not hammering
    with run_hub_thread(tmp_path / "hub.db", port=port) as (_, store):
        mark = status_log.mark()
        worker.wake()   # e.g. the next submission; the backoff wait does not delay it
        up = status_log.wait_for(lambda s: True, since=mark)
        assert (up.online, up.pending, up.last_error, up.next_attempt_in_s) == (True, 0, None, 60.0)
        assert store.count() == 2


def test_garbage_keeps_the_worker_alive_and_settles_nothing(make_worker, fake_hub, submit, status_log):
    submit(2)
    fake_hub.reply = lambda m, p, b: Reply(body=b"<html>captive portal</html>")
    worker = make_worker(fake_hub.url)
    failing = status_log.wait_count(4)   # retried on the backoff schedule, not the 60 s interval
    assert {(s.online, s.pending, s.last_error) for s in failing} == {(False, 2, "reply is not JSON")}
    assert worker.running
    mark = status_log.mark()
    fake_hub.reply = echo_results()
    worker.wake()
    assert status_log.wait_for(lambda s: s.online, since=mark).pending == 0


@pytest.mark.parametrize("status", [500, 502, 503, 429])
def test_server_errors_back_off_exponentially(make_worker, fake_hub, submit, status_log, status):
    submit(1)
    fake_hub.reply = lambda m, p, b: Reply(status, b"busy")
    make_worker(fake_hub.url)
    failing = status_log.wait_count(5)
    assert [s.next_attempt_in_s for s in failing] == [0.05, 0.1, 0.2, 0.2, 0.2]
    assert {(s.online, s.pending, s.last_error) for s in failing} == {(False, 1, f"hub returned HTTP {status}")}


def test_retry_after_is_honoured(make_worker, fake_hub, submit, status_log):
    submit(1)
    fake_hub.reply = lambda m, p, b: Reply(429, b"", {"Retry-After": "3"})
    make_worker(fake_hub.url, backoff=Backoff(base_s=0.05, cap_s=120, rng=lambda: 1.0))
    assert status_log.wait_for(lambda s: True).next_attempt_in_s == 3.0


def test_success_resets_the_backoff(make_worker, fake_hub, submit, status_log):
    submit(1)
    fake_hub.reply = lambda m, p, b: Reply(503, b"")
    worker = make_worker(fake_hub.url)
    status_log.wait_count(3)
    fake_hub.reply = echo_results()
    mark = status_log.mark()
    worker.wake()
    ok = status_log.wait_for(lambda s: s.online, since=mark)
    assert ok.next_attempt_in_s == 60.0 and ok.pending == 0


def test_rejections_are_reported_without_spinning(make_worker, fake_hub, submit, status_log):
    submit(3)
    fake_hub.reply = echo_results("rejected")
    make_worker(fake_hub.url, batch_size=3)
    status = status_log.wait_for(lambda s: True)
    assert (status.online, status.pending, status.rejected, status.quarantined) == (True, 0, 3, 3)
    time.sleep(0.2)
    assert [m for m, _, _ in fake_hub.requests if m == "POST"] == ["POST"]   # quarantined, not re-sent


def test_unreadable_local_database_is_a_status_not_a_crash(make_worker, tmp_path, hub, status_log):
    bare = tmp_path / "not-migrated.db"
    worker = make_worker(hub.url, db_path=bare)
    statuses = status_log.wait_count(2)
    assert {(s.online, s.pending, s.last_error) for s in statuses} == {
        (False, -1, "internal error (OperationalError)")}
    assert worker.running


def test_stop_is_prompt_while_idle_and_while_retrying(make_worker, hub, fake_hub, status_log):
    idle = make_worker(hub.url)
    status_log.wait_for(lambda s: True)
    began = time.monotonic()
    assert idle.stop(5.0) and time.monotonic() - began < 1.0
    fake_hub.reply = lambda m, p, b: Reply(body=b"{}", delay_s=30)   # the hub hangs
    stuck = make_worker(fake_hub.url, timeout_s=0.3)
    began = time.monotonic()
    time.sleep(0.1)
    assert stuck.stop(5.0) and time.monotonic() - began < 2.0
    assert not stuck.running


def test_stop_and_wake_before_start_are_harmless(kiosk_db_path, bus):
    worker = SyncWorker(kiosk_db_path, bus, hub_url="http://127.0.0.1:9", station_id=STATION)
    worker.wake()
    assert worker.stop() and not worker.running


def test_from_config_takes_the_sync_settings(kiosk_db_path, bus):
    config = Config({"hub_url": "http://hub.example:8765", "sync_interval_s": 30.0, "sync_timeout_s": 4.0,
                     "sync_batch_size": 50, "station_id": "zs-pt-007"})
    worker = SyncWorker.from_config(kiosk_db_path, config, bus, interval_s=5.0)
    assert (worker.hub_url, worker.station_id, worker.interval_s, worker.timeout_s, worker.batch_size) == (
        "http://hub.example:8765", "zs-pt-007", 5.0, 4.0, 50)


def test_status_is_immutable():
    status = SyncStatus(True, 0, None, None, None)
    with pytest.raises(AttributeError):
        status.pending = 3
