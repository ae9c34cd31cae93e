"""Find the paper sheet in a camera frame: its four corners in order, or the reason there is none.

Path (bench/doccam_bench.py measures it against a plain largest-contour detector on the same frames):
1. the frame is checked (a uint8 image at all), made grey and shrunk to DETECT_SIDE px on its long side;
2. two masks of where a sheet may be: Otsu on the blurred frame (paper is lighter than a desk) and dilated Canny
   edges (paper on a light desk, where Otsu merges the two);
3. the largest contours of each, hull simplified with approxPolyDP until four corners remain; kept only if convex,
   with sane corner angles, filling their quad, large enough and clear of the frame edge;
4. each side refined on the full-size frame: the strongest brightness step along its normal at many points, a
   robust line through them, corners where neighbouring lines cross (sub-pixel; approxPolyDP vertices sit on a
   rounded, blurred corner and were 2-4 px off);
5. the sheet must be lit enough and sharp enough (Laplacian variance of its inside relative to its contrast, so
   a dim page is not called blurred and a contrasty one not called sharp).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from enum import Enum

import numpy as np

Frame = np.ndarray
Point = tuple[float, float]

DETECT_SIDE = 640        # detection runs at this long side: ~4x fewer pixels than 1280x960, corners refined after
MIN_SIDE = 64            # smaller frames are not camera frames
MIN_AREA = 0.10          # a sheet covering less of the frame is too far away to be legible
SEEN_AREA = 0.02         # smaller blobs are not candidates at all
EDGE_MARGIN = 3          # detection px: a contour this close to the frame edge runs over it
MIN_ANGLE, MAX_ANGLE = 45.0, 135.0   # corner angles of a sheet tilted up to ~35 degrees
MIN_FILL = 0.90          # contour area / its quad's area: a blob that only roughly has four corners is no sheet
MIN_SUPPORT = 0.70       # share of a quad's outline that must lie within ~3 px of an edge
PAPER_CONTRAST = 45      # grey levels between paper and desk for a blob cut by the frame edge to count as a sheet
DARK_LEVEL = 60          # paper darker than this (median grey) is too dark to photograph legibly
MIN_SHARPNESS = 0.26     # Laplacian/contrast ratio at 640 px: text pages ~0.3-0.55 up to blur sigma 2.5, <0.24 from 4


class Reason(str, Enum):
    BAD_FRAME = "bad_frame"     # not an image: None, wrong shape or dtype, too small
    TOO_DARK = "too_dark"
    NO_PAGE = "no_page"
    CUT_OFF = "cut_off"         # a sheet runs over the frame edge: "move the paper fully into the frame"
    TOO_SMALL = "too_small"     # "bring the paper closer"
    TOO_BLURRY = "too_blurry"


@dataclass(frozen=True)
class Quad:
    """A sheet's corners in frame pixels (pixel-centre coordinates), clockwise from the top left."""
    tl: Point
    tr: Point
    br: Point
    bl: Point

    @classmethod
    def of(cls, points: np.ndarray) -> "Quad":
        return cls(*(tuple(float(v) for v in p) for p in np.asarray(points, np.float64).reshape(4, 2)))

    def array(self) -> np.ndarray:
        return np.array([self.tl, self.tr, self.br, self.bl], np.float64)

    def scaled(self, factor: float) -> "Quad":
        return Quad.of(self.array() * factor)

    def max_shift(self, other: "Quad") -> float:
        """How far the furthest-moving corner went (the stability test of a held-still sheet)."""
        return float(np.linalg.norm(self.array() - other.array(), axis=1).max())

    @property
    def area(self) -> float:
        x, y = self.array().T
        return float(abs(np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1))) / 2)


@dataclass(frozen=True)
class PageFinding:
    """`quad` is set when a sheet was seen, even if it is too dark or blurred (a UI can outline it);
    `reason` is None only when it is good to photograph."""
    quad: Quad | None
    reason: Reason | None
    sharpness: float = 0.0
    brightness: float = 0.0

    @property
    def found(self) -> bool:
        return self.reason is None


def _cv2():
    import cv2   # ~130 ms to import: only kiosks that capture documents pay for it
    return cv2


