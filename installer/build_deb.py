"""Build the Debian package: `make deb` -> dist/zhoudaoban_<version>_amd64.deb (see installer/README.md).

    python installer/build_deb.py [--out dist] [--cache var/cache/deb]

Stages the tree the package installs (the application as git tracks it, minus tests/bench/.ci; a wheelhouse of
the pinned dependencies for CPython 3.11 on manylinux x86_64; the launcher, the systemd unit, the
enrollment command and the maintainer scripts) and packs it with `dpkg-deb --root-owner-group`, so no fakeroot
is needed. The wheelhouse is cached under --cache, keyed by requirements.txt + constraints.txt: a rebuild that
changes only code takes seconds.
"""
from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import subprocess
import sys
import time
import tomllib
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
HERE = REPO / "installer"
PACKAGE = "zhoudaoban"
EXCLUDED_TOP = ("tests/", "bench/", ".ci/")
# The target: Debian 12's /usr/bin/python3 and glibc 2.36 (the PySide6 wheels need glibc >= 2.34). pip does not
# expand manylinux_2_NN to the older tags a glibc also runs, so they are listed; linux_x86_64 admits the wheels
# built here from source.
GLIBC_MINOR = 34
PLATFORMS = (*(f"manylinux_2_{minor}_x86_64" for minor in range(GLIBC_MINOR, 4, -1)),
             "manylinux2014_x86_64", "manylinux2010_x86_64", "manylinux1_x86_64", "linux_x86_64")
TARGET = ("--python-version", "3.11", "--implementation", "cp", "--abi", "cp311", "--abi", "abi3",
          "--abi", "none", *(arg for platform in PLATFORMS for arg in ("--platform", platform)))
# Pinned packages with no manylinux wheel: built here into a wheel (pyscard needs swig and libpcsclite-dev,
# both in scripts/setup.sh), then served from the wheelhouse like the rest.
BUILD_FROM_SOURCE = ("pyscard",)
DEPENDS = (
    "python3 (>= 3.11)", "python3-venv", "fonts-noto-cjk", "passwd",
    # Debian's cage is built with XWayland and exits at start-up without the binary (cage only Recommends it);
    # seatd hands it the seat (see the unit)
    "cage", "xwayland", "seatd",
    # what the PySide6 wheels and our device libraries load from the system (scripts/setup.sh lists the same)
    "libegl1", "libgl1", "libfontconfig1", "libfreetype6", "libdbus-1-3", "libglib2.0-0", "libxkbcommon0",
    "libwayland-client0", "libwayland-cursor0", "libwayland-egl1", "libpulse0",
    "pcscd", "libpcsclite1", "libzbar0",
    "espeak-ng", "alsa-utils",   # voice guidance: speech synthesis and aplay (devices/speaker.py)
)
RECOMMENDS = ("cups-client",)


@dataclass(frozen=True)
class Build:
    version: str
    staging: Path
    wheels: Path
    out: Path

    @property
    def deb(self) -> Path:
        return self.out / f"{PACKAGE}_{self.version}_amd64.deb"


def project_version(pyproject: Path = REPO / "pyproject.toml") -> str:
    return tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]["version"]


def app_files(repo: Path = REPO) -> list[str]:
    """The files git tracks, minus tests, benchmarks and CI: what runs on a terminal."""
    listed = subprocess.run(["git", "ls-files", "-z"], cwd=repo, check=True, capture_output=True).stdout
    names = [n for n in listed.decode("utf-8").split("\0") if n]
    return sorted(n for n in names if not n.startswith(EXCLUDED_TOP) and (repo / n).is_file())


def pins(constraints: Path) -> dict[str, str]:
    """name (normalised) -> version, from constraints.txt's `name==version` lines."""
    found: dict[str, str] = {}
    for line in constraints.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if "==" in line:
            name, version = (part.strip() for part in line.split("==", 1))
            found[name.lower().replace("_", "-")] = version
    return found


def wheelhouse(cache: Path, repo: Path = REPO, python: str = sys.executable) -> Path:
    """The cached wheelhouse for the current requirements/constraints, made on first use."""
    reqs, cons = repo / "requirements.txt", repo / "constraints.txt"
    key = hashlib.sha256(reqs.read_bytes() + cons.read_bytes()).hexdigest()[:16]
    done = cache / f"wheels-{key}"
    if (done / ".complete").exists():
        return done
    work = cache / f"wheels-{key}.partial"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    pinned = pins(cons)
    pip = [python, "-m", "pip", "--disable-pip-version-check"]
    for name in BUILD_FROM_SOURCE:
        _run([*pip, "wheel", "--no-deps", "-w", str(work), f"{name}=={pinned[name]}"])
    _run([*pip, "download", "--only-binary=:all:", *TARGET, "--find-links", str(work), "-d", str(work),
          "-r", str(reqs), "-c", str(cons)])
    # the same resolution the terminal's postinst will do, offline, from exactly these files
    _run([*pip, "install", "--dry-run", "--ignore-installed", "--no-index", "--find-links", str(work),
          "-r", str(reqs), "-c", str(cons)], quiet=True)
    (work / ".complete").write_text(key + "\n")
    shutil.rmtree(done, ignore_errors=True)
    work.rename(done)
    return done


