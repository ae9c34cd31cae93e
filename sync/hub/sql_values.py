"""Values as the hub's SQL backends hand them back: SQLite gives ISO text where PostgreSQL gives datetimes."""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any


def as_datetime(value: Any) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    return datetime.fromisoformat(value)


def iso_utc(value: Any) -> str:
    """UTC, to the second; "" for none."""
    moment = as_datetime(value)
    return moment.astimezone(timezone.utc).isoformat(timespec="seconds") if moment else ""
