"""A paper sheet as a document camera sees it: real pixels for the tests, the bench and the demo kiosk.

A page (white paper, text lines, a table, a red seal) is placed in 3-D in front of a pinhole camera, so the
perspective is one a real lens gives and the true aspect of the sheet is known; then a textured desk, uneven
light, lens blur and sensor noise. Every random choice takes an explicit `numpy.random.Generator`.
Text is drawn with OpenCV's Hershey font: it has no CJK glyphs, and a Pillow + system-font path would make the
frames depend on which fonts a machine has.
"""
from __future__ import annotations

import math
import threading
from dataclasses import dataclass, replace

import numpy as np

from devices.base import DeviceError, Fault
from devices.doccam.page import Frame

A4_MM = (210.0, 297.0)
_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz0123456789"


def _cv2():
    import cv2   # ~130 ms to import: only kiosks that capture documents pay for it
    return cv2


@dataclass(frozen=True)
class Pose:
    """Where the sheet is: tilts and roll in degrees, `fill` = the sheet's height as a fraction of the frame's,
    `shift` = offset of its centre in fractions of the frame (x, y)."""
    tilt_x: float = 0.0
    tilt_y: float = 0.0
    roll: float = 0.0
    fill: float = 0.7
    shift: tuple[float, float] = (0.0, 0.0)


@dataclass(frozen=True)
class Shot:
    """How it is photographed: blur sigma (px), noise sigma (grey levels), light falloff across the frame (0 = even),
    exposure gain (1 = normal, 0.15 = a dark room)."""
    blur: float = 0.6
    noise: float = 3.0
    falloff: float = 0.2
    exposure: float = 1.0


@dataclass(frozen=True)
class Scene:
    frame: Frame                  # BGR uint8
    corners: np.ndarray | None    # (4, 2) float: TL, TR, BR, BL in pixel-centre coordinates; None: no page
    aspect: float                 # the sheet's true height / width


# --- the sheet --------------------------------------------------------------------------------------------------

def _word_line(page: Frame, rng: np.random.Generator, x0: int, x1: int, y: int, scale: float) -> None:
    """One line of random words filling x0..x1, drawn in a single call (per-word calls made pages slow)."""
    cv2 = _cv2()
    letters = np.frombuffer(_LETTERS.encode(), np.uint8)
    thickness = max(1, round(scale * 2))
    (char_w, _), _ = cv2.getTextSize("n" * 10, cv2.FONT_HERSHEY_SIMPLEX, scale, thickness)
    budget = int((x1 - x0) / (char_w / 10))
    words, used = [], 0
    while True:
        word = letters[rng.integers(0, len(letters), int(rng.integers(2, 9)))].tobytes().decode()
        if used + len(word) > budget:
            break
        words.append(word)
        used += len(word) + 1
    if words:
        cv2.putText(page, " ".join(words), (x0, y), cv2.FONT_HERSHEY_SIMPLEX, scale, (30, 30, 30), thickness,
                    cv2.LINE_AA)


