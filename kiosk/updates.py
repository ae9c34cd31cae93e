"""Software updates on the station, Qt-free: what is staged, when to install it, and the release state file.

sync/updates.py downloads and stages a release the hub signed; this module applies it at a quiet hour while
nobody uses the kiosk: it backs up the database, marks the new release as a trial in `<app root>/state.json`
(the format is the installer contract's, shared with installer/launcher.py) and asks for a restart. The
launcher starts the new release; the release confirms itself once its home screen is shown
(`confirm_running`). A release that does not confirm within installer/launcher.py's MAX_TRIAL_STARTS starts
is rolled back by the launcher, database included.

Without ZDB_APP_ROOT (a development checkout) nothing is ever applied: updates are fetched and verified only.
What the station is doing is kept in `<data dir>/update_status.json` for the maintenance panel.
"""
from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
import threading
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime, time as clock_time, timezone
from pathlib import Path
from typing import Any, Callable, Iterator

from kiosk.ids import CST, Clock, utc_now
from local_db.backup import BackupError, copy_to
from local_db.fsutil import atomic_write

log = logging.getLogger(__name__)

APP_ROOT_ENV = "ZDB_APP_ROOT"
STATE_FILE = "state.json"
STATE_LOCK = "state.lock"
STATUS_FILE = "update_status.json"
RELEASES_DIR = "releases"
BACKUPS_DIR = "backups"
DB_FILE = "kiosk.db"
RESTART_EXIT_CODE = 75     # the app exits with it after applying; the service manager starts the launcher again
HISTORY_KEEP = 30
Audit = Callable[[str, str, str, str], Any]   # AuditLog.record(actor, action, target, outcome)

# UpdateStatus.state values
NONE, DOWNLOADING, VERIFIED, STAGED, APPLYING, APPLIED, REFUSED, ROLLED_BACK = (
    "none", "downloading", "verified", "staged", "applying", "applied", "refused", "rolled_back")
# Refusal and rollback reasons: short codes (audit outcomes too); the panel words them for the technician.
REASONS = ("bad_signature", "stale_bundle", "bad_manifest", "not_newer", "too_old", "disk_full", "archive_missing",
           "size_mismatch", "hash_mismatch", "unsafe_archive", "bad_archive", "no_main", "version_mismatch",
           "backup_failed", "failed_starts", "release_missing", "backup_missing")
ROLLBACK_REASONS = ("failed_starts", "release_missing", "backup_missing")   # installer/launcher.py writes these


# --- records -----------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Refusal:
    version: str
    reason: str
    at: str


@dataclass(frozen=True)
class UpdateStatus:
    """The update this station is working on, for the maintenance panel. Fields are codes, versions and hashes
    only: nothing personal, nothing secret."""
    state: str = NONE
    version: str = ""
    sha256: str = ""
    size: int = 0
    received: int = 0
    notes: str = ""
    reason: str = ""                 # why it was refused or rolled back
    at: str = ""                     # when `state` was entered
    last_refusal: Refusal | None = None
    audited: tuple[str, ...] = ()    # keys of state.json history entries already written to the audit trail

    def to_json(self) -> dict[str, Any]:
        out = asdict(self)
        out["audited"] = list(self.audited)
        return out

    @classmethod
    def from_json(cls, data: Any) -> "UpdateStatus":
        if not isinstance(data, dict):
            return cls()
        refusal = data.get("last_refusal")
        try:
            return cls(str(data.get("state", NONE)), str(data.get("version", "")), str(data.get("sha256", "")),
                       int(data.get("size", 0)), int(data.get("received", 0)), str(data.get("notes", "")),
                       str(data.get("reason", "")), str(data.get("at", "")),
                       Refusal(**refusal) if isinstance(refusal, dict) else None,
                       tuple(str(k) for k in data.get("audited", ()) if isinstance(k, str)))
        except (TypeError, ValueError):
            return cls()


@dataclass(frozen=True)
class Trial:
    version: str
    from_version: str
    starts: int
    db_backup: str
    staged_at: str


@dataclass(frozen=True)
class HistoryEntry:
    version: str
    outcome: str                     # confirmed | rolled_back | refused
    at: str
    reason: str = ""

    @property
    def key(self) -> str:
        return f"{self.version}|{self.outcome}|{self.at}"


