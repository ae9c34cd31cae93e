"""Serial QR scanners: fixed-mount scanners that are USB-CDC (or RS-232) devices sending each code + CR/LF.

The port opens lazily and is dropped on any I/O error, so an unplugged scanner reads as READER_ABSENT and is found
again when it comes back. Bytes left on the line between scans are discarded when a scan starts: a code read while
no screen asked for one may belong to the previous resident.
"""
from __future__ import annotations

import os
import re
import threading
import time
from typing import Any, Callable

import serial

from devices.base import DeviceError, Fault, Health, HealthState
from devices.manager import DeviceInfo
from devices.qr_dedupe import ScanDeduper
from devices.qr_settings import setting
from devices.serial_port import SERIAL_IO_ERRORS, close_quietly

MAX_LINE = 4096      # longer than any code we accept; more is noise or hostile
_LINE_END = re.compile(rb"[\r\n]")


def line_text(data: bytes) -> str:
    """A scanned line as text: UTF-8, else GB18030 (Chinese scanners often default to GBK output), else
    Latin-1 so that the payload parser sees and rejects the odd bytes instead of a decode error."""
    for charset in ("utf-8", "gb18030"):
        try:
            return data.decode(charset)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")


class LineBuffer:
    """Splits received bytes into CR/LF-terminated lines; an over-long line is cut to MAX_LINE + 1 bytes (so the
    parser rejects it as too long) and the rest of it is skipped."""

    def __init__(self, max_line: int = MAX_LINE):
        self._max_line = max_line
        self._buf = bytearray()
        self._skipping = False
        self._lines: list[bytes] = []

    def feed(self, data: bytes) -> None:
        *complete, rest = _LINE_END.split(data)
        for part in complete:
            self._append(part)
            self._end_line()
        self._append(rest)

    def next_line(self) -> bytes | None:
        return self._lines.pop(0) if self._lines else None

    def clear(self) -> None:
        self._buf.clear()
        self._lines.clear()
        self._skipping = False

    def _append(self, part: bytes) -> None:
        if self._skipping or not part:
            return
        self._buf += part
        if len(self._buf) > self._max_line:
            self._lines.append(bytes(self._buf[:self._max_line + 1]))
            self._buf.clear()
            self._skipping = True

    def _end_line(self) -> None:
        if self._buf and not self._skipping:   # CR LF gives an empty line between: not a code
            self._lines.append(bytes(self._buf))
        self._buf.clear()
        self._skipping = False


class SerialQrScanner:
    name = "qr-serial"

    def __init__(self, port: str, baudrate: int = 9600, deduper: ScanDeduper | None = None,
                 open_port: Callable[..., serial.SerialBase] = serial.serial_for_url,
                 clock: Callable[[], float] = time.monotonic):
        self.port = port                 # a device path, or a pyserial URL such as socket://host:port
        self._baudrate = baudrate
        self._deduper = deduper or ScanDeduper(clock=clock)
        self._open_port = open_port
        self._clock = clock
        self._serial: serial.SerialBase | None = None
        self._lines = LineBuffer()
        self._lock = threading.Lock()

    def scan(self, timeout: float) -> str:
        with self._lock:
            deadline = self._clock() + timeout
            try:
                port = self._port()
                port.reset_input_buffer()      # stale codes from before this scan are not this resident's
                self._lines.clear()
                return self._read_code(port, deadline)
            except SERIAL_IO_ERRORS as exc:
                self.close()
                raise DeviceError(Fault.READER_ABSENT, f"serial I/O: {type(exc).__name__}") from None

    def health(self) -> Health:
        if self._serial is not None:
            return Health(HealthState.OK)
        if "://" not in self.port and not os.path.exists(self.port):
            return Health(HealthState.ABSENT, "port not found")
        if not self._lock.acquire(timeout=0):
            return Health(HealthState.OK, "busy scanning")
        try:
            self._port()
            return Health(HealthState.OK)
        except DeviceError as exc:
            return Health(HealthState.ABSENT, exc.detail)
        finally:
            self._lock.release()

    def close(self) -> None:
        port, self._serial = self._serial, None
        close_quietly(port)

    def _port(self) -> serial.SerialBase:
        if self._serial is None:
            try:
                self._serial = self._open_port(self.port, baudrate=self._baudrate, timeout=0.1)
            except (*SERIAL_IO_ERRORS, ValueError) as exc:
                raise DeviceError(Fault.READER_ABSENT, f"cannot open port: {type(exc).__name__}") from None
        return self._serial

    def _read_code(self, port: serial.SerialBase, deadline: float) -> str:
        while True:
            while (line := self._lines.next_line()) is not None:
                text = line_text(line)
                if self._deduper.accept(text):      # continuous-mode scanners resend while the code is in view
                    return text
            remaining = deadline - self._clock()
            if remaining <= 0:
                raise DeviceError(Fault.QR_TIMEOUT, "no code before timeout")
            port.timeout = min(remaining, 0.2)
            self._lines.feed(port.read(max(port.in_waiting, 1)))


def enumerate_serial(config: Any) -> list[DeviceInfo]:
    """The configured port if it exists (URLs such as socket:// are taken as present); none if unset."""
    port = setting(config, "qr_serial_port")
    if not port or ("://" not in port and not os.path.exists(port)):
        return []
    return [DeviceInfo("qr", "serial", port, "serial QR scanner")]


def open_serial(info: DeviceInfo, config: Any) -> SerialQrScanner:
    return SerialQrScanner(info.path, setting(config, "qr_serial_baud"),
                           deduper=ScanDeduper(setting(config, "qr_dedupe_s")))
