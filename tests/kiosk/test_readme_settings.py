"""The README's settings table names every setting kiosk/config.py declares, so a new one cannot go undocumented."""
from __future__ import annotations

import re
from pathlib import Path

from kiosk.config import SETTINGS

README = Path(__file__).resolve().parents[2] / "README.md"


def test_every_setting_is_in_the_readme_table():
    listed = re.findall(r"^\| `([a-z_0-9]+)` \|", README.read_text(encoding="utf-8"), re.M)
    assert [s.key for s in SETTINGS if s.key not in listed] == []
    assert len(listed) == len(set(listed))
