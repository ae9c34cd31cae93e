"""The worker thread under protocol 1.1: full rounds, status fields, refusal, probes, network changes."""
import json
import threading
import time
from types import SimpleNamespace

import pytest

from conftest import STATION, settings_for
from contract_hub import Reply
from kiosk.catalog import SEED_PATH
from kiosk.config import Config
from sync.attachments import AttachmentStore
from sync.engine import MEDIA_DIR
from sync.events import BundleApplied, RecordStatusChanged
from sync.guardrails import MB, Level
from sync.hub.testing import loopback_session
from sync.terminal_identity import IdentityStore, enroll
from sync.worker import Backoff, SyncStatus, SyncWorker

pytestmark = pytest.mark.timeout(60)

PLENTY = SimpleNamespace(free=100_000 * MB)
SLOW = Backoff(base_s=60, cap_s=60, rng=lambda: 1.0)   # a retry only a wake or a probe can bring forward


@pytest.fixture
def workers(kiosk_db_path, bus):
    started = []

    def make(hub_url, **kw) -> SyncWorker:
        settings = settings_for(hub_url, sync_interval_s=60.0, **kw.pop("settings", {}))
        worker = SyncWorker(kiosk_db_path, bus, settings=settings, session_factory=loopback_session,
                            disk_usage=lambda path: PLENTY, **kw)
        worker.start()
        started.append(worker)
        return worker
    yield make
    for worker in started:
        assert worker.stop(5.0)


class Heard:
    def __init__(self, bus, *types):
        self.events, self.threads = [], set()
        for kind in types:
            bus.subscribe(kind, self._on)

    def _on(self, event):
        self.events.append(event)
        self.threads.add(threading.current_thread().name)


def test_a_full_round_pushes_uploads_pulls_and_reports(workers, chub, terminal, submit, status_log, bus,
                                                       db, data_dir):
    app = submit(1)[0]
    media = AttachmentStore(db, data_dir / MEDIA_DIR)
    sha = media.add(b"scan of a household register page")
    chub.streams["status"] = [{"record_id": app.id, "status": "accepted", "at": "2026-11-25T10:00:00+08:00"}]
    chub.streams["catalog"] = [chub.bundle("catalog", 2, json.loads(SEED_PATH.read_text(encoding="utf-8")))]
    heard = Heard(bus, RecordStatusChanged, BundleApplied)
    workers(chub.url)
    status = status_log.wait_for(lambda s: True)
    assert (status.online, status.pending, status.last_error, status.enrolled) == (True, 0, None, True)
    assert (status.quarantined, status.attachments_pending, status.bundles_refused) == (0, 0, 0)
    assert status.last_pull_at is not None and status.guardrail.level is Level.OK
    assert app.id in chub.records and sha in chub.complete
    assert [type(e) for e in heard.events] == [BundleApplied, RecordStatusChanged]
    assert heard.threads == {"sync-worker"}


def test_status_reports_the_clock_offset_and_quarantine(workers, chub, terminal, submit, status_log):
    apps = submit(2)
    chub.hub_time = lambda: time.time() + 2 * 86400
    chub.reject = lambda record: "bad" if record["id"] == apps[0].id else None
    workers(chub.url)
    status = status_log.wait_for(lambda s: True)
    assert status.online and status.pending == 0 and status.quarantined == 1 and status.rejected == 1
    assert abs(status.clock_offset_s - 2 * 86400) < 5


def test_a_revoked_terminal_reports_it_and_sends_nothing_more(workers, chub, terminal, submit, status_log):
    submit(1)
    chub.revoke(terminal.terminal_id)
    worker = workers(chub.url)
    first = status_log.wait_for(lambda s: True)
    assert (first.enrolled, first.auth_refusal, first.last_error, first.online) == (
        False, "revoked", "terminal revoked", False)
    assert first.next_attempt_in_s == 60.0   # the interval: no backoff storm either
    posts = len(chub.posts())
    for _ in range(3):
        mark = status_log.mark()
        worker.wake()
        again = status_log.wait_for(lambda s: True, since=mark)
        assert (again.enrolled, again.auth_refusal, again.pending) == (False, "revoked", 1)
    assert len(chub.posts()) == posts


