"""Every request the terminal sends the hub: signing, clock offset, timeouts scaled to size, error mapping.

A reply always teaches the clock offset (`X-ZDB-Hub-Time`), whatever its status. A 401 `stale_timestamp` or
`replayed` is retried once with a fresh timestamp and nonce; `revoked` and `unknown_terminal` raise
`TerminalRefused`, which stops the worker's pushing until the terminal is enrolled again.
"""
from __future__ import annotations

import logging
import math
import threading
import time
from dataclasses import dataclass
from typing import Callable, Collection, Mapping
from urllib.parse import quote, urlencode

import requests

from sync.auth import HEADER_HUB_TIME, signed_headers
from sync.protocol import ProtocolError, SyncError, parse_error_code
from sync.terminal_identity import TerminalIdentity

log = logging.getLogger(__name__)

RETRY_ONCE_ERRORS = frozenset({"stale_timestamp", "replayed"})
REFUSED_ERRORS = frozenset({"revoked", "unknown_terminal"})


class HubUnreachable(SyncError):
    """No HTTP reply at all: connection refused, DNS, timeout, reset."""


class HubHttpError(SyncError):
    """The hub replied with a status the caller did not expect; `retry_after` is its Retry-After in seconds."""

    def __init__(self, status: int, retry_after: float | None = None, error: str = ""):
        super().__init__(f"hub returned HTTP {status}" + (f" ({error})" if error else ""))
        self.status = status
        self.retry_after = retry_after
        self.error = error


class TerminalRefused(SyncError):
    """The hub does not (or no longer) accept this terminal: `reason` is "revoked" or "unknown_terminal"."""

    def __init__(self, reason: str):
        super().__init__("terminal revoked" if reason == "revoked" else "terminal not enrolled")
        self.reason = reason


@dataclass(frozen=True)
class HubReply:
    status: int
    headers: Mapping[str, str]
    content: bytes


class ClockOffset:
    """`hub time - local time`, learned from replies; used only for signature timestamps.

    Push connections learn it on their own threads; `on_change` (a database write) runs only on the thread
    that made this object, so a change learned elsewhere waits for that thread's next `persist()`.
    """

    def __init__(self, offset_s: float = 0.0, *, wall: Callable[[], float] = time.time,
                 on_change: Callable[[float], None] = lambda offset: None, persist_step_s: float = 2.0):
        self.offset_s = offset_s
        self.wall = wall
        self.on_change = on_change
        self.persist_step_s = persist_step_s
        self._persisted = offset_s
        self._owner = threading.get_ident()
        self._lock = threading.Lock()

    def now(self) -> int:
        return int(round(self.wall() + self.offset_s))

    def learn(self, hub_time: str | None) -> None:
        try:
            value = float(hub_time) if hub_time is not None else None
        except ValueError:
            value = None
        if value is None or not math.isfinite(value):   # absent, garbage, NaN or infinite: nothing learned
            return
        self.offset_s = value - self.wall()
        self.persist()

    def persist(self) -> None:
        """Hand a changed offset to `on_change`, on the owner thread only, not once per request."""
        if threading.get_ident() != self._owner:
            return
        with self._lock:
            if abs(self.offset_s - self._persisted) < self.persist_step_s:
                return
            self._persisted = self.offset_s
        self.on_change(self._persisted)


@dataclass(frozen=True)
class Timeouts:
    """Connect timeout, and a read timeout that grows with the bytes sent over a slow island link."""
    base_s: float = 10.0
    slow_link_bps: int = 8 * 1024

    def for_bytes(self, size: int) -> tuple[float, float]:
        return self.base_s, self.base_s + size / max(self.slow_link_bps, 1)


class HubTransport:
    """Not thread-safe: owned by one thread, like its session (a push connection has its own)."""

    def __init__(self, hub_url: str, identity: TerminalIdentity | None, *, session: requests.Session,
                 clock: ClockOffset | None = None, timeouts: Timeouts = Timeouts(), ca_file: str = ""):
        self.hub_url = hub_url.rstrip("/")
        self.identity = identity
        self.session = session
        self.clock = clock if clock is not None else ClockOffset()
        self.timeouts = timeouts
        if ca_file:
            session.verify = ca_file

    def request(self, method: str, path: str, *, query: Mapping[str, object] | None = None, body: bytes = b"",
                headers: Mapping[str, str] | None = None, expect: Collection[int] = (200,),
                signed: bool = True) -> HubReply:
        """Send, retrying once after a 401 the clock or a nonce explains; HubHttpError for other statuses."""
        target = path + ("?" + urlencode(query, quote_via=quote) if query else "")
        reply = self._send(method, target, body, headers or {}, signed)
        if reply.status == 401 and signed and parse_error_code(reply.content) in RETRY_ONCE_ERRORS:
            log.info("hub refused a request timestamp; clock offset now %.0f s, retrying once",
                     self.clock.offset_s)
            reply = self._send(method, target, body, headers or {}, signed)
        if reply.status in expect:
            return reply
        error = parse_error_code(reply.content) if reply.status in (401, 403) else ""
        if reply.status == 401 and error in REFUSED_ERRORS:
            raise TerminalRefused(error)
        raise HubHttpError(reply.status, retry_after(reply.headers.get("Retry-After")), error)

    def _send(self, method: str, target: str, body: bytes, extra: Mapping[str, str], signed: bool) -> HubReply:
        headers = {"Accept": "application/json", **extra}
        if signed and self.identity is not None:
            headers.update(signed_headers(self.identity.keys, self.identity.terminal_id, method, target, body,
                                          self.clock.now()))
        try:
            response = self.session.request(method, self.hub_url + target, data=body or None, headers=headers,
                                            timeout=self.timeouts.for_bytes(len(body)), allow_redirects=False)
            content = response.content
        except requests.Timeout:
            raise HubUnreachable("hub timed out") from None
        except (requests.exceptions.ChunkedEncodingError, requests.exceptions.ContentDecodingError):
            raise ProtocolError("reply truncated") from None
        except requests.ConnectionError:
            raise HubUnreachable("hub unreachable") from None
        except requests.RequestException as exc:
            raise HubUnreachable(f"request failed ({type(exc).__name__})") from None
        self.clock.learn(response.headers.get(HEADER_HUB_TIME))
        return HubReply(response.status_code, response.headers, content)


def retry_after(value: str | None) -> float | None:
    """Only the delta-seconds form; an HTTP date from a hub with a wrong clock is ignored."""
    if value is None or not (value.strip().isascii() and value.strip().isdigit()):   # "²".isdigit() too
        return None
    return float(value.strip())
