"""A clean Debian root for the package test: debootstrap (cached as a tarball), chroot, and a booted container.

The mirror is read from this machine's own apt sources at run time; nothing here names a host. Needs root,
debootstrap, and for `booted()` systemd-nspawn (package systemd-container) and nsenter.
"""
from __future__ import annotations

import contextlib
import os
import shutil
import signal
import stat
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

CODENAME = "bookworm"
CACHE = Path(os.environ.get("ZDB_INSTALL_CACHE") or Path.home() / ".cache" / "zhoudaoban")
ROOT_ENV = ("PATH=/usr/sbin:/usr/bin:/sbin:/bin", "LANG=C.UTF-8", "HOME=/root", "DEBIAN_FRONTEND=noninteractive")


@dataclass(frozen=True)
class AptSource:
    uri: str
    suites: tuple[str, ...]
    components: tuple[str, ...]
    signed_by: str | None = None


def apt_sources(etc: Path = Path("/etc/apt")) -> list[AptSource]:
    """The `deb` entries of sources.list and sources.list.d/*.list|*.sources (one-line and deb822 formats)."""
    found: list[AptSource] = []
    for path in [etc / "sources.list", *sorted((etc / "sources.list.d").glob("*.list"))]:
        if path.is_file():
            found += _one_line_entries(path.read_text(encoding="utf-8", errors="replace"))
    for path in sorted((etc / "sources.list.d").glob("*.sources")):
        found += _deb822_entries(path.read_text(encoding="utf-8", errors="replace"))
    return found


def _one_line_entries(text: str) -> list[AptSource]:
    entries = []
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if not line.startswith("deb "):
            continue
        signed_by = None
        if "[" in line:
            options, line = line[line.index("[") + 1:line.index("]")], "deb " + line[line.index("]") + 1:].strip()
            signed_by = next((o.split("=", 1)[1] for o in options.split() if o.startswith("signed-by=")), None)
        parts = line.split()
        if len(parts) >= 3:
            entries.append(AptSource(parts[1], (parts[2],), tuple(parts[3:]), signed_by))
    return entries


def _deb822_entries(text: str) -> list[AptSource]:
    entries = []
    for stanza in text.split("\n\n"):
        fields: dict[str, str] = {}
        for line in stanza.splitlines():
            if ":" in line and not line.startswith((" ", "#")):
                key, value = line.split(":", 1)
                fields[key.strip().lower()] = value.strip()
        if "deb" not in fields.get("types", "").split() or fields.get("enabled", "yes").lower() == "no":
            continue
        for uri in fields.get("uris", "").split():
            entries.append(AptSource(uri, tuple(fields.get("suites", "").split()),
                                     tuple(fields.get("components", "").split()), fields.get("signed-by")))
    return entries


def for_codename(sources: list[AptSource], codename: str = CODENAME) -> list[AptSource]:
    """The entries serving `codename` (bookworm, bookworm-updates, bookworm-security), suites narrowed to it."""
    picked = []
    for source in sources:
        suites = tuple(s for s in source.suites if s == codename or s.startswith(codename + "-"))
        if suites:
            picked.append(AptSource(source.uri, suites, source.components, source.signed_by))
    return picked


def mirror(sources: list[AptSource], codename: str = CODENAME) -> str | None:
    """The URI of the first entry that serves the release itself (not -updates or -security)."""
    return next((s.uri for s in sources if codename in s.suites), None)


def base_tarball(mirror_uri: str, cache: Path = CACHE, codename: str = CODENAME) -> tuple[Path, float]:
    """A minbase root with systemd as init, made once and cached; returns (tarball, seconds spent making it)."""
    tarball = cache / f"debootstrap-{codename}-minbase-systemd.tar"
    if tarball.exists():
        return tarball, 0.0
    cache.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    work = cache / f"debootstrap-{codename}.partial"
    shutil.rmtree(work, ignore_errors=True)
    # systemd-sysv: a kiosk boots with systemd; the test boots the root with it
    _run(["debootstrap", "--variant=minbase", "--include=systemd-sysv", codename, str(work), mirror_uri],
         timeout=1200)
    partial = tarball.with_suffix(".tar.partial")
    _run(["tar", "--numeric-owner", "-C", str(work), "-cf", str(partial), "."], timeout=600)
    partial.rename(tarball)
    shutil.rmtree(work, ignore_errors=True)
    return tarball, time.monotonic() - started


def fresh_root(tarball: Path, dest: Path, sources: list[AptSource]) -> Path:
    """Unpack the cached base into `dest` and give it this machine's sources for the release."""
    dest.mkdir(parents=True)
    _run(["tar", "--numeric-owner", "-xpf", str(tarball), "-C", str(dest)], timeout=600)
    apt = dest / "etc/apt"
    (apt / "sources.list").unlink(missing_ok=True)   # debootstrap's one line; replaced by the full set below
    stanzas = []
    for source in sources:
        lines = ["Types: deb", f"URIs: {source.uri}", f"Suites: {' '.join(source.suites)}",
                 f"Components: {' '.join(source.components)}"]
        if source.signed_by and (dest / source.signed_by.lstrip("/")).exists():
            lines.append(f"Signed-By: {source.signed_by}")
        stanzas.append("\n".join(lines))
    (apt / "sources.list.d/host.sources").write_text("\n\n".join(stanzas) + "\n", encoding="utf-8")
    shutil.copyfile("/etc/resolv.conf", dest / "etc/resolv.conf")
    return dest


