"""Proxy-agent login at the station: keypad, refusals in plain words, agent mode, logout by hand and when idle."""
from __future__ import annotations

import json
import logging
import re
import threading
from datetime import datetime, timedelta, timezone

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit, QPushButton
from ui_helpers import WAIT_MS, go_to_form, joined_texts, open_window, tap, type_text, wait_idle_tasks, wait_screen

from sync.credentials_hash import hash_password

AGENT = "ag-7"
PIN = "735919"
NOW = datetime.now(timezone.utc)
GENERIC = "账号或密码不对，请再试一次"


def issue(core, agent_id: str = AGENT, *, valid_to: datetime | None = None, revoked: bool = False) -> None:
    """A credential as the hub sends it and sync/pull.py keeps it, with cheap scrypt parameters."""
    item = {"agent_id": agent_id, "display_name": "王帮办", "role": "agent",
            "password_hash": None if revoked else hash_password(PIN, n=2 ** 10),
            "valid_from": (NOW - timedelta(days=30)).isoformat(timespec="seconds"),
            "valid_to": valid_to.isoformat(timespec="seconds") if valid_to else None, "revoked": revoked}
    store = core.store
    with store._lock, store.db.conn:
        store.db.conn.execute("INSERT INTO stream_items (stream, id, body, updated_at)"
                              " VALUES ('agent_credentials', ?, ?, ?)",
                              (agent_id, json.dumps(item, ensure_ascii=False), NOW.isoformat()))


def audit_trail(core) -> list[tuple[str, str, str]]:
    rows = core.store.db.execute("SELECT actor, action, outcome FROM audit ORDER BY id").fetchall()
    return [tuple(row) for row in rows]


def open_login(qtbot, window):
    tap(qtbot, window.screens.home.staff_button)
    wait_screen(qtbot, window, window.screens.agent_login)
    return window.screens.agent_login


def try_login(qtbot, window, account: str = AGENT, pin: str = PIN):
    """Type as a keyboard or wedge would, tap 登录, wait for the answer."""
    screen = window.screens.agent_login
    if window.nav.current is not screen:
        open_login(qtbot, window)
    screen.account.clear()
    type_text(screen.account, account)
    type_text(screen.pin, pin)
    tap(qtbot, screen.login_button)
    wait_idle_tasks(qtbot, window)
    return screen


def key(screen, text: str) -> QPushButton:
    return next(b for b in screen.keypad.findChildren(QPushButton) if b.isVisible() and b.text() == text)


def shown_error(screen) -> str:
    return screen.error.text.text() if screen.error.isVisible() else ""


def test_staff_entry_is_small_and_out_of_the_services_way(window):
    home = window.screens.home
    assert home.staff_button.isVisible() and home.staff_button.text() == "工作人员登录"
    assert home.staff_button.height() < home.search_button.height()
    assert home.staff_button.geometry().bottom() < home.search_box.mapTo(home, home.search_box.rect().topLeft()).y()


def test_keypad_login_shows_the_badge_and_exposes_the_session(qtbot, window, core):
    issue(core)
    screen = open_login(qtbot, window)
    for text in ("字母", "a", "g", "-", "数字", "7"):
        tap(qtbot, key(screen, text))
    assert screen.account.text() == AGENT
    tap(qtbot, screen.pin)
    for digit in PIN:
        tap(qtbot, key(screen, digit))
    assert screen.pin.text() == PIN and screen.pin.echoMode() == QLineEdit.EchoMode.Password
    tap(qtbot, screen.login_button)
    qtbot.waitUntil(lambda: window.agent_session is not None, timeout=WAIT_MS)
    assert window.agent_session.agent_id == AGENT and window.agent_session.role == "agent"
    assert window.status_bar.agent.text() == f"帮办员 {AGENT} 已登录"
    assert window.status_bar.logout_button.isVisible() and not window.screens.home.staff_button.isVisible()
    assert window.nav.current is window.screens.agent_home   # the agent lands on their desk
    assert screen.pin.text() == "" and screen.account.text() == ""


