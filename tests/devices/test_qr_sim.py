"""The simulated scanner renders what it is shown and reads it back through the camera decode path."""
import threading
import time
from functools import partial

import numpy as np
import pytest

from devices.base import DeviceError, Fault, HealthState
from devices.qr_payloads import ELicenceCode, classify
from devices.qr_render import blur
from devices.qr_sim import SimQrScanner, demo_code, demo_licence

pytestmark = pytest.mark.timeout(30)


def timed_out(scanner, timeout=0.3):
    with pytest.raises(DeviceError) as info:
        scanner.scan(timeout)
    return info.value.reason is Fault.QR_TIMEOUT


@pytest.mark.parametrize("distortions", [(), ("blur",), ("noise",), ("rotation",), ("perspective",),
                                         ("low_contrast",), ("rotation", "noise")])
def test_distorted_frames_still_scan(distortions):
    scanner = SimQrScanner(seed=3)
    code = demo_code(time.time())
    scanner.show(code, distortions=distortions)
    assert scanner.scan(3.0) == code


def test_a_frame_that_does_not_decode_is_not_scanned():
    scanner = SimQrScanner(distortions=(partial(blur, sigma=(8.0, 8.0)),))   # far out of focus
    scanner.show(demo_code(time.time()))
    assert timed_out(scanner)


def test_the_frames_go_through_the_camera_decoder(monkeypatch):
    import devices.qr_camera as qr_camera
    seen = []
    real = qr_camera._zxing
    monkeypatch.setattr(qr_camera, "_zxing", lambda gray: seen.append(gray.shape) or real(gray))
    scanner = SimQrScanner()
    scanner.show("ZLB1.through-pixels")
    assert scanner.scan(2.0) == "ZLB1.through-pixels"
    assert seen and seen[0] == (480, 640)        # a camera-sized grayscale frame, not a shortcut


def test_a_held_code_counts_once_but_a_new_showing_counts_again():
    scanner = SimQrScanner()
    code = demo_code(time.time())
    scanner.show(code, hold=4)
    assert scanner.scan(2.0) == code
    assert timed_out(scanner)                     # the other three frames are the same presentation
    scanner.show(code)
    assert scanner.scan(2.0) == code


def test_e_licence_and_chinese_text_through_the_camera():
    scanner = SimQrScanner()
    scanner.show(demo_licence(time.time()))
    assert isinstance(classify(scanner.scan(2.0)), ELicenceCode)
    scanner.show("舟山市定海区长岛便民服务站")
    assert scanner.scan(2.0) == "舟山市定海区长岛便民服务站"


def test_too_big_for_a_qr_code_is_passed_raw():
    scanner = SimQrScanner()
    scanner.show("A" * 10_000)
    assert scanner.scan(1.0) == "A" * 10_000


def test_camera_off_passes_text_raw():
    scanner = SimQrScanner(camera=False)
    scanner.show("\x00raw")
    assert scanner.scan(1.0) == "\x00raw"


def test_demo_mode_shows_a_code_through_the_camera():
    scanner = SimQrScanner(demo=True, demo_delay=0.05)
    assert scanner.scan(3.0).startswith("ZLB1.")


def test_close_while_scanning_reports_absent():
    scanner = SimQrScanner()
    threading.Timer(0.2, scanner.close).start()
    with pytest.raises(DeviceError) as info:
        scanner.scan(3.0)
    assert info.value.reason is Fault.READER_ABSENT and scanner.health().state is HealthState.ABSENT


def test_seeded_distortions_are_reproducible():
    a, b = SimQrScanner(seed=9), SimQrScanner(seed=9)
    frames = [s._frames_of("ZLB1.x", ("noise", "rotation"), 1)[0] for s in (a, b)]
    assert np.array_equal(*frames)
