"""End to end through the real stack: PcscCardReader -> pyscard -> pcscd -> vpcd -> our virtual card over TCP."""
from __future__ import annotations

import threading
import time
from dataclasses import replace

import pytest

from devices.base import DeviceError, Fault, HealthState, SmartCardReader
from devices.manager import Backend, BackendRegistry, DeviceManager, OnDeviceThread
from devices.smartcard.reader import CardEvent, PcscCardReader, enumerate_pcsc, open_pcsc
from devices.smartcard.virtual_card import VirtualBankCard, VirtualSocialSecurityCard
from kiosk.config import Config
from sc_helpers import DEMO_CARD, needs_pcscd, wait_until

pytestmark = [needs_pcscd, pytest.mark.timeout(30)]


def fault(reader: PcscCardReader, timeout: float = 5.0) -> tuple[DeviceError, float]:
    start = time.monotonic()
    with pytest.raises(DeviceError) as info:
        reader.read_card(timeout)
    return info.value, time.monotonic() - start


def test_reads_a_social_security_card(reader, make_card):
    card = make_card(VirtualSocialSecurityCard, DEMO_CARD)
    card.insert()
    start = time.monotonic()
    assert reader.read_card(5.0) == DEMO_CARD
    assert time.monotonic() - start < 3.0
    assert card.commands[0].hex().upper().startswith("00A404000F7378312E73682E")
    assert reader.read_card(1.0) == DEMO_CARD               # left in the reader: read again for the next step


def test_waits_for_a_card_inserted_during_the_wait(reader, make_card):
    card = make_card(VirtualSocialSecurityCard, DEMO_CARD)
    threading.Timer(0.8, card.insert).start()
    start = time.monotonic()
    assert reader.read_card(5.0).card_number == DEMO_CARD.card_number
    assert 0.7 < time.monotonic() - start < 4.0


def test_no_card_before_the_timeout(reader):
    error, took = fault(reader, 0.6)
    assert error.reason is Fault.NO_CARD and 0.5 < took < 2.5


def test_inserted_and_removed_events(reader, make_card):
    events: list[CardEvent] = []
    reader.on_card_event(events.append)
    card = make_card(VirtualSocialSecurityCard, DEMO_CARD)
    card.insert()
    assert wait_until(lambda: events == [CardEvent("inserted", reader.reader)], 5.0), events
    card.remove()
    assert wait_until(lambda: len(events) == 2, 5.0), events
    assert events[1] == CardEvent("removed", reader.reader)
    reader.close()
    card.insert()
    time.sleep(1.0)
    assert len(events) == 2                                    # closed: no more events


def test_a_card_already_inserted_is_reported_to_a_new_listener(reader, make_card):
    make_card(VirtualSocialSecurityCard, DEMO_CARD).insert()
    assert reader.read_card(5.0) == DEMO_CARD
    events: list[CardEvent] = []
    reader.on_card_event(events.append)
    assert wait_until(lambda: events == [CardEvent("inserted", reader.reader)], 5.0), events


@pytest.mark.parametrize("nth", [1, 2, 4, 9])
def test_card_pulled_mid_read(reader, make_card, nth):
    card = make_card(VirtualSocialSecurityCard, DEMO_CARD)
    card.insert()
    card.pull_after(nth)                                      # 1: during SELECT ... 9: during the name
    error, took = fault(reader)
    assert error.reason is Fault.CARD_REMOVED and took < 4.0
    assert len(card.commands) == nth and not card.inserted


def test_card_put_back_after_being_pulled_reads(reader, make_card):
    card = make_card(VirtualSocialSecurityCard, DEMO_CARD)
    card.insert()
    card.pull_after(3)
    assert fault(reader)[0].reason is Fault.CARD_REMOVED
    card.insert()
    assert reader.read_card(5.0) == DEMO_CARD


def test_card_of_another_application_is_unsupported(reader, make_card):
    make_card(VirtualBankCard).insert()
    error, took = fault(reader)
    assert error.reason is Fault.CARD_UNSUPPORTED and took < 3.0


def test_garbage_answers_are_unreadable_after_a_reset_and_retry(reader, make_card):
    card = make_card(VirtualSocialSecurityCard, DEMO_CARD)
    card.insert()
    card.answer_garbage()
    error, took = fault(reader)
    assert error.reason is Fault.CARD_UNREADABLE and took < 6.0
    assert len(card.commands) == 2 and card.inserted           # one SELECT per attempt, and still in


def test_error_status_words_are_unreadable(reader, make_card):
    card = make_card(VirtualSocialSecurityCard, DEMO_CARD)
    card.insert()
    card.answer_sw(0x6F00)
    error, took = fault(reader)
    assert error.reason is Fault.CARD_UNREADABLE and "6F00" in error.detail and took < 3.0
    card.behave()
    assert reader.read_card(2.0) == DEMO_CARD


def test_bad_check_character_is_unreadable(reader, make_card):
    bad = replace(DEMO_CARD, id_number=DEMO_CARD.id_number[:17] + "3")
    make_card(VirtualSocialSecurityCard, bad).insert()
    error, _ = fault(reader)
    assert error.reason is Fault.CARD_UNREADABLE and bad.id_number not in str(error)


def test_a_reader_that_does_not_exist_is_absent_at_once():
    ghost = PcscCardReader("No Such Reader 00 00")
    try:
        error, took = fault(ghost, 10.0)
        assert error.reason is Fault.READER_ABSENT and took < 2.0
        assert ghost.health().state is HealthState.ABSENT
        events: list[CardEvent] = []
        ghost.on_card_event(events.append)                     # the watcher waits for it without spinning
        time.sleep(0.3)
        assert events == []
    finally:
        start = time.monotonic()
        ghost.close()
        assert time.monotonic() - start < 2.0


def test_enumerate_and_open_as_the_device_manager_does(reader_name):
    infos = enumerate_pcsc(Config())
    ours = [info for info in infos if info.path == reader_name]
    assert len(ours) == 1 and ours[0].family == "smartcard" and ours[0].backend == "pcsc" and ours[0].simulated
    device = open_pcsc(ours[0], Config())
    try:
        assert isinstance(device, SmartCardReader)
        assert device.health().state is HealthState.OK
    finally:
        device.close()


def test_device_manager_opens_a_pcsc_reader_on_its_own_thread(reader_name):
    registry = BackendRegistry()
    registry.register(Backend("smartcard", "pcsc", enumerate_pcsc, open_pcsc))
    manager = DeviceManager(Config({"smartcard_backend": "pcsc"}), registry)
    try:
        device = manager.device("smartcard")
        assert isinstance(device, OnDeviceThread) and device.name == "smartcard-pcsc"
        assert isinstance(device.device, PcscCardReader)
        assert device.info.path in {info.path for info in enumerate_pcsc(Config())}
        assert manager.health()["smartcard"].state is HealthState.OK
    finally:
        manager.close()
