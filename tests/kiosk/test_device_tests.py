"""Maintenance device tests against the simulators: a real test page decoded from the bytes the printer got, a card
read through the pty reader, codes through the camera simulator, faults set on the simulators, a hot-plug rescan."""
import re
from datetime import datetime, timezone
from pathlib import Path

import pytest

import devices
from devices.base import Fault, HealthState
from devices.idcard.demo import DEMO_CARD, DEMO_HMT_PERMIT
from devices.qr_sim import demo_code
from devices.registry import build_devices
from kiosk import device_tests as dt
from kiosk.config import SETTINGS, Config
from kiosk.device_tests import DeviceTests, device_status, rescan
from tests.clocks import FakeClock
from tests.devices.escpos_decode import decode

T0 = datetime(2026, 11, 25, 1, 30, tzinfo=timezone.utc)


@pytest.fixture
def station(tmp_path):
    config = Config({"device_timeout_s": 2.0, "sim_demo_card": False, "sim_demo_qr": False})
    devices = build_devices(config, tmp_path)
    yield devices, DeviceTests(devices, config, clock=FakeClock(T0)), tmp_path
    devices.close()


def test_status_lists_every_family_with_its_backend(station):
    devices, _tests, _ = station
    rows = {row.family: row for row in device_status(devices)}
    assert set(rows) == {"idcard", "smartcard", "qr", "printer"}
    assert rows["printer"].state is HealthState.OK and rows["printer"].backend == "sim" and rows["printer"].simulated
    assert rows["smartcard"].state is HealthState.ABSENT and rows["smartcard"].backend == "none"


def test_the_test_page_is_printed_with_station_time_paper_and_a_qr_and_nobodys_data(station):
    devices, tests, data_dir = station
    outcome = tests.test_print()
    assert outcome.ok and outcome.audit_outcome == "ok"
    job = devices.sims.printer.printed[-1]
    assert job.parent == data_dir / "receipts" and job.with_suffix(".png").is_file()
    receipt = decode(job.read_bytes())
    text = "\n".join(receipt.texts)
    assert "打印测试" in text and "定海区长岛便民服务站" in text and "zs-dh-cjd-001" in text
    assert "2026-11-25 09:30:00" in text                # China time
    assert "纸量正常" in text and receipt.cuts == 1
    assert [q.payload for q in receipt.qr_codes] == ["zdb://printer-test?station=zs-dh-cjd-001&at=20261125T093000"]
    assert dict(outcome.facts)["纸张"] == "纸量正常"


@pytest.mark.parametrize("fault, expected", [("paper_out", Fault.PAPER_OUT), ("cover_open", Fault.COVER_OPEN),
                                             ("offline", Fault.PRINTER_ABSENT)])
def test_a_printer_fault_is_the_tests_outcome_and_nothing_prints(station, fault, expected):
    devices, tests, _ = station
    devices.sims.printer.set_fault(fault)
    before = len(devices.sims.printer.printed)
    outcome = tests.test_print()
    assert outcome.fault is expected and outcome.audit_outcome == expected.value and not outcome.ok
    assert len(devices.sims.printer.printed) == before


def test_a_card_read_shows_only_its_type_and_the_numbers_tail(station):
    devices, tests, _ = station
    devices.sims.idcard.present_card(DEMO_CARD)
    outcome = tests.read_card()
    assert outcome.ok
    assert outcome.facts == (("证件类型", "居民身份证"), ("号码", "*" * 14 + DEMO_CARD.id_number[-4:]))
    shown = repr(outcome)
    assert DEMO_CARD.name not in shown and DEMO_CARD.id_number not in shown and DEMO_CARD.address not in shown


def test_another_card_type_is_named(station):
    devices, tests, _ = station
    devices.sims.idcard.present_card(DEMO_HMT_PERMIT)
    assert dict(tests.read_card().facts)["证件类型"] == "港澳台居民居住证"


def test_no_card_before_the_timeout_is_a_clear_fault(station):
    _devices, tests, _ = station
    assert tests.read_card().fault is Fault.NO_CARD


