"""The terminal's sync settings as data (key, type, default, description), read defensively from `Config`.

`kiosk/config.py` declares the settings the kiosk knows; the ones below that it does not declare yet fall back
to their defaults here, so this module works before and after they are added there.
"""
from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

# (key in config.json, type, default, description): what kiosk/config.py should declare.
SYNC_SETTINGS: tuple[tuple[str, type, Any, str], ...] = (
    ("hub_url", str, "http://127.0.0.1:8765", "Central platform (hub) base URL"),
    ("station_id", str, "zs-dh-cjd-001", "Station identifier known to the hub"),
    ("sync_interval_s", float, 15.0, "Seconds between sync rounds when idle"),
    ("sync_timeout_s", float, 10.0, "Base HTTP timeout of one sync request, before scaling by its size"),
    ("sync_batch_size", int, 100, "Most records pushed in one request"),
    ("sync_max_batch_bytes", int, 256 * 1024, "Most gzip-compressed bytes pushed in one request"),
    ("sync_slow_link_bps", int, 8 * 1024, "Assumed bytes/second of a poor island link, to scale timeouts"),
    ("sync_probe_interval_s", float, 10.0, "While offline, seconds between cheap health checks"),
    ("sync_pull_interval_s", float, 60.0, "Least seconds between pulls of the hub's streams (status, catalog...)"),
    ("sync_backoff_cap_s", float, 300.0, "Longest wait between failed rounds (Retry-After may ask longer)"),
    ("sync_pull_page_size", int, 100, "Items asked for per stream page"),
    ("sync_pull_max_pages", int, 20, "Most pages pulled per stream in one round (the rest next round)"),
    ("attachment_chunk_bytes", int, 256 * 1024, "Bytes per attachment upload chunk"),
    ("hub_ca_file", str, "", "CA bundle to verify an https hub (empty: the system store)"),
    ("sync_require_enrollment", bool, False, "Send nothing until enrolled (production); off: an unenrolled "
                                             "terminal pushes unsigned, as protocol 1.0 did, to --open hubs"),
    ("sync_overdue_warn_h", float, 24.0, "Hours without sync (or oldest pending record) before a warning"),
    ("sync_overdue_refuse_h", float, 72.0, "Hours without sync (or oldest pending record) before non-urgent "
                                           "applications are refused"),
    ("backlog_warn", int, 500, "Pending records before a warning"),
    ("backlog_refuse", int, 2000, "Pending records before non-urgent applications are refused"),
    ("disk_min_free_mb", int, 200, "Free MB in the data dir below which non-urgent applications are refused "
                                   "(twice this warns)"),
)


@dataclass(frozen=True)
class SyncSettings:
    hub_url: str = "http://127.0.0.1:8765"
    station_id: str = "zs-dh-cjd-001"
    sync_interval_s: float = 15.0
    sync_timeout_s: float = 10.0
    sync_batch_size: int = 100
    sync_max_batch_bytes: int = 256 * 1024
    sync_slow_link_bps: int = 8 * 1024
    sync_probe_interval_s: float = 10.0
    sync_pull_interval_s: float = 60.0
    sync_backoff_cap_s: float = 300.0
    sync_pull_page_size: int = 100
    sync_pull_max_pages: int = 20
    attachment_chunk_bytes: int = 256 * 1024
    hub_ca_file: str = ""
    sync_require_enrollment: bool = False
    sync_overdue_warn_h: float = 24.0
    sync_overdue_refuse_h: float = 72.0
    backlog_warn: int = 500
    backlog_refuse: int = 2000
    disk_min_free_mb: int = 200

    @classmethod
    def from_config(cls, config: Any, **overrides: Any) -> "SyncSettings":
        values = {f.name: _read(config, f.name, f.default) for f in fields(cls)}
        return cls(**(values | overrides))


def _read(config: Any, key: str, default: Any) -> Any:
    """The config's value if it declares the key with a sensible type, else the default."""
    try:
        value = config[key]
    except (KeyError, TypeError):
        return default
    if isinstance(default, bool) or isinstance(value, bool):
        return value if isinstance(value, bool) and isinstance(default, bool) else default
    if isinstance(default, float) and isinstance(value, (int, float)):
        return float(value)
    return value if isinstance(value, type(default)) else default
