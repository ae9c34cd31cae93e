"""An exception escaping a slot or a task callback: the resident is wiped, the home screen and a plain notice
shown, the kiosk goes on; the log says what and where, never what the exception said; a storm ends the app."""
import logging
import threading

import pytest
from PySide6.QtCore import QTimer
from ui_helpers import DEMO_ID, DEMO_NAME, WAIT_MS, go_to_form, joined_texts, open_window

from kiosk.crash import EXIT_CRASH_STORM
from ui.crash_guard import install_crash_guard

pytestmark = pytest.mark.qt_no_exception_capture   # the guard is the exception hook under test
NOTICE = "刚才出了点问题，请重新开始"


def boom():
    raise ValueError(f"bad value {DEMO_NAME} {DEMO_ID}")   # as an exception quoting a resident's input would


@pytest.fixture
def guarded(qtbot, core):
    window = open_window(qtbot, core)
    stormed = []
    guard = install_crash_guard(window, core.config, on_storm=stormed.append)
    yield window, guard, stormed
    guard.uninstall()
    window.shutdown()


def recovered(qtbot, window, guard, crashes: int = 1) -> None:
    qtbot.waitUntil(lambda: guard.crashes == crashes and not guard._pending, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: window.nav.current is window.screens.home, timeout=WAIT_MS)


def test_a_slot_that_raises_goes_home_wipes_the_resident_and_says_so(qtbot, core, guarded, caplog):
    window, guard, stormed = guarded
    go_to_form(qtbot, window, core)
    identity = window.screens.form.identity_text.text()
    assert DEMO_ID[-4:] in identity                 # the masked ID number of the resident on the form
    caplog.set_level(logging.INFO)
    QTimer.singleShot(0, boom)
    recovered(qtbot, window, guard)
    assert window.resident.session is None
    assert guard.notice.isVisible() and guard.notice.text.text() == NOTICE
    shown = joined_texts(window)                    # every label and field, shown or hidden
    assert identity not in shown and DEMO_ID[-4:] not in shown
    logged = caplog.text
    assert "crash: ValueError" in logged and "tests/ui/test_crash_guard.py" in logged and " boom" in logged
    assert DEMO_NAME not in logged and DEMO_ID not in logged and "bad value" not in logged
    assert stormed == []
    go_to_form(qtbot, window, core)                 # the kiosk still serves: the next resident starts
    assert not guard.notice.isVisible()             # and the notice is gone once they do


def test_a_task_callback_that_raises_recovers_too(qtbot, core, guarded):
    window, guard, _stormed = guarded
    go_to_form(qtbot, window, core)
    window.tasks.run("db", lambda: 42, lambda _result: boom())
    recovered(qtbot, window, guard)
    assert window.resident.session is None and guard.notice.isVisible()


def test_a_crash_during_a_save_waits_until_the_save_is_done(qtbot, core, guarded):
    window, guard, _stormed = guarded
    go_to_form(qtbot, window, core)
    saving = core.idle.busy()
    saving.__enter__()                              # as ServiceFlow.submit holds it on the db lane
    try:
        QTimer.singleShot(0, boom)
        qtbot.waitUntil(lambda: guard.crashes == 1, timeout=WAIT_MS)
        qtbot.wait(600)
        assert window.nav.current is window.screens.form and window.resident.session is not None
    finally:
        saving.__exit__(None, None, None)
    recovered(qtbot, window, guard)
    assert window.resident.session is None


def test_a_crash_on_another_thread_is_logged_but_leaves_the_resident_alone(qtbot, core, guarded, caplog):
    window, guard, stormed = guarded
    go_to_form(qtbot, window, core)
    thread = threading.Thread(target=boom, name="worker-x")
    thread.start()
    thread.join()
    qtbot.waitUntil(lambda: guard.crashes == 1, timeout=WAIT_MS)
    qtbot.wait(100)
    assert window.nav.current is window.screens.form and window.resident.session is not None
    assert not guard.notice.isVisible() and stormed == []
    assert "in thread worker-x" in caplog.text and DEMO_NAME not in caplog.text


def test_a_storm_of_crashes_asks_for_an_exit_with_its_code(qtbot, core_factory):
    core = core_factory(crash_storm_count=3, crash_storm_window_s=60.0)
    window = open_window(qtbot, core)
    stormed = []
    guard = install_crash_guard(window, core.config, on_storm=stormed.append)
    try:
        for n in (1, 2):
            QTimer.singleShot(0, boom)
            recovered(qtbot, window, guard, crashes=n)
        assert stormed == []
        QTimer.singleShot(0, boom)
        qtbot.waitUntil(lambda: stormed == [EXIT_CRASH_STORM], timeout=WAIT_MS)
    finally:
        guard.uninstall()
        window.shutdown()


def test_uninstall_gives_the_hooks_back(qtbot, core):
    import sys

    window = open_window(qtbot, core)
    before = (sys.excepthook, threading.excepthook)
    guard = install_crash_guard(window, core.config, on_storm=lambda code: None)
    assert sys.excepthook != before[0]
    guard.uninstall()
    assert (sys.excepthook, threading.excepthook) == before
    window.shutdown()


def test_a_crash_in_maintenance_ends_it_in_the_trail(qtbot, core, guarded):
    from test_ui_maintenance import enter, issue, trail

    window, guard, _stormed = guarded
    issue(core)
    enter(qtbot, window)
    assert window.maintenance.session is not None
    QTimer.singleShot(0, boom)
    recovered(qtbot, window, guard)
    qtbot.waitUntil(lambda: trail(core)[-1][1:] == ("maintenance_exited", "", "crash"), timeout=WAIT_MS)
    assert window.maintenance.session is None
