"""A pcscd for tests and the simulator, plus what this machine's vpcd driver offers.

pcscd has one fixed socket (/run/pcscd/pcscd.comm), so there is only ever one per machine: `Pcscd.start()` reuses a
running one and starts its own (`setsid pcscd -f`) only when none runs. Several processes may share it (two test
runs, the simulator), so each started `Pcscd` holds a shared lock while it uses the daemon, and the last user stops
it, and only if this helper started it: a system pcscd is never stopped. pcscd takes >1 s to exit on SIGTERM, so
stopping waits for the process to be gone before anyone may start the next one.

vpcd (Debian vsmartcard-vpcd) registers through /etc/reader.conf.d/vpcd: one CHANNELID (TCP port 35963) gives two
readers, "Virtual PCD 00 00" on that port and "Virtual PCD 00 01" on the next, which pcscd listens on.
"""
from __future__ import annotations

import contextlib
import fcntl
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Iterator

PCSCD_SOCKET = Path("/run/pcscd/pcscd.comm")
PCSCD_PIDFILE = Path("/run/pcscd/pcscd.pid")
READER_CONF_DIR = Path("/etc/reader.conf.d")
VPCD_PORT = 35963                 # vpcd's default CHANNELID (0x8C7B)
VPCD_FRIENDLY_NAME = "Virtual PCD"
VPCD_SLOTS_PER_CHANNEL = 2
LOCK_DIR = Path(tempfile.gettempdir()) / "zdb-pcsc"


class PcscdUnavailable(RuntimeError):
    """pcscd is not installed, or could not be started or stopped."""


class PcscdBusy(RuntimeError):
    """Someone else uses the running pcscd (or it is the system's): it cannot be stopped for a test now."""


@dataclass(frozen=True)
class VpcdSlot:
    port: int      # where a virtual card connects
    reader: str    # the PC/SC reader name pcscd gives that slot


# --- machine facts ------------------------------------------------------------------------------------------

def pcscd_binary() -> str | None:
    # /usr/sbin is not on an ordinary user's PATH
    return shutil.which("pcscd") or shutil.which("pcscd", path="/usr/sbin:/usr/local/sbin")


def vpcd_slots(conf_dir: Path = READER_CONF_DIR) -> tuple[VpcdSlot, ...]:
    """The virtual readers vpcd's reader.conf entries give pcscd; () when vpcd is not installed."""
    slots: list[VpcdSlot] = []
    for index, (friendly, port) in enumerate(_vpcd_entries(conf_dir)):
        slots += [VpcdSlot(port + n, f"{friendly} {index:02X} {n:02X}") for n in range(VPCD_SLOTS_PER_CHANNEL)]
    return tuple(slots)


def _vpcd_entries(conf_dir: Path) -> list[tuple[str, int]]:
    entries = []
    for path in sorted(conf_dir.glob("*")) if conf_dir.is_dir() else ():
        try:
            fields = _reader_conf_fields(path.read_text(errors="replace"))
        except OSError:
            continue
        if "vpcd" in fields.get("LIBPATH", "") and Path(fields["LIBPATH"]).exists():
            entries.append((fields.get("FRIENDLYNAME", VPCD_FRIENDLY_NAME), _channel_port(fields)))
    return entries


def _reader_conf_fields(text: str) -> dict[str, str]:
    fields = {}
    for line in text.splitlines():
        match = re.match(r'\s*([A-Z]+)\s+"?([^"#]*?)"?\s*$', line)
        if match:
            fields[match.group(1)] = match.group(2)
    return fields


def _channel_port(fields: dict[str, str]) -> int:
    try:
        return int(fields.get("CHANNELID", ""), 0)
    except ValueError:
        return VPCD_PORT


def port_listening(port: int) -> bool:
    """Whether something listens on TCP `port`, read from /proc: connecting to vpcd would insert a card."""
    wanted = f":{port:04X}"
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            cols = line.split()
            if len(cols) > 3 and cols[1].endswith(wanted) and cols[3] == "0A":   # 0A = LISTEN
                return True
    return False


def port_bindable(port: int) -> bool:
    """Could a listener bind `port` now, as vpcd does (no SO_REUSEADDR)? Binding without listening leaves nothing."""
    with socket.socket() as probe:
        try:
            probe.bind(("", port))
        except OSError:
            return False
    return True


