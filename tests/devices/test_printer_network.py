"""The real driver over raw TCP against the printer simulator; bytes checked by tests/devices/escpos_decode.py."""
import socket
import time

import pytest
from PIL import Image, ImageChops

from devices.base import DeviceError, Fault, HealthState, ReceiptDoc
from devices.printer.escpos_doc import PAPERS, layout, receipt_bytes
from devices.printer.preview import render_preview
from devices.printer.printer import EscposPrinter, read_status
from devices.printer.sim import SimPrinter
from devices.printer.simulator import Link, PrinterSimulator, simulated_status
from devices.printer.status import PaperLevel, asb_enable, asb_frame, parse_asb, query
from devices.printer.transports import NetworkTransport
from escpos_decode import decode

pytestmark = pytest.mark.timeout(30)

DOC = ReceiptDoc(
    title="舟山市定海区便民服务受理回执",
    lines=(("回执号", "DH001-20261125-0042"), ("申请人", "王**"), ("费用", "¥0.00（免费）"),
           ("办理事项", "城乡居民基本医疗保险参保登记（含少儿、学生），并同步办理缴费。")),
    qr_payload="https://zlb.example/q?r=DH001-20261125-0042",
    qr_caption="扫码查询办理进度",
    footer=("请妥善保管本回执。",),
)
QUERIES = [f"status:{n}" for n in (1, 2, 3, 4)]
STATUS_BYTES = b"".join(query(n) for n in (1, 2, 3, 4))


@pytest.fixture
def sim(tmp_path):
    simulator = PrinterSimulator(tmp_path / "receipts", 80, record_wire=True)
    simulator.serve_tcp()
    yield simulator
    simulator.close()


def driver(sim, width=80, timeout=0.5):
    host, port = sim.address
    return EscposPrinter(NetworkTransport(host, port, timeout), width, timeout=timeout)


def bins(sim):
    return sorted(sim.directory.glob("*.bin")) if sim.directory.exists() else []


def refused(printer, doc=DOC) -> tuple[Fault, float]:
    start = time.monotonic()
    with pytest.raises(DeviceError) as info:
        printer.print_receipt(doc)
    return info.value.reason, time.monotonic() - start


@pytest.mark.parametrize("width", [58, 80])
def test_receipt_over_tcp_through_the_independent_decoder(tmp_path, width):
    sim = PrinterSimulator(tmp_path, width, record_wire=True)
    try:
        sim.serve_tcp()
        driver(sim, width).print_receipt(DOC)
        sim.wait_idle()
        (job,) = sim.jobs
        assert job.name == "DH001-20261125-0042.bin" and job.with_suffix(".png").exists()
        assert job.read_bytes() == receipt_bytes(DOC, width)      # the job holds exactly the receipt
        receipt = decode(job.read_bytes())
        text = "".join(t.strip() for t in receipt.texts)
        assert receipt.initialised and receipt.cuts == 1 and receipt.status_queries == []
        for expected in ("舟山市定海区便民服务受理回执", "回执号：DH001-20261125-0042", "费用：￥0.00（免费）",
                         "学生），并同步办理缴费。", "扫码查询办理进度", "请妥善保管本回执。"):
            assert expected in text
        assert "¥" not in text and max(line.columns for line in receipt.lines) <= PAPERS[width].columns
        (qr,) = receipt.qr_codes
        assert qr.payload == DOC.qr_payload and qr.ec == 1
    finally:
        sim.close()


def test_status_is_asked_before_the_first_byte_and_after_the_cut(sim):
    driver(sim).print_receipt(DOC)
    wire = decode(bytes(sim.wire))
    assert wire.events[:5] == QUERIES + ["init"]
    assert wire.events[-5:] == ["cut"] + QUERIES
    assert sim.status_queries == 8 and sim.job_bytes == len(receipt_bytes(DOC, 80))


