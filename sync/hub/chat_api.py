"""The kiosk's side of live chat on the hub: availability, open, post, poll (long-poll with `after`), close.

Signed like every terminal request (middleware.SignedRequests); a terminal sees only its own chats (another's
id answers 404 as if unknown). Bodies are small JSON checked field by field; texts pass
`chat_protocol.clean_text`. Each terminal has its own rate limits per action (429 `rate_limited` with
Retry-After). Error bodies are `{"error": code}` and never quote the request; no text is ever logged.
"""
from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from kiosk.ids import Clock
from sync.chat_protocol import (AVAILABILITY_PATH, CHAT_ID, CHATS_PATH, CLOSED_KIOSK, LANGS, MAX_BODY_BYTES,
                                MAX_WAIT_S, RESIDENT, clean_text, is_open)
from sync.hub import audit
from sync.hub.chat import ChatRefused
from sync.hub.context import hub_of, terminal_of
from sync.hub.middleware import BodyTooLarge, read_body
from sync.hub.validation import STATION_ID

RECHECK_S = 2.0   # a long poll looks at the store this often too (another hub process may hold the reply)
REFUSAL_STATUS = {"unknown_chat": 404, "chat_closed": 409, "chat_full": 409}


@dataclass(frozen=True)
class Limit:
    burst: int
    every_s: float        # one more request allowed per this many seconds


# per terminal: a resident types a message every few seconds at most; polls are long, so a few a minute
LIMITS = {"open": Limit(5, 120.0), "message": Limit(10, 3.0), "poll": Limit(30, 1.0),
          "close": Limit(10, 6.0), "availability": Limit(10, 5.0)}


@dataclass
class RateLimits:
    """Token buckets per (terminal, action), on the hub's injected clock."""
    clock: Clock
    limits: dict[str, Limit] = field(default_factory=lambda: dict(LIMITS))
    _buckets: dict[tuple[str, str], tuple[float, datetime]] = field(default_factory=dict)

    def take(self, who: str, action: str) -> float:
        """0 when allowed (a token is spent), else the seconds until the next token."""
        limit, now = self.limits[action], self.clock()
        tokens, at = self._buckets.get((who, action), (float(limit.burst), now))
        tokens = min(float(limit.burst), tokens + max((now - at).total_seconds(), 0.0) / limit.every_s)
        if tokens < 1.0:
            self._buckets[(who, action)] = (tokens, now)
            return (1.0 - tokens) * limit.every_s
        self._buckets[(who, action)] = (tokens - 1.0, now)
        return 0.0


class Wakeups:
    """Long polls waiting in this process are woken when a staff member replies or closes."""

    def __init__(self) -> None:
        self._event = asyncio.Event()

    def notify(self) -> None:
        self._event.set()
        self._event = asyncio.Event()

    async def wait(self, timeout: float) -> None:
        try:
            await asyncio.wait_for(self._event.wait(), timeout)
        except asyncio.TimeoutError:
            pass


@dataclass
class ChatRuntime:
    limits: RateLimits
    wakeups: Wakeups = field(default_factory=Wakeups)


def runtime(request: Request) -> ChatRuntime:
    state = request.app.state
    found = getattr(state, "chat", None)
    if found is None:
        found = state.chat = ChatRuntime(RateLimits(hub_of(request).clock))
    return found


def routes() -> list[Route]:
    return [
        Route(AVAILABILITY_PATH, availability, methods=["GET"]),
        Route(CHATS_PATH, open_chat, methods=["POST"]),
        Route(CHATS_PATH + "/{chat_id}", poll, methods=["GET"]),
        Route(CHATS_PATH + "/{chat_id}/messages", post_message, methods=["POST"]),
        Route(CHATS_PATH + "/{chat_id}/close", close, methods=["POST"]),
    ]


def error(status: int, code: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"error": code}, status_code=status, headers=headers)


class Refusal(Exception):
    def __init__(self, response: Response):
        super().__init__(response.status_code)
        self.response = response


def _limit(request: Request, action: str) -> None:
    terminal = terminal_of(request)
    wait = runtime(request).limits.take(terminal.id if terminal else "-", action)
    if wait > 0:
        audit.event(audit.CHAT_REFUSED, terminal=terminal.id if terminal else "-", reason="rate_limited")
        raise Refusal(error(429, "rate_limited", {"Retry-After": str(max(1, int(wait + 0.999)))}))


