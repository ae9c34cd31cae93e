"""One push round against the hub: read a batch from the outbox, POST it, settle what the hub answered.

Delivery is at-least-once on the wire and exactly-once in effect: the record id is the idempotency key, so a
batch re-sent after a lost reply comes back "duplicate" and is settled like "accepted". Rows are settled only
after a reply that passed `parse_push_reply`; any failure leaves them pending for the next round.
"""
from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass

import requests

from local_db.store import Outbox, OutboxItem
from sync.protocol import (HEALTH_PATH, RECORDS_PATH, HubHealth, ProtocolError, PushReply, PushRequest, Status,
                           SyncError, WireRecord, parse_health, parse_push_reply)

log = logging.getLogger(__name__)


class HubUnreachable(SyncError):
    """No HTTP reply at all: connection refused, DNS, timeout, reset."""


class HubHttpError(SyncError):
    """The hub replied with a status other than 200; `retry_after` is its Retry-After in seconds, if any."""

    def __init__(self, status: int, retry_after: float | None = None):
        super().__init__(f"hub returned HTTP {status}")
        self.status = status
        self.retry_after = retry_after


@dataclass(frozen=True)
class Rejection:
    record_id: str
    reason: str


@dataclass(frozen=True)
class PushResult:
    sent: int
    accepted: tuple[str, ...] = ()
    duplicate: tuple[str, ...] = ()
    rejected: tuple[Rejection, ...] = ()

    @property
    def delivered(self) -> int:
        return len(self.accepted) + len(self.duplicate)

    def __add__(self, other: "PushResult") -> "PushResult":
        return PushResult(self.sent + other.sent, self.accepted + other.accepted,
                          self.duplicate + other.duplicate, self.rejected + other.rejected)


class SyncClient:
    """Pushes outbox batches to one hub. Not thread-safe: owned by the sync worker's thread."""

    def __init__(self, outbox: Outbox, hub_url: str, station_id: str, *, session: requests.Session | None = None,
                 timeout_s: float = 10.0, batch_size: int = 100):
        self.outbox = outbox
        self.hub_url = hub_url.rstrip("/")
        self.station_id = station_id
        self.session = session if session is not None else requests.Session()
        self.timeout_s = timeout_s
        self.batch_size = batch_size

    def health(self) -> HubHealth:
        return parse_health(self._request("GET", HEALTH_PATH))

    def push(self) -> PushResult:
        """One request: up to `batch_size` pending records. Raises `SyncError` with nothing settled."""
        items = self.outbox.pending(self.batch_size)
        if not items:
            return PushResult(sent=0)
        request = PushRequest(self.station_id, tuple(_wire(item) for item in items))
        body = self._request("POST", RECORDS_PATH, request.encode())
        reply = parse_push_reply(body, [item.record_id for item in items])
        return self._settle(len(items), reply)

    def _settle(self, sent: int, reply: PushReply) -> PushResult:
        accepted = reply.ids_with(Status.ACCEPTED)
        duplicate = reply.ids_with(Status.DUPLICATE)
        self.outbox.mark_delivered(accepted + duplicate)
        rejected = [Rejection(r.id, r.reason or "rejected") for r in reply.results
                    if r.status is Status.REJECTED and r.id is not None]
        by_reason: dict[str, list[str]] = defaultdict(list)
        for rejection in rejected:
            by_reason[rejection.reason].append(rejection.record_id)
        for reason, ids in by_reason.items():  # stays pending with its reason until quarantine exists
            self.outbox.mark_failed(ids, f"rejected by hub: {reason}")
        if rejected:
            log.warning("hub rejected %d record(s)", len(rejected))
        return PushResult(sent, tuple(accepted), tuple(duplicate), tuple(rejected))

    def _request(self, method: str, path: str, body: bytes | None = None) -> bytes:
        headers = {"Accept": "application/json"}
        if body is not None:
            headers["Content-Type"] = "application/json; charset=utf-8"
        try:
            response = self.session.request(method, self.hub_url + path, data=body, headers=headers,
                                            timeout=self.timeout_s, allow_redirects=False)
        except requests.Timeout:
            raise HubUnreachable("hub timed out") from None
        except (requests.exceptions.ChunkedEncodingError, requests.exceptions.ContentDecodingError):
            raise ProtocolError("reply truncated") from None
        except requests.ConnectionError:
            raise HubUnreachable("hub unreachable") from None
        except requests.RequestException as exc:
            raise HubUnreachable(f"request failed ({type(exc).__name__})") from None
        if response.status_code != 200:
            raise HubHttpError(response.status_code, _retry_after(response.headers.get("Retry-After")))
        return response.content


def _wire(item: OutboxItem) -> WireRecord:
    return WireRecord(item.record_id, item.kind, item.payload)


def _retry_after(value: str | None) -> float | None:
    """Only the delta-seconds form; an HTTP date from a hub with a wrong clock is ignored."""
    if value is None or not value.strip().isdigit():
        return None
    return float(value.strip())