def as_gray(frame: object) -> Frame | None:
    """The frame as a grey uint8 image, or None if it is not a camera frame (None, wrong dtype or shape)."""
    if not isinstance(frame, np.ndarray) or frame.dtype != np.uint8:
        return None
    if frame.ndim == 3 and frame.shape[2] == 1:
        frame = frame[:, :, 0]
    if frame.ndim == 3 and frame.shape[2] in (3, 4):
        code = _cv2().COLOR_BGRA2GRAY if frame.shape[2] == 4 else _cv2().COLOR_BGR2GRAY
        frame = _cv2().cvtColor(np.ascontiguousarray(frame), code)
    if frame.ndim != 2 or min(frame.shape) < MIN_SIDE:
        return None
    return np.ascontiguousarray(frame)


def _shrunk(gray: Frame) -> tuple[Frame, float]:
    """The detection image and its scale (detection px per frame px)."""
    scale = min(1.0, DETECT_SIDE / max(gray.shape))
    if scale == 1.0:
        return gray, 1.0
    return _cv2().resize(gray, None, fx=scale, fy=scale, interpolation=_cv2().INTER_AREA), scale


# --- candidate blobs --------------------------------------------------------------------------------------------

def _masks(small: Frame) -> tuple[Frame, Frame]:
    """(light, edges): Otsu's lighter class and dilated Canny edges of the blurred detection image."""
    cv2 = _cv2()
    blurred = cv2.GaussianBlur(small, (0, 0), 2.0)
    _, light = cv2.threshold(blurred, 0, 255, cv2.THRESH_BINARY | cv2.THRESH_OTSU)
    light = cv2.morphologyEx(light, cv2.MORPH_OPEN, np.ones((5, 5), np.uint8))   # cut thin bridges to the desk
    edges = cv2.dilate(cv2.Canny(blurred, 20, 60), np.ones((3, 3), np.uint8))
    return light, edges


def edge_support(near_edges: Frame, corners: np.ndarray) -> float:
    """The share of points along the quad's sides that lie near an edge. A lit patch of desk merged with the
    sheet makes a bigger quad whose extra side runs over the desk, not along an edge."""
    ts = np.linspace(0.05, 0.95, 40)[:, None]
    points = np.concatenate([corners[i] + ts * (corners[(i + 1) % 4] - corners[i]) for i in range(4)])
    xs = np.clip(np.round(points[:, 0]).astype(int), 0, near_edges.shape[1] - 1)
    ys = np.clip(np.round(points[:, 1]).astype(int), 0, near_edges.shape[0] - 1)
    return float((near_edges[ys, xs] > 0).mean())


def _contours(mask: Frame, min_area: float) -> list[np.ndarray]:
    cv2 = _cv2()
    found, _ = cv2.findContours(mask, cv2.RETR_LIST, cv2.CHAIN_APPROX_SIMPLE)
    big = [c for c in found if cv2.contourArea(c) >= min_area]
    return sorted(big, key=cv2.contourArea, reverse=True)[:6]


def _at_edge(contour: np.ndarray, shape: tuple[int, ...]) -> bool:
    x, y, w, h = _cv2().boundingRect(contour)
    return x <= EDGE_MARGIN or y <= EDGE_MARGIN or x + w >= shape[1] - EDGE_MARGIN or y + h >= shape[0] - EDGE_MARGIN


def _corner_angles(points: np.ndarray) -> list[float]:
    angles = []
    for i in range(4):
        a, b = points[i - 1] - points[i], points[(i + 1) % 4] - points[i]
        cos = np.dot(a, b) / (np.linalg.norm(a) * np.linalg.norm(b) + 1e-9)
        angles.append(math.degrees(math.acos(float(np.clip(cos, -1, 1)))))
    return angles


def order_corners(points: np.ndarray) -> np.ndarray:
    """TL, TR, BR, BL: clockwise around the centre, starting at the corner whose outgoing side points most
    nearly rightwards. Sum/difference ordering swaps corners of a sheet turned near 45 degrees; this holds up to
    45 degrees of roll (beyond that only the content tells which way is up)."""
    points = np.asarray(points, np.float64).reshape(4, 2)
    centre = points.mean(axis=0)
    points = points[np.argsort(np.arctan2(points[:, 1] - centre[1], points[:, 0] - centre[0]))]
    sides = np.roll(points, -1, axis=0) - points
    start = int(np.argmin(np.abs(np.arctan2(sides[:, 1], sides[:, 0]))))
    return np.roll(points, -start, axis=0)


