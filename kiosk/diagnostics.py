"""A diagnostic export for technicians: what is wrong with this kiosk, with nothing a thief or a snoop could use.

    python -m kiosk.diagnostics --data-dir DIR --out FILE [--log-lines N]

The zip is built from facts this module writes itself, never by copying files of the data dir, so the key ring
(`keys/`), the terminal's key and identity files, the database, media and receipts cannot slip in. It holds:
versions, the effective settings without secret ones, sync counts (never payloads), the audit chain report (ids
and seqs only) and the log's last lines passed through the redaction net (kiosk/log_redaction.py). The database
is read on a read-only connection without the key ring: nothing read here is sealed, and nothing sealed is read.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import re
import sqlite3
import sys
import tempfile
import zipfile
from collections import deque
from pathlib import Path
from typing import Any, Iterator
from urllib.parse import urlsplit, urlunsplit

import sqlite_utils

from kiosk.config import load_config
from kiosk.ids import Clock, utc_now
from kiosk.log_redaction import redact
from local_db.audit import CHAIN_SCHEMA, verify_chain
from local_db.db import SCHEMA_VERSION
from local_db.keys import KeyStore
from local_db.sync_state import AUTH_REFUSAL, LAST_PULL, LAST_SUCCESS, installed_payload
from sync.protocol import PROTOCOL_VERSION
from sync.terminal_identity import IdentityError, IdentityStore

DB_FILE = "kiosk.db"
LOG_FILE = Path("logs") / "kiosk.log"
LOG_LINES = 500
REDACTED = "«redacted»"
# Settings whose value is a secret. None of today's is; a new credential setting goes here (the name rule below
# catches the usual names even if it is forgotten).
SECRET_SETTINGS: frozenset[str] = frozenset()
_SECRET_NAME = re.compile(r"password|passwd|passphrase|secret|token|credential|private|api_?key|(^|_)pin($|_)"
                          r"|enrol")


def export_diagnostics(data_dir: Path | str, out_path: Path | str, *, clock: Clock = utc_now,
                       log_lines: int = LOG_LINES) -> Path:
    """Write the zip to `out_path` (replaced atomically) and return its path."""
    data_dir, out_path = Path(data_dir), Path(out_path)
    parts = {
        "summary.json": summary(data_dir, clock),
        "config.json": effective_config(data_dir),
        "sync.json": _with_db(data_dir, sync_counts),
        "audit_chain.json": _with_db(data_dir, audit_report),
    }
    out_path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=out_path.parent, prefix=".diag-", suffix=".zip")
    try:
        with os.fdopen(fd, "wb") as raw, zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, body in parts.items():
                archive.writestr(name, json.dumps(body, ensure_ascii=False, indent=2))
            archive.writestr("kiosk.log.tail", "".join(log_tail(data_dir, log_lines)))
        os.replace(tmp, out_path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return out_path


# --- parts -----------------------------------------------------------------------------------------------------

def summary(data_dir: Path, clock: Clock) -> dict[str, Any]:
    return {
        "generated_at": clock().isoformat(timespec="seconds"),
        "software_version": software_version(),
        "schema_version": SCHEMA_VERSION,
        "protocol_version": PROTOCOL_VERSION,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "database": _with_db(data_dir, lambda db: {"user_version": db.execute("PRAGMA user_version").fetchone()[0],
                                                   "bytes": (data_dir / DB_FILE).stat().st_size}),
        "key_ring": KeyStore(data_dir / "keys").protection,   # "tpm" | "file" | "none": where, never what
        "enrollment": enrollment(data_dir),
        "device_status": "not collected: needs the running kiosk (see the maintenance screen)",
    }


def software_version() -> str:
    """The version in pyproject.toml beside the code (the installer ships the tree as is)."""
    import tomllib
    try:
        with open(Path(__file__).resolve().parents[1] / "pyproject.toml", "rb") as file:
            return str(tomllib.load(file)["project"]["version"])
    except (OSError, ValueError, KeyError):
        return "unknown"


def enrollment(data_dir: Path) -> dict[str, Any]:
    """Who the terminal is to the hub; the key pair stays out (only ids, the hub URL and the date)."""
    try:
        identity = IdentityStore(data_dir).load()
    except IdentityError as exc:
        return {"enrolled": False, "problem": str(exc)}
    if identity is None:
        return {"enrolled": False}
    return {"enrolled": True, "terminal_id": identity.terminal_id, "station_id": identity.station_id,
            "hub_url": _without_userinfo(identity.hub_url), "enrolled_at": identity.enrolled_at}


def effective_config(data_dir: Path) -> dict[str, Any]:
    config = load_config(data_dir, installed_payload(data_dir / DB_FILE, "config") if _has_db(data_dir) else None)
    return {"settings": public_settings(config.as_dict()),
            "problems": [redact(problem) for problem in config.problems]}


def public_settings(values: dict[str, Any]) -> dict[str, Any]:
    """Secret settings (by the list or by their name) replaced; URLs without user:password; text redacted."""
    shown: dict[str, Any] = {}
    for key, value in values.items():
        if key in SECRET_SETTINGS or _SECRET_NAME.search(key.lower()):
            shown[key] = REDACTED
        elif isinstance(value, str):
            shown[key] = redact(_without_userinfo(value))
        else:
            shown[key] = value
    return shown


def sync_counts(db: sqlite_utils.Database) -> dict[str, Any]:
    """How much waits and why, counted; never a payload, a path or an error text beyond its reason word."""
    one = lambda sql: db.execute(sql).fetchone()[0]   # noqa: E731
    meta = dict(db.execute("SELECT key, value FROM meta WHERE key IN (?,?,?)",
                           (LAST_SUCCESS, LAST_PULL, AUTH_REFUSAL)).fetchall())
    return {
        "outbox_pending": dict(db.execute("SELECT kind, COUNT(*) FROM outbox WHERE delivered_at IS NULL"
                                          " GROUP BY kind").fetchall()),
        "outbox_delivered": one("SELECT COUNT(*) FROM outbox WHERE delivered_at IS NOT NULL"),
        "oldest_pending_at": one("SELECT MIN(created_at) FROM outbox WHERE delivered_at IS NULL"),
        "quarantine": one("SELECT COUNT(*) FROM quarantine"),
        "quarantine_by_reason": {redact(reason)[:80]: count for reason, count in db.execute(
            "SELECT reason, COUNT(*) FROM quarantine GROUP BY reason").fetchall()},
        "attachments_pending": one("SELECT COUNT(*) FROM attachments WHERE done_at IS NULL"),
        "last_success_at": meta.get(LAST_SUCCESS),
        "last_pull_at": meta.get(LAST_PULL),
        "auth_refusal": meta.get(AUTH_REFUSAL),
        "bundles": {kind: {"version": version, "applied_at": at} for kind, version, at in db.execute(
            "SELECT kind, version, applied_at FROM bundles").fetchall()},
    }


def audit_report(db: sqlite_utils.Database) -> dict[str, Any]:
    version = db.execute("PRAGMA user_version").fetchone()[0]
    if version < CHAIN_SCHEMA:
        return {"ok": False, "error": f"schema {version} predates the audit chain ({CHAIN_SCHEMA})"}
    return verify_chain(db).to_json()


def log_tail(data_dir: Path, lines: int) -> list[str]:
    """The last `lines` lines of the log and its rotated files, oldest first, each through the redaction net."""
    tail: deque[str] = deque(maxlen=lines)
    for path in _log_files(data_dir / LOG_FILE):
        with open(path, encoding="utf-8", errors="replace") as file:
            tail.extend(redact(line) for line in file)
    return [line if line.endswith("\n") else line + "\n" for line in tail]


def _log_files(current: Path) -> Iterator[Path]:
    """kiosk.log.5 … kiosk.log.1, then kiosk.log: the order RotatingFileHandler wrote them in."""
    backups = sorted(current.parent.glob(current.name + ".[0-9]*"),
                     key=lambda p: int(p.suffix[1:]) if p.suffix[1:].isdigit() else 0, reverse=True)
    yield from (p for p in backups if p.suffix[1:].isdigit())
    if current.exists():
        yield current


# --- helpers ---------------------------------------------------------------------------------------------------

def _has_db(data_dir: Path) -> bool:
    return (data_dir / DB_FILE).is_file()


def _with_db(data_dir: Path, read) -> Any:
    """`read(db)` on a read-only connection; a missing or unreadable database is reported, not fatal."""
    if not _has_db(data_dir):
        return {"error": "no database"}
    try:
        conn = sqlite3.connect(f"{(data_dir / DB_FILE).resolve().as_uri()}?mode=ro", uri=True,
                               isolation_level=None, timeout=10.0)
    except sqlite3.Error as exc:
        return {"error": f"database unreadable ({type(exc).__name__})"}
    try:
        return read(sqlite_utils.Database(conn))
    except sqlite3.Error as exc:
        return {"error": f"database unreadable ({type(exc).__name__}: {redact(str(exc))[:120]})"}
    finally:
        conn.close()


def _without_userinfo(value: str) -> str:
    """A URL's user:password@ dropped; any other text as it is."""
    if "@" not in value or "://" not in value:
        return value
    try:
        parts = urlsplit(value)
    except ValueError:
        return REDACTED
    if not (parts.username or parts.password):
        return value
    host = parts.hostname or ""
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urlunsplit(parts._replace(netloc=netloc))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m kiosk.diagnostics",
                                     description="write a diagnostic zip without personal data or secrets")
    parser.add_argument("--data-dir", required=True, type=Path, help="the kiosk's data directory")
    parser.add_argument("--out", required=True, type=Path, help="the zip to write")
    parser.add_argument("--log-lines", type=int, default=LOG_LINES, help="log lines to include (redacted)")
    args = parser.parse_args(argv)
    if not args.data_dir.is_dir():
        print(f"no such data directory: {args.data_dir}", file=sys.stderr)
        return 2
    print(export_diagnostics(args.data_dir, args.out, log_lines=max(0, args.log_lines)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
