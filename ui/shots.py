"""Render every screen and state to PNG at 1280x800: `python -m ui.shots OUTDIR`.

Builds a core on a temporary data directory (simulated devices, no sync), drives the real window through the
resident's path and the error states, and saves one PNG per state, once per pass: OUTDIR/zh (Chinese),
OUTDIR/en (English), OUTDIR/elderly and OUTDIR/elderly-en (elderly mode). Prints the files written.
`python -m ui.shots OUTDIR --pass en` runs one pass; `--maintenance [DIR]` renders maintenance mode's screens.
In English every shot is also checked for Chinese text left on screen (`Shooter.untranslated`).
"""
from __future__ import annotations

import os
import re
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Callable

from ui import shots_benefits   # Qt-free at import, like this module
from ui import shots_elderly, shots_osk, shots_qa, shots_supervision
from ui import shots_chat

WIDTH, HEIGHT = 1280, 800
VALID = {"phone": "13800000000", "number": "3", "date": "2024-05-01", "text": "浙江省舟山市定海区长岛乡渔港路18号"}


@dataclass(frozen=True)
class Pass:
    name: str        # the sub-folder
    language: str    # "zh" | "en"
    elderly: bool


PASSES = (Pass("zh", "zh", False), Pass("en", "en", False), Pass("elderly", "zh", True),
          Pass("elderly-en", "en", True))
HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


def use_offscreen_without_display() -> None:
    if not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


