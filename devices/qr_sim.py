"""Simulated QR scanner and the DEMO 浙里办 platform that signs codes for it.

`SimQrScanner.show(text)` is what a resident holding up a phone would do: the code is rendered to pixels
(qrcode), placed in a camera-sized frame, optionally distorted, and pushed through a FrameSource into the same
CameraQrScanner decode path a real camera uses (zxing-cpp, retry, de-duplication). No shortcut: a frame that does
not decode is not scanned. Text too large for any QR code is passed through raw, as a keyboard-wedge or serial
scanner could deliver it.
"""
from __future__ import annotations

import json
import threading
import time
from collections import deque
from typing import Callable

import numpy as np
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from devices.base import DeviceError, Fault, Health, HealthState
from devices.qr import PREFIX, b64url_encode
from devices.qr_camera import CameraQrScanner
from devices.qr_dedupe import ScanDeduper
from devices.qr_frames import Frame, ImageListSource
from devices.qr_payloads import LICENCE_PREFIX
from devices.qr_render import Distortion, camera_frame

# DEMO ONLY. Private key of the simulated 浙里办 platform: it signs codes for tests and the demo kiosk and must
# never be trusted outside them. Its public half is devices.qr.DEMO_PUBLIC_KEY.
DEMO_PRIVATE_KEY = bytes.fromhex("8d60f3239abb76113ff6a0c9e238a583d4fbe029a9712338194db53b64934826")
DEMO_RESIDENT = {"name": "王海生", "id_number": "330902196803121232", "phone": "13000000000"}  # fictitious
DEMO_LICENCE = {"licence_type": "disability", "holder": DEMO_RESIDENT["name"],              # fictitious
                "holder_id": DEMO_RESIDENT["id_number"], "number": "33090219680312123241",
                "issuer": "舟山市定海区残疾人联合会", "valid_to": "2034-06-30"}


def _signed(prefix: str, claims: dict, private_key: bytes) -> str:
    body = b64url_encode(json.dumps(claims, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))
    signed = f"{prefix}.{body}"
    signature = Ed25519PrivateKey.from_private_bytes(private_key).sign(signed.encode("ascii"))
    return f"{signed}.{b64url_encode(signature)}"


def mint_code(name: str, id_number: str, phone: str, iat: int, exp: int,
              private_key: bytes = DEMO_PRIVATE_KEY) -> str:
    """A signed ZLB1 code as the (DEMO) platform would issue it."""
    claims = {"v": 1, "name": name, "id_number": id_number, "phone": phone, "iat": iat, "exp": exp}
    return _signed(PREFIX, claims, private_key)


def demo_code(now: float, lifetime: int = 300) -> str:
    return mint_code(**DEMO_RESIDENT, iat=int(now), exp=int(now) + lifetime)


def mint_licence(licence_type: str, holder: str, holder_id: str, number: str, issuer: str, valid_to: str,
                 iat: int, exp: int, private_key: bytes = DEMO_PRIVATE_KEY) -> str:
    """A signed ZLBL1 e-licence code (format in devices/qr_payloads.py) as the (DEMO) platform would issue it."""
    claims = {"v": 1, "type": licence_type, "holder": holder, "holder_id": holder_id, "number": number,
              "issuer": issuer, "valid_to": valid_to, "iat": iat, "exp": exp}
    return _signed(LICENCE_PREFIX, claims, private_key)


def demo_licence(now: float, lifetime: int = 300) -> str:
    return mint_licence(**DEMO_LICENCE, iat=int(now), exp=int(now) + lifetime)


class SimQrScanner:
    name = "qr-sim"

    def __init__(self, demo: bool = False, demo_delay: float = 0.5, camera: bool = True,
                 clock: Callable[[], float] = time.time, distortions: tuple[str | Distortion, ...] = (),
                 seed: int = 0):
        self.demo = demo                    # show a fresh demo resident's code when nothing else is shown
        self._demo_delay = demo_delay       # as long as holding up a phone takes
        self._camera = camera               # False: deliver texts as a wedge/serial scanner would
        self._clock = clock
        self._distortions = distortions     # qr_render.DISTORTIONS names (or functions) for every frame shown
        self._rng = np.random.default_rng(seed)
        self._frames = ImageListSource(then="idle")
        self._scanner = CameraQrScanner(self._frames, deduper=ScanDeduper())
        self._raw: deque[str] = deque()
        self._lock = threading.Lock()
        self._closed = False

    def show(self, code: str | bytes, distortions: tuple[str | Distortion, ...] | None = None,
             hold: int = 1) -> None:
        """Hold a code up to the camera for `hold` frames; each show is a new presentation (counts again)."""
        with self._lock:   # also guards the random generator: show() may run on any thread
            frames = self._frames_of(code, self._distortions if distortions is None else distortions, hold)
            self._scanner.deduper.forget()
            if frames:
                self._frames.push(*frames)
            else:
                self._raw.append(code if isinstance(code, str) else code.decode("latin-1"))

    def _frames_of(self, code: str | bytes, distortions: tuple[str | Distortion, ...], hold: int) -> list[Frame]:
        """Camera frames of the code; none with the camera off or beyond version 40 (no QR code can hold it)."""
        if not self._camera:
            return []
        first = camera_frame(code, self._rng, distortions=distortions)
        if first is None:
            return []
        return [first] + [camera_frame(code, self._rng, distortions=distortions) for _ in range(hold - 1)]

    def show_demo(self) -> None:
        self.show(demo_code(self._clock()))

    def scan(self, timeout: float) -> str:
        deadline = time.monotonic() + timeout
        demo_at = time.monotonic() + self._demo_delay
        while True:
            text = self._next(min(0.05, max(0.0, deadline - time.monotonic())))
            if text is not None:
                return text
            now = time.monotonic()
            if self.demo and now >= demo_at:
                self.show_demo()
                demo_at = now + self._demo_delay
            if now >= deadline:
                raise DeviceError(Fault.QR_TIMEOUT, "no code before timeout")

    def _next(self, wait: float) -> str | None:
        with self._lock:
            if self._closed:
                raise DeviceError(Fault.READER_ABSENT, "scanner closed")
            if self._raw:
                return self._raw.popleft()
        try:
            return self._scanner.scan(wait)
        except DeviceError as exc:
            if exc.reason is Fault.QR_TIMEOUT:
                return None
            raise

    def health(self) -> Health:
        return Health(HealthState.ABSENT, "closed") if self._closed else Health(HealthState.OK)

    def close(self) -> None:
        with self._lock:
            self._closed = True
            self._raw.clear()
        self._scanner.close()
