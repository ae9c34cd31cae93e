"""The kiosk's live chat with hub staff (人工咨询), Qt-free: the HTTP client, one conversation's memory, and
whether chat can be offered now.

`ChatClient` speaks sync/openapi.yaml "Live chat" over a `HubTransport` (the same signing and clock offset as
sync); it is made lazily on the thread that uses it, and each thread has its own (a transport is not
thread-safe). Timeouts are short: a resident is standing at the screen, and over the island link a request
that has not answered in a few seconds is better called lost. Failures come out as two kinds: `ChatLinkDown`
(no usable answer: offer the callback instead) and `ChatRefused` (the hub said no, with its code).

`Conversation` is the only place the messages live on the kiosk; `wipe()` forgets them. Nothing here logs a
message text.
"""
from __future__ import annotations

import json
import secrets
from dataclasses import dataclass, field, replace
from typing import Any, Callable

from sync.chat_protocol import (AVAILABILITY_PATH, CHATS_PATH, MAX_WAIT_S, RESIDENT, STAFF, WAITING, ChatMessage,
                                ChatUpdate, BadChatReply, chat_path, is_open, parse_message, parse_update)
import requests

from sync.protocol import SyncError, parse_error_code
from sync.terminal_identity import IdentityStore
from sync.transport import ClockOffset, HubTransport, retry_after

REFUSED_STATUSES = (400, 403, 404, 409, 413, 429)


class ChatLinkDown(Exception):
    """No usable answer from the hub (unreachable, timed out, 5xx, garbage, terminal not accepted)."""


class ChatRefused(Exception):
    """The hub answered no: `code` is its error word (bad_text, chat_closed, rate_limited, unknown_chat, ...)."""

    def __init__(self, code: str, status: int, retry_after: float | None = None):
        super().__init__(code)
        self.code = code
        self.status = status
        self.retry_after = retry_after


def new_id() -> str:
    """A chat or message id the kiosk makes (the hub keys retries by it)."""
    return secrets.token_urlsafe(12)


@dataclass(frozen=True)
class ChatTimeouts:
    """(connect, read) for HubTransport; a poll's read timeout also covers the time the hub may hold it."""
    connect_s: float = 4.0
    read_s: float = 6.0

    def for_bytes(self, size: int) -> tuple[float, float]:
        return self.connect_s, self.read_s + size / 8192


class ChatClient:
    """Not thread-safe: one per thread. `transport` is called once, on first use, on the using thread."""

    def __init__(self, transport: Callable[[], HubTransport], station_id: str):
        self._make_transport = transport
        self._transport: HubTransport | None = None
        self.station_id = station_id

    def available(self) -> bool:
        """Do the hub's staff take chats now? A hub without live chat (404) does not."""
        try:
            return self._call("GET", AVAILABILITY_PATH).get("available") is True
        except ChatRefused:
            return False

    def open(self, chat_id: str, client_id: str, text: str, lang: str) -> ChatUpdate:
        body = {"chat_id": chat_id, "client_id": client_id, "text": text, "lang": lang,
                "station_id": self.station_id}
        return _parsed(parse_update, self._call("POST", CHATS_PATH, body))

    def send(self, chat_id: str, client_id: str, text: str) -> ChatMessage:
        data = self._call("POST", chat_path(chat_id) + "/messages", {"client_id": client_id, "text": text})
        return _parsed(parse_message, data.get("message"))

    def poll(self, chat_id: str, after: int, wait_s: int = 0) -> ChatUpdate:
        query = {"after": after, "wait": max(0, min(int(wait_s), MAX_WAIT_S))}
        return _parsed(parse_update, self._call("GET", chat_path(chat_id), query=query))

    def close(self, chat_id: str) -> str:
        return str(self._call("POST", chat_path(chat_id) + "/close", {}).get("state", ""))

    def _call(self, method: str, path: str, body: dict[str, Any] | None = None,
              query: dict[str, Any] | None = None) -> dict[str, Any]:
        data = json.dumps(body, ensure_ascii=False).encode("utf-8") if body is not None else b""
        headers = {"Content-Type": "application/json; charset=utf-8"} if body is not None else {}
        try:
            if self._transport is None:
                self._transport = self._make_transport()
            reply = self._transport.request(method, path, query=query, body=data, headers=headers,
                                            expect=(200, *REFUSED_STATUSES))
        except (SyncError, OSError) as exc:
            raise ChatLinkDown(type(exc).__name__) from None
        if reply.status != 200:
            code = _error_code(reply.content) or f"http_{reply.status}"
            raise ChatRefused(code, reply.status, retry_after(reply.headers.get("Retry-After")))
        try:
            parsed = json.loads(reply.content.decode("utf-8"))
        except (UnicodeDecodeError, ValueError, RecursionError):
            raise ChatLinkDown("reply not JSON") from None
        if not isinstance(parsed, dict):
            raise ChatLinkDown("reply not an object")
        return parsed


