"""A SAM-module simulator answering real frames on the master side of a pty.

The driver opens `simulator.port` (a symlink to the pty slave) with pyserial exactly as it would open
/dev/ttyUSB0, so the whole serial path is exercised. Like a real module, a card that has been read is not found
again until it has left the field (`remove_card`) and come back (`present_card`); in demo mode that happens by
itself. Only an answer delivered whole counts as a read (an injected fault leaves the card readable, so retries
can be tested).

`unplug()` pulls the cable: the pty is closed and the port path vanishes (a driver holding it sees I/O errors);
`plug()` makes a new pty under a new path, as a re-plugged USB reader may come back as another /dev/ttyUSBn.
"""
from __future__ import annotations

import os
import select
import shutil
import tempfile
import threading
import time
import tty
from dataclasses import dataclass
from enum import Enum
from typing import Union

from devices.idcard.demo import (DEMO_CARD, DEMO_FOREIGNER_2017, DEMO_FOREIGNER_2023, DEMO_HMT_PERMIT,  # noqa: F401
                                 fake_wlt)
from devices.idcard.protocol import (Command, FrameBuffer, FrameError, Request, Response, Sw3, decode_request,
                                     encode_response, encode_text_photo)
from devices.idcard.text import IdCard, encode_text

# What can lie on the reader: a card record, or a raw 256-byte text block (hand-built or of an unknown type).
Presentable = Union[IdCard, bytes]
_RAW_BLOCK_PHOTO = fake_wlt(b"zdb raw block wlt")


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


class _Wire:
    """One pty pair under a symlinked path, and the thread serving it: the cable that unplug() pulls."""

    def __init__(self, link: str):
        self.master, self.slave = os.openpty()
        tty.setraw(self.slave)                 # no echo or CR/LF mangling even before pyserial configures it
        os.symlink(os.ttyname(self.slave), link)
        self.link = link
        self.stop = threading.Event()
        self.thread: threading.Thread | None = None
        self._closed = False
        self._lock = threading.Lock()

    def cut(self) -> None:
        """Close both ends and remove the path. Idempotent; safe from the serving thread itself."""
        self.stop.set()
        with self._lock:
            if self._closed:
                return
            self._closed = True            # closing twice could close an fd number reused meanwhile
            for fd in (self.master, self.slave):
                try:
                    os.close(fd)
                except OSError:
                    pass
        try:
            os.unlink(self.link)
        except OSError:
            pass

    def pull(self) -> None:
        """Cut from outside: stop the thread first so it never touches a closed (or reused) fd number."""
        self.stop.set()
        if self.thread is not None and self.thread is not threading.current_thread():
            self.thread.join(timeout=2)
        self.cut()


