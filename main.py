"""舟到办 kiosk entry point: `python main.py [--data-dir DIR] [--windowed] [--no-sync]`."""
from __future__ import annotations

import argparse
import logging
import logging.handlers
import sys
from pathlib import Path

from kiosk.app import load_startup_config
from kiosk.config import default_data_dir
from kiosk.log_redaction import RedactingFilter


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="舟到办 island-station self-service kiosk")
    parser.add_argument("--data-dir", type=Path, default=None, help="data directory (database, receipts, logs)")
    parser.add_argument("--windowed", action="store_true", help="run in a window instead of full-screen")
    parser.add_argument("--no-sync", action="store_true", help="do not start the sync worker")
    return parser.parse_args(argv)


def setup_logging(data_dir: Path, level: str) -> None:
    """Rotating file log in the data dir. Code never logs personal data; see kiosk/ modules' log calls."""
    log_dir = data_dir / "logs"
    log_dir.mkdir(parents=True, exist_ok=True)
    handler = logging.handlers.RotatingFileHandler(log_dir / "kiosk.log", maxBytes=2_000_000, backupCount=5,
                                                   encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.setLevel(level)
    for each in (handler, logging.StreamHandler(sys.stderr)):
        each.addFilter(RedactingFilter())   # the net under "never log personal data or keys"
        root.addHandler(each)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    data_dir = args.data_dir or default_data_dir()
    data_dir.mkdir(parents=True, exist_ok=True)
    config = load_startup_config(data_dir)   # the district's config bundle, then config.json
    setup_logging(data_dir, config["log_level"])
    logging.getLogger("main").info("starting kiosk, data dir %s", data_dir)

    from kiosk.app import StartupRefused, build_core
    from ui.app import run

    fullscreen = config["fullscreen"] and not args.windowed
    try:
        core = build_core(data_dir, config, start_sync=not args.no_sync)
    except StartupRefused as refused:
        from ui.out_of_service import run_out_of_service

        return run_out_of_service(refused.code, fullscreen)
    try:
        return run(core, fullscreen=fullscreen)
    finally:
        core.stop()


if __name__ == "__main__":
    sys.exit(main())
