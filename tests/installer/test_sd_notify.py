"""kiosk.sd_notify against real AF_UNIX datagram sockets (path and abstract), as systemd provides them."""
from __future__ import annotations

import socket
import uuid

import pytest

from kiosk import sd_notify


@pytest.fixture
def listener(tmp_path):
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    path = str(tmp_path / "notify.sock")
    sock.bind(path)
    sock.settimeout(5)
    yield path, sock
    sock.close()


def test_sends_state_to_a_path_socket(listener):
    path, sock = listener
    assert sd_notify.notify("READY=1", {"NOTIFY_SOCKET": path}) is True
    assert sock.recv(4096) == b"READY=1"


def test_sends_to_an_abstract_socket():
    name = f"zdb-test-{uuid.uuid4().hex}"
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
        sock.bind(b"\0" + name.encode())
        sock.settimeout(5)
        assert sd_notify.notify("WATCHDOG=1", {"NOTIFY_SOCKET": "@" + name}) is True
        assert sock.recv(4096) == b"WATCHDOG=1"


def test_reads_the_process_environment(listener, monkeypatch):
    path, sock = listener
    monkeypatch.setenv("NOTIFY_SOCKET", path)
    assert sd_notify.notify("STATUS=首页已显示") is True
    assert sock.recv(4096).decode("utf-8") == "STATUS=首页已显示"


@pytest.mark.parametrize("value", ["", "@", "relative/path", "vsock:2:1234"])
def test_no_socket_or_unknown_transport_is_a_no_op(value):
    assert sd_notify.notify("READY=1", {"NOTIFY_SOCKET": value}) is False


def test_no_environment_variable_is_a_no_op(monkeypatch):
    monkeypatch.delenv("NOTIFY_SOCKET", raising=False)
    assert sd_notify.notify("READY=1") is False


def test_a_missing_socket_is_reported_not_raised(tmp_path):
    assert sd_notify.notify("READY=1", {"NOTIFY_SOCKET": str(tmp_path / "gone.sock")}) is False


def test_watchdog_interval_is_half_the_period():
    assert sd_notify.watchdog_interval_ms({"WATCHDOG_USEC": "60000000"}) == 30_000
    assert sd_notify.watchdog_interval_ms({"WATCHDOG_USEC": "1"}) == 1


@pytest.mark.parametrize("value", [None, "", "0", "-5", "soon"])
def test_no_watchdog_without_a_positive_period(value):
    environ = {} if value is None else {"WATCHDOG_USEC": value}
    assert sd_notify.watchdog_interval_ms(environ) is None
