"""Serial QR scanners over a pty pair as the wire; closing the pty's master end is pulling the USB cable."""
import os
import threading
import time

import pytest

from devices.base import DeviceError, Fault, HealthState, QrScanner
from devices.qr_serial import LineBuffer, SerialQrScanner, enumerate_serial, line_text, open_serial
from devices.qr_sim import demo_code

pytestmark = pytest.mark.timeout(20)
CODE = demo_code(1_795_600_000)


class Wire:
    """A pty pair reached through a stable symlink, like /dev/serial/by-id/... of a real scanner."""

    def __init__(self, link):
        self.link = str(link)
        self.master = None
        self.plug()

    def plug(self):
        self.master, slave = os.openpty()
        self._slave = slave
        if os.path.lexists(self.link):
            os.unlink(self.link)
        os.symlink(os.ttyname(slave), self.link)

    def send(self, data: bytes, delay: float = 0.0):
        if delay:
            threading.Timer(delay, os.write, args=(self.master, data)).start()
        else:
            os.write(self.master, data)

    def unplug(self):
        os.close(self.master)
        os.close(self._slave)
        os.unlink(self.link)
        self.master = None

    def close(self):
        if self.master is not None:
            self.unplug()


@pytest.fixture
def wire(tmp_path):
    w = Wire(tmp_path / "ttyQR")
    yield w
    w.close()


@pytest.fixture
def scanner(wire):
    s = SerialQrScanner(wire.link)
    yield s
    s.close()


def scanned(scanner, timeout=2.0):
    return scanner.scan(timeout)


def test_code_with_crlf(wire, scanner):
    assert isinstance(scanner, QrScanner) and scanner.health().state is HealthState.OK
    wire.send(CODE.encode() + b"\r\n", delay=0.1)
    assert scanned(scanner) == CODE


def test_code_split_across_writes(wire, scanner):
    data = CODE.encode() + b"\r"
    for i, delay in enumerate((0.05, 0.1, 0.15)):
        wire.send(data[i * len(data) // 3:(i + 1) * len(data) // 3], delay=delay)
    assert scanned(scanner) == CODE


def test_two_codes_in_one_write_and_resends_count_once(wire, scanner):
    wire.send(b"ZLB1.first\r\nZLB1.first\r\nZLB1.second\n", delay=0.1)
    assert scanned(scanner) == "ZLB1.first"


def test_stale_bytes_from_before_the_scan_are_discarded(wire, scanner):
    scanner.health()                          # port open
    wire.send(b"ZLB1.previous-resident\r\n")
    time.sleep(0.1)
    wire.send(b"ZLB1.this-resident\r\n", delay=0.2)
    assert scanned(scanner) == "ZLB1.this-resident"


def test_chinese_lines_in_utf8_and_gbk(wire, scanner):
    wire.send("舟山 户口簿\r\n".encode("utf-8"), delay=0.1)
    assert scanned(scanner) == "舟山 户口簿"
    wire.send("残疾人证\r\n".encode("gbk"), delay=0.1)
    assert scanned(scanner) == "残疾人证"


def test_binary_line_is_returned_for_the_parser_to_reject(wire, scanner):
    wire.send(b"\x00\xff\xfe\x80binary\r\n", delay=0.1)
    assert scanned(scanner) == "\x00\xff\xfe\x80binary"


def test_over_long_line_is_cut_for_the_parser_to_reject_and_the_next_code_still_reads(wire, scanner):
    wire.send(b"A" * 10_000 + b"\r\n", delay=0.1)      # fits the pty's buffer: the write is done at once
    assert len(scanned(scanner)) == 4097
    wire.send(b"ZLB1.after\r\n", delay=0.1)
    assert scanned(scanner) == "ZLB1.after"


def test_timeout(scanner):
    start = time.monotonic()
    with pytest.raises(DeviceError) as info:
        scanner.scan(0.3)
    assert info.value.reason is Fault.QR_TIMEOUT and 0.29 < time.monotonic() - start < 0.8


def test_unplug_mid_scan_then_replug(wire, scanner):
    scanner.health()
    threading.Timer(0.2, wire.unplug).start()
    start = time.monotonic()
    with pytest.raises(DeviceError) as info:
        scanner.scan(5.0)
    assert info.value.reason is Fault.READER_ABSENT and time.monotonic() - start < 1.5
    assert scanner.health().state is HealthState.ABSENT
    with pytest.raises(DeviceError) as info:
        scanner.scan(1.0)
    assert info.value.reason is Fault.READER_ABSENT and "cannot open" in info.value.detail
    wire.plug()                                  # a new pty behind the same link, as after a USB re-plug
    assert scanner.health().state is HealthState.OK
    wire.send(b"ZLB1.back\r\n", delay=0.1)
    assert scanned(scanner) == "ZLB1.back"


def test_missing_port():
    scanner = SerialQrScanner("/dev/ttyNOPE47")
    assert scanner.health().state is HealthState.ABSENT
    with pytest.raises(DeviceError) as info:
        scanner.scan(1.0)
    assert info.value.reason is Fault.READER_ABSENT


def test_backend(wire):
    assert enumerate_serial({"qr_serial_port": ""}) == []
    assert enumerate_serial({"qr_serial_port": "/dev/ttyNOPE47"}) == []
    [info] = enumerate_serial({"qr_serial_port": wire.link})
    assert (info.family, info.backend, info.path) == ("qr", "serial", wire.link)
    scanner = open_serial(info, {"qr_serial_baud": 115200, "qr_dedupe_s": 1.0})
    try:
        wire.send(b"ZLB1.backend\r\n", delay=0.1)
        assert scanned(scanner) == "ZLB1.backend"
    finally:
        scanner.close()


def test_line_buffer_and_text():
    lines = LineBuffer(max_line=10)
    lines.feed(b"abc\r\n\r\ndef\nghi")
    assert [lines.next_line(), lines.next_line(), lines.next_line()] == [b"abc", b"def", None]
    lines.feed(b"\r" + b"x" * 25 + b"\ryz\n")
    assert [lines.next_line(), lines.next_line(), lines.next_line()] == [b"ghi", b"x" * 11, b"yz"]
    assert line_text("中".encode("utf-8")) == "中" and line_text("中".encode("gbk")) == "中"
    assert line_text(b"\xff\xff") == "\xff\xff"
