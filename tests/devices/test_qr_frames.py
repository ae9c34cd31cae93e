"""Frame sources over real files: an MJPG .avi written with cv2.VideoWriter and a PNG image sequence."""
import threading
import time

import cv2
import numpy as np
import pytest

from devices.base import DeviceError, Fault, HealthState
from devices.qr_frames import (FrameSource, ImageListSource, LatestFrameSource, VideoCaptureSource, is_live,
                               parse_target, target_present)

pytestmark = pytest.mark.timeout(20)


def gray_frames(n, size=(320, 240)):
    return [np.full((size[1], size[0], 3), 20 + 40 * i, np.uint8) for i in range(n)]


def index(frame):
    """Which of gray_frames() this is (MJPG shifts the gray level a little)."""
    return round((float(frame.mean()) - 20) / 40)


def write_avi(path, frames, fps=10):
    height, width = frames[0].shape[:2]
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), fps, (width, height))
    assert writer.isOpened()
    for frame in frames:
        writer.write(frame)
    writer.release()
    return path


def absent(call):
    with pytest.raises(DeviceError) as info:
        call()
    assert info.value.reason is Fault.READER_ABSENT
    return info.value.detail


def test_avi_file_gives_every_frame_then_ends(tmp_path):
    source = VideoCaptureSource(str(write_avi(tmp_path / "clip.avi", gray_frames(5))))
    assert isinstance(source, FrameSource) and not is_live(source.target)
    frames = [source.read() for _ in range(5)]
    assert [f.shape for f in frames] == [(240, 320, 3)] * 5
    assert [index(f) for f in frames] == [0, 1, 2, 3, 4]      # in order, none dropped
    assert absent(source.read) == "stream ended"
    source.close()


def test_recording_that_loops_starts_again(tmp_path):
    source = VideoCaptureSource(str(write_avi(tmp_path / "clip.avi", gray_frames(2))), loop=True)
    assert [index(source.read()) for _ in range(5)] == [0, 1, 0, 1, 0]


def test_image_sequence_on_disk(tmp_path):
    for i, frame in enumerate(gray_frames(3)):
        cv2.imwrite(str(tmp_path / f"f{i:04d}.png"), frame)
    pattern = str(tmp_path / "f%04d.png")
    assert target_present(pattern)
    source = VideoCaptureSource(pattern)
    assert [int(source.read().mean()) for _ in range(3)] == [20, 60, 100]
    assert absent(source.read) == "stream ended"


@pytest.mark.parametrize("target", [47, "47", "/dev/video47", "/nonexistent/clip.avi", "/nonexistent/f%04d.png"])
def test_absent_camera_is_reported_quickly(target):
    source = VideoCaptureSource(target)
    start = time.monotonic()
    absent(source.read)
    assert time.monotonic() - start < 0.5
    assert source.health().state is HealthState.ABSENT
    assert not source.probe()


def test_file_that_is_not_a_video_does_not_open(tmp_path):
    junk = tmp_path / "junk.avi"
    junk.write_bytes(b"not a video at all" * 100)
    assert absent(VideoCaptureSource(str(junk)).read) in ("camera does not open", "stream ended")


def test_parse_target():
    assert parse_target("0") == 0 and parse_target(" 2 ") == 2 and parse_target(3) == 3
    assert parse_target("/dev/video0") == "/dev/video0" and is_live("/dev/video0") and is_live(0)
    assert not is_live("clip.avi")


class FlakyCapture:
    """A cv2.VideoCapture stand-in: frames, then failed grabs (a camera pulled out)."""

    def __init__(self, good, *args):
        self.good = good
        self.released = False

    def isOpened(self):
        return True

    def read(self):
        if self.good:
            self.good -= 1
            return True, np.zeros((4, 4, 3), np.uint8)
        return False, None

    def set(self, *args):
        return True

    def release(self):
        self.released = True


