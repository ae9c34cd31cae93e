"""Policies from the district apply while the kiosk runs: swapped whole when sync says a bundle was installed."""
import sqlite3

import pytest

from kiosk.events import EventBus
from kiosk.policies import LivePolicies, PoliciesError, parse_policies
from sync.events import BundleApplied

PAUSED = '{"paused_items": {"zm.hj_proof": "系统升级，暂停至周五"}, "from_a_newer_hub": 1}'


class Stored:
    """The installed payload as the database would give it; `fail` makes the read raise."""

    def __init__(self, payload=None):
        self.payload, self.fail = payload, False

    def __call__(self):
        if self.fail:
            raise sqlite3.OperationalError("database is locked")
        return self.payload


def live(stored: Stored) -> tuple[LivePolicies, EventBus]:
    bus = EventBus()
    policies = LivePolicies(stored)
    bus.subscribe(BundleApplied, policies.on_bundle_applied)
    return policies, bus


def test_policies_installed_before_the_start_apply_at_once():
    policies, _ = live(Stored(PAUSED))
    assert policies.paused_reason("zm.hj_proof") == "系统升级，暂停至周五"
    assert policies.paused_reason("zm.res_proof") is None


def test_a_policies_bundle_swaps_in_and_a_later_one_lifts_the_pause():
    stored = Stored()
    policies, bus = live(stored)
    assert policies.paused_reason("zm.hj_proof") is None
    stored.payload = PAUSED
    bus.publish(BundleApplied("config", 4))     # not ours
    assert policies.paused_reason("zm.hj_proof") is None
    bus.publish(BundleApplied("policies", 2))
    assert policies.paused_reason("zm.hj_proof") == "系统升级，暂停至周五"
    stored.payload = "{}"
    bus.publish(BundleApplied("policies", 3))
    assert policies.current.paused_items == {}


def test_an_unreadable_database_keeps_what_is_in_force():
    stored = Stored(PAUSED)
    policies, bus = live(stored)
    stored.fail = True
    bus.publish(BundleApplied("policies", 2))
    assert policies.paused_reason("zm.hj_proof") == "系统升级，暂停至周五"
    assert LivePolicies(stored).current.paused_items == {}   # at start: none rather than no start


def test_the_policies_in_force_cannot_be_changed_in_place():
    policies = parse_policies({"paused_items": {"a": " 暂停 "}})
    assert policies.paused_reason("a") == "暂停"
    with pytest.raises(TypeError):
        policies.paused_items["b"] = "x"
    with pytest.raises(PoliciesError):
        parse_policies(None)
