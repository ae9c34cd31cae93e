"""Fixtures for device tests: a pty ID card simulator with the real serial driver on its slave end."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:          # plain `pytest` (not `python -m pytest`) does not add the repo root
    sys.path.insert(0, str(ROOT))

from devices.idcard.reader import SerialIdCardReader  # noqa: E402
from devices.idcard.simulator import IdCardSimulator  # noqa: E402


@pytest.fixture
def sim():
    simulator = IdCardSimulator()
    yield simulator
    simulator.close()


@pytest.fixture
def reader(sim):
    # short frame timeouts keep failure tests quick; the protocol path is the production one
    driver = SerialIdCardReader(sim.port, frame_timeout=0.3, read_timeout=1.0, gap_timeout=0.15,
                                poll_interval=0.05)
    yield driver
    driver.close()
