"""The technician's notices: `maintenance-notices.json` in the data dir.

What happened while no technician was there (a database restored at start, a staged restore that could not be
done), shown in the maintenance screen (ui/screens/maint_database.py) until acknowledged. Counts and file names
only, never personal data.
"""
from __future__ import annotations

import json
import threading
from datetime import timezone
from pathlib import Path

from kiosk.ids import Clock, utc_now
from local_db.fsutil import atomic_write

NOTICES_FILE = "maintenance-notices.json"
_KEEP = 50   # notices kept in the file once acknowledged ones pile up: the file stays small
_STAMP = "%Y%m%dT%H%M%SZ"
_RESTORE_LEADS = {"db_restored": "数据库损坏，已自动从备份恢复",
                  "db_missing_restored": "数据库文件丢失，已自动从备份恢复",
                  "db_restore_requested": "已按技术员要求从备份恢复数据库"}


class Notices:
    def __init__(self, data_dir: Path | str, clock: Clock = utc_now):
        self.path = Path(data_dir) / NOTICES_FILE
        self.clock = clock
        self._lock = threading.Lock()

    def all(self) -> list[dict]:
        try:
            body = json.loads(self.path.read_text(encoding="utf-8"))
            notices = body.get("notices", []) if isinstance(body, dict) else []
            return [n for n in notices if isinstance(n, dict) and "id" in n]
        except (OSError, ValueError):
            return []

    def pending(self) -> list[dict]:
        return [n for n in self.all() if not n.get("acknowledged_at")]

    def add(self, kind: str, **details) -> dict:
        with self._lock:
            notices = self.all()
            now = self.clock()
            notice = {"id": f"{kind}-{now.astimezone(timezone.utc).strftime(_STAMP)}-{len(notices) + 1}",
                      "kind": kind, "at": now.isoformat(timespec="seconds"), "acknowledged_at": None, **details}
            self._write(notices + [notice])
        return notice

    def acknowledge(self, notice_id: str) -> bool:
        with self._lock:
            notices = self.all()
            found = False
            for notice in notices:
                if notice["id"] == notice_id and not notice.get("acknowledged_at"):
                    notice["acknowledged_at"] = self.clock().isoformat(timespec="seconds")
                    found = True
            if found:
                self._write(notices[-_KEEP:])
        return found

    def _write(self, notices: list[dict]) -> None:
        atomic_write(self.path, json.dumps({"notices": notices}, ensure_ascii=False, indent=1).encode("utf-8"),
                     mode=0o600)


def acknowledge(data_dir: Path | str, notice_id: str, trail=None, actor: str = "technician") -> bool:
    """The technician's 知道了, audited with the notice's id."""
    from local_db import audit

    done = Notices(data_dir).acknowledge(notice_id)
    if done and trail is not None:
        trail.record(actor, audit.NOTICE_ACKNOWLEDGED, notice_id)
    return done


def notice_text(notice: dict) -> str:
    """The notice in Chinese for the technician."""
    kind = notice.get("kind")
    if kind == "db_restore_failed":
        return f"要求的恢复未能完成（{notice.get('at')}）：备份 {notice.get('backup')}，数据库保持原样。"
    if kind not in _RESTORE_LEADS:
        return f"{kind}（{notice.get('at')}）"
    return "；".join(_restore_parts(notice)) + "。"


def _restore_parts(notice: dict) -> list[str]:
    parts = [f"{_RESTORE_LEADS[notice['kind']]}（{notice.get('at')}）：备份 {notice.get('backup')}"]
    if notice.get("aside"):
        parts.append(f"原数据库已保留为 {notice['aside']}")
    parts.append(f"从原数据库找回 {notice.get('salvaged', 0)} 条记录")
    unreadable = notice.get("unreadable", 0)
    if unreadable is None:
        parts.append("原数据库部分内容无法读取，备份之后的记录可能有丢失，数量无法统计")
    elif unreadable:
        parts.append(f"最多 {unreadable} 条记录因损坏无法找回")
    if notice.get("receipt_floor"):
        parts.append(f"为免与已发出的回执重号，今天的回执编号从 {notice['receipt_floor'] + 1:04d} 起")
    return parts