def _four_corners(contour: np.ndarray) -> np.ndarray | None:
    """The contour's quad if it is one: hull simplified to 4 points, convex, sane angles, filled."""
    cv2 = _cv2()
    hull = cv2.convexHull(contour)
    perimeter = cv2.arcLength(hull, True)
    for epsilon in (0.01, 0.02, 0.03, 0.05):
        approx = cv2.approxPolyDP(hull, epsilon * perimeter, True)
        if len(approx) <= 4:
            break
    if len(approx) != 4 or not cv2.isContourConvex(approx):
        return None
    points = approx.reshape(4, 2).astype(np.float64)
    if cv2.contourArea(contour) < MIN_FILL * cv2.contourArea(approx):
        return None
    if not all(MIN_ANGLE <= a <= MAX_ANGLE for a in _corner_angles(points)):
        return None
    return order_corners(points)


def _looks_cut(contour: np.ndarray, small: Frame) -> bool:
    """A large, smooth, paper-bright blob running over the frame edge: a sheet partly outside the picture
    (a patch of lit desk is neither this bright against its surroundings nor this regular)."""
    cv2 = _cv2()
    area = cv2.contourArea(contour)
    if area < MIN_AREA * small.size / 2 or area < 0.9 * cv2.contourArea(cv2.convexHull(contour)):
        return False
    mask = np.zeros(small.shape, np.uint8)
    cv2.drawContours(mask, [contour], -1, 255, -1)
    inside, outside = cv2.mean(small, mask)[0], cv2.mean(small, 255 - mask)[0]
    return inside - outside >= PAPER_CONTRAST


def _locate(small: Frame) -> tuple[np.ndarray | None, Reason]:
    """The largest plausible sheet in the detection image, or why there is none."""
    frame_area = float(small.size)
    best, best_score, reason, cut = None, 0.0, Reason.NO_PAGE, []
    light, edges = _masks(small)
    near_edges = _cv2().dilate(edges, np.ones((5, 5), np.uint8))   # blur moves Otsu's outline off Canny's
    for mask in (light, edges):
        for contour in _contours(mask, SEEN_AREA * frame_area):
            if _at_edge(contour, small.shape):
                cut += [contour] if _looks_cut(contour, small) else []
                continue
            corners = _four_corners(contour)
            if corners is None:
                continue
            area, support = Quad.of(corners).area, edge_support(near_edges, corners)
            if support < MIN_SUPPORT:
                continue
            if area < MIN_AREA * frame_area:
                reason = Reason.TOO_SMALL
            elif area * support ** 2 > best_score:
                best, best_score = corners, area * support ** 2
    if cut and (best is None or _within(best, cut)):
        return None, Reason.CUT_OFF    # a table or box printed on a sheet that runs out of the frame is no page
    return best, reason


def _within(corners: np.ndarray, blobs: list[np.ndarray]) -> bool:
    centre = tuple(float(v) for v in corners.mean(axis=0))
    return any(_cv2().pointPolygonTest(blob, centre, False) >= 0 for blob in blobs)


# --- sub-pixel sides ---------------------------------------------------------------------------------------------

