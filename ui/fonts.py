"""Choosing a font that really has Chinese glyphs (font fallback makes QFontMetrics.inFont lie)."""
from __future__ import annotations

import logging

from PySide6.QtGui import QFont, QFontDatabase, QRawFont

log = logging.getLogger(__name__)

CANDIDATES = (
    "Noto Sans CJK SC",
    "Source Han Sans SC",
    "Source Han Sans CN",
    "WenQuanYi Micro Hei",
    "WenQuanYi Zen Hei",
    "Microsoft YaHei",
    "PingFang SC",
)
PROBE = "政务办！，"   # i18n: as-is; checked by code point: the str overload misreports full-width forms
BASE_PIXEL_SIZE = 26


def has_cjk(family: str) -> bool:
    raw = QRawFont.fromFont(QFont(family))
    return raw.isValid() and all(raw.supportsCharacter(ord(ch)) for ch in PROBE)


def pick_family(candidates: tuple[str, ...] = CANDIDATES) -> str:
    """The first candidate that really draws '政', else any installed family that does, else the default."""
    for family in candidates:
        if has_cjk(family):
            return family
    for family in QFontDatabase.families():
        if has_cjk(family):
            log.warning("no preferred CJK font; using %s", family)
            return family
    log.error("no installed font draws Chinese; text will show as boxes")
    return QFont().family()


def kiosk_font(family: str, pixel_size: int = BASE_PIXEL_SIZE) -> QFont:
    font = QFont(family)
    font.setPixelSize(pixel_size)
    font.setHintingPreference(QFont.HintingPreference.PreferFullHinting)
    return font
