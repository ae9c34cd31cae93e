"""The 设置 and 数据库 maintenance panels, standalone with the contract's signature, against a real core."""
import json

import pytest
from ui_helpers import WAIT_MS, button_with_text, joined_texts, tap

from kiosk import usb_export as ux
from local_db.notices import Notices
from tests.tmpfs_helpers import small_tmpfs

ACTOR = "technician"


@pytest.fixture
def tasks(qtbot):
    from ui.tasks import Tasks

    tasks = Tasks()
    yield tasks
    tasks.shutdown()


def wait_tasks(qtbot, tasks):
    qtbot.waitUntil(lambda: tasks.in_flight == 0, timeout=WAIT_MS)


def shown_button(qtbot, root, text):
    """A button of rows just added: Qt shows widgets added to a visible layout on the next event loop turn."""
    from PySide6.QtWidgets import QAbstractButton

    qtbot.waitUntil(lambda: any(b.isVisible() and text in b.text() for b in root.findChildren(QAbstractButton)),
                    timeout=WAIT_MS)
    return button_with_text(root, text)


def open_row(qtbot, panel, key):
    """Tap a setting: its editor opens under it and the list scrolls the row to the top, as a finger's next tap finds
    it (laid out on the next event loop turns; a tap while the list still moves only stops it, as on a phone)."""
    tap(qtbot, panel.row_buttons[key])
    bar = panel.area.verticalScrollBar()
    qtbot.waitUntil(lambda: panel.apply_button.isVisible() and bar.value() == min(panel.row_buttons[key].y() - 8,
                                                                                   bar.maximum()), timeout=WAIT_MS)
    qtbot.wait(50)   # the finger scroller drops a press that comes within a few ms of the jump; no finger is that fast


@pytest.fixture
def settings_panel(qtbot, core, tasks):
    from ui.screens.maint_settings import SettingsPanel

    panel = SettingsPanel(core, tasks, lambda: ACTOR)
    qtbot.addWidget(panel)
    panel.resize(780, 700)   # the offscreen screen is 800 wide, and a tap lands only on a point of the screen
    panel.show()
    panel.refresh()
    qtbot.waitUntil(lambda: bool(panel.row_buttons) and all(b.isVisible() for b in panel.row_buttons.values()),
                    timeout=WAIT_MS)
    return panel


def test_settings_panel_lists_edits_validates_and_saves(qtbot, core, tasks, settings_panel):
    panel = settings_panel
    assert panel.title == "设置"
    idle = panel.row_buttons["idle_timeout_s"]
    assert "空闲超时（idle_timeout_s）：90.0（默认值）" in idle.text()
    assert "会话与超时" in joined_texts(panel) and "打印机" in joined_texts(panel)
    assert "多少秒没人触摸就清空当前办理内容" in joined_texts(idle) and "idle_timeout_s" in joined_texts(idle)
    assert "正在读取" not in panel.status.text() and "点一项设置即可修改" in panel.status.text()

    open_row(qtbot, panel, "idle_timeout_s")
    assert panel.list_rows.indexOf(panel.edit_frame) == panel.list_rows.indexOf(idle) + 1   # opens under its row
    assert panel.keypad.isVisible() and panel.line.text() == "90.0"
    tap(qtbot, button_with_text(panel.keypad, "清空"))
    tap(qtbot, button_with_text(panel.keypad, "0"))
    tap(qtbot, panel.apply_button)
    assert panel.reason.text() == "必须大于 0" and "idle_timeout_s" not in panel.changes   # refused, shown
    tap(qtbot, button_with_text(panel.keypad, "清空"))
    for key in "120":
        tap(qtbot, button_with_text(panel.keypad, key))
    tap(qtbot, panel.apply_button)
    assert panel.changes == {"idle_timeout_s": "120"} and "未保存" in panel.row_buttons["idle_timeout_s"].text()
    assert not panel.edit_frame.isVisible() and panel.list_rows.indexOf(panel.edit_frame) == -1

    open_row(qtbot, panel, "fullscreen")   # a switch: 开 / 关
    assert not panel.line.isVisible()
    tap(qtbot, button_with_text(panel.edit_frame, "关"))
    tap(qtbot, panel.apply_button)
    open_row(qtbot, panel, "printer_width_mm")   # choices as buttons
    tap(qtbot, button_with_text(panel.edit_frame, "58"))
    tap(qtbot, panel.apply_button)
    assert "待保存：3 项" in panel.status.text()

    with qtbot.waitSignal(panel.saved, timeout=WAIT_MS) as saved:
        tap(qtbot, panel.save_button)
    assert saved.args[0].ok
    assert "需要重启" in panel.status.text() and "空闲超时（idle_timeout_s）" in panel.status.text()
    stored = json.loads((core.data_dir / "config.json").read_text(encoding="utf-8"))
    assert stored == {"idle_timeout_s": 120.0, "fullscreen": False, "printer_width_mm": 58}
    audited = core.store.db.execute("SELECT target FROM audit WHERE action='settings_changed'").fetchall()
    assert sorted(t for (t,) in audited) == ["fullscreen", "idle_timeout_s", "printer_width_mm"]
    wait_tasks(qtbot, tasks)
    assert "本机设置" in panel.row_buttons["idle_timeout_s"].text()