class IdCardSimulator:
    def __init__(self, demo: bool = False, baud: int | None = None):
        self.demo = demo
        self._baud = baud                      # pace output like a real line; None = as fast as the pty goes
        self._lock = threading.Lock()
        self._card: Presentable | None = None
        self._selected = False
        self._latched = False                  # read done: not found again until removed
        self._remove_after: int | None = None
        self._unplug_after: int | None = None
        self._fault: _FaultPlan | None = None
        self.requests: dict[str, int] = {}     # command name -> count, for tests and the bench
        self._links = tempfile.mkdtemp(prefix="zdb-idcard-sim-")
        self._plugs = 0
        self._wire: _Wire | None = None
        self.port = ""
        self.plug()

    # --- cable ----------------------------------------------------------------------------------------------
    @property
    def plugged(self) -> bool:
        wire = self._wire
        return wire is not None and not wire.stop.is_set()

    def plug(self) -> None:
        """A new pty under a new path (the old path stays gone). No-op while plugged."""
        if self.plugged:
            return
        self._plugs += 1
        wire = _Wire(os.path.join(self._links, f"ttyIDSIM{self._plugs}"))
        with self._lock:
            self._selected = self._latched = False   # the module restarts: a card left on it is found again
            self._unplug_after = None
        wire.thread = threading.Thread(target=self._serve, args=(wire,), name="idcard-sim", daemon=True)
        self._wire, self.port = wire, wire.link
        wire.thread.start()

    def unplug(self, after_bytes: int | None = None) -> None:
        """Pull the cable now, or during the next read answer once `after_bytes` bytes have gone out."""
        if after_bytes is not None:
            with self._lock:
                self._unplug_after = after_bytes
            return
        if self._wire is not None:
            self._wire.pull()

    # --- controls -------------------------------------------------------------------------------------------
    def present_card(self, card: Presentable = DEMO_CARD) -> None:
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
        self.unplug()
        shutil.rmtree(self._links, ignore_errors=True)

    # --- serving --------------------------------------------------------------------------------------------
    def _serve(self, wire: _Wire) -> None:
        buf = FrameBuffer()
        while not wire.stop.is_set():
            try:
                ready, _, _ = select.select([wire.master], [], [], 0.05)
                if not ready:
                    continue
                data = os.read(wire.master, 4096)
            except (OSError, ValueError):
                return
            buf.feed(data)
            self._drain(wire, buf)

    def _drain(self, wire: _Wire, buf: FrameBuffer) -> None:
        while not wire.stop.is_set():
            try:
                frame = buf.next_frame()
            except FrameError:
                self._send(wire, encode_response(Response(Sw3.BAD_LENGTH)))
                continue
            if frame is None:
                return
            try:
                request = decode_request(frame)
            except FrameError:
                self._send(wire, encode_response(Response(Sw3.BAD_CHECKSUM)))
                continue
            self._answer(wire, request)

    def _answer(self, wire: _Wire, request: Request) -> None:
        name = request.command.name if request.command else f"{request.cmd:02X}{request.para:02X}"
        self.requests[name] = self.requests.get(name, 0) + 1
        reading = request.command is Command.READ_TEXT_PHOTO
        with self._lock:
            fault = self._take_fault(request.command)
            unplug_at = self._unplug_after if reading else None
            self._unplug_after = None if reading else self._unplug_after
            intact = fault is None and self._remove_after is None and unplug_at is None
            response = self._respond(request.command, intact)
            cut = self._remove_after if reading else None
            if cut is not None:
                self._card, self._selected, self._remove_after = None, False, None
        frame = encode_response(response)
        if fault is SimFault.SAM_FAILED:
            frame = encode_response(Response(Sw3.SAM_SELFTEST_FAILED))
        elif fault is SimFault.BAD_CHECKSUM:
            frame = frame[:-1] + bytes([frame[-1] ^ 0x5A])
        elif fault is SimFault.TRUNCATE:
            cut = len(frame) // 2 if cut is None else min(cut, len(frame) // 2)
        if unplug_at is not None:
            cut = unplug_at if cut is None else min(cut, unplug_at)
        if fault is not SimFault.SILENT:
            self._send(wire, frame if cut is None else frame[:cut])
        if unplug_at is not None:
            wire.cut()                         # the cable goes mid-answer

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
            return self._read(intact)
        return Response(Sw3.BAD_COMMAND)

    def _read(self, intact: bool) -> Response:
        if not self._selected or self._card is None:
            return Response(Sw3.READ_FAILED)
        card = self._card
        self._selected = False
        if intact:                         # only a read the host got whole counts as done (see module doc)
            self._latched = True
            if self.demo and card is DEMO_CARD:
                self._card = None          # the demo resident takes the card back after each read
        if isinstance(card, bytes):
            return Response(Sw3.OK, encode_text_photo(card, _RAW_BLOCK_PHOTO))
        return Response(Sw3.OK, encode_text_photo(encode_text(card), card.photo_wlt))

    def _send(self, wire: _Wire, data: bytes) -> None:
        step = 64 if self._baud else len(data) or 1
        for start in range(0, len(data), step):
            if wire.stop.is_set():
                return
            chunk = data[start:start + step]
            if self._baud:
                time.sleep(len(chunk) * 10 / self._baud)    # 10 bits a byte on an 8N1 line
            self._write_all(wire, chunk)

    @staticmethod
    def _write_all(wire: _Wire, data: bytes) -> None:
        view = memoryview(data)
        while view and not wire.stop.is_set():
            try:
                view = view[os.write(wire.master, view):]
            except BlockingIOError:
                time.sleep(0.001)
            except OSError:
                return