def test_wrong_pin_and_unknown_account_read_the_same_and_clear_the_pin(qtbot, window, core):
    issue(core)
    screen = try_login(qtbot, window, pin="1111")
    assert GENERIC in shown_error(screen) and screen.pin.text() == ""
    assert screen.account.text() == AGENT            # only the PIN is retyped
    screen = try_login(qtbot, window, account="nobody")
    assert GENERIC in shown_error(screen) and screen.pin.text() == ""
    assert window.agent_session is None and window.nav.current is screen


def test_the_login_button_waits_for_the_check(qtbot, window, core):
    issue(core)
    screen = open_login(qtbot, window)
    release = threading.Event()
    window.tasks.run("db", lambda: release.wait(WAIT_MS / 1000), lambda _r: None)   # the lane is busy
    type_text(screen.account, AGENT)
    type_text(screen.pin, PIN)
    tap(qtbot, screen.login_button)
    assert not screen.login_button.isEnabled() and "正在核对" in screen.checking.text()
    assert screen.pin.text() == ""                   # cleared as soon as it was handed over
    release.set()
    qtbot.waitUntil(lambda: window.agent_session is not None, timeout=WAIT_MS)
    assert screen.login_button.isEnabled()


def test_five_wrong_pins_lock_the_account_until_a_time(qtbot, window, core):
    issue(core)
    for _ in range(4):
        screen = try_login(qtbot, window, pin="0000")
        assert GENERIC in shown_error(screen)
    screen = try_login(qtbot, window, pin="0000")
    assert re.search(r"输错次数太多，已暂时锁定，请在 \d\d:\d\d 后再试", shown_error(screen))
    screen = try_login(qtbot, window)                 # even the right PIN waits for the lock to end
    assert "已暂时锁定" in shown_error(screen) and window.agent_session is None
    assert [a for _actor, a, _o in audit_trail(core)].count("lockout") == 1


def test_expired_and_not_yet_synced_credentials_say_what_to_do(qtbot, core_factory):
    empty = core_factory()
    window = open_window(qtbot, empty)
    screen = try_login(qtbot, window)
    assert "本机还没有同步帮办员账号，请联网同步后再试" in shown_error(screen)
    window.shutdown()

    core = core_factory()
    issue(core, valid_to=NOW - timedelta(days=1))
    issue(core, "ag-8", revoked=True)
    window = open_window(qtbot, core)
    screen = try_login(qtbot, window)
    assert "到期" in shown_error(screen) and "同步" in screen.error.next_step.text()
    assert "乡镇便民服务中心" in screen.error.next_step.text()
    screen = try_login(qtbot, window, account="ag-8")
    assert "这个帮办员账号已停用，请联系乡镇便民服务中心" in shown_error(screen)
    window.shutdown()


def test_manual_logout_leaves_agent_mode_and_is_audited(qtbot, window, core):
    issue(core)
    try_login(qtbot, window, pin="9999")
    try_login(qtbot, window)
    assert window.agent_session is not None
    session = window.agent_session
    tap(qtbot, window.status_bar.logout_button)
    assert window.agent_session is None
    assert not window.status_bar.logout_button.isVisible() and window.status_bar.agent.text() == ""
    assert window.screens.home.staff_button.isVisible()
    wait_idle_tasks(qtbot, window)
    assert session.ended
    assert audit_trail(core) == [("agent:ag-7", "login_failed", "wrong_secret"), ("agent:ag-7", "login", "ok"),
                                 ("agent:ag-7", "logout", "manual")]


def test_agent_logout_wipes_the_resident_on_screen(qtbot, window, core):
    issue(core)
    try_login(qtbot, window)
    go_to_form(qtbot, window, core)
    assert window.resident.session is not None
    tap(qtbot, window.status_bar.logout_button)
    assert window.resident.session is None and window.nav.current is window.screens.home
    assert "王**" not in joined_texts(window) and window.screens.form.editors == {}