@pytest.mark.parametrize("width", [900, 1256])   # editor stacked; side by side (the tab on a 1280 px screen)
def test_settings_rows_and_editor_fit_the_list(qtbot, settings_panel, width):
    """No row runs under the scroll bar or past the list's edge, long values (a 64-digit key, a URL) included, and
    the editor (entry and keypad) fits under its row."""
    panel = settings_panel
    panel.resize(width, 700)
    open_row(qtbot, panel, "zlb_public_key")
    open_row(qtbot, panel, "printer_tcp_port")
    viewport = panel.area.viewport().width()
    qtbot.waitUntil(lambda: panel.area.widget().width() <= viewport, timeout=WAIT_MS)
    for key, row in panel.row_buttons.items():
        assert row.geometry().right() < viewport, key
        assert row.value.geometry().right() <= row.width() and row.key.geometry().right() <= row.width(), key
    assert panel.edit_frame.geometry().right() < viewport and panel.keypad.isVisible()
    assert panel.keypad.geometry().right() <= panel.edit_frame.width()
    side_by_side = panel.edit_frame.columns.direction() == panel.edit_frame.columns.Direction.LeftToRight
    assert side_by_side == (width > 1000)
    assert panel.row_buttons["zlb_public_key"].name.text() == "浙里办验签公钥"


def test_settings_panel_refuses_a_pair_that_breaks_the_idle_timer_and_saves_nothing(qtbot, core, settings_panel):
    panel = settings_panel
    open_row(qtbot, panel, "idle_warning_s")
    panel.line.setText("95")
    tap(qtbot, panel.apply_button)   # valid alone
    with qtbot.waitSignal(panel.saved, timeout=WAIT_MS) as saved:
        tap(qtbot, panel.save_button)
    assert not saved.args[0].ok and "短于空闲超时" in panel.status.text()
    assert not (core.data_dir / "config.json").exists()
    panel.clear()
    assert panel.changes == {} and panel.row_buttons == {} and not panel.edit_frame.isVisible()


@pytest.fixture
def database_panel(qtbot, core, tasks):
    from ui.screens.maint_database import DatabasePanel

    panel = DatabasePanel(core, tasks, lambda: ACTOR)
    qtbot.addWidget(panel)
    panel.resize(1280, 700)
    panel.show()
    return panel


def test_database_panel_checks_backs_up_and_restores_through_a_restart(qtbot, core, database_panel):
    from kiosk.app import open_local_db

    panel = database_panel
    assert panel.title == "数据库"
    with qtbot.waitSignal(panel.done, timeout=WAIT_MS):
        panel.refresh()
    assert "还没有备份" in joined_texts(panel)
    with qtbot.waitSignal(panel.done, timeout=WAIT_MS, check_params_cb=lambda name: name == "check"):
        tap(qtbot, panel.check_button)
    assert "完整性：正常" in panel.result.text() and "审计链：完整" in panel.result.text()
    with qtbot.waitSignal(panel.done, timeout=WAIT_MS, check_params_cb=lambda name: name == "refresh"):
        tap(qtbot, panel.backup_button)
    assert "备份完成" in panel.result.text() and "可用于恢复" in joined_texts(panel)

    tap(qtbot, shown_button(qtbot, panel, "恢复"))
    assert panel.confirm.isVisible() and "重新启动" in panel.confirm_text.text()
    with qtbot.waitSignal(panel.restart_requested, timeout=WAIT_MS):
        tap(qtbot, panel.confirm_button)
    assert "正在重新启动" in panel.result.text()
    actions = [a for (a,) in core.store.db.execute("SELECT action FROM audit ORDER BY seq")]
    assert actions[-2:] == ["db_backed_up", "db_restored"]

    core.stop()                               # what the service's restart does
    db = open_local_db(core.data_dir)
    db.conn.close()
    notice, = Notices(core.data_dir).pending()
    assert notice["kind"] == "db_restore_requested"


def test_database_panel_shows_notices_until_acknowledged(qtbot, core, database_panel):
    Notices(core.data_dir).add("db_restored", backup="kiosk-20261125T013000Z.db", aside="kiosk.db.damaged-x",
                                  salvaged=12, unreadable=3)
    panel = database_panel
    with qtbot.waitSignal(panel.done, timeout=WAIT_MS):
        panel.refresh()
    assert "数据库损坏，已自动从备份恢复" in joined_texts(panel) and "最多 3 条" in joined_texts(panel)
    ack = shown_button(qtbot, panel, "知道了")
    with qtbot.waitSignal(panel.done, timeout=WAIT_MS):
        tap(qtbot, ack)
    assert "自动从备份恢复" not in joined_texts(panel)
    assert Notices(core.data_dir).pending() == []


def test_database_panel_exports_to_a_stick_only_encrypted(qtbot, tmp_path, core_factory, tasks, monkeypatch):
    from ui.screens import maint_database
    from ui.screens.maint_database import DatabasePanel

    private = tmp_path / "district.key"
    public = ux.keygen(private)
    core = core_factory(diagnostics_public_key=public)
    with small_tmpfs(tmp_path / "media" / "STICK", "4m") as stick:
        monkeypatch.setattr(maint_database, "find_sticks", lambda: ux.find_sticks(roots=[tmp_path / "media"]))
        panel = DatabasePanel(core, tasks, lambda: ACTOR)
        qtbot.addWidget(panel)
        panel.show()
        with qtbot.waitSignal(panel.done, timeout=WAIT_MS):
            panel.refresh()
        export = shown_button(qtbot, panel, "导出诊断到U盘：STICK")
        with qtbot.waitSignal(panel.done, timeout=WAIT_MS) as done:
            tap(qtbot, export)
        assert done.args == ["export"] and "已导出（加密）" in panel.result.text()
        written, = stick.glob("*.zdiag")
        header, _zip = ux.decrypt(written.read_bytes(), ux.load_private(private))
        assert header["station"] == core.config["station_id"]


def test_database_panel_without_a_key_offers_no_export(qtbot, core, database_panel):
    with qtbot.waitSignal(database_panel.done, timeout=WAIT_MS):
        database_panel.refresh()
    assert "未设置区级诊断公钥" in joined_texts(database_panel)
    database_panel.clear()
    assert joined_texts(database_panel) == ""
