"""The technician's settings editor over the data dir's `config.json` (the local layer of kiosk/config.py).

Every setting is listed with its type, default, description, choices, the value the files give now and the
layer it comes from. What a technician types on the touchscreen is parsed and checked (`validate`) against the
setting's type and choices and against the limits below, which keep a value from breaking the kiosk (a zero
timeout, a port out of range, an idle warning as long as the idle timeout). `save` checks every change first and
writes all or nothing, atomically, keeping keys it does not know untouched; it audits each key changed (the key
only, never its value) and says which changes wait for a restart: settings are read when the kiosk starts.

Secret settings (kiosk/diagnostics.py's list and name rule) are never shown: only whether one is set.
"""
from __future__ import annotations

import json
import logging
import math
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Mapping

from kiosk.config import SETTINGS, Config, Setting, check_central
from kiosk.diagnostics import _SECRET_NAME, SECRET_SETTINGS
from kiosk.ids import Clock, utc_now
from kiosk.settings_text import text_for
from local_db.fsutil import atomic_write

log = logging.getLogger(__name__)

CONFIG_FILE = "config.json"
DEFAULT, BUNDLE, LOCAL = "default", "bundle", "local"
LAYER_NAMES = {DEFAULT: "默认值", BUNDLE: "区级下发", LOCAL: "本机设置"}
TYPE_NAMES = {bool: "开关", int: "整数", float: "数字", str: "文字"}
_BY_KEY = {s.key: s for s in SETTINGS}
# Settings the running kiosk picks up without a restart. None yet: build_core reads every setting once.
LIVE_SETTINGS: frozenset[str] = frozenset()


# --- limits declared as data -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Rule:
    ok: Callable[[Any], bool]
    reason: str


POSITIVE = Rule(lambda v: v > 0, "必须大于 0")
NON_NEGATIVE = Rule(lambda v: v >= 0, "不能小于 0")
PORT = Rule(lambda v: 1 <= v <= 65535, "端口必须在 1 到 65535 之间")
BAUD = Rule(lambda v: 300 <= v <= 4_000_000, "波特率必须在 300 到 4000000 之间")
HEX_KEY = Rule(lambda v: bool(re.fullmatch(r"[0-9a-fA-F]{64}", v)), "必须是 64 位十六进制（32 字节公钥）")
HEX_KEY_OR_EMPTY = Rule(lambda v: v == "" or bool(re.fullmatch(r"[0-9a-fA-F]{64}", v)),
                        "必须为空，或是 64 位十六进制（32 字节公钥）")


def _between(lo: float, hi: float) -> Rule:
    return Rule(lambda v: lo <= v <= hi, f"必须在 {lo} 到 {hi} 之间")


_POSITIVE_KEYS = ("sync_interval_s", "sync_timeout_s", "sync_batch_size", "idle_timeout_s", "idle_warning_s",
                  "device_timeout_s", "qr_camera_max_fps", "qr_wedge_max_gap_ms", "qr_wedge_min_length",
                  "printer_timeout_s", "device_scan_interval_s", "sync_max_batch_bytes", "sync_push_connections",
                  "sync_slow_link_bps", "sync_probe_interval_s", "sync_pull_interval_s", "sync_backoff_cap_s",
                  "sync_pull_page_size", "sync_pull_max_pages", "attachment_chunk_bytes", "sync_overdue_warn_h",
                  "sync_overdue_refuse_h", "backlog_warn", "backlog_refuse", "personal_data_keep_days",
                  "agent_max_failures", "agent_lockout_min", "agent_idle_timeout_s", "draft_keep_days")
