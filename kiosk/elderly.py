"""Elderly mode (适老化) and touch-size rules, Qt-free: how much larger, how few choices per screen, how much
longer before the idle wipe, and how many pixels a 9 mm finger target needs on this screen.

The UI (ui/elderly.py) applies these while the session's `Prefs.elderly` is on; the session's end turns it off.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Sequence, TypeVar

T = TypeVar("T")

MM_PER_INCH = 25.4
MIN_TARGET_MM = 9.0          # the minimum touch target (a fingertip is about 8-10 mm wide)
# A typical kiosk panel: 15.6 inches diagonal at 1280 × 800 pixels, about 96.8 pixels per inch.
DEFAULT_PANEL = (15.6, 1280, 800)


def panel_dpi(diagonal_in: float, width_px: int, height_px: int) -> float:
    return math.hypot(width_px, height_px) / diagonal_in


DEFAULT_DPI = round(panel_dpi(*DEFAULT_PANEL), 1)


def target_px(dpi: float, mm: float = MIN_TARGET_MM) -> int:
    """The fewest pixels that measure at least `mm` on a screen of `dpi` pixels per inch."""
    if dpi <= 0:
        raise ValueError("dpi must be positive")
    return math.ceil(mm / MM_PER_INCH * dpi)


def plausible_dpi(reported: float) -> bool:
    """Screens without a usable EDID report made-up sizes; outside this range the number is not believed."""
    return 60.0 <= reported <= 400.0


@dataclass(frozen=True)
class ElderlyRules:
    font_scale: float = 1.35      # every text role, measured against the standard sheet
    timeout_factor: float = 2.0   # idle timeout and its warning, multiplied
    home_themes: int = 4          # "我要…" tiles on home: only the most used (the catalog lists them first)
    tile_columns: int = 2
    tiles_per_page: int = 6       # theme / category / 一件事 pages: two columns of three, then 下一页
    rows_per_page: int = 4        # item lists and search results
    fields_per_page: int = 1      # the application form: one question at a time (the panel has room for one)

    @classmethod
    def from_config(cls, config) -> "ElderlyRules":
        factor = float(config["elderly_timeout_factor"])
        return cls(timeout_factor=max(1.0, factor))   # elderly mode never shortens the time to answer


@dataclass(frozen=True)
class Page:
    index: int    # 0-based, clamped to the pages there are
    count: int    # at least 1 (an empty list is one empty page)
    start: int
    stop: int

    @property
    def has_previous(self) -> bool:
        return self.index > 0

    @property
    def has_next(self) -> bool:
        return self.index < self.count - 1

    def items(self, sequence: Sequence[T]) -> list[T]:
        return list(sequence[self.start:self.stop])


def page(total: int, per_page: int, index: int) -> Page:
    """Which slice of `total` entries page `index` shows; `per_page` 0 or less shows everything on one page."""
    if per_page <= 0 or total <= per_page:
        return Page(0, 1, 0, total)
    count = math.ceil(total / per_page)
    index = min(max(index, 0), count - 1)
    return Page(index, count, index * per_page, min(total, (index + 1) * per_page))
