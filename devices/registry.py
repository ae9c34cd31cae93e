"""Which backends exist for each device family, and building a kiosk's devices from its config.

Backends register by name (`BackendRegistry`); `build_devices` makes the manager that scans them and a
`SimulatorBench` for the families configured as "sim". Callers reach devices through `Devices`, whose attributes
ask the manager each time, so a reader unplugged and plugged back in is simply found again.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any, Callable

from devices.idcard.backends import enumerate_serial, open_serial
from devices.idcard.reader import SerialIdCardReader
from devices.manager import Backend, BackendRegistry, DeviceInfo, DeviceManager
from devices import qr_camera, qr_serial, qr_wedge
from devices.printer import backends as printer_backends
from devices.sims import SimulatorBench
from kiosk.config import Config


def _sim_backend(family: str, bench: SimulatorBench, label: str,
                 open_device: Callable[[DeviceInfo, Config], Any]) -> Backend:
    def enumerate_sim(config: Config) -> list[DeviceInfo]:
        if not bench.plugged(family):
            return []
        sim = getattr(bench, family)
        return [DeviceInfo(family, "sim", getattr(sim, "port", f"sim:{family}"), label, simulated=True)]
    return Backend(family, "sim", enumerate_sim, open_device)


# pyscard is imported only on kiosks that use a PC/SC reader: its SWIG module is heavy and best kept out of
# processes that never touch a smart card.
def _real_pcsc_readers(config: Config) -> list[DeviceInfo]:
    """Hardware readers only: every kiosk has vpcd's virtual readers installed, which hold no real cards."""
    from devices.smartcard.reader import enumerate_pcsc

    return [info for info in enumerate_pcsc(config) if not info.simulated]


def _sim_pcsc_reader(config: Config, bench: SimulatorBench) -> list[DeviceInfo]:
    from devices.smartcard.reader import enumerate_pcsc

    sim = bench.smartcard
    return [info for info in enumerate_pcsc(config) if sim is not None and info.path == sim.reader]


def _open_pcsc(info: DeviceInfo, config: Config):
    from devices.smartcard.reader import open_pcsc

    return open_pcsc(info, config)


def default_registry(bench: SimulatorBench, receipts: Path) -> BackendRegistry:
    registry = BackendRegistry()
    # The simulated ID reader is driven by the real serial driver over the simulator's pty.
    registry.register(_sim_backend("idcard", bench, "simulated ID card reader (pty)",
                                   lambda info, config: SerialIdCardReader(info.path)))
    registry.register(Backend("idcard", "serial", enumerate_serial, open_serial))
    registry.register(_sim_backend("qr", bench, "simulated QR scanner", lambda info, config: bench.qr))
    registry.register(Backend("smartcard", "pcsc", _real_pcsc_readers, _open_pcsc))
    registry.register(Backend("smartcard", "sim", partial(_sim_pcsc_reader, bench=bench), _open_pcsc))
    for name, module in (("camera", qr_camera), ("wedge", qr_wedge), ("serial", qr_serial)):
        registry.register(Backend("qr", name, getattr(module, f"enumerate_{name}"), getattr(module, f"open_{name}")))
    registry.register(_sim_backend("printer", bench, "simulated receipt printer",
                                   lambda info, config: bench.printer))
    registry.register(Backend("printer", "file", partial(printer_backends.enumerate_file, directory=receipts),
                              printer_backends.open_file))
    for name in ("network", "serial", "usb"):
        enumerate_printers, open_printer = printer_backends.BACKENDS[name]
        registry.register(Backend("printer", name, enumerate_printers, open_printer))
    return registry


@dataclass(frozen=True)
class Devices:
    manager: DeviceManager
    sims: SimulatorBench

    @property
    def idcard(self):
        return self.manager.device("idcard")

    @property
    def smartcard(self):
        return self.manager.device("smartcard")

    @property
    def qr(self):
        return self.manager.device("qr")

    @property
    def printer(self):
        return self.manager.device("printer")

    def close(self) -> None:
        self.manager.close()
        self.sims.close()


def build_devices(config: Config, data_dir: Path, publish: Callable[[object], None] = lambda event: None) -> Devices:
    receipts = Path(data_dir) / "receipts"
    bench = SimulatorBench(config, data_dir)
    try:
        manager = DeviceManager(config, default_registry(bench, receipts), publish)
        manager.check()   # first scan and open, so health is known before the first resident arrives
    except Exception:
        bench.close()
        raise
    return Devices(manager, bench)
