import json
from datetime import datetime, timezone

from kiosk.config import Config, load_config
from kiosk.idle import IdleGuard, IdleState
from kiosk.ids import receipt_number, uuid7
from kiosk.rating import BAD_REASONS, GOOD_REASONS, reasons_for
from kiosk.records import Identity


def test_uuid7_is_time_ordered_and_versioned():
    a = uuid7(datetime(2026, 1, 1, tzinfo=timezone.utc))
    b = uuid7(datetime(2026, 1, 2, tzinfo=timezone.utc))
    assert a < b and a[14] == "7" and a[19] in "89ab"


def test_receipt_number_format():
    assert receipt_number("DH001", datetime(2026, 3, 4), 12) == "DH001-20260304-0012"


def test_identity_masks():
    person = Identity("idcard", "王海生", "330902195803150012")
    assert person.masked_id() == "330***********0012"
    assert person.masked_name() == "王**"


def test_config_defaults_and_overrides(tmp_path):
    (tmp_path / "config.json").write_text(json.dumps({"idle_timeout_s": 30, "hub_url": "http://127.0.0.1:1",
                                                      "printer_width_mm": 57, "nonsense": 1}))
    config = load_config(tmp_path)
    assert config["idle_timeout_s"] == 30.0
    assert config["hub_url"] == "http://127.0.0.1:1"
    assert config["printer_width_mm"] == 80  # invalid choice: default kept
    assert len(config.problems) == 2


def test_config_unreadable_file_falls_back(tmp_path):
    (tmp_path / "config.json").write_text("{not json")
    config = load_config(tmp_path)
    assert config["station_code"] == Config()["station_code"]
    assert config.problems


def test_idle_guard_warns_expires_and_waits_while_busy():
    now = [0.0]
    guard = IdleGuard(timeout_s=60, warning_s=10, clock=lambda: now[0])
    assert guard.status().state == IdleState.ACTIVE
    now[0] = 55
    assert guard.status().state == IdleState.WARNING
    now[0] = 61
    assert guard.status().state == IdleState.EXPIRED
    with guard.busy():
        now[0] = 500
        assert guard.status().state == IdleState.ACTIVE
    assert guard.status().state == IdleState.ACTIVE  # idle clock restarts after the busy part
    guard.touch()
    now[0] = 561
    assert guard.status().state == IdleState.EXPIRED


def test_rating_reasons_follow_level():
    assert reasons_for(5) == GOOD_REASONS
    assert reasons_for(2) == BAD_REASONS


def test_uuid7_is_strictly_increasing_within_a_millisecond_and_after_a_clock_step_back():
    now = datetime(2026, 1, 1, tzinfo=timezone.utc)
    ids = [uuid7(now) for _ in range(5000)]            # more than 4096 in one millisecond
    ids.append(uuid7(datetime(2025, 1, 1, tzinfo=timezone.utc)))   # the clock stepped back a year
    assert ids == sorted(ids) and len(set(ids)) == len(ids)
