"""The reader's cable pulled (mid-read, while waiting, between reads), plugged back in, and reads cancelled."""
import os
import threading
import time

import pytest

from devices.base import DeviceError, Fault, HealthState
from devices.idcard.protocol import Command
from devices.idcard.reader import SerialIdCardReader
from devices.idcard.simulator import DEMO_CARD, DEMO_HMT_PERMIT, IdCardSimulator

pytestmark = pytest.mark.timeout(30)


def quick_reader(port: str, **kwargs) -> SerialIdCardReader:
    options = dict(frame_timeout=0.3, read_timeout=1.0, gap_timeout=0.15, poll_interval=0.05) | kwargs
    return SerialIdCardReader(port, **options)


def fault_of(call):
    start = time.monotonic()
    with pytest.raises(DeviceError) as info:
        call()
    return info.value, time.monotonic() - start


class Background:
    """A blocking read on its own thread, as the device manager runs it."""

    def __init__(self, call):
        self.result: object = None
        self.ended_at = 0.0
        self._thread = threading.Thread(target=self._run, args=(call,), daemon=True)
        self._thread.start()

    def _run(self, call) -> None:
        try:
            self.result = call()
        except DeviceError as exc:
            self.result = exc
        self.ended_at = time.monotonic()

    def join(self, timeout: float = 10.0) -> object:
        self._thread.join(timeout)
        assert not self._thread.is_alive(), "the read never returned"
        return self.result


def wait_for(condition, timeout: float = 5.0) -> None:
    end = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < end, "condition not reached"
        time.sleep(0.005)


# --- unplugged ---------------------------------------------------------------------------------------------
def test_unplugged_mid_read_is_absent_quickly_and_the_port_is_released(sim, reader):
    sim.present_card()
    old_port = sim.port
    sim.unplug(after_bytes=600)                  # the cable goes while the 1295-byte answer is on the wire
    error, took = fault_of(lambda: reader.read_card(2.0))
    assert error.reason is Fault.READER_ABSENT and took < 1.0
    assert not sim.plugged and not os.path.exists(old_port)
    assert not reader.is_open
    assert reader.health().state is HealthState.ABSENT


def test_unplugged_between_reads(sim, reader):
    sim.present_card()
    reader.read_card(2.0)
    assert reader.is_open                        # kept open between reads, as usual
    sim.unplug()
    for _ in range(2):                           # the stale handle, then the vanished path
        error, took = fault_of(lambda: reader.read_card(2.0))
        assert error.reason is Fault.READER_ABSENT and took < 0.5
        assert not reader.is_open


def test_unplugged_while_waiting_for_a_card(sim, reader):
    wait = Background(lambda: reader.read_card(10.0))
    time.sleep(0.3)
    pulled = time.monotonic()
    sim.unplug()
    error = wait.join()
    assert isinstance(error, DeviceError) and error.reason is Fault.READER_ABSENT
    assert wait.ended_at - pulled < 1.0


def test_plug_gives_a_new_path_and_a_new_driver_reads_there(sim, reader):
    sim.present_card()
    reader.read_card(2.0)
    old_port = sim.port
    sim.unplug()
    assert fault_of(lambda: reader.read_card(1.0))[0].reason is Fault.READER_ABSENT
    sim.plug()
    assert sim.plugged and sim.port != old_port and os.path.exists(sim.port) and not os.path.exists(old_port)
    fresh = quick_reader(sim.port)               # what the device manager does on the new scan
    try:
        assert fresh.read_card(2.0).name == DEMO_CARD.name   # a card left on the reader is found after a restart
    finally:
        fresh.close()
    assert fault_of(lambda: reader.read_card(1.0))[0].reason is Fault.READER_ABSENT   # the old path stays gone


def test_plug_twice_and_unplug_twice_are_harmless(sim):
    port = sim.port
    sim.plug()
    assert sim.port == port
    sim.unplug()
    sim.unplug()
    sim.plug()
    sim.plug()
    assert sim.plugged


