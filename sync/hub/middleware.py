"""ASGI layers around the hub app: hub time on every reply, and signed-request checks on the API.

`SignedRequests` reads the whole body (it is part of what was signed) with the size cap, verifies it, then
hands the same bytes on to the route with the authenticated `Terminal` in `request.state.terminal`.
"""
from __future__ import annotations

import json
from typing import Iterable

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from kiosk.ids import Clock
from sync.auth import HEADER_HUB_TIME
from sync.hub.signing import AuthFailure, SignedRequest, authenticate
from sync.hub.store import HubStore, StoreBusy
from sync.protocol import API_PREFIX


RETRY_AFTER_S = "5"   # a busy database is a matter of seconds; terminals honour Retry-After


class BodyTooLarge(Exception):
    pass


class HubTime:
    """Adds X-ZDB-Hub-Time to every reply, errors included: terminals learn their clock offset from any."""

    def __init__(self, app: ASGIApp, clock: Clock):
        self.app = app
        self.clock = clock

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)

        async def send_with_time(message: Message) -> None:
            if message["type"] == "http.response.start":
                hub_time = str(int(self.clock().timestamp())).encode("ascii")
                message = {**message, "headers": [*message.get("headers", []),
                                                  (HEADER_HUB_TIME.lower().encode("ascii"), hub_time)]}
            await send(message)
        await self.app(scope, receive, send_with_time)


class SignedRequests:
    """Every /api/v1 request except the `exempt` (method, path) pairs must carry a valid terminal signature."""

    def __init__(self, app: ASGIApp, *, store: HubStore, clock: Clock, max_body_bytes: int,
                 exempt: Iterable[tuple[str, str]]):
        self.app = app
        self.store = store
        self.clock = clock
        self.max_body_bytes = max_body_bytes
        self.exempt = frozenset(exempt)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not self._guarded(scope):
            return await self.app(scope, receive, send)
        headers = Headers(scope=scope)
        try:
            body = await read_body(receive, headers, self.max_body_bytes)
        except BodyTooLarge:
            return await _json_reply(send, 413, {"error": "too_large"})
        request = SignedRequest(scope["method"], _path_with_query(scope), headers, body)
        try:
            terminal = await run_in_threadpool(authenticate, self.store, int(self.clock().timestamp()), request)
        except AuthFailure as failure:
            return await _json_reply(send, 401, {"error": failure.code})
        except StoreBusy:
            return await _json_reply(send, 503, {"error": "busy"}, [(b"retry-after", RETRY_AFTER_S.encode())])
        scope.setdefault("state", {})["terminal"] = terminal
        await self.app(scope, _replay(body, receive), send)

    def _guarded(self, scope: Scope) -> bool:
        path = scope["path"]
        return path.startswith(API_PREFIX + "/") and (scope["method"], path) not in self.exempt \
            and ("*", path) not in self.exempt


async def read_body(receive: Receive, headers: Headers, limit: int) -> bytes:
    declared = headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise BodyTooLarge
    chunks, size = [], 0
    while True:   # chunked uploads have no Content-Length to trust: count while reading
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise BodyTooLarge
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def _path_with_query(scope: Scope) -> str:
    # The request target as sent: raw_path keeps percent-escapes exactly as the terminal signed them.
    path = scope.get("raw_path") or scope["path"].encode("utf-8")
    query = scope.get("query_string", b"")
    return (path + (b"?" + query if query else b"")).decode("latin-1")


def _replay(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()   # later calls: disconnect notices from the server
    return replay


async def _json_reply(send: Send, status: int, body: dict, extra: list[tuple[bytes, bytes]] = ()) -> None:
    data = json.dumps(body).encode("utf-8")
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(data)).encode()),
                            *extra]})
    await send({"type": "http.response.body", "body": data})
