"""Screenshots of maintenance mode at 1280x800: `python -m ui.shots --maintenance OUTDIR` (docs/shots/ in the repo).

A throwaway kiosk (simulated devices, a sync worker aimed at a hub that is not there, a demo technician and a log
file) is driven through the gesture, the login and every tab, including the panels of other helpers when present.
Writes `maintenance-<state>.png` and prints the files written.
"""
from __future__ import annotations

import json
import logging
import logging.handlers
import socket
import tempfile
from pathlib import Path

from kiosk.log_redaction import RedactingFilter

DEMO_TECH, DEMO_PIN = "T001", "482916"


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_log(data_dir: Path) -> logging.Handler:
    """The kiosk's own file log (main.py's format), so the 日志 tab shows real lines from this run."""
    (data_dir / "logs").mkdir(parents=True, exist_ok=True)
    handler = logging.handlers.RotatingFileHandler(data_dir / "logs" / "kiosk.log", encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactingFilter())
    root = logging.getLogger()
    root.setLevel(logging.INFO)
    root.addHandler(handler)
    return handler


def plant(core) -> None:
    """A demo technician (cheap scrypt) and a queue with two quarantined records, in this throwaway database."""
    from datetime import datetime, timedelta, timezone

    from local_db import audit
    from sync.credentials_hash import hash_password
    from sync.quarantine import Quarantine

    now = datetime.now(timezone.utc)
    item = {"agent_id": DEMO_TECH, "display_name": "演示技术员", "role": "technician",
            "password_hash": hash_password(DEMO_PIN, n=2 ** 10),
            "valid_from": (now - timedelta(days=1)).isoformat(timespec="seconds"), "valid_to": None, "revoked": False}
    store = core.store
    with store._lock, store.db.conn:
        store.db.conn.execute("INSERT INTO stream_items (stream, id, body, updated_at) VALUES ('agent_credentials',"
                              " ?, ?, ?)", (DEMO_TECH, json.dumps(item, ensure_ascii=False), now.isoformat()))
    ids = [core.audit.record(audit.SYSTEM, audit.DRAFT_EXPIRED, f"01937c5e-1a2b-7000-8000-00000000000{n}").id
           for n in range(4)]
    with store._lock:
        Quarantine(store.db).move({ids[0]: "rejected by hub: unknown action", ids[1]: "too large"})


def plant_owed_receipt(core) -> None:
    """A resident's filing (the demo card's holder) whose receipt did not print: the printer was out of paper."""
    from devices.idcard.demo import DEMO_CARD
    from kiosk.owed_receipts import OwedReceipts

    item = next(i for i in core.catalog.items.values() if i.kiosk_ready)
    app = core.store.submit(item.id, item.name, DEMO_CARD.to_identity(), {})
    core.devices.sims.printer.set_fault("paper_out")
    core.flow.print_owed(app.receipt_no, OwedReceipts(core.flow).receipt_of(app))
    core.devices.sims.printer.set_fault(None)


