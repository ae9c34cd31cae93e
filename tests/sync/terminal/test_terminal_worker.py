"""The worker thread under protocol 1.1: full rounds, status fields, refusal, probes, network changes."""
import threading
import time
from datetime import datetime, timedelta, timezone
from types import SimpleNamespace

import pytest

from kiosk.catalog import SEED_PATH
from kiosk.config import Config
from sync.attachments import AttachmentStore
from sync.auth import KeyPair
from sync.engine import MEDIA_DIR
from sync.events import BundleApplied, RecordStatusChanged
from sync.guardrails import MB, Level
from sync.hub.keys import publish_bundle
from sync.hub.testing import loopback_session, run_hub_thread
from sync.terminal_identity import IdentityStore, enroll
from sync.worker import Backoff, SyncStatus, SyncWorker
from terminal_helpers import STATION, free_port, settings_for
from zdb_contract_hub import Reply
from tests.local_db.sealed_helpers import edit_payload

pytestmark = pytest.mark.timeout(60)

PLENTY = SimpleNamespace(free=100_000 * MB)
SLOW = Backoff(base_s=60, cap_s=60, rng=lambda: 1.0)   # a retry only a wake, a probe or a network change brings


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


def poison(db, record_id: str) -> None:
    edit_payload(db, record_id, lambda body: body["answers"].update(purpose="bad\x00byte"))


# --- against the reference hub -------------------------------------------------------------------------------

def test_rounds_push_upload_pull_and_report(workers, real_hub, terminal, submit, status_log, bus, db, data_dir):
    app = submit(1)[0]
    sha = AttachmentStore(db, data_dir / MEDIA_DIR).add(b"scan of a household register page")
    heard = Heard(bus, RecordStatusChanged, BundleApplied)
    worker = workers(real_hub.url)
    first = status_log.wait_for(lambda s: True)
    assert (first.online, first.pending, first.last_error, first.enrolled, first.auth_refusal) == (
        True, 0, None, True, "")
    assert (first.quarantined, first.attachments_pending, first.bundles_refused) == (0, 0, 0)
    assert first.last_pull_at is not None and first.last_success_at is not None
    assert first.guardrail.level is Level.OK
    assert real_hub.store.get(app.id) is not None and real_hub.store.attachment_state(sha).complete
    real_hub.store.set_status(app.id, "accepted")
    publish_bundle(real_hub.store, real_hub.keys, "catalog", SEED_PATH.read_text(encoding="utf-8"))
    mark = status_log.mark()
    worker.wake()
    status_log.wait_for(lambda s: True, since=mark)
    assert [type(e) for e in heard.events] == [BundleApplied, RecordStatusChanged]
    assert heard.threads == {"sync-worker"}   # never the caller's (UI) thread
    assert db.execute("SELECT status FROM applications WHERE id=?", (app.id,)).fetchone()[0] == "accepted"
    assert (data_dir / "catalog.json").exists()


def test_status_reports_the_clock_offset_and_the_quarantine(workers, start_hub, data_dir, session, submit,
                                                           status_log, db):
    ahead = start_hub("ahead", clock=lambda: datetime.now(timezone.utc) + timedelta(days=2))
    enroll(IdentityStore(data_dir), ahead.url, STATION, ahead.code(), session=session)
    apps = submit(2)
    poison(db, apps[0].id)
    workers(ahead.url)
    status = status_log.wait_for(lambda s: True)
    assert (status.online, status.pending, status.quarantined, status.rejected) == (True, 0, 1, 1)
    assert abs(status.clock_offset_s - 2 * 86400) < 5


def test_a_revoked_terminal_reports_it_and_sends_nothing_more(workers, real_hub, terminal, submit, status_log):
    submit(1)
    real_hub.store.revoke_terminal(terminal.terminal_id)
    worker = workers(real_hub.url)
    first = status_log.wait_for(lambda s: True)
    assert (first.enrolled, first.auth_refusal, first.last_error, first.online) == (
        False, "revoked", "terminal revoked", False)
    assert first.next_attempt_in_s == 60.0   # the interval: no backoff storm either
    for _ in range(3):
        mark = status_log.mark()
        worker.wake()
        again = status_log.wait_for(lambda s: True, since=mark)
        assert (again.enrolled, again.auth_refusal, again.pending) == (False, "revoked", 1)
    assert real_hub.store.count() == 0


def test_unenrolled_against_a_signing_hub_stops_until_enrolled(workers, real_hub, submit, status_log, data_dir,
                                                              session):
    app = submit(1)[0]
    worker = workers(real_hub.url)
    refused = status_log.wait_for(lambda s: True)
    assert (refused.enrolled, refused.auth_refusal, refused.last_error) == (
        False, "unknown_terminal", "terminal not enrolled")
    enroll(IdentityStore(data_dir), real_hub.url, STATION, real_hub.code(), session=session)
    mark = status_log.mark()
    worker.wake()
    done = status_log.wait_for(lambda s: True, since=mark)
    assert (done.enrolled, done.online, done.pending, done.auth_refusal) == (True, True, 0, "")
    assert real_hub.store.get(app.id).terminal_id == IdentityStore(data_dir).load().terminal_id


