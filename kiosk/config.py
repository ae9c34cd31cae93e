"""Settings declared as data (type, default, description), loaded from the data directory.

Three layers, later wins: defaults < the district's config bundle (only settings marked central, installed by
sync, read at start) < `config.json` in the data directory. Unknown keys and wrongly typed values are reported
and ignored, never fatal, so a bad edit cannot stop a kiosk on a remote island from starting.
"""
from __future__ import annotations

import json
import logging
import math
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Setting:
    key: str
    type: type
    default: Any
    description: str
    choices: tuple = ()
    central: bool = False   # the district may set it through a config bundle; the rest is this station's own


def central(*args: Any, **kw: Any) -> Setting:
    return Setting(*args, central=True, **kw)


SETTINGS: tuple[Setting, ...] = (
    Setting("station_id", str, "zs-dh-cjd-001", "Station identifier known to the hub"),
    Setting("station_code", str, "DH001", "Short code printed at the start of receipt numbers"),
    Setting("station_name", str, "定海区长岛便民服务站", "Station name shown on screen and receipts"),
    central("follow_up", str, "拨打 0580-12345 或在浙里办“办件查询”输入回执号", "Where residents ask about progress"),
    Setting("hub_url", str, "http://127.0.0.1:8765", "Central platform (hub) base URL"),
    central("sync_interval_s", float, 15.0, "Seconds between sync attempts when idle"),
    central("sync_timeout_s", float, 10.0, "HTTP timeout for one sync request"),
    central("sync_batch_size", int, 250, "Most records pushed in one request"),
    central("idle_timeout_s", float, 90.0, "Seconds without a touch before the session is wiped"),
    central("idle_warning_s", float, 20.0, "Seconds of countdown shown before the idle wipe"),
    central("device_timeout_s", float, 30.0, "Seconds to wait for a card or a QR code"),
    Setting("idcard_backend", str, "sim", "ID card reader backend", ("sim", "serial", "none")),
    Setting("idcard_port", str, "", "Serial port of the ID card reader (serial backend); empty or 'auto' finds"
            " USB-serial bridges used by SAM readers"),
    Setting("idcard_wlt_library", str, "", "Path of the vendor's WLT photo decoder library (optional)"),
    Setting("idcard_wlt_function", str, "unpack", "Decoder function in that library (unpack | WltToBmp)"),
    Setting("idcard_wlt_code", int, 0, "Vendor code passed to unpack (e.g. 158 on x86-64, 602 on ARM64)"),
    Setting("smartcard_backend", str, "none", "PC/SC card reader backend (social security / staff cards)",
            ("none", "pcsc", "sim")),
    Setting("qr_backend", str, "sim", "QR scanner backend", ("sim", "camera", "wedge", "serial", "none")),
    Setting("qr_camera", str, "0", "Camera: index ('0'), device path ('/dev/video0'), video file, or image-sequence"
                                   " pattern ('frames/%04d.png')"),
    Setting("qr_camera_width", int, 1280, "Requested camera frame width in pixels (0: the camera's default)"),
    Setting("qr_camera_height", int, 720, "Requested camera frame height in pixels (0: the camera's default)"),
    Setting("qr_camera_max_fps", float, 15.0, "Most camera frames decoded per second while scanning (CPU cap)"),
    Setting("qr_serial_port", str, "", "Serial port of a fixed-mount QR scanner, e.g. /dev/ttyACM0"),
    Setting("qr_serial_baud", int, 9600, "Baud rate of the serial QR scanner (USB-CDC scanners ignore it)"),
    Setting("qr_wedge_max_gap_ms", float, 50.0, "Keyboard-wedge scanner: longest pause between keys of one code"),
    Setting("qr_wedge_min_length", int, 8, "Keyboard-wedge scanner: shortest burst taken as a code"),
    Setting("qr_dedupe_s", float, 2.0, "Seconds a code must be out of sight before it counts again"),
    Setting("printer_backend", str, "sim", "Receipt printer backend",
            ("sim", "file", "network", "serial", "usb", "none")),
    Setting("printer_host", str, "", "Network printer host or IP (network backend)"),
    Setting("printer_tcp_port", int, 9100, "Network printer raw TCP port"),
    Setting("printer_port", str, "", "Serial printer port path or pyserial URL (serial backend)"),
    Setting("printer_baudrate", int, 9600, "Serial printer speed"),
    Setting("printer_flow_control", str, "none", "Serial flow control", ("none", "rtscts", "xonxoff", "dsrdtr")),
    Setting("printer_usb_id", str, "", "USB printer vvvv:pppp as lsusb shows it; empty: printer-class devices"),
    Setting("printer_status_query", bool, True, "Ask DLE EOT status before and after each receipt"),
    Setting("printer_timeout_s", float, 2.0, "Printer connect, write and status-answer timeout"),
    Setting("device_scan_interval_s", float, 2.0, "Seconds between device scans (hot-plug detection)"),
    Setting("printer_width_mm", int, 80, "Receipt paper width", (58, 80)),
    Setting("sim_demo_card", bool, True, "Simulated reader presents a demo card when asked (demo/dev only)"),
    Setting("sim_demo_qr", bool, True, "Simulated scanner shows a demo 浙里办 code when asked (demo/dev only)"),
    Setting("zlb_public_key", str, "4d85d3ae9fd115ab5d4b43c02c228d4aab6be1a586543ee37293ad36fffa1455",
            "Hex Ed25519 public key that signs 浙里办 identity codes (default: the DEMO key of the simulator)"),
    central("sync_max_batch_bytes", int, 256 * 1024, "Most gzip-compressed bytes pushed in one request"),
    central("sync_push_connections", int, 3, "Batches pushed at once, each on its own connection (one TCP flow"
            " cannot fill a lossy long-delay island link)"),
    central("sync_slow_link_bps", int, 8 * 1024, "Assumed bytes/second of a poor island link, to scale timeouts"),
    central("sync_probe_interval_s", float, 10.0, "While offline, seconds between cheap health checks"),
    central("sync_pull_interval_s", float, 60.0, "Least seconds between pulls of the hub's streams (status,"
                                                 " catalog...)"),
    central("sync_backoff_cap_s", float, 300.0, "Longest wait between failed rounds (Retry-After may ask longer)"),
    central("sync_pull_page_size", int, 100, "Items asked for per stream page"),
    central("sync_pull_max_pages", int, 20, "Most pages pulled per stream in one round (the rest next round)"),
    central("attachment_chunk_bytes", int, 256 * 1024, "Bytes per attachment upload chunk"),
    Setting("hub_ca_file", str, "", "CA bundle to verify an https hub (empty: the system store)"),
    Setting("sync_require_enrollment", bool, False, "Send nothing until enrolled (production); off: an unenrolled"
                                                    " terminal pushes unsigned, as protocol 1.0 did, to --open hubs"),
    central("sync_overdue_warn_h", float, 24.0, "Hours without sync (or oldest pending record) before a warning"),
    central("sync_overdue_refuse_h", float, 72.0, "Hours without sync (or oldest pending record) before non-urgent "
                                                  " applications are refused"),
    central("backlog_warn", int, 500, "Pending records before a warning"),
    central("backlog_refuse", int, 2000, "Pending records before non-urgent applications are refused"),
    central("disk_min_free_mb", int, 200, "Free MB in the data dir below which non-urgent applications are refused"
                                          " (twice this warns)"),
    central("personal_data_keep_days", float, 1.0, "Days personal data stays on the kiosk once the hub has"
                                                    " acknowledged it (fractions allowed: 0.5 is 12 hours)"),
    Setting("agent_max_failures", int, 5, "Wrong agent logins in a row (per entered id) before a lockout"),
    Setting("agent_lockout_min", float, 15.0, "Minutes an agent id stays locked out; survives a reboot"),
    Setting("agent_idle_timeout_s", float, 300.0, "Seconds without a touch before a logged-in agent is logged out"),
    central("draft_keep_days", float, 7.0, "Days an agent's saved draft is kept before it is purged"),
    central("review_items", str, "", "Item ids (comma-separated) whose agent filings a supervisor approves"
                                     " before they are sent to the hub"),
    Setting("doccam_backend", str, "sim", "Document camera backend", ("sim", "camera", "none")),
    Setting("doccam_camera", str, "1", "Document camera: index, device path, video file or image sequence"),
    # data tools (kiosk/settings_edit.py, local_db/backup.py, kiosk/usb_export.py)
    Setting("backup_keep", int, 7, "Newest database backups kept in the data dir's backups folder"),
    Setting("backup_interval_h", float, 24.0, "Hours between automatic database backups (0: none)"),
    central("diagnostics_public_key", str, "", "Hex X25519 public key of the district: USB diagnostic exports"
                                               " are encrypted to it (empty: no export)"),
    # maintenance mode (kiosk/technicians.py, ui/maintenance.py)
    Setting("technician_max_failures", int, 5, "Wrong maintenance PINs in a row (per entered id) before a lockout"),
    Setting("technician_lockout_min", float, 30.0, "Minutes maintenance stays locked for that id; survives a reboot"),
    Setting("technician_idle_timeout_s", float, 600.0, "Seconds without a touch before maintenance mode closes"),
    # updates (kiosk/updates.py)
    central("update_quiet_start", str, "02:00", "Local time (HH:MM) from which a staged software update may be"
                                                " installed, when nobody is using the kiosk"),
    central("update_quiet_end", str, "04:00", "Local time (HH:MM) the update quiet window ends (may be past"
                                              " midnight: 23:00-01:00)"),
    # lockdown and crash recovery (ui/lockdown.py, ui/crash_guard.py, docs/lockdown.md)
    Setting("lockdown", bool, True, "Full-screen kiosk locked: escape keys swallowed, closing refused, no context"
                                    " menus (a --windowed run is never locked)"),
    Setting("hide_cursor", bool, True, "Hide the pointer while locked (touch screens); off for a kiosk used with"
                                       " a mouse"),
    Setting("crash_storm_count", int, 5, "Crashes within crash_storm_window_s that end the app for the service"
                                         " manager to restart it (fewer: each returns to the home screen)"),
    Setting("crash_storm_window_s", float, 60.0, "Seconds over which crashes are counted for crash_storm_count"),
    # languages, elderly mode and voice (kiosk/preferences.py)
    central("default_language", str, "zh", "Language each session starts in (a resident may switch)", ("zh", "en")),
    # voice guidance (kiosk/voice.py, devices/speaker.py)
    Setting("speaker_backend", str, "sim", "Loudspeaker for voice guidance: simulated WAV sink, the sound device"
            " found (auto), or none", ("sim", "auto", "off")),
    Setting("speaker_device", str, "", "ALSA playback device for the auto backend (aplay -D); empty: the default"),
    central("voice_rate_wpm", int, 150, "Voice guidance speed in words per minute (elderly mode is 20% slower)"),
    # 智能问答 (kiosk/qa.py, ui/qa.py)
    central("qa_callback_hours", int, 24, "Hours within which staff call back a resident who asked for a person"),
    # live chat with hub staff (sync/chat.py, ui/chat.py)
    central("live_chat", bool, True, "Offer a live text chat with hub staff when the hub is reachable and staff are"
                                     " on duty"),
    Setting("chat_wait_s", int, 10, "Seconds a chat poll may wait at the hub for a staff reply (1-20)"),
    # elderly mode and accessibility (kiosk/elderly.py, ui/elderly.py, ui/a11y.py)
    central("elderly_timeout_factor", float, 2.0, "In elderly mode the idle timeout and its warning are this many"
                                                  " times longer (at least 1)"),
    Setting("screen_dpi", float, 96.8, "Pixels per inch of the touch screen, for the 9 mm touch-target check"
                                       " (15.6-inch 1280x800: 96.8; 0: as the screen reports)"),
    # on-screen keyboard (ui/osk.py)
    Setting("onscreen_keyboard", str, "always",
            "On-screen keyboard for text fields: always, auto (only when a touchscreen is found) or never",
            ("always", "auto", "never")),
    Setting("fullscreen", bool, True, "Start full-screen"),
    central("log_level", str, "INFO", "Logging level", ("DEBUG", "INFO", "WARNING", "ERROR")),
)
_BY_KEY = {s.key: s for s in SETTINGS}


