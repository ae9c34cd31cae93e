"""免申即享 claims: the resident's one tap "我要享受", stored durably as a `benefit_claim` record for the hub.

A claim goes through the application store's outbox (sealed at rest, pushed by sync like a need or a rating),
with its audit entry (ids and codes only) in the same transaction. What it carries is the minimum the
department needs to act: who (name, ID number and document type, as an application does: the department must
find the resident in its own registers), which benefit under which rules version, and only the
self-declarations that benefit's rule relied on (the department verifies them). Not the address, birth date,
gender, phone or photo: the department has them from the ID number.

So that a resident is not offered again what they already confirmed here, each claim leaves a marker in `meta`:
HMAC-SHA256(station key, ID number + benefit id), truncated. The key is random, per kiosk, and sealed with the
database's key ring, so the markers are no list of ID numbers (the ID space is small enough to search, the key
is not). A key that no longer opens (rotated away) is replaced: old markers then just stop matching.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import TYPE_CHECKING, Iterable, Mapping, Sequence

from kiosk.benefits import Benefit
from kiosk.ids import uuid7
from kiosk.records import Identity
from local_db import audit
from local_db.keys import SealError
from local_db.sync_state import SyncState, transaction

if TYPE_CHECKING:
    from local_db.store import ApplicationStore

KIND = "benefit_claim"
MARKER_KEY = "benefits.marker_key"
MARKER_PREFIX = "benefits.claimed."
_KEY_CONTEXT = "meta:" + MARKER_KEY


@dataclass(frozen=True)
class Claim:
    id: str                 # UUIDv7: the record id up to the hub
    benefit_id: str
    benefit_name: str
    department: str
    created_at: str         # ISO 8601 UTC


def claim_payload(claim: Claim, identity: Identity, declared: Mapping[str, bool], rules_version: str,
                  station_id: str, agent_id: str | None = None) -> dict:
    """What the hub receives. `item_name` is what the staff list shows for any record."""
    payload = {"id": claim.id, "kind": KIND, "item_id": claim.benefit_id, "item_name": f"免申即享 · {claim.benefit_name}",
               "station_id": station_id, "created_at": claim.created_at, "benefit_id": claim.benefit_id,
               "benefit_name": claim.benefit_name, "department": claim.department, "rules_version": rules_version,
               "applicant": {"name": identity.name, "id_number": identity.id_number, "doc_type": identity.doc_type},
               "declared": dict(declared)}
    if agent_id is not None:
        payload["filed_by"] = {"agent_id": agent_id, "role": "agent"}
    return payload


class BenefitClaims:
    """Claims in the kiosk database, sharing the application store's connection, writer lock, sealer and trail."""

    def __init__(self, store: "ApplicationStore"):
        self.store = store

    def claimed(self, identity: Identity, benefit_ids: Iterable[str]) -> frozenset[str]:
        """Which of `benefit_ids` this resident already confirmed at this kiosk."""
        ids = tuple(benefit_ids)
        with self.store._lock:
            state = SyncState(self.store.db)
            key = self._key(state, create=False)
            if key is None:
                return frozenset()
            return frozenset(b for b in ids if state.get(MARKER_PREFIX + _marker(key, identity, b)) is not None)

    def confirm(self, identity: Identity, benefits: Sequence[Benefit], declared: Mapping[str, bool],
                rules_version: str, agent_id: str | None = None) -> tuple[Claim, ...]:
        """One claim per benefit, with its outbox row, audit entry and marker, all in one transaction."""
        if not benefits:
            return ()
        store = self.store
        now = store.clock()
        at = now.isoformat(timespec="seconds")
        actor = audit.agent_actor(agent_id) if agent_id else audit.RESIDENT
        claims = []
        with store._lock, transaction(store.db):
            state = SyncState(store.db)
            key = self._key(state, create=True)
            for benefit in benefits:
                claim = Claim(uuid7(store.clock()), benefit.id, benefit.name, benefit.department, at)
                relied_on = {fact: value for fact, value in declared.items() if fact in benefit.facts}
                store.enqueue(claim.id, KIND, claim_payload(claim, identity, relied_on, rules_version,
                                                            store.station_id, agent_id), at)
                store.audit.write(store.audit.entry(actor, audit.BENEFIT_CLAIMED, target=claim.id))
                state.set(MARKER_PREFIX + _marker(key, identity, benefit.id), at)
                claims.append(claim)
        return tuple(claims)

    def _key(self, state: SyncState, create: bool) -> bytes | None:
        """Inside a transaction: the station's marker key; made (or remade, when it no longer opens) if asked."""
        sealer = self.store.sealer
        stored = state.get(MARKER_KEY)
        if stored is not None:
            try:
                return bytes.fromhex(sealer.open(stored, _KEY_CONTEXT))
            except (SealError, ValueError):
                pass
        if not create:
            return None
        key = secrets.token_bytes(32)
        state.set(MARKER_KEY, sealer.seal(key.hex(), _KEY_CONTEXT))
        return key


def _marker(key: bytes, identity: Identity, benefit_id: str) -> str:
    message = f"{identity.doc_type}\x1f{identity.id_number.upper()}\x1f{benefit_id}".encode("utf-8")
    return hmac.new(key, message, hashlib.sha256).hexdigest()[:32]
