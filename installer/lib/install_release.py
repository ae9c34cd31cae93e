#!/usr/bin/python3
"""postinst step: put the package's application tree into the release store and make it current if newer.

    install_release.py --app-root /var/lib/zhoudaoban/app --tree /opt/zhoudaoban/app-<version> --version <v>

Copies the tree to <app-root>/releases/<version>/ (into a temporary name, then renamed, so a release directory
is always whole) and updates <app-root>/state.json (the layout in installer/README.md): the package's version
becomes current when there is no state or the current version is older; a newer version already applied by an
update stays current and the package's tree is kept as a release to fall back to. Stdlib only: runs with
/usr/bin/python3 before the venv exists.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path


def version_key(version: str) -> tuple:
    """Dotted versions compared part by part, numbers as numbers ("0.10.0" > "0.9.1")."""
    return tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in version.replace("-", ".").split("."))


def install_tree(tree: Path, releases: Path, version: str) -> Path:
    releases.mkdir(parents=True, exist_ok=True)
    target = releases / version
    staging = Path(tempfile.mkdtemp(prefix=f".{version}.", dir=releases))
    shutil.copytree(tree, staging / "tree", symlinks=True)
    old = releases / f".{version}.old"
    shutil.rmtree(old, ignore_errors=True)
    if target.exists():
        target.rename(old)   # a reinstall of the same version: swap, then drop the old copy
    (staging / "tree").rename(target)
    shutil.rmtree(staging, ignore_errors=True)
    shutil.rmtree(old, ignore_errors=True)
    return target


def updated_state(state: dict | None, version: str) -> dict:
    if not state or not isinstance(state.get("current"), str):
        return {"current": version, "previous": None, "trial": None, "history": []}
    if version_key(state["current"]) >= version_key(version):
        return state   # same or newer already current (an applied update): leave it
    return {**state, "current": version, "previous": state["current"], "trial": None}


def read_state(path: Path) -> dict | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def write_atomically(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(tmp, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)
    fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="install_release.py")
    parser.add_argument("--app-root", type=Path, required=True)
    parser.add_argument("--tree", type=Path, required=True)
    parser.add_argument("--version", required=True)
    args = parser.parse_args(argv)
    if not (args.tree / "main.py").is_file():
        print(f"install_release: {args.tree} has no main.py", file=sys.stderr)
        return 2
    install_tree(args.tree, args.app_root / "releases", args.version)
    state_path = args.app_root / "state.json"
    found = read_state(state_path)
    if found is None and state_path.exists():
        # keep the damaged file for the technician rather than overwrite what history it still holds
        shutil.copy2(state_path, state_path.with_name(f"state.json.damaged-{os.getpid()}"))
        print("install_release: state.json unreadable; kept a copy and started a fresh state", file=sys.stderr)
    state = updated_state(found, args.version)
    write_atomically(state_path, json.dumps(state, ensure_ascii=False, indent=2).encode("utf-8") + b"\n")
    print(f"zhoudaoban: release {args.version} installed; current release {state['current']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
