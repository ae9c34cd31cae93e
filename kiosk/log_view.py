"""The kiosk log for the maintenance log viewer: newest first, filtered by level, a page at a time. Qt-free.

Reads `<data dir>/logs/kiosk.log` and its rotated files (kiosk.log.1 … .5) as main.py writes them
("%(asctime)s %(levelname)s %(name)s: %(message)s"). Every line passes the redaction net again
(kiosk/log_redaction.py) before it is returned, in case an older or hand-copied file slipped past it. A line that
does not start a record (a traceback's lines) belongs to the record above it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from kiosk.diagnostics import log_tail

LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
MAX_LINES = 5000                  # read at most the newest lines of the log files
PAGE_SIZE = 40
_RECORD = re.compile(r"(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d)(?:,\d+)? (DEBUG|INFO|WARNING|ERROR|CRITICAL) ([^:\s]+): ?(.*)")


@dataclass(frozen=True)
class LogEntry:
    at: str                       # "2026-11-25 09:30:01", the kiosk's local time as logged; "" if unknown
    level: str
    source: str                   # the logger's name
    text: str                     # first line of the message, redacted
    more: tuple[str, ...] = ()    # following lines (a traceback), redacted


@dataclass(frozen=True)
class LogPage:
    entries: tuple[LogEntry, ...]
    page: int                     # 0 = newest
    pages: int
    total: int                    # entries at or above the level


def parse(lines: list[str]) -> list[LogEntry]:
    """Records oldest first; lines before the first record are kept as one of level INFO, source '?'."""
    entries: list[LogEntry] = []
    for raw in lines:
        line = raw.rstrip("\n")
        match = _RECORD.fullmatch(line)
        if match:
            entries.append(LogEntry(*match.groups()))
        elif entries:
            last = entries[-1]
            entries[-1] = LogEntry(last.at, last.level, last.source, last.text, last.more + (line,))
        elif line.strip():
            entries.append(LogEntry("", "INFO", "?", line))
    return entries


def at_least(entries: list[LogEntry], level: str) -> list[LogEntry]:
    floor = LEVELS.index(level) if level in LEVELS else 0
    return [e for e in entries if LEVELS.index(e.level) >= floor]


def read_page(data_dir: Path | str, level: str = "DEBUG", page: int = 0, page_size: int = PAGE_SIZE,
              max_lines: int = MAX_LINES) -> LogPage:
    """Page `page` (0 = newest) of the entries at or above `level`, newest first; out-of-range pages are clamped."""
    entries = at_least(parse(log_tail(Path(data_dir), max_lines)), level)   # log_tail redacts every line
    entries.reverse()
    pages = max(1, -(-len(entries) // page_size))
    page = min(max(page, 0), pages - 1)
    return LogPage(tuple(entries[page * page_size:(page + 1) * page_size]), page, pages, len(entries))
