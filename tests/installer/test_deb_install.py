"""The Debian package, end to end: `installer/build_deb.py` builds it, it installs into a clean Debian root made
by debootstrap (dependencies resolved from this machine's own mirror), and booted with systemd the root starts
the kiosk as a service: cage (headless wlroots backend, set by a test-only drop-in) runs the app, which reaches
READY=1, pings the watchdog, and is restarted when its UI hangs. Then enrollment, remove and purge.

Needs root, debootstrap, systemd-nspawn and a Debian bookworm mirror in /etc/apt (scripts/setup.sh installs
the tools); skipped with the reason otherwise. The debootstrap root is cached as a tarball (debroot.CACHE),
the wheelhouse under var/cache/deb; timings of the run land in <cache>/install_timings.json.
"""
from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.e2e.kioskproc import REPO_ROOT
from tests.e2e.test_resident_e2e import free_port
from tests.installer import debroot

pytestmark = pytest.mark.e2e
VERSION = __import__("tomllib").loads((REPO_ROOT / "pyproject.toml").read_text())["project"]["version"]
BASE = "var/lib/zhoudaoban"
STATION = "zs-dh-cjd-001"
TIMINGS: dict[str, float] = {}
HEADLESS_DROP_IN = """# test only: a container has no VT and no GPU; cage draws into memory
[Unit]
ConditionPathExists=
[Service]
TTYPath=
StandardInput=null
TTYReset=no
TTYVHangup=no
TTYVTDisallocate=no
Environment=WLR_BACKENDS=headless WLR_LIBINPUT_NO_DEVICES=1 WLR_RENDERER=pixman
# a short watchdog, so the hang check below takes seconds (the shipped unit says 60 s)
WatchdogSec=6
"""


def _why_not() -> str | None:
    if os.geteuid() != 0:
        return "needs root (debootstrap, chroot, systemd-nspawn)"
    for tool, package in (("dpkg-deb", "dpkg"), ("debootstrap", "debootstrap"), ("chroot", "coreutils"),
                          ("systemd-nspawn", "systemd-container"), ("nsenter", "util-linux")):
        if shutil.which(tool) is None:
            return f"{tool} not found (apt-get install {package}; scripts/setup.sh does)"
    if debroot.mirror(debroot.apt_sources()) is None:
        return f"no Debian {debroot.CODENAME} mirror in this machine's apt sources"
    return None


if (_reason := _why_not()) is not None:
    pytestmark = [pytest.mark.e2e, pytest.mark.skip(reason=_reason)]


def timed(name: str, started: float) -> None:
    TIMINGS[name] = round(time.monotonic() - started, 1)


@pytest.fixture(scope="module")
def work() -> Path:
    path = debroot.work_dir()
    yield path
    debroot.remove_work_dir(path)


@pytest.fixture(scope="module")
def deb(work) -> Path:
    started = time.monotonic()
    out = work / "dist"
    result = subprocess.run([sys.executable, "installer/build_deb.py", "--out", str(out)], cwd=REPO_ROOT,
                            capture_output=True, text=True, timeout=1800)
    assert result.returncode == 0, result.stderr[-3000:]
    timed("build_deb_s", started)
    return out / f"zhoudaoban_{VERSION}_amd64.deb"


@pytest.fixture(scope="module")
def installed(deb, work):
    """A fresh root from the cached debootstrap tarball with the package installed; yields (root, apt output)."""
    sources = debroot.apt_sources()
    started = time.monotonic()
    tarball, made_in = debroot.base_tarball(debroot.mirror(sources))
    TIMINGS["debootstrap_s"] = round(made_in, 1)
    TIMINGS["base_root_cached"] = made_in == 0.0
    root = debroot.fresh_root(tarball, work / "root", debroot.for_codename(sources))
    timed("root_ready_s", started)
    shutil.copyfile(deb, root / "tmp" / deb.name)
    started = time.monotonic()
    with debroot.chroot_mounts(root):
        update = debroot.in_root(root, "apt-get", "update", "-q")
        assert update.returncode == 0, update.stderr[-2000:]
        # no Recommends: the package's Depends alone must be enough to run
        install = debroot.in_root(root, "apt-get", "install", "-y", "-q", "--no-install-recommends",
                                  f"/tmp/{deb.name}", timeout=1800)
    timed("apt_install_s", started)
    assert install.returncode == 0, (install.stdout[-3000:], install.stderr[-3000:])
    yield root, install.stdout + install.stderr
    (debroot.CACHE / "install_timings.json").write_text(json.dumps(TIMINGS, indent=2) + "\n")


def run_in(root: Path, *cmd: str, input: str | None = None) -> subprocess.CompletedProcess:
    with debroot.chroot_mounts(root):
        return debroot.in_root(root, *cmd, input=input)


