"""Settings of the QR scanner backends, declared as data like kiosk/config.py's, with a safe accessor.

Until these are merged into kiosk.config.SETTINGS, `setting(config, key)` falls back to the defaults here, so the
backends work with any Config.
"""
from __future__ import annotations

from typing import Any

from devices.qr_dedupe import DEFAULT_WINDOW_S
from kiosk.config import Setting

QR_BACKENDS = ("sim", "camera", "wedge", "serial")

QR_SETTINGS: tuple[Setting, ...] = (
    Setting("qr_camera", str, "0", "Camera backend: camera index ('0'), device path ('/dev/video0'), video file, "
                                   "or image-sequence pattern ('frames/%04d.png')"),
    Setting("qr_camera_width", int, 1280, "Requested camera frame width in pixels (0: the camera's default)"),
    Setting("qr_camera_height", int, 720, "Requested camera frame height in pixels (0: the camera's default)"),
    Setting("qr_camera_max_fps", float, 15.0, "Most camera frames decoded per second while scanning (CPU cap)"),
    Setting("qr_serial_port", str, "", "Serial port of a fixed-mount QR scanner, e.g. /dev/ttyACM0 (serial backend)"),
    Setting("qr_serial_baud", int, 9600, "Baud rate of the serial QR scanner (USB-CDC scanners ignore it)"),
    Setting("qr_wedge_max_gap_ms", float, 50.0, "Keyboard-wedge scanner: longest pause between keys of one code"),
    Setting("qr_wedge_min_length", int, 8, "Keyboard-wedge scanner: shortest burst taken as a code"),
    Setting("qr_dedupe_s", float, DEFAULT_WINDOW_S, "Seconds a code must be out of sight before it counts again"),
)
_DEFAULTS = {s.key: s.default for s in QR_SETTINGS}


def setting(config: Any, key: str) -> Any:
    """config[key], or the default declared here if the kiosk's Config does not know the key yet."""
    try:
        return config[key]
    except KeyError:
        return _DEFAULTS[key]
