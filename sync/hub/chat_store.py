"""Live chat in the hub store: the tables for SQLite and PostgreSQL and the SQL over the shared core.

`SqlChatStorage` is mixed into `SqlHubStore`; it uses the core's `_transact`. Appends to one chat are ordered
by a row lock on the chat (a no-op UPDATE first): on PostgreSQL two writers to the same chat queue there, so
message numbers are handed out and committed in order and a poll's cursor never skips one. SQLite has one
writer anyway.
"""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, Sequence

from sync.chat_protocol import (ANSWERED, CLOSED_KIOSK, CLOSED_STAFF, EXPIRED, MAX_MESSAGES, OPEN_STATES,
                                RESIDENT, STAFF, WAITING, ChatMessage, ChatUpdate)
from sync.hub.chat import KEEP_CLOSED_DAYS, KIOSK_GONE_S, Chat, ChatRefused, ChatStorage, Duty
from sync.hub.sql_values import as_datetime as _time, iso_utc as _iso   # shared by the SQL stores

PAGE = 100   # messages in one poll reply; the kiosk asks again from `next`

SQLITE_SCHEMA = """
CREATE TABLE IF NOT EXISTS chats (
    id TEXT PRIMARY KEY, station_id TEXT NOT NULL, terminal_id TEXT, lang TEXT NOT NULL, state TEXT NOT NULL,
    opened_at TEXT NOT NULL, waiting_since TEXT, kiosk_seen_at TEXT NOT NULL, closed_at TEXT,
    last_n INTEGER NOT NULL DEFAULT 0);
CREATE INDEX IF NOT EXISTS chats_state ON chats(state, opened_at);
CREATE TABLE IF NOT EXISTS chat_messages (   -- texts are personal data: shown to staff, never logged
    chat_id TEXT NOT NULL, n INTEGER NOT NULL, sender TEXT NOT NULL, client_id TEXT, text TEXT NOT NULL,
    at TEXT NOT NULL, PRIMARY KEY (chat_id, n), UNIQUE (chat_id, client_id));
CREATE TABLE IF NOT EXISTS chat_duty (
    id INTEGER PRIMARY KEY CHECK (id = 1), on_duty INTEGER NOT NULL, seen_at TEXT);
"""

PG_SCHEMA = """
CREATE TABLE IF NOT EXISTS chats (
    id TEXT PRIMARY KEY, station_id TEXT NOT NULL, terminal_id TEXT, lang TEXT NOT NULL, state TEXT NOT NULL,
    opened_at TIMESTAMPTZ NOT NULL, waiting_since TIMESTAMPTZ, kiosk_seen_at TIMESTAMPTZ NOT NULL,
    closed_at TIMESTAMPTZ, last_n INTEGER NOT NULL DEFAULT 0);
CREATE INDEX IF NOT EXISTS chats_state ON chats(state, opened_at);
CREATE TABLE IF NOT EXISTS chat_messages (
    chat_id TEXT NOT NULL, n INTEGER NOT NULL, sender TEXT NOT NULL, client_id TEXT, text TEXT NOT NULL,
    at TIMESTAMPTZ NOT NULL, PRIMARY KEY (chat_id, n), UNIQUE (chat_id, client_id));
CREATE TABLE IF NOT EXISTS chat_duty (
    id INTEGER PRIMARY KEY CHECK (id = 1), on_duty BOOLEAN NOT NULL, seen_at TIMESTAMPTZ);
"""

_CHAT_COLUMNS = ("id, station_id, terminal_id, lang, state, opened_at, waiting_since, kiosk_seen_at, closed_at,"
                 " last_n")
_OPEN = "state IN ('waiting', 'answered')"


