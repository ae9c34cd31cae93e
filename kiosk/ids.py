"""Identifiers: UUIDv7 record ids (time-ordered idempotency keys) and human receipt numbers."""
from __future__ import annotations

import os
import threading
import uuid
from datetime import datetime, timedelta, timezone
from typing import Callable

Clock = Callable[[], datetime]
CST = timezone(timedelta(hours=8))   # China Standard Time: what receipts, lockouts and staff pages show


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


_last_uuid7 = [0, 0]            # (ms, rand_a) of the last id made in this process
_uuid7_lock = threading.Lock()


def uuid7(now: datetime | None = None, rand: Callable[[int], bytes] = os.urandom) -> str:
    """RFC 9562 UUIDv7: 48-bit Unix milliseconds, version, 12-bit rand_a, 62 random bits.

    Ids made in one process are strictly increasing (RFC 9562 method 1: within one millisecond, or when the
    clock steps back, rand_a counts up from the last id), so sorting by id keeps submission order — the hub
    inserts a batch in id order.
    """
    ms = int((now or utc_now()).timestamp() * 1000) & ((1 << 48) - 1)
    tail = int.from_bytes(rand(10), "big")
    rand_a = tail >> 68 & 0xFFF
    rand_b = tail & ((1 << 62) - 1)
    with _uuid7_lock:
        last_ms, last_a = _last_uuid7
        if ms < last_ms or (ms == last_ms and rand_a <= last_a):
            ms, rand_a = last_ms, last_a + 1
            if rand_a > 0xFFF:   # 4096 ids in one millisecond: borrow the next one
                ms, rand_a = ms + 1, 0
        _last_uuid7[:] = [ms, rand_a]
    value = ms << 80 | 0x7 << 76 | rand_a << 64 | 0b10 << 62 | rand_b
    return str(uuid.UUID(int=value))


def receipt_number(station_code: str, day: datetime, sequence: int) -> str:
    """e.g. DH001-20261125-0007: station, local day, running number of that day (read aloud at a counter)."""
    return f"{station_code}-{day:%Y%m%d}-{sequence:04d}"
