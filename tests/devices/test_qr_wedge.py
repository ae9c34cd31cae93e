"""Keyboard-wedge scanners: fast bursts ending in Enter are codes, people typing are not."""
import threading
import time

import pytest

from devices.base import DeviceError, Fault, HealthState, QrScanner
from devices.qr_sim import demo_code
from devices.qr_wedge import KeyFeed, WedgeAssembler, WedgeQrScanner, enumerate_wedge, open_wedge

pytestmark = pytest.mark.timeout(20)
CODE = demo_code(1_795_600_000)


def typed(assembler_or_scanner, text, start=0.0, gap=0.004, enter="\r"):
    """Feed text (+ Enter) with `gap` seconds between keys; returns what each key returned."""
    feed = getattr(assembler_or_scanner, "feed_key", None) or assembler_or_scanner.feed
    results = [feed(ch, start + i * gap) for i, ch in enumerate(text + enter)]
    return results


def test_scanner_burst_is_a_code():
    results = typed(WedgeAssembler(), CODE)
    assert results[-1] == CODE and results[:-1] == [None] * len(CODE)


@pytest.mark.parametrize("gap", [0.08, 0.15, 0.3])
def test_person_typing_is_not_a_code(gap):
    assert typed(WedgeAssembler(), "hello world 123", gap=gap) == [None] * 16


def test_fast_typist_short_word_is_not_a_code():
    assert typed(WedgeAssembler(min_length=8), "abc", gap=0.02)[-1] is None


def test_slow_scanner_just_inside_the_gap():
    assert typed(WedgeAssembler(max_gap_s=0.05), CODE, gap=0.045)[-1] == CODE
    assert typed(WedgeAssembler(max_gap_s=0.05), CODE, gap=0.055)[-1] is None


def test_typing_then_a_burst_keeps_only_the_burst():
    assembler = WedgeAssembler()
    typed(assembler, "abc", gap=0.2, enter="")
    assert typed(assembler, CODE, start=5.0)[-1] == CODE


def test_a_pause_inside_a_burst_breaks_it():
    assembler = WedgeAssembler()
    typed(assembler, CODE[:20], enter="")
    assert typed(assembler, CODE[20:], start=1.0)[-1] == CODE[20:]     # only the part after the pause


def test_enter_long_after_the_burst_is_a_person():
    assembler = WedgeAssembler()
    typed(assembler, CODE, enter="")
    assert assembler.feed("\r", 10.0) is None


def test_modifier_keys_and_control_characters_are_ignored():
    assembler = WedgeAssembler()
    t = 0.0
    for ch in CODE[:10]:
        assert assembler.feed("", t) is None         # Shift: no text
        assembler.feed(ch, t + 0.001)
        t += 0.004
    assembler.feed("\x1b", t)
    assert assembler.feed("\n", t + 0.004) == CODE[:10]


def test_tab_terminated_scanners():
    assembler = WedgeAssembler(terminators=("\t",))
    assert typed(assembler, CODE, enter="\t")[-1] == CODE


def test_runaway_burst_is_capped():
    assembler = WedgeAssembler(max_length=100)
    assert len(typed(assembler, "A" * 10_000)[-1]) == 100


def test_chinese_text_passes_if_the_ui_delivers_it():
    # most wedge scanners cannot type it at all (see module docstring); if one does, it is kept as typed
    assert typed(WedgeAssembler(), "舟山市定海区长岛便民服务站")[-1] == "舟山市定海区长岛便民服务站"


# --- the scanner -------------------------------------------------------------------------------------------------

class FakeClock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def test_scanner_returns_a_burst_fed_from_another_thread():
    scanner = WedgeQrScanner()
    assert isinstance(scanner, QrScanner)
    threading.Timer(0.2, typed, args=(scanner, CODE)).start()
    start = time.monotonic()
    assert scanner.scan(3.0) == CODE and time.monotonic() - start >= 0.15


def test_repeated_scans_of_the_same_code_count_once():
    scanner = WedgeQrScanner()
    assert typed(scanner, CODE)[-1] is True
    assert typed(scanner, CODE, start=0.5)[-1] is False        # continuous mode resends it
    assert scanner.scan(0.5) == CODE
    with pytest.raises(DeviceError) as info:
        scanner.scan(0.2)
    assert info.value.reason is Fault.QR_TIMEOUT


def test_stale_code_is_dropped():
    clock = FakeClock()
    scanner = WedgeQrScanner(max_age_s=10.0, clock=clock)
    typed(scanner, CODE)
    clock.now += 30                                            # scanned on the home screen half a minute ago
    with pytest.raises(DeviceError) as info:
        scanner.scan(0.0)
    assert info.value.reason is Fault.QR_TIMEOUT


def test_closed_scanner_is_absent_and_ignores_keys():
    scanner = WedgeQrScanner()
    scanner.close()
    assert typed(scanner, CODE)[-1] is False
    assert scanner.health().state is HealthState.ABSENT
    with pytest.raises(DeviceError) as info:
        scanner.scan(1.0)
    assert info.value.reason is Fault.READER_ABSENT


def test_backend_listens_to_the_shared_key_feed_while_open():
    keys = KeyFeed()
    [info] = enumerate_wedge({})
    assert (info.family, info.backend) == ("qr", "wedge")
    scanner = open_wedge(info, {"qr_wedge_max_gap_ms": 50.0, "qr_wedge_min_length": 8}, keys=keys)
    assert [keys.feed(ch, i * 0.003) for i, ch in enumerate(CODE + "\r")][-1] is True
    assert scanner.scan(1.0) == CODE
    scanner.close()
    assert [keys.feed(ch, 9 + i * 0.003) for i, ch in enumerate("ZLB1.other-code\r")][-1] is False
