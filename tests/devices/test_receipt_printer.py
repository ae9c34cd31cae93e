"""Receipts checked through an independent ESC/POS decoder (tests/devices/escpos_decode.py)."""
from datetime import datetime

import pytest
from PIL import Image

from devices.base import DeviceError, Fault, HealthState, ReceiptDoc, ReceiptPrinter
from devices.printer.printer import EscposPrinter
from devices.printer.sim import PrinterFault, SimPrinter
from devices.printer.transports import FileTransport
from escpos_decode import decode

pytestmark = pytest.mark.timeout(20)

DOC = ReceiptDoc(
    title="舟山市定海区便民服务受理回执",
    lines=(
        ("回执号", "DH001-20261125-0007"),
        ("申请人", "王**"),
        ("身份证号", "330***********1232"),
        ("办理事项", "城乡居民基本医疗保险参保登记（含少儿、学生），并同步办理缴费。"),
        ("费用", "¥0.00（免费）"),
        ("办理网点", "定海区长岛便民服务站"),
    ),
    qr_payload="https://zlb.example/q?r=DH001-20261125-0007",
    qr_caption="扫码查询办理进度",
    footer=("请妥善保管本回执。", "咨询：0580-12345，工作日 8:30-17:00。"),
)
COLUMNS = {58: 32, 80: 48}


def print_doc(tmp_path, width, doc=DOC):
    printer = SimPrinter(tmp_path, width)
    printer.print_receipt(doc)
    (job,) = printer.printed
    return job, decode(job.read_bytes())


@pytest.mark.parametrize("width", [58, 80])
def test_receipt_text_through_an_independent_decoder(tmp_path, width):
    job, receipt = print_doc(tmp_path, width)
    assert job.name == "DH001-20261125-0007.bin" and receipt.initialised and receipt.cuts == 1
    text = "".join(t.strip() for t in receipt.texts)
    assert text.startswith("舟山市定海区便民服务受理回执")
    for expected in ("回执号：DH001-20261125-0007", "身份证号：330***********1232", "学生），并同步办理缴费。",
                     "费用：￥0.00（免费）", "扫码查询办理进度", "请妥善保管本回执。", "咨询：0580-12345，工作日"):
        assert expected in text
    assert "¥" not in text


@pytest.mark.parametrize("width", [58, 80])
def test_line_widths_respected(tmp_path, width):
    _, receipt = print_doc(tmp_path, width)
    assert max(line.columns for line in receipt.lines) <= COLUMNS[width]
    assert any(line.columns == COLUMNS[width] for line in receipt.lines)   # the rule line fills the paper
    continuation = [t for t in receipt.texts if t.startswith(" " * 10)]
    assert continuation, "long value wraps with a hanging indent"
    assert not any(t.strip()[:1] in "，。）：" for t in receipt.texts if t.strip())


def test_title_is_centred_bold_double(tmp_path):
    _, receipt = print_doc(tmp_path, 80)
    title = receipt.lines[0]
    assert (title.align, title.bold, title.width, title.height) == (1, True, 2, 2)
    assert all(not line.bold and line.width == 1 for line in receipt.lines[2:])


def test_qr_payload_and_caption(tmp_path):
    _, receipt = print_doc(tmp_path, 58)
    (qr,) = receipt.qr_codes
    assert qr.payload == DOC.qr_payload and qr.ec == 1 and 3 <= qr.module_size <= 6
    caption = receipt.lines[qr.line_index]
    assert caption.text == "扫码查询办理进度" and caption.align == 1


def test_full_width_punctuation_only_line_survives(tmp_path):
    doc = ReceiptDoc(title="：，。", lines=(("", "：，。、“”"),), footer=("￥",))
    _, receipt = print_doc(tmp_path, 58, doc)
    assert "：，。" in receipt.texts and "：，。、“”" in receipt.texts and "￥" in receipt.texts
    assert not any("?" in t for t in receipt.texts)


def test_characters_outside_gbk_do_not_break_the_stream(tmp_path):
    doc = ReceiptDoc(title="回执", lines=(("备注", "😀𠮷"),))
    _, receipt = print_doc(tmp_path, 58, doc)
    assert "备注：??" in receipt.texts


def test_png_preview_is_a_valid_image(tmp_path):
    job, _ = print_doc(tmp_path, 58)
    png = job.with_suffix(".png")
    with Image.open(png) as image:
        image.verify()
    with Image.open(png) as image:
        assert image.format == "PNG" and image.width == 384 and image.height > 400
        assert image.convert("L").getextrema() == (0, 255)      # something was drawn


@pytest.mark.parametrize("fault,reason,state", [
    (PrinterFault.PAPER_OUT, Fault.PAPER_OUT, HealthState.ERROR),
    (PrinterFault.COVER_OPEN, Fault.COVER_OPEN, HealthState.ERROR),
    ("offline", Fault.PRINTER_ABSENT, HealthState.ABSENT),
])
def test_faults_raise_and_write_nothing(tmp_path, fault, reason, state):
    printer = SimPrinter(tmp_path, 80)
    assert isinstance(printer, ReceiptPrinter)
    printer.set_fault(fault)
    assert printer.health().state is state
    with pytest.raises(DeviceError) as info:
        printer.print_receipt(DOC)
    assert info.value.reason is reason
    assert list(tmp_path.iterdir()) == [] and printer.printed == []
    printer.set_fault(None)
    printer.print_receipt(DOC)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["DH001-20261125-0007.bin", "DH001-20261125-0007.png"]


def test_reprint_gets_its_own_file_and_no_temporary_files_remain(tmp_path):
    printer = SimPrinter(tmp_path, 80)
    printer.print_receipt(DOC)
    printer.print_receipt(DOC)
    assert [p.name for p in printer.printed] == ["DH001-20261125-0007.bin", "DH001-20261125-0007-2.bin"]
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_receipt_without_number_is_named_by_time(tmp_path):
    printer = SimPrinter(tmp_path, 58, clock=lambda: datetime(2026, 11, 25, 10, 31, 5, 123456))
    printer.print_receipt(ReceiptDoc(title="测试", lines=(("项目", "值"),)))
    assert printer.printed[0].name == "20261125-103105-123456.bin"


def test_qr_payload_too_long_for_paper_is_a_printer_error(tmp_path):
    printer = SimPrinter(tmp_path, 58)
    with pytest.raises(DeviceError) as info:
        printer.print_receipt(ReceiptDoc(title="t", lines=(), qr_payload="x" * 1500))
    assert info.value.reason is Fault.PRINTER_ERROR and list(tmp_path.iterdir()) == []
    with pytest.raises(DeviceError):
        printer.print_receipt(ReceiptDoc(title="t", lines=(), qr_payload="x" * 5000))


def test_file_backend_writes_the_same_bytes_without_preview(tmp_path):
    printer = EscposPrinter(FileTransport(tmp_path / "out"), 58)
    assert printer.health().state is HealthState.OK
    printer.print_receipt(DOC)
    (job,) = (tmp_path / "out").iterdir()
    assert job.suffix == ".bin" and decode(job.read_bytes()).qr_codes[0].payload == DOC.qr_payload
    sim_job, _ = print_doc(tmp_path / "sim", 58)
    assert job.read_bytes() == sim_job.read_bytes()


def test_unwritable_directory_is_absent(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    printer = EscposPrinter(FileTransport(blocker / "receipts"), 80)
    assert printer.health().state is HealthState.ABSENT
    with pytest.raises(DeviceError) as info:
        printer.print_receipt(DOC)
    assert info.value.reason is Fault.PRINTER_ABSENT
