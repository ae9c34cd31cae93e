"""The 版本与更新 maintenance panel and the quiet-hour installer, offscreen against a real core and real files."""
from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from kiosk.ids import CST
from kiosk.updates import (HistoryEntry, Refusal, ReleaseState, UpdateStatus, load_state, load_status, save_state,
                           save_status)
from ui.screens.maint_version import VersionPanel
from ui.tasks import Tasks
from ui.update_timer import UpdateTimer
from ui_helpers import WAIT_MS, button_with_text, joined_texts, tap

NIGHT = datetime(2026, 12, 1, 2, 30, tzinfo=CST)
DAY = datetime(2026, 12, 1, 15, 0, tzinfo=CST)


@pytest.fixture
def app_root(tmp_path: Path, monkeypatch) -> Path:
    """An installer-managed kiosk: 0.1.0 current, 0.2.0 unpacked and staged."""
    root = tmp_path / "app"
    for version in ("0.1.0", "0.2.0"):
        (root / "releases" / version).mkdir(parents=True)
        (root / "releases" / version / "main.py").write_text("print('x')\n")
    save_state(root, ReleaseState("0.1.0", None, None, (
        HistoryEntry("0.1.5", "rolled_back", "2026-11-20T18:40:00+00:00", "failed_starts"),)))
    monkeypatch.setenv("ZDB_APP_ROOT", str(root))
    return root


@pytest.fixture
def tasks(qtbot):
    holder = Tasks()
    yield holder
    holder.shutdown()


def panel_for(qtbot, core, tasks, technician=lambda: "technician") -> VersionPanel:
    panel = VersionPanel(core, tasks, technician)
    qtbot.addWidget(panel)
    panel.show()
    panel.restarts = []
    panel.restart = lambda: panel.restarts.append(True)
    return panel


def refreshed(qtbot, panel) -> str:
    panel.report = None
    panel.refresh()
    qtbot.waitUntil(lambda: panel.report is not None, timeout=WAIT_MS)
    return joined_texts(panel)


def stage(core, version="0.2.0", **kw) -> None:
    save_status(core.data_dir, UpdateStatus("staged", version, "ab" * 32, 2048, 2048, "修复回执打印",
                                            at="2026-11-30T10:00:00+00:00", **kw))


def test_a_development_checkout_says_it_is_not_managed(qtbot, core, tasks, monkeypatch):
    monkeypatch.delenv("ZDB_APP_ROOT", raising=False)
    panel = panel_for(qtbot, core, tasks)
    assert panel.title == "版本与更新"
    text = refreshed(qtbot, panel)
    assert "软件版本：0.1.0" in text and "开发环境" in text and "02:00–04:00" in text
    assert "没有待安装的更新" in text
    assert not panel.install_button.isEnabled()
    tap(qtbot, panel.check_button)
    assert "未启用同步" in panel.message.text()   # the test core runs without sync


def test_a_staged_update_is_installed_only_after_a_second_tap_and_audited(qtbot, core, tasks, app_root):
    stage(core)
    panel = panel_for(qtbot, core, tasks)
    text = refreshed(qtbot, panel)
    assert "由安装包管理" in text and "当前版本：0.1.0" in text
    assert "0.2.0 已就绪，等待静默时段安装" in text and "修复回执打印" in text
    assert "0.1.5　已回退：新版本多次未能启动" in text   # the history, with its reason in words
    tap(qtbot, panel.install_button)
    assert panel.install_button.text() == "再点一次确认安装（终端将重启）"
    assert load_state(app_root).trial is None and panel.restarts == []   # one tap changes nothing
    tap(qtbot, button_with_text(panel, "再点一次确认安装"))
    qtbot.waitUntil(lambda: panel.restarts == [True], timeout=WAIT_MS)
    state = load_state(app_root)
    assert state.current == "0.2.0" and state.trial.from_version == "0.1.0"
    assert Path(state.trial.db_backup).is_file()
    assert "已安装，正在重启" in panel.message.text()
    entry = core.audit.recent(1)[0]
    assert (entry.actor, entry.action, entry.target, entry.outcome) == ("technician", "update_applied", "0.2.0",
                                                                       "started")


def test_the_second_tap_must_come_soon(qtbot, core, tasks, app_root):
    stage(core)
    panel = panel_for(qtbot, core, tasks)
    refreshed(qtbot, panel)
    tap(qtbot, panel.install_button)
    panel._disarm.timeout.emit()   # the confirmation window passed
    assert panel.install_button.text() == "立即安装"
    tap(qtbot, panel.install_button)
    assert load_state(app_root).trial is None