def test_unenrolled_against_an_open_hub_pushes_unsigned(workers, start_hub, submit, status_log):
    """Protocol 1.0 behaviour kept for --open hubs (tests, demos): no identity, no media, no pulls."""
    app = submit(1)[0]
    open_hub = start_hub("open", require_auth=False)
    workers(open_hub.url)
    status = status_log.wait_for(lambda s: True)
    assert (status.online, status.pending, status.enrolled, status.last_pull_at) == (True, 0, False, None)
    assert open_hub.store.get(app.id).terminal_id is None


def test_a_terminal_that_must_be_enrolled_sends_nothing_before(workers, start_hub, submit, status_log):
    submit(1)
    open_hub = start_hub("open", require_auth=False)
    workers(open_hub.url, settings=dict(sync_require_enrollment=True))
    status = status_log.wait_for(lambda s: True)
    assert (status.enrolled, status.online, status.pending, status.last_error) == (
        False, False, 1, "terminal not enrolled")
    assert open_hub.store.count() == 0


@pytest.fixture
def hub_later(tmp_path, data_dir, session):
    """An enrolled terminal whose hub is down now and can be brought up on the same port and database."""
    keys, port, path = KeyPair.generate(), free_port(), tmp_path / "later" / "hub.db"
    with run_hub_thread(path, port=port, require_auth=True, keys=keys) as (url, store):
        enroll(IdentityStore(data_dir), url, STATION, store.issue_enrollment_code(STATION, 600).code,
               session=session)
    return SimpleNamespace(url=f"http://127.0.0.1:{port}",
                           up=lambda: run_hub_thread(path, port=port, require_auth=True, keys=keys))


def test_a_probe_finding_the_hub_again_runs_a_round_without_a_wake(workers, hub_later, submit, status_log):
    app = submit(1)[0]
    workers(hub_later.url, backoff=SLOW, settings=dict(sync_probe_interval_s=0.1))
    down = status_log.wait_for(lambda s: True)
    assert (down.online, down.last_error, down.next_attempt_in_s) == (False, "hub unreachable", 60)
    mark = status_log.mark()
    with hub_later.up() as (_, store):
        up = status_log.wait_for(lambda s: s.online, since=mark, timeout=10)   # long before the 60 s backoff
        assert up.pending == 0 and store.get(app.id) is not None


def test_a_network_change_forgets_the_backoff(workers, hub_later, submit, status_log):
    submit(1)
    worker = workers(hub_later.url, backoff=SLOW, settings=dict(sync_probe_interval_s=600))
    assert status_log.wait_for(lambda s: True).next_attempt_in_s == 60
    with hub_later.up():
        mark = status_log.mark()
        worker.notify_network_changed()
        up = status_log.wait_for(lambda s: True, since=mark, timeout=5)
        assert (up.online, up.pending, up.next_attempt_in_s) == (True, 0, 60)


def test_a_guardrail_breach_is_in_the_status(workers, real_hub, terminal, submit, status_log):
    submit(1)
    workers("http://127.0.0.1:9", backoff=SLOW, settings=dict(disk_min_free_mb=1_000_000))
    status = status_log.wait_for(lambda s: True)
    assert status.guardrail.level is Level.REFUSE_NON_URGENT
    assert [r.code.value for r in status.guardrail.reasons] == ["never_synced", "disk"]


# --- what the reference hub never does on purpose: the contract hub ------------------------------------------

def test_retry_after_sets_the_next_attempt(kiosk_db_path, bus, chub, chub_terminal, submit, db):
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


def test_stop_is_prompt_while_the_link_hangs(workers, chub, chub_terminal, status_log):
    chub.fault = lambda seen: Reply(200, b"", delay_s=30)
    worker = workers(chub.url, backoff=SLOW, settings=dict(sync_timeout_s=0.3, sync_probe_interval_s=0.1))
    assert status_log.wait_for(lambda s: True).last_error == "hub timed out"
    began = time.monotonic()
    assert worker.stop(5.0) and time.monotonic() - began < 2.0


# --- no hub --------------------------------------------------------------------------------------------------

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


def test_a_damaged_identity_is_reported_not_pushed_unsigned(workers, data_dir, submit, status_log, real_hub,
                                                           terminal):
    submit(1)
    (data_dir / "terminal.key").write_text("garbage")
    workers(real_hub.url, backoff=SLOW)
    status = status_log.wait_for(lambda s: True)
    assert (status.online, status.last_error, status.pending) == (False, "terminal identity unreadable", 1)
    assert real_hub.store.count() == 0
