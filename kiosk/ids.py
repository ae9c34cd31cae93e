"""Identifiers: UUIDv7 record ids (time-ordered idempotency keys) and human receipt numbers."""
from __future__ import annotations

import os
import uuid
from datetime import datetime, timezone
from typing import Callable

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


def uuid7(now: datetime | None = None, rand: Callable[[int], bytes] = os.urandom) -> str:
    """RFC 9562 UUIDv7: 48-bit Unix milliseconds, version, 74 random bits."""
    ms = int((now or utc_now()).timestamp() * 1000) & ((1 << 48) - 1)
    tail = int.from_bytes(rand(10), "big")
    rand_a = tail >> 68 & 0xFFF
    rand_b = tail & ((1 << 62) - 1)
    value = ms << 80 | 0x7 << 76 | rand_a << 64 | 0b10 << 62 | rand_b
    return str(uuid.UUID(int=value))


def receipt_number(station_code: str, day: datetime, sequence: int) -> str:
    """e.g. DH001-20261125-0007: station, local day, running number of that day (read aloud at a counter)."""
    return f"{station_code}-{day:%Y%m%d}-{sequence:04d}"
