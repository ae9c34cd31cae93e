"""Drafts: an agent's filing kept half-done (the resident went to fetch a paper), sealed, for a few days.

A draft holds the item, the answers and who the resident is, sealed as one value bound to its row. Only the agent
who saved it lists, resumes or discards it. It never leaves the kiosk and never reaches the outbox: a draft is not
a filing. Past its `expires_at` it is deleted by `purge_expired` (the kiosk's housekeeping), with `secure_delete`
on (set by
ApplicationStore) so the freed pages are zeroed.
"""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

from kiosk.ids import uuid7
from kiosk.records import Identity
from local_db import audit
from local_db.keys import SealError
from local_db.sealing import DRAFT_BODY
from local_db.sync_state import transaction


@dataclass(frozen=True)
class Draft:
    id: str
    agent_id: str
    item_id: str
    item_name: str
    identity: Identity | None
    answers: dict[str, str]
    updated_at: str
    expires_at: str


@dataclass(frozen=True)
class DraftSummary:
    """What the work queue shows of a draft: no answers, the masked name only."""
    id: str
    item_name: str
    updated_at: str
    expires_at: str
    applicant_masked: str


class DraftStore:
    """Writes under the application store's lock, on its connection (one writer)."""

    def __init__(self, store, keep_days: float = 7.0):
        self.db, self.lock, self.trail, self.clock = store.db, store._lock, store.audit, store.clock
        self.sealer = store.sealer
        self.keep_days = keep_days

    def save(self, agent_id: str, item_id: str, item_name: str, identity: Identity | None,
             answers: dict[str, str], draft_id: str | None = None) -> str:
        """Save a new draft, or replace the agent's draft `draft_id` (a resumed one saved again)."""
        now = self.clock()
        draft_id = draft_id or uuid7(now)
        body = json.dumps({"identity": asdict(identity) if identity else None, "answers": dict(answers)},
                          ensure_ascii=False)
        stamp, expires = _iso(now), _iso(now + timedelta(days=self.keep_days))
        entry = self.trail.entry(audit.agent_actor(agent_id), audit.DRAFT_SAVED, target=draft_id)
        with self.lock, transaction(self.db):
            self.db.execute("DELETE FROM drafts WHERE id=? AND agent_id=?", (draft_id, agent_id))
            self.db.execute(
                "INSERT INTO drafts (id, agent_id, item_id, item_name, body, created_at, updated_at, expires_at)"
                " VALUES (?,?,?,?,?,?,?,?)",
                (draft_id, agent_id, item_id, item_name, self.sealer.seal(body, DRAFT_BODY.context(draft_id)),
                 stamp, stamp, expires))
            self.trail.write(entry)
        return draft_id

    def load(self, draft_id: str, agent_id: str) -> Draft | None:
        """The agent's own draft, None if it is gone, expired or someone else's."""
        with self.lock:
            row = self.db.execute(
                "SELECT id, agent_id, item_id, item_name, body, updated_at, expires_at FROM drafts"
                " WHERE id=? AND agent_id=? AND expires_at > ?", (draft_id, agent_id, _iso(self.clock()))).fetchone()
        if row is None:
            return None
        body = json.loads(self.sealer.open(row[4], DRAFT_BODY.context(row[0])))
        identity = Identity(**body["identity"]) if body.get("identity") else None
        return Draft(row[0], row[1], row[2], row[3], identity, body.get("answers", {}), row[5], row[6])

    def list(self, agent_id: str) -> list[DraftSummary]:
        with self.lock:
            return drafts_of(self.db, self.sealer, agent_id, _iso(self.clock()))

    def discard(self, draft_id: str, agent_id: str) -> bool:
        entry = self.trail.entry(audit.agent_actor(agent_id), audit.DRAFT_DISCARDED, target=draft_id)
        with self.lock, transaction(self.db):   # secure_delete is on (ApplicationStore): freed pages are zeroed
            gone = self.db.execute("DELETE FROM drafts WHERE id=? AND agent_id=?", (draft_id, agent_id)).rowcount
            if gone:
                self.trail.write(entry)
        return bool(gone)

    def purge_expired(self) -> int:
        """Delete every draft past its expiry, one audit line each; returns how many."""
        now = _iso(self.clock())
        with self.lock:
            ids = [r[0] for r in self.db.execute("SELECT id FROM drafts WHERE expires_at <= ?", (now,)).fetchall()]
            if not ids:
                return 0
            entries = [self.trail.entry(audit.SYSTEM, audit.DRAFT_EXPIRED, target=i) for i in ids]
            with transaction(self.db):
                self.db.conn.executemany("DELETE FROM drafts WHERE id=?", [(i,) for i in ids])
                for entry in entries:
                    self.trail.write(entry)
        return len(ids)


def drafts_of(db, sealer, agent_id: str, now_iso: str) -> list[DraftSummary]:
    """Unexpired drafts of one agent, newest first. Call under the store's lock."""
    rows = db.execute("SELECT id, item_name, body, updated_at, expires_at FROM drafts WHERE agent_id=?"
                      " AND expires_at > ? ORDER BY updated_at DESC", (agent_id, now_iso)).fetchall()
    return [DraftSummary(r[0], r[1], r[3], r[4], _masked(sealer, r[0], r[2])) for r in rows]


def _masked(sealer, draft_id: str, body: str) -> str:
    try:
        identity = json.loads(sealer.open(body, DRAFT_BODY.context(draft_id))).get("identity")
    except (SealError, ValueError):   # a damaged value must not hide the agent's queue
        return ""
    return Identity(**identity).masked_name() if identity else ""


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")
