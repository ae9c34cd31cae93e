"""The dev dock drives a running kiosk's simulators over its socket, and never takes the kiosk down."""
import json
import subprocess
import sys
from pathlib import Path

import pytest

from devices.base import DeviceError, Fault, ReceiptDoc
from devices.dock import SOCKET_NAME, Dock, DockServer, send
from devices.registry import build_devices
from kiosk.config import Config

pytestmark = pytest.mark.timeout(60)
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def docked(tmp_path):
    devices = build_devices(Config({"sim_demo_card": False, "sim_demo_qr": False}), tmp_path)
    server = DockServer(Dock(devices.sims, devices.manager), tmp_path / SOCKET_NAME)
    yield devices, tmp_path / SOCKET_NAME
    server.close()
    devices.close()


def test_card_present_and_remove(docked):
    devices, sock = docked
    with pytest.raises(DeviceError):
        devices.idcard.read_identity(0.5)
    assert send(sock, ["card", "present"])["ok"]
    assert devices.idcard.read_identity(3.0).name == "王海生"
    assert send(sock, ["card", "remove"])["ok"]


def test_qr_and_printer_faults(docked):
    devices, sock = docked
    assert send(sock, ["qr", "show", "hello", "world"])["ok"]
    assert devices.qr.scan(3.0) == "hello world"
    assert send(sock, ["printer", "fault", "paper_out"])["ok"]
    with pytest.raises(DeviceError) as err:
        devices.printer.print_receipt(ReceiptDoc(title="回执", lines=()))
    assert err.value.reason == Fault.PAPER_OUT
    assert send(sock, ["printer", "fault", "none"])["ok"]
    devices.printer.print_receipt(ReceiptDoc(title="回执", lines=()))


def test_unplug_is_seen_by_the_manager_at_once(docked):
    devices, sock = docked
    assert send(sock, ["unplug", "printer"])["ok"]
    assert send(sock, ["status"])["health"]["printer"]["state"] == "absent"
    with pytest.raises(DeviceError) as err:
        devices.printer.print_receipt(ReceiptDoc(title="回执", lines=()))
    assert err.value.reason == Fault.PRINTER_ABSENT
    assert send(sock, ["plug", "printer"])["ok"]
    assert send(sock, ["status"])["health"]["printer"]["state"] == "ok"


@pytest.mark.parametrize("words", [[], ["nonsense"], ["card"], ["card", "fault", "melted"], ["printer", "fault"],
                                   ["unplug", "toaster"]])
def test_bad_commands_answer_clearly(docked, words):
    _devices, sock = docked
    reply = send(sock, words) if words else send(sock, ["help"])
    assert reply["ok"] is False and reply["error"]


def test_command_line(docked):
    _devices, sock = docked
    out = subprocess.run([sys.executable, "-m", "devices.dock", "--data-dir", str(sock.parent), "qr", "demo"],
                         cwd=ROOT, capture_output=True, text=True, timeout=30)
    assert out.returncode == 0 and json.loads(out.stdout)["ok"]
    missing = subprocess.run([sys.executable, "-m", "devices.dock", "--data-dir", str(sock.parent / "nope"),
                              "status"], cwd=ROOT, capture_output=True, text=True, timeout=30)
    assert missing.returncode == 2 and "cannot reach the kiosk" in missing.stderr
