"""The camera scanner over real frames: decode path, de-duplication, end of stream, absent cameras, backends."""
import threading
import time

import cv2
import numpy as np
import pytest
import qrcode

from devices.base import DeviceError, Fault, HealthState, QrScanner
from devices.qr import decode_image
from devices.qr_camera import CameraQrScanner, barcode_text, decode_frame, enumerate_camera, open_camera
from devices.qr_dedupe import ScanDeduper
from devices.qr_frames import ImageListSource, VideoCaptureSource
from devices.qr_render import camera_frame, place, render_code, to_bgr
from devices.qr_sim import demo_code

pytestmark = pytest.mark.timeout(30)
RNG = np.random.default_rng(5)


def frame_of(text, **kwargs):
    return camera_frame(text, np.random.default_rng(len(text)), **kwargs)


def blank():
    return place(np.full((50, 50), 200, np.uint8), rng=np.random.default_rng(1))


def write_avi(path, frames, fps=10):
    height, width = frames[0].shape[:2]
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), fps, (width, height))
    for frame in frames:
        writer.write(frame)
    writer.release()
    return str(path)


class FakeClock:
    def __init__(self, now=100.0):
        self.now = now

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.now += seconds


# --- decode path -------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("text", ["ZLB1.abc.def", "舟山市定海区长岛便民服务站 户口簿", "zdb://progress?r=DH001-20261125-0007&id=x"])
def test_decode_frame_reads_camera_frames(text):
    assert decode_frame(frame_of(text)) == [text]
    assert decode_frame(cv2.cvtColor(frame_of(text), cv2.COLOR_BGR2GRAY)) == [text]
    assert decode_frame(cv2.cvtColor(frame_of(text), cv2.COLOR_BGR2BGRA)) == [text]


def test_decode_frame_finds_nothing_in_a_frame_without_a_code():
    assert decode_frame(blank()) == []


def test_the_retry_rescues_a_tiny_blurred_code():
    rng = np.random.default_rng(11)
    text = demo_code(1_795_600_000)
    frame = cv2.GaussianBlur(camera_frame(text, rng, module_px=1.3), (0, 0), 0.6)
    import zxingcpp
    assert not zxingcpp.read_barcodes(frame, formats=zxingcpp.BarcodeFormat.QRCode)   # one plain pass misses it
    assert decode_frame(frame) == [text]


def test_huge_frames_are_decoded_shrunk():
    text = demo_code(1_795_600_000)
    frame = camera_frame(text, np.random.default_rng(2), module_px=6, size=(2592, 1944))
    start = time.perf_counter()
    assert decode_frame(frame) == [text]
    assert time.perf_counter() - start < 1.0


def test_gbk_bytes_without_eci_come_out_as_chinese():
    qr = qrcode.QRCode(box_size=4, border=4)
    qr.add_data("残疾人证 舟山".encode("gbk"))
    qr.make(fit=True)
    assert decode_image(qr.make_image().get_image()) == ["残疾人证 舟山"]


def test_barcode_text_keeps_zxings_text_when_an_eci_names_the_charset():
    class Barcode:
        symbology_identifier = "]Q2"
        text = "Ünïcödé"
        bytes = "Ünïcödé".encode("utf-8")
    assert barcode_text(Barcode()) == "Ünïcödé"
    Barcode.symbology_identifier, Barcode.bytes = "]Q1", b"\x00\xff\xfe"
    assert barcode_text(Barcode()) == "Ünïcödé"      # neither UTF-8 nor GB18030: zxing's guess stands


def test_two_codes_in_one_frame():
    left, right = render_code("ZLB1.left", 4), render_code("ZLB1.right", 4)
    frame = to_bgr(np.hstack([left, np.full((left.shape[0], 40), 255, np.uint8), right]))
    assert sorted(decode_frame(frame)) == ["ZLB1.left", "ZLB1.right"]


# --- de-duplication ----------------------------------------------------------------------------------------------

def test_deduper_counts_a_held_code_once_and_again_after_it_left():
    clock = FakeClock()
    dedupe = ScanDeduper(window_s=2.0, clock=clock)
    assert dedupe.accept("A")
    for _ in range(10):                 # held up for 5 s: seen every 0.5 s, never counted again
        clock.sleep(0.5)
        assert not dedupe.accept("A")
    assert dedupe.accept("B")           # another code is new at once
    clock.sleep(2.1)                    # A out of sight long enough
    assert dedupe.accept("A")
    dedupe.forget()
    assert dedupe.accept("A")


def test_deduper_keeps_no_code_text():
    dedupe = ScanDeduper()
    dedupe.accept("ZLB1.王海生-secret")
    assert "王海生" not in repr(vars(dedupe)) and "secret" not in repr(vars(dedupe))


