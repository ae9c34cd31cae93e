"""A SAM-module simulator answering real frames on the master side of a pty.

The driver opens `simulator.port` (the pty slave) with pyserial exactly as it would open /dev/ttyUSB0, so the
whole serial path is exercised. Like a real module, a card that has been read is not found again until it has
left the field (`remove_card`) and come back (`present_card`); in demo mode that happens by itself. Only an
answer delivered whole counts as a read (an injected fault leaves the card readable, so retries can be tested).
"""
from __future__ import annotations

import hashlib
import os
import select
import threading
import time
import tty
from dataclasses import dataclass
from datetime import date
from enum import Enum

from devices.idcard.protocol import (PHOTO_LEN, Command, FrameBuffer, FrameError, Request, Response, Sw3,
                                     decode_request, encode_response, encode_text_photo)
from devices.idcard.text import IdCardData, encode_text

# DEMO resident: fictitious person, valid GB 11643 check digit, never a real card.
DEMO_CARD = IdCardData(
    name="王海生", gender_code="1", nation_code=1, birth_date=date(1968, 3, 12),
    address="浙江省舟山市定海区长岛乡长岛村渔港路18号", id_number="330902196803121232",
    authority="舟山市公安局定海区分局", valid_from=date(2018, 6, 1), valid_to=None,
    photo_wlt=hashlib.shake_256(b"zdb demo wlt").digest(PHOTO_LEN),   # stands in for vendor-encrypted bytes
)


class SimFault(str, Enum):
    BAD_CHECKSUM = "bad_checksum"   # answer with a wrong CHK byte
    TRUNCATE = "truncate"           # send the first half of the answer, then nothing
    SILENT = "silent"               # answer nothing (unplugged / dead module)
    SAM_FAILED = "sam_failed"       # answer SW3 60: SAM self-test failed


@dataclass
class _FaultPlan:
    fault: SimFault
    command: Command | None       # None: every command
    remaining: int | None         # None: until cleared


class IdCardSimulator:
    def __init__(self, demo: bool = False, baud: int | None = None):
        self.demo = demo
        self._baud = baud                      # pace output like a real line; None = as fast as the pty goes
        self._master, self._slave = os.openpty()
        tty.setraw(self._slave)                # no echo or CR/LF mangling even before pyserial configures it
        self.port = os.ttyname(self._slave)
        self._lock = threading.Lock()
        self._card: IdCardData | None = None
        self._selected = False
        self._latched = False                  # read done: not found again until removed
        self._remove_after: int | None = None
        self._fault: _FaultPlan | None = None
        self.requests: dict[str, int] = {}     # command name -> count, for tests and the bench
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, name="idcard-sim", daemon=True)
        self._thread.start()

    # --- controls -------------------------------------------------------------------------------------------
    def present_card(self, card: IdCardData = DEMO_CARD) -> None:
        with self._lock:
            self._card, self._selected, self._latched, self._remove_after = card, False, False, None

    def remove_card(self, after_bytes: int | None = None) -> None:
        """Take the card away now, or during the next read answer once `after_bytes` bytes have gone out."""
        with self._lock:
            if after_bytes is None:
                self._card, self._selected, self._latched = None, False, False
            else:
                self._remove_after = after_bytes

    def set_fault(self, fault: SimFault | None, command: Command | None = Command.READ_TEXT_PHOTO,
                  times: int | None = None) -> None:
        """Misbehave on `command` (None: all) for the next `times` answers (None: until cleared)."""
        with self._lock:
            self._fault = _FaultPlan(fault, command, times) if fault else None

    def clear_fault(self) -> None:
        self.set_fault(None)

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=2)
        for fd in (self._master, self._slave):
            try:
                os.close(fd)
            except OSError:
                pass

    # --- serving --------------------------------------------------------------------------------------------
    def _serve(self) -> None:
        buf = FrameBuffer()
        while not self._stop.is_set():
            ready, _, _ = select.select([self._master], [], [], 0.05)
            if not ready:
                continue
            try:
                buf.feed(os.read(self._master, 4096))
            except OSError:
                return
            self._drain(buf)

    def _drain(self, buf: FrameBuffer) -> None:
        while True:
            try:
                frame = buf.next_frame()
            except FrameError:
                self._send(encode_response(Response(Sw3.BAD_LENGTH)))
                continue
            if frame is None:
                return
            try:
                request = decode_request(frame)
            except FrameError:
                self._send(encode_response(Response(Sw3.BAD_CHECKSUM)))
                continue
            self._answer(request)

    def _answer(self, request: Request) -> None:
        name = request.command.name if request.command else f"{request.cmd:02X}{request.para:02X}"
        self.requests[name] = self.requests.get(name, 0) + 1
        with self._lock:
            fault = self._take_fault(request.command)
            response = self._respond(request.command, intact=fault is None and self._remove_after is None)
            cut = self._remove_after if request.command is Command.READ_TEXT_PHOTO else None
            if cut is not None:
                self._card, self._selected, self._remove_after = None, False, None
        frame = encode_response(response)
        if fault is SimFault.SAM_FAILED:
            frame = encode_response(Response(Sw3.SAM_SELFTEST_FAILED))
        elif fault is SimFault.BAD_CHECKSUM:
            frame = frame[:-1] + bytes([frame[-1] ^ 0x5A])
        elif fault is SimFault.TRUNCATE:
            cut = len(frame) // 2 if cut is None else min(cut, len(frame) // 2)
        if fault is not SimFault.SILENT:
            self._send(frame if cut is None else frame[:cut])

    def _take_fault(self, command: Command | None) -> SimFault | None:
        plan = self._fault
        if plan is None or plan.command not in (None, command):
            return None
        if plan.remaining is not None:
            plan.remaining -= 1
            if plan.remaining <= 0:
                self._fault = None
        return plan.fault

    def _respond(self, command: Command | None, intact: bool) -> Response:
        if command is Command.SAM_STATUS:
            return Response(Sw3.OK)
        if command is Command.MAX_RF_BYTES:
            return Response(Sw3.OK, b"\x50")
        if command is Command.FIND_CARD:
            if self._card is None and self.demo:
                self._card, self._latched = DEMO_CARD, False
            self._selected = False
            found = self._card is not None and not self._latched
            return Response(Sw3.FIND_OK, bytes(4)) if found else Response(Sw3.FIND_FAILED)
        if command is Command.SELECT_CARD:
            self._selected = self._card is not None and not self._latched
            return Response(Sw3.OK, bytes(8)) if self._selected else Response(Sw3.SELECT_FAILED)
        if command is Command.READ_TEXT_PHOTO:
            if not self._selected or self._card is None:
                return Response(Sw3.READ_FAILED)
            card = self._card
            self._selected = False
            if intact:                     # only a read the host got whole counts as done (see module doc)
                self._latched = True
                if self.demo and card is DEMO_CARD:
                    self._card = None      # the demo resident takes the card back after each read
            return Response(Sw3.OK, encode_text_photo(encode_text(card), card.photo_wlt))
        return Response(Sw3.BAD_COMMAND)

    def _send(self, data: bytes) -> None:
        step = 64 if self._baud else len(data) or 1
        for start in range(0, len(data), step):
            chunk = data[start:start + step]
            if self._baud:
                time.sleep(len(chunk) * 10 / self._baud)    # 10 bits a byte on an 8N1 line
            self._write_all(chunk)

    def _write_all(self, data: bytes) -> None:
        view = memoryview(data)
        while view and not self._stop.is_set():
            try:
                view = view[os.write(self._master, view):]
            except BlockingIOError:
                time.sleep(0.001)
            except OSError:
                return
