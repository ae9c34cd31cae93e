"""Settings of the QR scanner backends: declared once, in kiosk/config.py; a safe accessor for the backends.

Backends are also handed plain dicts (tests, tools); a key missing there falls back to the declared default.
"""
from __future__ import annotations

from typing import Any

from kiosk.config import SETTINGS

QR_BACKENDS = ("sim", "camera", "wedge", "serial")
_DEFAULTS = {s.key: s.default for s in SETTINGS if s.key.startswith("qr_")}


def setting(config: Any, key: str) -> Any:
    """config[key], or the default kiosk/config.py declares if the given config does not have the key."""
    try:
        return config[key]
    except KeyError:
        return _DEFAULTS[key]
