"""Without pcscd: nothing listed, READER_ABSENT at once, no hang; and a pcscd that goes away and comes back."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from devices.base import DeviceError, Fault, HealthState
from devices.smartcard.pcscd import PcscdBusy
from devices.smartcard.reader import CardEvent, PcscCardReader, enumerate_pcsc
from devices.smartcard.virtual_card import VirtualSocialSecurityCard
from kiosk.config import Config
from sc_helpers import DEMO_CARD, missing_binaries, needs_pcscd, wait_until

pytestmark = pytest.mark.timeout(90)
ROOT = Path(__file__).resolve().parents[3]

# Runs in a child whose PC/SC client library looks for pcscd at a socket that does not exist: to it, pcscd is
# not running, while the machine's pcscd (and other tests using it) carry on undisturbed.
_CHILD = """
import json, time
from devices.base import DeviceError
from devices.smartcard.reader import PcscCardReader, enumerate_pcsc
from kiosk.config import Config
out = {}
start = time.monotonic(); out["enumerate"] = enumerate_pcsc(Config()); out["enumerate_s"] = time.monotonic() - start
reader = PcscCardReader("Virtual PCD 00 00")
start = time.monotonic()
try:
    reader.read_card(20.0)
except DeviceError as exc:
    out["fault"] = exc.reason.value
out["read_s"] = time.monotonic() - start
out["health"] = reader.health().state.value
reader.on_card_event(print)
time.sleep(0.3)
start = time.monotonic(); reader.close(); out["close_s"] = time.monotonic() - start
print(json.dumps(out))
"""


def test_without_pcscd_nothing_is_listed_and_reads_fail_fast(tmp_path, request):
    if not missing_binaries():
        request.getfixturevalue("pcscd")       # the machine's pcscd runs: the child must still not see it
    env = os.environ | {"PCSCLITE_CSOCK_NAME": str(tmp_path / "no-pcscd.comm"), "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", _CHILD], env=env, cwd=ROOT, capture_output=True, text=True,
                          timeout=30)
    assert done.returncode == 0, done.stderr[-2000:]
    out = json.loads(done.stdout.strip().splitlines()[-1])
    assert out["enumerate"] == [] and out["enumerate_s"] < 2.0
    assert out["fault"] == Fault.READER_ABSENT.value and out["read_s"] < 2.0
    assert out["health"] == HealthState.ABSENT.value and out["close_s"] < 2.0


@needs_pcscd
def test_pcscd_going_away_and_coming_back(pcscd, slot_claim, make_card):
    reader = PcscCardReader(slot_claim.slot.reader)
    events: list[CardEvent] = []
    try:
        reader.on_card_event(events.append)
        card = make_card(VirtualSocialSecurityCard, DEMO_CARD)
        card.insert()
        assert wait_until(lambda: [e.kind for e in events] == ["inserted"], 5.0), events
        try:
            with pcscd.paused(timeout=45.0):    # a parallel test run may hold it that long
                _check_absent(reader, events)
        except PcscdBusy as busy:      # a system pcscd, or another test run uses ours: not ours to stop
            pytest.skip(f"cannot stop a shared pcscd here: {busy}")
        card.insert()                                           # vpcd dropped it with pcscd
        assert wait_until(lambda: [e.kind for e in events] == ["inserted", "removed", "inserted"], 8.0), events
        assert reader.read_card(5.0) == DEMO_CARD
    finally:
        reader.close()


def _check_absent(reader: PcscCardReader, events: list[CardEvent]) -> None:
    start = time.monotonic()
    assert enumerate_pcsc(Config()) == []
    with pytest.raises(DeviceError) as info:
        reader.read_card(10.0)
    assert info.value.reason is Fault.READER_ABSENT
    assert reader.health().state is HealthState.ABSENT
    assert time.monotonic() - start < 3.0
    assert wait_until(lambda: [e.kind for e in events] == ["inserted", "removed"], 5.0), events
