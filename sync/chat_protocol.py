"""Live chat between a kiosk and hub staff (人工咨询): what both sides agree on, Qt-free and network-free.

Paths, limits, the chat states, the check every message text passes (on the kiosk before sending, on the hub
before storing) and the typed replies the kiosk reads. See sync/openapi.yaml, "Live chat".
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from sync.protocol import API_PREFIX

CHATS_PATH = f"{API_PREFIX}/chats"
AVAILABILITY_PATH = f"{API_PREFIX}/chat/availability"


def chat_path(chat_id: str) -> str:
    return f"{CHATS_PATH}/{chat_id}"


MAX_TEXT = 300                 # characters of one message: a question, not a letter
MAX_MESSAGES = 200             # per chat, both sides together
MAX_WAIT_S = 20                # the longest a poll may wait at the hub for a reply
MAX_BODY_BYTES = 8 * 1024      # a chat request body (MAX_TEXT CJK characters escaped fit well within)
CHAT_ID = re.compile(r"^[A-Za-z0-9_-]{8,64}$")
LANGS = ("zh", "en")

WAITING = "waiting"            # the resident's last message has no staff answer yet
ANSWERED = "answered"          # staff answered the resident's last message
CLOSED_STAFF = "closed_staff"
CLOSED_KIOSK = "closed_kiosk"  # the resident ended it, or the kiosk's session ended
EXPIRED = "expired"            # the kiosk stopped polling (link lost, power cut): the hub closed it
OPEN_STATES = (WAITING, ANSWERED)
STATES = (WAITING, ANSWERED, CLOSED_STAFF, CLOSED_KIOSK, EXPIRED)

RESIDENT, STAFF = "resident", "staff"

# Bidirectional overrides and isolates: text that reads differently from what it holds.
_BIDI = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def clean_text(text: Any) -> str | None:
    """The text as it is stored and shown (NFC, trimmed), or None when it is not an acceptable message:
    not a string, empty, longer than MAX_TEXT, control characters other than newline, lone surrogates or
    bidirectional overrides."""
    if not isinstance(text, str):
        return None
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n")).strip()
    if not text or len(text) > MAX_TEXT:
        return None
    for char in text:
        category = unicodedata.category(char)
        if (category == "Cc" and char != "\n") or category == "Cs" or char in _BIDI:
            return None
    return text


def is_open(state: str) -> bool:
    return state in OPEN_STATES


@dataclass(frozen=True)
class ChatMessage:
    n: int                     # position in the chat, from 1
    sender: str                # RESIDENT or STAFF
    text: str
    at: str                    # ISO 8601 UTC

    def to_json(self) -> dict[str, Any]:
        return {"n": self.n, "from": self.sender, "text": self.text, "at": self.at}


@dataclass(frozen=True)
class ChatUpdate:
    """A chat as the hub answers a poll: its state and the messages after the cursor asked for."""
    chat_id: str
    state: str
    messages: tuple[ChatMessage, ...]
    next: int                  # the cursor for the next poll

    def to_json(self) -> dict[str, Any]:
        return {"chat_id": self.chat_id, "state": self.state, "messages": [m.to_json() for m in self.messages],
                "next": self.next}


class BadChatReply(ValueError):
    """The hub's answer does not have the shape the contract gives it."""


def parse_update(data: Any) -> ChatUpdate:
    if not isinstance(data, dict) or not isinstance(data.get("chat_id"), str) or data.get("state") not in STATES:
        raise BadChatReply("chat reply without chat_id or a known state")
    raw = data.get("messages", [])
    if not isinstance(raw, list) or not _is_count(data.get("next")):
        raise BadChatReply("chat reply messages or next malformed")
    return ChatUpdate(data["chat_id"], data["state"], tuple(parse_message(m) for m in raw), data["next"])


def parse_message(data: Any) -> ChatMessage:
    if not isinstance(data, dict) or not _is_count(data.get("n")) or data.get("from") not in (RESIDENT, STAFF):
        raise BadChatReply("chat message malformed")
    text = clean_text(data.get("text"))
    if text is None or not isinstance(data.get("at", ""), str):
        raise BadChatReply("chat message text malformed")
    return ChatMessage(data["n"], data["from"], text, data.get("at", ""))


def _is_count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 2 ** 53
