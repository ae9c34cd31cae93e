"""Fuzzing the settings files: config.json in the data directory and the installed config bundle.

Properties: `load_config` never raises, whatever the two layers hold; every setting then has its declared type,
one of its choices, and (for numbers) a finite value, falling back to the layer below or the default; every
value not taken is named in `problems`; `check_central` answers any value with a list of short reasons.
"""
from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from kiosk.config import SETTINGS, Config, check_central, load_config
from tests.fuzz.budget import HANG_S

pytestmark = pytest.mark.timeout(HANG_S)

JSON_SCALARS = (st.none() | st.booleans() | st.integers(-2**70, 2**70) | st.floats() | st.text(max_size=20)
                | st.sampled_from([s for setting in SETTINGS for s in setting.choices]))
JSON_VALUES = st.recursive(JSON_SCALARS, lambda inner: st.lists(inner, max_size=3)
                           | st.dictionaries(st.text(max_size=8), inner, max_size=3), max_leaves=8)
KEYS = st.sampled_from([s.key for s in SETTINGS]) | st.text(max_size=12)
SETTINGS_OBJECTS = st.dictionaries(KEYS, JSON_VALUES, max_size=8)
FILES = (SETTINGS_OBJECTS.map(lambda d: json.dumps(d, ensure_ascii=False).encode())
         | JSON_VALUES.map(lambda v: json.dumps(v).encode()) | st.binary(max_size=100)
         | st.just(b"[" * 5000) | st.just(b'{"sync_batch_size": ' + b"9" * 5000 + b"}"))


def assert_sound(config: Config) -> None:
    for setting in SETTINGS:
        value = config[setting.key]
        assert type(value) is setting.type, setting.key
        assert not setting.choices or value in setting.choices, setting.key
        if setting.type is float:
            assert math.isfinite(value), setting.key
    assert all(isinstance(p, str) for p in config.problems)


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("data")


@given(FILES)
@example(b"[" * 5000)
@example(b'{"idle_timeout_s": NaN, "sync_interval_s": Infinity, "device_timeout_s": -Infinity}')
@example(b'{"sync_timeout_s": 1e400}')
@example(b"\xef\xbb\xbf{}")
@example(b'{"fullscreen": 1, "printer_width_mm": 80.0, "log_level": "debug"}')
def test_any_config_json_loads_with_fallbacks(data_dir, content):
    (data_dir / "config.json").write_bytes(content)
    assert_sound(load_config(data_dir))


@given(st.text(max_size=200) | SETTINGS_OBJECTS.map(json.dumps) | st.just("[" * 5000), FILES)
@example('{"sync_interval_s": NaN}', b"{}")
@example("[" * 5000, b"{}")
def test_any_installed_bundle_and_config_json_load_with_fallbacks(data_dir, central_json, content):
    (data_dir / "config.json").write_bytes(content)
    assert_sound(load_config(data_dir, central_json))


@given(SETTINGS_OBJECTS)
def test_a_value_not_taken_is_named_in_the_problems(values):
    config = Config(values)
    assert_sound(config)
    for key, value in values.items():
        if key in config.as_dict() and config[key] != value:
            assert any(repr(key) in p for p in config.problems)


@given(JSON_VALUES | SETTINGS_OBJECTS)
def test_check_central_answers_anything_with_short_reasons(values):
    problems = check_central(values)
    assert isinstance(problems, list) and all(isinstance(p, str) and len(p) < 200 for p in problems)
