"""Receipt printers: ESC/POS layout and encoding held once, transports and the simulator separate.

escpos_doc (layout, GBK encoding) -> printer (EscposPrinter: status checks, one job) -> transports / usb
(file, raw TCP, serial, character device, pyusb). status parses DLE EOT and ASB. simulator serves a real wire
(TCP, pty) and reads it with stream; sim is the kiosk's default printer: the real driver against the simulator.
backends holds the device manager's enumerate_*/open_* functions and the printer settings.
"""
import os
from pathlib import Path

# python-escpos parses a large YAML printer-profile file on import (~0.2 s) and caches it as a pickle in a
# fresh mkdtemp() directory unless told where: a new, never-reused temp dir on every start. Point it at a
# stable cache so the kiosk starts faster and /tmp is not littered.
if "ESCPOS_CAPABILITIES_PICKLE_DIR" not in os.environ:
    _cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "zhoudaoban" / "escpos"
    try:
        _cache.mkdir(parents=True, exist_ok=True)
        os.environ["ESCPOS_CAPABILITIES_PICKLE_DIR"] = str(_cache)
    except OSError:
        pass  # read-only home: escpos falls back to its temp dir
