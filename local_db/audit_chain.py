"""The audit hash chain: one canonical encoding, and the walk that checks it, for the station and the hub alike.

Entry n of a station carries `seq` n (1, 2, 3…), `prev_hash` (the hash of entry n-1; 64 zeros for entry 1) and
`hash` = sha256 of the JSON array [seq, prev_hash, id, at, actor, action, target, outcome, station_id] (UTF-8,
no spaces, non-ASCII kept as is). Editing any field of an entry changes its hash; deleting or moving an entry
breaks the next entry's link. Pure Python: the hub imports it without the kiosk's database.
"""
from __future__ import annotations

import enum
import hashlib
import json
from dataclasses import dataclass, field
from typing import Any, Iterable

GENESIS = "0" * 64


@dataclass(frozen=True)
class Link:
    """One chained entry as stored or received; `seq` None: an entry written before the chain existed."""
    seq: int | None
    prev_hash: str | None
    hash: str | None
    id: str
    at: str
    actor: str
    action: str
    target: str
    outcome: str
    station_id: str

    def expected_hash(self) -> str:
        return link_hash(self.seq, self.prev_hash, self.id, self.at, self.actor, self.action, self.target,
                         self.outcome, self.station_id)


def link_hash(seq: int | None, prev_hash: str | None, id: str, at: str, actor: str, action: str, target: str,
              outcome: str, station_id: str) -> str:
    encoded = json.dumps([seq, prev_hash, id, at, actor, action, target, outcome, station_id],
                         ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(encoded.encode("utf-8")).hexdigest()


class Problem(str, enum.Enum):
    EDITED = "edited"          # the entry's hash does not recompute from its fields
    MISSING = "missing"        # a seq is absent (the station's own copy: an entry was deleted)
    REORDERED = "reordered"    # the entry recomputes but does not link to the entry before it
    DUPLICATE = "duplicate"    # two different entries share one seq (a forked or spliced chain)
    UNCHAINED = "unchained"    # an entry without a seq where the chain should cover every entry


@dataclass(frozen=True)
class ChainReport:
    ok: bool
    checked: int                                   # entries walked
    first_bad_seq: int | None = None
    problem: Problem | None = None
    detail: str = ""                               # ids and seqs only, never an entry's fields
    head_seq: int = 0                              # the last entry that verified
    head_hash: str = GENESIS
    gaps: tuple[tuple[int, int], ...] = ()         # hub: seq ranges not received (yet), inclusive
    unchained: int = 0                             # hub: entries pushed before their station chained them

    def to_json(self) -> dict[str, Any]:
        return {"ok": self.ok, "checked": self.checked, "first_bad_seq": self.first_bad_seq,
                "problem": self.problem.value if self.problem else None, "detail": self.detail,
                "head_seq": self.head_seq, "head_hash": self.head_hash, "gaps": [list(g) for g in self.gaps],
                "unchained": self.unchained}


@dataclass
class _Walk:
    checked: int = 0
    head_seq: int = 0
    head_hash: str = GENESIS
    gaps: list[tuple[int, int]] = field(default_factory=list)
    unchained: int = 0

    def bad(self, seq: int | None, problem: Problem, detail: str) -> ChainReport:
        return ChainReport(False, self.checked, seq, problem, detail, self.head_seq, self.head_hash,
                           tuple(self.gaps), self.unchained)


def check_links(links: Iterable[Link], *, gaps_allowed: bool = False, unchained: int = 0) -> ChainReport:
    """Walk `links` sorted by seq. The station's copy allows no gap (`MISSING`); the hub's may lack entries
    not pushed yet, so a gap is listed in `gaps` and the entry after it is checked on its own hash only."""
    walk = _Walk(unchained=unchained)
    previous: Link | None = None
    for link in links:
        if link.seq is None:
            return walk.bad(None, Problem.UNCHAINED, f"entry {link.id} has no chain position")
        if previous is not None and link.seq == previous.seq:
            if link.hash == previous.hash and link.id == previous.id:
                continue                                   # the same entry twice (a re-push): nothing new
            return walk.bad(link.seq, Problem.DUPLICATE, f"seq {link.seq} is held by {previous.id} and {link.id}")
        expected = walk.head_seq + 1
        linked = True
        if link.seq > expected:
            if not gaps_allowed:
                return walk.bad(expected, Problem.MISSING, f"seq {expected}..{link.seq - 1} absent")
            walk.gaps.append((expected, link.seq - 1))
            linked = False
        if link.hash != link.expected_hash():
            return walk.bad(link.seq, Problem.EDITED, f"entry {link.id} does not match its hash")
        if linked and link.prev_hash != walk.head_hash:
            return walk.bad(link.seq, Problem.REORDERED, f"entry {link.id} does not follow seq {walk.head_seq}")
        walk.checked += 1
        walk.head_seq, walk.head_hash, previous = link.seq, link.hash, link
    return ChainReport(True, walk.checked, None, None, "", walk.head_seq, walk.head_hash, tuple(walk.gaps),
                       unchained)
