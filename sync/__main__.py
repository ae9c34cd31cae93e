"""Terminal-side sync commands.

    python -m sync enroll --data-dir DIR [--code CODE | --code -] [--hub URL] [--station ID] [--force]

The hub URL and station id default to the data directory's config.json. Prints the terminal id; never the key.
Without `--code` (or with `--code -`) the one-time code is asked for without echo, or read from a pipe, so it
stays out of `ps` and the shell history; `--code CODE` still works for scripts, with a warning.
"""
from __future__ import annotations

import argparse
import getpass
import sys
from pathlib import Path
from typing import Callable, TextIO

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
    cmd.add_argument("--code", default="-", help="one-time enrollment code from the hub administrator; omit it"
                     " (or give -) to type it unseen or pipe it in: on the command line other users can see it")
    cmd.add_argument("--hub", help="hub base URL (default: hub_url from config.json)")
    cmd.add_argument("--station", help="station id (default: station_id from config.json)")
    cmd.add_argument("--force", action="store_true", help="replace an existing enrollment")
    cmd.set_defaults(handler=_enroll)
    return parser


def _enroll(args: argparse.Namespace) -> int:
    config = load_config(args.data_dir)
    hub_url = args.hub or config["hub_url"]
    station_id = args.station or config["station_id"]
    code = read_code(args.code)
    if not code:
        print("enrollment failed: no enrollment code given", file=sys.stderr)
        return 2
    try:
        identity = enroll(IdentityStore(args.data_dir), hub_url, station_id, code, force=args.force)
    except EnrollmentError as exc:
        print(f"enrollment failed: {exc}", file=sys.stderr)
        return 2
    print(f"enrolled: terminal {identity.terminal_id} at station {identity.station_id} with {hub_url}")
    return 0


def read_code(given: str, *, stdin: TextIO | None = None, ask: Callable[[str], str] = getpass.getpass) -> str:
    """The code from the argument, else typed without echo on a terminal, else the first line of a pipe."""
    if given != "-":
        print("warning: a code on the command line is visible to other users (ps) and kept in shell history;"
              " omit --code to type it unseen", file=sys.stderr)
        return given.strip()
    stdin = stdin or sys.stdin
    if stdin.isatty():
        return ask("enrollment code: ").strip()
    return stdin.readline().strip()


if __name__ == "__main__":
    sys.exit(main())