class Config:
    def __init__(self, values: dict[str, Any] | None = None, problems: list[str] | None = None):
        self._values = {s.key: s.default for s in SETTINGS}
        self.problems: list[str] = list(problems or [])
        for key, value in (values or {}).items():
            self._set(key, value)

    def _set(self, key: str, value: Any) -> None:
        setting = _BY_KEY.get(key)
        if setting is None:
            self.problems.append(f"unknown setting {key!r} ignored")
            return
        try:
            coerced = _coerce(setting, value)
        except (TypeError, ValueError) as exc:
            self.problems.append(f"setting {key!r}: {exc}; ignored")
            return
        self._values[key] = coerced

    def __getitem__(self, key: str) -> Any:
        return self._values[key]

    def get(self, key: str) -> Any:
        return self._values[key]

    def as_dict(self) -> dict[str, Any]:
        return dict(self._values)

    def with_overrides(self, **overrides: Any) -> "Config":
        merged = self.as_dict() | overrides
        return Config(merged, self.problems)

    @classmethod
    def layered(cls, *layers: Mapping[str, Any]) -> "Config":
        """Later layers win key by key; a bad value in one layer keeps what the layers below gave."""
        config = cls()
        for layer in layers:
            for key, value in layer.items():
                config._set(key, value)
        return config


