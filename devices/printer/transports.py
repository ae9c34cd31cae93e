"""Where ESC/POS bytes go. Each transport only opens, closes, writes, reads and says whether it is usable
(python-escpos style); the protocol lives once in printer.py.

Every link failure is an OSError (a timeout is TimeoutError), so the driver maps one exception family to
PRINTER_ABSENT. Every write and read is bounded: a write fails once `timeout` seconds pass without progress, a
read returns b"" at its deadline. A transport is opened per job, so an unplugged printer is found again.
USB transports are in usb.py.
"""
from __future__ import annotations

import os
import re
import select
import socket
import tempfile
import time
from pathlib import Path
from typing import Protocol

import serial

from devices.serial_port import TermiosError, close_quietly

CHUNK = 512                        # bytes per write call: progress is measured per chunk


class Transport(Protocol):
    name: str
    can_read: bool                 # False: no status from this printer (status reads as unknown)

    def is_usable(self) -> bool:
        """Configured and its dependencies present (no I/O)."""

    def open(self, job: str = "") -> None:
        """Connect; `job` names the job where the transport stores jobs (file), a wire ignores it."""

    def close(self) -> None: ...

    def write(self, data: bytes) -> None:
        """All of `data`, or OSError (TimeoutError after `timeout` s without progress)."""

    def read(self, size: int, timeout: float) -> bytes:
        """Up to `size` bytes; b"" when nothing came within `timeout`; OSError if the link is gone."""


