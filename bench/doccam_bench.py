"""Document-camera benchmark: our sheet finder against a naive largest-contour finder, on the same frames.

    python bench/doccam_bench.py [--frames N] [--seed N] [--size 1280x960]

Prints ONE JSON object. Seeded synthetic frames (devices/doccam/sim.py: a sheet shot through a pinhole camera on
a textured desk with uneven light, blur and noise), half "moderate" and half "hard" distortions, plus negatives
(empty desk, a sheet cut by the frame edge) where the right answer is "no page". A detection counts only if
every corner is within 3 px of the truth. The baseline is what most tutorials do: Canny, the largest external
contour, approxPolyDP at 2% of its perimeter, its bounding box when that is not four points, corners ordered by
x+y / y-x. Timings are per frame, in ms, measured in the same run for both.
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Callable

import cv2
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from devices.doccam.page import find_page  # noqa: E402
from devices.doccam.rectify import encode_jpeg, rectify  # noqa: E402
from devices.doccam.sim import Scene, cut_off_scene, empty_scene, random_scene  # noqa: E402

CORNER_PX = 3.0


def naive_find(frame: np.ndarray) -> np.ndarray | None:
    """The tutorial detector: four corners or None, no checks beyond a minimum area."""
    gray = cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY)
    edges = cv2.Canny(cv2.GaussianBlur(gray, (5, 5), 0), 50, 150)
    contours, _ = cv2.findContours(edges, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    if not contours:
        return None
    biggest = max(contours, key=cv2.contourArea)
    if cv2.contourArea(biggest) < 0.05 * gray.size:
        return None
    approx = cv2.approxPolyDP(biggest, 0.02 * cv2.arcLength(biggest, True), True).reshape(-1, 2)
    if len(approx) != 4:
        x, y, w, h = cv2.boundingRect(biggest)
        approx = np.array([[x, y], [x + w, y], [x + w, y + h], [x, y + h]])
    sums, diffs = approx.sum(axis=1), np.diff(approx, axis=1).ravel()
    return np.array([approx[sums.argmin()], approx[diffs.argmin()], approx[sums.argmax()], approx[diffs.argmax()]],
                    np.float64)


def ours(frame: np.ndarray) -> np.ndarray | None:
    finding = find_page(frame)
    return finding.quad.array() if finding.found else None


def scenes(count: int, seed: int, size: tuple[int, int]) -> tuple[list[Scene], list[Scene]]:
    rng = np.random.default_rng(seed)
    pages = [random_scene(rng, size, level="moderate" if i % 2 == 0 else "hard") for i in range(count)]
    negatives = [empty_scene(rng, size) if i % 2 == 0 else cut_off_scene(rng, size) for i in range(count // 4)]
    return pages, negatives


def measure(find: Callable[[np.ndarray], np.ndarray | None], pages: list[Scene],
            negatives: list[Scene]) -> dict[str, float]:
    hits, errors, times = 0, [], []
    for scene in pages:
        started = time.perf_counter()
        corners = find(scene.frame)
        times.append((time.perf_counter() - started) * 1000)
        if corners is not None:
            error = float(np.linalg.norm(corners - scene.corners, axis=1).max())
            errors.append(error)
            hits += error <= CORNER_PX
    false_pages = sum(find(scene.frame) is not None for scene in negatives)
    return {"detection_rate": round(hits / len(pages), 4),
            "median_corner_error_px": round(statistics.median(errors), 3) if errors else None,
            "false_page_rate": round(false_pages / max(1, len(negatives)), 4),
            "ms_per_frame": round(statistics.mean(times), 2)}


def pipeline_ms(pages: list[Scene]) -> dict[str, float]:
    """Rectify + clean + JPEG after a detection: what the capture pays once per document."""
    times, sizes = [], []
    for scene in pages[:20]:
        finding = find_page(scene.frame)
        if not finding.found:
            continue
        started = time.perf_counter()
        jpeg = encode_jpeg(rectify(scene.frame, finding.quad), max_bytes=400_000)
        times.append((time.perf_counter() - started) * 1000)
        sizes.append(len(jpeg.data))
    return {"rectify_encode_ms": round(statistics.mean(times), 1), "median_jpeg_bytes": int(statistics.median(sizes))}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=200)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--size", default="1280x960")
    args = parser.parse_args()
    size = tuple(int(v) for v in args.size.split("x"))
    pages, negatives = scenes(args.frames, args.seed, size)
    mine, base = measure(ours, pages, negatives), measure(naive_find, pages, negatives)
    print(json.dumps({
        "frames": len(pages), "negatives": len(negatives), "size": args.size, "seed": args.seed,
        "corner_tolerance_px": CORNER_PX, "ours": mine, "baseline_largest_contour": base,
        "detection_ratio": round(mine["detection_rate"] / base["detection_rate"], 2) if base["detection_rate"]
        else None,
        "time_ratio": round(mine["ms_per_frame"] / base["ms_per_frame"], 2),
        **pipeline_ms(pages),
    }))


if __name__ == "__main__":
    main()
