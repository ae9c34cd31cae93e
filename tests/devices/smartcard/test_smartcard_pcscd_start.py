"""Launching pcscd: a daemon that never got ready is not left behind; vpcd ports still in TIME_WAIT are waited out."""
from __future__ import annotations

import socket
import threading
import time

import pytest

from devices.smartcard.pcscd import Pcscd, PcscdUnavailable, port_bindable, running_pid, vpcd_slots
from sc_helpers import needs_pcscd

pytestmark = [needs_pcscd, pytest.mark.timeout(90)]


@pytest.fixture
def no_pcscd_running():
    if running_pid() is not None:
        pytest.skip("another pcscd is running: this test must launch its own")


def test_a_launch_that_never_gets_ready_leaves_no_daemon(no_pcscd_running):
    daemon = Pcscd(start_timeout=0.0)
    with pytest.raises(PcscdUnavailable):
        daemon.start()                             # gives up before the daemon can answer
    assert daemon._proc is not None and daemon._proc.poll() is not None   # the child it launched is gone
    time.sleep(1.0)
    assert running_pid() is None


def test_a_vpcd_port_still_taken_is_waited_for(no_pcscd_running):
    port = vpcd_slots()[0].port
    if not port_bindable(port):
        pytest.skip(f"port {port} is in use by something else")
    held = socket.socket()
    held.bind(("", port))                          # what a TIME_WAIT left by a stopped daemon looks like to vpcd
    threading.Timer(1.0, held.close).start()
    started = time.monotonic()
    daemon = Pcscd().start()
    try:
        assert time.monotonic() - started >= 1.0   # it waited for the port rather than starting without readers
        assert running_pid() is not None
    finally:
        daemon.stop()