def test_unplugged_camera_reads_absent_after_a_few_failed_grabs(monkeypatch):
    monkeypatch.setattr("devices.qr_frames.target_present", lambda target: True)
    captures = []
    source = VideoCaptureSource(0, max_failures=3,
                                open_capture=lambda *a: captures.append(FlakyCapture(2)) or captures[-1])
    assert source.read() is not None and source.read() is not None
    assert source.read() is None and source.read() is None        # the odd dropped frame is tolerated
    assert absent(source.read) == "camera stopped delivering frames"
    assert captures[0].released
    assert source.read() is not None and len(captures) == 2        # re-plugged: opened again


# --- in memory ---------------------------------------------------------------------------------------------------

def test_image_list_source_idle_end_and_close():
    idle = ImageListSource(gray_frames(1))
    assert idle.read() is not None and idle.read() is None
    idle.push(*gray_frames(2))
    assert idle.read() is not None and idle.read() is not None and idle.read() is None
    idle.close()
    assert absent(idle.read) == "source closed" and idle.health().state is HealthState.ABSENT
    ended = ImageListSource(gray_frames(1), then="end")
    assert ended.read() is not None
    assert absent(ended.read) == "stream ended"
    with pytest.raises(ValueError):
        ImageListSource(then="loop")


# --- live cameras on a thread ------------------------------------------------------------------------------------

class Counter:
    """Delivers numbered frames at `fps`, or blocks forever in read() once `hang` is set."""

    def __init__(self, fps=100, fail_after=None):
        self.n = 0
        self.fps = fps
        self.fail_after = fail_after
        self.hang = threading.Event()
        self.release = threading.Event()
        self.closed = 0

    def read(self):
        if self.hang.is_set():
            self.release.wait()
        time.sleep(1 / self.fps)
        if self.fail_after is not None and self.n >= self.fail_after:
            raise DeviceError(Fault.READER_ABSENT, "camera stopped delivering frames")
        self.n += 1
        return np.full((2, 2), self.n % 256, np.uint8)

    def close(self):
        self.closed += 1


def wait_frame(source, timeout=2.0):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        frame = source.read()
        if frame is not None:
            return frame
        time.sleep(0.005)
    raise AssertionError("no frame")


def test_latest_frame_source_serves_only_new_frames():
    inner = Counter(fps=50)
    source = LatestFrameSource(inner)
    first = wait_frame(source)
    assert source.read() is None or source.read() is None       # the same frame is never handed out twice
    time.sleep(0.2)
    newest = wait_frame(source)
    assert newest[0, 0] > first[0, 0] + 3                       # frames in between were skipped, not queued
    source.close()
    assert inner.closed == 1
    assert absent(source.read) == "source closed"


def test_latest_frame_source_reports_unplug_then_starts_over():
    inner = Counter(fail_after=3)
    source = LatestFrameSource(inner)
    wait_frame(source)
    deadline = time.monotonic() + 2
    with pytest.raises(DeviceError) as info:
        while time.monotonic() < deadline:
            source.read()
            time.sleep(0.01)
    assert info.value.reason is Fault.READER_ABSENT
    inner.fail_after = None                                      # plugged back in
    assert wait_frame(source) is not None
    source.close()


def test_stuck_driver_is_reported_as_stalled_not_waited_for():
    inner = Counter()
    source = LatestFrameSource(inner, stall_s=0.3)
    wait_frame(source)
    inner.hang.set()
    start = time.monotonic()
    with pytest.raises(DeviceError) as info:
        while time.monotonic() - start < 3:
            source.read()
            time.sleep(0.01)
    assert info.value.detail == "camera stalled" and time.monotonic() - start < 1.0
    assert source.health().state is HealthState.ABSENT
    inner.release.set()
    source.close()


def test_idle_camera_is_released_and_reopened_on_demand():
    inner = Counter()
    source = LatestFrameSource(inner, idle_s=0.1)
    wait_frame(source)
    time.sleep(0.4)                                   # nobody reads: the grabber stops and releases the camera
    assert inner.closed == 1
    assert wait_frame(source) is not None
    source.close()
