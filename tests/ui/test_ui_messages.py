"""Every code the core can raise has plain Chinese words and a next step, in one place, through translation."""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from devices.base import Fault
from kiosk.flow import FieldError, Problem
from kiosk.rating import BAD_REASONS, GOOD_REASONS, LEVELS
from kiosk.records import Mode, Place
from ui import messages

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("code", list(Problem) + list(Fault), ids=lambda c: c.value)
def test_every_problem_and_fault_has_a_message_and_next_step(qapp, code):
    message = messages.message_for(code)
    assert message.text and message.next_step
    assert message != messages.message_for(None), f"{code} falls back to the generic message"


@pytest.mark.parametrize("code", list(FieldError), ids=lambda c: c.value)
def test_every_field_error_has_text(qapp, code):
    text = messages.field_error_text(code)
    assert text and "{" not in text


def test_tables_cover_the_enums_exactly():
    assert set(messages.FAULTS) == set(Fault)
    assert set(messages.PROBLEMS) == set(Problem)
    assert set(messages.FIELD_ERRORS) == set(FieldError)
    assert set(messages.PLACES) == set(Place) and set(messages.MODES) == set(Mode)
    assert set(messages.LEVELS) == set(LEVELS)
    assert set(messages.REASONS) == set(GOOD_REASONS) | set(BAD_REASONS)


def test_brief_wording_for_common_faults(qapp):
    assert messages.message_for(Fault.CARD_REMOVED).next_step == "请将身份证平放在读卡区，不要移动，再试一次"
    absent = messages.message_for(Fault.READER_ABSENT)
    assert absent.text + "，" + absent.next_step == "读卡器暂不可用，请改用浙里办扫码或联系工作人员"
    assert "扫码器" in messages.message_for(Fault.READER_ABSENT, via_qr=True).text
    full = messages.message_for(Problem.STORAGE_FULL)
    assert full.text + full.next_step == "本机存储已满，申请未能保存。请联系工作人员。您填写的内容仍保留"
    for fault in (Fault.PAPER_OUT, Fault.COVER_OPEN, Fault.PRINTER_ABSENT):
        assert "请记下回执号，工作人员可为您补打" in messages.message_for(fault).next_step


def test_flow_error_and_unexpected_errors_map(qapp):
    from kiosk.flow import FlowError

    assert messages.message_for_error(FlowError(Fault.QR_EXPIRED)).text == "二维码已过期"
    assert messages.message_for_error(RuntimeError("boom")) == messages.message_for(None)


@pytest.mark.skipif(shutil.which("pyside6-lupdate", path=str(ROOT / ".venv" / "bin")) is None,
                    reason="pyside6-lupdate not installed")
def test_lupdate_extracts_the_ui_strings(tmp_path):
    """The UI's strings reach Qt Linguist: messages (QT_TRANSLATE_NOOP) and screens (self.tr)."""
    sources = [str(p) for p in (ROOT / "ui").rglob("*.py")]
    ts = tmp_path / "zh.ts"
    subprocess.run([str(ROOT / ".venv" / "bin" / "pyside6-lupdate"), *sources, "-ts", str(ts)], check=True,
                   capture_output=True, timeout=120)
    text = ts.read_text(encoding="utf-8")
    for context in ("Messages", "HomeScreen", "IdentifyScreen", "ReceiptScreen", "RatingScreen", "IdleOverlay"):
        assert f"<name>{context}</name>" in text, context
    for source in ("请将身份证平放在读卡区，不要移动，再试一次", "{n} 秒后返回首页，您填写的内容会被清除", "在本机申请"):
        assert f"<source>{source}</source>" in text, source


def test_a_paused_item_names_the_district_reason_as_given(qapp):
    from kiosk.flow import FlowError

    paused = messages.message_for_error(FlowError(Problem.ITEM_PAUSED, "升级{n}中"))
    assert paused.text == "这个事项在本机暂停办理，原因：升级{n}中" and "便民服务中心" in paused.next_step
    assert messages.message_for_error(FlowError(Problem.ITEM_PAUSED)).text == "这个事项在本机暂停办理"