@contextlib.contextmanager
def chroot_mounts(root: Path) -> Iterator[Path]:
    """proc, sysfs (read-only), and a private /dev with only the usual nodes, never a bind of this machine's
    /dev: a stray `rm -rf` of the root (a cleanup racing the test) must not reach the real device nodes."""
    mounted: list[Path] = []

    def mount(*args: str, target: Path) -> None:
        _run(["mount", *args, str(target)])
        mounted.append(target)

    try:
        mount("-t", "proc", "proc", target=root / "proc")
        mount("-t", "sysfs", "-o", "ro", "sysfs", target=root / "sys")
        dev = root / "dev"
        mount("-t", "tmpfs", "-o", "mode=755,size=1m", "tmpfs", target=dev)
        for name, major, minor in (("null", 1, 3), ("zero", 1, 5), ("full", 1, 7), ("random", 1, 8),
                                   ("urandom", 1, 9), ("tty", 5, 0)):
            os.mknod(dev / name, 0o666 | stat.S_IFCHR, os.makedev(major, minor))
            os.chmod(dev / name, 0o666)
        for name, target in (("fd", "/proc/self/fd"), ("stdin", "/proc/self/fd/0"), ("stdout", "/proc/self/fd/1"),
                             ("stderr", "/proc/self/fd/2"), ("ptmx", "pts/ptmx")):
            os.symlink(target, dev / name)
        (dev / "pts").mkdir()
        (dev / "shm").mkdir(mode=0o1777)
        mount("-t", "devpts", "-o", "newinstance,ptmxmode=0666", "devpts", target=dev / "pts")
        yield root
    finally:
        for target in reversed(mounted):
            if subprocess.run(["umount", str(target)], capture_output=True).returncode != 0:
                subprocess.run(["umount", "-l", str(target)], capture_output=True)


def work_dir(cache: Path = CACHE) -> Path:
    """A private directory for one test run (not pytest's tmp_path: concurrent pytest sessions prune those)."""
    cache.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix="work-", dir=cache))


def remove_work_dir(path: Path) -> None:
    """Delete a run's directory, unless something is still mounted inside it (then leave it, and say so)."""
    inside = [line.split()[1] for line in Path("/proc/mounts").read_text().splitlines()
              if line.split()[1].startswith(str(path) + "/")]
    if inside:
        raise RuntimeError(f"still mounted, not deleting {path}: {inside}")
    shutil.rmtree(path, ignore_errors=True)


def in_root(root: Path, *cmd: str, input: str | None = None, timeout: float = 900) -> subprocess.CompletedProcess:
    """Run `cmd` in the chroot with a clean environment (none of this machine's pip or apt settings)."""
    return subprocess.run(["chroot", str(root), "env", "-i", *ROOT_ENV, *cmd], input=input, capture_output=True,
                          text=True, timeout=timeout)


@dataclass
class Booted:
    """A root booted with systemd-nspawn; `run` executes in its namespaces (as `machinectl shell` would)."""
    nspawn: subprocess.Popen
    init_pid: int

    def run(self, *cmd: str, timeout: float = 60) -> subprocess.CompletedProcess:
        return subprocess.run(["nsenter", "-t", str(self.init_pid), "-a", *cmd], capture_output=True, text=True,
                              timeout=timeout)

    def show(self, unit: str, *props: str) -> dict[str, str]:
        out = self.run("systemctl", "show", unit, *(f"--property={p}" for p in props)).stdout
        return dict(line.split("=", 1) for line in out.splitlines() if "=" in line)

    def wait_for(self, check, timeout: float, what: str):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            result = check()
            if result:
                return result
            time.sleep(0.5)
        raise AssertionError(f"timed out waiting for {what}")


@contextlib.contextmanager
def booted(root: Path, log_path: Path, timeout: float = 60) -> Iterator[Booted]:
    """Boot `root` in a container (host network, not registered with machined, which this host may lack)."""
    log = open(log_path, "wb")
    nspawn = subprocess.Popen(["systemd-nspawn", "--quiet", "-D", str(root), "--boot", "--register=no",
                               "--keep-unit", "--console=pipe", f"--machine=zdbtest{os.getpid()}"],
                              stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    init_pid = 0
    try:
        deadline = time.monotonic() + timeout
        while not init_pid and time.monotonic() < deadline:
            if nspawn.poll() is not None:
                raise RuntimeError(f"systemd-nspawn exited with {nspawn.returncode}: {log_path.read_text()[-2000:]}")
            init_pid = _child_pid(nspawn.pid)
            time.sleep(0.2)
        if not init_pid:
            raise RuntimeError("systemd-nspawn started no init")
        machine = Booted(nspawn, init_pid)
        # "starting" is enough: the boot is not finished until the kiosk's own start job is (its READY=1)
        machine.wait_for(lambda: machine.run("systemctl", "is-system-running").stdout.strip()
                         in ("starting", "running", "degraded"), timeout, "the container's systemd")
        yield machine
    finally:
        # the container's init takes everything in its pid namespace with it
        if init_pid:
            with contextlib.suppress(ProcessLookupError):
                os.kill(init_pid, signal.SIGKILL)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(nspawn.pid, signal.SIGKILL)
        nspawn.wait(30)
        log.close()


def _child_pid(pid: int) -> int:
    for children in Path(f"/proc/{pid}/task").glob("*/children"):
        with contextlib.suppress(OSError):
            words = children.read_text().split()
            if words:
                return int(words[0])
    return 0


def _run(cmd: list[str], timeout: float = 120) -> None:
    result = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed ({result.returncode}): {result.stderr[-2000:]}")