def check_central(values: Any) -> list[str]:
    """Why a config bundle cannot be applied, empty when it can. Names keys, never values (bundle content)."""
    if not isinstance(values, dict):
        return ["not an object"]
    problems = []
    for key, value in values.items():
        setting = _BY_KEY.get(key)
        if setting is None:
            problems.append(f"unknown setting {str(key)[:40]!r}")
        elif not setting.central:
            problems.append(f"setting {key!r} is not managed centrally")
        else:
            try:
                _coerce(setting, value)
            except (TypeError, ValueError):
                problems.append(f"setting {key!r}: wrong type or choice")
    return problems


def _coerce(setting: Setting, value: Any) -> Any:
    if setting.type is bool:
        if not isinstance(value, bool):
            raise TypeError(f"expected true/false, got {value!r}")
        result = value
    elif setting.type is float and isinstance(value, (int, float)) and not isinstance(value, bool):
        result = float(value)
        if not math.isfinite(result):      # JSON NaN / Infinity / 1e400: no timeout or interval means that
            raise ValueError(f"expected a finite number, got {value!r}")
    elif setting.type is int and isinstance(value, int) and not isinstance(value, bool):
        result = value
    elif setting.type is str and isinstance(value, str):
        result = value
    else:
        raise TypeError(f"expected {setting.type.__name__}, got {value!r}")
    if setting.choices and result not in setting.choices:
        raise ValueError(f"must be one of {setting.choices}")
    return result