def running_pid() -> int | None:
    """The pid of the pcscd that answers on the socket, or None."""
    if not _socket_answers():
        return None
    try:
        pid = int(PCSCD_PIDFILE.read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return -1          # answers, but runs without our pid file (another build or a container)
    return pid if _alive(pid) else -1


def _socket_answers() -> bool:
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as probe:
        probe.settimeout(0.5)
        try:
            probe.connect(str(PCSCD_SOCKET))
        except OSError:
            return False
    return True


def _alive(pid: int) -> bool:
    """Running and not a zombie (a pcscd we started but another process stopped stays a zombie until reaped)."""
    try:
        os.kill(pid, 0)
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state not in ("Z", "X")


def _clear_stale_files() -> None:
    """A pcscd that died without cleaning up (SIGKILL, a crash) leaves its pid file behind; if that pid is now a
    zombie (an unreaped child of ours), a new pcscd believes it still runs and refuses to start."""
    try:
        pid = int(PCSCD_PIDFILE.read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return
    if not _alive(pid):
        for path in (PCSCD_PIDFILE, PCSCD_SOCKET):
            with contextlib.suppress(OSError):
                path.unlink(missing_ok=True)


# --- cross-process locks ------------------------------------------------------------------------------------

def lock_file(name: str) -> IO[str]:
    if not LOCK_DIR.is_dir():
        LOCK_DIR.mkdir(exist_ok=True)
        with contextlib.suppress(OSError):
            LOCK_DIR.chmod(0o1777)            # shared by every user's test runs, like /tmp itself
    handle = open(LOCK_DIR / name, "a+")
    with contextlib.suppress(OSError):
        os.chmod(handle.name, 0o666)
    return handle


def flock(handle: IO[str], mode: int, timeout: float) -> bool:
    """fcntl.flock with a deadline (a plain flock can wait forever). False when the deadline passed."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            fcntl.flock(handle, mode | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            if time.monotonic() >= deadline:
                return False
        time.sleep(0.02)


@contextlib.contextmanager
def _decisions(timeout: float) -> Iterator[None]:
    """Serializes start/stop decisions of all processes on this machine."""
    with lock_file("decide.lock") as handle:
        if not flock(handle, fcntl.LOCK_EX, timeout):
            raise PcscdBusy("another process is starting or stopping pcscd")
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _marker() -> Path:
    return LOCK_DIR / "started.pid"


def _started_by_helper(pid: int | None) -> bool:
    try:
        return pid is not None and pid > 0 and int(_marker().read_text()) == pid
    except (OSError, ValueError):
        return False


# --- the daemon -----------------------------------------------------------------------------------------------

class Pcscd:
    """Use of the machine's pcscd: `start()` (reuse or launch), `stop()` (the last user stops one we launched)."""

    def __init__(self, binary: str | None = None, start_timeout: float = 10.0, stop_timeout: float = 10.0,
                 lock_timeout: float = 60.0, slots: tuple[VpcdSlot, ...] | None = None,
                 port_free_timeout: float = 65.0):
        self.binary = binary or pcscd_binary()
        self.port_free_timeout = port_free_timeout
        self.start_timeout = start_timeout
        self.stop_timeout = stop_timeout
        self.lock_timeout = lock_timeout
        self.slots = vpcd_slots() if slots is None else slots
        self.started_here = False                 # this object launched the running daemon
        self._proc: subprocess.Popen | None = None
        self._users: IO[str] | None = None
        self._log = LOCK_DIR / f"pcscd-{os.getpid()}.log"

    def __enter__(self) -> "Pcscd":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def pid(self) -> int | None:
        return running_pid()

    def start(self) -> "Pcscd":
        if self._users is not None:
            return self
        if not self.binary:
            raise PcscdUnavailable("pcscd is not installed (Debian: apt-get install pcscd)")
        users = lock_file("users.lock")
        if not flock(users, fcntl.LOCK_SH, self.lock_timeout):   # someone holds it exclusively (pcscd paused)
            users.close()
            raise PcscdBusy("pcscd is paused by another process")
        self._users = users
        try:
            with _decisions(self.lock_timeout):
                if running_pid() is None:
                    self._launch()
            self._wait_ready()
        except BaseException:
            self._end_own_launch()
            self._release_users()
            raise
        return self

    def stop(self) -> None:
        """Stop using pcscd; stops the daemon if we are its last user and this helper launched it."""
        if self._users is None:
            return
        try:
            with _decisions(self.lock_timeout):
                fcntl.flock(self._users, fcntl.LOCK_UN)
                if flock(self._users, fcntl.LOCK_EX, 0):          # nobody else uses it
                    self._terminate_if_ours()
        finally:
            self._release_users()

    @contextlib.contextmanager
    def paused(self, timeout: float | None = None) -> Iterator[None]:
        """pcscd stopped for the duration (tests of 'pcscd went away'). Waits up to `timeout` s for the other users
        to leave; PcscdBusy if they do not, or if the running pcscd is not one this helper started."""
        if self._users is None:
            raise RuntimeError("start() first")
        wait = self.lock_timeout if timeout is None else timeout
        fcntl.flock(self._users, fcntl.LOCK_UN)      # two pausers each waiting to upgrade their shared lock: deadlock
        if not flock(self._users, fcntl.LOCK_EX, wait):
            self._back_to_shared()
            raise PcscdBusy("other processes use pcscd")
        with _decisions(self.lock_timeout):
            pid = running_pid()
            if pid is not None and not _started_by_helper(pid):
                self._back_to_shared()
                raise PcscdBusy("the running pcscd was not started by this helper (a system service?)")
            self._terminate_if_ours()
        try:
            yield
        finally:
            with _decisions(self.lock_timeout):
                if running_pid() is None:
                    self._launch()
                self._back_to_shared()
            self._wait_ready()

    def _back_to_shared(self) -> None:
        if not flock(self._users, fcntl.LOCK_SH, self.lock_timeout):
            raise PcscdBusy("could not rejoin pcscd's users")

    # --- internals ------------------------------------------------------------------------------------------
    def _launch(self) -> None:
        _clear_stale_files()
        self._wait_ports_free()
        with open(self._log, "wb") as log:
            # setsid: a Ctrl-C in the terminal that runs the tests must not reach the daemon
            self._proc = subprocess.Popen([self.binary, "-f"], stdin=subprocess.DEVNULL, stdout=log,
                                          stderr=subprocess.STDOUT, start_new_session=True)
        self.started_here = True
        _marker().write_text(str(self._proc.pid))

    def _end_own_launch(self) -> None:
        """A daemon launched here that never got ready must not outlive the failed start (it may not even answer
        on its socket yet, so `running_pid` cannot find it: end the child itself)."""
        if self._proc is None or self._proc.poll() is not None:
            return
        self._proc.terminate()
        try:
            self._proc.wait(self.stop_timeout)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            self._proc.wait(5.0)
        _marker().unlink(missing_ok=True)
        self.started_here = False

    def _wait_ports_free(self) -> None:
        """vpcd binds its ports without SO_REUSEADDR: a port left in TIME_WAIT by a daemon stopped moments ago
        (up to 60 s) would make the new one come up without its readers. Wait for the ports instead."""
        deadline = time.monotonic() + self.port_free_timeout
        while any(not port_bindable(s.port) for s in self.slots) and time.monotonic() < deadline:
            time.sleep(0.2)

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + self.start_timeout
        while time.monotonic() < deadline:
            if self._proc is not None and self._proc.poll() is not None and running_pid() is None:
                raise PcscdUnavailable(f"pcscd exited at start (code {self._proc.returncode}): {self._log_tail()}")
            if running_pid() is not None and all(port_listening(s.port) for s in self.slots):
                return
            time.sleep(0.05)
        raise PcscdUnavailable(f"pcscd not ready after {self.start_timeout:.0f} s: {self._log_tail()}")

    def _terminate_if_ours(self) -> None:
        pid = running_pid()
        if not _started_by_helper(pid):
            return
        os.kill(pid, signal.SIGTERM)
        if not self._wait_gone(pid, self.stop_timeout):
            os.kill(pid, signal.SIGKILL)
            self._wait_gone(pid, 5.0)
        _marker().unlink(missing_ok=True)
        self.started_here = False

    def _wait_gone(self, pid: int, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._proc is not None and self._proc.pid == pid:
                with contextlib.suppress(subprocess.TimeoutExpired):
                    self._proc.wait(timeout=0.05)          # reap our own child
            if not _alive(pid):
                return True
            time.sleep(0.05)
        return False

    def _release_users(self) -> None:
        if self._users is not None:
            with contextlib.suppress(OSError):
                fcntl.flock(self._users, fcntl.LOCK_UN)
            self._users.close()
            self._users = None
        self._log.unlink(missing_ok=True)     # a daemon still running keeps writing to the unlinked file

    def _log_tail(self) -> str:
        try:
            return self._log.read_text(errors="replace")[-400:].strip() or "no output"
        except OSError:
            return "no output"
