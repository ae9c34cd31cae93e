"""Command line for technicians and scripts: `python -m kiosk <command> ...`.

Each command is a subcommand with its own small function, so more can be added next to `search`.
Exit codes: 0 done, 2 bad usage or unusable input (e.g. a corrupt catalog).
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from kiosk.catalog import SEED_PATH, CatalogError, load_catalog
from kiosk.search import SearchIndex

EXIT_UNUSABLE_INPUT = 2


def main(argv: list[str] | None = None) -> int:
    _utf8_output()
    parser = _parser()
    args = parser.parse_args(argv)
    return args.run(args)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m kiosk", description="舟到办 kiosk tools")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    search = commands.add_parser("search", help="rank catalog items for a query, as a resident would type it")
    search.add_argument("query", metavar="QUERY", help='e.g. "sbk", "社保卡", "残疾证怎么办"')
    search.add_argument("--json", action="store_true", help='print a JSON list of {"id", "name", "score"}')
    search.add_argument("--limit", type=_positive_int, default=20, metavar="N", help="at most N results (20)")
    search.add_argument("--catalog", type=Path, default=SEED_PATH, metavar="PATH",
                        help="catalog JSON file (default: the seeded catalog)")
    search.set_defaults(run=run_search)
    return parser


def run_search(args: argparse.Namespace) -> int:
    try:
        catalog = load_catalog(args.catalog)
    except CatalogError as exc:
        print(f"error: the catalog cannot be used: {exc}", file=sys.stderr)
        return EXIT_UNUSABLE_INPUT
    except (AttributeError, KeyError, TypeError, ValueError) as exc:   # shapes the loader does not check yet
        print(f"error: the catalog cannot be used: {args.catalog}: malformed: {exc!r}", file=sys.stderr)
        return EXIT_UNUSABLE_INPUT
    hits = SearchIndex.build(catalog).search(args.query, limit=args.limit)
    if args.json:
        rows = [{"id": hit.item_id, "name": hit.name, "score": hit.score} for hit in hits]
        print(json.dumps(rows, ensure_ascii=False))
        return 0
    if not hits:
        print("(no results)")
    for rank, hit in enumerate(hits, 1):
        print(f"{rank:>3}  {hit.score:5.1f}  {hit.item_id:<24} {hit.name}  [{hit.matched}: {hit.matched_text}]")
    return 0


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return value


def _utf8_output() -> None:
    """Item names are Chinese: never let a C locale turn printing them into a crash."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(encoding="utf-8", errors="replace")


if __name__ == "__main__":
    sys.exit(main())
