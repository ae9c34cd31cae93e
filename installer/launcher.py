#!/usr/bin/python3
"""Start the kiosk's current release, rolling back an update that does not come up. Standard library only.

    launcher.py --app-root /var/lib/zhoudaoban/app --python /opt/zhoudaoban/venv/bin/python
                --data-dir /var/lib/zhoudaoban/data [-- extra args for main.py]

Installed as /usr/lib/zhoudaoban/launcher.py and run by the systemd unit on every (re)start. It reads
`<app root>/state.json` (format: the installer contract; kiosk/updates.py writes it when it applies an update):

- a trial (an update applied, not yet confirmed by its home screen) that has been started MAX_TRIAL_STARTS
  times is rolled back: `current` goes back to the trial's `from`, the pre-update database backup is restored
  over kiosk.db (the failed database and its -wal/-shm are moved aside for the technician, never deleted), the
  failed release stays on disk, and history records "rolled_back" with the reason;
- otherwise the start is counted;
- then it replaces itself (os.execve: the same PID, so systemd's watchdog and notify socket see the app) with
  `<python> <app root>/releases/<current>/main.py --data-dir <data dir> …` and ZDB_APP_ROOT set.

With no state.json it starts the newest release and writes the state. The running app writes the audit entries
for what happened here (kiosk.updates.confirm_running at its next start); this file never opens the kiosk's
data beyond restoring the backup file.
"""
from __future__ import annotations

import argparse
import contextlib
import fcntl
import json
import os
import secrets
import shutil
import sqlite3
import sys
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Iterator

MAX_TRIAL_STARTS = 3
STATE_FILE = "state.json"
STATE_LOCK = "state.lock"
RELEASES_DIR = "releases"
DB_FILE = "kiosk.db"
HISTORY_KEEP = 30
APP_ROOT_ENV = "ZDB_APP_ROOT"


class LaunchError(Exception):
    pass


# --- state.json ------------------------------------------------------------------------------------------------

def load_state(app_root: Path) -> dict[str, Any] | None:
    """The state, or None when there is none; an unreadable file is moved aside (and None returned)."""
    path = app_root / STATE_FILE
    try:
        state = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(state, dict):
            raise ValueError("not an object")
        return state
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        aside = path.with_name(f"{STATE_FILE}.unreadable-{_stamp()}")
        os.replace(path, aside)
        _say(f"{STATE_FILE} unreadable ({type(exc).__name__}); moved to {aside.name}, starting the newest release")
        return None


def save_state(app_root: Path, state: dict[str, Any]) -> None:
    state["history"] = list(state.get("history") or [])[-HISTORY_KEEP:]
    _atomic_write(app_root / STATE_FILE, json.dumps(state, ensure_ascii=False, indent=1).encode("utf-8"))


