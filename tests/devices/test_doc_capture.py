"""Document-camera mode on real pixels: synthetic sheets shot through a pinhole camera (devices/doccam/sim.py),
found, flattened, encoded and stored by the same code the kiosk runs."""
import hashlib
import math

import cv2
import numpy as np
import pytest

from devices.doccam import (CaptureFailed, CaptureSettings, Captured, DocumentCapture, Enhance, Failure, Quad,
                            Reason, encode_jpeg, find_page, rectify, sheet_aspect)
from devices.doccam.page import order_corners
from devices.doccam.rectify import warp
from devices.doccam.sim import Shot, SimDocumentCamera, cut_off_scene, empty_scene, random_scene
from devices.qr_frames import ImageListSource

pytestmark = pytest.mark.timeout(120)

CORNER_PX = 3.0


def corner_error(finding, scene) -> float:
    return float(np.linalg.norm(finding.quad.array() - scene.corners, axis=1).max())


def detection_rate(level: str, seeds: range) -> tuple[float, list[int]]:
    missed = []
    for seed in seeds:
        scene = random_scene(np.random.default_rng(seed), level=level)
        finding = find_page(scene.frame)
        if not finding.found or corner_error(finding, scene) > CORNER_PX:
            missed.append(seed)
    return 1 - len(missed) / len(seeds), missed


def skew_degrees(page: np.ndarray) -> float:
    """The text-line angle: the rotation (0.1 degree steps) that makes the row profile of ink peakiest."""
    ink = 255 - (page if page.ndim == 2 else cv2.cvtColor(page, cv2.COLOR_BGR2GRAY))
    height, width = ink.shape
    best = max(np.arange(-3, 3.01, 0.1), key=lambda angle: cv2.warpAffine(
        ink, cv2.getRotationMatrix2D((width / 2, height / 2), float(angle), 1), (width, height)
    ).sum(axis=1).astype(np.float64).var())
    return float(best)


# --- finding the sheet ---------------------------------------------------------------------------------------------

def test_corners_within_3px_of_truth_on_moderate_distortions():
    rate, missed = detection_rate("moderate", range(100))
    print(f"moderate: {rate:.1%} of 100 within {CORNER_PX} px, missed seeds {missed}")
    assert rate >= 0.95


def test_corners_found_on_hard_distortions_too():
    rate, missed = detection_rate("hard", range(1000, 1040))
    print(f"hard: {rate:.1%} of 40 within {CORNER_PX} px, missed seeds {missed}")
    assert rate >= 0.9


def test_corners_are_sub_pixel_on_average():
    errors = []
    for seed in range(20):
        scene = random_scene(np.random.default_rng(seed))
        errors.append(corner_error(find_page(scene.frame), scene))
    assert np.median(errors) < 1.0


@pytest.mark.parametrize("roll", [-40, -25, -5, 0, 5, 25, 40])
def test_corners_ordered_clockwise_from_top_left_up_to_45_degrees(roll):
    rect = np.array([[-2, -3], [2, -3], [2, 3], [-2, 3]], np.float64)
    angle = math.radians(roll)
    turned = rect @ np.array([[math.cos(angle), math.sin(angle)], [-math.sin(angle), math.cos(angle)]])
    shuffled = turned[np.random.default_rng(roll + 50).permutation(4)]
    assert np.allclose(order_corners(shuffled), turned)


def test_blank_desk_is_no_page():
    reasons = {find_page(empty_scene(np.random.default_rng(seed)).frame).reason for seed in range(20)}
    assert reasons == {Reason.NO_PAGE}


def test_heavy_blur_is_too_blurry_but_the_sheet_is_still_outlined():
    for seed in range(6):
        scene = random_scene(np.random.default_rng(seed), shot=Shot(blur=5.0, noise=4.0))
        finding = find_page(scene.frame)
        assert finding.reason is Reason.TOO_BLURRY
        assert finding.quad is not None            # the UI can still draw where the sheet is


def test_slight_blur_still_passes():
    for seed in range(6):
        scene = random_scene(np.random.default_rng(seed), shot=Shot(blur=1.8, noise=4.0))
        assert find_page(scene.frame).found


