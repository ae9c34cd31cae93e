"""UI tests run offscreen against a real core on a temporary data directory (simulated devices, no sync)."""
from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ["QT_QPA_PLATFORM"] = "offscreen"   # before any Qt import
os.environ["QT_IM_MODULE"] = "qtvirtualkeyboard"   # the kiosk's input method (ui/osk.py prepare_input_method)
os.environ["QT_VIRTUALKEYBOARD_DESKTOP_DISABLE"] = "1"

import pytest  # noqa: E402
from ui_helpers import make_core  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def pytest_collection_modifyitems(config, items):
    """The offscreen platform warns that it cannot propagate size hints; that is noise, not a failure."""
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.qt_log_ignore("propagateSizeHints"))


@pytest.fixture
def core_factory(tmp_path):
    cores = []

    def factory(**overrides):
        core = make_core(tmp_path / f"kiosk{len(cores)}", **overrides)
        cores.append(core)
        return core

    yield factory
    for core in cores:
        core.stop()


@pytest.fixture
def core(core_factory):
    return core_factory()


@pytest.fixture
def window(qtbot, core):
    from ui_helpers import open_window

    win = open_window(qtbot, core)
    yield win
    win.shutdown()
