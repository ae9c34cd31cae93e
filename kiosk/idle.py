"""Idle detection with an injected clock: warn, then expire, but never while a save or print is under way."""
from __future__ import annotations

import time
from contextlib import contextmanager
from dataclasses import dataclass
from enum import Enum
from typing import Callable, Iterator


class IdleState(str, Enum):
    ACTIVE = "active"
    WARNING = "warning"   # show a countdown: "还在吗？"
    EXPIRED = "expired"   # wipe the session and go home


@dataclass(frozen=True)
class IdleStatus:
    state: IdleState
    seconds_left: float


class IdleGuard:
    def __init__(self, timeout_s: float, warning_s: float, clock: Callable[[], float] = time.monotonic):
        if warning_s >= timeout_s:
            warning_s = timeout_s / 2
        self.timeout_s = timeout_s
        self.warning_s = warning_s
        self._base = (timeout_s, warning_s)   # as configured; stretch() scales from these, never compounds
        self._clock = clock
        self._last_touch = clock()
        self._busy = 0

    def stretch(self, factor: float) -> None:
        """Give the resident `factor` times as long (elderly mode); 1.0 returns to the configured times."""
        if factor <= 0:
            raise ValueError("factor must be positive")
        self.timeout_s, self.warning_s = (base * factor for base in self._base)

    def touch(self) -> None:
        self._last_touch = self._clock()

    @contextmanager
    def busy(self) -> Iterator[None]:
        """While saving or printing the session must not be wiped; the idle clock restarts afterwards."""
        self._busy += 1
        try:
            yield
        finally:
            self._busy -= 1
            self.touch()

    @property
    def is_busy(self) -> bool:
        return self._busy > 0

    def status(self) -> IdleStatus:
        if self._busy:
            return IdleStatus(IdleState.ACTIVE, self.timeout_s)
        left = self.timeout_s - (self._clock() - self._last_touch)
        if left <= 0:
            return IdleStatus(IdleState.EXPIRED, 0.0)
        if left <= self.warning_s:
            return IdleStatus(IdleState.WARNING, left)
        return IdleStatus(IdleState.ACTIVE, left)