def _table(page: Frame, rng: np.random.Generator, top: int, margin: int) -> None:
    cv2 = _cv2()
    height, width = page.shape[:2]
    rows, cols = int(rng.integers(3, 6)), int(rng.integers(3, 5))
    row_h = max(20, (height - top - 3 * margin) // rows)
    col_w = (width - 2 * margin) // cols
    for r in range(rows + 1):
        cv2.line(page, (margin, top + r * row_h), (margin + cols * col_w, top + r * row_h), (40, 40, 40), 2)
    for c in range(cols + 1):
        cv2.line(page, (margin + c * col_w, top), (margin + c * col_w, top + rows * row_h), (40, 40, 40), 2)
    for r in range(rows):
        for c in range(cols):
            _word_line(page, rng, margin + c * col_w + 8, margin + (c + 1) * col_w - 8,
                       top + r * row_h + row_h // 2 + 6, 0.5)


def render_page(rng: np.random.Generator, width: int = 840, aspect: float = A4_MM[1] / A4_MM[0]) -> Frame:
    """A filled-in form: title, text lines, a table and a red seal on slightly off-white paper (BGR)."""
    cv2 = _cv2()
    height = round(width * aspect)
    paper = rng.uniform(232, 250)
    page = np.empty((height, width, 3), np.uint8)
    page[:] = np.array([paper - 4, paper - 1, paper]).round().astype(np.uint8)   # grain comes with the sensor noise
    margin = width // 12
    cv2.putText(page, "APPLICATION FORM", (margin, margin + 30), cv2.FONT_HERSHEY_DUPLEX, width / 700,
                (20, 20, 20), 2, cv2.LINE_AA)
    y = margin + 90
    table_top = int(height * rng.uniform(0.45, 0.6))
    while y < table_top - 30:
        _word_line(page, rng, margin, width - margin - int(rng.integers(0, width // 4)), y, width / 1400)
        y += int(width / 28)
    _table(page, rng, table_top, margin)
    centre = (int(width * rng.uniform(0.6, 0.8)), int(height * rng.uniform(0.82, 0.9)))
    cv2.circle(page, centre, width // 10, (40, 40, 200), max(2, width // 160), cv2.LINE_AA)
    return page


# --- the camera -------------------------------------------------------------------------------------------------

def _rotation(pose: Pose) -> np.ndarray:
    ax, ay, az = (math.radians(a) for a in (pose.tilt_x, pose.tilt_y, pose.roll))
    rx = np.array([[1, 0, 0], [0, math.cos(ax), -math.sin(ax)], [0, math.sin(ax), math.cos(ax)]])
    ry = np.array([[math.cos(ay), 0, math.sin(ay)], [0, 1, 0], [-math.sin(ay), 0, math.cos(ay)]])
    rz = np.array([[math.cos(az), -math.sin(az), 0], [math.sin(az), math.cos(az), 0], [0, 0, 1]])
    return rx @ ry @ rz


def project(pose: Pose, aspect: float, size: tuple[int, int]) -> np.ndarray:
    """The sheet's corners (TL, TR, BR, BL) in a frame of `size` (width, height), seen by a ~60 degree lens."""
    width, height = size
    focal = 0.9 * width
    sheet_w, sheet_h = 1.0, aspect
    distance = sheet_h * focal / (pose.fill * height)
    world = np.array([[-sheet_w, -sheet_h, 0], [sheet_w, -sheet_h, 0], [sheet_w, sheet_h, 0],
                      [-sheet_w, sheet_h, 0]]) / 2
    offset = np.array([pose.shift[0] * width, pose.shift[1] * height, focal]) * distance / focal
    cam = world @ _rotation(pose).T + offset
    centre = np.array([(width - 1) / 2, (height - 1) / 2])
    return (focal * cam[:, :2] / cam[:, 2:3] + centre).astype(np.float64)


def desk(rng: np.random.Generator, size: tuple[int, int]) -> Frame:
    """A textured table top: a tinted colour, coarse blotches and fine grain."""
    cv2 = _cv2()
    width, height = size
    level = rng.uniform(45, 140)
    tint = rng.uniform(0.75, 1.15, 3)
    coarse = cv2.resize(rng.normal(0, 18, (6, 8)).astype(np.float32), (width, height), interpolation=cv2.INTER_CUBIC)
    grain = cv2.GaussianBlur(10 * rng.standard_normal((height, width), np.float32), (0, 0), 1.2)
    base = (level + coarse + grain)[:, :, None] * tint[None, None, :].astype(np.float32)
    return base.clip(0, 255).astype(np.uint8)


def _light(rng: np.random.Generator, size: tuple[int, int], falloff: float) -> np.ndarray:
    """A gain field: brightest at a random spot, `falloff` darker at the far side."""
    width, height = size
    cx, cy = rng.uniform(0, width), rng.uniform(0, height)
    xs = (np.arange(width, dtype=np.float32) - cx)[None, :]
    ys = (np.arange(height, dtype=np.float32) - cy)[:, None]
    return 1.0 - (falloff / math.hypot(width, height)) * np.sqrt(xs * xs + ys * ys)


def shoot(page: Frame, corners: np.ndarray | None, background: Frame, shot: Shot,
          rng: np.random.Generator) -> Frame:
    """The page warped onto the background at `corners`, then light, blur and noise."""
    cv2 = _cv2()
    height, width = background.shape[:2]
    scene = background.astype(np.float32)
    if corners is not None:
        ph, pw = page.shape[:2]
        src = np.float32([[-0.5, -0.5], [pw - 0.5, -0.5], [pw - 0.5, ph - 0.5], [-0.5, ph - 0.5]])
        matrix = cv2.getPerspectiveTransform(src, corners.astype(np.float32))
        warped = cv2.warpPerspective(page, matrix, (width, height), flags=cv2.INTER_LINEAR).astype(np.float32)
        mask = cv2.warpPerspective(np.ones((ph, pw), np.float32), matrix, (width, height))[:, :, None]
        scene = scene * (1 - mask) + warped * mask
    scene *= (_light(rng, (width, height), shot.falloff) * shot.exposure)[:, :, None]
    if shot.blur > 0:
        scene = cv2.GaussianBlur(scene, (0, 0), shot.blur)
    scene += shot.noise * rng.standard_normal(scene.shape, np.float32)
    return scene.clip(0, 255).astype(np.uint8)


# --- random scenes ----------------------------------------------------------------------------------------------

LEVELS = {   # how far each random parameter may go
    "mild": dict(tilt=6, roll=5, fill=(0.65, 0.85), blur=(0.3, 0.8), noise=(1, 3), falloff=(0.0, 0.2)),
    "moderate": dict(tilt=15, roll=15, fill=(0.55, 0.88), blur=(0.4, 1.3), noise=(2, 6), falloff=(0.1, 0.4)),
    "hard": dict(tilt=25, roll=35, fill=(0.5, 0.9), blur=(0.5, 1.8), noise=(3, 10), falloff=(0.2, 0.55)),
}


def random_pose(rng: np.random.Generator, level: str = "moderate") -> Pose:
    spec = LEVELS[level]
    tilt, roll = spec["tilt"], spec["roll"]
    return Pose(float(rng.uniform(-tilt, tilt)), float(rng.uniform(-tilt, tilt)), float(rng.uniform(-roll, roll)),
                float(rng.uniform(*spec["fill"])), (float(rng.uniform(-0.1, 0.1)), float(rng.uniform(-0.06, 0.06))))


def random_shot(rng: np.random.Generator, level: str = "moderate") -> Shot:
    spec = LEVELS[level]
    return Shot(float(rng.uniform(*spec["blur"])), float(rng.uniform(*spec["noise"])),
                float(rng.uniform(*spec["falloff"])))


def inside(corners: np.ndarray, size: tuple[int, int], margin: float = 12) -> bool:
    width, height = size
    xs, ys = corners[:, 0], corners[:, 1]
    return bool(xs.min() >= margin and ys.min() >= margin and xs.max() <= width - 1 - margin
                and ys.max() <= height - 1 - margin)


def random_scene(rng: np.random.Generator, size: tuple[int, int] = (960, 720), level: str = "moderate",
                 shot: Shot | None = None, aspect: float = A4_MM[1] / A4_MM[0]) -> Scene:
    """A whole sheet somewhere in the frame (poses that would cut it off are drawn again)."""
    for _ in range(100):
        corners = project(random_pose(rng, level), aspect, size)
        if inside(corners, size):
            break
    else:
        raise RuntimeError("no pose keeps the sheet inside the frame")
    page = render_page(rng, aspect=aspect)
    frame = shoot(page, corners, desk(rng, size), shot or random_shot(rng, level), rng)
    return Scene(frame, corners, aspect)


def cut_off_scene(rng: np.random.Generator, size: tuple[int, int] = (960, 720)) -> Scene:
    """A sheet slid a third of the way out of the picture on one side."""
    side = rng.choice([(0.45, 0.0), (-0.45, 0.0), (0.0, 0.35), (0.0, -0.35)])
    pose = replace(random_pose(rng, "mild"), shift=(float(side[0]), float(side[1])))
    aspect = A4_MM[1] / A4_MM[0]
    corners = project(pose, aspect, size)
    frame = shoot(render_page(rng), corners, desk(rng, size), random_shot(rng, "mild"), rng)
    return Scene(frame, corners, aspect)


def empty_scene(rng: np.random.Generator, size: tuple[int, int] = (960, 720), shot: Shot | None = None) -> Scene:
    return Scene(shoot(np.zeros((1, 1, 3), np.uint8), None, desk(rng, size), shot or random_shot(rng), rng),
                 None, 0.0)


# --- a camera pointed at a desk where a sheet is laid down ------------------------------------------------------

class SimDocumentCamera:
    """A FrameSource: for `approach` frames the sheet slides in from off-frame, then it lies still with a
    sub-pixel hand tremor and fresh sensor noise in every frame. `page=False` films the empty desk."""

    def __init__(self, seed: int = 0, size: tuple[int, int] = (960, 720), level: str = "mild",
                 approach: int = 4, shot: Shot | None = None, page: bool = True, tremor_px: float = 0.3):
        self._rng = np.random.default_rng(seed)
        self.size = size
        self._shot = shot or random_shot(self._rng, level)
        self._approach = approach
        self._tremor = tremor_px
        self._background = desk(self._rng, size)
        self._page = render_page(self._rng) if page else None
        self.aspect = A4_MM[1] / A4_MM[0]
        self.corners = self._resting_corners(level) if page else None
        self._lock = threading.Lock()
        self._count = 0
        self._closed = False

    def _resting_corners(self, level: str) -> np.ndarray:
        while not inside(corners := project(random_pose(self._rng, level), self.aspect, self.size), self.size):
            pass
        return corners

    def read(self) -> Frame:
        with self._lock:
            if self._closed:
                raise DeviceError(Fault.READER_ABSENT, "source closed")
            step, self._count = self._count, self._count + 1
            corners = self._corners_at(step)
            return shoot(self._page, corners, self._background, self._shot, self._rng)

    def _corners_at(self, step: int) -> np.ndarray | None:
        if self.corners is None:
            return None
        still = self.corners + self._rng.normal(0, self._tremor, (1, 2))
        left = self._approach - step
        return still if left <= 0 else still + np.array([self.size[0] * 0.12 * left, 0.0])

    def close(self) -> None:
        with self._lock:
            self._closed = True