def test_unenrolled_against_a_1_1_hub_stops_until_enrolled(workers, chub, submit, status_log, data_dir, session):
    submit(1)
    worker = workers(chub.url)
    refused = status_log.wait_for(lambda s: True)
    assert (refused.enrolled, refused.auth_refusal, refused.last_error) == (
        False, "unknown_terminal", "terminal not enrolled")
    enroll(IdentityStore(data_dir), chub.url, STATION, chub.issue_code(STATION), session=session)
    mark = status_log.mark()
    worker.wake()
    done = status_log.wait_for(lambda s: True, since=mark)
    assert (done.enrolled, done.online, done.pending, done.auth_refusal) == (True, True, 0, "")


def test_retry_after_sets_the_next_attempt(kiosk_db_path, bus, chub, terminal, submit, db):
    submit(1)
    chub.fault = lambda seen: Reply(503, b"", {"Retry-After": "42"}) if seen.method == "POST" else None
    worker = SyncWorker(kiosk_db_path, bus, settings=settings_for(chub.url), session_factory=loopback_session,
                        backoff=Backoff(base_s=1, cap_s=5, rng=lambda: 1.0), disk_usage=lambda path: PLENTY)
    with loopback_session() as session:
        status = worker.run_round(db, session)
        assert (status.online, status.last_error, status.next_attempt_in_s) == (False, "hub returned HTTP 503", 42)
        chub.fault = lambda seen: Reply(500, b"") if seen.method == "POST" else None
        assert worker.run_round(db, session).next_attempt_in_s == 2   # plain backoff again: 2nd failure
        chub.fault = lambda seen: None
        assert worker.run_round(db, session).next_attempt_in_s == worker.interval_s


def test_a_probe_finding_the_hub_again_runs_a_round_without_a_wake(workers, chub, terminal, submit, status_log):
    submit(1)
    chub.fault = lambda seen: Reply(200, b"", delay_s=3)   # the link hangs: timeouts, "unreachable"
    workers(chub.url, backoff=SLOW, settings=dict(sync_timeout_s=0.3, sync_probe_interval_s=0.1))
    down = status_log.wait_for(lambda s: True)
    assert (down.online, down.last_error, down.next_attempt_in_s) == (False, "hub timed out", 60)
    mark = status_log.mark()
    chub.fault = lambda seen: None
    up = status_log.wait_for(lambda s: True, since=mark, timeout=10)   # long before the 60 s backoff
    assert (up.online, up.pending) == (True, 0)


def test_a_network_change_forgets_the_backoff(workers, chub, terminal, submit, status_log):
    submit(1)
    chub.fault = lambda seen: Reply(503, b"")
    worker = workers(chub.url, backoff=SLOW)
    assert status_log.wait_for(lambda s: True).next_attempt_in_s == 60
    chub.fault = lambda seen: None
    mark = status_log.mark()
    worker.notify_network_changed()
    up = status_log.wait_for(lambda s: True, since=mark, timeout=5)
    assert (up.online, up.pending, up.next_attempt_in_s) == (True, 0, 60)


def test_stop_is_prompt_while_probing(workers, chub, terminal, status_log):
    chub.fault = lambda seen: Reply(200, b"", delay_s=30)
    worker = workers(chub.url, backoff=SLOW, settings=dict(sync_timeout_s=0.3, sync_probe_interval_s=0.1))
    status_log.wait_for(lambda s: True)
    began = time.monotonic()
    assert worker.stop(5.0) and time.monotonic() - began < 2.0


def test_a_guardrail_breach_is_in_the_status(workers, chub, terminal, submit, status_log):
    submit(1)
    chub.fault = lambda seen: Reply(503, b"")
    workers(chub.url, backoff=SLOW, settings=dict(disk_min_free_mb=1_000_000))
    status = status_log.wait_for(lambda s: True)
    assert status.guardrail.level is Level.REFUSE_NON_URGENT
    assert [r.code.value for r in status.guardrail.reasons] == ["never_synced", "disk"]


def test_the_1_0_status_fields_still_construct():
    status = SyncStatus(True, 0, None, None, None)
    assert (status.enrolled, status.quarantined, status.guardrail.level, status.clock_offset_s) == (
        False, 0, Level.OK, 0.0)


def test_from_config_reads_new_settings_with_defaults(kiosk_db_path, bus):
    worker = SyncWorker.from_config(kiosk_db_path, Config({"hub_url": "http://hub.example"}), bus,
                                    sync_max_batch_bytes=1234, interval_s=5.0)
    assert worker.settings.sync_max_batch_bytes == 1234 and worker.interval_s == 5.0
    assert worker.settings.sync_overdue_refuse_h == 72.0 and worker.hub_url == "http://hub.example"
    assert worker.data_dir == kiosk_db_path.parent   # by default the data dir is the database's
