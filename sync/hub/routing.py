"""证明直通车 on the hub: a certificate request moves village → town → district, one level at a time.

The route comes with the request (`payload["route"]`, kiosk/certificates.py). Staff forward it to the next level;
each level is a status ("at_town", "at_district") in the station's status stream, so the resident sees where the
request is. A record never skips a level nor goes back, and a finished one (done, rejected, certificate issued)
is not forwarded. The store checks this inside the status change's transaction (sql_store.set_status).
"""
from __future__ import annotations

from typing import Any, Iterable

LEVELS = ("village", "town", "district")
LEVEL_STATUSES = {"town": "at_town", "district": "at_district"}   # the status saying a level has the record
FINISHED = ("done", "rejected", "certificate_issued")
LEVEL_LABELS = {"village": "村（服务站）", "town": "镇", "district": "区部门"}


class RouteRefused(Exception):
    """`reason`: no_route (not a certificate request), finished, out_of_order (skips a level or goes back),
    at_end (the last level already has it)."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def is_level_status(status: str) -> bool:
    return status in LEVEL_STATUSES.values()


def route_of(payload: dict[str, Any]) -> tuple[str, ...]:
    """The request's route if it is a well-formed one (starts here, levels in order), else ()."""
    route = payload.get("route")
    if not isinstance(route, list) or not route or route[0] != "village":
        return ()
    if any(not isinstance(level, str) for level in route) or list(route) != list(LEVELS[:len(route)]):
        return ()
    return tuple(route)


def current_level(statuses: Iterable[str]) -> str:
    """The last level reached, from the record's status history (oldest first)."""
    level = "village"
    for status in statuses:
        for name, level_status in LEVEL_STATUSES.items():
            if status == level_status:
                level = name
    return level


def next_level(route: tuple[str, ...], level: str) -> str | None:
    if level not in route:
        return None
    at = route.index(level)
    return route[at + 1] if at + 1 < len(route) else None


def check_forward(payload: dict[str, Any], status: str, history: Iterable[str], wanted: str) -> None:
    """Raise RouteRefused unless `wanted` (a level status) is the record's next step."""
    route = route_of(payload)
    if not route:
        raise RouteRefused("no_route")
    if status in FINISHED:
        raise RouteRefused("finished")
    following = next_level(route, current_level(history))
    if following is None:
        raise RouteRefused("at_end")
    if LEVEL_STATUSES[following] != wanted:
        raise RouteRefused("out_of_order")


def next_status(payload: dict[str, Any], status: str, history: Iterable[str]) -> str | None:
    """The status "转下一级" would set, or None when the record cannot be forwarded."""
    route = route_of(payload)
    following = next_level(route, current_level(history)) if route and status not in FINISHED else None
    return LEVEL_STATUSES[following] if following else None