class SqlChatStorage(ChatStorage):
    clock: Any   # and `_transact`: both supplied by SqlHubStore

    def open_chat(self, chat_id: str, station_id: str, terminal_id: str | None, lang: str, text: str,
                  client_id: str) -> ChatUpdate:
        now = self.clock()

        def open_(tx) -> ChatUpdate:
            existing = _chat(tx, chat_id)
            if existing is not None:
                _check_owner(existing, terminal_id, station_id)
                return _update(tx, existing, 0)
            if terminal_id is not None:   # a kiosk has one chat at a time: an earlier one was left behind
                tx.execute(f"UPDATE chats SET state=?, closed_at=?, waiting_since=NULL WHERE terminal_id=?"
                           f" AND {_OPEN}", (CLOSED_KIOSK, now, terminal_id))
            tx.execute(f"INSERT INTO chats ({_CHAT_COLUMNS}) VALUES (?,?,?,?,?,?,?,?,?,?)",
                       (chat_id, station_id, terminal_id, lang, WAITING, now, now, now, None, 0))
            _append(tx, _chat(tx, chat_id), RESIDENT, text, client_id, now)
            return _update(tx, _chat(tx, chat_id), 0)
        return self._transact(open_)

    def post_message(self, chat_id: str, sender: str, text: str, client_id: str = "",
                     terminal_id: str | None = None) -> ChatMessage:
        now = self.clock()

        def post(tx) -> ChatMessage:
            chat = _locked(tx, chat_id)
            if sender == RESIDENT:
                _check_owner(chat, terminal_id)
            return _append(tx, chat, sender, text, client_id, now)
        return self._transact(post)

    def chat_update(self, chat_id: str, after: int, terminal_id: str | None = None) -> ChatUpdate:
        now = self.clock()

        def read(tx) -> ChatUpdate:
            chat = _chat(tx, chat_id)
            if chat is None:
                raise ChatRefused("unknown_chat")
            if terminal_id is not None or chat.terminal_id is None:
                _check_owner(chat, terminal_id)
                if chat.open:
                    tx.execute("UPDATE chats SET kiosk_seen_at=? WHERE id=?", (now, chat_id))
            return _update(tx, chat, after)
        return self._transact(read)

    def close_chat(self, chat_id: str, state: str, terminal_id: str | None = None) -> Chat:
        if state not in (CLOSED_STAFF, CLOSED_KIOSK):
            raise ValueError(state)
        now = self.clock()

        def close(tx) -> Chat:
            chat = _locked(tx, chat_id)
            if state == CLOSED_KIOSK:
                _check_owner(chat, terminal_id)
            if chat.open:
                tx.execute("UPDATE chats SET state=?, closed_at=?, waiting_since=NULL WHERE id=?",
                           (state, now, chat_id))
            return _chat(tx, chat_id)
        return self._transact(close)

    def chat(self, chat_id: str) -> Chat | None:
        return self._transact(lambda tx: _chat(tx, chat_id), write=False)

    def chat_messages(self, chat_id: str) -> list[ChatMessage]:
        """Every message of a chat, in order (the staff transcript)."""
        return self._transact(lambda tx: _messages(tx, chat_id, 0, MAX_MESSAGES), write=False)

    def chats(self, open_only: bool = True, limit: int = 100) -> list[Chat]:
        now = self.clock()

        def read(tx) -> list[Chat]:
            tx.execute(f"UPDATE chats SET state=?, closed_at=?, waiting_since=NULL WHERE {_OPEN}"
                       " AND kiosk_seen_at<?", (EXPIRED, now, now - timedelta(seconds=KIOSK_GONE_S)))
            cutoff = now - timedelta(days=KEEP_CLOSED_DAYS)
            tx.execute("DELETE FROM chat_messages WHERE chat_id IN (SELECT id FROM chats WHERE closed_at<?)",
                       (cutoff,))
            tx.execute("DELETE FROM chats WHERE closed_at<?", (cutoff,))
            if open_only:
                sql = (f"SELECT {_CHAT_COLUMNS} FROM chats WHERE {_OPEN}"
                       " ORDER BY (waiting_since IS NULL), waiting_since, opened_at LIMIT ?")
            else:
                sql = f"SELECT {_CHAT_COLUMNS} FROM chats WHERE NOT {_OPEN} ORDER BY closed_at DESC LIMIT ?"
            return [_chat_row(row) for row in tx.execute(sql, (limit,)).fetchall()]
        return self._transact(read)

    def set_duty(self, on_duty: bool) -> Duty:
        def set_(tx) -> Duty:
            tx.execute("INSERT INTO chat_duty (id, on_duty, seen_at) VALUES (1, ?, ?) ON CONFLICT (id)"
                       " DO UPDATE SET on_duty=excluded.on_duty, seen_at=excluded.seen_at",
                       (on_duty, self.clock()))
            return _duty(tx)
        return self._transact(set_)

    def duty(self, staff_seen: bool = False) -> Duty:
        def read(tx) -> Duty:
            if staff_seen:
                tx.execute("INSERT INTO chat_duty (id, on_duty, seen_at) VALUES (1, ?, ?) ON CONFLICT (id)"
                           " DO UPDATE SET seen_at=excluded.seen_at", (False, self.clock()))
            return _duty(tx)
        return self._transact(read, write=staff_seen)


