"""Reads an ESC/POS byte stream as a printer does, for the simulator: bytes in as they arrive, events out.

Events are status requests (DLE EOT n, answered at once), ASB requests (GS a n) and jobs: everything between
cuts, as the bytes received plus the blocks the PNG preview draws. Realtime commands (DLE ...) are not part of
a job's bytes. Lenient like a printer: an unknown command is skipped, not fatal; a command cut short waits for
the rest. Independent of escpos_doc.encode except for the block types it produces.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Callable

from devices.printer.escpos_doc import Align, Block, Feed, QrBlock, TextLine

ESC, GS, FS, DLE, LF, HT = 0x1B, 0x1D, 0x1C, 0x10, 0x0A, 0x09
_PREFIXES = (ESC, GS, FS, DLE)
_REALTIME = DLE
_ALIGN = {0: Align.LEFT, 1: Align.CENTER, 2: Align.RIGHT}


@dataclass(frozen=True)
class StatusRequest:
    n: int


@dataclass(frozen=True)
class AsbRequest:
    mask: int


@dataclass(frozen=True)
class JobCut:
    data: bytes                 # the job's bytes as received, cut command included
    blocks: tuple[Block, ...]


@dataclass(frozen=True)
class JobAbandoned:
    """ESC @ arrived while printed content was still waiting for its cut."""
    received: int


Event = StatusRequest | AsbRequest | JobCut | JobAbandoned

# Argument byte counts of fixed-length commands, keyed by (prefix, code).
_ARGS = {
    (ESC, ord("@")): 0, (ESC, ord("a")): 1, (ESC, ord("E")): 1, (ESC, ord("!")): 1, (ESC, ord("d")): 1,
    (ESC, ord("-")): 1, (ESC, ord("M")): 1, (ESC, ord("t")): 1, (ESC, ord("2")): 0, (ESC, ord("3")): 1,
    (ESC, ord("J")): 1, (ESC, ord("G")): 1, (ESC, ord("R")): 1, (ESC, ord("{")): 1, (ESC, ord("V")): 1,
    (ESC, ord("p")): 3, (ESC, ord("c")): 2, (ESC, ord(" ")): 1, (ESC, ord("$")): 2, (ESC, ord("\\")): 2,
    (ESC, ord("e")): 1, (ESC, ord("i")): 0, (ESC, ord("m")): 0, (ESC, ord("r")): 1,
    (GS, ord("!")): 1, (GS, ord("B")): 1, (GS, ord("H")): 1, (GS, ord("f")): 1, (GS, ord("h")): 1,
    (GS, ord("w")): 1, (GS, ord("a")): 1, (GS, ord("L")): 2, (GS, ord("W")): 2, (GS, ord("P")): 2,
    (GS, ord("r")): 1, (GS, ord("b")): 1,
    (FS, ord("&")): 0, (FS, ord(".")): 0, (FS, ord("!")): 1, (FS, ord("-")): 1, (FS, ord("S")): 2,
    (FS, ord("W")): 1, (FS, ord("C")): 1, (FS, ord("p")): 2,
    (DLE, 0x04): 1, (DLE, 0x05): 1,
}


def _le(buf: bytes | bytearray, i: int, n: int) -> int:
    return int.from_bytes(buf[i:i + n], "little")


def _sized(header: int, body: Callable[[bytearray], int]) -> Callable[[bytearray], int]:
    """Length of a command whose body size is read from its header (0 while the header is incomplete)."""
    return lambda buf: header + body(buf) if len(buf) >= header else 0


def _nul_terminated(start: int) -> Callable[[bytearray], int]:
    def length(buf: bytearray) -> int:
        end = buf.find(0, start)
        return end + 1 if end >= 0 else 0
    return length


def _cut_length(buf: bytearray) -> int:
    if len(buf) < 3:
        return 0
    return 4 if buf[2] in (65, 66, 97, 98, 103, 104) else 3


def _barcode_length(buf: bytearray) -> int:
    if len(buf) < 3:
        return 0
    if buf[2] <= 6:
        return _nul_terminated(3)(buf)
    return 4 + buf[3] if len(buf) >= 4 else 0


def _realtime_dc4_length(buf: bytearray) -> int:
    if len(buf) < 3:
        return 0
    return {7: 4, 8: 10}.get(buf[2], 5)


_VARIABLE: dict[tuple[int, int], Callable[[bytearray], int]] = {
    (GS, ord("(")): _sized(5, lambda b: _le(b, 3, 2)),
    (GS, ord("V")): _cut_length,
    (GS, ord("v")): _sized(8, lambda b: _le(b, 4, 2) * _le(b, 6, 2)),     # GS v 0 raster image
    (GS, ord("8")): _sized(7, lambda b: _le(b, 3, 4)),                     # GS 8 L large graphics
    (GS, ord("k")): _barcode_length,
    (ESC, ord("*")): _sized(5, lambda b: _le(b, 3, 2) * (1 if b[2] in (0, 1) else 3)),
    (ESC, ord("D")): _nul_terminated(2),
    (DLE, 0x14): _realtime_dc4_length,
}


def command_length(buf: bytearray) -> int:
    """Bytes taken by the command or character at the start of `buf`; 0 if more bytes are needed."""
    if buf[0] not in _PREFIXES:
        return 1
    if len(buf) < 2:
        return 0
    key = (buf[0], buf[1])
    if key in _ARGS:
        need = 2 + _ARGS[key]
        return need if len(buf) >= need else 0
    if key in _VARIABLE:
        need = _VARIABLE[key](buf)
        return need if need and len(buf) >= need else 0
    return 2      # unknown: a printer skips what it does not know


@dataclass(frozen=True)
class _Style:
    align: int = 0
    bold: bool = False
    width: int = 1
    chinese: bool = False


class StreamReader:
    def __init__(self) -> None:
        self._buf = bytearray()
        self._job = bytearray()
        self._blocks: list[Block] = []
        self._style = _Style()
        self._line = ""
        self._line_style: _Style | None = None
        self._content = False
        self._qr_size, self._qr_data = 3, b""
        self.unknown_commands = 0
        self.job_bytes = 0           # non-realtime bytes received so far, all jobs

    @property
    def pending(self) -> int:
        """Bytes of a job with printed content that has not been cut yet (0 if none)."""
        return len(self._job) if self._content else 0

    def feed(self, data: bytes) -> list[Event]:
        self._buf += data
        events: list[Event] = []
        while self._buf:
            size = self._next_size()
            if size == 0:
                break
            command = bytes(self._buf[:size])
            del self._buf[:size]
            if command[0] != _REALTIME:
                self._job += command
                self.job_bytes += size
            self._handle(command, events)
        return events

    def _next_size(self) -> int:
        if self._buf[0] >= 0x80 and self._style.chinese:      # a GBK pair
            return 2 if len(self._buf) >= 2 else 0
        return command_length(self._buf)

    # --- commands -------------------------------------------------------------------------------------------
    def _handle(self, c: bytes, events: list[Event]) -> None:
        first = c[0]
        if first in _PREFIXES and (first, c[1]) not in _ARGS and (first, c[1]) not in _VARIABLE:
            self.unknown_commands += 1
        elif first == DLE:
            if c[1] == 0x04:
                events.append(StatusRequest(c[2]))
        elif first == ESC:
            self._esc(c, events)
        elif first == GS:
            self._gs(c, events)
        elif first == FS:
            if c[1] in (ord("&"), ord(".")):
                self._style = replace(self._style, chinese=c[1] == ord("&"))
        elif first == LF:
            self._end_line()
        elif first == HT:
            self._add(" ")
        elif first >= 0x80:
            self._add(c.decode("gbk", errors="replace").replace("\ufffd", "?") if len(c) == 2 else "?")
        elif 0x20 <= first < 0x7F:
            self._add(chr(first))

    def _esc(self, c: bytes, events: list[Event]) -> None:
        code = c[1]
        if code == ord("@"):
            if self._content:
                events.append(JobAbandoned(len(self._job) - len(c)))
            self._new_job(keep=c)
            self._style = _Style()
        elif code == ord("a"):
            self._style = replace(self._style, align=c[2] - 48 if c[2] >= 48 else c[2])
        elif code == ord("E"):
            self._style = replace(self._style, bold=bool(c[2] & 1))
        elif code == ord("!"):
            self._style = replace(self._style, bold=bool(c[2] & 0x08), width=2 if c[2] & 0x20 else 1)
        elif code == ord("d"):
            if self._line:
                self._end_line()
            self._blocks.append(Feed(c[2]))
            self._content = True

    def _gs(self, c: bytes, events: list[Event]) -> None:
        code = c[1]
        if code == ord("!"):
            self._style = replace(self._style, width=(c[2] >> 4) + 1)
        elif code == ord("V"):
            events.append(self._cut())
        elif code == ord("a"):
            events.append(AsbRequest(c[2]))
        elif code == ord("(") and c[2] == ord("k"):
            self._qr(c[5:])

    def _qr(self, body: bytes) -> None:
        if len(body) < 2 or body[0] != 49:       # cn 49: QR; other 2D symbols are not drawn
            return
        fn, params = body[1], body[2:]
        if fn == 67 and params:
            self._qr_size = params[0]
        elif fn == 80:
            self._qr_data = params[1:]
        elif fn == 81:
            if self._line:
                self._end_line()
            self._blocks.append(QrBlock(self._qr_data.decode("utf-8", errors="replace"), self._qr_size))
            self._content = True

    # --- lines and jobs -------------------------------------------------------------------------------------
    def _add(self, text: str) -> None:
        if self._line_style is None:
            self._line_style = self._style
        self._line += text
        self._content = True

    def _end_line(self) -> None:
        s = self._line_style or self._style
        self._blocks.append(TextLine(self._line, _ALIGN.get(s.align, Align.LEFT), s.bold, s.width))
        self._line, self._line_style = "", None
        self._content = True

    def _cut(self) -> JobCut:
        if self._line:
            self._end_line()
        while self._blocks and isinstance(self._blocks[-1], Feed):   # the feed up to the cutter
            self._blocks.pop()
        job = JobCut(bytes(self._job), tuple(self._blocks))
        self._new_job(keep=b"")      # a cut keeps the print modes; only ESC @ resets them
        return job

    def _new_job(self, keep: bytes) -> None:
        self._job = bytearray(keep)
        self._blocks, self._line, self._line_style, self._content = [], "", None, False
