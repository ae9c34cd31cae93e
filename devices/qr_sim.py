"""Simulated QR scanner and the DEMO 浙里办 platform that signs codes for it.

`SimQrScanner.show(text)` is what a resident holding up a phone would do. The code is rendered to an image
with qrcode and read back with zxing-cpp, so the decode path the camera will use is exercised for real; text
too large for any QR code is passed through raw, as a keyboard-wedge scanner could deliver it.
"""
from __future__ import annotations

import json
import threading
import time
from typing import Callable

import qrcode
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from qrcode.exceptions import DataOverflowError

from devices.base import DeviceError, Fault, Health, HealthState
from devices.qr import PREFIX, b64url_encode, decode_image

# DEMO ONLY. Private key of the simulated 浙里办 platform: it signs codes for tests and the demo kiosk and must
# never be trusted outside them. Its public half is devices.qr.DEMO_PUBLIC_KEY.
DEMO_PRIVATE_KEY = bytes.fromhex("8d60f3239abb76113ff6a0c9e238a583d4fbe029a9712338194db53b64934826")
DEMO_RESIDENT = {"name": "王海生", "id_number": "330902196803121232", "phone": "13000000000"}  # fictitious


def mint_code(name: str, id_number: str, phone: str, iat: int, exp: int,
              private_key: bytes = DEMO_PRIVATE_KEY) -> str:
    """A signed ZLB1 code as the (DEMO) platform would issue it."""
    claims = {"v": 1, "name": name, "id_number": id_number, "phone": phone, "iat": iat, "exp": exp}
    body = b64url_encode(json.dumps(claims, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))
    signed = f"{PREFIX}.{body}"
    signature = Ed25519PrivateKey.from_private_bytes(private_key).sign(signed.encode("ascii"))
    return f"{signed}.{b64url_encode(signature)}"


def demo_code(now: float, lifetime: int = 300) -> str:
    return mint_code(**DEMO_RESIDENT, iat=int(now), exp=int(now) + lifetime)


def _through_camera(code: str | bytes) -> str | None:
    """Render the code as a camera would see it and decode it; None if zxing finds nothing."""
    qr = qrcode.QRCode(box_size=4, border=4)
    qr.add_data(code)
    try:
        qr.make(fit=True)
    except (DataOverflowError, ValueError):   # beyond version 40: no QR code can hold it
        return code if isinstance(code, str) else code.decode("latin-1")
    found = decode_image(qr.make_image().get_image().convert("L"))
    return found[0] if found else None


class SimQrScanner:
    name = "qr-sim"

    def __init__(self, demo: bool = False, demo_delay: float = 0.5, camera: bool = True,
                 clock: Callable[[], float] = time.time):
        self.demo = demo                 # show a fresh demo resident's code when nothing else is shown
        self._demo_delay = demo_delay    # as long as holding up a phone takes
        self._camera = camera
        self._clock = clock
        self._shown: list[str | bytes] = []
        self._cond = threading.Condition()
        self._closed = False

    def show(self, code: str | bytes) -> None:
        with self._cond:
            self._shown.append(code)
            self._cond.notify_all()

    def show_demo(self) -> None:
        self.show(demo_code(self._clock()))

    def scan(self, timeout: float) -> str:
        deadline = time.monotonic() + timeout
        demo_at = time.monotonic() + self._demo_delay
        while True:
            code = self._next_shown(min(deadline, demo_at) if self.demo else deadline)
            if code is not None:
                text = _through_camera(code) if self._camera else code
                if isinstance(text, str):
                    return text
            elif self.demo and time.monotonic() >= demo_at:
                return demo_code(self._clock())
            if time.monotonic() >= deadline:
                raise DeviceError(Fault.QR_TIMEOUT, "no code before timeout")

    def _next_shown(self, until: float) -> str | bytes | None:
        with self._cond:
            while not self._shown and not self._closed:
                remaining = until - time.monotonic()
                if remaining <= 0:
                    return None
                self._cond.wait(remaining)
            if self._closed:
                raise DeviceError(Fault.READER_ABSENT, "scanner closed")
            return self._shown.pop(0)

    def health(self) -> Health:
        return Health(HealthState.ABSENT, "closed") if self._closed else Health(HealthState.OK)

    def close(self) -> None:
        with self._cond:
            self._closed = True
            self._cond.notify_all()