@dataclass(frozen=True)
class ReleaseState:
    """`<app root>/state.json` as the installer contract describes it."""
    current: str | None = None
    previous: str | None = None
    trial: Trial | None = None
    history: tuple[HistoryEntry, ...] = ()

    def to_json(self) -> dict[str, Any]:
        trial = None
        if self.trial is not None:
            trial = {"version": self.trial.version, "from": self.trial.from_version, "starts": self.trial.starts,
                     "db_backup": self.trial.db_backup, "staged_at": self.trial.staged_at}
        return {"current": self.current, "previous": self.previous, "trial": trial,
                "history": [asdict(h) for h in self.history[-HISTORY_KEEP:]]}

    @classmethod
    def from_json(cls, data: Any) -> "ReleaseState":
        if not isinstance(data, dict):
            raise ValueError("state is not an object")
        raw = data.get("trial")
        trial = None
        if isinstance(raw, dict):
            trial = Trial(str(raw["version"]), str(raw["from"]), int(raw.get("starts", 0)),
                          str(raw.get("db_backup", "")), str(raw.get("staged_at", "")))
        history = tuple(HistoryEntry(str(h["version"]), str(h["outcome"]), str(h.get("at", "")),
                                     str(h.get("reason", "") or "")) for h in data.get("history", [])
                        if isinstance(h, dict))
        return cls(_opt(data.get("current")), _opt(data.get("previous")), trial, history)

    def with_history(self, entry: HistoryEntry) -> "ReleaseState":
        return replace(self, history=(*self.history, entry)[-HISTORY_KEEP:])


def _opt(value: Any) -> str | None:
    return str(value) if value is not None else None


# --- files -------------------------------------------------------------------------------------------------------

def managed_app_root(environ: dict[str, str] | None = None) -> Path | None:
    """The installer's app root when this kiosk runs under the launcher; None in a development checkout."""
    value = (os.environ if environ is None else environ).get(APP_ROOT_ENV, "")
    return Path(value) if value else None


def running_version() -> str:
    from kiosk.diagnostics import software_version   # here: diagnostics pulls in much of the core
    return software_version()


def running_release(app_root: Path | None, code_root: Path = Path(__file__).resolve().parents[1]) -> str:
    """The release this code was started from, as state.json names it: its folder under `<app root>/releases`
    when the launcher started it, else the version in pyproject.toml."""
    if app_root is not None and code_root.parent == (Path(app_root) / RELEASES_DIR).resolve():
        return code_root.name
    return running_version()


def load_status(data_dir: Path | str) -> UpdateStatus:
    try:
        return UpdateStatus.from_json(json.loads((Path(data_dir) / STATUS_FILE).read_text(encoding="utf-8")))
    except (OSError, ValueError):
        return UpdateStatus()


def save_status(data_dir: Path | str, status: UpdateStatus) -> None:
    atomic_write(Path(data_dir) / STATUS_FILE, json.dumps(status.to_json(), ensure_ascii=False).encode("utf-8"),
                 mode=0o600)


_status_lock = threading.Lock()   # the sync thread and the UI's db lane both change the status file


def change_status(data_dir: Path | str, change: Callable[[UpdateStatus], UpdateStatus]) -> UpdateStatus:
    """Read, change and write the status file as one step within this process."""
    with _status_lock:
        status = change(load_status(data_dir))
        save_status(data_dir, status)
        return status


def load_state(app_root: Path | str) -> ReleaseState | None:
    """None when there is no state file yet; ValueError when it cannot be read."""
    path = Path(app_root) / STATE_FILE
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    try:
        return ReleaseState.from_json(json.loads(text))
    except (KeyError, TypeError, ValueError) as exc:
        raise ValueError(f"{STATE_FILE} unreadable ({type(exc).__name__})") from None


def save_state(app_root: Path | str, state: ReleaseState) -> None:
    atomic_write(Path(app_root) / STATE_FILE, json.dumps(state.to_json(), ensure_ascii=False, indent=1)
                 .encode("utf-8"))


@contextlib.contextmanager
def state_lock(app_root: Path | str) -> Iterator[None]:
    """The sync thread (refusals), the UI's db lane (apply, confirm) and the launcher change state.json by
    read-modify-write: one at a time."""
    fd = os.open(Path(app_root) / STATE_LOCK, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)   # closing releases the lock


def record_history(app_root: Path | None, entry: HistoryEntry) -> None:
    if app_root is None:
        return
    with state_lock(app_root):
        state = load_state(app_root) or ReleaseState()
        save_state(app_root, state.with_history(entry))