async def _json(request: Request) -> dict[str, Any]:
    try:
        raw = await read_body(request.receive, request.headers, MAX_BODY_BYTES)
    except BodyTooLarge:
        raise Refusal(error(413, "too_large")) from None
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise Refusal(error(400, "bad_json")) from None
    if not isinstance(data, dict):
        raise Refusal(error(400, "bad_json"))
    return data


def _text(data: dict[str, Any]) -> str:
    text = clean_text(data.get("text"))
    if text is None:
        raise Refusal(error(400, "bad_text"))
    return text


def _id(value: Any, code: str) -> str:
    if not isinstance(value, str) or not CHAT_ID.match(value):
        raise Refusal(error(400, code))
    return value


def _refused(request: Request, refused: ChatRefused) -> Response:
    terminal = terminal_of(request)
    audit.event(audit.CHAT_REFUSED, terminal=terminal.id if terminal else "-", reason=refused.reason)
    return error(REFUSAL_STATUS[refused.reason], refused.reason)


def _handled(handler):
    async def run(request: Request) -> Response:
        try:
            return await handler(request)
        except Refusal as refusal:
            return refusal.response
        except ChatRefused as refused:
            return _refused(request, refused)
    run.__name__ = handler.__name__
    return run


# --- the endpoints -------------------------------------------------------------------------------------------

@_handled
async def availability(request: Request) -> Response:
    _limit(request, "availability")
    hub = hub_of(request)
    duty = await run_in_threadpool(hub.store.duty)
    return JSONResponse({"available": duty.available(hub.clock())})


@_handled
async def open_chat(request: Request) -> Response:
    _limit(request, "open")
    data = await _json(request)
    chat_id, client_id = _id(data.get("chat_id"), "bad_chat_id"), _id(data.get("client_id"), "bad_client_id")
    text, lang = _text(data), data.get("lang", "zh")
    if lang not in LANGS:
        return error(400, "bad_lang")
    terminal = terminal_of(request)
    station_id = terminal.station_id if terminal else data.get("station_id")
    if not isinstance(station_id, str) or not STATION_ID.match(station_id):
        return error(400, "bad_station")
    if terminal is not None and data.get("station_id", station_id) != station_id:
        return error(403, "wrong_station")
    store = hub_of(request).store
    update = await run_in_threadpool(store.open_chat, chat_id, station_id, terminal.id if terminal else None,
                                     lang, text, client_id)
    audit.event(audit.CHAT_OPENED, station=station_id, terminal=terminal.id if terminal else "-")
    return JSONResponse(update.to_json())


@_handled
async def post_message(request: Request) -> Response:
    _limit(request, "message")
    chat_id = _id(request.path_params["chat_id"], "unknown_chat")
    data = await _json(request)
    client_id, text = _id(data.get("client_id"), "bad_client_id"), _text(data)
    terminal = terminal_of(request)
    message = await run_in_threadpool(hub_of(request).store.post_message, chat_id, RESIDENT, text, client_id,
                                      terminal.id if terminal else None)
    return JSONResponse({"message": message.to_json()})


@_handled
async def poll(request: Request) -> Response:
    _limit(request, "poll")
    chat_id = _id(request.path_params["chat_id"], "unknown_chat")
    after, wait = _count(request.query_params.get("after", "0")), _count(request.query_params.get("wait", "0"))
    if after is None:
        return error(400, "bad_after")
    if wait is None or wait > MAX_WAIT_S:
        return error(400, "bad_wait")
    terminal = terminal_of(request)
    store, wakeups = hub_of(request).store, runtime(request).wakeups
    remaining = float(wait)
    while True:
        update = await run_in_threadpool(store.chat_update, chat_id, after, terminal.id if terminal else None)
        if update.messages or not is_open(update.state) or remaining <= 0:
            return JSONResponse(update.to_json())
        step = min(remaining, RECHECK_S)
        await wakeups.wait(step)
        remaining -= step


@_handled
async def close(request: Request) -> Response:
    _limit(request, "close")
    chat_id = _id(request.path_params["chat_id"], "unknown_chat")
    terminal = terminal_of(request)
    chat = await run_in_threadpool(hub_of(request).store.close_chat, chat_id, CLOSED_KIOSK,
                                   terminal.id if terminal else None)
    audit.event(audit.CHAT_CLOSED, by="kiosk", state=chat.state)
    return JSONResponse({"chat_id": chat.id, "state": chat.state})


def _count(text: str | None) -> int | None:
    ok = text is not None and text.isascii() and text.isdigit() and len(text) < 10
    return int(text) if ok else None
