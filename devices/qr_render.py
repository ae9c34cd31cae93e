"""QR codes as a camera would see them: render a payload, place it in a frame, and distort it.

Used by the simulated scanner, the tests and bench/qr_bench.py, so that all of them feed real pixels through
the same decode path as a camera. Every random choice takes an explicit `numpy.random.Generator` (seeded runs).
"""
from __future__ import annotations

from typing import Callable

import numpy as np
import qrcode
from qrcode.exceptions import DataOverflowError

Frame = np.ndarray          # uint8, H x W (gray) or H x W x 3 (BGR)
Distortion = Callable[[Frame, np.random.Generator], Frame]


def _cv2():
    import cv2   # ~130 ms to import: only kiosks that render or capture pay for it
    return cv2


def render_code(payload: str | bytes, module_px: float = 4, border: int = 4) -> Frame | None:
    """The code as a gray image with `module_px` pixels per module (fractions are resampled like a lens would);
    None if no QR code can hold the payload."""
    code = qrcode.QRCode(box_size=module_px, border=border, error_correction=qrcode.constants.ERROR_CORRECT_M)
    code.add_data(payload)
    try:
        code.make(fit=True)
    except (DataOverflowError, ValueError):   # beyond version 40
        return None
    dark = np.asarray(code.get_matrix(), dtype=bool)     # includes the border; far faster than make_image()
    modules = np.where(dark, 0, 255).astype(np.uint8)
    whole = max(1, int(module_px))
    image = np.kron(modules, np.ones((whole, whole), np.uint8)) if whole > 1 else modules
    if module_px != whole:
        side = round(modules.shape[0] * module_px)
        image = _cv2().resize(image, (side, side), interpolation=_cv2().INTER_AREA)
    return image


def to_bgr(frame: Frame) -> Frame:
    return frame if frame.ndim == 3 else np.repeat(frame[:, :, None], 3, axis=2)


def place(code: Frame, size: tuple[int, int] = (640, 480), rng: np.random.Generator | None = None,
          background: int = 200) -> Frame:
    """The code pasted at a random spot of a textured BGR frame (width, height), like a phone held up."""
    rng = rng or np.random.default_rng(0)
    width, height = size
    scene = rng.normal(background, 12, (height, width)).clip(0, 255).astype(np.uint8)
    scale = min(1.0, (width - 8) / code.shape[1], (height - 8) / code.shape[0])
    if scale < 1.0:
        code = _cv2().resize(code, None, fx=scale, fy=scale, interpolation=_cv2().INTER_AREA)
    y = int(rng.integers(0, height - code.shape[0] + 1))
    x = int(rng.integers(0, width - code.shape[1] + 1))
    scene[y:y + code.shape[0], x:x + code.shape[1]] = code
    return to_bgr(scene)


# --- distortions (each keeps the frame's shape and dtype) ---------------------------------------------------------

def blur(frame: Frame, rng: np.random.Generator, sigma: tuple[float, float] = (1.0, 2.2)) -> Frame:
    return _cv2().GaussianBlur(frame, (0, 0), float(rng.uniform(*sigma)))


def noise(frame: Frame, rng: np.random.Generator, sigma: tuple[float, float] = (15, 45)) -> Frame:
    return (frame + rng.normal(0, rng.uniform(*sigma), frame.shape)).clip(0, 255).astype(np.uint8)


def low_contrast(frame: Frame, rng: np.random.Generator, spread: tuple[float, float] = (35, 90)) -> Frame:
    """Dark modules and light paper squeezed together, as under glare or a dimmed phone screen."""
    width = rng.uniform(*spread)
    low = rng.uniform(40, 215 - width)
    high = low + width
    return (low + frame.astype(np.float32) * ((high - low) / 255.0)).astype(np.uint8)


def rotate(frame: Frame, rng: np.random.Generator, degrees: tuple[float, float] = (5, 180)) -> Frame:
    """Turned by a random angle on an enlarged canvas, so that no corner leaves the picture."""
    cv2 = _cv2()
    height, width = frame.shape[:2]
    angle = float(rng.uniform(*degrees)) * float(rng.choice((-1, 1)))
    matrix = cv2.getRotationMatrix2D((width / 2, height / 2), angle, 1.0)
    cos, sin = abs(matrix[0, 0]), abs(matrix[0, 1])
    new_w, new_h = int(height * sin + width * cos), int(height * cos + width * sin)
    matrix[0, 2] += (new_w - width) / 2
    matrix[1, 2] += (new_h - height) / 2
    return cv2.warpAffine(frame, matrix, (new_w, new_h), borderMode=cv2.BORDER_CONSTANT,
                          borderValue=(255, 255, 255))


def perspective(frame: Frame, rng: np.random.Generator, amount: float = 0.2) -> Frame:
    """Each corner pulled inwards by up to `amount` of the frame: a phone tilted towards the camera."""
    cv2 = _cv2()
    height, width = frame.shape[:2]
    corners = np.float32([[0, 0], [width, 0], [width, height], [0, height]])
    pull = rng.uniform(0, amount, (4, 2)) * np.float32([width, height])
    inwards = np.float32([[1, 1], [-1, 1], [-1, -1], [1, -1]])
    matrix = cv2.getPerspectiveTransform(corners, (corners + pull * inwards).astype(np.float32))
    return cv2.warpPerspective(frame, matrix, (width, height), borderMode=cv2.BORDER_REPLICATE)


# rotation turns the code itself before it is placed; the others act on the whole frame
DISTORTIONS: dict[str, Distortion] = {
    "blur": blur, "noise": noise, "low_contrast": low_contrast, "rotation": rotate, "perspective": perspective,
}
_ON_CODE = ("rotation",)


def camera_frame(payload: str | bytes, rng: np.random.Generator, module_px: float = 4,
                 size: tuple[int, int] = (640, 480), distortions: tuple[str | Distortion, ...] = (),
                 table: dict[str, Distortion] | None = None) -> Frame | None:
    """One BGR camera frame showing the payload with the distortions applied in order: names looked up in
    `table` (default DISTORTIONS, so a caller can tune their strength) or functions applied to the frame."""
    table = table or DISTORTIONS
    code = render_code(payload, module_px)
    if code is None:
        return None
    for name in distortions:
        if name in _ON_CODE:
            code = table[name](code, rng)
    if max(code.shape) > min(size) - 8:   # a dense code in a small frame: give it room instead of shrinking it
        size = (code.shape[1] + 64, code.shape[0] + 64)
    frame = place(code, size, rng)
    for name in distortions:
        if callable(name):
            frame = name(frame, rng)
        elif name not in _ON_CODE:
            frame = table[name](frame, rng)
    return frame