RULES: dict[str, Rule] = {
    **{key: POSITIVE for key in _POSITIVE_KEYS},
    "qr_dedupe_s": NON_NEGATIVE,
    "disk_min_free_mb": NON_NEGATIVE,
    "qr_camera_width": _between(0, 10000),
    "qr_camera_height": _between(0, 10000),
    "printer_tcp_port": PORT,
    "printer_baudrate": BAUD,
    "qr_serial_baud": BAUD,
    "sync_push_connections": _between(1, 16),
    "backup_keep": _between(1, 100),
    "backup_interval_h": Rule(lambda v: v == 0 or v >= 0.5, "0 表示不自动备份，否则至少 0.5 小时"),
    "hub_url": Rule(lambda v: bool(re.fullmatch(r"https?://[^\s/]+(/\S*)?", v)), "必须以 http:// 或 https:// 开头"),
    "station_id": Rule(lambda v: bool(re.fullmatch(r"[A-Za-z0-9_.-]{1,64}", v)), "只能用字母、数字和 - _ .，不能为空"),
    "station_code": Rule(lambda v: bool(re.fullmatch(r"[A-Za-z0-9]{1,12}", v)), "只能用 1 到 12 个字母或数字"),
    "station_name": Rule(lambda v: bool(v.strip()), "不能为空"),
    "zlb_public_key": HEX_KEY,
    "diagnostics_public_key": HEX_KEY_OR_EMPTY,
    "voice_rate_wpm": _between(80, 300),   # voice guidance
}


@dataclass(frozen=True)
class CrossRule:
    """A limit between two settings, judged on the values in effect after the change."""
    smaller: str
    larger: str
    reason: str


CROSS_RULES = (
    CrossRule("idle_warning_s", "idle_timeout_s", "空闲倒计时提示必须短于空闲超时"),
    CrossRule("sync_overdue_warn_h", "sync_overdue_refuse_h", "未同步警告时间必须短于拒绝受理时间"),
    CrossRule("backlog_warn", "backlog_refuse", "积压警告数必须小于拒绝受理数"),
)

# Groups shown in the maintenance screen, by key prefix; the first that matches wins.
GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("站点与平台", ("station_", "follow_up", "hub_", "zlb_public_key")),
    ("同步", ("sync_", "attachment_", "backlog_", "disk_min_free_mb")),
    ("会话与超时", ("idle_", "device_")),
    ("读卡器", ("idcard_", "smartcard_", "sim_demo_card")),
    ("二维码", ("qr_", "sim_demo_qr")),
    ("打印机", ("printer_",)),
    ("高拍仪", ("doccam_",)),
    ("代办与数据保留", ("agent_", "draft_", "review_items", "personal_data_")),
    ("备份与诊断", ("backup_", "diagnostics_", "log_level")),
    ("维护模式", ("technician_",)),
    ("软件更新", ("update_",)),
    ("屏幕与锁定", ("fullscreen", "lockdown", "hide_cursor", "crash_")),
    ("其他", ("",)),
)


def group_of(key: str) -> str:
    return next(name for name, prefixes in GROUPS if any(key.startswith(p) for p in prefixes))


def is_secret(key: str) -> bool:
    return key in SECRET_SETTINGS or bool(_SECRET_NAME.search(key.lower()))


# --- typed records ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class SettingRow:
    key: str
    type_name: str              # "bool" | "int" | "float" | "str"
    default: str                # shown text
    description: str            # English, as declared in kiosk/config.py
    choices: tuple[str, ...]
    value: str                  # the value the files give now (shown text)
    layer: str                  # DEFAULT | BUNDLE | LOCAL
    running: str                # the value the kiosk runs with (differs until a restart)
    secret: bool
    group: str
    central: bool               # the district may set it
    name: str = ""              # Chinese name and description for the technician (kiosk/settings_text.py)
    description_zh: str = ""

    @property
    def pending_restart(self) -> bool:
        return self.value != self.running


@dataclass(frozen=True)
class Checked:
    key: str
    value: Any = None
    reason: str = ""            # why the text was refused, in Chinese; "" when it is fine

    @property
    def ok(self) -> bool:
        return not self.reason


@dataclass(frozen=True)
class SaveResult:
    ok: bool
    saved: tuple[str, ...] = ()                        # keys written (set or reset)
    restart: tuple[str, ...] = ()                      # of those, the ones that wait for a restart
    problems: dict[str, str] = field(default_factory=dict)   # key → reason; nothing was written
    message: str = ""


