"""From a found sheet to an attachment: flatten it upright, clean it up for reading, encode a small JPEG.

- `sheet_aspect` recovers the sheet's true height/width from its four corners. Side lengths alone are off by
  the perspective (a sheet tilted 15 degrees read 5-10% off); the focal length and aspect are solved from the
  corners instead (Zhang & He, "Whiteboard scanning and image enhancement", 2007, with the principal point at
  the frame centre), with the side lengths as the fallback where that is undefined (a sheet seen straight on).
  Within 4% of A4 (1:1.414) it snaps to A4, since most materials are A4.
- `rectify` warps to that shape and evens the light: the paper's brightness is estimated with a large closing
  (it removes the dark writing) and divided out, so a shadowed corner comes out as white as the rest, then
  the contrast is stretched. Grey levels are kept (GRAY, COLOR): binarising loses faint stamps, pencil and
  photo IDs; BW is there for text-only pages that must be smallest.
- `encode_jpeg` fits a byte cap. OpenCV writes a bare JFIF header, no EXIF (no camera model, time or GPS), so
  there is no metadata to strip.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from enum import Enum

import numpy as np

from devices.doccam.page import Frame, Quad

A4 = math.sqrt(2)          # ISO 216 height / width
SNAP = 0.04                # an aspect this close to A4 (relative) is A4
MAX_SIDE = 2400            # a rectified page never exceeds this (about 200 dpi for A4)
TRIM = 0.004               # shaved off each side: the sheet's very edge mixes with the desk


class Enhance(str, Enum):
    GRAY = "gray"      # default: small, keeps grey detail
    COLOR = "color"    # red seals and coloured forms where the colour matters
    BW = "bw"          # adaptive threshold: a photocopy look for text-only pages


@dataclass(frozen=True)
class Jpeg:
    data: bytes
    quality: int
    width: int
    height: int


def _cv2():
    import cv2   # ~130 ms to import: only kiosks that capture documents pay for it
    return cv2


# --- the sheet's shape ------------------------------------------------------------------------------------------

def _side_aspect(corners: np.ndarray) -> float:
    tl, tr, br, bl = corners
    width = (np.linalg.norm(tr - tl) + np.linalg.norm(br - bl)) / 2
    height = (np.linalg.norm(bl - tl) + np.linalg.norm(br - tr)) / 2
    return float(height / width)


def _projective_aspect(corners: np.ndarray, centre: tuple[float, float]) -> float | None:
    """Zhang & He's height/width of a rectangle seen through a pinhole with square pixels; None if undefined."""
    tl, tr, br, bl = (np.append(p, 1.0) for p in corners)
    k2 = np.dot(np.cross(tl, br), bl) / np.dot(np.cross(tr, br), bl)
    k3 = np.dot(np.cross(tl, br), tr) / np.dot(np.cross(bl, br), tr)
    n2, n3 = k2 * tr - tl, k3 * bl - tl
    if abs(n2[2]) < 1e-6 or abs(n3[2]) < 1e-6:
        return None   # no perspective to measure: the affine case, handled by the side lengths
    u0, v0 = centre
    f2 = -((n2[0] * n3[0] - (n2[0] * n3[2] + n2[2] * n3[0]) * u0 + n2[2] * n3[2] * u0 ** 2)
           + (n2[1] * n3[1] - (n2[1] * n3[2] + n2[2] * n3[1]) * v0 + n2[2] * n3[2] * v0 ** 2)) / (n2[2] * n3[2])
    if not f2 > 0:
        return None
    inverse = np.linalg.inv(np.array([[math.sqrt(f2), 0, u0], [0, math.sqrt(f2), v0], [0, 0, 1]]))
    w2 = float(np.sum((inverse @ n2) ** 2))
    h2 = float(np.sum((inverse @ n3) ** 2))
    return math.sqrt(h2 / w2) if w2 > 0 and h2 > 0 else None


def sheet_aspect(quad: Quad, frame_size: tuple[int, int]) -> float:
    """The sheet's true height / width, from its corners in a frame of `frame_size` (width, height)."""
    corners = quad.array()
    centre = ((frame_size[0] - 1) / 2, (frame_size[1] - 1) / 2)
    solved = _projective_aspect(corners, centre)
    sides = _side_aspect(corners)
    aspect = solved if solved is not None and 0.5 < solved / sides < 2 else sides   # a wild solve: ill-posed
    for a4 in (A4, 1 / A4):
        if abs(aspect / a4 - 1) <= SNAP:
            return a4
    return aspect


def page_size(quad: Quad, aspect: float) -> tuple[int, int]:
    """(width, height) of the flattened page: as many pixels as the sheet's longest side had, capped."""
    corners = quad.array()
    longest = max(np.linalg.norm(corners[i] - corners[i - 1]) for i in range(4))
    long_side = min(float(longest), MAX_SIDE)
    if aspect >= 1:
        return max(1, round(long_side / aspect)), max(1, round(long_side))
    return max(1, round(long_side)), max(1, round(long_side * aspect))


# --- flatten and clean ---------------------------------------------------------------------------------------------

