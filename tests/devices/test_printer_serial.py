"""The real driver over a serial line (pyserial on a pty) and over a character device (as /dev/usb/lp0 is),
against the printer simulator on the pty's master side."""
import os
import time

import pytest

from devices.base import DeviceError, Fault, HealthState, ReceiptDoc
from devices.printer.escpos_doc import receipt_bytes
from devices.printer.printer import EscposPrinter
from devices.printer.sim import SimPrinter
from devices.printer.simulator import Link, PrinterSimulator
from devices.printer.status import PaperLevel
from devices.printer.transports import CharDeviceTransport, SerialTransport
from escpos_decode import decode

pytestmark = pytest.mark.timeout(30)

DOC = ReceiptDoc(title="不动产登记受理回执", lines=(("回执号", "PT002-20261126-0003"), ("备注", "请于 5 个工作日后领取。")),
                 qr_payload="https://zlb.example/q?r=PT002-20261126-0003", qr_caption="扫码查询")
QUERIES = [f"status:{n}" for n in (1, 2, 3, 4)]


@pytest.fixture
def sim(tmp_path):
    simulator = PrinterSimulator(tmp_path / "receipts", 58, record_wire=True)
    simulator.serve_pty()
    yield simulator
    simulator.close()


def serial_printer(sim, timeout=0.4):
    return EscposPrinter(SerialTransport(sim.port, 115200, timeout), 58, timeout=timeout)


def refused(printer) -> tuple[Fault, float]:
    start = time.monotonic()
    with pytest.raises(DeviceError) as info:
        printer.print_receipt(DOC)
    return info.value.reason, time.monotonic() - start


def test_receipt_over_serial(sim):
    assert os.path.islink(sim.port) and os.readlink(sim.port).startswith("/dev/pts/")
    printer = serial_printer(sim)
    assert printer.health().state is HealthState.OK
    printer.print_receipt(DOC)
    sim.wait_idle()
    (job,) = sim.jobs
    assert job.name == "PT002-20261126-0003.bin" and job.read_bytes() == receipt_bytes(DOC, 58)
    receipt = decode(job.read_bytes())
    assert receipt.texts[:2] == ["不动产登记受理回", "执"]       # double size on 58 mm: 8 characters a line
    assert "回执号：PT002-20261126-0003" in receipt.texts
    assert receipt.qr_codes[0].payload == DOC.qr_payload and receipt.cuts == 1
    wire = decode(bytes(sim.wire))
    assert wire.events[:9] == QUERIES + QUERIES + ["init"] and wire.events[-5:] == ["cut"] + QUERIES   # health, job


def test_paper_out_on_serial_sends_no_receipt_byte(sim):
    sim.set_paper(PaperLevel.OUT)
    assert refused(serial_printer(sim))[0] is Fault.PAPER_OUT
    assert sim.job_bytes == 0 and decode(bytes(sim.wire)).events == QUERIES


def test_cover_open_on_serial(sim):
    sim.set_cover_open(True)
    assert refused(serial_printer(sim))[0] is Fault.COVER_OPEN and sim.job_bytes == 0


def test_silent_serial_printer_is_absent_within_the_timeout(sim):
    sim.set_link(Link.SILENT)                 # a cable with nothing answering at the other end
    reason, elapsed = refused(serial_printer(sim, timeout=0.3))
    assert reason is Fault.PRINTER_ABSENT and elapsed < 1.0 and sim.job_bytes == 0


def test_unplugged_adapter_is_absent_at_once(sim):
    sim.set_link(Link.DOWN)                   # the tty is gone, as /dev/ttyUSB0 goes when unplugged
    assert not os.path.exists(sim.port)
    printer = serial_printer(sim)
    assert printer.health().state is HealthState.ABSENT
    reason, elapsed = refused(printer)
    assert reason is Fault.PRINTER_ABSENT and elapsed < 0.5


def test_unplugged_mid_receipt_on_serial(sim):
    sim.unplug_after(150)
    reason, elapsed = refused(serial_printer(sim))
    assert reason is Fault.PRINTER_ABSENT and elapsed < 1.5
    sim.wait_idle()
    assert sim.jobs == [] and not sim.directory.exists()      # not even the directory: nothing was printed
    (lost,) = sim.incomplete
    assert lost.reason == "unplugged mid-job" and lost.received == 150 - 12
    sim.set_link(Link.UP)                     # plugged back in under the same name
    serial_printer(sim).print_receipt(DOC)
    sim.wait_idle()
    assert [p.name for p in sim.jobs] == ["PT002-20261126-0003.bin"]


def test_character_device_transport(sim):
    """/dev/usb/lpN is a plain character device: a pty slave stands in for it."""
    printer = EscposPrinter(CharDeviceTransport(sim.port, timeout=0.4), 58, timeout=0.4)
    assert printer.transport.is_usable() and printer.health().state is HealthState.OK
    printer.print_receipt(DOC)
    sim.wait_idle()
    assert sim.jobs[0].read_bytes() == receipt_bytes(DOC, 58)
    sim.set_paper(PaperLevel.NEAR_END)
    assert printer.health().reason == "paper_near_end"
    sim.set_link(Link.DOWN)
    assert not printer.transport.is_usable() and refused(printer)[0] is Fault.PRINTER_ABSENT


def test_kiosk_sim_printer_over_serial(tmp_path):
    printer = SimPrinter(tmp_path, 80, link="serial", timeout=0.5)
    try:
        printer.print_receipt(DOC)
        assert [p.name for p in printer.printed] == ["PT002-20261126-0003.bin"]
        printer.set_fault("cover_open")
        assert refused(printer)[0] is Fault.COVER_OPEN
        printer.set_fault("offline")
        assert refused(printer)[0] is Fault.PRINTER_ABSENT
    finally:
        printer.close()
    assert not os.path.exists(printer.simulator.port)