# --- parsing ---------------------------------------------------------------------------------------------------

_TRUE = {"true", "1", "yes", "on", "是", "开", "开启", "启用"}
_FALSE = {"false", "0", "no", "off", "否", "关", "关闭", "停用"}


def validate(key: str, text: str) -> Checked:
    """What was typed, as the setting's type, or the reason it cannot be used."""
    setting = _BY_KEY.get(key)
    if setting is None:
        return Checked(key, reason="没有这个设置")
    if not isinstance(text, str):
        text = show(text)
    parsed = _parse(setting, text.strip())
    if not parsed.ok:
        return parsed
    if setting.choices and parsed.value not in setting.choices:
        return Checked(key, reason="只能选：" + "、".join(show(c) for c in setting.choices))
    rule = RULES.get(key)
    if rule is not None and not rule.ok(parsed.value):
        return Checked(key, reason=rule.reason)
    return parsed


def _parse(setting: Setting, text: str) -> Checked:
    key = setting.key
    if setting.type is bool:
        if text.lower() in _TRUE:
            return Checked(key, True)
        if text.lower() in _FALSE:
            return Checked(key, False)
        return Checked(key, reason="请选择开或关")
    if setting.type is int:
        if not re.fullmatch(r"[+-]?\d{1,15}", text):
            return Checked(key, reason="请输入整数")
        return Checked(key, int(text))
    if setting.type is float:
        try:
            value = float(text)
        except ValueError:
            return Checked(key, reason="请输入数字（可带小数点）")
        if not math.isfinite(value):
            return Checked(key, reason="请输入有限的数字")
        return Checked(key, value)
    if any(ord(c) < 32 or ord(c) == 127 for c in text):
        return Checked(key, reason="不能包含换行或控制字符")
    if len(text) > 500:
        return Checked(key, reason="太长（最多 500 个字符）")
    return Checked(key, text)


def show(value: Any) -> str:
    if isinstance(value, bool):
        return "开" if value else "关"
    if isinstance(value, float) and value.is_integer():
        return f"{value:.1f}"
    return str(value)


# --- the editor ------------------------------------------------------------------------------------------------

