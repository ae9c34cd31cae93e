"""Idle: a warning with a countdown, then a wipe of everything personal; never while saving or printing."""
from __future__ import annotations

import time
from contextlib import ExitStack

import pytest
from ui_helpers import WAIT_MS, go_to_confirm, go_to_form, joined_texts, open_window, tap, wait_screen

TIMEOUT_S, WARNING_S = 2.0, 1.2


@pytest.fixture
def quick_window(qtbot, core_factory):
    core = core_factory(idle_timeout_s=TIMEOUT_S, idle_warning_s=WARNING_S)
    window = open_window(qtbot, core)
    window.idle.set_interval(50)
    yield window, core
    window.shutdown()


def personal_texts(window) -> list[str]:
    shown = joined_texts(window)
    return [t for t in ("王**", "330***********1232", "13800000000", "DH001-", "渔港路") if t in shown]


def test_warning_then_expiry_wipes_every_widget(qtbot, quick_window):
    window, core = quick_window
    go_to_confirm(qtbot, window, core)
    assert personal_texts(window), "the confirm screen should show the (masked) resident"
    qtbot.waitUntil(window.overlay.isVisible, timeout=WAIT_MS)
    assert "秒后返回首页" in window.overlay.countdown.text()
    wait_screen(qtbot, window, window.screens.home)
    assert not window.overlay.isVisible()
    assert window.resident.session is None
    assert personal_texts(window) == []
    assert window.screens.form.editors == {}


def test_continue_button_keeps_the_session(qtbot, quick_window):
    window, core = quick_window
    go_to_form(qtbot, window, core)
    qtbot.waitUntil(window.overlay.isVisible, timeout=WAIT_MS)
    session = window.resident.session
    tap(qtbot, window.overlay.findChildren(type(window.screens.form.next_button))[0])
    assert not window.overlay.isVisible()
    assert window.nav.current is window.screens.form and window.resident.session is session


def test_expiry_waits_while_the_core_is_busy(qtbot, quick_window):
    window, core = quick_window
    go_to_confirm(qtbot, window, core)
    with ExitStack() as busy:
        busy.enter_context(core.idle.busy())       # as during a save or a print
        deadline = time.monotonic() + TIMEOUT_S * 1.5
        qtbot.waitUntil(lambda: time.monotonic() > deadline, timeout=WAIT_MS)
        assert window.nav.current is window.screens.confirm
        assert window.resident.session is not None and personal_texts(window)
        assert not window.overlay.isVisible()
    wait_screen(qtbot, window, window.screens.home)       # the clock restarted when the work ended
    assert personal_texts(window) == []


def test_home_screen_alone_never_warns(qtbot, quick_window):
    window, _core = quick_window
    deadline = time.monotonic() + TIMEOUT_S * 1.5
    qtbot.waitUntil(lambda: time.monotonic() > deadline, timeout=WAIT_MS)
    assert not window.overlay.isVisible() and window.nav.current is window.screens.home