# --- the scanner -------------------------------------------------------------------------------------------------

def test_scanner_over_an_avi_returns_each_code_once(tmp_path):
    code = demo_code(time.time())
    frames = [blank(), blank()] + [frame_of(code)] * 4 + [blank()] + [frame_of("ZLB1.second")] * 2
    scanner = CameraQrScanner(VideoCaptureSource(write_avi(tmp_path / "phone.avi", frames)))
    assert isinstance(scanner, QrScanner)
    assert scanner.scan(5.0) == code
    assert scanner.scan(5.0) == "ZLB1.second"             # the other three frames of the same phone count once
    with pytest.raises(DeviceError) as info:              # the recording ends mid-scan: absent, not a timeout
        scanner.scan(5.0)
    assert info.value.reason is Fault.READER_ABSENT and info.value.detail == "stream ended"
    assert scanner.health().state is HealthState.ABSENT


def test_scanner_over_an_image_sequence(tmp_path):
    for i, frame in enumerate([blank(), frame_of("ZLB1.seq")]):
        cv2.imwrite(str(tmp_path / f"img{i:03d}.png"), frame)
    assert CameraQrScanner(VideoCaptureSource(str(tmp_path / "img%03d.png"))).scan(5.0) == "ZLB1.seq"


def test_scan_times_out_on_an_idle_camera_within_its_timeout():
    scanner = CameraQrScanner(ImageListSource([blank()] * 3))
    start = time.monotonic()
    with pytest.raises(DeviceError) as info:
        scanner.scan(0.3)
    assert info.value.reason is Fault.QR_TIMEOUT and 0.29 < time.monotonic() - start < 0.6


def test_scan_is_bounded_by_a_fake_clock_without_real_waiting():
    clock = FakeClock()
    scanner = CameraQrScanner(ImageListSource(), clock=clock, sleep=clock.sleep)
    with pytest.raises(DeviceError):
        scanner.scan(30.0)
    assert 130.0 <= clock.now < 130.1


def test_frame_rate_cap_spaces_out_decodes():
    clock = FakeClock()
    scanner = CameraQrScanner(ImageListSource([blank()] * 5), max_fps=10, clock=clock, sleep=clock.sleep,
                              decode=lambda frame: [])
    with pytest.raises(DeviceError):
        scanner.scan(0.45)
    assert clock.now == pytest.approx(100.45)


def test_code_arriving_while_scanning():
    source = ImageListSource()
    scanner = CameraQrScanner(source)
    threading.Timer(0.2, source.push, args=(frame_of("ZLB1.later"),)).start()
    start = time.monotonic()
    assert scanner.scan(3.0) == "ZLB1.later" and time.monotonic() - start >= 0.15


def test_absent_camera_scan_fails_fast_and_health_says_absent():
    scanner = CameraQrScanner(VideoCaptureSource("/dev/video47"))
    assert scanner.health().state is HealthState.ABSENT
    start = time.monotonic()
    with pytest.raises(DeviceError) as info:
        scanner.scan(10.0)
    assert info.value.reason is Fault.READER_ABSENT and time.monotonic() - start < 0.5


def test_closed_scanner_is_absent():
    scanner = CameraQrScanner(ImageListSource([frame_of("ZLB1.x")]))
    scanner.close()
    assert scanner.health().state is HealthState.ABSENT
    with pytest.raises(DeviceError) as info:
        scanner.scan(1.0)
    assert info.value.reason is Fault.READER_ABSENT


# --- backend -----------------------------------------------------------------------------------------------------

def test_enumerate_and_open_a_recorded_camera(tmp_path):
    path = write_avi(tmp_path / "cam.avi", [blank(), frame_of("ZLB1.backend")])
    config = {"qr_camera": path, "qr_dedupe_s": 2.0}
    [info] = enumerate_camera(config)
    assert (info.family, info.backend, info.path) == ("qr", "camera", path)
    scanner = open_camera(info, config)
    try:
        assert scanner.scan(5.0) == "ZLB1.backend"
    finally:
        scanner.close()


@pytest.mark.parametrize("camera", ["47", "/dev/video47", "/nonexistent.avi"])
def test_a_camera_that_does_not_open_is_not_listed(camera, tmp_path):
    start = time.monotonic()
    assert enumerate_camera({"qr_camera": camera}) == []
    assert time.monotonic() - start < 0.5


def test_a_file_that_does_not_open_is_not_listed(tmp_path):
    junk = tmp_path / "junk.avi"
    junk.write_bytes(b"\x00" * 1000)
    assert enumerate_camera({"qr_camera": str(junk)}) == []


def test_enumerate_works_with_the_kiosk_config_before_the_settings_are_merged():
    from kiosk.config import Config
    assert isinstance(enumerate_camera(Config()), list)
