"""Settings come in three layers: defaults < the district's config bundle < the station's config.json."""
import json
import logging

from kiosk.app import load_startup_config
from kiosk.config import SETTINGS, Config, check_central, load_config
from local_db.db import open_db
from local_db.sync_state import SyncState

LOCAL_ONLY = {"station_id", "station_code", "station_name", "hub_url", "hub_ca_file", "sync_require_enrollment",
              "fullscreen"}


def write_local(data_dir, values: dict) -> None:
    (data_dir / "config.json").write_text(json.dumps(values), encoding="utf-8")


def test_the_bundle_overrides_defaults_and_config_json_overrides_the_bundle(tmp_path):
    write_local(tmp_path, {"sync_interval_s": 5})
    bundle = json.dumps({"sync_interval_s": 30, "idle_timeout_s": 60, "log_level": "WARNING"})
    config = load_config(tmp_path, bundle)
    assert config["sync_interval_s"] == 5.0          # the technician's file wins
    assert config["idle_timeout_s"] == 60.0 and config["log_level"] == "WARNING"   # the district's
    assert config["backlog_warn"] == Config()["backlog_warn"] and config.problems == []


def test_a_bad_local_value_keeps_the_district_value_not_the_default(tmp_path):
    write_local(tmp_path, {"idle_timeout_s": "soon"})
    config = load_config(tmp_path, json.dumps({"idle_timeout_s": 60}))
    assert config["idle_timeout_s"] == 60.0 and len(config.problems) == 1


def test_a_stored_bundle_that_fails_its_check_is_ignored_whole_with_a_warning(tmp_path, caplog):
    for stored in ("{not json", json.dumps({"idle_timeout_s": 60, "hub_url": "http://evil"}), "[]"):
        with caplog.at_level(logging.WARNING, logger="kiosk.config"):
            config = load_config(tmp_path, stored)
        assert config["idle_timeout_s"] == Config()["idle_timeout_s"] and config["hub_url"] == Config()["hub_url"]
        assert "config bundle ignored" in caplog.text and "evil" not in caplog.text
        caplog.clear()


def test_station_identity_hub_and_devices_stay_local():
    central = {s.key for s in SETTINGS if s.central}
    assert not central & LOCAL_ONLY
    assert not any(key.startswith(("idcard_", "qr_", "printer_", "smartcard_", "sim_")) for key in central)
    assert {"follow_up", "idle_timeout_s", "sync_interval_s", "backlog_refuse", "personal_data_keep_days"} <= central
    assert check_central({s.key: s.default for s in SETTINGS if s.central}) == []


def test_start_reads_the_installed_bundle_from_the_database(tmp_path):
    db = open_db(tmp_path / "kiosk.db")
    SyncState(db).record_bundle("config", 3, "sha", json.dumps({"idle_timeout_s": 45}))
    db.conn.close()
    assert load_startup_config(tmp_path)["idle_timeout_s"] == 45.0


def test_a_first_start_has_no_bundle_and_leaves_no_database_behind(tmp_path):
    assert load_startup_config(tmp_path).as_dict() == Config().as_dict()
    assert not (tmp_path / "kiosk.db").exists()


def test_an_unmigrated_database_is_no_reason_not_to_start(tmp_path, caplog):
    open_db(tmp_path / "kiosk.db", migrate=False).conn.close()
    with caplog.at_level(logging.WARNING):
        assert load_startup_config(tmp_path)["idle_timeout_s"] == Config()["idle_timeout_s"]
    assert "config bundle not readable" in caplog.text
