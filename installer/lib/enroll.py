"""First-run enrollment with the hub, run by /usr/bin/zhoudaoban-enroll as the kiosk user with the venv's python.

    enroll.py --app-root /var/lib/zhoudaoban/app --data-dir /var/lib/zhoudaoban/data [--hub URL]
              [--station ID] [--force] [--check]

Runs the current release's `python -m sync enroll` (the one-time code is typed unseen or piped in; never an
argument). When --hub / --station are given and enrollment succeeds they are written into the data dir's
config.json (hub_url, station_id), so the kiosk syncs with the hub it enrolled with. --check only reports
whether the terminal is enrolled (exit 0) or not (exit 1).
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="zhoudaoban-enroll", description="向中心平台登记本终端（一次性登记码）")
    parser.add_argument("--app-root", type=Path, default=Path("/var/lib/zhoudaoban/app"))
    parser.add_argument("--data-dir", type=Path, default=Path("/var/lib/zhoudaoban/data"))
    parser.add_argument("--hub", help="中心平台地址，例如 https://hub.example:8765（默认：config.json 的 hub_url）")
    parser.add_argument("--station", help="站点编号（默认：config.json 的 station_id）")
    parser.add_argument("--force", action="store_true", help="替换已有登记")
    parser.add_argument("--check", action="store_true", help="只检查是否已登记")
    return parser.parse_args(argv)


def release_dir(app_root: Path) -> Path:
    try:
        current = json.loads((app_root / "state.json").read_text(encoding="utf-8"))["current"]
    except (OSError, ValueError, KeyError, TypeError):
        raise SystemExit(f"找不到已安装的版本（{app_root}/state.json 无法读取）；请重新安装 zhoudaoban 软件包") from None
    return app_root / "releases" / str(current)


def remember_hub(data_dir: Path, hub: str | None, station: str | None) -> None:
    """Merge hub_url / station_id into config.json, keeping every other key; written atomically, 0600."""
    from local_db.fsutil import atomic_write

    path = data_dir / "config.json"
    values: dict = {}
    if path.exists():
        values = json.loads(path.read_text(encoding="utf-8"))
    if hub:
        values["hub_url"] = hub
    if station:
        values["station_id"] = station
    atomic_write(path, json.dumps(values, ensure_ascii=False, indent=2).encode("utf-8") + b"\n", mode=0o600)


def config_readable(data_dir: Path) -> bool:
    path = data_dir / "config.json"
    if not path.exists():
        return True
    try:
        return isinstance(json.loads(path.read_text(encoding="utf-8")), dict)
    except (OSError, ValueError):
        return False


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    sys.path.insert(0, str(release_dir(args.app_root)))
    from sync.terminal_identity import IdentityStore

    enrolled = IdentityStore(args.data_dir).exists()
    if args.check:
        print("已登记" if enrolled else "未登记")
        return 0 if enrolled else 1
    if (args.hub or args.station) and not config_readable(args.data_dir):
        print(f"{args.data_dir / 'config.json'} 不是有效的 JSON，未做任何更改；请先修正该文件", file=sys.stderr)
        return 2
    from sync.__main__ import main as sync_main

    command = ["enroll", "--data-dir", str(args.data_dir)]
    command += ["--hub", args.hub] if args.hub else []
    command += ["--station", args.station] if args.station else []
    command += ["--force"] if args.force else []
    if enrolled and not args.force:
        print("本终端已登记；如需重新登记请加 --force", file=sys.stderr)
        return 2
    code = sync_main(command)
    if code == 0 and (args.hub or args.station):
        remember_hub(args.data_dir, args.hub, args.station)
    return code


if __name__ == "__main__":
    sys.exit(main())
