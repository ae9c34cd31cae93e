"""installer/launcher.py as a real process, restarted the way systemd restarts it: a fake app root whose releases
are tiny scripts (one that fails at once, one that confirms itself through kiosk.updates), and a real SQLite
database whose schema the failing release moves on before it dies."""
from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from installer import launcher
from kiosk.updates import ReleaseState, UpdateStatus, apply_staged, load_state, save_state, save_status

REPO_ROOT = Path(__file__).resolve().parents[2]
LAUNCHER = REPO_ROOT / "installer" / "launcher.py"

# Every release appends its name to runs.log. The good one refuses a schema newer than it knows (as
# local_db.db.apply_migrations does) and confirms itself as the UI does once the home screen is shown.
GOOD = """import os, sqlite3, sys
from pathlib import Path
args = sys.argv[1:]
data = Path(args[args.index("--data-dir") + 1])
with open(data / "runs.log", "a") as log:
    log.write("{version} " + " ".join(args[2:]) + "\\n")
conn = sqlite3.connect(data / "kiosk.db")
if conn.execute("PRAGMA user_version").fetchone()[0] > {schema}:
    sys.exit(3)
sys.path.insert(0, os.environ["ZDB_TEST_REPO"])
from kiosk.updates import confirm_running
confirm_running(Path(os.environ["ZDB_APP_ROOT"]), "{version}", data_dir=data)
"""
# The failing one migrates the database (schema 2), then dies before its home screen.
BAD = """import sqlite3, sys
from pathlib import Path
data = Path(sys.argv[sys.argv.index("--data-dir") + 1])
with open(data / "runs.log", "a") as log:
    log.write("{version}\\n")
conn = sqlite3.connect(data / "kiosk.db")
conn.execute("CREATE TABLE IF NOT EXISTS v2_things (x)")
conn.execute("PRAGMA user_version=2")
conn.commit()
sys.exit(1)
"""


@pytest.fixture
def station(tmp_path: Path):
    app_root, data_dir = tmp_path / "app", tmp_path / "data"
    data_dir.mkdir()
    conn = sqlite3.connect(data_dir / "kiosk.db")
    conn.execute("CREATE TABLE records (id TEXT)")
    conn.execute("INSERT INTO records VALUES ('r-1')")
    conn.execute("PRAGMA user_version=1")
    conn.commit()
    conn.close()
    return app_root, data_dir


def release(app_root: Path, version: str, script: str, schema: int = 1) -> None:
    folder = app_root / "releases" / version
    folder.mkdir(parents=True)
    (folder / "main.py").write_text(script.format(version=version, schema=schema), encoding="utf-8")


def launch(app_root: Path, data_dir: Path, *extra: str) -> int:
    """One start, as the systemd unit runs it."""
    env = os.environ | {"ZDB_TEST_REPO": str(REPO_ROOT)}
    return subprocess.run([sys.executable, str(LAUNCHER), "--app-root", str(app_root), "--python", sys.executable,
                           "--data-dir", str(data_dir), "--", *extra], env=env, timeout=60,
                          capture_output=True, text=True).returncode


def runs(data_dir: Path) -> list[str]:
    return (data_dir / "runs.log").read_text().split("\n")[:-1] if (data_dir / "runs.log").exists() else []


def stage_and_apply(app_root: Path, data_dir: Path, version: str) -> None:
    save_status(data_dir, UpdateStatus("staged", version, "ab" * 32, 1, 1))
    assert apply_staged(app_root, data_dir).applied


