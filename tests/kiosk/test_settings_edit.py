"""The technician's settings editor: listing with layers, parsing what was typed, all-or-nothing atomic saves."""
import json

import pytest

from kiosk import settings_edit as se
from kiosk.config import SETTINGS, Config, load_config
from local_db.audit import AuditLog, TECHNICIAN
from local_db.db import open_db
from tests.tmpfs_helpers import fill, small_tmpfs


@pytest.fixture
def data_dir(tmp_path):
    (tmp_path / "config.json").write_text(json.dumps({"sync_interval_s": 30, "vendor_extra": {"keep": 1},
                                                      "station_name": "长岛站"}), encoding="utf-8")
    return tmp_path


def editor(data_dir, bundle=None, running=None, audit=None):
    return se.SettingsEditor(data_dir, json.dumps(bundle) if bundle else None, running, audit)


def test_rows_list_every_setting_with_its_layer_and_value(data_dir):
    rows = {r.key: r for r in editor(data_dir, bundle={"sync_interval_s": 20.0, "idle_timeout_s": 120.0},
                                     running=Config()).rows()}
    assert set(rows) == {s.key for s in SETTINGS}
    assert (rows["sync_interval_s"].layer, rows["sync_interval_s"].value) == (se.LOCAL, "30.0")   # local wins
    assert (rows["idle_timeout_s"].layer, rows["idle_timeout_s"].value) == (se.BUNDLE, "120.0")
    assert (rows["device_timeout_s"].layer, rows["device_timeout_s"].value) == (se.DEFAULT, "30.0")
    assert rows["idle_timeout_s"].pending_restart and not rows["device_timeout_s"].pending_restart
    assert rows["printer_width_mm"].choices == ("58", "80") and rows["printer_width_mm"].type_name == "int"
    assert rows["fullscreen"].value == "开" and rows["printer_tcp_port"].group == "打印机"
    assert all(r.description and r.group for r in rows.values())


@pytest.mark.parametrize("key, text, value", [
    ("fullscreen", "关", False), ("fullscreen", " true ", True), ("sync_batch_size", "100", 100),
    ("sync_interval_s", "2.5", 2.5), ("printer_width_mm", "58", 58), ("log_level", "DEBUG", "DEBUG"),
    ("printer_tcp_port", "65535", 65535), ("backup_interval_h", "0", 0.0), ("diagnostics_public_key", "", ""),
])
def test_validate_accepts(key, text, value):
    checked = se.validate(key, text)
    assert checked.ok and checked.value == value and type(checked.value) is type(value)


@pytest.mark.parametrize("key, text, reason", [
    ("fullscreen", "maybe", "开或关"), ("sync_batch_size", "1.5", "整数"), ("sync_batch_size", "", "整数"),
    ("sync_interval_s", "nan", "有限"), ("sync_interval_s", "inf", "有限"), ("sync_interval_s", "abc", "数字"),
    ("sync_interval_s", "0", "大于 0"), ("idle_timeout_s", "-5", "大于 0"), ("printer_tcp_port", "70000", "端口"),
    ("printer_tcp_port", "0", "端口"), ("printer_width_mm", "76", "只能选"), ("log_level", "TRACE", "只能选"),
    ("hub_url", "hub.local", "http"), ("zlb_public_key", "xyz", "十六进制"), ("station_name", "a\nb", "换行"),
    ("no_such_setting", "1", "没有这个设置"), ("backup_keep", "0", "1 到 100"),
])
def test_validate_refuses_with_a_chinese_reason(key, text, reason):
    checked = se.validate(key, text)
    assert not checked.ok and reason in checked.reason


def test_save_writes_atomically_keeps_unknown_keys_and_says_what_needs_a_restart(data_dir):
    result = editor(data_dir, running=load_config(data_dir)).save(
        {"idle_timeout_s": "120", "fullscreen": "关", "station_name": None}, TECHNICIAN)
    assert result.ok and set(result.saved) == {"idle_timeout_s", "fullscreen", "station_name"}
    assert set(result.restart) == {"idle_timeout_s", "fullscreen", "station_name"}
    stored = json.loads((data_dir / "config.json").read_text(encoding="utf-8"))
    assert stored == {"sync_interval_s": 30, "vendor_extra": {"keep": 1}, "idle_timeout_s": 120.0,
                      "fullscreen": False}
    config = load_config(data_dir)
    assert config["idle_timeout_s"] == 120.0 and config["fullscreen"] is False
    assert not list(data_dir.glob(".*tmp"))


def test_save_refuses_everything_on_any_problem(data_dir):
    before = (data_dir / "config.json").read_bytes()
    result = editor(data_dir).save({"idle_timeout_s": "120", "printer_tcp_port": "99999"}, TECHNICIAN)
    assert not result.ok and set(result.problems) == {"printer_tcp_port"} and "全部未保存" in result.message
    assert (data_dir / "config.json").read_bytes() == before
    # a limit between two settings, judged on what would be in effect
    result = editor(data_dir).save({"idle_warning_s": "90"}, TECHNICIAN)
    assert not result.ok and "短于空闲超时" in result.problems["idle_warning_s"]
    assert (data_dir / "config.json").read_bytes() == before


def test_each_saved_key_is_audited_without_its_value(tmp_path, data_dir):
    db = open_db(tmp_path / "kiosk.db")
    trail = AuditLog(db, "st-1")
    try:
        editor(data_dir, audit=trail).save({"sync_interval_s": "4321.5", "station_name": None,
                                            "fullscreen": "开"}, TECHNICIAN)   # fullscreen: already the default
        rows = db.execute("SELECT actor, action, target, outcome FROM audit ORDER BY seq").fetchall()
        assert rows == [(TECHNICIAN, "settings_changed", "sync_interval_s", "set"),
                        (TECHNICIAN, "settings_changed", "station_name", "reset"),
                        (TECHNICIAN, "settings_changed", "fullscreen", "set")]
        assert "4321" not in repr(db.execute("SELECT * FROM audit").fetchall())
    finally:
        db.conn.close()


def test_unreadable_config_json_is_kept_aside_and_replaced(tmp_path):
    (tmp_path / "config.json").write_text("{broken", encoding="utf-8")
    result = editor(tmp_path).save({"sync_interval_s": "20"}, TECHNICIAN)
    assert result.ok
    assert json.loads((tmp_path / "config.json").read_text()) == {"sync_interval_s": 20.0}
    aside, = tmp_path.glob("config.json.unreadable-*")
    assert aside.read_text() == "{broken"


def test_secret_settings_are_never_shown(monkeypatch, data_dir):
    monkeypatch.setattr(se, "SECRET_SETTINGS", frozenset({"hub_url"}))
    row = next(r for r in editor(data_dir).rows() if r.key == "hub_url")
    assert row.secret and row.value == "已设置" and row.default == "已设置" and "127.0.0.1" not in repr(row)
    assert se.is_secret("printer_api_key") and se.is_secret("technician_pin") and not se.is_secret("station_id")


@pytest.fixture
def full_disk(tmp_path):
    with small_tmpfs(tmp_path / "small") as mount:
        (mount / "config.json").write_text(json.dumps({"sync_interval_s": 30}), encoding="utf-8")
        fill(mount)
        yield mount


def test_disk_full_on_save_keeps_the_old_file_and_says_so(full_disk):
    result = editor(full_disk).save({"station_name": "一个很长的站点名称" * 50}, TECHNICIAN)
    assert not result.ok and "磁盘空间不足" in result.message
    assert json.loads((full_disk / "config.json").read_text()) == {"sync_interval_s": 30}
    assert not list(full_disk.glob(".*tmp"))