def test_replugged_under_the_same_path_is_read_by_the_same_driver(sim, tmp_path):
    link = tmp_path / "ttyUSB0"                  # a real reader usually comes back as the same /dev/ttyUSBn
    link.symlink_to(sim.port)
    driver = quick_reader(str(link))
    try:
        sim.present_card()
        driver.read_card(2.0)
        sim.unplug()
        sim.plug()
        link.unlink()
        link.symlink_to(sim.port)
        sim.present_card(DEMO_HMT_PERMIT)
        assert driver.read_card(2.0).name == DEMO_HMT_PERMIT.name    # stale handle dropped, path reopened
    finally:
        driver.close()


def test_paced_line_unplugged_mid_answer():
    sim = IdCardSimulator(baud=115200)
    driver = SerialIdCardReader(sim.port)       # production timeouts
    try:
        sim.present_card()
        sim.unplug(after_bytes=1000)
        error, took = fault_of(lambda: driver.read_card(3.0))
        assert error.reason is Fault.READER_ABSENT and took < 1.0
    finally:
        driver.close()
        sim.close()


# --- cancelled -----------------------------------------------------------------------------------------------
def test_cancel_ends_a_long_wait_at_once(sim, reader):
    wait = Background(lambda: reader.read_identity(30.0))
    time.sleep(0.3)
    cancelled = time.monotonic()
    reader.cancel()
    error = wait.join()
    assert isinstance(error, DeviceError) and error.reason is Fault.NO_CARD and error.detail == "cancelled"
    assert wait.ended_at - cancelled < 0.2


def test_cancel_while_the_answer_is_on_the_wire():
    sim = IdCardSimulator(baud=9600)            # 1295 bytes take ~1.35 s: time to cancel in the middle
    driver = quick_reader(sim.port, read_timeout=3.0)
    try:
        sim.present_card()
        read = Background(lambda: driver.read_card(5.0))
        wait_for(lambda: sim.requests.get("READ_TEXT_PHOTO", 0) == 1)
        time.sleep(0.2)
        cancelled = time.monotonic()
        driver.cancel()
        error = read.join()
        assert isinstance(error, DeviceError) and error.detail == "cancelled"
        assert read.ended_at - cancelled < 0.2
        # the module finishes its answer anyway; the next read skips the rest and works
        sim.remove_card()
        sim.present_card()
        assert driver.read_card(5.0).name == DEMO_CARD.name
    finally:
        driver.close()
        sim.close()


def test_cancel_with_no_read_under_way_spoils_nothing(sim, reader):
    reader.cancel()
    sim.present_card()
    assert reader.read_card(2.0).name == DEMO_CARD.name


def test_cancel_reaches_a_read_queued_behind_another(sim, reader):
    first = Background(lambda: reader.read_card(30.0))
    time.sleep(0.1)
    second = Background(lambda: reader.read_card(30.0))   # waiting for the wire
    time.sleep(0.1)
    reader.cancel()
    for read in (first, second):
        error = read.join(2.0)
        assert isinstance(error, DeviceError) and error.detail == "cancelled"
    sim.present_card()
    assert reader.read_card(2.0).name == DEMO_CARD.name     # and the next one is not cancelled
    assert reader.health().state is HealthState.OK


def test_cancel_keeps_the_port(sim, reader):
    wait = Background(lambda: reader.read_card(30.0))
    wait_for(lambda: sim.requests.get(Command.FIND_CARD.name, 0) >= 2)
    reader.cancel()
    wait.join()
    assert reader.is_open                        # nothing wrong with the reader: no reopen needed


def test_slow_line_answer_longer_than_the_gap_timeout():
    sim = IdCardSimulator(baud=38400)           # 1295 bytes take ~0.34 s, more than the 0.2 s gap timeout
    driver = SerialIdCardReader(sim.port)       # production timeouts
    try:
        sim.present_card()
        assert driver.read_card(3.0).name == DEMO_CARD.name
    finally:
        driver.close()
        sim.close()
