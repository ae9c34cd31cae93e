"""installer/lib/install_release.py: the postinst step that puts the package's tree into the release store."""
from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

from tests.e2e.kioskproc import REPO_ROOT

_spec = importlib.util.spec_from_file_location("install_release", REPO_ROOT / "installer/lib/install_release.py")
install_release = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(install_release)


def package_tree(tmp_path: Path, marker: str) -> Path:
    tree = tmp_path / f"tree-{marker}"
    (tree / "kiosk").mkdir(parents=True)
    (tree / "main.py").write_text(f"# {marker}\n")
    (tree / "kiosk/__init__.py").write_text("")
    return tree


def install(app_root: Path, tree: Path, version: str) -> dict:
    code = install_release.main(["--app-root", str(app_root), "--tree", str(tree), "--version", version])
    assert code == 0
    return json.loads((app_root / "state.json").read_text())


def test_first_install_makes_the_version_current(tmp_path):
    app = tmp_path / "app"
    state = install(app, package_tree(tmp_path, "a"), "0.1.0")
    assert state == {"current": "0.1.0", "previous": None, "trial": None, "history": []}
    assert (app / "releases/0.1.0/main.py").read_text() == "# a\n"
    assert [p.name for p in (app / "releases").iterdir()] == ["0.1.0"]   # no temporary leftovers


def test_newer_package_becomes_current_and_keeps_history(tmp_path):
    app = tmp_path / "app"
    install(app, package_tree(tmp_path, "a"), "0.9.1")
    state = json.loads((app / "state.json").read_text())
    state["history"] = [{"version": "0.9.1", "outcome": "confirmed", "at": "2026-01-01T00:00:00Z", "reason": ""}]
    (app / "state.json").write_text(json.dumps(state))
    state = install(app, package_tree(tmp_path, "b"), "0.10.0")     # 0.10 > 0.9: numbers compare as numbers
    assert (state["current"], state["previous"]) == ("0.10.0", "0.9.1")
    assert state["history"][0]["outcome"] == "confirmed"


def test_older_package_does_not_replace_a_newer_applied_update(tmp_path):
    app = tmp_path / "app"
    install(app, package_tree(tmp_path, "new"), "0.3.0")
    state = install(app, package_tree(tmp_path, "old"), "0.2.0")
    assert state["current"] == "0.3.0"
    assert (app / "releases/0.2.0/main.py").read_text() == "# old\n"   # kept to fall back to


def test_reinstalling_the_same_version_replaces_its_tree(tmp_path):
    app = tmp_path / "app"
    install(app, package_tree(tmp_path, "first"), "0.1.0")
    state = install(app, package_tree(tmp_path, "second"), "0.1.0")
    assert state["current"] == "0.1.0" and state["previous"] is None
    assert (app / "releases/0.1.0/main.py").read_text() == "# second\n"
    assert sorted(p.name for p in (app / "releases").iterdir()) == ["0.1.0"]


def test_a_damaged_state_is_kept_aside_and_replaced(tmp_path, capsys):
    app = tmp_path / "app"
    app.mkdir()
    (app / "state.json").write_text("{not json")
    state = install(app, package_tree(tmp_path, "a"), "0.1.0")
    assert state["current"] == "0.1.0"
    kept = list(app.glob("state.json.damaged-*"))
    assert len(kept) == 1 and kept[0].read_text() == "{not json"
    assert "unreadable" in capsys.readouterr().err


def test_a_tree_without_main_py_is_refused(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    code = install_release.main(["--app-root", str(tmp_path / "app"), "--tree", str(empty), "--version", "1"])
    assert code == 2 and not (tmp_path / "app/state.json").exists()


@pytest.mark.parametrize("older, newer", [("0.1.0", "0.1.1"), ("0.9", "0.10"), ("1.0.0", "1.0.0.1")])
def test_version_order(older, newer):
    assert install_release.version_key(older) < install_release.version_key(newer)