def _edge_points(gray: Frame, p0: np.ndarray, p1: np.ndarray, reach: float) -> np.ndarray:
    """Where the brightness steps most along the normal of side p0->p1, at points spread along it."""
    cv2 = _cv2()
    length = float(np.linalg.norm(p1 - p0))
    along = (p1 - p0) / length
    normal = np.array([-along[1], along[0]])
    ts = np.linspace(0.12, 0.88, int(np.clip(length / 6, 8, 80)))
    offsets = np.arange(-reach, reach + 0.01, 0.5)
    base = p0[None, :] + ts[:, None] * (p1 - p0)[None, :]
    grid = base[:, None, :] + offsets[None, :, None] * normal[None, None, :]
    profile = cv2.remap(gray, grid[..., 0].astype(np.float32), grid[..., 1].astype(np.float32),
                        cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    step = np.abs(np.diff(profile, axis=1))
    peak = np.clip(step.argmax(axis=1), 1, step.shape[1] - 2)
    rows = np.arange(len(ts))
    left, mid, right = step[rows, peak - 1], step[rows, peak], step[rows, peak + 1]
    curve = left - 2 * mid + right
    sub = np.divide(0.5 * (left - right), curve, out=np.zeros_like(curve), where=curve < 0)   # parabola vertex
    where = offsets[0] + (peak + 0.5 + sub) * 0.5
    strong = mid >= 0.5 * np.median(mid)          # a finger or a shadow over the edge gives a weak step there
    return (base + where[:, None] * normal[None, :])[strong]


def _line(points: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    if len(points) < 4:
        return None
    vx, vy, x, y = _cv2().fitLine(points.astype(np.float32), _cv2().DIST_HUBER, 0, 0.01, 0.01).ravel()
    return np.array([x, y], np.float64), np.array([vx, vy], np.float64)


def _cross(a: tuple[np.ndarray, np.ndarray], b: tuple[np.ndarray, np.ndarray]) -> np.ndarray | None:
    (pa, da), (pb, db) = a, b
    det = da[0] * -db[1] + db[0] * da[1]
    if abs(det) < 1e-6:
        return None
    diff = pb - pa
    t = (diff[0] * -db[1] + db[0] * diff[1]) / det
    return pa + t * da


def refine(gray: Frame, corners: np.ndarray, reach: float) -> np.ndarray:
    """Corners where lines fitted to the sheet's sides cross; the coarse ones if a side cannot be fitted or a
    corner would move further than `reach` (the fit latched onto something else)."""
    smooth = _cv2().GaussianBlur(gray, (0, 0), 1.0).astype(np.float32)
    lines = [_line(_edge_points(smooth, corners[i], corners[(i + 1) % 4], reach)) for i in range(4)]
    if any(line is None for line in lines):
        return corners
    crossed = [_cross(lines[i - 1], lines[i]) for i in range(4)]
    if any(c is None for c in crossed):
        return corners
    refined = np.array(crossed)
    return refined if np.linalg.norm(refined - corners, axis=1).max() <= 2 * reach else corners


# --- is it good enough to photograph ------------------------------------------------------------------------------

def _inner(small: Frame, corners: np.ndarray) -> tuple[Frame, np.ndarray]:
    """The patch around the sheet's inside, 10% in from its edges (the edge itself would count as detail), and
    the mask of the inside within it."""
    cv2 = _cv2()
    centre = corners.mean(axis=0)
    inner = centre + 0.8 * (corners - centre)
    mask = np.zeros(small.shape, np.uint8)
    cv2.fillConvexPoly(mask, np.round(inner).astype(np.int32), 255)
    x, y, w, h = cv2.boundingRect(np.round(inner).astype(np.int32))
    return small[y:y + h, x:x + w], mask[y:y + h, x:x + w] > 0


def sharpness(small: Frame, corners: np.ndarray) -> tuple[float, float]:
    """(sharpness, median brightness) of the sheet: Laplacian spread over grey-level spread, on the detection
    image (a fixed scale, so one threshold serves every camera resolution), after a light blur that keeps sensor
    noise from passing as detail."""
    cv2 = _cv2()
    patch, mask = _inner(small, corners)
    if patch.size == 0 or not mask.any():
        return 0.0, 0.0
    smooth = cv2.GaussianBlur(patch, (0, 0), 1.2).astype(np.float32)
    laplace = cv2.Laplacian(smooth, cv2.CV_32F)[mask]
    contrast = float(smooth[mask].std())
    return float(laplace.std()) / max(contrast, 4.0), float(np.median(patch[mask]))


def find_page(frame: object) -> PageFinding:
    """The sheet in one camera frame (BGR, BGRA or grey uint8). Never raises on a bad frame: BAD_FRAME."""
    gray = as_gray(frame)
    if gray is None:
        return PageFinding(None, Reason.BAD_FRAME)
    try:
        return _judge(gray)
    except _cv2().error:     # a frame OpenCV cannot work on is a bad frame, not a crash of the capture loop
        return PageFinding(None, Reason.BAD_FRAME)


def _judge(gray: Frame) -> PageFinding:
    small, scale = _shrunk(gray)
    top = float(np.percentile(small, 99))
    if top < DARK_LEVEL:
        return PageFinding(None, Reason.TOO_DARK, brightness=top)
    coarse, reason = _locate(small)
    if coarse is None:
        return PageFinding(None, reason, brightness=top)
    corners = order_corners(refine(gray, coarse / scale, reach=4 + 3 / scale))   # ~2 detection px of slack
    sharp, light = sharpness(small, corners * scale)
    quad = Quad.of(corners)
    if light < DARK_LEVEL:
        return PageFinding(quad, Reason.TOO_DARK, sharp, light)
    if sharp < MIN_SHARPNESS:
        return PageFinding(quad, Reason.TOO_BLURRY, sharp, light)
    return PageFinding(quad, None, sharp, light)
