"""Serial driver for a SAM-module ID card reader: SAM status -> find -> select -> read text + photo.

Every frame has its own timeout and every failure ends as a DeviceError with a Fault code. The driver opens the
port lazily and releases it on any I/O error or absent reader, so an unplugged reader is found again when it
comes back (under the same path by this driver, under a new one by the device manager opening a new driver).
`cancel()` ends a blocking read from another thread. The WLT photo is kept as bytes and decoded elsewhere
(devices.idcard.wlt, with the optional vendor library).
"""
from __future__ import annotations

import threading
import time
from dataclasses import replace
from typing import Callable

import serial

from devices.base import DeviceError, Fault, Health, HealthState
from devices.idcard.protocol import (Command, FrameBuffer, FrameError, Response, Sw3, decode_response,
                                     encode_request, split_text_photo)
from devices.idcard.text import IdCard, TextError, UnsupportedCard, decode_text
from devices.serial_port import SERIAL_IO_ERRORS, close_quietly
from kiosk.records import Identity


class _NoAnswer(Exception):
    """Nothing (or only part of a frame) came back before the frame deadline."""

    def __init__(self, partial: int):
        super().__init__("truncated frame" if partial else "no answer")
        self.partial = partial


_LinkError = (FrameError, _NoAnswer)


class SerialIdCardReader:
    name = "idcard-serial"

    def __init__(self, port: str, baudrate: int = 115200, frame_timeout: float = 0.5, read_timeout: float = 1.5,
                 gap_timeout: float = 0.2, poll_interval: float = 0.1, retries: int = 2,
                 open_port: Callable[..., serial.SerialBase] = serial.serial_for_url,
                 clock: Callable[[], float] = time.monotonic):
        self.port = port                       # a device path, or a pyserial URL such as socket://host:port
        self._baudrate = baudrate
        self._frame_timeout = frame_timeout    # short frames (status, find, select)
        self._read_timeout = read_timeout      # the 1295-byte text + photo answer (~0.11 s at 115200 baud)
        self._gap_timeout = gap_timeout        # silence inside a frame: the card left mid-answer, stop waiting
        self._poll_interval = poll_interval
        self._retries = retries
        self._open_port = open_port
        self._clock = clock
        self._serial: serial.SerialBase | None = None
        self._lock = threading.Lock()          # one conversation at a time on the wire
        self._port_lock = threading.Lock()     # close_port vs cancel() poking the open port from another thread
        self._cancel = threading.Event()
        self._waiting = 0                      # read_card calls under way (running or queued on the lock)
        self._waiting_lock = threading.Lock()
        self._reading = False
        self._in_flight = False                # a cancelled read may have left an answer still arriving

    # --- IdCardReader ---------------------------------------------------------------------------------------
    def read_identity(self, timeout: float) -> Identity:
        return self.read_card(timeout).to_identity()

    def read_card(self, timeout: float) -> IdCard:
        """Wait up to `timeout` seconds for a card, then read it (the read itself may run a little past)."""
        with self._waiting_lock:
            self._waiting += 1
        try:
            with self._lock:
                self._reading = True
                try:
                    return self._read(self._clock() + timeout)
                finally:
                    self._reading = False
        finally:
            with self._waiting_lock:
                self._waiting -= 1
                if not self._waiting:
                    self._cancel.clear()

    def cancel(self) -> None:
        """End the read under way promptly with DeviceError(NO_CARD, "cancelled"); callable from any thread.

        Does nothing when no read is under way, so a late tap on 取消 cannot spoil the next resident's read.
        """
        with self._waiting_lock:
            if not self._waiting:
                return
            self._cancel.set()
        with self._port_lock:
            port = self._serial
            if port is not None and hasattr(port, "cancel_read"):   # wakes a blocked read() at once (POSIX)
                try:
                    port.cancel_read()
                except (*SERIAL_IO_ERRORS, TypeError, AttributeError):
                    pass

    def health(self) -> Health:
        if not self._lock.acquire(timeout=0):
            return Health(HealthState.OK, "busy reading")
        try:
            self._check_sam(self._clock() + self._frame_timeout * (self._retries + 1))
            return Health(HealthState.OK)
        except DeviceError as exc:
            self.close_port()
            return Health(HealthState.ABSENT, exc.detail)
        except SERIAL_IO_ERRORS as exc:
            self.close_port()
            return Health(HealthState.ABSENT, type(exc).__name__)
        finally:
            self._lock.release()

    @property
    def is_open(self) -> bool:
        """Whether the driver holds the port now (it lets go on I/O errors and absent readers)."""
        return self._serial is not None

    def close_port(self) -> None:
        with self._port_lock:
            port, self._serial = self._serial, None
            close_quietly(port)

    close = close_port

    # --- steps ----------------------------------------------------------------------------------------------
    def _read(self, deadline: float) -> IdCard:
        stale = self._serial is not None       # opened by an earlier call: the cable may have been pulled since
        while True:
            try:
                self._check_cancelled()
                self._check_sam(deadline)
                self._wait_for_card(deadline)
                return self._read_selected()
            except SERIAL_IO_ERRORS as exc:
                self.close_port()
                if stale:                      # one fresh open: a reader re-plugged under the same path just works
                    stale = False
                    continue
                raise DeviceError(Fault.READER_ABSENT, f"serial I/O: {type(exc).__name__}") from None
            except DeviceError as exc:
                if exc.reason is Fault.READER_ABSENT:
                    self.close_port()          # release it: the manager may reopen the reader under another path
                raise

    def _check_cancelled(self) -> None:
        if self._reading and self._cancel.is_set():
            raise DeviceError(Fault.NO_CARD, "cancelled")

    def _check_sam(self, deadline: float) -> None:
        for _ in range(self._retries + 1):
            try:
                response = self._transact(Command.SAM_STATUS, self._short_deadline(deadline))
            except _LinkError:
                continue
            if response.sw3 == Sw3.OK:
                return
            raise DeviceError(Fault.READER_ABSENT, f"SAM status SW3={response.sw3:02X}")
        raise DeviceError(Fault.READER_ABSENT, "no valid answer to SAM status")

    def _wait_for_card(self, deadline: float) -> None:
        silent = 0
        while True:
            try:
                if self._find_and_select(deadline):
                    return
                silent = 0
            except _LinkError:
                silent += 1
                if silent > self._retries:
                    raise DeviceError(Fault.READER_ABSENT, "reader stopped answering") from None
            if self._clock() + self._poll_interval >= deadline:
                raise DeviceError(Fault.NO_CARD, "no card before timeout")
            self._cancel.wait(self._poll_interval)   # a sleep that cancel() cuts short
            self._check_cancelled()

    def _find_and_select(self, deadline: float) -> bool:
        if self._transact(Command.FIND_CARD, self._short_deadline(deadline)).sw3 != Sw3.FIND_OK:
            return False
        return self._transact(Command.SELECT_CARD, self._short_deadline(deadline)).sw3 == Sw3.OK

    def _read_selected(self) -> IdCard:
        problem = ""
        for attempt in range(self._retries + 1):
            try:
                if attempt and not self._find_and_select(self._clock() + self._frame_timeout):
                    raise DeviceError(Fault.CARD_REMOVED, f"card gone after: {problem}")
                response = self._transact(Command.READ_TEXT_PHOTO, self._clock() + self._read_timeout)
                if response.sw3 != Sw3.OK:
                    problem = f"read SW3={response.sw3:02X}"
                    continue
                text, photo = split_text_photo(response.data)
            except _LinkError as exc:
                problem = str(exc)
                continue
            return self._decode(text, photo)
        raise DeviceError(Fault.CARD_UNREADABLE, f"{self._retries + 1} attempts, last: {problem}")

    @staticmethod
    def _decode(text: bytes, photo: bytes) -> IdCard:
        try:
            return replace(decode_text(text), photo_wlt=photo)
        except UnsupportedCard as exc:
            raise DeviceError(Fault.CARD_UNSUPPORTED, f"card type {exc.card_type!r}") from None
        except TextError as exc:   # the frame was intact, so retrying would read the same content
            raise DeviceError(Fault.CARD_UNREADABLE, str(exc)) from None

    # --- wire -----------------------------------------------------------------------------------------------
    def _short_deadline(self, deadline: float) -> float:
        """A short frame gets frame_timeout, cut down to what is left of the caller's wait (but never zero)."""
        now = self._clock()
        return now + max(min(self._frame_timeout, deadline - now), 0.05)

    def _port(self) -> serial.SerialBase:
        if self._serial is None:
            try:
                port = self._open_port(self.port, baudrate=self._baudrate, timeout=self._frame_timeout,
                                       write_timeout=self._frame_timeout)
            except (*SERIAL_IO_ERRORS, ValueError) as exc:
                raise DeviceError(Fault.READER_ABSENT, f"cannot open port: {type(exc).__name__}") from None
            with self._port_lock:
                self._serial = port
        return self._serial

    def _transact(self, command: Command, deadline: float) -> Response:
        port = self._port()
        if self._in_flight:
            self._settle(port)
        port.reset_input_buffer()              # drop the tail of an earlier truncated or late answer
        port.write(encode_request(command))
        return decode_response(self._receive(port, deadline))

    def _receive(self, port: serial.SerialBase, deadline: float) -> bytes:
        buf = FrameBuffer()
        gap_deadline = deadline
        while True:
            frame = buf.next_frame()
            if frame is not None:
                return frame
            remaining = min(deadline, gap_deadline) - self._clock()
            if remaining <= 0:
                raise _NoAnswer(buf.pending)
            port.timeout = remaining
            chunk = port.read(max(port.in_waiting, 1))
            if self._reading and self._cancel.is_set():
                self._in_flight = True         # the module goes on sending this answer: skip it next time
                self._check_cancelled()
            if chunk:   # once an answer has started, bytes come back to back: a gap means it will not finish
                gap_deadline = self._clock() + self._gap_timeout
                buf.feed(chunk)

    def _settle(self, port: serial.SerialBase) -> None:
        """Let the rest of an answer cut off by cancel() arrive and drop it: wait for a gap of silence."""
        self._in_flight = False
        give_up = self._clock() + self._read_timeout
        quiet_since = self._clock()
        port.timeout = self._gap_timeout
        while self._clock() < give_up and self._clock() - quiet_since < self._gap_timeout:
            if port.read(4096):                # (an empty early return, e.g. a stale cancel_read, is no proof)
                quiet_since = self._clock()
