"""Lay out a ReceiptDoc for 58 or 80 mm paper and encode it as ESC/POS bytes.

Layout produces typed blocks (text lines, a QR code, feed, cut) that both the ESC/POS encoder and the PNG
preview consume, so the preview shows what the printer is told. Text goes out as GBK inside Chinese mode
(`FS &`): python-escpos's magic encoder never sends `FS &` and loses full-width punctuation, so it is used here
for commands only. Widths are counted as the printer counts them: one column for ASCII, two for any
double-byte GBK character.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum

import qrcode
from escpos.printer import Dummy
from qrcode.exceptions import DataOverflowError

from devices.base import ReceiptDoc

FS_CHINESE_ON = b"\x1c\x26"     # FS &
FS_CHINESE_OFF = b"\x1c\x2e"    # FS .
LINE_DOTS = 30                  # default line spacing, used by the preview
QR_EC_M = 1                     # python-escpos QR_ECLEVEL_M


@dataclass(frozen=True)
class Paper:
    width_mm: int
    columns: int                # half-width characters per line in font A (12 x 24 dots)
    dots: int                   # printable dots per line at 8 dots/mm


PAPERS = {58: Paper(58, 32, 384), 80: Paper(80, 48, 576)}


class Align(str, Enum):
    LEFT = "left"
    CENTER = "center"
    RIGHT = "right"         # not used by layout(); a received stream may ask for it


@dataclass(frozen=True)
class TextLine:
    text: str
    align: Align = Align.LEFT
    bold: bool = False
    scale: int = 1              # 2 = double width and height


@dataclass(frozen=True)
class QrBlock:
    payload: str
    module_dots: int            # dots per QR module (GS ( k function 167)


@dataclass(frozen=True)
class Feed:
    lines: int


Block = TextLine | QrBlock | Feed
_CLOSING = set("，。、；：！？）》」』”’,.;:!?)")   # never starts a line
_OPENING = set("（《「『“‘(")                      # never ends a line


def printable(text: str) -> str:
    """What the printer will show: "￥" for "¥" (GBK has no ¥), spaces for tabs, "?" for what GBK lacks."""
    text = text.replace("¥", "￥").replace("\t", " ")
    return "".join(c if c.isprintable() and _gbk_ok(c) else "?" for c in text)


def _gbk_ok(char: str) -> bool:
    try:
        char.encode("gbk")
        return True
    except UnicodeEncodeError:
        return False


def display_width(text: str) -> int:
    return sum(1 if ord(c) < 0x80 else 2 for c in text)


def _tokens(text: str) -> list[str]:
    """ASCII words stay whole (receipt numbers, phone numbers); CJK breaks between any two characters."""
    return re.findall(r"[!-~]+| +|[^\x00-\x7f]", text)


def wrap(text: str, columns: int) -> list[str]:
    lines: list[str] = []
    line = ""
    for token in _tokens(text):
        if display_width(line + token) <= columns:
            line += token
            continue
        if line.strip():
            lines.append(line.rstrip())
        line = token.lstrip()
        while display_width(line) > columns:        # a word longer than the line: cut it
            cut = _fit(line, columns)
            lines.append(line[:cut])
            line = line[cut:]
        while (line and lines and len(lines[-1]) > 1 and (line[0] in _CLOSING or lines[-1][-1] in _OPENING)
               and display_width(lines[-1][-1] + line) <= columns):
            line = lines[-1][-1] + line             # carry a character down: punctuation rules (禁则)
            lines[-1] = lines[-1][:-1]
    if line.strip() or not lines:
        lines.append(line.rstrip())
    return lines


def _fit(text: str, columns: int) -> int:
    width = 0
    for i, char in enumerate(text):
        width += display_width(char)
        if width > columns:
            return max(i, 1)
    return len(text)


def _row(label: str, value: str, columns: int) -> list[TextLine]:
    """label：value with a hanging indent; a long label puts the value on its own indented lines."""
    prefix = f"{label}：" if label else ""
    indent = display_width(prefix)
    if indent > columns // 2:
        head = [TextLine(line) for line in wrap(prefix, columns)]
        return head + [TextLine("  " + line) for line in wrap(value, columns - 2)] if value else head
    body = wrap(value, columns - indent)
    return [TextLine((prefix if i == 0 else " " * indent) + line) for i, line in enumerate(body)]


def qr_module_dots(payload: str, paper: Paper) -> int:
    """Biggest module size (at most 6 dots) that fits; under 3 dots (0.375 mm) phones struggle to scan."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M)
    code.add_data(payload.encode("utf-8"))
    try:
        code.make(fit=True)
    except (DataOverflowError, ValueError):
        raise ValueError("QR payload too long for any QR code") from None
    modules = 17 + 4 * code.version + 8            # symbol plus a 4-module quiet zone each side
    size = min(6, paper.dots // modules)
    if size < 3:
        raise ValueError("QR payload too long for this paper")
    return size


def layout(doc: ReceiptDoc, paper: Paper) -> tuple[Block, ...]:
    cols = paper.columns
    blocks: list[Block] = [TextLine(t, Align.CENTER, True, 2) for t in wrap(printable(doc.title), cols // 2)]
    blocks.append(TextLine("-" * cols))
    for label, value in doc.lines:
        blocks += _row(printable(label), printable(value), cols)
    if doc.qr_payload:
        blocks += [Feed(1), QrBlock(doc.qr_payload, qr_module_dots(doc.qr_payload, paper))]
        blocks += [TextLine(t, Align.CENTER) for t in wrap(printable(doc.qr_caption), cols) if doc.qr_caption]
    if doc.footer:
        blocks.append(TextLine("-" * cols))
        for text in doc.footer:
            blocks += [TextLine(t, Align.CENTER) for t in wrap(printable(text), cols)]
    return tuple(blocks)


def encode(blocks: tuple[Block, ...]) -> bytes:
    """ESC/POS for one receipt: initialise, Chinese mode, the blocks, feed and full cut."""
    out = Dummy()
    out.hw("INIT")
    out._raw(FS_CHINESE_ON)            # Dummy._raw is python-escpos's own way to pass bytes through
    for block in blocks:
        if isinstance(block, TextLine):
            out.set(align=block.align.value, bold=block.bold, custom_size=True, width=block.scale,
                    height=block.scale)
            out._raw(block.text.encode("gbk") + b"\n")
        elif isinstance(block, QrBlock):
            out.set(align=Align.CENTER.value)
            out.qr(block.payload, ec=QR_EC_M, size=block.module_dots, native=True)
        elif isinstance(block, Feed):
            out.print_and_feed(block.lines)
    out._raw(FS_CHINESE_OFF)
    out.cut()
    return out.output


def receipt_bytes(doc: ReceiptDoc, width_mm: int) -> bytes:
    return encode(layout(doc, PAPERS[width_mm]))
