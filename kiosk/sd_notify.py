"""systemd service notifications without libsystemd: `notify("READY=1")`, `notify("WATCHDOG=1")`.

The installed kiosk runs as `zhoudaoban.service` (Type=notify, WatchdogSec=): systemd hands the service a
datagram socket in $NOTIFY_SOCKET and the watchdog period in $WATCHDOG_USEC. Outside systemd (a development
checkout, the tests) neither is set and every call here is a no-op that returns False.
"""
from __future__ import annotations

import logging
import os
import socket
from typing import Mapping

log = logging.getLogger(__name__)


def notify(state: str, environ: Mapping[str, str] | None = None) -> bool:
    """Send `state` (e.g. "READY=1") to the service manager; True if it was sent, False when there is none."""
    address = _socket_address((os.environ if environ is None else environ).get("NOTIFY_SOCKET", ""))
    if address is None:
        return False
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC) as sock:
            sock.connect(address)
            sock.sendall(state.encode("utf-8"))
    except OSError as exc:
        # systemd gone or restarting: the service keeps running, and a missed watchdog ping is systemd's call
        log.warning("sd_notify: could not send %s (%s)", state.split("=", 1)[0], type(exc).__name__)
        return False
    return True


def watchdog_interval_ms(environ: Mapping[str, str] | None = None) -> int | None:
    """How often to send WATCHDOG=1: half of $WATCHDOG_USEC, in milliseconds; None when no watchdog is asked for.

    $WATCHDOG_PID is deliberately not compared with our pid: the service's main process is the `cage`
    compositor and the app is its child by design (NotifyAccess=all lets it ping).
    """
    raw = (os.environ if environ is None else environ).get("WATCHDOG_USEC", "")
    try:
        usec = int(raw)
    except ValueError:
        return None
    if usec <= 0:
        return None
    return max(1, usec // 2000)


def _socket_address(value: str) -> str | bytes | None:
    """A filesystem path, or an abstract socket written "@name" (sent as a leading NUL byte)."""
    if value.startswith("@") and len(value) > 1:
        return b"\0" + value[1:].encode("utf-8")
    if value.startswith("/"):
        return value
    return None   # unset, or a transport this sender does not speak (vsock:)