def stage(build: Build, repo: Path = REPO) -> None:
    root = build.staging
    shutil.rmtree(root, ignore_errors=True)
    app = root / f"opt/zhoudaoban/app-{build.version}"
    for name in app_files(repo):
        _copy(repo / name, app / name, executable=os.access(repo / name, os.X_OK))
    for wheel in sorted(build.wheels.glob("*.whl")):
        _copy(wheel, root / "opt/zhoudaoban/wheels" / wheel.name)
    lib = root / "usr/lib/zhoudaoban"
    _copy(HERE / "launcher.py", lib / "launcher.py")
    _copy(HERE / "lib/install_release.py", lib / "install_release.py")
    _copy(HERE / "lib/enroll.py", lib / "enroll.py")
    _copy(HERE / "bin/zhoudaoban-enroll", root / "usr/bin/zhoudaoban-enroll", executable=True)
    _copy(HERE / "bin/mount-usb", lib / "mount-usb", executable=True)
    _copy(HERE / "udev/90-zhoudaoban-usb.rules", root / "lib/udev/rules.d/90-zhoudaoban-usb.rules")
    _copy(HERE / "systemd/zhoudaoban.service", root / "lib/systemd/system/zhoudaoban.service")
    _copy(HERE / "README.md", root / "usr/share/doc/zhoudaoban/README.md")
    control = root / "DEBIAN"
    for script in ("postinst", "prerm", "postrm"):
        _copy(HERE / "debian" / script, control / script, executable=True)
    postinst = control / "postinst"
    postinst.write_text(postinst.read_text(encoding="utf-8").replace("@VERSION@", build.version), encoding="utf-8")
    (control / "control").write_text(control_text(build.version, _installed_kib(root)), encoding="utf-8")
    for path in [root, *root.rglob("*")]:
        if path.is_dir():
            path.chmod(0o755)


def control_text(version: str, installed_kib: int) -> str:
    return (f"Package: {PACKAGE}\n"
            f"Version: {version}\n"
            "Architecture: amd64\n"
            "Section: misc\n"
            "Priority: optional\n"
            "Maintainer: 舟到办 kiosk team <kiosk@localhost>\n"
            f"Installed-Size: {installed_kib}\n"
            f"Depends: {', '.join(DEPENDS)}\n"
            f"Recommends: {', '.join(RECOMMENDS)}\n"
            "Description: 舟到办 island-station self-service kiosk\n"
            " Installs the kiosk application, its Python dependencies (built into a venv\n"
            " offline from the bundled wheelhouse), the unprivileged kiosk user zhoudaoban\n"
            " and zhoudaoban.service, which runs the app full-screen under the cage Wayland\n"
            " kiosk compositor on tty1 with restart-on-failure and a watchdog.\n")


def pack(build: Build) -> Path:
    build.out.mkdir(parents=True, exist_ok=True)
    # gzip, not xz: the payload is mostly wheels (already compressed), and older dpkg on UOS/Kylin reads gzip
    _run(["dpkg-deb", "--root-owner-group", "-Zgzip", "-z6", "--build", str(build.staging), str(build.deb)],
         quiet=True)
    return build.deb


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="build dist/zhoudaoban_<version>_amd64.deb")
    parser.add_argument("--out", type=Path, default=REPO / "dist")
    parser.add_argument("--cache", type=Path, default=REPO / "var/cache/deb",
                        help="build dir: the wheelhouse cache and the staging tree")
    args = parser.parse_args(argv)
    if shutil.which("dpkg-deb") is None:
        print("build_deb: dpkg-deb not found (a Debian-based build machine is needed)", file=sys.stderr)
        return 2
    started = time.monotonic()
    version = project_version()
    wheels = wheelhouse(args.cache)
    timed_wheels = time.monotonic() - started
    build = Build(version, args.cache / "staging", wheels, args.out)
    stage(build)
    deb = pack(build)
    size_mb = deb.stat().st_size / 1e6
    print(f"built {deb.relative_to(REPO) if deb.is_relative_to(REPO) else deb} ({size_mb:.0f} MB) in "
          f"{time.monotonic() - started:.0f} s (wheelhouse {timed_wheels:.0f} s)")
    return 0


def _copy(src: Path, dest: Path, executable: bool = False) -> None:
    dest.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(src, dest)
    dest.chmod(0o755 if executable else 0o644)


def _installed_kib(root: Path) -> int:
    return sum(p.stat().st_size for p in root.rglob("*") if p.is_file()) // 1024 + 1


def _run(cmd: list[str], quiet: bool = False) -> None:
    print("+", " ".join(cmd), file=sys.stderr)
    result = subprocess.run(cmd, stdout=subprocess.DEVNULL if quiet else None)
    if result.returncode != 0:
        raise SystemExit(f"build_deb: command failed ({result.returncode}): {' '.join(cmd)}")


if __name__ == "__main__":
    sys.exit(main())