def test_package_carries_the_app_the_wheels_the_service_and_its_scripts(deb):
    listing = subprocess.run(["dpkg-deb", "-c", str(deb)], capture_output=True, text=True, check=True).stdout
    paths = {line.split()[-1].lstrip(".") for line in listing.splitlines()}
    app = f"/opt/zhoudaoban/app-{VERSION}"
    for wanted in (f"{app}/main.py", f"{app}/requirements.txt", f"{app}/kiosk/sd_notify.py",
                   f"{app}/kiosk/data/catalog.json", "/usr/lib/zhoudaoban/launcher.py",
                   "/lib/systemd/system/zhoudaoban.service", "/usr/bin/zhoudaoban-enroll",
                   "/usr/lib/zhoudaoban/mount-usb", "/lib/udev/rules.d/90-zhoudaoban-usb.rules"):
        assert wanted in paths, wanted
    assert not [p for p in paths if p.startswith((f"{app}/tests/", f"{app}/bench/", f"{app}/.ci/"))]
    wheels = [p for p in paths if p.startswith("/opt/zhoudaoban/wheels/") and p.endswith(".whl")]
    assert any("pyside6_essentials" in w for w in wheels) and any("pyscard" in w for w in wheels)
    fields = subprocess.run(["dpkg-deb", "-f", str(deb), "Version", "Architecture", "Depends"],
                            capture_output=True, text=True, check=True).stdout
    assert f"Version: {VERSION}" in fields and "Architecture: amd64" in fields
    for dependency in ("python3-venv", "cage", "xwayland", "seatd", "fonts-noto-cjk"):
        assert dependency in fields
    control = subprocess.run(["dpkg-deb", "-I", str(deb)], capture_output=True, text=True, check=True).stdout
    assert all(script in control for script in ("postinst", "prerm", "postrm"))


def test_install_creates_the_user_the_dirs_the_venv_and_the_release(installed):
    root, apt_output = installed
    assert "zhoudaoban-enroll" in apt_output                      # the not-yet-enrolled hint
    user = run_in(root, "getent", "passwd", "zhoudaoban").stdout.strip().split(":")
    assert user[5] == f"/{BASE}" and user[6] == "/usr/sbin/nologin"
    groups = run_in(root, "id", "-nG", "zhoudaoban").stdout.split()
    assert {"dialout", "video", "plugdev", "lp"} <= set(groups)
    uid = int(user[2])
    data = (root / BASE / "data").stat()
    assert data.st_uid == uid and stat.S_IMODE(data.st_mode) == 0o700
    state = json.loads((root / BASE / "app/state.json").read_text())
    assert state["current"] == VERSION and state["trial"] is None
    assert (root / BASE / "app/releases" / VERSION / "main.py").is_file()
    assert (root / BASE / "app/releases" / VERSION).stat().st_uid == uid
    assert (root / "etc/systemd/system/graphical.target.wants/zhoudaoban.service").is_symlink()
    imports = run_in(root, "sh", "-c", f"cd /{BASE}/app/releases/{VERSION} && QT_QPA_PLATFORM=offscreen "
                     "/opt/zhoudaoban/venv/bin/python -c 'import PySide6.QtWidgets, smartcard, cv2, pyzbar.pyzbar,"
                     " kiosk.app, sync.worker, ui.app; print(\"ok\")'")
    assert imports.stdout.strip() == "ok", imports.stderr[-2000:]


def test_the_installed_unit_verifies(installed):
    root, _ = installed
    verify = run_in(root, "systemd-analyze", "verify", "zhoudaoban.service")
    assert verify.returncode == 0 and not verify.stdout.strip() and not verify.stderr.strip(), verify.stderr


def test_booted_root_runs_the_kiosk_as_a_service_and_restarts_a_hung_ui(installed, work):
    root, _ = installed
    drop_in = root / "etc/systemd/system/zhoudaoban.service.d"
    drop_in.mkdir(parents=True, exist_ok=True)
    (drop_in / "headless-test.conf").write_text(HEADLESS_DROP_IN)
    started = time.monotonic()
    with debroot.booted(root, work / "nspawn.log") as machine:
        def ready():
            shown = machine.show("zhoudaoban", "ActiveState", "StatusText", "MainPID", "NRestarts")
            return shown if shown.get("ActiveState") == "active" else None

        # Type=notify: "active" only after the app's READY=1, which it sends with the home screen up
        shown = machine.wait_for(ready, 120, "zhoudaoban.service to become active (READY=1)")
        timed("boot_to_ready_s", started)
        assert shown["StatusText"] == "首页已显示"
        journal = machine.run("journalctl", "-u", "zhoudaoban", "-b", "--no-pager").stdout
        assert "starting kiosk, data dir /var/lib/zhoudaoban/data" in journal
        assert (root / BASE / "data/kiosk.db").exists()
        app_pid = app_process(machine, shown["MainPID"])
        environ = machine.run("cat", f"/proc/{app_pid}/environ").stdout.split("\0")
        assert f"ZDB_APP_ROOT=/{BASE}/app" in environ and "QT_QPA_PLATFORM=wayland" in environ

        first = int(machine.show("zhoudaoban", "WatchdogTimestampMonotonic")["WatchdogTimestampMonotonic"])
        machine.wait_for(lambda: int(machine.show("zhoudaoban", "WatchdogTimestampMonotonic")
                                     ["WatchdogTimestampMonotonic"]) > first, 20, "a WATCHDOG=1 ping")

        machine.run("sh", "-c", f"kill -STOP {app_pid}")   # a hung UI: no more pings (the shell's kill: no procps)
        restarted = machine.wait_for(lambda: (s := ready()) and int(s["NRestarts"]) > int(shown["NRestarts"])
                                     and s, 90, "the watchdog to restart the kiosk")
        assert restarted["MainPID"] != shown["MainPID"]
        assert "Watchdog timeout" in machine.run("journalctl", "-u", "zhoudaoban", "-b", "--no-pager").stdout
    (drop_in / "headless-test.conf").unlink()


