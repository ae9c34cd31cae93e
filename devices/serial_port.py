"""What the serial drivers (ID card reader, QR scanner, receipt printer) share about a port that may vanish."""
from __future__ import annotations

from typing import Any

import serial

try:
    from termios import error as TermiosError   # tcflush/tcsetattr on a vanished tty raise this, not OSError
except ImportError:  # pragma: no cover - not POSIX
    TermiosError = OSError

SERIAL_IO_ERRORS = (serial.SerialException, OSError, TermiosError)


def close_quietly(port: Any) -> None:
    """Close a port that may already be gone (cable pulled): there is nothing left to report."""
    if port is None:
        return
    try:
        port.close()
    except SERIAL_IO_ERRORS:
        pass