def _error_code(content: bytes) -> str:
    code = parse_error_code(content)
    return code if code.replace("_", "").isalnum() and len(code) <= 40 else ""


def _parsed(parse: Callable[[Any], Any], data: Any) -> Any:
    try:
        return parse(data)
    except BadChatReply:
        raise ChatLinkDown("reply malformed") from None


# --- one conversation ----------------------------------------------------------------------------------------

SENDING, SENT, FAILED = "sending", "sent", "failed"


@dataclass(frozen=True)
class Turn:
    sender: str            # RESIDENT or STAFF
    text: str
    client_id: str = ""    # the resident's own turns
    status: str = SENT     # the resident's: SENDING until the hub has it, FAILED when it did not arrive
    n: int = 0


@dataclass
class Conversation:
    """One resident's chat, in memory only. `chat_id` is made before the hub knows it (opening is idempotent)."""
    chat_id: str = field(default_factory=new_id)
    turns: list[Turn] = field(default_factory=list)
    state: str = ""          # "" until the hub has the chat, then a chat_protocol state
    cursor: int = 0

    @property
    def started(self) -> bool:
        return bool(self.state)

    @property
    def open(self) -> bool:
        return not self.started or is_open(self.state)

    def first_question(self) -> str:
        return next((t.text for t in self.turns if t.sender == RESIDENT), "")

    def add_own(self, text: str) -> Turn:
        turn = Turn(RESIDENT, text, new_id(), SENDING)
        self.turns.append(turn)
        return turn

    def mark(self, client_id: str, status: str, n: int = 0) -> None:
        self.turns = [replace(t, status=status, n=n or t.n) if t.client_id == client_id else t for t in self.turns]

    def apply(self, update: ChatUpdate) -> list[Turn]:
        """Take a poll's (or the opening's) answer; the staff turns it adds, in order."""
        self.state = update.state
        known = {t.n for t in self.turns if t.n}
        added = []
        for message in update.messages:
            if message.sender == STAFF and message.n not in known:
                added.append(Turn(STAFF, message.text, n=message.n))
        self.turns.extend(added)
        self.cursor = max(self.cursor, update.next)
        return added

    def wipe(self) -> None:
        self.turns.clear()
        self.state, self.cursor = "", 0


# --- may chat be offered now? --------------------------------------------------------------------------------

@dataclass
class Availability:
    """Live chat is offered when sync reached the hub recently (`reachable`, from the sync worker's status) and
    the hub's last answer, no older than `max_age_s`, said staff are on duty. `refresh_due()` says when to ask
    the hub again (the UI asks on a background lane). `clock` is monotonic seconds."""
    reachable: Callable[[], bool]
    clock: Callable[[], float]
    max_age_s: float = 90.0
    refresh_s: float = 30.0
    answer: bool = False
    answered_at: float | None = None

    def now(self) -> bool:
        fresh = self.answered_at is not None and self.clock() - self.answered_at <= self.max_age_s
        return fresh and self.answer and self.reachable()

    def refresh_due(self) -> bool:
        return self.reachable() and (self.answered_at is None or self.clock() - self.answered_at >= self.refresh_s)

    def learn(self, answer: bool) -> None:
        self.answer, self.answered_at = answer, self.clock()

    def lost(self) -> None:
        """The link failed mid-chat: do not offer chat again until the hub answers."""
        self.answer = False


__all__ = ["Availability", "ChatClient", "client_for", "ChatLinkDown", "ChatRefused", "ChatTimeouts", "Conversation", "Turn",
           "new_id", "SENDING", "SENT", "FAILED", "WAITING"]


def client_for(hub_url: str, identities: IdentityStore, station_id: str, *, timeouts: ChatTimeouts = ChatTimeouts(),
               ca_file: str = "", offset: ClockOffset | None = None,
               session_factory: Callable[[], requests.Session] = requests.Session) -> ChatClient:
    """A client signing as this terminal; its identity is read and its session made on first use (its thread)."""
    def transport() -> HubTransport:
        return HubTransport(hub_url, identities.load(), session=session_factory(), clock=offset,
                            timeouts=timeouts, ca_file=ca_file)   # type: ignore[arg-type]
    return ChatClient(transport, station_id)