def write_atomically(path: Path, data: bytes) -> None:
    """Write to a temporary file and rename: a reader never sees a half-written file under `path`."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def free_stem(directory: Path, job: str) -> str:
    """A file stem for `job` that no earlier job in `directory` used (a reprint gets -2, -3, ...)."""
    stem = re.sub(r"[^A-Za-z0-9._-]", "_", job).lstrip(".") or "receipt"
    candidate, n = stem, 1
    while (directory / f"{candidate}.bin").exists():
        n += 1
        candidate = f"{stem}-{n}"
    return candidate


class FileTransport:
    """Each job becomes `<directory>/<job>.bin`, written whole when the job is closed."""
    name = "file"
    can_read = False

    def __init__(self, directory: Path):
        self.directory = Path(directory)
        self.last_stem: str | None = None
        self._stem: str | None = None
        self._data = bytearray()

    def is_usable(self) -> bool:
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
        except OSError:
            return False
        return os.access(self.directory, os.W_OK)

    def open(self, job: str = "") -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        self._stem, self._data = free_stem(self.directory, job or "receipt"), bytearray()

    def write(self, data: bytes) -> None:
        if self._stem is None:
            raise OSError("file transport not open")
        self._data += data

    def read(self, size: int, timeout: float) -> bytes:
        return b""

    def close(self) -> None:
        stem, self._stem = self._stem, None
        if stem is not None and self._data:
            write_atomically(self.directory / f"{stem}.bin", bytes(self._data))
            self.last_stem = stem


class NetworkTransport:
    """Raw TCP (port 9100, "JetDirect"), one connection per job."""
    name = "network"
    can_read = True

    def __init__(self, host: str, port: int = 9100, timeout: float = 2.0):
        self.host, self.port, self.timeout = host, port, timeout
        self._sock: socket.socket | None = None

    def is_usable(self) -> bool:
        return bool(self.host) and 0 < self.port < 65536

    def open(self, job: str = "") -> None:
        self.close()
        sock = socket.create_connection((self.host, self.port), timeout=self.timeout)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)   # 3-byte status queries go out at once
        self._sock = sock

    def _socket(self) -> socket.socket:
        if self._sock is None:
            raise ConnectionError("not connected")
        return self._sock

    def write(self, data: bytes) -> None:
        sock = self._socket()
        sock.settimeout(self.timeout)
        view = memoryview(data)
        while view:
            view = view[sock.send(view[:CHUNK]):]     # socket.timeout is a TimeoutError

    def read(self, size: int, timeout: float) -> bytes:
        sock = self._socket()
        sock.settimeout(max(timeout, 0.0))
        try:
            data = sock.recv(size)
        except (TimeoutError, BlockingIOError):
            return b""
        if not data:
            raise ConnectionResetError("printer closed the connection")
        return data

    def close(self) -> None:
        sock, self._sock = self._sock, None
        if sock is not None:
            sock.close()


class SerialTransport:
    """RS-232 or USB-serial (pyserial; a pyserial URL such as socket://host:port works too)."""
    name = "serial"
    can_read = True

    def __init__(self, port: str, baudrate: int = 9600, timeout: float = 2.0, flow_control: str = "none"):
        self.port, self.baudrate, self.timeout = port, baudrate, timeout
        self.flow_control = flow_control          # "none" | "rtscts" | "xonxoff" | "dsrdtr"
        self._serial: serial.SerialBase | None = None

    def is_usable(self) -> bool:
        return bool(self.port)

    def open(self, job: str = "") -> None:
        self.close()
        port = serial.serial_for_url(self.port, do_not_open=True, baudrate=self.baudrate, timeout=0,
                                     rtscts=self.flow_control == "rtscts", xonxoff=self.flow_control == "xonxoff",
                                     dsrdtr=self.flow_control == "dsrdtr")
        try:
            port.open()
        except TermiosError as exc:
            raise OSError(f"cannot configure {self.port}: {exc}") from None
        self._serial = port

    def _port(self) -> serial.SerialBase:
        if self._serial is None:
            raise OSError("serial port not open")
        return self._serial

    def write(self, data: bytes) -> None:
        port = self._port()
        for start in range(0, len(data), CHUNK):
            chunk = data[start:start + CHUNK]
            port.write_timeout = self.timeout + len(chunk) * 10 / self.baudrate   # 10 bits a byte (8N1)
            try:
                if port.write(chunk) != len(chunk):
                    raise TimeoutError("serial write stalled")
            except serial.SerialTimeoutException:
                raise TimeoutError("serial write stalled") from None
            except TermiosError as exc:
                raise OSError(str(exc)) from None

    def read(self, size: int, timeout: float) -> bytes:
        port = self._port()
        try:
            port.timeout = max(timeout, 0.0)
            return port.read(size)
        except TermiosError as exc:
            raise OSError(str(exc)) from None

    def close(self) -> None:
        port, self._serial = self._serial, None
        close_quietly(port)


class CharDeviceTransport:
    """A character device the kernel made for the printer, e.g. /dev/usb/lp0 (usblp): plain reads and writes,
    bounded with select()."""
    name = "chardev"
    can_read = True

    def __init__(self, path: str, timeout: float = 2.0):
        self.path, self.timeout = path, timeout
        self._fd: int | None = None

    def is_usable(self) -> bool:
        return bool(self.path) and os.path.exists(self.path)

    def open(self, job: str = "") -> None:
        self.close()
        self._fd = os.open(self.path, os.O_RDWR | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC)

    def _handle(self) -> int:
        if self._fd is None:
            raise OSError(f"{self.path} not open")
        return self._fd

    def write(self, data: bytes) -> None:
        fd, view = self._handle(), memoryview(data)
        while view:
            if not select.select([], [fd], [], self.timeout)[1]:
                raise TimeoutError(f"{self.path}: write stalled")
            try:
                view = view[os.write(fd, view[:CHUNK]):]
            except BlockingIOError:
                continue

    def read(self, size: int, timeout: float) -> bytes:
        fd, deadline = self._handle(), time.monotonic() + max(timeout, 0.0)
        while True:
            if select.select([fd], [], [], max(deadline - time.monotonic(), 0.0))[0]:
                try:
                    data = os.read(fd, size)
                except BlockingIOError:
                    data = None
                if data == b"":
                    raise ConnectionResetError(f"{self.path}: device gone")
                if data:
                    return data
            if time.monotonic() >= deadline:
                return b""

    def close(self) -> None:
        fd, self._fd = self._fd, None
        if fd is not None:
            os.close(fd)
