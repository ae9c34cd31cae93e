"""QR decode benchmark: our camera decode path against raw zxing-cpp and raw pyzbar, on the same frames.

    python bench/qr_bench.py [--seed N] [--per-kind N]

Prints ONE JSON object. A seeded set of camera-like frames (640x480 unless said otherwise) is generated per
distortion kind; a decode counts only if it returns exactly the payload (wrong text = miss). "none" frames hold
no code: they measure false positives and what a frame without a code costs, which is most frames of a live
camera. Timings are per frame, in ms, measured in the same run for all decoders.
"""
from __future__ import annotations

import argparse
import json
import statistics
import string
import sys
import time
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Callable, Iterable, Iterator

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from devices.qr_camera import decode_frame  # noqa: E402
from devices.qr_render import (DISTORTIONS, blur, camera_frame, low_contrast, noise, perspective, place,  # noqa: E402
                               render_code, to_bgr)

_B64 = string.ascii_letters + string.digits + "-_"
_HANZI = "舟山定海普陀岱山嵊泗户口簿结婚证残疾人证营业执照浙里办便民服务站社保医保申请受理回执办件进度查询" \
         "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁"


@dataclass(frozen=True)
class Sample:
    kind: str
    payload: str | None       # None: the frame holds no code
    frame: np.ndarray


def _ascii_payload(rng: np.random.Generator) -> str:
    """Shaped like our codes: a signed identity/e-licence code (~250-400 chars) or a progress code."""
    if rng.random() < 0.25:
        return f"zdb://progress?r=DH001-2026{rng.integers(1000, 1300)}-{rng.integers(1, 9999):04d}&id=" \
               f"{rng.bytes(16).hex()[:8]}-0000-7000-8000-{rng.bytes(6).hex()}"
    body = "".join(rng.choice(list(_B64), int(rng.integers(150, 300))))
    sig = "".join(rng.choice(list(_B64), 86))
    return f"{rng.choice(['ZLB1', 'ZLBL1'])}.{body}.{sig}"


def _chinese_payload(rng: np.random.Generator) -> str:
    return "".join(rng.choice(list(_HANZI), int(rng.integers(6, 60)))) + f" {rng.integers(0, 10**6)}"


# harder than qr_render's defaults: the interesting frames are the ones near the limit of what decodes
_HARD = DISTORTIONS | {
    "blur": partial(blur, sigma=(1.2, 2.8)),
    "noise": partial(noise, sigma=(30, 75)),
    "low_contrast": partial(low_contrast, spread=(20, 60)),
    "perspective": partial(perspective, amount=0.3),
    "mild_blur": partial(blur, sigma=(0.6, 1.2)),
    "mild_noise": partial(noise, sigma=(10, 30)),
    "mild_perspective": partial(perspective, amount=0.12),
}


def _sample(kind: str, rng: np.random.Generator) -> Sample:
    payload = _chinese_payload(rng) if kind == "chinese" else _ascii_payload(rng)
    module = float(rng.uniform(2.5, 5))
    if kind == "none":
        blocks = np.kron(rng.integers(0, 2, (40, 40), dtype=np.uint8) * 255, np.ones((4, 4), np.uint8))
        return Sample(kind, None, _HARD["mild_noise"](place(blocks, rng=rng), rng))   # busy, but no code
    if kind == "small":        # 1-2 px per module: a phone held far away
        frame = camera_frame(payload, rng, module_px=float(rng.uniform(1.0, 2.0)), table=_HARD)
    elif kind == "large_frame":  # a 5 MP camera frame
        frame = camera_frame(payload, rng, module_px=float(rng.uniform(3, 9)), size=(2592, 1944), table=_HARD)
    elif kind == "clean":
        frame = camera_frame(payload, rng, module_px=module, table=_HARD)
    elif kind == "chinese":
        frame = camera_frame(payload, rng, module_px=module, distortions=("mild_noise",), table=_HARD)
    elif kind == "camera":     # what a cheap webcam really delivers: several mild faults at once
        frame = camera_frame(payload, rng, module_px=float(rng.uniform(2.5, 4.5)), table=_HARD,
                             distortions=("rotation", "mild_perspective", "mild_blur", "mild_noise"))
    else:
        frame = camera_frame(payload, rng, module_px=module, distortions=(kind,), table=_HARD)
    return Sample(kind, payload, frame)


KINDS = ("clean", "blur", "noise", "rotation", "perspective", "small", "low_contrast", "chinese", "camera",
         "large_frame", "none")


