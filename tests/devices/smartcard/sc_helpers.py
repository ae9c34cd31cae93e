"""Helpers shared by the smart card tests (a module of its own: conftest.py is not importable by name)."""
from __future__ import annotations

import time
from typing import Callable

import pytest

from devices.base import SocialSecurityCard
from devices.smartcard.pcscd import pcscd_binary, vpcd_slots

# The same person as the ID card demo elsewhere in the tests; the 卡号 is made up.
DEMO_CARD = SocialSecurityCard(card_number="A12345678", name="王海生", id_number="330902196803121232",
                               issuer="330900")


def missing_binaries() -> str:
    if pcscd_binary() is None:
        return "pcscd is not installed (apt-get install pcscd; scripts/setup.sh does)"
    if not vpcd_slots():
        return "vpcd is not installed (apt-get install vsmartcard-vpcd; scripts/setup.sh does)"
    return ""


needs_pcscd = pytest.mark.skipif(bool(missing_binaries()), reason=missing_binaries() or "ok")


def wait_until(predicate: Callable[[], bool], timeout: float, step: float = 0.02) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(step)
    return predicate()
