"""The district's policies bundle, applied live: which items are paused at this kiosk, and why.

Shape: `{"paused_items": {"<item id>": "<reason shown to residents>"}, ...}`. Unknown top-level keys are ignored
so that a newer hub's policies do not break an older kiosk. Sync checks a bundle with `parse_policies` before
installing it; `LivePolicies` then re-reads it from the database when sync says it was applied, and swaps the
whole immutable `Policies` in one assignment, so the flow on another thread sees either the old or the new.
"""
from __future__ import annotations

import json
import logging
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any, Callable, Mapping

from kiosk.live_bundle import LiveBundle

log = logging.getLogger(__name__)

POLICIES_BUNDLE = "policies"
MAX_REASON = 200


class PoliciesError(ValueError):
    """`str(exc)` is a short fixed reason that never repeats bundle content."""


@dataclass(frozen=True)
class Policies:
    paused_items: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))

    def paused_reason(self, item_id: str) -> str | None:
        return self.paused_items.get(item_id)


def parse_policies(data: Any) -> Policies:
    if not isinstance(data, dict):
        raise PoliciesError("not an object")
    paused = data.get("paused_items", {})
    if not isinstance(paused, dict):
        raise PoliciesError("paused_items is not an object")
    for reason in paused.values():
        if not isinstance(reason, str) or not reason.strip():
            raise PoliciesError("a paused item has no reason")
        if len(reason) > MAX_REASON:
            raise PoliciesError(f"a pause reason is longer than {MAX_REASON} characters")
    return Policies(MappingProxyType({str(k): v.strip() for k, v in paused.items()}))


def policies_from_json(payload: str | None) -> Policies:
    """The stored bundle's policies; none when absent or (a damaged database) unreadable."""
    if not payload:
        return Policies()
    try:
        return parse_policies(json.loads(payload))
    except ValueError as exc:
        log.warning("installed policies bundle unusable, none applied: %s", exc)
        return Policies()


class LivePolicies(LiveBundle[Policies]):
    """The policies in force, for the flow; `on_bundle_applied` is the EventBus listener for sync."""

    kind = POLICIES_BUNDLE

    def __init__(self, read_payload: Callable[[], str | None]):
        self.read_payload = read_payload   # the installed bundle's payload, read on the calling thread
        super().__init__(self._read() or Policies())

    def paused_reason(self, item_id: str) -> str | None:
        return self.current.paused_reason(item_id)

    def _in_force(self, policies: Policies, version: Any) -> None:
        log.info("policies bundle %s in force: %d item(s) paused", version, len(policies.paused_items))

    def _read(self) -> Policies | None:
        """None when the database cannot be read now: what is in force stays rather than failing a pull."""
        try:
            return policies_from_json(self.read_payload())
        except sqlite3.Error as exc:
            log.warning("policies bundle not readable: %s", exc)
            return None