@contextlib.contextmanager
def state_lock(app_root: Path) -> Iterator[None]:
    fd = os.open(app_root / STATE_LOCK, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


# --- releases --------------------------------------------------------------------------------------------------

def version_key(name: str) -> tuple[int, ...] | None:
    parts = name.split(".")
    if not name or not all(p.isdigit() for p in parts):
        return None
    numbers = [int(p) for p in parts]
    while len(numbers) > 1 and numbers[-1] == 0:
        numbers.pop()
    return tuple(numbers)


def runnable(app_root: Path, version: str | None) -> bool:
    return bool(version) and (app_root / RELEASES_DIR / str(version) / "main.py").is_file()


def newest_release(app_root: Path) -> str | None:
    """The highest-numbered release folder with a main.py (staging folders and other names are not releases)."""
    root = app_root / RELEASES_DIR
    names = [p.name for p in root.iterdir() if version_key(p.name) is not None] if root.is_dir() else []
    names = [n for n in names if runnable(app_root, n)]
    return max(names, key=lambda n: version_key(n)) if names else None


# --- deciding what to start ------------------------------------------------------------------------------------

def prepare(app_root: Path, data_dir: Path, now: Callable[[], datetime] = lambda: datetime.now(timezone.utc),
            max_starts: int = MAX_TRIAL_STARTS) -> str:
    """Update state.json for this start (roll back, count the trial start) and return the release to run."""
    with state_lock(app_root):
        state = load_state(app_root)
        if state is None:
            newest = newest_release(app_root)
            if newest is None:
                raise LaunchError(f"no release to start in {app_root / RELEASES_DIR}")
            state = {"current": newest, "previous": None, "trial": None, "history": []}
        trial = state.get("trial")
        if isinstance(trial, dict):
            if not runnable(app_root, trial.get("version")):
                rollback(state, app_root, data_dir, "release_missing", now)
            elif int(trial.get("starts", 0)) >= max_starts:
                rollback(state, app_root, data_dir, "failed_starts", now)
            else:
                trial["starts"] = int(trial.get("starts", 0)) + 1
                state["current"] = trial["version"]
        elif trial is not None:
            state["trial"] = None
        if not runnable(app_root, state.get("current")):
            fallback = _fallback(app_root, state)
            if fallback is None:
                raise LaunchError(f"release {state.get('current')} missing and no other to start")
            _say(f"release {state.get('current')} missing; starting {fallback}")
            state["current"] = fallback
        save_state(app_root, state)
        return str(state["current"])


def _fallback(app_root: Path, state: dict[str, Any]) -> str | None:
    """When the current release folder is gone: the previous one, else the newest, never one rolled back."""
    failed = {str(h.get("version")) for h in state.get("history") or [] if isinstance(h, dict)
              and h.get("outcome") == "rolled_back"}
    if runnable(app_root, state.get("previous")) and str(state.get("previous")) not in failed:
        return str(state["previous"])
    root = app_root / RELEASES_DIR
    names = [p.name for p in root.iterdir()] if root.is_dir() else []
    good = [n for n in names if version_key(n) is not None and n not in failed and runnable(app_root, n)]
    return max(good, key=lambda n: version_key(n)) if good else None


def rollback(state: dict[str, Any], app_root: Path, data_dir: Path, reason: str,
             now: Callable[[], datetime]) -> None:
    """Back to the release the trial came from, with its database; the failed release stays for inspection."""
    trial = state["trial"]
    failed, back_to = str(trial.get("version")), str(trial.get("from"))
    restored = restore_database(data_dir, Path(str(trial.get("db_backup") or "")), failed)
    state["current"], state["previous"], state["trial"] = back_to, failed, None
    state.setdefault("history", []).append({"version": failed, "outcome": "rolled_back", "at": _iso(now()),
                                            "reason": reason if restored else "backup_missing"})
    _say(f"update {failed} rolled back to {back_to} ({reason}"
         + (", database restored)" if restored else "; NO database backup to restore)"))


def restore_database(data_dir: Path, backup: Path, failed_version: str) -> bool:
    """Put the pre-update backup in place of kiosk.db. The failed database goes aside with its -wal/-shm (a WAL
    left beside the restored file would be replayed into it). Each step is safe to repeat after a power cut:
    the state still names the trial until the caller saves it."""
    db = data_dir / DB_FILE
    if not backup.is_file():
        return False
    tmp = data_dir / f".{DB_FILE}.restore"
    shutil.copyfile(backup, tmp)
    with open(tmp, "rb") as handle:
        os.fsync(handle.fileno())
    if not _intact(tmp):
        tmp.unlink()
        _say(f"database backup {backup.name} failed its integrity check; not restored")
        return False
    aside = data_dir / f"{DB_FILE}.failed-{failed_version}"
    for suffix in ("-wal", "-shm"):
        if Path(f"{db}{suffix}").exists():
            os.replace(f"{db}{suffix}", f"{aside}{suffix}")
    if db.exists():
        shutil.copyfile(db, aside)
    os.chmod(tmp, 0o600)
    os.replace(tmp, db)
    _fsync_dir(data_dir)
    return True


def _intact(path: Path) -> bool:
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            return conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        finally:
            conn.close()
    except sqlite3.Error:
        return False


# --- starting --------------------------------------------------------------------------------------------------

def command(app_root: Path, python: str, data_dir: Path, version: str, extra: list[str]) -> list[str]:
    return [python, str(app_root / RELEASES_DIR / version / "main.py"), "--data-dir", str(data_dir), *extra]


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    app_root, data_dir = Path(args.app_root), Path(args.data_dir)
    try:
        version = prepare(app_root, data_dir)
    except (LaunchError, OSError) as exc:
        _say(f"cannot start: {exc}")
        return 1
    argv_out = command(app_root, args.python, data_dir, version, args.extra)
    env = dict(os.environ, **{APP_ROOT_ENV: str(app_root)})
    os.execve(args.python, argv_out, env)
    return 0   # not reached


def parse_args(argv: list[str]) -> argparse.Namespace:
    extra: list[str] = []
    if "--" in argv:
        at = argv.index("--")
        argv, extra = argv[:at], argv[at + 1:]
    parser = argparse.ArgumentParser(prog="launcher.py", description="start the 舟到办 kiosk's current release")
    parser.add_argument("--app-root", required=True, help="releases/ and state.json")
    parser.add_argument("--python", required=True, help="the Python of the kiosk's environment")
    parser.add_argument("--data-dir", required=True, help="the kiosk's data directory")
    args = parser.parse_args(argv)
    args.extra = extra
    return args


# --- small helpers ---------------------------------------------------------------------------------------------

def _atomic_write(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    _fsync_dir(path.parent)


def _fsync_dir(directory: Path) -> None:
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _iso(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).isoformat(timespec="seconds")


def _stamp() -> str:
    return datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")


def _say(message: str) -> None:
    print(f"zhoudaoban-launcher: {message}", file=sys.stderr, flush=True)   # the journal keeps it


if __name__ == "__main__":
    sys.exit(main())