@pytest.mark.parametrize("exposure", [0.0, 0.05, 0.15])
def test_dark_frame_is_too_dark(exposure):
    scene = random_scene(np.random.default_rng(7), shot=Shot(exposure=exposure))
    assert find_page(scene.frame).reason is Reason.TOO_DARK


@pytest.mark.parametrize("size", [(960, 720), (1280, 960)])
def test_sheet_cut_by_the_frame_edge_is_not_a_page(size):
    for seed in range(20):                          # seed 18: the table printed on the sheet is a fine quad
        finding = find_page(cut_off_scene(np.random.default_rng(seed), size).frame)
        assert finding.quad is None, seed
        assert finding.reason is Reason.CUT_OFF     # "move the paper fully into the frame"


def test_far_away_sheet_is_too_small():
    scene = random_scene(np.random.default_rng(3), level="mild", size=(1280, 960))
    small = cv2.resize(scene.frame, None, fx=0.25, fy=0.25)
    frame = cv2.copyMakeBorder(small, 360, 360, 480, 480, cv2.BORDER_REFLECT)
    assert find_page(frame).reason is Reason.TOO_SMALL


@pytest.mark.parametrize("frame", [
    None, "a frame", 42, np.zeros((0, 0), np.uint8), np.zeros((480, 640, 3), np.float32),
    np.zeros((480, 640, 3), np.uint16), np.zeros((480, 640, 2), np.uint8), np.zeros((10, 10, 3), np.uint8),
    np.zeros((2, 480, 640, 3), np.uint8), np.zeros(480 * 640, np.uint8),
], ids=["none", "str", "int", "empty", "float32", "uint16", "2ch", "tiny", "4d", "flat"])
def test_garbage_frames_are_bad_frames_never_exceptions(frame):
    assert find_page(frame).reason is Reason.BAD_FRAME


def test_grey_bgra_and_strided_frames_are_accepted():
    scene = random_scene(np.random.default_rng(11))
    gray = cv2.cvtColor(scene.frame, cv2.COLOR_BGR2GRAY)
    bgra = cv2.cvtColor(scene.frame, cv2.COLOR_BGR2BGRA)
    wide = np.zeros((720, 1920, 3), np.uint8)
    wide[:, ::2] = scene.frame
    for frame in (gray, gray[:, :, None], bgra, wide[:, ::2]):
        assert find_page(frame).found


# --- flattening ----------------------------------------------------------------------------------------------------

def test_a4_sheet_comes_out_a4_and_upright():
    for seed in range(8):
        scene = random_scene(np.random.default_rng(seed), size=(1280, 960))
        page = rectify(scene.frame, find_page(scene.frame).quad)
        height, width = page.shape
        assert abs(height / width - math.sqrt(2)) < 0.01
        assert abs(skew_degrees(page)) <= 1.0, seed


@pytest.mark.parametrize("aspect", [1.0, 1.25, 0.6])   # none within 4% of A4: no snapping
def test_other_sheet_shapes_are_measured_through_the_perspective(aspect):
    errors, naive = [], []
    for seed in range(6):
        scene = random_scene(np.random.default_rng(seed), aspect=aspect)
        quad = find_page(scene.frame).quad
        errors.append(abs(sheet_aspect(quad, (960, 720)) / aspect - 1))
        tl, tr, br, bl = quad.array()
        naive.append(abs((np.linalg.norm(bl - tl) + np.linalg.norm(br - tr))
                         / (np.linalg.norm(tr - tl) + np.linalg.norm(br - bl)) / aspect - 1))
    assert max(errors) < 0.03
    assert np.mean(errors) < np.mean(naive)        # better than averaging side lengths


def test_flattened_page_maps_the_sheet_corners_to_the_image_corners():
    scene = random_scene(np.random.default_rng(5), size=(1280, 960))
    page = warp(scene.frame, Quad.of(scene.corners))
    gray = cv2.cvtColor(page, cv2.COLOR_BGR2GRAY)
    assert gray[:3].mean() > 150 and gray[-3:].mean() > 150           # paper up to the edge, no desk
    assert gray[:, :3].mean() > 150 and gray[:, -3:].mean() > 150


