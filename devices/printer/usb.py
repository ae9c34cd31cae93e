"""USB receipt printers: found by reading sysfs (no package needed), driven through the kernel's usblp node
(/dev/usb/lpN) when the kernel bound one, else through pyusb if it is installed.

pyusb is python-escpos's optional `usb` extra and is not installed in this venv: without it, printers that
usblp does not take (vendor-specific interface class 0xFF, common on Chinese POS printers) are found but not
opened (PRINTER_ABSENT, "pyusb not installed"). The printer is looked up again at every open, so a printer
moved to another USB port or replugged is simply found again.
"""
from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from devices.printer.transports import CHUNK, CharDeviceTransport

SYSFS_USB = Path("/sys/bus/usb/devices")
USBLP_DIR = Path("/dev/usb")            # where udev puts usblp's lpN nodes
PRINTER_CLASS, VENDOR_CLASS = 0x07, 0xFF
# Makers of ESC/POS printers whose models use a vendor-class interface; the printer class (07) is found anyway.
POS_VENDORS = {0x04B8: "Epson", 0x0519: "Star", 0x1D90: "Citizen", 0x1504: "Bixolon", 0x0DD4: "Custom"}


@dataclass(frozen=True)
class UsbPrinter:
    sysname: str            # sysfs name, i.e. the port it is plugged into ("1-1.2")
    vendor: int
    product: int
    bus: int
    address: int
    lp: str = ""            # /dev/usb/lpN when usblp is bound
    label: str = ""

    @property
    def usb_id(self) -> str:
        return f"{self.vendor:04x}:{self.product:04x}"


def parse_usb_id(text: str) -> tuple[int, int | None]:
    """"04b8:0e15" (as lsusb shows it) or just the vendor "04b8"."""
    vendor, _, product = text.strip().partition(":")
    try:
        return int(vendor, 16), int(product, 16) if product else None
    except ValueError:
        raise ValueError(f"USB id must look like 04b8:0e15, not {text!r}") from None


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace").strip()
    except OSError:
        return ""


def _hex(path: Path) -> int:
    try:
        return int(_read(path), 16)
    except ValueError:
        return -1


def _interfaces(device: Path) -> list[Path]:
    return sorted(device.glob(f"{device.name}:*"))


def _lp_node(interface: Path, dev: Path) -> str:
    misc = interface / "usbmisc"
    nodes = sorted(p.name for p in misc.iterdir()) if misc.is_dir() else []
    return str(dev / nodes[0]) if nodes else ""


def _is_printer(vendor: int, classes: set[int], wanted: tuple[int, int | None] | None, product: int) -> bool:
    if wanted is not None:
        return vendor == wanted[0] and wanted[1] in (None, product)
    return PRINTER_CLASS in classes or (vendor in POS_VENDORS and VENDOR_CLASS in classes)


def scan_usb_printers(usb_id: str = "", root: Path = SYSFS_USB, dev: Path = USBLP_DIR) -> list[UsbPrinter]:
    """Printers plugged in now: `usb_id` if given, else printer-class devices and known POS makers' devices."""
    if not root.is_dir():
        return []
    wanted = parse_usb_id(usb_id) if usb_id else None
    found = []
    for device in sorted(root.iterdir()):
        if ":" in device.name or not (device / "idVendor").exists():
            continue
        vendor, product = _hex(device / "idVendor"), _hex(device / "idProduct")
        interfaces = _interfaces(device)
        classes = {_hex(i / "bInterfaceClass") for i in interfaces}
        if not _is_printer(vendor, classes, wanted, product):
            continue
        lp = next((node for node in (_lp_node(i, dev) for i in interfaces) if node), "")
        name = " ".join(filter(None, (_read(device / "manufacturer"), _read(device / "product"))))
        found.append(UsbPrinter(device.name, vendor, product, int(_read(device / "busnum") or 0),
                                int(_read(device / "devnum") or 0), lp, f"{name} ({vendor:04x}:{product:04x})"))
    return found


def pyusb_available() -> bool:
    return importlib.util.find_spec("usb") is not None