class Shooter:
    def __init__(self, core, outdir: Path, first: int = 0, mode: Pass = PASSES[0]):
        from PySide6.QtWidgets import QApplication
        from kiosk.preferences import Prefs
        from ui.app import create_window

        self.core = core
        self.outdir = outdir
        self.window = create_window(core)
        self.window.resize(WIDTH, HEIGHT)
        self.window.show()
        self.app = QApplication.instance()
        self.files: list[Path] = []
        self.first = first
        self.mode = mode
        self.untranslated: list[str] = []   # "shot: text" for Chinese left on screen in English
        # the pass's choices as the station's defaults, so the resets after each service keep them
        self.window.prefs.defaults = Prefs(language=mode.language, elderly=mode.elderly)
        self.window.prefs.reset()

    # --- helpers -------------------------------------------------------------------------------------------
    def settle(self, until: Callable[[], bool] = lambda: True, timeout: float = 20.0) -> None:
        from PySide6.QtCore import QEventLoop

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)
            if until() and self.window.tasks.in_flight == 0:
                self.app.processEvents()
                return
            time.sleep(0.01)
        raise TimeoutError("the UI did not reach the expected state in time")

    def shot(self, name: str) -> None:
        self.settle()
        path = self.outdir / f"{self.first + len(self.files) + 1:02d}-{name}.png"
        self.window.grab().save(str(path))
        self.files.append(path)
        if self.mode.language == "en":
            self.untranslated += [f"{name}: {text}" for text in chinese_on_screen(self.window, data_strings(self))]

    def on(self, screen) -> Callable[[], bool]:
        return lambda: self.window.nav.current is screen

    # --- the tour ------------------------------------------------------------------------------------------
    def run(self) -> list[Path]:
        self.outdir.mkdir(parents=True, exist_ok=True)
        self.publish_sync_status()
        self.browse()
        self.identify_and_apply()
        self.paper_out()
        self.progress()
        self.agent_login()
        self.agent_filing()
        shots_benefits.tour(self)
        shots_qa.tour(self)   # 智能问答
        shots_chat.tour(self)   # 人工咨询, with a hub on loopback
        shots_supervision.tour(self)   # 好差评 and 办不成事
        shots_elderly.tour(self)   # 长辈模式 pages the elderly pass does not reach
        shots_osk.tour(self)   # the on-screen keyboard with pinyin candidates
        self.overlays()
        return self.files

    def progress(self) -> None:
        """办件查询 for the receipt just printed (saved here, not yet reported)."""
        w, screen = self.window, self.window.screens.progress
        receipt_no = self.core.store.db.execute("SELECT MAX(receipt_no) FROM applications").fetchone()[0]
        w.nav.open(lambda: screen)
        screen.box.setText(receipt_no or "DH001-20990101-0001")
        screen.ask()
        self.settle(lambda: screen.result.isVisible() or screen.error.isVisible())
        self.shot("progress")
        w.nav.home()

    def agent_login(self) -> None:
        """工作人员登录 on a station that has not pulled any agent credentials yet (the real refusal)."""
        w, screen = self.window, self.window.screens.agent_login
        w.screens.home.staff_button.click()
        self.settle(self.on(screen))
        screen.account.setText("ag-7")
        screen.pin.setText("1234")
        self.shot("agent-login")
        screen.login_button.click()
        self.settle(lambda: screen.error.isVisibleTo(screen))
        self.shot("agent-login-refused")
        screen.back_button.click()

    def agent_filing(self) -> None:
        """A demo agent (credential planted in this throwaway database) on their desk, the resident's consent
        screen empty and signed, and the work queue with the filing waiting to be reported."""
        w, s = self.window, self.window.screens
        plant_demo_agent(self.core)
        w.agent.login(DEMO_AGENT, DEMO_PIN)
        self.settle(self.on(s.agent_home))
        self.shot("agent-home")
        s.agent_home.file_button.click()
        item = next(i for i in self.core.catalog.items.values() if not i.kiosk_ready and i.modes and
                    any(m.value == "帮办" for m in i.modes))
        w.browse.open_item(item.id)
        self.shot("detail-agent")
        self.apply_to_confirm()
        s.confirm.confirm_button.click()
        self.settle(self.on(s.consent))
        self.shot("consent")
        self.draw_signature(s.consent.pad)
        self.shot("consent-signed")
        s.consent.sign_button.click()
        self.settle(lambda: w.nav.current is s.receipt and s.receipt.done_button.isEnabled())
        w.open_agent_desk()
        s.agent_home.queue_button.click()
        self.settle(lambda: s.work_queue.rows.count() > 0)
        self.shot("work-queue")
        w.agent.logout()

    @staticmethod
    def draw_signature(pad) -> None:
        from PySide6.QtCore import QPoint, Qt
        from PySide6.QtTest import QTest

        points = [QPoint(60 + 40 * i, 120 + (50 if i % 2 else -30)) for i in range(10)]
        QTest.mousePress(pad, Qt.MouseButton.LeftButton, pos=points[0])
        for point in points[1:]:
            QTest.mouseMove(pad, point)
        QTest.mouseRelease(pad, Qt.MouseButton.LeftButton, pos=points[-1])

    def home_with_notice(self) -> list[Path]:
        self.outdir.mkdir(parents=True, exist_ok=True)
        self.shot("home-catalog-notice")
        return self.files

    def publish_sync_status(self) -> None:
        from ui.bridge import SYNC_STATUS_HOMES, optional_event_type

        status_type = optional_event_type("SyncStatus", SYNC_STATUS_HOMES)
        if status_type is None:
            return
        oldest = datetime.now(timezone.utc) - timedelta(minutes=25)
        self.core.events.publish(status_type(online=False, pending=3, oldest_pending_at=oldest,
                                             last_success_at=None, last_error="hub unreachable"))

    def browse(self) -> None:
        w, s, catalog = self.window, self.window.screens, self.core.catalog
        self.shot("home")
        w.browse.open_search("社保卡")
        self.settle(lambda: s.search.rows.count() > 1)
        self.shot("search-results")
        s.search.box.setText("火星移民签证")
        self.settle(lambda: "火星" in s.search.rows.itemAt(0).widget().text() if s.search.rows.count() else False)
        self.shot("search-empty")
        w.nav.home()
        w.browse.open_categories()
        self.shot("categories")
        w.browse.open_category(catalog.categories[0])
        self.shot("category")
        w.browse.open_all_themes()
        self.shot("themes")
        if catalog.themes:
            w.browse.open_theme(catalog.themes[0].id)
            self.shot("theme")
        if catalog.bundles:
            w.browse.open_bundles()
            self.shot("bundles")
            w.browse.open_bundle(catalog.bundles[0].id)
            self.shot("bundle")
        w.browse.open_item(self.ready_item().id)
        self.shot("detail-kiosk-ready")
        other = next((i for i in catalog.items.values() if not i.kiosk_ready), None)
        if other is not None:
            w.browse.open_item(other.id)
            self.shot("detail-elsewhere")

    def ready_item(self):
        hits = self.core.search.search("社保卡", limit=20)
        ready = [self.core.catalog.get(h.item_id) for h in hits]
        ready = [i for i in ready if i is not None and i.kiosk_ready]
        return ready[0] if ready else next(i for i in self.core.catalog.items.values() if i.kiosk_ready)

    def identify_and_apply(self) -> None:
        from ui.screens.identify import CARD, QR

        w, s = self.window, self.window.screens
        w.browse.open_item(self.ready_item().id)
        s.detail.apply_button.click()
        self.shot("identify")
        s.identify.show_waiting(CARD)
        self.shot("identify-waiting")
        self.core.devices.sims.qr.show("HELLO-NOT-A-ZLB-CODE")
        w.resident.read_identity(QR)
        self.settle(lambda: s.identify.error.isVisibleTo(s.identify))
        self.shot("identify-error")
        w.resident.read_identity(CARD)
        self.settle(self.on(s.form))
        self.shot("form-prefilled")
        self.fill_form(bad=True)
        s.form.next_button.click()
        self.shot("form-errors")
        self.fill_form(bad=False)
        s.form.next_button.click()
        self.settle(self.on(s.confirm))
        self.shot("confirm")
        s.confirm.confirm_button.click()
        self.settle(lambda: w.nav.current is s.receipt and s.receipt.done_button.isEnabled())
        self.shot("receipt-printed")
        s.receipt.done_button.click()
        self.settle(self.on(s.rating))
        self.shot("rating")
        s.rating.choose_level(5)
        self.shot("rating-good-reasons")
        s.rating.choose_level(2)
        self.shot("rating-bad-reasons")
        s.rating.choose_reason("slow")   # a bad rating is submitted with a reason (kiosk/rating.py)
        s.rating.submit_button.click()
        self.settle(lambda: s.rating.pages.currentIndex() == 1)
        self.shot("rating-thanks")
        s.rating.finished.emit()

    def apply_to_confirm(self) -> None:
        """From an item's guide: apply, identify with the demo card, fill the form validly, reach 核对."""
        from ui.screens.identify import CARD

        w, s = self.window, self.window.screens
        s.detail.apply_button.click()
        w.resident.read_identity(CARD)
        self.settle(self.on(s.form))
        self.fill_form(bad=False)
        s.form.next_button.click()
        self.settle(self.on(s.confirm))

    def fill_form(self, bad: bool) -> None:
        editors = list(self.window.screens.form.editors.values())
        for editor in editors:
            if editor.choices is not None:
                if not bad:
                    editor.choices.buttons()[0].setChecked(True)
                continue
            kind = editor.spec.kind
            value = ("123" if kind == "phone" else "") if bad else (editor.line.text() or VALID.get(kind, VALID["text"]))
            if kind == "phone" and not bad:
                value = VALID["phone"]
            editor.line.setText(value)

    def paper_out(self) -> None:
        w, s = self.window, self.window.screens
        self.core.devices.sims.printer.set_fault("paper_out")
        w.browse.open_item(self.ready_item().id)
        self.apply_to_confirm()
        s.confirm.confirm_button.click()
        self.settle(lambda: w.nav.current is s.receipt and s.receipt.done_button.isEnabled())
        self.shot("receipt-paper-out")
        self.core.devices.sims.printer.set_fault(None)

    def overlays(self) -> None:
        from kiosk.flow import Problem
        from ui.messages import message_for

        w, s = self.window, self.window.screens
        w.resident.finish()
        w.browse.open_item(self.ready_item().id)
        self.apply_to_confirm()
        s.confirm.show_error(message_for(Problem.STORAGE_FULL))
        self.shot("confirm-storage-full")
        w.overlay.show_countdown(15)
        self.shot("idle-warning")
        w.wipe()
        self.shot("home-after-idle-wipe")

    def close(self) -> None:
        from ui.i18n import install

        install("zh")   # the translator belongs to the application, which outlives this window
        self.window.shutdown()
        self.window.close()


