"""好差评: five levels and the standard reasons, as codes (the UI translates them).

A bad rating (1-3) must say why: at least one reason, or "other" with a short text (`rating_problem`). Old
records without reasons stay valid: the rule applies when a resident rates, never to what is stored or synced.
Every way a service ends names itself in the rating (`SERVICES`), so the hub can tell a filing from a query.
"""
from __future__ import annotations

LEVELS = (5, 4, 3, 2, 1)          # 非常满意 … 非常不满意, best first as residents read them
GOOD_REASONS = ("quick", "clear_guide", "easy_to_use", "no_trip", "helpful_staff")
OTHER = "other"                   # with a short text of the resident's own
BAD_REASONS = ("slow", "hard_to_use", "unclear_guide", "device_fault", "asked_twice", "not_done", OTHER)
MAX_COMMENT = 60
# How a service ended: a resident's own filing, an agent's filing for the resident, 一件事, a certificate request
# (证明直通车 filing), printing an issued certificate, a progress query, a booking, an 有求必应 need.
SERVICES = ("application", "agent_filing", "bundle", "certificate_request", "certificate_print", "progress_query",
            "booking", "need")


def reasons_for(level: int) -> tuple[str, ...]:
    """Good reasons for 4-5, what went wrong for 1-3 (a 3 is asked what could be better)."""
    if not 1 <= level <= 5:
        raise ValueError("level must be 1..5")
    return GOOD_REASONS if level >= 4 else BAD_REASONS


def is_bad(level: int) -> bool:
    return level <= 3


def rating_problem(level: int, reasons: tuple[str, ...], comment: str = "") -> str | None:
    """Why this rating cannot be submitted as it is: "reason_needed" (a bad rating with no reason, or "other"
    without its text), "comment_too_long", "unknown_reason"; None when it can."""
    allowed = reasons_for(level)
    if any(code not in allowed for code in reasons):
        return "unknown_reason"
    if len(comment.strip()) > MAX_COMMENT:
        return "comment_too_long"
    if not is_bad(level):
        return None
    named = [code for code in reasons if code != OTHER]
    if named or (OTHER in reasons and comment.strip()):
        return None
    return "reason_needed"
