"""USB printers without USB hardware: discovery from a sysfs tree, the usblp path against the simulator, and
the pyusb path's absence handled as PRINTER_ABSENT."""
import pytest

from devices.base import DeviceError, Fault, HealthState, ReceiptDoc
from devices.printer.backends import enumerate_usb, open_usb
from devices.printer.escpos_doc import receipt_bytes
from devices.printer.simulator import Link, PrinterSimulator
from devices.printer.status import PaperLevel
from devices.printer.usb import SYSFS_USB, UsbPrinter, UsbTransport, parse_usb_id, pyusb_available, scan_usb_printers
from kiosk.config import Config

pytestmark = pytest.mark.timeout(30)

DOC = ReceiptDoc(title="回执", lines=(("回执号", "DS003-20261127-0009"),))


def add_device(root, name, vendor, product, classes, lp=None, maker="", model=""):
    device = root / name
    device.mkdir(parents=True)
    for key, value in {"idVendor": f"{vendor:04x}", "idProduct": f"{product:04x}", "busnum": "1",
                       "devnum": name[-1], "manufacturer": maker, "product": model}.items():
        (device / key).write_text(value + "\n")
    for i, cls in enumerate(classes):
        interface = device / f"{name}:1.{i}"
        interface.mkdir()
        (interface / "bInterfaceClass").write_text(f"{cls:02x}\n")
        if lp and i == 0:
            (interface / "usbmisc" / lp).mkdir(parents=True)
    return device


@pytest.fixture
def sysfs(tmp_path):
    root = tmp_path / "sys"
    add_device(root, "usb1", 0x1D6B, 0x0002, [0x09])                           # root hub
    add_device(root, "1-2", 0x0FE6, 0x811E, [0x07], lp="lp0", maker="Gprinter", model="GP-58")
    add_device(root, "1-3", 0x04B8, 0x0E15, [0xFF], maker="EPSON", model="TM-T20II")
    add_device(root, "1-4", 0x046D, 0xC31C, [0x03])                           # a keyboard
    return root


def test_no_usb_printers_is_an_empty_list_not_an_error(tmp_path):
    found = enumerate_usb(Config())               # this machine's real sysfs (here: no USB bus at all)
    assert found == [] if not SYSFS_USB.is_dir() else all(i.backend == "usb" for i in found)
    assert enumerate_usb(Config(), root=tmp_path / "no-sysfs") == []
    (tmp_path / "empty").mkdir()
    add_device(tmp_path / "empty", "1-1", 0x046D, 0xC31C, [0x03])
    assert enumerate_usb(Config(), root=tmp_path / "empty") == []


def test_printer_class_and_known_pos_makers_are_found(sysfs, tmp_path):
    printers = scan_usb_printers(root=sysfs, dev=tmp_path / "dev")
    assert [(p.sysname, p.usb_id, p.lp) for p in printers] == [
        ("1-2", "0fe6:811e", str(tmp_path / "dev" / "lp0")), ("1-3", "04b8:0e15", "")]
    assert printers[1].label == "EPSON TM-T20II (04b8:0e15)" and printers[1].bus == 1


@pytest.mark.parametrize("usb_id, found", [("04b8:0e15", ["1-3"]), ("04B8", ["1-3"]), ("046d:c31c", ["1-4"]),
                                           ("1234:5678", [])])
def test_a_configured_usb_id_picks_that_device(sysfs, usb_id, found):
    assert [p.sysname for p in scan_usb_printers(usb_id, root=sysfs)] == found


def test_malformed_usb_id(sysfs):
    with pytest.raises(ValueError):
        parse_usb_id("epson")
    assert enumerate_usb({"printer_usb_id": "epson"}, root=sysfs) == []
    assert parse_usb_id("04b8:0e15") == (0x04B8, 0x0E15) and parse_usb_id("04b8") == (0x04B8, None)


def test_usblp_printer_prints_through_the_simulator(sysfs, tmp_path):
    """sysfs says usblp made lp0 for the printer; lp0 is the simulator's pty, as /dev/usb/lp0 is a char device."""
    sim = PrinterSimulator(tmp_path / "receipts", 80)
    try:
        dev = tmp_path / "dev"
        dev.mkdir()
        (dev / "lp0").symlink_to(sim.serve_pty())
        (info, _) = enumerate_usb({}, root=sysfs, dev=dev)
        assert (info.backend, info.path, info.label) == ("usb", "usb:1-2", "Gprinter GP-58 (0fe6:811e)")
        printer = open_usb(info, {"printer_timeout_s": 0.5}, root=sysfs, dev=dev)
        assert printer.health().state is HealthState.OK
        printer.print_receipt(DOC)
        sim.wait_idle()
        assert sim.jobs[0].read_bytes() == receipt_bytes(DOC, 80)
        sim.set_paper(PaperLevel.OUT)
        with pytest.raises(DeviceError) as err:
            printer.print_receipt(DOC)
        assert err.value.reason is Fault.PAPER_OUT and sim.job_bytes == len(receipt_bytes(DOC, 80))
        sim.set_link(Link.DOWN)                       # unplugged: the lp node goes away
        with pytest.raises(DeviceError) as err:
            printer.print_receipt(DOC)
        assert err.value.reason is Fault.PRINTER_ABSENT
    finally:
        sim.close()


def test_printer_gone_from_sysfs_is_absent(tmp_path):
    transport = UsbTransport("04b8:0e15", "1-3", 0.3, root=tmp_path / "empty")
    assert not transport.is_usable()
    with pytest.raises(FileNotFoundError):
        transport.open()


@pytest.mark.skipif(pyusb_available(), reason="pyusb is installed: this checks the message when it is not")
def test_vendor_class_printer_without_pyusb_is_absent_with_a_reason(sysfs):
    (_, info) = enumerate_usb({}, root=sysfs)
    printer = open_usb(info, {}, root=sysfs)
    assert printer.health().state is HealthState.ABSENT
    with pytest.raises(DeviceError) as err:
        printer.print_receipt(DOC)
    assert err.value.reason is Fault.PRINTER_ABSENT and "pyusb not installed" in err.value.detail


def test_usb_printer_record():
    assert UsbPrinter("1-1", 0x4B8, 0x202, 1, 4).usb_id == "04b8:0202"
