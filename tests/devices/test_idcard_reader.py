"""The real serial driver against the pty simulator: every byte crosses a tty, as with a USB-serial reader."""
import time
from dataclasses import replace

import pytest

from devices.base import DeviceError, Fault, HealthState, IdCardReader
from devices.idcard.protocol import Command
from devices.idcard.reader import SerialIdCardReader
from devices.idcard.simulator import (DEMO_CARD, DEMO_FOREIGNER_2017, DEMO_FOREIGNER_2023, DEMO_HMT_PERMIT,
                                      IdCardSimulator, SimFault)
from devices.idcard.text import CardType, encode_text

pytestmark = pytest.mark.timeout(20)


def read_fault(reader, timeout=2.0):
    start = time.monotonic()
    with pytest.raises(DeviceError) as info:
        reader.read_card(timeout)
    return info.value.reason, time.monotonic() - start


def test_full_read_through_the_pty(sim, reader):
    assert isinstance(reader, IdCardReader)
    sim.present_card()
    card = reader.read_card(2.0)
    assert card.name == "王海生" and card.id_number == "330902196803121232"
    assert card.photo_wlt == DEMO_CARD.photo_wlt and len(card.photo_wlt) == 1024
    assert sim.requests == {"SAM_STATUS": 1, "FIND_CARD": 1, "SELECT_CARD": 1, "READ_TEXT_PHOTO": 1}


def test_read_identity_gives_the_identity_record(sim, reader):
    sim.present_card()
    identity = reader.read_identity(2.0)
    assert (identity.source, identity.name, identity.masked_id()) == ("idcard", "王海生", "330***********1232")


def test_card_placed_while_waiting(sim, reader):
    import threading
    threading.Timer(0.3, sim.present_card).start()
    assert reader.read_card(3.0).name == "王海生"


def test_no_card_within_the_timeout(sim, reader):
    reason, took = read_fault(reader, 0.8)
    assert reason is Fault.NO_CARD and 0.6 < took < 1.1


def test_a_read_card_must_leave_the_field_before_it_is_read_again(sim, reader):
    sim.present_card()
    reader.read_card(2.0)
    assert read_fault(reader, 0.4)[0] is Fault.NO_CARD
    sim.remove_card()
    sim.present_card()
    assert reader.read_card(2.0).name == "王海生"


def test_card_removed_mid_read_is_reported_quickly(sim, reader):
    sim.present_card()
    sim.remove_card(after_bytes=600)
    reason, took = read_fault(reader)
    assert reason is Fault.CARD_REMOVED and took < 1.0
    assert sim.requests["READ_TEXT_PHOTO"] == 1


def test_corrupt_checksum_is_retried_then_unreadable(sim, reader):
    sim.present_card()
    sim.set_fault(SimFault.BAD_CHECKSUM)
    reason, took = read_fault(reader)
    assert reason is Fault.CARD_UNREADABLE and took < 1.0
    assert sim.requests["READ_TEXT_PHOTO"] == 3          # first try + two retries


def test_one_corrupt_frame_is_recovered_by_a_retry(sim, reader):
    sim.present_card()
    sim.set_fault(SimFault.BAD_CHECKSUM, times=1)
    assert reader.read_card(2.0).name == "王海生"
    assert sim.requests["READ_TEXT_PHOTO"] == 2


def test_truncated_frame_is_unreadable_not_a_hang(sim, reader):
    sim.present_card()
    sim.set_fault(SimFault.TRUNCATE)
    reason, took = read_fault(reader)
    assert reason is Fault.CARD_UNREADABLE and took < 1.5


def test_truncated_short_frame_during_find_is_survived(sim, reader):
    sim.present_card()
    sim.set_fault(SimFault.TRUNCATE, command=Command.FIND_CARD, times=1)
    assert reader.read_card(2.0).name == "王海生"


def test_silent_reader_is_absent_within_the_timeout(sim, reader):
    sim.set_fault(SimFault.SILENT, command=None)
    reason, took = read_fault(reader, 1.5)
    assert reason is Fault.READER_ABSENT and took < 1.5
    assert reader.health().state is HealthState.ABSENT


def test_reader_going_silent_while_polling(sim, reader):
    sim.set_fault(SimFault.SILENT, command=Command.FIND_CARD)
    reason, took = read_fault(reader, 5.0)
    assert reason is Fault.READER_ABSENT and took < 1.5


def test_sam_self_test_failure(sim, reader):
    sim.set_fault(SimFault.SAM_FAILED, command=Command.SAM_STATUS)
    assert read_fault(reader)[0] is Fault.READER_ABSENT


def test_bad_check_digit_is_unreadable_without_retrying(sim, reader):
    sim.present_card(replace(DEMO_CARD, id_number="330902196803121233"))
    assert read_fault(reader)[0] is Fault.CARD_UNREADABLE
    assert sim.requests["READ_TEXT_PHOTO"] == 1


def test_unknown_card_type_is_unsupported(sim, reader):
    block = encode_text(DEMO_CARD)
    sim.present_card(block[:248] + "Z".encode("utf-16-le") + block[250:])
    assert read_fault(reader)[0] is Fault.CARD_UNSUPPORTED
    assert sim.requests["READ_TEXT_PHOTO"] == 1                 # the content would not change on a retry


def test_resident_layout_under_a_foreigner_flag_is_unreadable(sim, reader):
    sim.present_card(replace(DEMO_CARD, card_type=CardType.FOREIGNER))
    assert read_fault(reader)[0] is Fault.CARD_UNREADABLE


@pytest.mark.parametrize("card", [DEMO_FOREIGNER_2017, DEMO_FOREIGNER_2023, DEMO_HMT_PERMIT],
                         ids=["foreigner-2017", "foreigner-2023", "hmt-permit"])
def test_other_card_kinds_through_the_pty(sim, reader, card):
    sim.present_card(card)
    read = reader.read_card(2.0)
    assert read == card and read.photo_wlt == card.photo_wlt     # every field, and the WLT photo bytes
    sim.remove_card()
    sim.present_card(card)
    identity = reader.read_identity(2.0)
    assert identity.source == "idcard" and identity.id_number == card.to_identity().id_number


def test_unplugged_reader(sim, reader):
    sim.present_card()
    assert reader.health().state is HealthState.OK
    sim.close()
    reason, took = read_fault(reader)
    assert reason is Fault.READER_ABSENT and took < 1.0
    assert read_fault(reader)[0] is Fault.READER_ABSENT       # reopening the vanished port fails cleanly


def test_missing_port_is_absent():
    reader = SerialIdCardReader("/dev/does-not-exist-ttyUSB9")
    assert read_fault(reader)[0] is Fault.READER_ABSENT
    assert reader.health().state is HealthState.ABSENT


def test_demo_simulator_presents_a_card_whenever_asked():
    demo = IdCardSimulator(demo=True, baud=115200)
    reader = SerialIdCardReader(demo.port)
    try:
        start = time.monotonic()
        names = [reader.read_identity(2.0).name for _ in range(3)]
        assert names == ["王海生"] * 3
        assert time.monotonic() - start > 3 * 0.1          # paced like a 115200-baud line
    finally:
        reader.close()
        demo.close()