class PyusbTransport:
    """Bulk endpoints of the printer's interface, claimed from the kernel (usblp is detached if bound)."""
    name = "pyusb"
    can_read = True

    def __init__(self, printer: UsbPrinter, timeout: float = 2.0):
        self.printer, self.timeout = printer, timeout
        self._dev: Any = None
        self._interface = 0
        self._out: Any = None
        self._in: Any = None
        self._pending = b""

    def is_usable(self) -> bool:
        return pyusb_available()

    def open(self, job: str = "") -> None:
        self.close()
        core, util = _pyusb()
        try:
            dev = core.find(idVendor=self.printer.vendor, idProduct=self.printer.product,
                            custom_match=lambda d: (d.bus, d.address) == (self.printer.bus, self.printer.address))
        except ValueError as exc:           # usb.core.NoBackendError: libusb missing
            raise FileNotFoundError(f"libusb backend: {exc}") from None
        if dev is None:
            raise FileNotFoundError("USB printer gone")
        self._claim(dev, util)

    def _claim(self, dev: Any, util: Any) -> None:
        try:
            config = dev.get_active_configuration()
        except OSError:                     # not configured yet
            dev.set_configuration()
            config = dev.get_active_configuration()
        interface = next((i for i in config if _bulk(i, util, out=True)), None)
        if interface is None:
            raise OSError("no bulk OUT endpoint")
        number = interface.bInterfaceNumber
        try:
            if dev.is_kernel_driver_active(number):
                dev.detach_kernel_driver(number)
        except NotImplementedError:         # backends without kernel drivers
            pass
        util.claim_interface(dev, number)
        self._dev, self._interface = dev, number
        self._out, self._in = _bulk(interface, util, out=True), _bulk(interface, util, out=False)

    def write(self, data: bytes) -> None:
        if self._out is None:
            raise OSError("USB printer not open")
        for start in range(0, len(data), CHUNK):
            chunk = data[start:start + CHUNK]
            if self._out.write(chunk, timeout=_ms(self.timeout)) != len(chunk):
                raise TimeoutError("USB write stalled")

    def read(self, size: int, timeout: float) -> bytes:
        if self._in is None:
            raise OSError("USB printer has no IN endpoint: turn printer_status_query off")
        if not self._pending:
            core, _ = _pyusb()
            try:     # whole packets: reading less than wMaxPacketSize overflows in libusb
                self._pending = bytes(self._in.read(self._in.wMaxPacketSize, timeout=_ms(timeout)))
            except core.USBTimeoutError:
                return b""
        data, self._pending = self._pending[:size], self._pending[size:]
        return data

    def close(self) -> None:
        dev, self._dev, self._out, self._in, self._pending = self._dev, None, None, None, b""
        if dev is not None:
            _, util = _pyusb()
            try:
                util.release_interface(dev, self._interface)
            except OSError:                 # usb.core.USBError is an IOError: the printer is already gone
                pass
            util.dispose_resources(dev)


def _ms(seconds: float) -> int:
    return max(1, int(seconds * 1000))      # pyusb reads 0 as "wait forever"


def _pyusb() -> tuple[Any, Any]:
    try:
        import usb.core
        import usb.util
    except ImportError:
        raise FileNotFoundError("pyusb not installed") from None
    return usb.core, usb.util


def _bulk(interface: Any, util: Any, out: bool) -> Any:
    direction = util.ENDPOINT_OUT if out else util.ENDPOINT_IN
    return util.find_descriptor(interface, custom_match=lambda e: (
        util.endpoint_direction(e.bEndpointAddress) == direction
        and util.endpoint_type(e.bmAttributes) == util.ENDPOINT_TYPE_BULK))


class UsbTransport:
    """Finds the printer at each open: its usblp node if the kernel has one, else pyusb."""
    name = "usb"
    can_read = True

    def __init__(self, usb_id: str = "", sysname: str = "", timeout: float = 2.0, root: Path = SYSFS_USB,
                 dev: Path = USBLP_DIR):
        self.usb_id, self.sysname, self.timeout, self.root, self.dev = usb_id, sysname, timeout, root, dev
        self._link: CharDeviceTransport | PyusbTransport | None = None

    def find(self) -> UsbPrinter | None:
        """The printer now: the one at `sysname` if it is still there, else the first that matches."""
        printers = scan_usb_printers(self.usb_id, self.root, self.dev)
        return next((p for p in printers if p.sysname == self.sysname), printers[0] if printers else None)

    def is_usable(self) -> bool:
        printer = self.find()
        return printer is not None and (bool(printer.lp) or pyusb_available())

    def open(self, job: str = "") -> None:
        self.close()
        printer = self.find()
        if printer is None:
            raise FileNotFoundError("no USB printer plugged in")
        link = CharDeviceTransport(printer.lp, self.timeout) if printer.lp else PyusbTransport(printer, self.timeout)
        link.open()
        self._link = link

    def _open_link(self) -> CharDeviceTransport | PyusbTransport:
        if self._link is None:
            raise OSError("USB printer not open")
        return self._link

    def write(self, data: bytes) -> None:
        self._open_link().write(data)

    def read(self, size: int, timeout: float) -> bytes:
        return self._open_link().read(size, timeout)

    def close(self) -> None:
        link, self._link = self._link, None
        if link is not None:
            link.close()
