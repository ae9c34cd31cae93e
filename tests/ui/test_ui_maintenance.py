"""Maintenance mode in the real window: the hidden gesture, the technician login with a wrong-PIN streak and a
lockout, the tabs, device tests on the simulators, 退出维护, the idle exit and the resident wipe, and no way in
while a resident is being served."""
from __future__ import annotations

import json
import re
from datetime import datetime, timedelta, timezone

import pytest
from PySide6.QtCore import Qt
from ui_helpers import (WAIT_MS, go_to_form, joined_texts, open_window, tap, texts, type_text, wait_idle_tasks,
                        wait_screen)

from sync.credentials_hash import hash_password

TECH, PIN = "T001", "482916"
NOW = datetime.now(timezone.utc)
DEMO_NAME, DEMO_ID = "王海生", "330902196803121232"


def issue(core, cred_id: str = TECH, role: str = "technician") -> None:
    item = {"agent_id": cred_id, "display_name": "张技术员", "role": role, "password_hash": hash_password(PIN, n=2 ** 10),
            "valid_from": (NOW - timedelta(days=30)).isoformat(timespec="seconds"), "valid_to": None,
            "revoked": False}
    store = core.store
    with store._lock, store.db.conn:
        store.db.conn.execute("INSERT INTO stream_items (stream, id, body, updated_at) VALUES ('agent_credentials',"
                              " ?, ?, ?)", (cred_id, json.dumps(item, ensure_ascii=False), NOW.isoformat()))


def trail(core) -> list[tuple[str, str, str, str]]:
    return [tuple(r) for r in core.store.db.execute("SELECT actor, action, target, outcome FROM audit ORDER BY seq")]


def gesture(qtbot, window, taps: int = 5) -> None:
    for _ in range(taps):
        qtbot.mouseClick(window.status_bar.station, Qt.MouseButton.LeftButton)


def try_pin(qtbot, window, pin: str, account: str = TECH):
    screen = window.screens.maint_login
    screen.account.clear()
    type_text(screen.account, account)
    type_text(screen.pin, pin)
    tap(qtbot, screen.login_button)
    wait_idle_tasks(qtbot, window)
    return screen.error.text.text() if screen.error.isVisible() else ""


def enter(qtbot, window):
    gesture(qtbot, window)
    wait_screen(qtbot, window, window.screens.maint_login)
    try_pin(qtbot, window, PIN)
    wait_screen(qtbot, window, window.screens.maintenance)
    wait_idle_tasks(qtbot, window)
    return window.screens.maintenance


def test_gesture_login_streak_tabs_a_device_test_and_exit(qtbot, core_factory):
    core = core_factory(technician_max_failures=3)
    issue(core)
    window = open_window(qtbot, core)
    gesture(qtbot, window, taps=4)
    assert window.nav.current is window.screens.home           # four taps are not the gesture
    gesture(qtbot, window, taps=1)
    wait_screen(qtbot, window, window.screens.maint_login)
    for _ in range(2):
        shown = try_pin(qtbot, window, "000000")
        assert "账号或维护密码不对，请再试一次" in shown and window.screens.maint_login.pin.text() == ""
    try_pin(qtbot, window, PIN)
    wait_screen(qtbot, window, window.screens.maintenance)
    screen = window.screens.maintenance
    assert screen.who.text() == f"技术员 {TECH}" and "张技术员" not in joined_texts(window)
    titles = [screen.tabs.tabText(i) for i in range(screen.tabs.count())]
    assert titles[:3] == ["设备", "回执补打", "同步"] and "日志" in titles

    devices = screen.show_tab("设备")
    wait_idle_tasks(qtbot, window)
    assert "● 正常" in joined_texts(devices)
    assert "未启用" in joined_texts(devices) and "smartcard_backend" in joined_texts(devices)   # turned off, not lost
    assert "not found" not in joined_texts(devices)
    printed = len(core.devices.sims.printer.printed)
    tap(qtbot, devices.print_button)
    qtbot.waitUntil(lambda: "测试页已打印" in devices.result.headline.text(), timeout=WAIT_MS)
    assert len(core.devices.sims.printer.printed) == printed + 1
    tap(qtbot, devices.card_button)                              # the demo reader presents the demo card
    qtbot.waitUntil(lambda: devices.result.headline.text() == "读卡正常", timeout=WAIT_MS)
    shown = joined_texts(window)
    assert "居民身份证" in shown and "**" + DEMO_ID[-4:] in shown
    assert DEMO_NAME not in shown and DEMO_ID not in shown
    core.devices.sims.printer.set_fault("paper_out")
    tap(qtbot, devices.print_button)
    qtbot.waitUntil(lambda: "缺纸" in devices.result.headline.text(), timeout=WAIT_MS)
    wait_idle_tasks(qtbot, window)
    table = texts(devices)   # the status row after the test: the words, and the code in small type for support
    assert "缺纸" in table and "paper_out" in table and "！故障" in table

    tap(qtbot, screen.exit_button)
    assert window.nav.current is window.screens.home and window.maintenance.session is None
    assert devices.result.headline.text() == "" and screen.who.text() == ""
    wait_idle_tasks(qtbot, window)
    assert [(a, act, o) for a, act, _t, o in trail(core)] == [
        ("technician:T001", "maintenance_refused", "wrong_secret")] * 2 + [
        ("technician:T001", "maintenance_entered", "ok"),
        ("technician:T001", "device_test", "ok"), ("technician:T001", "device_test", "ok"),
        ("technician:T001", "device_test", "paper_out"),
        ("technician:T001", "maintenance_exited", "manual")]
    assert [t for _a, act, t, _o in trail(core) if act == "device_test"] == ["printer", "idcard", "printer"]
    window.shutdown()


