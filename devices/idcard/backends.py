"""Backend functions for the device manager's "idcard" family (serial hardware), and the photo decoder setup.

enumerate_serial is quick (no I/O on the ports): the configured `idcard_port` if it is there, or with an empty /
"auto" port the USB-serial bridges that ID readers are built on. Several such bridges (a receipt printer on a
CH340 too) cannot be told apart without talking to them, so a kiosk with more than one should name its port.
"""
from __future__ import annotations

import os
import re
from typing import Any, Callable, Iterable

from serial.tools import list_ports

from devices.idcard.reader import SerialIdCardReader
from devices.idcard.wlt import WltDecoder
from devices.manager import DeviceInfo

# USB-serial bridge chips inside SAM-module readers (神思, 华视, 新中新 and others): (VID, PID) -> chip
READER_BRIDGES: dict[tuple[int, int], str] = {
    (0x1A86, 0x7523): "CH340",
    (0x1A86, 0x5523): "CH341",
    (0x1A86, 0x55D4): "CH9102",
    (0x10C4, 0xEA60): "CP210x",
    (0x067B, 0x2303): "PL2303",
    (0x067B, 0x23A3): "PL2303GC",
    (0x0403, 0x6001): "FT232R",
}
AUTO = ("", "auto")
_WINDOWS_PORT = re.compile(r"COM\d+", re.IGNORECASE)


def setting(config: Any, key: str, default: Any) -> Any:
    """A setting that may not be declared yet in kiosk/config.py (the default stands in until it is)."""
    try:
        return config[key]
    except KeyError:
        return default


def enumerate_serial(config: Any, comports: Callable[[], Iterable[Any]] = list_ports.comports) -> list[DeviceInfo]:
    port = str(setting(config, "idcard_port", "")).strip()
    if port.lower() not in AUTO:
        return [DeviceInfo("idcard", "serial", port, "ID card reader")] if _port_present(port, comports) else []
    taken = _ports_of_other_devices(config)
    found = []
    for info in comports():
        chip = READER_BRIDGES.get((info.vid, info.pid)) if info.vid is not None else None
        if chip and info.device not in taken:
            found.append(DeviceInfo("idcard", "serial", info.device,
                                    f"ID card reader? {chip} ({info.vid:04X}:{info.pid:04X})"))
    return sorted(found, key=lambda d: d.path)


def open_serial(info: DeviceInfo, config: Any) -> SerialIdCardReader:
    return SerialIdCardReader(info.path)


def decoder_from_config(config: Any) -> WltDecoder:
    """The photo decoder the settings ask for; without a library it decodes nothing and says why."""
    return WltDecoder(library=str(setting(config, "idcard_wlt_library", "")),
                      function=str(setting(config, "idcard_wlt_function", "unpack")),
                      code=int(setting(config, "idcard_wlt_code", 0)))


def _port_present(port: str, comports: Callable[[], Iterable[Any]]) -> bool:
    if "://" in port:                      # a pyserial URL (socket://, rfc2217://): only opening it can tell
        return True
    if _WINDOWS_PORT.fullmatch(port):
        return any(info.device.upper() == port.upper() for info in comports())
    return os.path.exists(port)


def _ports_of_other_devices(config: Any) -> set[str]:
    """Ports other settings give to other devices (e.g. a printer_port), so auto mode never claims them."""
    values = config.as_dict() if hasattr(config, "as_dict") else {}
    return {str(v) for k, v in values.items() if k.endswith("_port") and k != "idcard_port" and v}
