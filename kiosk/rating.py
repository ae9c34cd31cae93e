"""好差评: five levels and the standard reasons, as codes (the UI translates them)."""
from __future__ import annotations

LEVELS = (5, 4, 3, 2, 1)          # 非常满意 … 非常不满意, best first as residents read them
GOOD_REASONS = ("quick", "clear_guide", "easy_to_use", "no_trip", "helpful_staff")
BAD_REASONS = ("slow", "hard_to_use", "unclear_guide", "device_fault", "asked_twice", "not_done")


def reasons_for(level: int) -> tuple[str, ...]:
    """Good reasons for 4-5, what went wrong for 1-3 (a 3 is asked what could be better)."""
    if not 1 <= level <= 5:
        raise ValueError("level must be 1..5")
    return GOOD_REASONS if level >= 4 else BAD_REASONS