class MaintenanceTour:
    def __init__(self, shooter, outdir: Path):
        self.shooter, self.window, self.outdir = shooter, shooter.window, outdir
        self.files: list[Path] = []

    def shot(self, name: str) -> None:
        self.shooter.settle()
        path = self.outdir / f"maintenance-{name}.png"
        self.window.grab().save(str(path))
        self.files.append(path)

    def run(self) -> list[Path]:
        self.outdir.mkdir(parents=True, exist_ok=True)
        self.login()
        self.devices()
        self.receipts()
        self.sync()
        self.logs()
        self.other_panels()
        self.window.maintenance.exit()
        return self.files

    def login(self) -> None:
        from PySide6.QtCore import Qt
        from PySide6.QtTest import QTest

        w, screen = self.window, self.window.screens.maint_login
        for _ in range(5):
            QTest.mouseClick(w.status_bar.station, Qt.MouseButton.LeftButton)
        self.shooter.settle(lambda: w.nav.current is screen)
        screen.account.setText(DEMO_TECH)
        screen.pin.setText("000000")
        self.shot("login")
        for _ in range(3):                        # technician_max_failures is 3 in this throwaway kiosk
            screen.account.setText("T009")        # no such technician: its streak, not the demo's, locks
            screen.pin.setText("000000")
            screen.login_button.click()
            self.shooter.settle(lambda: screen.login_button.isEnabled())
        self.shot("login-locked")
        w.maintenance.login(DEMO_TECH, DEMO_PIN)
        self.shooter.settle(lambda: w.nav.current is w.screens.maintenance)

    def devices(self) -> None:
        core, panel = self.shooter.core, self.window.screens.maintenance.show_tab("设备")
        self.shooter.settle()
        panel.print_button.click()
        self.shooter.settle(lambda: "测试页" in panel.result.headline.text())
        self.shot("devices-test-print")
        panel.card_button.click()
        self.shooter.settle(lambda: panel.result.headline.text() == "读卡正常")
        self.shot("devices-card")
        panel.qr_button.click()                  # the simulated scanner shows a demo 浙里办 code when asked
        self.shooter.settle(lambda: panel.result.headline.text() == "扫码正常")
        self.shot("devices-scan")
        core.devices.sims.printer.set_fault("paper_out")
        panel.print_button.click()
        self.shooter.settle(lambda: "缺纸" in panel.result.headline.text())
        self.shot("devices-paper-out")
        core.devices.sims.printer.set_fault(None)

    def receipts(self) -> None:
        panel = self.window.screens.maintenance.show_tab("回执补打")
        self.shooter.settle(lambda: bool(panel.reprint_buttons))
        self.shot("receipts")
        printer = self.shooter.core.devices.sims.printer
        printer.set_fault("paper_out")
        next(iter(panel.reprint_buttons.values())).click()
        self.shooter.settle(lambda: "缺纸" in panel.result.headline.text() and bool(panel.reprint_buttons))
        self.shot("receipts-paper-out")
        printer.set_fault(None)

    def sync(self) -> None:
        panel = self.window.screens.maintenance.show_tab("同步")
        self.shooter.settle(lambda: panel.recent.count() > 0 and "离线" in _texts(panel))
        panel.sync_button.click()
        self.shooter.settle(lambda: not panel._poll.isActive() and panel.sync_button.isEnabled(), timeout=60)
        self.shot("sync")

    def logs(self) -> None:
        panel = self.window.screens.maintenance.show_tab("日志")
        self.shooter.settle(lambda: panel.where.text() != "")
        self.shot("logs")

    def other_panels(self) -> None:
        """Panels of other helpers, merged or not: one shot each, named after the panel's module."""
        screen = self.window.screens.maintenance
        mine = {"DevicesPanel", "SyncPanel", "LogsPanel", "ReceiptsPanel"}
        for index in range(screen.tabs.count()):
            panel = screen.panels[index]
            if type(panel).__name__ in mine:
                continue
            screen.tabs.setCurrentIndex(index)
            self.shooter.settle(timeout=60)
            self.shot(type(panel).__module__.rsplit("maint_", 1)[-1])


def _texts(widget) -> str:
    from PySide6.QtWidgets import QLabel

    return "\n".join(w.text() for w in widget.findChildren(QLabel))


def main(outdir: Path) -> list[Path]:
    from kiosk.app import build_core
    from ui.shots import Shooter

    with tempfile.TemporaryDirectory(prefix="zdb-maint-shots-") as tmp:
        data_dir = Path(tmp) / "kiosk"
        data_dir.mkdir()
        (data_dir / "config.json").write_text(json.dumps({
            "fullscreen": False, "technician_max_failures": 3, "hub_url": f"http://127.0.0.1:{closed_port()}",
            "sync_timeout_s": 2.0}), encoding="utf-8")
        handler = start_log(data_dir)
        core = build_core(data_dir)
        shooter = Shooter(core, outdir)
        try:
            plant(core)
            plant_owed_receipt(core)
            return MaintenanceTour(shooter, outdir).run()
        finally:
            shooter.close()
            core.stop()
            logging.getLogger().removeHandler(handler)
            handler.close()