def test_a_wrong_pin_streak_locks_and_says_until_when(qtbot, core_factory):
    core = core_factory(technician_max_failures=3)
    issue(core)
    window = open_window(qtbot, core)
    gesture(qtbot, window)
    wait_screen(qtbot, window, window.screens.maint_login)
    for _ in range(2):
        try_pin(qtbot, window, "000000")
    shown = try_pin(qtbot, window, "000000")
    assert re.search(r"输错次数太多，维护入口已锁定，请在 \d\d:\d\d 后再试", shown)
    assert "运维负责人" in window.screens.maint_login.error.next_step.text()
    assert "已锁定" in try_pin(qtbot, window, PIN)                # even the right PIN waits
    assert window.maintenance.session is None
    tap(qtbot, window.screens.maint_login.back_button)
    assert window.nav.current is window.screens.home
    window.shutdown()


def test_an_agents_credential_does_not_open_maintenance(qtbot, core_factory):
    core = core_factory()
    issue(core, "ag-7", role="agent")
    issue(core)
    window = open_window(qtbot, core)
    gesture(qtbot, window)
    wait_screen(qtbot, window, window.screens.maint_login)
    assert "账号或维护密码不对" in try_pin(qtbot, window, PIN, account="ag-7")
    window.shutdown()


def test_a_fresh_install_is_told_how_to_set_a_pin(qtbot, window):
    gesture(qtbot, window)
    wait_screen(qtbot, window, window.screens.maint_login)
    shown = try_pin(qtbot, window, PIN, account="")
    assert "本机还没有技术员账号" in shown and "set-pin" in window.screens.maint_login.error.next_step.text()


def test_idle_ends_maintenance_and_clears_the_panels(qtbot, core_factory):
    core = core_factory(technician_idle_timeout_s=0.6)
    issue(core)
    window = open_window(qtbot, core)
    window.maintenance.set_idle_interval(50)
    screen = enter(qtbot, window)
    logs = screen.show_tab("日志")
    qtbot.waitUntil(lambda: logs.where.text() != "", timeout=WAIT_MS)
    qtbot.waitUntil(lambda: window.maintenance.session is None, timeout=WAIT_MS)
    assert window.nav.current is window.screens.home
    assert logs.lines.count() == 0 and logs.where.text() == "" and screen.actor is None
    wait_idle_tasks(qtbot, window)
    assert trail(core)[-1][1:] == ("maintenance_exited", "", "idle")
    window.shutdown()


def test_the_resident_idle_wipe_ends_maintenance_too(qtbot, core_factory):
    core = core_factory()
    issue(core)
    window = open_window(qtbot, core)
    screen = enter(qtbot, window)
    sync = screen.show_tab("同步")
    qtbot.waitUntil(lambda: sync.quarantine.count() > 0, timeout=WAIT_MS)
    assert "本机未启动同步" in joined_texts(sync) and not sync.sync_button.isEnabled()
    window.wipe()
    assert window.maintenance.session is None and window.nav.current is window.screens.home
    assert sync.quarantine.count() == 0
    window.shutdown()


def test_maintenance_cannot_be_opened_while_a_resident_is_served(qtbot, window, core):
    issue(core)
    go_to_form(qtbot, window, core)
    gesture(qtbot, window)
    assert window.nav.current is window.screens.form and window.resident.session is not None
    window.resident.end_session(go_home=True)
    with core.idle.busy():                                      # a save or print under way
        gesture(qtbot, window)
        assert window.nav.current is window.screens.home
    gesture(qtbot, window)
    wait_screen(qtbot, window, window.screens.maint_login)


@pytest.mark.parametrize("module, name", [("ui.screens.maint_devices", "DevicesPanel"),
                                          ("ui.screens.maint_sync", "SyncPanel"),
                                          ("ui.screens.maint_receipts", "ReceiptsPanel"),
                                          ("ui.screens.maint_logs", "LogsPanel")])