def app_process(machine, cage_pid: str) -> int:
    """The pid (in the container) of the kiosk app: cage's child running main.py (minbase has no pgrep)."""
    children = machine.run("cat", f"/proc/{cage_pid}/task/{cage_pid}/children").stdout.split()
    for pid in children:
        if f"releases/{VERSION}/main.py" in machine.run("cat", f"/proc/{pid}/cmdline").stdout:
            return int(pid)
    raise AssertionError(f"no main.py among cage's children {children}")


def test_enrollment_command_enrolls_as_the_kiosk_user_and_remembers_the_hub(installed, work):
    from sync.hub.testing import run_hub_subprocess

    root, _ = installed
    assert run_in(root, "zhoudaoban-enroll", "--check").returncode == 1
    port = free_port()
    url = f"http://127.0.0.1:{port}"   # the chroot shares this machine's network
    with run_hub_subprocess(work / "hub.db", port=port, require_auth=True,
                            env=os.environ | {"ZDB_HUB_STAFF_PASSWORD": "installer-test"}):
        code = subprocess.run([sys.executable, "-m", "sync.hub", "enroll-code", "--station", STATION, "--db",
                               str(work / "hub.db")], cwd=REPO_ROOT, capture_output=True, text=True,
                              check=True).stdout.split()[0]
        enrolled = run_in(root, "zhoudaoban-enroll", "--hub", url, "--station", STATION, input=code + "\n")
    assert enrolled.returncode == 0, enrolled.stderr
    assert code not in enrolled.stdout + enrolled.stderr
    data = root / BASE / "data"
    owner = (root / BASE / "data").stat().st_uid
    assert (data / "terminal.json").stat().st_uid == owner and (data / "terminal.key").stat().st_uid == owner
    config = json.loads((data / "config.json").read_text())
    assert config["hub_url"] == url and config["station_id"] == STATION
    assert stat.S_IMODE((data / "config.json").stat().st_mode) == 0o600
    assert run_in(root, "zhoudaoban-enroll", "--check").returncode == 0
    again = run_in(root, "zhoudaoban-enroll", input="whatever\n")
    assert again.returncode == 2 and "--force" in again.stderr    # an enrolled terminal is not re-enrolled by accident


def test_the_usb_stick_mount_helper_is_installed_for_udev(installed):
    root, _ = installed
    helper = root / "usr/lib/zhoudaoban/mount-usb"
    assert os.access(helper, os.X_OK) and run_in(root, "sh", "-n", "/usr/lib/zhoudaoban/mount-usb").returncode == 0
    rule = (root / "lib/udev/rules.d/90-zhoudaoban-usb.rules").read_text()
    assert 'RUN+="/usr/lib/zhoudaoban/mount-usb $devnode %k"' in rule
    assert (root / "usr/bin/systemd-mount").exists()             # what the helper runs, from the systemd package



def test_remove_keeps_the_kiosk_data_and_purge_deletes_it(installed):
    root, _ = installed
    removed = run_in(root, "apt-get", "remove", "-y", "-q", "zhoudaoban")
    assert removed.returncode == 0, removed.stderr
    assert (root / BASE / "data/kiosk.db").exists() and (root / BASE / "app/state.json").exists()
    assert not (root / "opt/zhoudaoban").exists()                 # venv included: nothing left behind
    assert not (root / "lib/systemd/system/zhoudaoban.service").exists()
    purged = run_in(root, "apt-get", "purge", "-y", "-q", "zhoudaoban")
    assert purged.returncode == 0, purged.stderr
    assert not (root / BASE).exists()
    assert not (root / "etc/systemd/system/graphical.target.wants/zhoudaoban.service").exists()
