"""Which backends exist for each device family, and building a kiosk's devices from its config.

Backends register by name (`BackendRegistry`); `build_devices` makes the manager that scans them and a
`SimulatorBench` for the families configured as "sim". Callers reach devices through `Devices`, whose attributes
ask the manager each time, so a reader unplugged and plugged back in is simply found again.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from devices.idcard.reader import SerialIdCardReader
from devices.manager import Backend, BackendRegistry, DeviceInfo, DeviceManager
from devices.printer.printer import EscposPrinter
from devices.printer.transports import FileTransport
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


def _serial_idcard_enumerate(config: Config) -> list[DeviceInfo]:
    port = config["idcard_port"]
    return [DeviceInfo("idcard", "serial", port, "ID card reader")] if port and Path(port).exists() else []


def _file_printer_enumerate(receipts: Path) -> Callable[[Config], list[DeviceInfo]]:
    return lambda config: [DeviceInfo("printer", "file", str(receipts), "ESC/POS to files")]


def default_registry(bench: SimulatorBench, receipts: Path) -> BackendRegistry:
    registry = BackendRegistry()
    # The simulated ID reader is driven by the real serial driver over the simulator's pty.
    registry.register(_sim_backend("idcard", bench, "simulated ID card reader (pty)",
                                   lambda info, config: SerialIdCardReader(info.path)))
    registry.register(Backend("idcard", "serial", _serial_idcard_enumerate,
                              lambda info, config: SerialIdCardReader(info.path)))
    registry.register(_sim_backend("qr", bench, "simulated QR scanner", lambda info, config: bench.qr))
    registry.register(_sim_backend("printer", bench, "simulated receipt printer",
                                   lambda info, config: bench.printer))
    registry.register(Backend("printer", "file", _file_printer_enumerate(receipts),
                              lambda info, config: EscposPrinter(FileTransport(Path(info.path)),
                                                                 config["printer_width_mm"])))
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
