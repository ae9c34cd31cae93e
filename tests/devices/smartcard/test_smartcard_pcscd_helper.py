"""The pcscd helper's machine facts and locks (no daemon started here)."""
from __future__ import annotations

import fcntl
import socket
import time

import pytest

from devices.smartcard.pcscd import VpcdSlot, flock, port_listening, vpcd_slots
from devices.smartcard.virtual_card import claim_slot

pytestmark = pytest.mark.timeout(20)


def test_vpcd_slots_come_from_reader_conf(tmp_path):
    driver = tmp_path / "libifdvpcd.so"
    driver.write_bytes(b"")
    conf = tmp_path / "reader.conf.d"
    conf.mkdir()
    (conf / "vpcd").write_text(f'# comment\nFRIENDLYNAME "Virtual PCD"\nDEVICENAME   /dev/null:0x8C7B\n'
                               f"LIBPATH      {driver}\nCHANNELID    0x8C7B\n")
    (conf / "other").write_text('FRIENDLYNAME "GemPC"\nLIBPATH /usr/lib/pcsc/drivers/serial/libccidtwin.so\n')
    assert vpcd_slots(conf) == (VpcdSlot(35963, "Virtual PCD 00 00"), VpcdSlot(35964, "Virtual PCD 00 01"))
    driver.unlink()                                   # driver uninstalled, config left behind
    assert vpcd_slots(conf) == ()
    assert vpcd_slots(tmp_path / "missing") == ()


def test_port_listening_reads_proc_without_connecting():
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        port = server.getsockname()[1]
        assert not port_listening(port)
        server.listen()
        assert port_listening(port)


def test_flock_waits_only_as_long_as_told(tmp_path):
    path = tmp_path / "lock"
    with open(path, "a+") as first, open(path, "a+") as second:
        assert flock(first, fcntl.LOCK_EX, 0)
        start = time.monotonic()
        assert not flock(second, fcntl.LOCK_EX, 0.2)
        assert 0.15 < time.monotonic() - start < 1.0
        assert not flock(second, fcntl.LOCK_SH, 0)
        fcntl.flock(first, fcntl.LOCK_UN)
        assert flock(second, fcntl.LOCK_SH, 0)


def test_slot_claims_exclude_each_other(monkeypatch, tmp_path):
    monkeypatch.setattr("devices.smartcard.pcscd.LOCK_DIR", tmp_path)
    slots = (VpcdSlot(45001, "A 00 00"), VpcdSlot(45002, "A 00 01"))
    with claim_slot(slots, timeout=0) as first, claim_slot(slots, timeout=0) as second:
        assert {first.slot, second.slot} == set(slots)
        with pytest.raises(TimeoutError):
            claim_slot(slots, timeout=0.2)
    with claim_slot(slots, timeout=0) as again:
        assert again.slot == slots[0]
