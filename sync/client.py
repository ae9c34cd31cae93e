"""One push against the hub: read a batch from the outbox, POST it (compressed, signed), settle what the hub answered.

Delivery is at-least-once on the wire and exactly-once in effect: the record id is the idempotency key, so a
batch re-sent after a lost reply comes back "duplicate" and is settled like "accepted". Rows are settled only
from a reply that passed `parse_push_reply` (one result per record sent); any failure leaves them pending.
A rejected record moves to the quarantine so the records behind it keep flowing.

A batch is capped by record count and by its compressed size; a 413 halves it (for the rest of this client's
life) down to one record, and a single record the hub still finds too large is quarantined.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass

import requests

from local_db.store import Outbox, OutboxItem
from sync import encodings
from sync.protocol import (HEALTH_PATH, RECORDS_PATH, SHA256_RE, HubHealth, PushReply, PushRequest, Status,
                           WireRecord, parse_health, parse_push_reply)
from sync.quarantine import Quarantine
from sync.terminal_identity import TerminalIdentity
from sync.transport import HubHttpError, HubTransport, HubUnreachable, Timeouts

__all__ = ["HubHttpError", "HubUnreachable", "PushResult", "Rejection", "SyncClient"]

log = logging.getLogger(__name__)

TOO_LARGE = "too large"


@dataclass(frozen=True)
class Rejection:
    record_id: str
    reason: str


@dataclass(frozen=True)
class PushResult:
    sent: int
    accepted: tuple[str, ...] = ()
    duplicate: tuple[str, ...] = ()
    rejected: tuple[Rejection, ...] = ()     # now in the quarantine
    bytes_sent: int = 0

    @property
    def delivered(self) -> int:
        return len(self.accepted) + len(self.duplicate)

    def __add__(self, other: "PushResult") -> "PushResult":
        return PushResult(self.sent + other.sent, self.accepted + other.accepted,
                          self.duplicate + other.duplicate, self.rejected + other.rejected,
                          self.bytes_sent + other.bytes_sent)


@dataclass(frozen=True)
class Batch:
    items: tuple[OutboxItem, ...]
    body: bytes            # as sent, in `encoding`
    encoding: str = encodings.IDENTITY

    @property
    def ids(self) -> list[str]:
        return [item.record_id for item in self.items]


class SyncClient:
    """Pushes outbox batches to one hub. Not thread-safe: owned by the sync worker's thread."""

    def __init__(self, outbox: Outbox, hub_url: str, station_id: str, *, session: requests.Session | None = None,
                 timeout_s: float = 10.0, batch_size: int = 100, max_batch_bytes: int = 256 * 1024,
                 identity: TerminalIdentity | None = None, transport: HubTransport | None = None,
                 quarantine: Quarantine | None = None, encoding: str | None = None):
        self.outbox = outbox
        self.station_id = station_id
        self.batch_size = batch_size
        self.max_batch_bytes = max_batch_bytes
        self.transport = transport or HubTransport(
            hub_url, identity, session=session if session is not None else requests.Session(),
            timeouts=Timeouts(base_s=timeout_s))
        self.quarantine = quarantine or Quarantine(outbox.db, outbox.clock)
        self.encoding = encoding          # None: learn from /health what the hub inflates
        self.count_cap = batch_size       # lowered by 413 replies
        self.last_health: HubHealth | None = None

    @property
    def hub_url(self) -> str:
        return self.transport.hub_url

    def health(self) -> HubHealth:
        self.last_health = parse_health(self.transport.request("GET", HEALTH_PATH, signed=False).content)
        return self.last_health

    def push(self) -> PushResult:
        """One batch of pending records, settled; raises `SyncError` with nothing settled."""
        batch, local = self.next_batch(after_seq=0)
        if batch is None:
            return local
        return self._send(batch) + local

    def next_batch(self, after_seq: int, items: list[OutboxItem] | None = None
                   ) -> tuple[Batch | None, PushResult]:
        """The next batch of `items` (default: pending records after `after_seq`), and what was quarantined.

        Records malformed locally are quarantined first: the hub would refuse them and they must not block
        the queue. None when nothing is left to send.
        """
        quarantined = PushResult(sent=0)
        while True:
            batch_items = items if items is not None else self.outbox.pending_after(after_seq, self.count_cap)
            good, local = _split_invalid(batch_items)
            if local:
                self.quarantine.move({r.record_id: r.reason for r in local})
                quarantined += PushResult(sent=len(local), rejected=tuple(local))
            if good:
                return self._fit(good), quarantined
            if items is not None or not batch_items:
                return None, quarantined
            after_seq = batch_items[-1].seq

    def _send(self, batch: Batch) -> PushResult:
        while True:
            try:
                reply = self.post(batch, self.transport)
            except HubHttpError as exc:
                if exc.status != 413:
                    raise
                if len(batch.items) == 1:
                    return self.too_large(batch)
                batch = self._encode(self.halve(batch)[0])
                continue
            return self.settle(batch, reply)

    def halve(self, batch: Batch) -> list[tuple[OutboxItem, ...]]:
        """After a 413: lower the count cap (for the rest of this client's life) and split the batch by it."""
        self.count_cap = max(1, len(batch.items) // 2)
        log.info("hub found a batch too large; now at most %d records", self.count_cap)
        return [batch.items[i:i + self.count_cap] for i in range(0, len(batch.items), self.count_cap)]

    def post(self, batch: Batch, transport: HubTransport) -> PushReply:
        """Send one encoded batch; safe on any thread with its own transport (nothing local is touched)."""
        headers = {"Content-Type": "application/json; charset=utf-8"}
        if batch.encoding != encodings.IDENTITY:
            headers["Content-Encoding"] = batch.encoding
        reply = transport.request("POST", RECORDS_PATH, body=batch.body, headers=headers)
        return parse_push_reply(reply.content, batch.ids)

    def _fit(self, items: list[OutboxItem] | tuple[OutboxItem, ...]) -> Batch:
        """The longest prefix (in outbox order) whose compressed body is within the size cap; at least one."""
        batch = self._encode(items)
        while len(batch.items) > 1 and len(batch.body) > self.max_batch_bytes:
            n = len(batch.items)
            guess = int(n * self.max_batch_bytes / len(batch.body) * 0.9)
            batch = self._encode(batch.items[:max(1, min(guess, n - 1))])
        return batch

    def _encode(self, items: tuple[OutboxItem, ...] | list[OutboxItem]) -> Batch:
        raw = PushRequest(self.station_id, tuple(_wire(item) for item in items)).encode()
        encoding = self._encoding()
        return Batch(tuple(items), encodings.encode(raw, encoding), encoding)

    def _encoding(self) -> str:
        if self.encoding is None:   # learn once what the hub inflates
            health = self.last_health or self.health()
            self.encoding = encodings.choose(health.protocol, health.extra.get("encodings"))
        return self.encoding

    def too_large(self, batch: Batch) -> PushResult:
        rejection = Rejection(batch.items[0].record_id, TOO_LARGE)
        self.quarantine.move({rejection.record_id: TOO_LARGE})
        return PushResult(sent=1, rejected=(rejection,), bytes_sent=len(batch.body))

    def settle(self, batch: Batch, reply: PushReply) -> PushResult:
        """Mark what the hub took as delivered and quarantine what it rejected; on the outbox's own thread."""
        sent, size = len(batch.items), len(batch.body)
        accepted = reply.ids_with(Status.ACCEPTED)
        duplicate = reply.ids_with(Status.DUPLICATE)
        if accepted or duplicate:
            self.outbox.mark_delivered(accepted + duplicate)
        rejected = [Rejection(r.id, f"rejected by hub: {r.reason or 'no reason given'}") for r in reply.results
                    if r.status is Status.REJECTED and r.id is not None]
        self.quarantine.move({r.record_id: r.reason for r in rejected})
        return PushResult(sent, tuple(accepted), tuple(duplicate), tuple(rejected), size)


def _wire(item: OutboxItem) -> WireRecord:
    attachments = item.payload.get("attachments") or []
    return WireRecord(item.record_id, item.kind, item.payload, tuple(attachments))


def _split_invalid(items: list[OutboxItem]) -> tuple[list[OutboxItem], list[Rejection]]:
    good, bad = [], []
    for item in items:
        if item.payload is None:
            bad.append(Rejection(item.record_id, "payload unreadable at this terminal"))
            continue
        refs = item.payload.get("attachments", [])
        if isinstance(refs, list) and all(isinstance(h, str) and SHA256_RE.match(h) for h in refs):
            good.append(item)
        else:
            bad.append(Rejection(item.record_id, "malformed attachment references"))
    return good, bad