def test_a_release_that_never_comes_up_is_rolled_back_with_its_database(station):
    app_root, data_dir = station
    release(app_root, "1.0", GOOD)
    release(app_root, "2.0", BAD)
    save_state(app_root, ReleaseState(current="1.0"))
    stage_and_apply(app_root, data_dir, "2.0")

    codes = []
    while not codes or codes[-1] != 0:   # the service manager restarts it after each failure
        codes.append(launch(app_root, data_dir, "--windowed"))
        assert len(codes) <= launcher.MAX_TRIAL_STARTS + 1
    assert codes == [1] * launcher.MAX_TRIAL_STARTS + [0]
    assert runs(data_dir) == ["2.0"] * launcher.MAX_TRIAL_STARTS + ["1.0 --windowed"]

    state = json.loads((app_root / "state.json").read_text())
    assert (state["current"], state["previous"], state["trial"]) == ("1.0", "2.0", None)
    assert state["history"][-1]["version"] == "2.0" and state["history"][-1]["outcome"] == "rolled_back"
    assert state["history"][-1]["reason"] == "failed_starts"
    conn = sqlite3.connect(data_dir / "kiosk.db")
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 1   # the pre-update backup is back
    assert conn.execute("SELECT id FROM records").fetchall() == [("r-1",)]
    conn.close()
    failed = sqlite3.connect(data_dir / "kiosk.db.failed-2.0")   # kept for the technician, as was the release
    assert failed.execute("PRAGMA user_version").fetchone()[0] == 2
    failed.close()
    assert (app_root / "releases" / "2.0" / "main.py").is_file()
    assert launch(app_root, data_dir) == 0 and runs(data_dir)[-1] == "1.0 "   # and it stays on 1.0


def test_a_release_that_confirms_keeps_running(station):
    app_root, data_dir = station
    release(app_root, "1.0", GOOD)
    release(app_root, "1.1", GOOD, schema=1)
    save_state(app_root, ReleaseState(current="1.0"))
    stage_and_apply(app_root, data_dir, "1.1")
    assert launch(app_root, data_dir) == 0
    state = load_state(app_root)
    assert state.current == "1.1" and state.trial is None
    assert [(h.version, h.outcome) for h in state.history] == [("1.1", "confirmed")]
    assert launch(app_root, data_dir) == 0 and runs(data_dir) == ["1.1 ", "1.1 "]


def test_without_state_the_newest_release_starts(station):
    app_root, data_dir = station
    for version in ("1.9", "1.10", "1.2", "2.0.staging"):
        release(app_root, version, GOOD)
    (app_root / "releases" / "3.0").mkdir()   # no main.py: not a release
    assert launch(app_root, data_dir) == 0 and runs(data_dir) == ["1.10 "]
    assert load_state(app_root).current == "1.10"


def test_an_unreadable_state_is_set_aside_not_fatal(station):
    app_root, data_dir = station
    release(app_root, "1.0", GOOD)
    app_root.joinpath("state.json").write_text("{torn")
    assert launch(app_root, data_dir) == 0 and runs(data_dir) == ["1.0 "]
    assert list(app_root.glob("state.json.unreadable-*"))


def test_a_trial_whose_release_vanished_rolls_back_at_once(station, tmp_path):
    app_root, data_dir = station
    release(app_root, "1.0", GOOD)
    release(app_root, "2.0", BAD)
    save_state(app_root, ReleaseState(current="1.0"))
    stage_and_apply(app_root, data_dir, "2.0")
    (app_root / "releases" / "2.0" / "main.py").unlink()
    assert launch(app_root, data_dir) == 0 and runs(data_dir) == ["1.0 "]
    assert load_state(app_root).history[-1].reason == "release_missing"


def test_nothing_to_start_is_a_clear_failure(station):
    app_root, data_dir = station
    (app_root / "releases").mkdir(parents=True)
    result = subprocess.run([sys.executable, str(LAUNCHER), "--app-root", str(app_root), "--python", sys.executable,
                             "--data-dir", str(data_dir)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 1 and "no release to start" in result.stderr


def test_a_missing_backup_is_recorded_not_hidden(station):
    app_root, data_dir = station
    release(app_root, "1.0", GOOD, schema=2)
    release(app_root, "2.0", BAD)
    save_state(app_root, ReleaseState(current="1.0"))
    stage_and_apply(app_root, data_dir, "2.0")
    next(data_dir.glob("backups/*.db")).unlink()
    for _ in range(launcher.MAX_TRIAL_STARTS + 1):
        launch(app_root, data_dir)
    assert load_state(app_root).history[-1].reason == "backup_missing"
