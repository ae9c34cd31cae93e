"""The UI's plumbing: background tasks, the event bridge, the font choice, the screenshot tool."""
from __future__ import annotations

import os
import subprocess
import sys
import threading
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QLabel
from ui_helpers import WAIT_MS

from kiosk.events import EventBus
from ui.bridge import SYNC_STATUS_HOMES, EventBridge, optional_event_type
from ui.tasks import Tasks

ROOT = Path(__file__).resolve().parents[2]


def test_tasks_deliver_results_and_errors_on_the_gui_thread(qtbot):
    tasks = Tasks()
    seen = []
    gui = threading.get_ident()
    worker_threads = []

    def work():
        worker_threads.append(threading.get_ident())
        return 42

    def fail():
        raise ValueError("nope")

    with qtbot.waitSignal(tasks.settled, timeout=WAIT_MS):
        tasks.run("db", work, lambda r: seen.append(("done", r, threading.get_ident())))
        tasks.run("card", fail, None, lambda e: seen.append(("error", type(e).__name__, threading.get_ident())))
    qtbot.waitUntil(lambda: len(seen) == 2 and tasks.in_flight == 0, timeout=WAIT_MS)
    assert sorted(s[:2] for s in seen) == [("done", 42), ("error", "ValueError")]
    assert all(s[2] == gui for s in seen) and worker_threads[0] != gui
    tasks.shutdown()
    assert tasks.run("db", work, seen.append) is None


def test_forgotten_work_is_not_delivered(qtbot):
    tasks = Tasks()
    release = threading.Event()
    seen = []
    tasks.run("card", lambda: release.wait(5) and "late", seen.append, group="resident")
    tasks.forget("resident")
    release.set()
    qtbot.waitUntil(lambda: tasks.in_flight == 0, timeout=WAIT_MS)
    assert seen == []
    tasks.shutdown()


def test_bridge_marshals_sync_status_from_another_thread(qtbot):
    status_type = optional_event_type("SyncStatus", SYNC_STATUS_HOMES)
    if status_type is None:
        pytest.skip("sync package not available")
    bus = EventBus()
    bridge = EventBridge(bus)
    received = []
    bridge.sync_status.connect(lambda event: received.append((event, threading.get_ident())))
    oldest = datetime.now(timezone.utc) - timedelta(minutes=90)
    event = status_type(online=False, pending=4, oldest_pending_at=oldest, last_success_at=None, last_error="x")
    publisher = threading.Thread(target=bus.publish, args=(event,))
    publisher.start()
    publisher.join()
    qtbot.waitUntil(lambda: bool(received), timeout=WAIT_MS)
    assert received[0] == (event, threading.get_ident()) and bridge.latest["sync_status"] is event
    bridge.close()
    bus.publish(event)
    qtbot.wait(50)
    assert len(received) == 1


def test_status_bar_shows_connection_pending_and_age(qtbot, window, core):
    status_type = optional_event_type("SyncStatus", SYNC_STATUS_HOMES)
    if status_type is None:
        pytest.skip("sync package not available")
    oldest = datetime.now(timezone.utc) - timedelta(hours=3)
    core.events.publish(status_type(online=False, pending=2, oldest_pending_at=oldest, last_success_at=None,
                                    last_error="hub unreachable"))
    label = window.status_bar.connection
    qtbot.waitUntil(lambda: "待上报 2 件" in label.text(), timeout=WAIT_MS)
    assert "离线" in label.text() and "3小时" in label.text()
    core.events.publish(status_type(online=True, pending=0, oldest_pending_at=None,
                                    last_success_at=datetime.now(timezone.utc), last_error=None))
    qtbot.waitUntil(lambda: "已联网" in label.text() and "全部已上报" in label.text(), timeout=WAIT_MS)


def test_status_bar_shows_last_success_and_the_offline_guardrail(qtbot, window, core):
    from sync import SyncStatus
    from sync.guardrails import Guardrail, Level

    now = datetime.now(timezone.utc)
    core.events.publish(SyncStatus(online=False, pending=1, oldest_pending_at=now - timedelta(days=4),
                                   last_success_at=now - timedelta(days=4), last_error="hub unreachable",
                                   guardrail=Guardrail(Level.REFUSE_NON_URGENT)))
    label = window.status_bar.connection
    qtbot.waitUntil(lambda: "上次上报4天前" in label.text(), timeout=WAIT_MS)
    assert "暂停受理新申请" in label.text()


def test_the_chosen_font_really_draws_chinese(qapp):
    from ui.fonts import has_cjk, pick_family

    family = pick_family()
    assert has_cjk(family)
    from ui.app import ensure_app

    assert ensure_app().font().family() == family


def test_shots_renders_every_screen(tmp_path):
    outdir = tmp_path / "shots"
    env = os.environ | {"QT_QPA_PLATFORM": "offscreen"}
    result = subprocess.run([sys.executable, "-m", "ui.shots", str(outdir)], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=240)
    assert result.returncode == 0, result.stderr[-2000:]
    listed = [Path(line) for line in result.stdout.split() if line.endswith(".png")]
    for name in ("home", "search-results", "search-empty", "category", "theme", "detail-kiosk-ready",
                 "detail-elsewhere", "identify-waiting", "identify-error", "form-errors", "confirm",
                 "receipt-printed", "receipt-paper-out", "rating", "idle-warning", "agent-login",
                 "agent-login-refused", "agent-home", "detail-agent", "consent", "consent-signed", "work-queue"):
        assert any(p.stem.endswith(name) for p in listed), name
    for path in listed:
        image = QImage(str(path))
        assert (image.width(), image.height()) == (1280, 800), path


def test_catalog_fallback_shows_a_small_staff_notice(qtbot, tmp_path):
    from ui_helpers import make_core
    from ui_helpers import open_window

    data_dir = tmp_path / "broken"
    data_dir.mkdir()
    (data_dir / "catalog.json").write_text("{ not json", encoding="utf-8")
    core = make_core(data_dir)
    try:
        window = open_window(qtbot, core)
        assert core.catalog.notice
        assert window.notice.isVisible() and "工作人员提示" in window.notice.findChild(QLabel).text()
        assert window.notice.height() < 60
        assert window.nav.current is window.screens.home      # residents carry on as usual
        window.shutdown()
    finally:
        core.stop()


def test_no_notice_bar_when_the_catalog_is_fine(window):
    assert not window.notice.isVisible()


def test_session_prefs_reset_when_the_resident_is_forgotten(window):
    window.prefs.set_language("en")
    window.prefs.set_elderly(True)
    window.forget_resident()
    assert window.prefs.current.language == window.core.config["default_language"]
    assert not window.prefs.current.elderly