def test_in_agent_mode_the_sync_state_keeps_its_room_on_the_strip(qtbot, window, core):
    from datetime import datetime, timedelta, timezone
    from types import SimpleNamespace

    now = datetime.now(timezone.utc)
    window.resize(1280, 800)   # the kiosk screen
    bar = window.status_bar
    bar.show_sync_status(SimpleNamespace(online=False, pending=3, oldest_pending_at=now - timedelta(minutes=25),
                                         last_success_at=now - timedelta(hours=2), guardrail=None))
    issue(core)
    try_login(qtbot, window)
    essential = "○ 离线 · 待上报 3 件，最早等了25分钟"   # what may not be clipped; "上次上报…" after it may
    assert bar.connection.text().startswith(essential)
    qtbot.waitUntil(lambda: bar.connection.width() >= bar.connection.fontMetrics().horizontalAdvance(essential),
                    timeout=WAIT_MS)
    assert not bar.station.isVisible()
    tap(qtbot, bar.logout_button)
    qtbot.waitUntil(lambda: bar.station.isVisible(), timeout=WAIT_MS)


def test_logout_tapped_during_a_save_waits_for_it(qtbot, window, core):
    issue(core)
    try_login(qtbot, window)
    with core.idle.busy():                      # a save or print under way
        tap(qtbot, window.status_bar.logout_button)
        qtbot.wait(300)
        assert window.agent_session is not None  # not yet: the receipt must not be wiped away
    qtbot.waitUntil(lambda: window.agent_session is None, timeout=WAIT_MS)


@pytest.fixture
def quick_agent(qtbot, core_factory):
    core = core_factory(agent_idle_timeout_s=0.6)
    issue(core)
    window = open_window(qtbot, core)
    window.agent.set_idle_interval(50)
    yield window, core
    window.shutdown()


def test_an_idle_agent_is_logged_out(qtbot, quick_agent):
    window, core = quick_agent
    try_login(qtbot, window)
    session = window.agent_session
    assert session is not None
    qtbot.waitUntil(lambda: window.agent_session is None, timeout=WAIT_MS)
    assert not window.status_bar.logout_button.isVisible()
    wait_idle_tasks(qtbot, window)
    assert audit_trail(core)[-1] == ("agent:ag-7", "logout", "idle")


def test_touches_keep_the_agent_logged_in(qtbot, quick_agent):
    window, _core = quick_agent
    try_login(qtbot, window)
    for _ in range(8):                                # 1.6 s of use, longer than the 0.6 s timeout
        qtbot.wait(200)
        qtbot.mouseClick(window.screens.home.search_box, Qt.MouseButton.LeftButton)
    assert window.agent_session is not None


def test_the_resident_idle_wipe_also_ends_agent_mode(qtbot, core_factory):
    core = core_factory(idle_timeout_s=1.0, idle_warning_s=0.5)
    issue(core)
    window = open_window(qtbot, core)
    window.idle.set_interval(50)
    try_login(qtbot, window)
    go_to_form(qtbot, window, core)
    qtbot.waitUntil(lambda: window.agent_session is None, timeout=WAIT_MS)
    assert window.resident.session is None and window.nav.current is window.screens.home
    wait_idle_tasks(qtbot, window)
    assert audit_trail(core)[-1] == ("agent:ag-7", "logout", "idle")
    window.shutdown()


def test_the_pin_and_a_mistyped_id_never_reach_the_audit_trail_or_the_log(qtbot, window, core, caplog):
    caplog.set_level(logging.DEBUG)
    issue(core)
    stray = "13812345678"                             # a phone number typed as the account by mistake
    try_login(qtbot, window, account=stray, pin=PIN)
    try_login(qtbot, window, pin="864213")
    try_login(qtbot, window)
    tap(qtbot, window.status_bar.logout_button)
    wait_idle_tasks(qtbot, window)
    actions = [action for _actor, action, _outcome in audit_trail(core)]
    assert actions == ["login_failed", "login_failed", "login", "logout"]
    stored = json.dumps(core.store.db.execute("SELECT * FROM audit").fetchall())
    stored += json.dumps(core.store.db.execute("SELECT payload FROM outbox").fetchall())
    stored += json.dumps(core.store.db.execute("SELECT * FROM agent_lockouts").fetchall())
    logged = caplog.text + " ".join(str(r.args) for r in caplog.records)
    for secret in (PIN, "864213", stray):
        assert secret not in stored and secret not in logged
    assert "agent login refused" in caplog.text      # the outcome is logged, without what was typed