def test_refusals_and_rollbacks_are_told_with_their_reasons(qtbot, core, tasks, app_root):
    save_status(core.data_dir, UpdateStatus("refused", "0.3.0", "cd" * 32, 10, 0, "", "hash_mismatch",
                                            "2026-11-30T10:00:00+00:00",
                                            Refusal("0.9.0", "bad_signature", "2026-11-30T11:00:00+00:00")))
    panel = panel_for(qtbot, core, tasks)
    text = refreshed(qtbot, panel)
    assert "0.3.0 已拒绝：文件校验值与签名说明不符，已删除" in text
    assert "最近拒绝：0.9.0（2026-11-30 19:00）签名无效" in text
    assert not panel.install_button.isEnabled()
    save_status(core.data_dir, UpdateStatus("rolled_back", "0.2.0", reason="failed_starts"))
    assert "0.2.0 启动失败，已回退：新版本多次未能启动" in refreshed(qtbot, panel)
    panel.clear()
    assert joined_texts(panel) == "更新记录" and panel.report is None and not panel.install_button.isEnabled()


def test_the_quiet_hour_installs_when_idle_and_restarts_when_free(qtbot, core, tasks, app_root):
    stage(core)
    moment = {"now": DAY}
    idle = {"value": True}
    restarts = []
    timer = UpdateTimer(core, tasks, lambda: idle["value"], app_root, clock=lambda: moment["now"],
                        restart=lambda: restarts.append(True))
    timer.check()   # the afternoon: nothing
    assert tasks.in_flight == 0 and load_state(app_root).trial is None
    moment["now"] = NIGHT
    idle["value"] = False
    timer.check()   # a resident at 02:30: nothing either
    assert tasks.in_flight == 0 and load_state(app_root).trial is None
    idle["value"] = True
    with qtbot.waitSignal(tasks.settled, timeout=WAIT_MS):
        timer.check()
    assert load_state(app_root).trial.version == "0.2.0" and restarts == [True]
    assert load_status(core.data_dir).state == "applying"
    entry = core.audit.recent(1)[0]
    assert (entry.actor, entry.action, entry.outcome) == ("system", "update_applied", "started")


def test_a_restart_waits_for_the_kiosk_to_be_free(qtbot, core, tasks, app_root):
    stage(core)
    idle = iter([True, False, True])   # free when checked, busy when it is time to restart, then free
    restarts = []
    timer = UpdateTimer(core, tasks, lambda: next(idle), app_root, clock=lambda: NIGHT,
                        restart=lambda: restarts.append(True))
    with qtbot.waitSignal(tasks.settled, timeout=WAIT_MS):
        timer.check()
    assert restarts == [] and load_state(app_root).trial is not None
    timer.check()
    assert restarts == [True]


def test_without_the_installer_the_timer_never_runs(qtbot, core, tasks, monkeypatch):
    stage(core)
    timer = UpdateTimer(core, tasks, lambda: True, None, clock=lambda: NIGHT, restart=lambda: None)
    timer.start()
    assert not timer.timer.isActive()
    timer.check()
    assert tasks.in_flight == 0


class _Worker:
    """A SyncWorker's control surface: stops when asked (or not), counts restarts."""

    def __init__(self, stops: bool = True):
        self.stops, self.calls = stops, []

    def stop(self, timeout: float = 5.0) -> bool:
        self.calls.append("stop")
        return self.stops

    def start(self) -> None:
        self.calls.append("start")


def test_sync_is_paused_for_the_install_and_resumes_when_nothing_was_installed(core, app_root, monkeypatch):
    from ui.update_timer import SYNC_BUSY, install_staged

    stage(core)
    monkeypatch.setattr(core, "sync", _Worker())
    assert install_staged(core, app_root, lambda: NIGHT).applied
    assert core.sync.calls == ["stop"]            # stays stopped: the restart into the new release brings it back
    core.sync = _Worker()
    assert not install_staged(core, app_root, lambda: NIGHT).applied   # nothing staged any more
    assert core.sync.calls == ["stop", "start"]
    stage(core, "0.3.0")
    core.sync = _Worker(stops=False)              # a push still running on a slow link
    result = install_staged(core, app_root, lambda: NIGHT)
    assert (result.applied, result.reason, core.sync.calls) == (False, SYNC_BUSY, ["stop"])
    assert load_state(app_root).trial.version == "0.2.0"   # the busy round changed nothing


def test_a_stopped_sync_worker_starts_again(tmp_path):
    from kiosk.events import EventBus
    from local_db.db import open_db
    from sync import SyncWorker

    open_db(tmp_path / "kiosk.db").conn.close()
    worker = SyncWorker(tmp_path / "kiosk.db", EventBus(), hub_url="http://127.0.0.1:9")
    worker.start()
    assert worker.stop() and not worker.running
    worker.start()
    assert worker.running
    with pytest.raises(RuntimeError):
        worker.start()
    assert worker.stop()