def warp(frame: Frame, quad: Quad, aspect: float | None = None) -> Frame:
    """The sheet, upright and flat, same channels as the frame."""
    cv2 = _cv2()
    height, width = frame.shape[:2]
    aspect = aspect or sheet_aspect(quad, (width, height))
    out_w, out_h = page_size(quad, aspect)
    trim_x, trim_y = TRIM * out_w, TRIM * out_h
    target = np.float32([[-0.5 - trim_x, -0.5 - trim_y], [out_w - 0.5 + trim_x, -0.5 - trim_y],
                         [out_w - 0.5 + trim_x, out_h - 0.5 + trim_y], [-0.5 - trim_x, out_h - 0.5 + trim_y]])
    matrix = cv2.getPerspectiveTransform(quad.array().astype(np.float32), target)
    return cv2.warpPerspective(frame, matrix, (out_w, out_h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)


def _paper_level(channel: Frame) -> np.ndarray:
    """The paper's brightness at every pixel (writing closed over), estimated at quarter size for speed."""
    cv2 = _cv2()
    height, width = channel.shape
    small = cv2.resize(channel, (max(1, width // 4), max(1, height // 4)), interpolation=cv2.INTER_AREA)
    kernel = max(3, min(small.shape) // 20) | 1      # wider than a stroke, narrower than the light's changes
    closed = cv2.morphologyEx(small, cv2.MORPH_CLOSE, np.ones((kernel, kernel), np.uint8))
    closed = cv2.GaussianBlur(closed, (0, 0), kernel / 2)
    return cv2.resize(closed, (width, height), interpolation=cv2.INTER_LINEAR).astype(np.float32)


def _even(channel: Frame) -> np.ndarray:
    return channel.astype(np.float32) / np.maximum(_paper_level(channel), 1.0) * 255.0


def _stretch(evened: np.ndarray) -> Frame:
    """Darkest ink to black, paper to white; grey levels between kept (anti-aliased strokes stay smooth).
    One mapping for all channels: stretching each on its own tints black ink."""
    darkest = evened.min(axis=2) if evened.ndim == 3 else evened
    low = float(np.percentile(darkest, 0.5))
    high = 240.0                                      # evened paper sits near 255: a little margin makes it white
    scale = 255.0 / max(high - low, 32.0)
    return ((evened - low) * scale).clip(0, 255).astype(np.uint8)


def clean(page: Frame, mode: Enhance = Enhance.GRAY) -> Frame:
    cv2 = _cv2()
    if page.ndim == 3 and page.shape[2] == 4:
        page = cv2.cvtColor(page, cv2.COLOR_BGRA2BGR)
    if mode is Enhance.COLOR and page.ndim == 3:
        return _stretch(np.dstack([_even(page[:, :, i]) for i in range(3)]))   # per channel: white-balances too
    gray = cv2.cvtColor(page, cv2.COLOR_BGR2GRAY) if page.ndim == 3 else page
    evened = _stretch(_even(gray))
    if mode is Enhance.BW:
        block = max(15, min(evened.shape) // 40) | 1
        return cv2.adaptiveThreshold(evened, 255, cv2.ADAPTIVE_THRESH_GAUSSIAN_C, cv2.THRESH_BINARY, block, 15)
    return evened


def rectify(frame: Frame, quad: Quad, mode: Enhance = Enhance.GRAY) -> Frame:
    """The sheet flattened, upright, with even light: ready to encode."""
    return clean(warp(frame, quad), mode)


# --- a small JPEG --------------------------------------------------------------------------------------------------

QUALITIES = (88, 78, 68, 58)   # below ~55 ringing around strokes starts to hurt small print
SHRINK = 0.8                   # then the page is made smaller by this, qualities tried again from the top
MIN_LONG_SIDE = 900            # A4 at ~75 dpi: smaller and 8-point print is gone


def _resized(image: Frame, long_side: int) -> Frame:
    height, width = image.shape[:2]
    scale = long_side / max(height, width)
    if scale >= 1:
        return image
    return _cv2().resize(image, (max(1, round(width * scale)), max(1, round(height * scale))),
                         interpolation=_cv2().INTER_AREA)


def encode_jpeg(image: Frame, *, max_bytes: int = 400_000, long_side_px: int = 2000) -> Jpeg | None:
    """The image as a baseline JPEG of at most `max_bytes`: quality stepped down first, then size; None if even
    the smallest legible size at the lowest quality does not fit."""
    cv2 = _cv2()
    long_side = min(long_side_px, max(image.shape[:2]))
    while True:
        sized = _resized(image, long_side)
        for quality in QUALITIES:
            ok, data = cv2.imencode(".jpg", sized, [cv2.IMWRITE_JPEG_QUALITY, quality, cv2.IMWRITE_JPEG_OPTIMIZE, 1])
            if ok and len(data) <= max_bytes:
                return Jpeg(data.tobytes(), quality, sized.shape[1], sized.shape[0])
        if long_side <= MIN_LONG_SIDE:
            return None
        long_side = max(MIN_LONG_SIDE, int(long_side * SHRINK))
