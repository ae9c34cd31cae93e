"""Pulling the hub's streams: each page's items and its cursor are stored in ONE local transaction.

A crash between pages resumes from the stored cursor and applies nothing twice. A malformed item or a refused
bundle is logged (reason only), counted and skipped, so one bad item cannot stall a stream forever; a
malformed page is a `ProtocolError` and nothing of it is stored. Events are published after the commit.
"""
from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Mapping, Sequence

import sqlite_utils

from kiosk.ids import Clock, utc_now
from local_db.sealing import CERTIFICATE_TEXT, sealer_of
from local_db.sync_state import LAST_PULL, SyncState, transaction
from sync.bundles import DEFAULT_VALIDATORS, BundleInstaller, BundleRefused, Validator
from sync.events import BundleApplied, RecordStatusChanged
from sync.protocol import (BUNDLE_KINDS, STREAMS, ProtocolError, StatusUpdate, is_utf8_text, parse_bundle,
                           parse_status_update, parse_stream_page, stream_path)
from sync.transport import HubHttpError, HubTransport

log = logging.getLogger(__name__)

CONTENT_STREAMS = frozenset({"guides", "announcements", "agent_credentials", "slots"})
NEWER_STREAMS = frozenset({"slots", "update", "benefits", "qa"})   # 1.3, 1.4, …: an older hub's 404 means "nothing"
ITEM_KEYS = {"agent_credentials": "agent_id"}   # the field naming an item; "id" elsewhere (a later entry replaces)
LAST_REFUSAL = "sync.last_bundle_refusal"


@dataclass(frozen=True)
class PullResult:
    pages: int = 0
    items: int = 0
    malformed: int = 0
    bundles_applied: int = 0
    bundles_refused: int = 0

    def __add__(self, other: "PullResult") -> "PullResult":
        return PullResult(*(a + b for a, b in zip(self._values(), other._values())))

    def _values(self) -> tuple[int, ...]:
        return self.pages, self.items, self.malformed, self.bundles_applied, self.bundles_refused


@dataclass
class _PageOutcome:
    events: list[object]
    malformed: int = 0
    applied: int = 0
    refused: int = 0


