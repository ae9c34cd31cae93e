"""Checking a station's audit trail as the hub received it (the chain is local_db/audit_chain.py's).

The hub holds what the station has pushed so far, so a seq missing from its copy is a gap (not pushed yet, or
held in the station's quarantine) and is listed apart from tampering: an entry that does not match its hash,
does not link to the entry before it, shares its seq with another, or names another station. Entries pushed
before the station chained its trail carry no seq; they are counted as `unchained` and not checked.
"""
from __future__ import annotations

from typing import Any, Iterable

from local_db.audit_chain import ChainReport, Link, Problem, check_links
from sync.hub.store import HubStore, StoredRecord

_FIELDS = ("id", "created_at", "actor", "action", "target", "outcome", "station_id")


def verify_station(store: HubStore, station_id: str) -> ChainReport:
    return verify_records(station_id, store.records_of_kind(station_id, "audit"))


def verify_records(station_id: str, records: Iterable[StoredRecord]) -> ChainReport:
    links, unchained = [], 0
    for record in records:
        payload = record.payload
        if "seq" not in payload:
            unchained += 1
            continue
        link = _link(payload)
        if link is None or link.id != record.id or link.station_id != station_id:
            detail = f"entry {record.id} has malformed chain fields or names another station"
            return ChainReport(False, 0, None, Problem.EDITED, detail, unchained=unchained)
        links.append(link)
    links.sort(key=lambda link: (link.seq, link.id))
    return check_links(links, gaps_allowed=True, unchained=unchained)


def _link(payload: dict[str, Any]) -> Link | None:
    seq, prev_hash, digest = payload.get("seq"), payload.get("prev_hash"), payload.get("hash")
    fields = [payload.get(name) for name in _FIELDS]
    if (type(seq) is not int or seq < 1 or not isinstance(prev_hash, str) or not isinstance(digest, str)
            or not all(isinstance(value, str) for value in fields)):
        return None
    record_id, at, actor, action, target, outcome, station = fields
    return Link(seq, prev_hash, digest, record_id, at, actor, action, target, outcome, station)
