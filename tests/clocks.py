"""Test clocks for the injected `clock()` callables (kiosk/ids.py `Clock`): time moves only when a test says so."""
from __future__ import annotations

from datetime import datetime, timedelta


class FakeClock:
    """Returns `now`; tests set it or `advance` it."""

    def __init__(self, start: datetime):
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kw: float) -> None:
        self.now += timedelta(**kw)


class TickingClock(FakeClock):
    """Each reading a second after the last: records made in a row get a stable order."""

    def __call__(self) -> datetime:
        self.now += timedelta(seconds=1)
        return self.now
