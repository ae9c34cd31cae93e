"""Crashes inside the kiosk process, Qt-free: what may be logged about one, and when too many mean a restart.

An exception that escapes a Qt slot or a thread is described by its type and where it was raised: module, line
and function of each frame, never local variables and never `str(exc)`, because an exception's text may quote
what a resident entered (`int("王海生")` says the name). The only details kept are codes that cannot carry
personal data: an OSError's errno name (ENOSPC) and an SQLite error's result-code name (SQLITE_FULL).

A storm of crashes (by default 5 within a minute) means recovering to the home screen does not help: the
process exits with EXIT_CRASH_STORM and the service manager (systemd, Restart=always) starts it afresh.
"""
from __future__ import annotations

import errno
import time
from collections import deque
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Callable

EXIT_CRASH_STORM = 70          # EX_SOFTWARE: an internal error; the service manager restarts the kiosk
MAX_FRAMES = 8                 # innermost frames logged: enough to find the bug, short enough to read
_ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class CrashReport:
    kind: str                  # the exception's qualified type name, e.g. "KeyError", "sqlite3.OperationalError"
    detail: str                # errno / SQLite code name when there is one, else ""
    frames: tuple[str, ...]    # "ui/resident.py:120 show_form", outermost first, at most MAX_FRAMES
    causes: tuple[str, ...]    # type names of the chained exceptions (__cause__ / __context__), nearest first
    thread: str

    def log_line(self) -> str:
        kind = f"{self.kind}[{self.detail}]" if self.detail else self.kind
        chain = f" (after {' <- '.join(self.causes)})" if self.causes else ""
        where = " > ".join(self.frames) or "no traceback"
        return f"{kind}{chain} in thread {self.thread} at {where}"


def describe(exc_type: type[BaseException], exc: BaseException | None, tb: TracebackType | None,
             thread: str = "main") -> CrashReport:
    return CrashReport(_type_name(exc_type), safe_detail(exc), _frames(tb), _causes(exc), thread)


def safe_detail(exc: BaseException | None) -> str:
    """A code that names the failure without quoting any value; "" for every other exception."""
    import sqlite3

    if isinstance(exc, OSError) and isinstance(exc.errno, int):
        return errno.errorcode.get(exc.errno, str(exc.errno))
    if isinstance(exc, sqlite3.Error):
        return str(getattr(exc, "sqlite_errorname", "") or "")
    return ""


def _type_name(exc_type: type) -> str:
    module = getattr(exc_type, "__module__", "") or ""
    name = getattr(exc_type, "__qualname__", None) or getattr(exc_type, "__name__", "?")
    return name if module in ("builtins", "") else f"{module}.{name}"


def _frames(tb: TracebackType | None) -> tuple[str, ...]:
    found = []
    while tb is not None:
        code = tb.tb_frame.f_code
        found.append(f"{_short_path(code.co_filename)}:{tb.tb_lineno} {code.co_name}")
        tb = tb.tb_next
    return tuple(found[-MAX_FRAMES:])


def _short_path(filename: str) -> str:
    """Relative to the project for its own modules; a library's file by name only (no home directories)."""
    path = Path(filename)
    try:
        return path.resolve().relative_to(_ROOT).as_posix()
    except (ValueError, OSError):
        return path.name


def _causes(exc: BaseException | None) -> tuple[str, ...]:
    found: list[str] = []
    seen = {id(exc)}
    link = (exc.__cause__ or exc.__context__) if exc is not None else None
    while link is not None and id(link) not in seen and len(found) < 5:
        seen.add(id(link))
        found.append(_type_name(type(link)))
        link = link.__cause__ or link.__context__
    return tuple(found)


class CrashStorm:
    """Counts crashes; `record()` says True once `limit` of them fell within `window_s` seconds."""

    def __init__(self, limit: int = 5, window_s: float = 60.0, clock: Callable[[], float] = time.monotonic):
        self.limit = max(int(limit), 1)
        self.window_s = float(window_s)
        self._clock = clock
        self._times: deque[float] = deque()

    def record(self) -> bool:
        now = self._clock()
        self._times.append(now)
        while self._times and now - self._times[0] > self.window_s:
            self._times.popleft()
        return len(self._times) >= self.limit

    @property
    def recent(self) -> int:
        return len(self._times)