def test_a_scanned_code_shows_its_kind_and_verification_not_its_text(station):
    devices, tests, _ = station
    code = demo_code(datetime.now(timezone.utc).timestamp())
    devices.sims.qr.show(code)
    outcome = tests.scan_code()
    assert outcome.ok and outcome.facts == (("码的类型", "浙里办身份码"), ("校验", "签名有效"))
    assert code not in repr(outcome)


def test_a_foreign_code_is_refused_and_nothing_times_out_silently(station):
    devices, tests, _ = station
    devices.sims.qr.show("https://example.org/not-ours")
    outcome = tests.scan_code()
    assert outcome.fault is Fault.QR_INVALID and outcome.detail == "url"
    assert "example" not in repr(outcome.facts)
    assert tests.scan_code().fault is Fault.QR_TIMEOUT


def test_an_unplugged_reader_is_found_again_by_a_rescan(station):
    devices, tests, _ = station
    devices.sims.unplug("idcard")
    rows = {row.family: row for row in rescan(devices)}
    assert rows["idcard"].state is HealthState.ABSENT
    assert tests.read_card().fault is Fault.READER_ABSENT
    devices.sims.plug("idcard")
    rows = {row.family: row for row in rescan(devices)}
    assert rows["idcard"].state is HealthState.OK


# --- device words in Chinese ------------------------------------------------------------------------------------

CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.mark.parametrize("fault", list(Fault))
def test_every_fault_has_chinese_words_and_advice(fault):
    assert CJK.search(dt.FAULT_SHORT[fault]) and CJK.search(dt.FAULT_ADVICE[fault])
    assert dt.reason_words(fault.value, HealthState.ERROR) == dt.FAULT_SHORT[fault]


def _literal_health_reasons() -> set[str]:
    """Every fixed reason a driver or the manager puts in a Health (devices/), and the printer's status words."""
    found = set()
    for path in Path(devices.__file__).parent.rglob("*.py"):
        found |= set(re.findall(r'Health\(HealthState\.\w+, "([^"]+)"\)', path.read_text(encoding="utf-8")))
    status = (Path(devices.__file__).parent / "printer" / "status.py").read_text(encoding="utf-8")
    body = status[status.index("def reason(self)"):status.index("def query(")]
    return found | set(re.findall(r'"([\w ]+)"', body)) - {""}


def test_every_fixed_health_reason_of_the_drivers_has_its_own_chinese_words():
    reasons = _literal_health_reasons()
    assert {"not found", "pcscd not running", "status unknown", "paper_near_end"} <= reasons   # the scan works
    for reason in reasons:
        words = dt.reason_words(reason, HealthState.ERROR)
        assert CJK.search(words) and words != dt.STATE_FALLBACK[HealthState.ERROR], reason


@pytest.mark.parametrize("reason, state, words", [
    ("open failed: PermissionError", HealthState.ERROR, "打开设备失败"),
    ("health check failed: TimeoutError", HealthState.ERROR, "状态检查出错"),
    ("no qr backend configured", HealthState.ABSENT, "未启用"),
    ("network connect: ConnectionRefusedError: [Errno 111]", HealthState.ABSENT, "设备未连接或没有应答"),
    ("something new", HealthState.ERROR, "设备报告故障"),
    ("", HealthState.OK, ""),
])
def test_reasons_with_a_variable_tail_or_unknown_get_words_by_their_start_or_state(reason, state, words):
    assert dt.reason_words(reason, state) == words


def test_every_backend_a_setting_offers_has_chinese_words():
    for setting in SETTINGS:
        if setting.key.endswith("_backend"):
            for choice in setting.choices:
                assert CJK.search(dt.backend_words(choice)), (setting.key, choice)
    assert dt.backend_words("none") == "未启用"


def test_status_words_say_what_a_technician_needs(station):
    devices, _tests, _ = station
    devices.sims.unplug("idcard")
    rows = {row.family: row for row in rescan(devices)}
    assert rows["idcard"].words == "设备已拔出" and rows["idcard"].reason == "unplugged"
    assert not rows["smartcard"].enabled and rows["printer"].enabled and rows["printer"].words == ""
