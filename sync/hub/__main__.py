"""`python -m sync.hub [--host 127.0.0.1] [--port 8765] [--db var/hub.db]`: run the reference hub.

Prints "hub listening on http://HOST:PORT" once it accepts connections (with --port 0, the port picked);
tests and scripts wait for that line.
"""
from __future__ import annotations

import argparse
from pathlib import Path

from sync.hub.app import DEFAULT_MAX_BODY, create_app
from sync.hub.server import READY_PREFIX, HubServer
from sync.hub.store import HubStore


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m sync.hub", description="舟到办 reference hub")
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default: loopback only)")
    parser.add_argument("--port", type=int, default=8765, help="port; 0 picks a free one")
    parser.add_argument("--db", type=Path, default=Path("var/hub.db"), help="SQLite database file")
    parser.add_argument("--max-body", type=int, default=DEFAULT_MAX_BODY, help="largest request body in bytes")
    parser.add_argument("--log-level", default="warning", choices=["debug", "info", "warning", "error"])
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    args.db.parent.mkdir(parents=True, exist_ok=True)
    store = HubStore(args.db)
    server = HubServer(create_app(store, max_body_bytes=args.max_body), args.host, args.port,
                       on_ready=lambda url: print(READY_PREFIX + url, flush=True), log_level=args.log_level)
    try:
        server.run()   # SIGINT/SIGTERM end it gracefully
    finally:
        store.close()


if __name__ == "__main__":
    main()