class SettingsEditor:
    """`bundle_json`: the district's installed config bundle as stored (local_db.sync_state.installed_payload);
    `running`: the config the kiosk started with."""

    def __init__(self, data_dir: Path | str, bundle_json: str | None = None, running: Config | None = None,
                 audit=None, clock: Clock = utc_now):
        self.path = Path(data_dir) / CONFIG_FILE
        self.bundle = _bundle_values(bundle_json)
        self.running = running
        self.audit = audit
        self.clock = clock

    @classmethod
    def for_core(cls, core) -> "SettingsEditor":
        from local_db.sync_state import installed_payload

        try:
            bundle = installed_payload(Path(core.data_dir) / "kiosk.db", "config")
        except Exception as exc:   # the editor still works on the local file
            log.warning("config bundle not readable for the settings editor: %s", type(exc).__name__)
            bundle = None
        return cls(core.data_dir, bundle, core.config, core.audit)

    def rows(self) -> list[SettingRow]:
        local, _ = self._local()
        effective = Config.layered(self.bundle, local)
        rows = []
        for setting in SETTINGS:
            key = setting.key
            layer = LOCAL if _usable(setting, local) else BUNDLE if _usable(setting, self.bundle) else DEFAULT
            secret = is_secret(key)
            value = self._shown(key, effective[key], secret)
            running = self._shown(key, self.running[key], secret) if self.running is not None else value
            text = text_for(key, setting.description)
            rows.append(SettingRow(key, setting.type.__name__, self._shown(key, setting.default, secret),
                                   setting.description, tuple(show(c) for c in setting.choices), value, layer,
                                   running, secret, group_of(key), setting.central, text.name, text.description))
        return rows

    @staticmethod
    def _shown(key: str, value: Any, secret: bool) -> str:
        if secret:
            return "已设置" if value not in ("", None) else "未设置"
        return show(value)

    def validate(self, key: str, text: str) -> Checked:
        return validate(key, text)

    def save(self, changes: Mapping[str, str | None], actor: str) -> SaveResult:
        """`changes`: key → typed text, or None to drop the local value (back to the district's or the default).
        All are checked first; any problem writes nothing."""
        local, readable = self._local()
        new_local = dict(local)
        problems: dict[str, str] = {}
        for key, text in changes.items():
            if key not in _BY_KEY:
                problems[key] = "没有这个设置"
            elif text is None:
                new_local.pop(key, None)
            else:
                checked = validate(key, text)
                if checked.ok:
                    new_local[key] = checked.value
                else:
                    problems[key] = checked.reason
        if not problems:
            problems = self._cross_problems(new_local, set(changes))
        if problems:
            return SaveResult(False, problems=problems, message="有设置不符合要求，全部未保存")
        changed = tuple(k for k in changes if new_local.get(k, _MISSING) != local.get(k, _MISSING))
        if not changed:
            return SaveResult(True, message="没有改动")
        try:
            self._write(new_local, readable)
        except OSError as exc:
            log.error("config.json not written: %s", exc)
            reason = "磁盘空间不足" if exc.errno == 28 else "无法写入设置文件"
            return SaveResult(False, problems={}, message=f"{reason}，设置未保存（原设置不变）")
        self._audit(actor, changed, new_local)
        restart = self._needing_restart(changed, new_local)
        log.info("settings saved: %s; restart needed for %s", ", ".join(changed), ", ".join(restart) or "none")
        return SaveResult(True, changed, restart, message="已保存" + ("，重启后生效" if restart else ""))

    def _cross_problems(self, new_local: dict, changed: set[str]) -> dict[str, str]:
        effective = Config.layered(self.bundle, new_local)
        problems = {}
        for rule in CROSS_RULES:
            if (rule.smaller in changed or rule.larger in changed) and \
                    not effective[rule.smaller] < effective[rule.larger]:
                problems[rule.smaller if rule.smaller in changed else rule.larger] = rule.reason
        return problems

    def _needing_restart(self, changed: tuple[str, ...], new_local: dict) -> tuple[str, ...]:
        effective = Config.layered(self.bundle, new_local)
        if self.running is None:
            return tuple(k for k in changed if k not in LIVE_SETTINGS)
        return tuple(k for k in changed if k not in LIVE_SETTINGS and effective[k] != self.running[k])

    def _audit(self, actor: str, changed: tuple[str, ...], new_local: dict) -> None:
        if self.audit is None:
            return
        from local_db import audit

        for key in changed:
            try:
                self.audit.record(actor, audit.SETTINGS_CHANGED, key, "set" if key in new_local else "reset")
            except Exception:   # the file is written; a trail problem must not undo a repair
                log.exception("settings change of %s not audited", key)

    def _local(self) -> tuple[dict[str, Any], bool]:
        """config.json's object as it is (unknown keys included) and whether it could be read."""
        if not self.path.exists():
            return {}, True
        try:
            values = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError, RecursionError):
            return {}, False
        return (values, True) if isinstance(values, dict) else ({}, False)

    def _write(self, values: dict, readable: bool) -> None:
        if not readable and self.path.exists():   # kept for the record: a technician may want what was in it
            stamp = self.clock().strftime("%Y%m%dT%H%M%SZ")
            shutil.copy2(self.path, self.path.with_name(f"{CONFIG_FILE}.unreadable-{stamp}"))
        data = json.dumps(values, ensure_ascii=False, indent=2).encode("utf-8") + b"\n"
        atomic_write(self.path, data, mode=0o600)


_MISSING = object()


def _usable(setting: Setting, layer: Mapping[str, Any]) -> bool:
    return setting.key in layer and not Config({setting.key: layer[setting.key]}).problems


def _bundle_values(bundle_json: str | None) -> dict[str, Any]:
    if not bundle_json:
        return {}
    try:
        values = json.loads(bundle_json)
    except (ValueError, RecursionError):
        return {}
    return values if not check_central(values) else {}