class Puller:
    def __init__(self, db: sqlite_utils.Database, transport: HubTransport, *, data_dir: Path | str,
                 hub_public_key: str | None, publish: Callable[[object], None] = lambda event: None,
                 clock: Clock = utc_now, page_size: int = 100, max_pages: int = 20,
                 streams: Sequence[str] = STREAMS, validators: Mapping[str, Validator] = DEFAULT_VALIDATORS,
                 on_refused: Callable[[str, Any, str], None] = lambda stream, item, reason: None):
        self.db = db
        self.on_refused = on_refused   # (stream, raw item, reason), inside the page's transaction
        self.transport = transport
        self.state = SyncState(db, clock)
        self.bundles = BundleInstaller(self.state, data_dir, hub_public_key, validators)
        self.publish = publish
        self.clock = clock
        self.page_size = page_size
        self.max_pages = max_pages
        self.streams = tuple(streams)

    def pull_all(self, should_stop: Callable[[], bool] = lambda: False) -> PullResult:
        total = PullResult()
        for stream in self.streams:
            if should_stop():
                return total
            total += self.pull_stream(stream, should_stop)
        self.state.mark_time(LAST_PULL)
        return total

    def pull_stream(self, stream: str, should_stop: Callable[[], bool] = lambda: False) -> PullResult:
        total = PullResult()
        for _ in range(self.max_pages):
            query: dict[str, object] = {"limit": self.page_size}
            cursor = self.state.cursor(stream)
            if cursor is not None:
                query["cursor"] = cursor
            try:
                reply = self.transport.request("GET", stream_path(stream), query=query)
            except HubHttpError as exc:
                if exc.status == 404 and stream in NEWER_STREAMS:
                    break
                raise
            page = parse_stream_page(reply.content)
            outcome = self._store_page(stream, page.items, page.next_cursor)
            total += PullResult(1, len(page.items), outcome.malformed, outcome.applied, outcome.refused)
            if not page.more or should_stop():
                break
        return total

    def _store_page(self, stream: str, items: Sequence[Any], next_cursor: str) -> _PageOutcome:
        outcome = _PageOutcome([])
        with transaction(self.db):
            for item in items:
                self._apply(stream, item, outcome)
            self.state.set_cursor(stream, next_cursor)
        for event in outcome.events:   # only after the commit: listeners never see what could roll back
            self.publish(event)
        return outcome

    def _apply(self, stream: str, item: Any, outcome: _PageOutcome) -> None:
        try:
            if stream == "status":
                outcome.events.append(self._apply_status(parse_status_update(item)))
            elif stream in BUNDLE_KINDS:
                outcome.events.append(self._apply_bundle(stream, item))
                outcome.applied += 1
            elif stream in CONTENT_STREAMS:
                self._apply_content(stream, item)
            else:
                raise ProtocolError("unknown stream")
        except BundleRefused as exc:
            outcome.refused += 1
            log.warning("%s bundle refused: %s", stream, exc)
            self.state.set(LAST_REFUSAL, f"{stream}: {exc}")
            self._tell_refused(stream, item, str(exc))
        except ProtocolError as exc:
            outcome.malformed += 1
            log.warning("%s item skipped: %s", stream, exc)

    def _tell_refused(self, stream: str, item: Any, reason: str) -> None:
        try:
            self.on_refused(stream, item, reason)
        except Exception:   # a listener's failure must not roll back the page or stall the stream
            log.exception("bundle refusal listener failed")

    def _apply_status(self, update: StatusUpdate) -> RecordStatusChanged:
        now = self.clock().isoformat(timespec="seconds")
        conn = self.db.conn
        conn.execute("UPDATE applications SET status=? WHERE id=?", (update.status, update.record_id))
        conn.execute("INSERT INTO record_status (record_id, status, note, at, received_at) VALUES (?,?,?,?,?)"
                     " ON CONFLICT(record_id) DO UPDATE SET status=excluded.status, note=excluded.note,"
                     " at=excluded.at, received_at=excluded.received_at",
                     (update.record_id, update.status, update.note, update.at, now))
        cert = update.certificate
        if cert is not None:
            conn.execute("INSERT OR REPLACE INTO certificates (record_id, number, title, text, issuer, holder_masked,"
                         " issued_at) VALUES (?,?,?,?,?,?,?)",
                         (update.record_id, cert.number, cert.title,
                          sealer_of(self.db).seal(cert.text, CERTIFICATE_TEXT.context(update.record_id, cert.number)),
                          cert.issuer, cert.holder_masked,
                          update.at))
        return RecordStatusChanged(update.record_id, update.status, update.at, update.note,
                                   cert.number if cert else "")

    def _apply_bundle(self, stream: str, item: Any) -> BundleApplied:
        try:
            bundle = parse_bundle(item)
        except ProtocolError as exc:   # unsigned or malformed: refused like a forged one
            raise BundleRefused(str(exc)) from None
        if bundle.kind != stream:
            raise BundleRefused(f"a {bundle.kind} bundle in the {stream} stream")
        self.bundles.install(bundle)
        return BundleApplied(bundle.kind, bundle.version)

    def _apply_content(self, stream: str, item: Any) -> None:
        key = item.get(ITEM_KEYS.get(stream, "id")) if isinstance(item, dict) else None
        if not isinstance(key, str) or not 0 < len(key) <= 128:
            raise ProtocolError("item has no id")
        body = json.dumps(item, ensure_ascii=False)
        if not is_utf8_text(body):
            raise ProtocolError("item has text that is not UTF-8")
        self.db.conn.execute(
            "INSERT INTO stream_items (stream, id, body, updated_at) VALUES (?,?,?,?) ON CONFLICT(stream, id)"
            " DO UPDATE SET body=excluded.body, updated_at=excluded.updated_at",
            (stream, key, body, self.clock().isoformat(timespec="seconds")))