def release_dir(app_root: Path | str, version: str) -> Path:
    return Path(app_root) / RELEASES_DIR / version


def now_iso(clock: Clock) -> str:
    """UTC, as the launcher writes it: history and status times compare as text."""
    return clock().astimezone(timezone.utc).isoformat(timespec="seconds")


# --- when to apply -------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class QuietWindow:
    """Local (China Standard Time) hours in which a staged update may be installed; may span midnight."""
    start: clock_time
    end: clock_time

    @classmethod
    def parse(cls, start: str, end: str) -> "QuietWindow":
        """From the settings' "HH:MM" texts; ValueError for anything else."""
        return cls(_hhmm(start), _hhmm(end))

    @classmethod
    def from_config(cls, config: Any) -> "QuietWindow":
        try:
            return cls.parse(config["update_quiet_start"], config["update_quiet_end"])
        except (KeyError, TypeError, ValueError):
            log.warning("update quiet hours unreadable; using 02:00-04:00")
            return cls.parse("02:00", "04:00")

    def contains(self, moment: datetime) -> bool:
        local = moment.astimezone(CST).time().replace(tzinfo=None)
        if self.start <= self.end:
            return self.start <= local < self.end
        return local >= self.start or local < self.end

    def describe(self) -> str:
        return f"{self.start:%H:%M}–{self.end:%H:%M}"


def _hhmm(text: str) -> clock_time:
    hours, sep, minutes = str(text).strip().partition(":")
    if not sep or not (hours.isdigit() and minutes.isdigit() and len(minutes) == 2):
        raise ValueError("quiet hour must look like 02:00")
    return clock_time(int(hours), int(minutes))


def due(now: datetime, quiet: QuietWindow, is_idle: Callable[[], bool] = lambda: True) -> bool:
    """Whether a staged update may be installed now: inside the quiet window, and nobody is using the kiosk
    (no resident session, no save or print running: the UI's `is_idle`)."""
    return quiet.contains(now) and is_idle()


def staged_update(data_dir: Path | str, app_root: Path | None) -> UpdateStatus | None:
    """The staged update that may be applied here, or None (nothing staged, or not installer-managed)."""
    status = load_status(data_dir)
    if app_root is None or status.state != STAGED or not (release_dir(app_root, status.version) / "main.py").is_file():
        return None
    return status


# --- applying ------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ApplyResult:
    applied: bool                    # True: state.json names the trial; restart the app now
    version: str = ""
    reason: str = ""                 # why not: nothing_staged, not_managed, backup_failed


def apply_staged(app_root: Path | None, data_dir: Path | str, clock: Clock = utc_now, *,
                 audit: Audit | None = None, actor: str = "system") -> ApplyResult:
    """Back up the database, write the trial into state.json and tell the caller to restart.

    `actor`: "system" at the quiet hour, the technician's actor for 立即安装. The audit entry is written before
    the backup, so a rollback (which restores the backup) keeps the trail the hub may already hold. Nothing
    else changes when the backup fails: the update stays staged for the next quiet hour.
    """
    from local_db.audit import SYSTEM, UPDATE_APPLIED, UPDATE_REFUSED

    data_dir = Path(data_dir)
    if app_root is None:
        return ApplyResult(False, reason="not_managed")
    status = staged_update(data_dir, app_root)
    if status is None:
        return ApplyResult(False, reason="nothing_staged")
    _audit(audit, actor, UPDATE_APPLIED, status.version, "started")
    backup = data_dir / BACKUPS_DIR / f"pre-update-{status.version}.db"
    try:
        copy_to(data_dir / DB_FILE, backup)
    except BackupError as exc:
        log.error("update %s not applied: database backup failed (%s)", status.version, type(exc).__name__)
        refusal = Refusal(status.version, "backup_failed", now_iso(clock))
        change_status(data_dir, lambda current: replace(current, last_refusal=refusal))
        _audit(audit, SYSTEM, UPDATE_REFUSED, status.version, "backup_failed")
        return ApplyResult(False, status.version, "backup_failed")
    with state_lock(app_root):
        try:
            state = load_state(app_root) or ReleaseState()
        except ValueError:   # a torn file: the one written here replaces it
            state = ReleaseState()
        running = state.current if state.current and (release_dir(app_root, state.current) / "main.py").is_file() \
            else running_release(app_root)
        trial = Trial(status.version, running, 0, str(backup), now_iso(clock))
        save_state(app_root, replace(state, current=status.version, previous=running, trial=trial))
    change_status(data_dir, lambda current: replace(current, state=APPLYING, at=now_iso(clock)))
    log.info("update %s applied; restarting into it (trial)", status.version)
    return ApplyResult(True, status.version)


