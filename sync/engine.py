"""One sync round on the worker's own connection: push every pending record, then upload media, then pull, then
continue a software update's download (sync/updates.py).

Records never wait for media or for pulls: the push comes first and its settlements stand even if a later
step fails. A terminal the hub refused (revoked, unknown) is remembered in `meta`, so it sends nothing more
until it is enrolled again (a new terminal id), across restarts too.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable, Mapping, Sequence

import requests
import sqlite_utils

from kiosk.ids import Clock, utc_now
from local_db.store import Outbox
from local_db.sync_state import AUTH_REFUSAL, LAST_PULL, LAST_SUCCESS, SyncState
from sync.attachments import AttachmentStore, AttachmentUploader, UploadResult
from sync.bundles import DEFAULT_VALIDATORS, Validator
from sync.client import PushResult, SyncClient
from sync.protocol import SyncError
from sync.pull import PullResult, Puller
from sync.push_pipeline import PushPipeline
from sync.quarantine import Quarantine
from sync.settings import SyncSettings
from sync.terminal_identity import TerminalIdentity
from sync.transport import ClockOffset, HubTransport, TerminalRefused, Timeouts
from sync.updates import UpdateFetcher, UpdateOptions

log = logging.getLogger(__name__)

MEDIA_DIR = "media"


@dataclass(frozen=True)
class RoundOutcome:
    push: PushResult = field(default_factory=lambda: PushResult(sent=0))
    uploads: UploadResult = field(default_factory=UploadResult)
    pull: PullResult = field(default_factory=PullResult)
    error: SyncError | None = None      # the failure that ended the round early
    reached_hub: bool = False           # some correct answer came back this round
    skipped: bool = False               # nothing sent: refused earlier, or not enrolled where that is required


def refusal_for(state: SyncState, identity: TerminalIdentity | None, hub_url: str) -> str:
    """"revoked"/"unknown_terminal" when this hub refused this very terminal; "" otherwise."""
    reason, _, refused = (state.get(AUTH_REFUSAL) or "").partition(" ")
    return reason if refused == _refusal_key(identity, hub_url) else ""


def _refusal_key(identity: TerminalIdentity | None, hub_url: str) -> str:
    """A new enrollment (terminal id) or another hub starts afresh."""
    return f"{identity.terminal_id if identity is not None else '-'} {hub_url.rstrip('/')}"


class SyncEngine:
    def __init__(self, db: sqlite_utils.Database, session: requests.Session, settings: SyncSettings, *,
                 data_dir: Path | str, identity: TerminalIdentity | None, offset: ClockOffset,
                 publish: Callable[[object], None] = lambda event: None, clock: Clock = utc_now,
                 should_stop: Callable[[], bool] = lambda: False, encoding: str | None = None,
                 validators: Mapping[str, Validator] = DEFAULT_VALIDATORS,
                 push_sessions: Sequence[requests.Session] = (), updates: UpdateOptions | None = UpdateOptions()):
        self.db = db
        self.settings = settings
        self.data_dir = Path(data_dir)
        self.identity = identity
        self.publish = publish
        self.clock = clock
        self.should_stop = should_stop
        self.validators = validators
        self.state = SyncState(db, clock)
        self.transport = HubTransport(settings.hub_url, identity, session=session, clock=offset,
                                      timeouts=Timeouts(settings.sync_timeout_s, settings.sync_slow_link_bps),
                                      ca_file=settings.hub_ca_file)
        # the body encoding is learnt from /health once per worker (see sync/encodings.py)
        station_id = identity.station_id if identity is not None else settings.station_id   # as enrolled
        self.client = SyncClient(Outbox(db, clock), settings.hub_url, station_id,
                                 batch_size=settings.sync_batch_size, max_batch_bytes=settings.sync_max_batch_bytes,
                                 transport=self.transport, quarantine=Quarantine(db, clock),
                                 encoding=encoding)
        self.push_transports = self._push_transports(session, push_sessions, offset)
        self.reached = False
        self.updates = None if updates is None else UpdateFetcher(
            db, self.transport, self.data_dir, replace(updates, chunk_bytes=settings.attachment_chunk_bytes),
            station_id=station_id, clock=clock)

    def _push_transports(self, session: requests.Session, extra: Sequence[requests.Session],
                         offset: ClockOffset) -> list[HubTransport]:
        """One per push connection; each expects only its share of the link when scaling its timeouts."""
        sessions = [session, *extra]
        share = Timeouts(self.settings.sync_timeout_s, max(1, self.settings.sync_slow_link_bps // len(sessions)))
        return [HubTransport(self.settings.hub_url, self.identity, session=s, clock=offset, timeouts=share,
                             ca_file=self.settings.hub_ca_file) for s in sessions]

    def run(self) -> RoundOutcome:
        if refusal_for(self.state, self.identity, self.settings.hub_url):
            return RoundOutcome(skipped=True)
        if self.identity is None and self.settings.sync_require_enrollment:
            return RoundOutcome(skipped=True, error=TerminalRefused("not_enrolled"))
        push, uploads, pull = PushResult(sent=0), UploadResult(), PullResult()
        try:
            push, failure = self._drain()
            if failure is not None:
                raise failure
            if self.identity is not None:   # media and streams are 1.1 endpoints, signed
                uploads = self._upload()
                if self._pull_due():
                    pull = self._pull()
                self._fetch_update()
        except TerminalRefused as exc:
            self.state.set(AUTH_REFUSAL, f"{exc.reason} {_refusal_key(self.identity, self.settings.hub_url)}")
            log.warning("hub refused this terminal (%s); pushing stops until it is enrolled", exc.reason)
            return RoundOutcome(push, uploads, pull, exc, self.reached)
        except SyncError as exc:
            return RoundOutcome(push, uploads, pull, exc, self.reached)
        return RoundOutcome(push, uploads, pull, None, self.reached)

    def _drain(self) -> tuple[PushResult, SyncError | None]:
        """Push until the queue is empty; with nothing to push, a health check says online."""
        pipeline = PushPipeline(self.client, self.push_transports, after_each=self.transport.clock.persist)
        total, failure = pipeline.drain(self.should_stop)
        if failure is None and total.sent == 0:
            self.client.health()
        if failure is None or total.delivered:
            self._reached_hub()
        return total, failure

    def _upload(self) -> UploadResult:
        store = AttachmentStore(self.db, self.data_dir / MEDIA_DIR, self.clock)
        if store.pending_count() == 0:
            return UploadResult()
        uploader = AttachmentUploader(store, self.transport, chunk_bytes=self.settings.attachment_chunk_bytes)
        return uploader.upload_pending(self.should_stop)

    def _pull(self) -> PullResult:
        hub_key = self.identity.hub_public_key if self.identity is not None else None
        puller = Puller(self.db, self.transport, data_dir=self.data_dir, hub_public_key=hub_key,
                        publish=self.publish, clock=self.clock, page_size=self.settings.sync_pull_page_size,
                        max_pages=self.settings.sync_pull_max_pages, validators=self.validators,
                        on_refused=self.updates.on_bundle_refused if self.updates else lambda *refused: None)
        return puller.pull_all(self.should_stop)

    def _fetch_update(self) -> None:
        """Records come first: an update's trouble (the link cut mid-download, a refusal) never fails the round;
        the partial download stays for the next one."""
        if self.updates is None or self.should_stop():
            return
        try:
            self.updates.run(self.should_stop)
        except TerminalRefused:
            raise
        except SyncError as exc:
            log.info("update download paused: %s", exc)
        except Exception:
            log.exception("update fetch failed")

    def _pull_due(self) -> bool:
        last = self.state.time(LAST_PULL)
        if last is None:
            return True
        waited = (self.clock() - last).total_seconds()
        return waited < 0 or waited >= self.settings.sync_pull_interval_s   # < 0: the local clock was set back

    def _reached_hub(self) -> None:
        self.reached = True
        self.state.mark_time(LAST_SUCCESS)