DEMO_AGENT, DEMO_PIN = "ag-demo", "735919"


def data_strings(shooter: "Shooter") -> list[str]:
    """What may stay Chinese on an English screen: data, not the kiosk's words. The resident's and agent's own
    details (the demo card, what the tour typed), the station's name, and catalog text the catalog has no English
    for; longest first, so a phrase goes before its parts."""
    from devices.idcard.simulator import DEMO_CARD

    catalog, english = shooter.core.catalog, shooter.core.catalog.english()
    # the catalog's fallback notice is for staff, worded by the core (kiosk/catalog.py) in Chinese
    texts = {shooter.core.config["station_name"], shooter.core.config["follow_up"], *VALID.values(), catalog.notice,
             "演示帮办员", "火星移民签证", "社保卡", "中文"}
    texts |= {str(v) for v in vars(DEMO_CARD).values() if isinstance(v, str)}
    identity = DEMO_CARD.to_identity()
    texts |= {identity.masked_name(), getattr(identity, "masked_id", lambda: "")() or ""}
    for item in catalog.items.values():
        texts |= {item.name, item.fee, item.department, item.follow_up, *item.guide, *(m.name for m in item.materials)}
        for spec in item.form:
            texts |= {spec.label, *spec.choices}
    for bundle in catalog.bundles:
        texts |= {bundle.name, bundle.description, *(f.label for f in bundle.shared_form)}
    texts |= {t.title for t in catalog.themes} | set(catalog.categories)
    knowledge = getattr(shooter.core, "qa", None)   # 智能问答's entries the hub gave no English
    for entry in knowledge.current.entries if knowledge is not None else ():
        if entry.en is None:
            texts |= {entry.title, entry.answer, *entry.questions, *entry.details.values()}
    from ui.shots_chat import SCRIPT
    from ui.shots_qa import ASKED
    typed = {*SCRIPT, *ASKED, "社保"}   # what the tour types as the resident (社保: by pinyin), the staff's reply
    return sorted({t for t in texts if t and t not in english} | typed, key=len, reverse=True)