def test_each_panel_works_alone_with_the_contract_signature(qtbot, core, module, name):
    import importlib

    from ui.tasks import Tasks

    from PySide6.QtWidgets import QWidget

    host = QWidget()
    qtbot.addWidget(host)
    tasks = Tasks(host)
    panel = getattr(importlib.import_module(module), name)(core, tasks, lambda: "technician", host)
    assert panel.title
    panel.refresh()
    qtbot.waitUntil(lambda: tasks.in_flight == 0, timeout=WAIT_MS)
    assert joined_texts(panel) or getattr(panel, "lines", None) is not None
    panel.clear()
    tasks.shutdown()


def test_the_maintenance_screenshots_render_at_kiosk_size(tmp_path):
    import os
    import subprocess
    import sys
    from pathlib import Path

    from PySide6.QtGui import QImage

    root = Path(__file__).resolve().parents[2]
    result = subprocess.run([sys.executable, "-m", "ui.shots", "--maintenance", str(tmp_path)], cwd=root,
                            env=os.environ | {"QT_QPA_PLATFORM": "offscreen"}, capture_output=True, text=True,
                            timeout=240)
    assert result.returncode == 0, result.stderr[-2000:]
    listed = {Path(line).stem for line in result.stdout.split() if line.endswith(".png")}
    assert {"maintenance-login", "maintenance-login-locked", "maintenance-devices-test-print",
            "maintenance-devices-card", "maintenance-devices-scan", "maintenance-devices-paper-out",
            "maintenance-sync", "maintenance-logs"} <= listed
    for stem in listed:
        image = QImage(str(tmp_path / f"{stem}.png"))
        assert (image.width(), image.height()) == (1280, 800), stem


def test_a_login_still_checking_when_the_kiosk_is_wiped_lets_nobody_in(qtbot, core_factory):
    import threading

    core = core_factory()
    issue(core)
    window = open_window(qtbot, core)
    gesture(qtbot, window)
    wait_screen(qtbot, window, window.screens.maint_login)
    release = threading.Event()
    window.tasks.run("db", lambda: release.wait(WAIT_MS / 1000), lambda _r: None)   # the lane is busy
    screen = window.screens.maint_login
    type_text(screen.account, TECH)
    type_text(screen.pin, PIN)
    tap(qtbot, screen.login_button)
    window.wipe()
    release.set()
    wait_idle_tasks(qtbot, window)
    assert window.maintenance.session is None and window.nav.current is window.screens.home
    assert [(act, o) for _a, act, _t, o in trail(core)] == [("maintenance_entered", "ok"),
                                                             ("maintenance_exited", "manual")]
    window.shutdown()


def test_a_panels_restart_request_leaves_maintenance_then_restarts_the_app(qtbot, core_factory):
    core = core_factory()
    issue(core)
    window = open_window(qtbot, core)
    try:
        restarts = []
        window.maintenance.restart = lambda: restarts.append(trail(core)[-1][1])
        screen = enter(qtbot, window)
        database = next(panel for panel in screen.panels if type(panel).__name__ == "DatabasePanel")
        database.restart_requested.emit()          # what its confirmed 恢复 does
        wait_idle_tasks(qtbot, window)
        qtbot.waitUntil(lambda: bool(restarts), timeout=WAIT_MS)
        assert restarts == ["maintenance_exited"]  # the exit is in the trail before the process goes
        assert window.maintenance.session is None and window.nav.current is window.screens.home
    finally:
        window.shutdown()


@pytest.mark.parametrize("text, words", [
    ("hub unreachable", "连不上服务端（hub unreachable）"),
    ("hub returned HTTP 503 (busy)", "服务端返回错误（hub returned HTTP 503 (busy)）"),
    ("too large", "记录太大，无法上报（too large）"),
    ("rejected by hub: unknown action", "服务端拒收（rejected by hub: unknown action）"),
    ("something new", "something new"),
])
def test_sync_errors_and_quarantine_reasons_read_in_chinese_with_the_original_kept(text, words):
    from ui.screens.maint_sync import sync_words

    assert sync_words(text) == words


def test_log_times_are_shown_in_china_time_like_the_clock(qtbot, core):
    from datetime import datetime

    from PySide6.QtWidgets import QWidget

    from kiosk.ids import CST
    from ui.screens.maint_logs import LogsPanel, station_time
    from ui.tasks import Tasks

    (core.data_dir / "logs").mkdir(exist_ok=True)
    (core.data_dir / "logs" / "kiosk.log").write_text(
        "2026-11-25 22:17:48,120 WARNING sync.worker: sync round failed: hub unreachable\n", encoding="utf-8")
    logged = datetime(2026, 11, 25, 22, 17, 48)          # the machine's local time, whatever its zone
    expected = logged.astimezone(CST).strftime("%m-%d %H:%M:%S")
    assert station_time("2026-11-25 22:17:48,120") == expected and station_time("") == ""
    host = QWidget()
    qtbot.addWidget(host)
    tasks = Tasks(host)
    panel = LogsPanel(core, tasks, lambda: "technician", host)
    panel.refresh()
    qtbot.waitUntil(lambda: panel.where.text() != "", timeout=WAIT_MS)
    assert panel.lines.item(0).text().startswith(expected + "  警告  sync.worker")
    tasks.shutdown()
