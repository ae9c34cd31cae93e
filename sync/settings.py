"""The terminal's sync settings as data (key, type, default, description), read defensively from `Config`.

`kiosk/config.py` declares them (type, default, description); this typed record reads them, falling back to
its own defaults where a config lacks a key (tests pass plain dicts).
"""
from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

@dataclass(frozen=True)
class SyncSettings:
    hub_url: str = "http://127.0.0.1:8765"
    station_id: str = "zs-dh-cjd-001"
    sync_interval_s: float = 15.0
    sync_timeout_s: float = 10.0
    sync_batch_size: int = 250
    sync_max_batch_bytes: int = 256 * 1024
    sync_push_connections: int = 3
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
    personal_data_keep_days: float = 1.0

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