# --- helpers -------------------------------------------------------------------------------------------------

def _chat(tx, chat_id: str) -> Chat | None:
    rows = tx.execute(f"SELECT {_CHAT_COLUMNS} FROM chats WHERE id=?", (chat_id,)).fetchall()
    return _chat_row(rows[0]) if rows else None


def _locked(tx, chat_id: str) -> Chat:
    """The chat, with its row locked until the transaction ends (PostgreSQL; SQLite holds the whole file)."""
    if tx.execute("UPDATE chats SET last_n=last_n WHERE id=?", (chat_id,)).rowcount != 1:
        raise ChatRefused("unknown_chat")
    return _chat(tx, chat_id)


def _check_owner(chat: Chat, terminal_id: str | None, station_id: str | None = None) -> None:
    """Another terminal's chat is answered as if it did not exist."""
    if chat.terminal_id != terminal_id or (station_id is not None and chat.station_id != station_id):
        raise ChatRefused("unknown_chat")


def _append(tx, chat: Chat, sender: str, text: str, client_id: str, now: datetime) -> ChatMessage:
    if client_id:
        rows = tx.execute("SELECT n, sender, text, at FROM chat_messages WHERE chat_id=? AND client_id=?",
                          (chat.id, client_id)).fetchall()
        if rows:
            return _message(rows[0])   # a resend after a lost reply
    if not chat.open:
        raise ChatRefused("chat_closed")
    if chat.last_n >= MAX_MESSAGES:
        raise ChatRefused("chat_full")
    n = chat.last_n + 1
    tx.execute("INSERT INTO chat_messages (chat_id, n, sender, client_id, text, at) VALUES (?,?,?,?,?,?)",
               (chat.id, n, sender, client_id or None, text, now))
    if sender == STAFF:
        tx.execute("UPDATE chats SET last_n=?, state=?, waiting_since=NULL WHERE id=?", (n, ANSWERED, chat.id))
    else:
        tx.execute("UPDATE chats SET last_n=?, state=?, waiting_since=?, kiosk_seen_at=? WHERE id=?",
                   (n, WAITING, chat.waiting_since or now, now, chat.id))
    return ChatMessage(n, sender, text, _iso(now))


def _update(tx, chat: Chat, after: int) -> ChatUpdate:
    messages = _messages(tx, chat.id, after, PAGE)
    return ChatUpdate(chat.id, chat.state, tuple(messages), messages[-1].n if messages else after)


def _messages(tx, chat_id: str, after: int, limit: int) -> list[ChatMessage]:
    rows = tx.execute("SELECT n, sender, text, at FROM chat_messages WHERE chat_id=? AND n>? ORDER BY n LIMIT ?",
                      (chat_id, after, limit)).fetchall()
    return [_message(row) for row in rows]


def _message(row: Sequence[Any]) -> ChatMessage:
    n, sender, text, at = row
    return ChatMessage(n, sender, text, _iso(at))


def _duty(tx) -> Duty:
    rows = tx.execute("SELECT on_duty, seen_at FROM chat_duty WHERE id=1").fetchall()
    return Duty(bool(rows[0][0]), _time(rows[0][1])) if rows else Duty(False, None)


def _chat_row(row: Sequence[Any]) -> Chat:
    chat_id, station_id, terminal_id, lang, state, opened, waiting, seen, closed, last_n = row
    return Chat(chat_id, station_id, terminal_id, lang, state, _time(opened), _time(waiting), _time(seen),
                _time(closed), last_n)


__all__ = ["PG_SCHEMA", "SQLITE_SCHEMA", "SqlChatStorage", "OPEN_STATES"]
