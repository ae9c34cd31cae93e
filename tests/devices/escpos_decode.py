"""A small, independent ESC/POS decoder for tests: bytes -> lines of text with their style, QR payloads, cuts.

Written from the ESC/POS command reference, not from devices/printer, so it can catch the encoder's mistakes.
It is strict: an unknown command, or a byte >= 0x80 outside Chinese mode (FS &), is an error, because a real
GBK printer would print garbage there. It also reads what a host sends around a receipt on a two-way wire:
real-time status requests (DLE EOT n) and Automatic Status Back settings (GS a n), in order (`events`).
"""
from __future__ import annotations

from dataclasses import dataclass, field

ESC, GS, FS, DLE, LF, CR = 0x1B, 0x1D, 0x1C, 0x10, 0x0A, 0x0D
EOT = 0x04


class DecodeError(ValueError):
    pass


@dataclass
class Line:
    text: str
    columns: int            # half-width columns used, character size included
    align: int
    bold: bool
    width: int
    height: int


@dataclass
class Qr:
    payload: str
    module_size: int
    ec: int
    line_index: int         # printed between lines[line_index - 1] and lines[line_index]


@dataclass
class Receipt:
    lines: list[Line] = field(default_factory=list)
    qr_codes: list[Qr] = field(default_factory=list)
    cuts: int = 0
    initialised: bool = False
    status_queries: list[int] = field(default_factory=list)    # n of each DLE EOT n
    asb: list[int] = field(default_factory=list)               # n of each GS a n
    events: list[str] = field(default_factory=list)            # "status:1", "init", "line", "qr", "cut", "asb:15"

    @property
    def texts(self) -> list[str]:
        return [line.text for line in self.lines]


@dataclass
class _State:
    align: int = 0
    bold: bool = False
    width: int = 1
    height: int = 1
    chinese: bool = False
    qr_size: int = 3
    qr_ec: int = 0
    qr_data: bytes | None = None


class _Decoder:
    def __init__(self, data: bytes):
        self.data, self.i = data, 0
        self.state = _State()
        self.out = Receipt()
        self.text, self.columns, self.line_state = "", 0, None

    def byte(self) -> int:
        if self.i >= len(self.data):
            raise DecodeError("command cut short at end of data")
        self.i += 1
        return self.data[self.i - 1]

    def take(self, n: int) -> bytes:
        if self.i + n > len(self.data):
            raise DecodeError("command cut short at end of data")
        self.i += n
        return self.data[self.i - n:self.i]

    def end_line(self) -> None:
        s = self.line_state or self.state
        self.out.lines.append(Line(self.text, self.columns, s.align, s.bold, s.width, s.height))
        self.out.events.append("line")
        self.text, self.columns, self.line_state = "", 0, None

    def add_char(self, char: str, cells: int) -> None:
        if self.line_state is None:
            self.line_state = _State(**vars(self.state))
        self.text += char
        self.columns += cells * self.state.width

    def run(self) -> Receipt:
        while self.i < len(self.data):
            b = self.byte()
            if b == ESC:
                self.esc(self.byte())
            elif b == GS:
                self.gs(self.byte())
            elif b == FS:
                self.fs(self.byte())
            elif b == DLE:
                self.dle(self.byte())
            elif b == LF:
                self.end_line()
            elif b == CR:
                pass
            elif 0x20 <= b < 0x7F:
                self.add_char(chr(b), 1)
            elif b >= 0x81 and self.state.chinese:
                pair = bytes([b, self.byte()])
                try:
                    self.add_char(pair.decode("gbk"), 2)
                except UnicodeDecodeError:
                    raise DecodeError(f"invalid GBK {pair.hex()} at {self.i - 2}") from None
            else:
                raise DecodeError(f"unexpected byte {b:#04x} at {self.i - 1} (chinese={self.state.chinese})")
        if self.text:
            self.end_line()
        return self.out

    def esc(self, c: int) -> None:
        if c == ord("@"):
            self.state = _State()
            self.out.initialised = True
            self.out.events.append("init")
        elif c == ord("a"):
            n = self.byte()
            self.state.align = n - 48 if n >= 48 else n
        elif c == ord("E"):
            self.state.bold = bool(self.byte() & 1)
        elif c == ord("!"):
            n = self.byte()
            self.state.bold = bool(n & 0x08)
            self.state.height = 2 if n & 0x10 else 1
            self.state.width = 2 if n & 0x20 else 1
        elif c == ord("d"):
            if self.text:
                self.end_line()
            for _ in range(self.byte()):
                self.end_line()
        else:
            raise DecodeError(f"unknown ESC {c:#04x}")

    def fs(self, c: int) -> None:
        if c == ord("&"):
            self.state.chinese = True
        elif c == ord("."):
            self.state.chinese = False
        else:
            raise DecodeError(f"unknown FS {c:#04x}")

    def gs(self, c: int) -> None:
        if c == ord("!"):
            n = self.byte()
            self.state.width, self.state.height = (n >> 4) + 1, (n & 0x0F) + 1
        elif c == ord("V"):
            m = self.byte()
            if m in (65, 66):
                self.byte()
            elif m not in (0, 1, 48, 49):
                raise DecodeError(f"unknown GS V mode {m}")
            self.out.cuts += 1
            self.out.events.append("cut")
        elif c == ord("(") and self.byte() == ord("k"):
            self.qr_function()
        elif c == ord("a"):
            n = self.byte()
            self.out.asb.append(n)
            self.out.events.append(f"asb:{n}")
        else:
            raise DecodeError(f"unknown GS {c:#04x}")

    def dle(self, c: int) -> None:
        """Real-time commands: DLE EOT n (n 1-4: printer, offline cause, error cause, paper sensor)."""
        if c != EOT:
            raise DecodeError(f"unknown DLE {c:#04x}")
        n = self.byte()
        if n not in (1, 2, 3, 4):
            raise DecodeError(f"DLE EOT {n} is not a status request")
        self.out.status_queries.append(n)
        self.out.events.append(f"status:{n}")

    def qr_function(self) -> None:
        size = int.from_bytes(self.take(2), "little")
        body = self.take(size)
        if len(body) < 2 or body[0] != 49:
            raise DecodeError("GS ( k for a symbol other than QR")
        fn, params = body[1], body[2:]
        if fn == 65:            # model
            pass
        elif fn == 67:
            self.state.qr_size = params[0]
        elif fn == 69:
            self.state.qr_ec = params[0] - 48
        elif fn == 80:          # store: m = '0', then the data
            self.state.qr_data = params[1:]
        elif fn == 81:          # print what was stored
            if self.state.qr_data is None:
                raise DecodeError("QR print before store")
            payload = self.state.qr_data.decode("utf-8")
            self.out.qr_codes.append(Qr(payload, self.state.qr_size, self.state.qr_ec, len(self.out.lines)))
            self.out.events.append("qr")
        else:
            raise DecodeError(f"unknown QR function {fn}")


def decode(data: bytes) -> Receipt:
    return _Decoder(data).run()