def test_preview_is_drawn_from_the_received_stream(sim):
    driver(sim).print_receipt(DOC)
    sim.wait_idle()
    with Image.open(sim.jobs[0].with_suffix(".png")) as png:
        expected = render_preview(layout(DOC, PAPERS[80]), PAPERS[80])
        assert png.size == expected.size and ImageChops.difference(png.convert("L"), expected).getbbox() is None


def test_paper_out_refuses_before_sending_a_receipt_byte(sim):
    sim.set_paper(PaperLevel.OUT)
    printer = driver(sim)
    health = printer.health()
    assert (health.state, health.reason) == (HealthState.ERROR, "paper_out")
    reason, _ = refused(printer)
    assert reason is Fault.PAPER_OUT
    assert sim.job_bytes == 0 and bytes(sim.wire) == STATUS_BYTES * 2     # health, then the refused job
    assert bins(sim) == [] and sim.incomplete == []
    sim.set_paper(PaperLevel.OK)                  # staff load a roll
    printer.print_receipt(DOC)
    sim.wait_idle()
    assert [p.name for p in bins(sim)] == ["DH001-20261125-0042.bin"]


def test_cover_open_refuses(sim):
    sim.set_cover_open(True)
    printer = driver(sim)
    assert printer.health().reason == "cover_open"
    assert refused(printer)[0] is Fault.COVER_OPEN and sim.job_bytes == 0
    assert printer.last_status.cover_open and not printer.last_status.online


def test_cutter_error_is_a_printer_error(sim):
    sim.set_cutter_error(True)
    assert refused(driver(sim))[0] is Fault.PRINTER_ERROR and sim.job_bytes == 0


def test_paper_near_end_still_prints_and_health_says_so(sim):
    sim.set_paper(PaperLevel.NEAR_END)
    printer = driver(sim)
    printer.print_receipt(DOC)
    sim.wait_idle()
    health = printer.health()
    assert (health.state, health.reason) == (HealthState.OK, "paper_near_end")
    assert printer.last_status.paper is PaperLevel.NEAR_END and len(sim.jobs) == 1


def test_paper_running_out_during_the_receipt_leaves_it_owed(sim):
    class RunsOut(NetworkTransport):
        def write(self, data):
            super().write(data)
            if len(data) > 100:                   # the receipt itself, not a status query
                sim.set_paper(PaperLevel.OUT)

    printer = EscposPrinter(RunsOut(*sim.address, timeout=0.5), 80, timeout=0.5)
    assert refused(printer)[0] is Fault.PAPER_OUT


def test_printer_switched_off_is_absent_at_once(sim):
    sim.set_link(Link.DOWN)
    printer = driver(sim)
    assert printer.health().state is HealthState.ABSENT
    reason, elapsed = refused(printer)
    assert reason is Fault.PRINTER_ABSENT and elapsed < 0.5 and sim.job_bytes == 0


def test_silent_printer_is_absent_within_the_timeout(sim):
    sim.set_link(Link.SILENT)
    reason, elapsed = refused(driver(sim, timeout=0.3))
    assert reason is Fault.PRINTER_ABSENT and 0.25 < elapsed < 1.0
    assert bytes(sim.wire) == query(1)            # nothing follows an unanswered status request
    sim.set_link(Link.UP)
    driver(sim).print_receipt(DOC)


@pytest.mark.parametrize("host", ["127.0.0.1", "192.0.2.1"])   # closed port; TEST-NET-1, routed nowhere
def test_unreachable_printer_is_absent_within_a_bounded_time(host):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]             # nobody listens here once the probe is closed
    printer = EscposPrinter(NetworkTransport(host, port, timeout=0.3), 80, timeout=0.3)
    reason, elapsed = refused(printer)
    assert reason is Fault.PRINTER_ABSENT and elapsed < 1.0
    assert printer.health().state is HealthState.ABSENT


def test_no_host_configured_is_absent():
    printer = EscposPrinter(NetworkTransport("", 9100), 80)
    assert printer.health().state is HealthState.ABSENT
    assert refused(printer)[0] is Fault.PRINTER_ABSENT


