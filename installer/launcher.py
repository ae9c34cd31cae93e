#!/usr/bin/python3
"""Start the current release of the kiosk (installed as /usr/lib/zhoudaoban/launcher.py; stdlib only).

    launcher.py --app-root /var/lib/zhoudaoban/app --python /opt/zhoudaoban/venv/bin/python
                --data-dir /var/lib/zhoudaoban/data [-- extra args for main.py]

Minimal version (installer): only the exec part of the contract in installer/README.md. It execs
`<python> <app-root>/releases/<current>/main.py --data-dir <data-dir> ...` with ZDB_APP_ROOT set, keeping the
PID so systemd's notify socket and watchdog see the app itself. The updates work replaces this file with the
launcher that also counts trial starts and rolls back.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="launcher.py")
    parser.add_argument("--app-root", type=Path, required=True)
    parser.add_argument("--python", required=True)
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("extra", nargs="*")
    return parser.parse_args(argv)


def _version_key(name: str) -> tuple:
    return tuple((0, int(part)) if part.isdigit() else (1, part) for part in name.replace("-", ".").split("."))


def current_release(app_root: Path) -> Path:
    releases = app_root / "releases"
    try:
        current = json.loads((app_root / "state.json").read_text(encoding="utf-8"))["current"]
        if (releases / current / "main.py").is_file():
            return releases / current
    except (OSError, ValueError, KeyError, TypeError):
        pass   # no or unreadable state: the newest release that has a main.py
    found = sorted((p for p in releases.glob("*") if (p / "main.py").is_file()), key=lambda p: _version_key(p.name))
    if not found:
        raise SystemExit(f"launcher: no release with a main.py under {releases}")
    return found[-1]


def main(argv: list[str] | None = None) -> None:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    release = current_release(args.app_root)
    os.environ["ZDB_APP_ROOT"] = str(args.app_root)
    os.chdir(release)
    os.execv(args.python, [args.python, str(release / "main.py"), "--data-dir", str(args.data_dir), *args.extra])


if __name__ == "__main__":
    main()
