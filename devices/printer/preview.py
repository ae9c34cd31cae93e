"""PNG preview of laid-out receipt blocks at printer resolution (8 dots/mm, 12 x 24 dot font A)."""
from __future__ import annotations

import functools
import logging
import subprocess
from pathlib import Path

import qrcode
from PIL import Image, ImageDraw, ImageFont

from devices.printer.escpos_doc import LINE_DOTS, Align, Block, Paper, QrBlock, TextLine, display_width

log = logging.getLogger(__name__)

CELL = 12                       # dots per half-width column
_FALLBACK_FONTS = ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
                   "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")


@functools.cache
def cjk_font_file() -> tuple[str, int] | None:
    """(path, face index) of a CJK font: fontconfig first, then known Debian paths."""
    try:
        out = subprocess.run(["fc-match", "-f", "%{file}\n%{index}", "Noto Sans CJK SC:lang=zh-cn"],
                             capture_output=True, text=True, timeout=5).stdout.split("\n")
        if len(out) == 2 and "CJK" in out[0] and Path(out[0]).exists():
            return out[0], int(out[1] or 0)
    except (OSError, subprocess.SubprocessError, ValueError):
        pass
    for path in _FALLBACK_FONTS:
        if Path(path).exists():
            return path, 2 if "NotoSansCJK" in path else 0    # face 2 of the Noto collection is SC
    return None


@functools.cache
def _font(size: int) -> ImageFont.ImageFont | ImageFont.FreeTypeFont:
    found = cjk_font_file()
    if found is None:
        log.warning("no CJK font found: receipt previews will show boxes (install fonts-noto-cjk)")
        return ImageFont.load_default(size)
    return ImageFont.truetype(found[0], size, index=found[1])


def _qr_image(block: QrBlock) -> Image.Image:
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=block.module_dots, border=0)
    code.add_data(block.payload.encode("utf-8"))
    code.make(fit=True)
    return code.make_image().get_image().convert("L")


def _height(block: Block) -> int:
    if isinstance(block, TextLine):
        return LINE_DOTS * block.scale
    if isinstance(block, QrBlock):
        return _qr_image(block).height + 8
    return LINE_DOTS * block.lines


def _draw_text(draw: ImageDraw.ImageDraw, block: TextLine, y: int, paper: Paper) -> None:
    cell = CELL * block.scale
    spare = paper.dots - display_width(block.text) * cell
    x = {Align.CENTER: spare // 2, Align.RIGHT: spare}.get(block.align, 0)
    font = _font(24 * block.scale)
    for char in block.text:      # one glyph per cell, as the printer's fixed-pitch font places them
        draw.text((x, y), char, fill=0, font=font, stroke_width=1 if block.bold else 0, stroke_fill=0)
        x += display_width(char) * cell


def render_preview(blocks: tuple[Block, ...], paper: Paper) -> Image.Image:
    margin = 16
    image = Image.new("L", (paper.dots, sum(_height(b) for b in blocks) + 2 * margin + 8), 255)
    draw = ImageDraw.Draw(image)
    y = margin
    for block in blocks:
        if isinstance(block, TextLine):
            _draw_text(draw, block, y, paper)
        elif isinstance(block, QrBlock):
            qr = _qr_image(block)
            image.paste(qr, ((paper.dots - qr.width) // 2, y + 4))
        y += _height(block)
    for x in range(0, paper.dots, 12):   # where the cutter goes
        draw.line((x, y + margin, x + 6, y + margin), fill=128)
    return image
