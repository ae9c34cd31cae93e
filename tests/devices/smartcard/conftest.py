"""Fixtures for PC/SC tests: the machine's pcscd (started if needed), a vpcd slot of our own, virtual cards in it.

The chain under test is the production one: pyscard -> pcscd -> vpcd -> our virtual card over TCP.
"""
from __future__ import annotations

from typing import Callable, Iterator

import pytest

from devices.smartcard.pcscd import Pcscd
from devices.smartcard.reader import PcscCardReader, wait_for_presence
from devices.smartcard.virtual_card import SlotClaim, VpcdCard, claim_slot


@pytest.fixture(scope="module")
def pcscd() -> Iterator[Pcscd]:
    daemon = Pcscd().start()
    yield daemon
    daemon.stop()


@pytest.fixture(scope="module")
def slot_claim(pcscd: Pcscd) -> Iterator[SlotClaim]:
    # another test run or the simulator may use vpcd at the same time: take a slot nobody holds
    with claim_slot(pcscd.slots, timeout=120.0) as claim:
        yield claim


@pytest.fixture
def reader_name(slot_claim: SlotClaim) -> str:
    return slot_claim.slot.reader


@pytest.fixture
def reader(reader_name: str) -> Iterator[PcscCardReader]:
    device = PcscCardReader(reader_name)
    yield device
    device.close()


@pytest.fixture
def make_card(slot_claim: SlotClaim) -> Iterator[Callable[..., VpcdCard]]:
    """make_card(cls, *args) builds a virtual card for our slot; all are pulled out after the test, and the test
    after it starts only once pcscd has seen the reader empty."""
    cards: list[VpcdCard] = []

    def make(cls: type[VpcdCard], *args: object, **kwargs: object) -> VpcdCard:
        card = cls(*args, slot=slot_claim.slot, **kwargs)
        cards.append(card)
        return card

    yield make
    for card in cards:
        card.close()
    assert wait_for_presence(slot_claim.slot.reader, False, 5.0), "reader still shows a card"