def _audit(audit: Audit | None, actor: str, action: str, target: str, outcome: str) -> None:
    if audit is None:
        return
    try:
        audit(actor, action, target, outcome)
    except Exception as exc:   # e.g. an actor form the catalogue does not know yet: the update goes on
        log.error("update audit entry not written: %s", type(exc).__name__)


# --- after a start -------------------------------------------------------------------------------------------

def confirm_running(app_root: Path | None, version: str, *, data_dir: Path | str | None = None,
                    audit: Audit | None = None, clock: Clock = utc_now) -> bool:
    """Called once the home screen is shown: the trial of `version` (if any) succeeded. Also writes to the
    audit trail what the launcher recorded since (a rollback) and brings the panel's status up to date.
    `audit(actor, action, target, outcome)`. True when a trial was confirmed now."""
    if app_root is None:
        return False
    confirmed = False
    with state_lock(app_root):
        try:
            state = load_state(app_root)
        except ValueError as exc:   # the launcher set it aside and started the newest release; nothing to confirm
            log.error("cannot confirm release %s: %s", version, exc)
            return False
        if state is not None and state.trial is not None and state.trial.version == version:
            state = replace(state, trial=None).with_history(HistoryEntry(version, "confirmed", now_iso(clock)))
            save_state(app_root, state)
            confirmed = True
    if state is not None and data_dir is not None:
        _settle_status(Path(data_dir), state, audit)
    return confirmed


def _settle_status(data_dir: Path, state: ReleaseState, audit: Audit | None) -> None:
    """Audit history entries not audited yet (once each) and let the status say how the update ended."""
    with _status_lock:
        save_status(data_dir, _settled(load_status(data_dir), state, audit))


def _settled(status: UpdateStatus, state: ReleaseState, audit: Audit | None) -> UpdateStatus:
    from local_db.audit import SYSTEM, UPDATE_APPLIED, UPDATE_REFUSED, UPDATE_ROLLED_BACK

    audited = set(status.audited)
    actions = {"confirmed": UPDATE_APPLIED, "rolled_back": UPDATE_ROLLED_BACK, "refused": UPDATE_REFUSED}
    for entry in state.history:
        if entry.key in audited:   # seen at an earlier start: a version staged again is not the one rolled back
            continue
        if entry.version == status.version and entry.outcome in ("confirmed", "rolled_back"):
            state_name = APPLIED if entry.outcome == "confirmed" else ROLLED_BACK
            status = replace(status, state=state_name, reason=entry.reason, at=entry.at)
        if audit is None or entry.outcome not in actions:
            continue
        outcome = "confirmed" if entry.outcome == "confirmed" else (entry.reason or "failed_starts")
        _audit(audit, SYSTEM, actions[entry.outcome], entry.version, outcome)   # never stops the start
        audited.add(entry.key)
    return replace(status, audited=tuple(h.key for h in state.history if h.key in audited))


@dataclass(frozen=True)
class VersionReport:
    """Everything the version panel shows, read in one go on a worker thread."""
    running: str
    managed: bool
    app_root: str
    current: str | None = None
    previous: str | None = None
    trial: Trial | None = None
    status: UpdateStatus = field(default_factory=UpdateStatus)
    history: tuple[HistoryEntry, ...] = ()
    quiet: str = ""
    state_problem: str = ""
    releases: tuple[str, ...] = ()


def version_report(data_dir: Path | str, app_root: Path | None, quiet: QuietWindow) -> VersionReport:
    base = VersionReport(running_version(), app_root is not None, str(app_root or ""),
                         status=load_status(data_dir), quiet=quiet.describe())
    if app_root is None:
        return base
    try:
        state = load_state(app_root) or ReleaseState()
        problem = ""
    except ValueError as exc:
        state, problem = ReleaseState(), str(exc)
    releases_root = Path(app_root) / RELEASES_DIR
    releases = tuple(sorted(p.name for p in releases_root.iterdir() if p.is_dir())) if releases_root.is_dir() else ()
    return replace(base, current=state.current, previous=state.previous, trial=state.trial,
                   history=tuple(reversed(state.history)), state_problem=problem, releases=releases)