# bytes on the wire before the plug is pulled (status queries take the first 12; -1: all but the cut's last byte)
# and whether printed content had arrived by then (a lone ESC is no content: nothing to discard)
@pytest.mark.parametrize("after, content", [(1, False), (13, False), (300, True), (-1, True)])
def test_unplugged_mid_receipt_is_absent_and_leaves_no_job(sim, after, content):
    total = len(STATUS_BYTES) + len(receipt_bytes(DOC, 80))
    sim.unplug_after(total - 1 if after == -1 else after)
    reason, elapsed = refused(driver(sim))
    assert reason is Fault.PRINTER_ABSENT and elapsed < 1.0
    sim.wait_idle()
    assert bins(sim) == [] and sim.jobs == [] and sim.link is Link.DOWN
    if content:
        (lost,) = sim.incomplete
        assert lost.reason == "unplugged mid-job" and 0 < lost.received < len(receipt_bytes(DOC, 80))
    else:
        assert sim.incomplete == []
    sim.set_link(Link.UP)                         # plugged back in: the owed receipt prints whole
    driver(sim).print_receipt(DOC)
    sim.wait_idle()
    assert [p.name for p in bins(sim)] == ["DH001-20261125-0042.bin"]


def test_host_that_disconnects_before_the_cut_leaves_no_job(sim):
    data = receipt_bytes(DOC, 80)
    with socket.create_connection(sim.address, timeout=1) as sock:
        sock.sendall(data[: len(data) // 2])
    deadline = time.monotonic() + 2
    while not sim.incomplete and time.monotonic() < deadline:
        time.sleep(0.01)
    (lost,) = sim.incomplete                      # a half GBK pair at the end may still wait for its byte
    assert lost.reason == "connection closed before the cut" and len(data) // 2 - 1 <= lost.received
    assert bins(sim) == []


def test_automatic_status_back(sim):
    with socket.create_connection(sim.address, timeout=1) as sock:
        sock.sendall(asb_enable())
        assert parse_asb(recv_exactly(sock, 4)).fault() is None
        sim.set_cover_open(True)
        assert parse_asb(recv_exactly(sock, 4)).fault() is Fault.COVER_OPEN
        sock.sendall(asb_enable(0))               # off again: status only when asked
        sock.sendall(query(2))
        assert recv_exactly(sock, 1) == bytes([0x16])


def recv_exactly(sock, n):
    data = b""
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        assert chunk, "connection closed"
        data += chunk
    return data


class ScriptedLink:
    """Answers each status query with queued bytes, as a printer with ASB left on would."""
    name, can_read = "scripted", True

    def __init__(self, answers):
        self.answers, self.incoming = list(answers), b""

    def write(self, data):
        self.incoming += self.answers.pop(0)

    def read(self, size, timeout):
        data, self.incoming = self.incoming[:size], self.incoming[size:]
        return data


def test_status_reader_skips_asb_frames_and_flow_control_bytes():
    noise = asb_frame(simulated_status()) + b"\x11\x13"
    link = ScriptedLink([noise + b"\x12", b"\x12", b"\x12", b"\x13\x7e"])
    assert read_status(link, 0.2).fault() is Fault.PAPER_OUT


def test_kiosk_sim_printer_uses_the_wire(tmp_path):
    printer = SimPrinter(tmp_path, 58)
    try:
        printer.print_receipt(DOC)
        assert printer.simulator.status_queries == 8 and printer.simulator.address[0] == "127.0.0.1"
        printer.set_fault("paper_out")
        assert refused(printer)[0] is Fault.PAPER_OUT
        assert printer.simulator.job_bytes == len(receipt_bytes(DOC, 58))     # the first receipt only
        printer.set_fault("offline")
        assert refused(printer)[0] is Fault.PRINTER_ABSENT and printer.health().state is HealthState.ABSENT
        printer.set_fault(None)
        printer.print_receipt(DOC)
        assert [p.name for p in printer.printed] == ["DH001-20261125-0042.bin", "DH001-20261125-0042-2.bin"]
    finally:
        printer.close()
