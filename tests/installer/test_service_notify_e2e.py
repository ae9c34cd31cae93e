"""The kiosk process tells systemd it is ready once the home screen is up, then pings the watchdog.

Starts main.py as a real process (tests/e2e/kioskproc.py) with the two variables a Type=notify service with
WatchdogSec= gets, and listens on the datagram socket the way systemd does.
"""
from __future__ import annotations

import socket
import time

import pytest

from tests.e2e.kioskproc import KioskProcess

pytestmark = pytest.mark.e2e
HOME_GREETING = "您好！请问您要办什么事？"


def receive_until(sock: socket.socket, wanted, timeout: float) -> list[str]:
    """Datagrams until `wanted(messages)` holds; raises with what did arrive."""
    messages: list[str] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and not wanted(messages):
        sock.settimeout(max(0.1, deadline - time.monotonic()))
        try:
            messages.append(sock.recv(4096).decode("utf-8"))
        except TimeoutError:
            break
    assert wanted(messages), f"got only {messages}"
    return messages


def test_ready_after_home_screen_then_watchdog_pings(tmp_path, monkeypatch):
    sock_path = tmp_path / "notify.sock"
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    listener.bind(str(sock_path))
    monkeypatch.setenv("NOTIFY_SOCKET", str(sock_path))
    monkeypatch.setenv("WATCHDOG_USEC", "400000")   # ping every 0.2 s
    kiosk = KioskProcess(tmp_path / "kiosk", {"hub_url": "http://127.0.0.1:9"}, tmp_path / "kiosk.log")
    try:
        first = receive_until(listener, lambda m: any("READY=1" in x for x in m), timeout=60)
        assert HOME_GREETING in " ".join(kiosk.texts())   # READY came with the home screen on show
        assert first[0].startswith("READY=1")   # nothing before it: the watchdog timer starts with the loop
        pings = receive_until(listener, lambda m: m.count("WATCHDOG=1") >= 3, timeout=30)
        assert pings.count("WATCHDOG=1") >= 3
        assert kiosk.quit() == 0
    finally:
        kiosk.close()
        listener.close()

