"""enumerate_serial / open_serial: the "serial" backend of the idcard family, quick and without port I/O."""
from types import SimpleNamespace

import pytest

from devices.base import IdCardReader
from devices.idcard.backends import READER_BRIDGES, enumerate_serial, open_serial
from devices.idcard.simulator import DEMO_FOREIGNER_2017
from kiosk.config import Config

pytestmark = pytest.mark.timeout(20)


def port(device: str, vid=None, pid=None) -> SimpleNamespace:
    return SimpleNamespace(device=device, vid=vid, pid=pid, description="n/a")


FAKE_PORTS = [port("/dev/ttyS0"), port("/dev/ttyUSB1", 0x1A86, 0x7523), port("/dev/ttyACM0", 0x2341, 0x0043),
              port("/dev/ttyUSB0", 0x10C4, 0xEA60)]


def no_ports():
    raise AssertionError("a configured path must not need a port listing")


def test_configured_pty_is_found_and_opened(sim):
    infos = enumerate_serial(Config({"idcard_port": sim.port}), comports=no_ports)
    assert [(i.family, i.backend, i.path) for i in infos] == [("idcard", "serial", sim.port)]
    reader = open_serial(infos[0], Config({"idcard_port": sim.port}))
    try:
        assert isinstance(reader, IdCardReader)
        sim.present_card(DEMO_FOREIGNER_2017)
        assert reader.read_card(2.0).english_name == DEMO_FOREIGNER_2017.english_name
    finally:
        reader.close()


def test_configured_port_missing_or_unplugged(sim):
    assert enumerate_serial(Config({"idcard_port": "/dev/ttyUSB-none"}), comports=no_ports) == []
    config = Config({"idcard_port": sim.port})
    sim.unplug()
    assert enumerate_serial(config, comports=no_ports) == []


def test_auto_lists_only_known_usb_serial_bridges_sorted():
    for value in ("", "auto", "AUTO"):
        infos = enumerate_serial(Config({"idcard_port": value}), comports=lambda: FAKE_PORTS)
        assert [i.path for i in infos] == ["/dev/ttyUSB0", "/dev/ttyUSB1"]
    assert "CP210x" in infos[0].label and "10C4:EA60" in infos[0].label and not infos[0].simulated


def test_auto_skips_ports_given_to_other_devices():
    class Settings(dict):
        def as_dict(self):
            return dict(self)
    config = Settings(idcard_port="auto", printer_port="/dev/ttyUSB1")
    assert [i.path for i in enumerate_serial(config, comports=lambda: FAKE_PORTS)] == ["/dev/ttyUSB0"]


def test_windows_names_and_urls():
    listing = [port("COM3", 0x067B, 0x2303)]
    assert enumerate_serial({"idcard_port": "com3"}, comports=lambda: listing)[0].path == "com3"
    assert enumerate_serial({"idcard_port": "COM4"}, comports=lambda: listing) == []
    assert enumerate_serial({"idcard_port": "socket://10.0.0.5:4001"}, comports=no_ports)[0].path.startswith("socket")


def test_bridge_table_has_the_common_chips():
    assert {"CH340", "CP210x", "PL2303"} <= set(READER_BRIDGES.values())