def chinese_on_screen(window, allowed: list[str]) -> list[str]:
    """Visible label and button texts that still hold Chinese once the allowed data is taken out."""
    from PySide6.QtWidgets import QAbstractButton, QLabel

    found = []
    keyboard = getattr(getattr(window, "osk", None), "panel", None)   # its candidates are what the resident types
    for widget in window.findChildren(QLabel) + window.findChildren(QAbstractButton):
        text = widget.text()
        if not text or not widget.isVisible() or not HAN.search(text):
            continue
        if keyboard is not None and keyboard.isAncestorOf(widget):
            continue
        rest = text
        for data in allowed:
            rest = rest.replace(data, "")
        if HAN.search(rest):
            found.append(text)
    return found


def plant_demo_agent(core) -> None:
    """A credential as sync/pull.py keeps it (cheap scrypt): only for the shots' temporary database."""
    import json

    from sync.credentials_hash import hash_password

    now = datetime.now(timezone.utc)
    item = {"agent_id": DEMO_AGENT, "display_name": "演示帮办员", "role": "agent",
            "password_hash": hash_password(DEMO_PIN, n=2 ** 10),
            "valid_from": (now - timedelta(days=1)).isoformat(timespec="seconds"), "valid_to": None,
            "revoked": False}
    store = core.store
    with store._lock, store.db.conn:
        store.db.conn.execute("INSERT INTO stream_items (stream, id, body, updated_at) VALUES ('agent_credentials',"
                              " ?, ?, ?)", (DEMO_AGENT, json.dumps(item, ensure_ascii=False), now.isoformat()))


def shoot(core, outdir: Path, tour: Callable[["Shooter"], list[Path]], first: int = 0,
          mode: Pass = PASSES[0], untranslated: list[str] | None = None) -> list[Path]:
    shooter = Shooter(core, outdir, first, mode)
    try:
        return tour(shooter)
    finally:
        if untranslated is not None:
            untranslated += shooter.untranslated
        shooter.close()
        core.stop()


def run_pass(outdir: Path, mode: Pass, untranslated: list[str] | None = None) -> list[Path]:
    """The whole tour in one language and mode, on throwaway data directories."""
    from kiosk.app import build_core

    with tempfile.TemporaryDirectory(prefix="zdb-shots-") as tmp:
        files = shoot(build_core(Path(tmp) / "kiosk", start_sync=False), outdir, Shooter.run, mode=mode,
                      untranslated=untranslated)
        broken = Path(tmp) / "broken-catalog"
        broken.mkdir()
        (broken / "catalog.json").write_text("{ not json", encoding="utf-8")   # falls back to the seed, says so
        files += shoot(build_core(broken, start_sync=False), outdir, Shooter.home_with_notice, first=len(files),
                       mode=mode, untranslated=untranslated)
    return files


def quiet_offscreen_warnings() -> None:
    from PySide6.QtCore import qInstallMessageHandler

    previous = None

    def handler(mode, context, message):
        if "propagateSizeHints" in message:
            return
        if previous is not None:
            previous(mode, context, message)
        else:
            sys.stderr.write(message + "\n")

    previous = qInstallMessageHandler(handler)


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    use_offscreen_without_display()
    quiet_offscreen_warnings()
    if args[:1] == ["--maintenance"]:   # maintenance mode's screens (ui/maint_shots.py), e.g. into docs/shots
        from ui import maint_shots
        for path in maint_shots.main(Path(args[1] if len(args) > 1 else "docs/shots")):
            print(path)
        return 0
    wanted = args[args.index("--pass") + 1] if "--pass" in args else ""
    positional = [a for i, a in enumerate(args) if not a.startswith("--") and (i == 0 or args[i - 1] != "--pass")]
    outdir = Path(positional[0] if positional else "shots")
    untranslated: list[str] = []
    for mode in PASSES:
        if wanted and mode.name != wanted:
            continue
        for path in run_pass(outdir / mode.name, mode, untranslated):
            print(path)
    for line in dict.fromkeys(untranslated):
        print(f"untranslated on screen: {line}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    code = main()
    sys.stdout.flush()
    sys.stderr.flush()
    # Several windows in one process (four passes) trip a PySide6 6.12 refcount fault while the interpreter
    # finalizes (already there with four Chinese tours); the work is done and written: leave without finalizing.
    os._exit(code)
