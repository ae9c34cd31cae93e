import time

import pytest

from devices.base import DeviceError, Fault, ReceiptDoc
from devices.printer.printer import EscposPrinter
from devices.qr import ZlbVerifier
from devices.registry import build_devices
from kiosk.config import Config

pytestmark = pytest.mark.timeout(20)


def test_demo_kiosk_works_with_default_config(tmp_path):
    devices = build_devices(Config(), tmp_path)
    try:
        assert devices.sims.idcard is not None and devices.sims.qr is not None and devices.sims.printer is not None
        assert devices.idcard.read_identity(3.0).name == "王海生"
        assert devices.idcard.read_identity(3.0).name == "王海生"     # presented again for the next resident
        code = ZlbVerifier().parse(devices.qr.scan(3.0))
        assert code.to_identity().id_number == "330902196803121232"
        devices.printer.print_receipt(ReceiptDoc(title="回执", lines=(("回执号", "DH001-20261125-0001"),)))
        assert (tmp_path / "receipts" / "DH001-20261125-0001.bin").exists()
        assert (tmp_path / "receipts" / "DH001-20261125-0001.png").exists()
    finally:
        devices.close()
    with pytest.raises(DeviceError) as info:
        devices.idcard.read_identity(1.0)
    assert info.value.reason is Fault.READER_ABSENT


def test_simulators_without_demo_wait_for_the_test_to_act(tmp_path):
    devices = build_devices(Config({"sim_demo_card": False, "sim_demo_qr": False}), tmp_path)
    try:
        start = time.monotonic()
        with pytest.raises(DeviceError) as info:
            devices.idcard.read_identity(0.5)
        assert info.value.reason is Fault.NO_CARD and time.monotonic() - start < 1.0
        devices.sims.idcard.present_card()
        assert devices.idcard.read_identity(2.0).masked_name() == "王**"
        devices.sims.qr.show("not a code")
        assert devices.qr.scan(2.0) == "not a code"
    finally:
        devices.close()


def test_serial_backend_without_a_port_is_absent(tmp_path):
    devices = build_devices(Config({"idcard_backend": "serial", "printer_backend": "file",
                                    "printer_width_mm": 58}), tmp_path)
    try:
        assert devices.sims.idcard is None and devices.sims.printer is None
        assert isinstance(devices.printer.device, EscposPrinter) and devices.printer.device.paper.columns == 32
        with pytest.raises(DeviceError) as info:
            devices.idcard.read_identity(1.0)
        assert info.value.reason is Fault.READER_ABSENT
    finally:
        devices.close()


def test_wedge_backend_reads_a_burst_typed_into_the_kiosk(tmp_path):
    import threading
    import time as _time

    from devices.qr_sim import demo_code
    from devices.qr_wedge import KEYBOARD

    devices = build_devices(Config({"qr_backend": "wedge", "idcard_backend": "none", "printer_backend": "none"}),
                            tmp_path)
    code = demo_code(_time.time())

    def scanner_types():
        _time.sleep(0.3)
        t = _time.monotonic()
        for i, char in enumerate(code + "\r"):
            KEYBOARD.feed(char, t + i * 0.005)   # 5 ms apart: a scanner, not a person

    try:
        threading.Thread(target=scanner_types).start()
        assert devices.qr.scan(5.0) == code
    finally:
        devices.close()
