"""Terminal-side sync commands.

    python -m sync enroll --data-dir DIR --code CODE [--hub URL] [--station ID] [--force]

The hub URL and station id default to the data directory's config.json. Prints the terminal id; never the key.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from kiosk.config import load_config
from sync.terminal_identity import EnrollmentError, IdentityStore, enroll


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    return args.handler(args)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m sync", description="舟到办 terminal sync commands")
    commands = parser.add_subparsers(required=True, metavar="COMMAND")
    cmd = commands.add_parser("enroll", help="enroll this terminal with the hub using a one-time code")
    cmd.add_argument("--data-dir", required=True, type=Path, help="the kiosk's data directory")
    cmd.add_argument("--code", required=True, help="one-time enrollment code from the hub administrator")
    cmd.add_argument("--hub", help="hub base URL (default: hub_url from config.json)")
    cmd.add_argument("--station", help="station id (default: station_id from config.json)")
    cmd.add_argument("--force", action="store_true", help="replace an existing enrollment")
    cmd.set_defaults(handler=_enroll)
    return parser


def _enroll(args: argparse.Namespace) -> int:
    config = load_config(args.data_dir)
    hub_url = args.hub or config["hub_url"]
    station_id = args.station or config["station_id"]
    try:
        identity = enroll(IdentityStore(args.data_dir), hub_url, station_id, args.code, force=args.force)
    except EnrollmentError as exc:
        print(f"enrollment failed: {exc}", file=sys.stderr)
        return 2
    print(f"enrolled: terminal {identity.terminal_id} at station {identity.station_id} with {hub_url}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