def test_clean_evens_the_light_and_keeps_grey_levels():
    scene = random_scene(np.random.default_rng(9), size=(1280, 960), shot=Shot(falloff=0.5))
    quad = find_page(scene.frame).quad
    raw = cv2.cvtColor(warp(scene.frame, quad), cv2.COLOR_BGR2GRAY)
    page = rectify(scene.frame, quad)
    rows = page.shape[0]
    paper = [np.percentile(part, 90) for part in (page[: rows // 8], page[-rows // 8:])]
    raw_paper = [np.percentile(part, 90) for part in (raw[: rows // 8], raw[-rows // 8:])]
    assert min(paper) >= 250                                       # white paper all over
    assert abs(paper[0] - paper[1]) < abs(raw_paper[0] - raw_paper[1])
    assert 0.01 < ((page > 20) & (page < 235)).mean() < 0.2          # anti-aliased strokes, not binarised
    assert set(np.unique(rectify(scene.frame, quad, Enhance.BW))) <= {0, 255}


def test_colour_mode_keeps_the_red_seal_red():
    scene = random_scene(np.random.default_rng(4), size=(1280, 960))
    page = rectify(scene.frame, find_page(scene.frame).quad, Enhance.COLOR)
    blue, green, red = (page[:, :, i].astype(int) for i in range(3))
    assert ((red - np.maximum(blue, green)) > 80).sum() > 200


# --- JPEG ----------------------------------------------------------------------------------------------------------

def test_jpeg_fits_the_cap_decodes_and_carries_no_exif():
    scene = random_scene(np.random.default_rng(2), size=(1600, 1200))
    page = rectify(scene.frame, find_page(scene.frame).quad)
    jpeg = encode_jpeg(page, max_bytes=400_000)
    assert len(jpeg.data) <= 400_000
    decoded = cv2.imdecode(np.frombuffer(jpeg.data, np.uint8), cv2.IMREAD_UNCHANGED)
    assert decoded.shape == (jpeg.height, jpeg.width)
    assert jpeg.data[:2] == b"\xff\xd8" and b"Exif" not in jpeg.data and b"\xff\xe1" not in jpeg.data


def test_tight_cap_steps_quality_then_size():
    noisy = np.random.default_rng(0).integers(0, 256, (2000, 1414), dtype=np.uint8)   # incompressible
    roomy = encode_jpeg(noisy, max_bytes=10_000_000)
    tight = encode_jpeg(noisy, max_bytes=400_000)
    assert roomy.quality == 88 and roomy.height == 2000
    assert len(tight.data) <= 400_000 and tight.height < 2000 and tight.height >= 900
    assert encode_jpeg(noisy, max_bytes=20_000) is None               # nothing legible fits: said, not faked


def test_long_side_is_capped():
    page = np.full((3000, 2121), 255, np.uint8)
    jpeg = encode_jpeg(page, long_side_px=2000)
    assert max(jpeg.width, jpeg.height) == 2000


# --- the capture service -------------------------------------------------------------------------------------------

class TickingClock:
    """Each look at the clock is one more frame period: timeouts are counted in frames, whatever the CPU."""

    def __init__(self, period: float = 0.1):
        self.now = 0.0
        self.period = period

    def __call__(self) -> float:
        self.now += self.period
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


class Shelf:
    def __init__(self):
        self.items: list[bytes] = []

    def add(self, data: bytes) -> str:
        self.items.append(data)
        return hashlib.sha256(data).hexdigest()


def service(source, shelf, on_finding=None, **settings) -> DocumentCapture:
    clock = TickingClock()
    return DocumentCapture(source, shelf.add, CaptureSettings(**settings), on_finding=on_finding, clock=clock,
                           sleep=clock.sleep)


def test_stores_exactly_one_attachment_once_the_sheet_is_still():
    shelf, seen = Shelf(), []
    camera = SimDocumentCamera(seed=3, approach=5)
    result = service(camera, shelf, on_finding=seen.append).capture(timeout=10)
    assert isinstance(result, Captured)
    assert len(shelf.items) == 1 and result.sha256 == hashlib.sha256(shelf.items[0]).hexdigest()
    assert result.jpeg_bytes == len(shelf.items[0]) <= 400_000
    assert result.frames >= 5 + 3 and len(seen) == result.frames    # not while it slid in
    assert np.linalg.norm(result.quad.array() - camera.corners, axis=1).max() < CORNER_PX
    page = cv2.imdecode(np.frombuffer(shelf.items[0], np.uint8), cv2.IMREAD_UNCHANGED)
    assert page.shape == (result.height, result.width)
    assert abs(result.height / result.width - math.sqrt(2)) < 0.01


def test_real_attachment_store_keeps_the_capture(tmp_path):
    from local_db.db import open_db
    from sync.attachments import AttachmentStore

    store = AttachmentStore(open_db(tmp_path / "kiosk.db"), tmp_path / "media")
    result = service(SimDocumentCamera(seed=8), store).capture(timeout=10)
    assert isinstance(result, Captured)
    assert hashlib.sha256(store.read(result.sha256)).hexdigest() == result.sha256
    assert [info.sha256 for info in store.pending()] == [result.sha256]


def test_empty_desk_times_out_with_no_page_and_stores_nothing():
    shelf = Shelf()
    result = service(SimDocumentCamera(seed=1, page=False), shelf).capture(timeout=2)
    assert result == CaptureFailed(Failure.NO_PAGE, result.frames) and result.frames > 3
    assert shelf.items == []


def test_a_sheet_that_never_holds_still_times_out():
    shelf = Shelf()
    result = service(SimDocumentCamera(seed=2, tremor_px=6.0), shelf, stable_px=4.0).capture(timeout=2)
    assert result.reason is Failure.TIMEOUT and shelf.items == []


@pytest.mark.parametrize("shot, reason", [(Shot(blur=5.0), Failure.TOO_BLURRY),
                                          (Shot(exposure=0.1), Failure.TOO_DARK)])
def test_timeout_says_what_was_wrong(shot, reason):
    shelf = Shelf()
    result = service(SimDocumentCamera(seed=4, shot=shot, approach=0), shelf).capture(timeout=2)
    assert result.reason is reason and shelf.items == []


def test_sheet_half_out_of_the_frame_says_cut_off():
    frames = [cut_off_scene(np.random.default_rng(seed)).frame for seed in range(6)]
    shelf = Shelf()
    result = service(ImageListSource(frames * 3), shelf).capture(timeout=2)
    assert result.reason is Failure.CUT_OFF and shelf.items == []


def test_garbage_from_the_camera_is_a_failure_not_an_exception():
    junk = [None, np.zeros((480, 640), np.float64), np.zeros((5, 5, 3), np.uint8), "frame", b"\x00" * 10]
    source = ImageListSource([j for j in junk if j is not None] * 4)
    result = service(source, Shelf()).capture(timeout=2)
    assert result.reason is Failure.BAD_FRAME


def test_camera_gone_is_camera_absent():
    result = service(ImageListSource([], then="end"), Shelf()).capture(timeout=2)
    assert result == CaptureFailed(Failure.CAMERA_ABSENT, 0, "stream ended")


def test_no_frames_at_all_is_timeout():
    result = service(ImageListSource([]), Shelf()).capture(timeout=1)
    assert result == CaptureFailed(Failure.TIMEOUT, 0)


def test_cancel_ends_the_capture():
    shelf = Shelf()
    capture = service(SimDocumentCamera(seed=1, page=False), shelf, on_finding=lambda finding: capture.cancel())
    assert capture.capture(timeout=10).reason is Failure.CANCELLED


def test_one_jpeg_under_a_tight_cap():
    shelf = Shelf()
    result = service(SimDocumentCamera(seed=6, size=(1600, 1200)), shelf, max_bytes=60_000).capture(timeout=10)
    assert isinstance(result, Captured) and result.jpeg_bytes <= 60_000 and len(shelf.items) == 1
