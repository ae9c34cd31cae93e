"""The simulator bench: the simulated devices of a kiosk, their controls and whether each is "plugged in".

Simulators are found by the same scan as hardware (their backends enumerate only while plugged), so unplugging
one here is seen by the device manager exactly like a USB cable pulled out. The dev dock drives this bench.
"""
from __future__ import annotations

import logging
import threading
from pathlib import Path

from devices.base import SocialSecurityCard
from devices.idcard.simulator import IdCardSimulator
from devices.printer.sim import SimPrinter
from devices.qr_sim import SimQrScanner
from kiosk.config import Config

log = logging.getLogger(__name__)

SIM_FAMILIES = ("idcard", "qr", "printer", "smartcard")
DEMO_SSCARD = SocialSecurityCard(card_number="A12345678", name="王海生", id_number="330902196803121232",
                                 issuer="330900")   # fictitious, the same demo resident as the ID card


class SmartCardSim:
    """A simulated social security card in a real PC/SC reader: our virtual card in a vpcd slot of a pcscd we
    start (or share). Residents' and agents' cards go in and out through `insert()` / `remove()`."""

    def __init__(self, card: SocialSecurityCard = DEMO_SSCARD, inserted: bool = True):
        from devices.smartcard.pcscd import Pcscd
        from devices.smartcard.virtual_card import VirtualSocialSecurityCard, claim_slot

        self._pcscd = Pcscd().start()
        try:
            self._claim = claim_slot(timeout=5.0)
        except Exception:
            self._pcscd.stop()
            raise
        self.reader = self._claim.slot.reader
        self.card = VirtualSocialSecurityCard(card, slot=self._claim.slot)
        if inserted:
            self.card.insert()

    def insert(self) -> None:
        self.card.insert()

    def remove(self) -> None:
        self.card.remove()

    def close(self) -> None:
        try:
            self.card.close()
        finally:
            self._claim.release()
            self._pcscd.stop()


class SimulatorBench:
    def __init__(self, config: Config, data_dir: Path):
        self.config = config
        self.receipts = Path(data_dir) / "receipts"
        self._lock = threading.Lock()
        self.idcard: IdCardSimulator | None = None
        self.qr: SimQrScanner | None = None
        self.printer: SimPrinter | None = None
        self.smartcard: SmartCardSim | None = None
        for family in SIM_FAMILIES:
            if config[f"{family}_backend"] == "sim":
                self._create(family)

    def _create(self, family: str) -> None:
        if family == "idcard":
            self.idcard = IdCardSimulator(demo=self.config["sim_demo_card"], baud=115200)  # paced like a real line
        elif family == "qr":
            self.qr = SimQrScanner(demo=self.config["sim_demo_qr"])
        elif family == "printer":
            self.printer = SimPrinter(self.receipts, self.config["printer_width_mm"])
        elif family == "smartcard":
            try:
                self.smartcard = SmartCardSim()
            except Exception as exc:   # no pcscd/vpcd on this machine: the family reads as absent, kiosk runs on
                log.warning("simulated smart card reader unavailable: %s", exc)

    def plugged(self, family: str) -> bool:
        sim = getattr(self, family, None)
        return sim is not None and getattr(sim, "plugged", True)

    def unplug(self, family: str) -> None:
        """Pull the simulated device's cable: the ID reader's pty goes away, the others vanish from the scan."""
        with self._lock:
            sim = getattr(self, family)
            if sim is None:
                return
            if hasattr(sim, "unplug"):
                sim.unplug()
            else:
                sim.close()
                setattr(self, family, None)
        log.info("simulated %s unplugged", family)

    def plug(self, family: str) -> None:
        with self._lock:
            sim = getattr(self, family)
            if sim is not None and hasattr(sim, "plug"):
                if not sim.plugged:
                    sim.plug()
            elif sim is None:
                self._create(family)
        log.info("simulated %s plugged in", family)

    def close(self) -> None:
        for family in SIM_FAMILIES:
            sim = getattr(self, family)
            if sim is not None:
                sim.close()
