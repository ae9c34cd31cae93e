"""Every setting has a Chinese name and description for the technician's 设置 tab (kiosk/settings_text.py)."""
import re

import pytest

from kiosk import settings_edit as se
from kiosk.config import SETTINGS
from kiosk.settings_text import TEXTS, text_for

CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.mark.parametrize("key", [s.key for s in SETTINGS])
def test_each_setting_has_chinese_text(key):
    assert key in TEXTS, f"add a Chinese name and description for {key!r} to kiosk/settings_text.py"
    text = TEXTS[key]
    assert CJK.search(text.name) and CJK.search(text.description)
    assert len(text.name) <= 12, "the name is a row title: keep it short"


def test_names_are_distinct_so_a_technician_can_tell_rows_apart():
    names = [text_for(s.key).name for s in SETTINGS]
    assert len(names) == len(set(names))


def test_rows_carry_the_chinese_text_and_keep_the_english_description(tmp_path):
    rows = {r.key: r for r in se.SettingsEditor(tmp_path).rows()}
    idle = rows["idle_timeout_s"]
    assert (idle.name, idle.description_zh) == (TEXTS["idle_timeout_s"].name, TEXTS["idle_timeout_s"].description)
    assert idle.description == "Seconds without a touch before the session is wiped"   # README's table uses it
    assert rows["technician_idle_timeout_s"].group == "维护模式"


def test_a_key_without_text_falls_back_to_itself_and_the_english():
    fallback = text_for("no_such_key", "Some description")
    assert (fallback.name, fallback.description) == ("no_such_key", "Some description")
