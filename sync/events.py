"""Events the sync engine publishes on the kiosk's EventBus (plain dataclasses; `ui/bridge.py` marshals them).

No personal data: record ids, statuses, versions and certificate numbers only.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RecordStatusChanged:
    """The hub moved one of this station's records on (accepted, needs_material, done, certificate_issued...)."""
    record_id: str
    status: str
    at: str
    note: str = ""
    certificate_number: str = ""


@dataclass(frozen=True)
class BundleApplied:
    """A verified catalog/policies/config bundle is installed; the kiosk may reload (e.g. the catalog)."""
    kind: str
    version: int