def samples(seed: int, per_kind: int) -> Iterator[Sample]:
    """Made one at a time: 40 five-megapixel frames held at once would take ~600 MB."""
    rng = np.random.default_rng(seed)
    for kind in KINDS:
        for _ in range(per_kind):
            yield _sample(kind, rng)


# --- decoders under test --------------------------------------------------------------------------------------

def raw_zxing(frame: np.ndarray) -> list[str]:
    import zxingcpp
    return [r.text for r in zxingcpp.read_barcodes(frame, formats=zxingcpp.BarcodeFormat.QRCode)]


def raw_pyzbar(frame: np.ndarray) -> list[str]:
    from pyzbar import pyzbar
    gray = frame if frame.ndim == 2 else frame[:, :, 1]   # pyzbar wants one channel; green is closest to luma
    return [r.data.decode("utf-8", "replace") for r in pyzbar.decode(gray, symbols=[pyzbar.ZBarSymbol.QRCODE])]


DECODERS: dict[str, Callable[[np.ndarray], list[str]]] = {"ours": decode_frame, "zxing": raw_zxing,
                                                           "pyzbar": raw_pyzbar}


@dataclass(frozen=True)
class Outcome:
    correct: bool          # the exact payload was among the texts
    false_positive: bool   # a frame without a code gave a text
    ms: float


def _measure(sample: Sample, index: int) -> dict[str, Outcome]:
    names = list(DECODERS)
    names = names[index % len(names):] + names[:index % len(names)]   # take turns going first (warm caches)
    out = {}
    for name in names:
        start = time.perf_counter()
        texts = DECODERS[name](sample.frame)
        ms = (time.perf_counter() - start) * 1000
        out[name] = Outcome(sample.payload in texts, sample.payload is None and bool(texts), ms)
    return out


def _stats(rows: list[tuple[bool, Outcome]]) -> dict:
    """rows: (frame holds a code, outcome)."""
    ms = sorted(o.ms for _, o in rows)
    with_code = sum(has for has, _ in rows)
    decoded = sum(o.correct for _, o in rows)
    return {"decoded": decoded, "rate": round(decoded / with_code, 3) if with_code else None,
            "false_positives": sum(o.false_positive for _, o in rows),
            "median_ms": round(statistics.median(ms), 2), "p95_ms": round(ms[int(0.95 * (len(ms) - 1))], 2)}


def _ratio(a: float, b: float) -> float | None:
    return round(a / b, 2) if b else None


def report(frames: Iterable[Sample]) -> dict:
    for decode in DECODERS.values():   # warm up imports and zxing/zbar internals outside the timings
        decode(to_bgr(render_code("warm-up")))
    rows = [(sample.kind, sample.payload is not None, _measure(sample, index))
            for index, sample in enumerate(frames)]

    def stats(name: str, kind: str | None = None) -> dict:
        return _stats([(has, outcome[name]) for k, has, outcome in rows if kind in (None, k)])

    overall = {name: stats(name) for name in DECODERS}
    return {
        "frames": len(rows), "frames_with_code": sum(has for _, has, _ in rows),
        "overall": overall,
        "ratios": {
            "ours_vs_pyzbar_rate": _ratio(overall["ours"]["rate"], overall["pyzbar"]["rate"]),
            "ours_vs_zxing_rate": _ratio(overall["ours"]["rate"], overall["zxing"]["rate"]),
            "pyzbar_vs_ours_median_ms": _ratio(overall["pyzbar"]["median_ms"], overall["ours"]["median_ms"]),
            "zxing_vs_ours_median_ms": _ratio(overall["zxing"]["median_ms"], overall["ours"]["median_ms"]),
        },
        # frames pyzbar got right and our path missed: the case for a pyzbar fallback
        "pyzbar_rescues": sum(o["pyzbar"].correct and not o["ours"].correct for _, _, o in rows),
        "ours_misses_zxing_got": sum(o["zxing"].correct and not o["ours"].correct for _, _, o in rows),
        "by_kind": {kind: {name: stats(name, kind) for name in DECODERS} for kind in KINDS},
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=20260501)
    parser.add_argument("--per-kind", type=int, default=40)
    args = parser.parse_args(argv)
    start = time.perf_counter()
    result = report(samples(args.seed, args.per_kind))
    result["seed"] = args.seed
    result["seconds"] = round(time.perf_counter() - start, 1)
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
