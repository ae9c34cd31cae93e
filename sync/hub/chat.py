"""Live chat on the hub (人工咨询): the chats staff answer, what the store keeps of them, and the rules.

A kiosk opens a chat with the resident's first message, adds messages and polls for staff replies; staff
see open chats on /staff/chats and reply or close. Staff say they are on duty with a toggle; the kiosk offers
chat only while the toggle is on AND a staff chat page was loaded in the last DUTY_SEEN_S (the list reloads
itself every few seconds, so "page open" means "someone is there"). A chat whose kiosk has not polled for
KIOSK_GONE_S is closed as expired, so staff never wait on a kiosk that lost its link.

Message texts are personal data: they are stored for staff, never logged; closed chats are deleted after
KEEP_CLOSED_DAYS.
"""
from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from datetime import datetime

from sync.chat_protocol import ChatMessage, ChatUpdate, is_open

DUTY_SEEN_S = 300
KIOSK_GONE_S = 120
KEEP_CLOSED_DAYS = 30


@dataclass(frozen=True)
class Chat:
    id: str
    station_id: str
    terminal_id: str | None
    lang: str
    state: str
    opened_at: datetime
    waiting_since: datetime | None     # the first resident message staff have not answered yet
    kiosk_seen_at: datetime
    closed_at: datetime | None
    last_n: int                        # messages so far

    @property
    def open(self) -> bool:
        return is_open(self.state)


@dataclass(frozen=True)
class Duty:
    on_duty: bool
    seen_at: datetime | None           # a staff chat page was last loaded then

    def available(self, now: datetime) -> bool:
        return self.on_duty and self.seen_at is not None and (now - self.seen_at).total_seconds() <= DUTY_SEEN_S


class ChatRefused(Exception):
    """`reason` is the error code the kiosk gets: unknown_chat (404), chat_closed, chat_full (409)."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class ChatStorage(ABC):
    """The chat part of the hub store (sync/hub/chat_store.py implements it over the shared SQL core)."""

    @abstractmethod
    def open_chat(self, chat_id: str, station_id: str, terminal_id: str | None, lang: str, text: str,
                  client_id: str) -> ChatUpdate:
        """Start a chat with its first resident message; the same id again (a retry after a lost reply) answers
        the chat as it is. The terminal's other open chats end as closed_kiosk. Another terminal's id:
        ChatRefused("unknown_chat")."""

    @abstractmethod
    def post_message(self, chat_id: str, sender: str, text: str, client_id: str = "",
                     terminal_id: str | None = None) -> ChatMessage:
        """Append a message; a resident message sent twice (same client_id) is stored once."""

    @abstractmethod
    def chat_update(self, chat_id: str, after: int, terminal_id: str | None = None) -> ChatUpdate:
        """The state and the messages after `after`; with a terminal, it must own the chat and is marked seen."""

    @abstractmethod
    def close_chat(self, chat_id: str, state: str, terminal_id: str | None = None) -> Chat:
        """Close an open chat as closed_staff or closed_kiosk; an already closed one stays as it was."""

    @abstractmethod
    def chat(self, chat_id: str) -> Chat | None: ...

    @abstractmethod
    def chat_messages(self, chat_id: str) -> list[ChatMessage]:
        """Every message of a chat, in order (the staff transcript)."""

    @abstractmethod
    def chats(self, open_only: bool = True, limit: int = 100) -> list[Chat]:
        """Open chats longest-waiting first (also expires the silent ones), or the latest closed ones."""

    @abstractmethod
    def set_duty(self, on_duty: bool) -> Duty: ...

    @abstractmethod
    def duty(self, staff_seen: bool = False) -> Duty:
        """Who is on duty; `staff_seen` records that a staff chat page is being loaded now."""