def id_list(text: str) -> frozenset[str]:
    """A comma-separated setting of ids (review_items) as a set; blanks ignored."""
    return frozenset(part.strip() for part in text.split(",") if part.strip())


def default_data_dir() -> Path:
    env = os.environ.get("ZDB_DATA_DIR")
    if env:
        return Path(env)
    base = os.environ.get("XDG_DATA_HOME") or os.path.expanduser("~/.local/share")
    return Path(base) / "zhoudaoban"


def load_config(data_dir: Path, central_json: str | None = None) -> Config:
    """Defaults < the installed config bundle (`central_json`, as stored) < the local `config.json`.

    The local file wins because it is the technician's repair on the spot (say, longer timeouts for a bad link
    on one island): a district-wide bundle must not silently undo it, and it is the way back if a central
    value keeps a kiosk from syncing at all.
    """
    problems: list[str] = []
    bundle = _central_values(central_json, problems)
    local = _local_values(Path(data_dir) / "config.json", problems)
    config = Config.layered(bundle, local)
    config.problems[:0] = problems
    for problem in config.problems:
        log.warning("config: %s", problem)
    return config


def _central_values(central_json: str | None, problems: list[str]) -> dict[str, Any]:
    """The config bundle's settings; one that fails its check here (it passed at install) is ignored whole."""
    if not central_json:
        return {}
    try:
        values = json.loads(central_json)
    except (ValueError, RecursionError):
        values = None
    found = check_central(values)
    if found:
        problems.append(f"config bundle ignored: {found[0]}")
        return {}
    return values


def _local_values(path: Path, problems: list[str]) -> dict[str, Any]:
    if not path.exists():
        return {}
    try:
        values = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(values, dict):
            raise ValueError("top level must be an object")
    except (OSError, ValueError, RecursionError) as exc:   # RecursionError: nested deeper than the parser goes
        problems.append(f"config.json unreadable, ignored: {str(exc)[:200]}")
        return {}
    return values
