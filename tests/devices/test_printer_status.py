"""DLE EOT replies and ASB frames, checked against byte values from the ESC/POS command reference."""
import pytest
from escpos.constants import RT_MASK_LOWPAPER, RT_MASK_NOPAPER, RT_MASK_ONLINE, RT_STATUS_ONLINE, RT_STATUS_PAPER

from devices.base import Fault, HealthState
from devices.printer.printer import health_of
from devices.printer.simulator import simulated_status
from devices.printer.status import (PaperLevel, PrinterStatus, StatusError, asb_frame, is_reply, parse_asb,
                                    parse_replies, query, reply_for)

# Replies to DLE EOT 1, 2, 3, 4 (printer, offline cause, error cause, paper roll sensor).
STATES = {
    "ready": ((0x12, 0x12, 0x12, 0x12), None, PaperLevel.OK),
    "near_end": ((0x12, 0x12, 0x12, 0x1E), None, PaperLevel.NEAR_END),
    "paper_out": ((0x1A, 0x32, 0x12, 0x7E), Fault.PAPER_OUT, PaperLevel.OUT),
    "cover_open": ((0x1A, 0x16, 0x12, 0x12), Fault.COVER_OPEN, PaperLevel.OK),
    "cover_open_and_empty": ((0x1A, 0x36, 0x12, 0x7E), Fault.COVER_OPEN, PaperLevel.OUT),
    "cutter_error": ((0x1A, 0x52, 0x1A, 0x12), Fault.PRINTER_ERROR, PaperLevel.OK),
    "unrecoverable": ((0x1A, 0x52, 0x32, 0x12), Fault.PRINTER_ERROR, PaperLevel.OK),
    "head_too_hot": ((0x1A, 0x52, 0x52, 0x12), Fault.PRINTER_ERROR, PaperLevel.OK),
    "feed_button": ((0x5A, 0x1A, 0x12, 0x12), Fault.PRINTER_ERROR, PaperLevel.OK),
}


@pytest.mark.parametrize("name", STATES)
def test_each_state_parses_to_its_fault(name):
    replies, fault, paper = STATES[name]
    status = parse_replies(dict(zip((1, 2, 3, 4), replies)))
    assert status.known and status.fault() is fault and status.paper is paper
    assert status.online is (replies[0] & 0x08 == 0)


def test_details_of_each_cause():
    cut = parse_replies(dict(zip((1, 2, 3, 4), STATES["cutter_error"][0])))
    assert cut.cutter_error and cut.error and not cut.unrecoverable_error and cut.reason() == "cutter_error"
    hot = parse_replies(dict(zip((1, 2, 3, 4), STATES["head_too_hot"][0])))
    assert hot.auto_recoverable_error and not hot.cutter_error
    out = parse_replies(dict(zip((1, 2, 3, 4), STATES["paper_out"][0])))
    assert out.paper_stopped and out.reason() == "paper_out"
    assert parse_replies(dict(zip((1, 2, 3, 4), STATES["near_end"][0]))).reason() == "paper_near_end"
    assert parse_replies(dict(zip((1, 2, 3, 4), STATES["feed_button"][0]))).feed_button


def test_agrees_with_python_escpos_masks():
    assert query(1) == RT_STATUS_ONLINE and query(4) == RT_STATUS_PAPER
    assert STATES["paper_out"][0][3] & RT_MASK_NOPAPER == RT_MASK_NOPAPER
    assert STATES["near_end"][0][3] & RT_MASK_LOWPAPER == RT_MASK_LOWPAPER
    assert STATES["cover_open"][0][0] & RT_MASK_ONLINE


@pytest.mark.parametrize("byte", [0x00, 0x10, 0xFF, 0x13, 0x11, 0x92, 300])
def test_bytes_that_are_not_replies_are_rejected(byte):
    assert byte > 0xFF or not is_reply(byte)      # XON/XOFF, ASB headers, noise
    with pytest.raises(StatusError):
        parse_replies({1: byte})


def test_unknown_status_never_refuses():
    status = PrinterStatus.unknown()
    assert status.fault() is None and status.paper is PaperLevel.UNKNOWN and status.reason() == "status unknown"
    assert health_of(status).state is HealthState.OK


SIMULATED = {"ready": simulated_status(), "near_end": simulated_status(paper=PaperLevel.NEAR_END),
             "paper_out": simulated_status(paper=PaperLevel.OUT), "cover_open": simulated_status(cover_open=True),
             "cover_open_and_empty": simulated_status(PaperLevel.OUT, cover_open=True),
             "cutter_error": simulated_status(cutter_error=True)}


@pytest.mark.parametrize("name", SIMULATED)
def test_simulator_answers_what_the_reference_says(name):
    assert tuple(reply_for(n, SIMULATED[name]) for n in (1, 2, 3, 4)) == STATES[name][0]


def test_health_of_each_state():
    assert health_of(simulated_status(paper=PaperLevel.OUT)).state is HealthState.ERROR
    near = health_of(simulated_status(paper=PaperLevel.NEAR_END))
    assert near.state is HealthState.OK and near.reason == "paper_near_end"


def test_asb_frames():
    assert asb_frame(simulated_status()) == bytes([0x10, 0x00, 0x00, 0x00])
    assert asb_frame(simulated_status(cover_open=True)) == bytes([0x38, 0x00, 0x00, 0x00])
    assert asb_frame(simulated_status(paper=PaperLevel.OUT)) == bytes([0x18, 0x00, 0x0F, 0x00])
    assert asb_frame(simulated_status(cutter_error=True)) == bytes([0x18, 0x08, 0x00, 0x00])
    assert parse_asb(bytes([0x38, 0, 0, 0])).fault() is Fault.COVER_OPEN
    assert parse_asb(bytes([0x18, 0, 0x0C, 0])).fault() is Fault.PAPER_OUT
    assert parse_asb(bytes([0x10, 0, 0x03, 0])).paper is PaperLevel.NEAR_END
    assert parse_asb(bytes([0x18, 0x08, 0, 0])).cutter_error
    for bad in (bytes([0x12, 0, 0, 0]), bytes([0x10, 0x10, 0, 0]), bytes([0x10, 0, 0])):
        with pytest.raises(StatusError):
            parse_asb(bad)
    assert not any(is_reply(b) for b in asb_frame(simulated_status(PaperLevel.OUT, True, True)))
