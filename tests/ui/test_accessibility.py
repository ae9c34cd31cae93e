"""Accessibility across every screen: each control has a spoken name made of words, each touch target measures at
least 9 mm on the kiosk's panel, and no state is told by colour alone.

Walks every screen the window builds (standard and elderly look, every maintenance tab), then the whole shots
tour (ui/shots.py: search, forms with errors, identify faults, rating, agent filing, overlays...) with the checks
run at each state it would photograph.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from PySide6.QtGui import QAccessible, QIcon
from PySide6.QtWidgets import (QAbstractButton, QAbstractItemView, QAbstractSlider, QAbstractSpinBox, QApplication,
                               QComboBox, QFrame, QLabel, QLineEdit, QPlainTextEdit, QScrollBar, QTabBar, QTabWidget, QTextEdit,
                               QWidget)
from ui_helpers import open_window

from kiosk.elderly import DEFAULT_DPI, target_px
from ui.a11y import DECORATIONS, has_words, min_target_px, prop, spoken
from ui.style import stylesheet

CONTROLS = (QAbstractButton, QLineEdit, QAbstractSpinBox, QComboBox, QAbstractSlider, QTextEdit, QPlainTextEdit,
            QAbstractItemView)
CUSTOM_CONTROLS = ("SignaturePad", "TappableLabel")   # plain widgets that take a finger
MARKS = {"ok": "✓", "error": "！"}   # a state frame says its state with a mark as well as its colour

# Every state a sheet styles by something other than `role`, and the non-colour cue that goes with it. A new
# colour-only state fails test_every_styled_state_has_a_non_colour_cue until its cue is added here and checked.
STATE_CUES = {
    ":checked": "✓ / ○ icon on every checkable button (ui.a11y.mark_choice), checked below",
    '[invalid="true"]': "a ！ error line beside the field, checked below",
    ":disabled": "dashed border, and the screens say why in words",
    ":pressed": "transient feedback under the finger, carries no information",
    ":focus": "the text cursor shows where typing goes",
    ":read-only": "read-only inputs are labelled as read from the card",
    ":selected": "maintenance tabs: the chosen tab is bold and joined to its page",
    '[editing="true"]': "maintenance settings: the editor opens under the row being edited",
    '[elderly="true"]': "the keyboard panel in elderly mode: larger type and keys, no state conveyed",
    '[empty="true"]': "the keyboard's echo line when the field is empty: it says so in words (the field's name)",
}


def spoken_name(widget: QWidget) -> str:
    interface = QAccessible.queryAccessibleInterface(widget)
    return interface.text(QAccessible.Text.Name) if interface is not None else ""


def is_control(widget: QWidget) -> bool:
    return isinstance(widget, CONTROLS) or type(widget).__name__ in CUSTOM_CONTROLS


def where(widget: QWidget) -> str:
    chain, node = [], widget
    while node is not None and len(chain) < 4:
        chain.append(type(node).__name__)
        node = node.parentWidget()
    text = widget.text() if hasattr(widget, "text") and callable(widget.text) else ""
    return f"{'<'.join(chain)} {text!r}"


def problems(root: QWidget, min_px: int) -> list[str]:
    """Every accessibility fault among the controls of `root` now on screen."""
    found = []
    for widget in [root, *root.findChildren(QWidget)]:
        if not widget.isVisible():
            continue
        if is_control(widget):
            found += control_problems(widget, min_px)
        if isinstance(widget, QTabBar):
            found += [f"tab under 9 mm: {widget.tabText(i)!r}" for i in range(widget.count())
                      if min(widget.tabRect(i).width(), widget.tabRect(i).height()) < min_px]
        if isinstance(widget, QFrame) and prop(widget, "role") in MARKS:
            mark = MARKS[prop(widget, "role")]
            if not any(mark in label.text() for label in widget.findChildren(QLabel) if label.isVisible()):
                found.append(f"{prop(widget, 'role')} frame without {mark}: {where(widget)}")
        if isinstance(widget, QLineEdit) and prop(widget, "invalid"):
            found += invalid_problems(widget)
    return found


def control_problems(widget: QWidget, min_px: int) -> list[str]:
    found = []
    name = spoken_name(widget)
    if not has_words(name) and not isinstance(widget, QScrollBar):   # a scroll bar is announced by its role
        found.append(f"no spoken name: {where(widget)}")
    elif isinstance(widget, QAbstractButton) and any(mark in name for mark in DECORATIONS if mark not in "·…"):
        found.append(f"name speaks a symbol ({name!r}): {where(widget)}")
    if widget.width() < min_px or widget.height() < min_px:
        found.append(f"target {widget.width()}x{widget.height()} px under 9 mm ({min_px} px): {where(widget)}")
    if isinstance(widget, QAbstractButton) and widget.isCheckable() and not marks_choice(widget):
        found.append(f"chosen state told by colour alone: {where(widget)}")
    return found


def marks_choice(button: QAbstractButton) -> bool:
    icon = button.icon()
    if icon.isNull():
        return False
    size = button.iconSize()
    on = icon.pixmap(size, QIcon.Mode.Normal, QIcon.State.On).toImage()
    off = icon.pixmap(size, QIcon.Mode.Normal, QIcon.State.Off).toImage()
    return on != off


def invalid_problems(line: QLineEdit) -> list[str]:
    """A field shown as invalid (red) must have its words beside it: a visible ！ line in the same editor."""
    parent = line.parentWidget()
    lines = [label.text() for label in parent.findChildren(QLabel)
             if label.isVisible() and prop(label, "role") == "field-error"]
    return [] if any(text.startswith("！") for text in lines) else [f"invalid field without ！ words: {where(line)}"]


def walk_screens(qtbot, window, min_px: int) -> list[str]:
    """Open every screen the window builds (and every tab of a tabbed one) and collect its faults."""
    found = []
    for screen in window.screens.all():
        window.nav.open(lambda screen=screen: screen)
        qtbot.waitUntil(lambda screen=screen: screen.isVisible(), timeout=5000)
        for _ in all_tabs(screen):
            QApplication.processEvents()
            found += [f"{type(screen).__name__}: {p}" for p in problems(window, min_px)]
    window.nav.home()
    return sorted(set(found))


def all_tabs(screen: QWidget):
    tabs = [t for t in screen.findChildren(QTabWidget)]
    yield None
    for tab_widget in tabs:
        for index in range(tab_widget.count()):
            tab_widget.setCurrentIndex(index)
            yield index


def test_nine_millimetres_on_the_default_panel():
    assert DEFAULT_DPI == pytest.approx(96.8, abs=0.1)   # 15.6 inches, 1280 x 800
    assert target_px(DEFAULT_DPI) == 35                  # 9 mm = 34.3 px: the old 34 px strip buttons were under
    assert target_px(160.0) == 57


def test_spoken_names_drop_decorations():
    assert spoken("‹ 返回") == "返回"
    assert spoken("⌂ 首页") == "首页"
    assert spoken("★★★☆☆\n满意") == "满意"
    assert spoken("下一页 ›") == "下一页"
    assert not has_words(spoken("🔊"))


def test_every_screen_is_named_large_enough_and_not_colour_alone(qtbot, window):
    min_px = min_target_px(window.core.config["screen_dpi"])
    faults = walk_screens(qtbot, window, min_px)
    assert not faults, "\n".join(faults)


def test_every_screen_in_elderly_mode(qtbot, window):
    window.prefs.set_elderly(True)
    min_px = min_target_px(window.core.config["screen_dpi"])
    faults = walk_screens(qtbot, window, min_px)
    assert not faults, "\n".join(faults)


def test_names_follow_the_text(qtbot, window):
    back = window.screens.search.back_button
    window.nav.open(lambda: window.screens.search)
    qtbot.waitUntil(back.isVisible)
    assert spoken_name(back) == "返回"
    back.setText("‹ Back")                       # as a language switch re-renders it in place
    window.spoken_names.refresh_soon()
    qtbot.waitUntil(lambda: spoken_name(back) == "Back", timeout=2000)


def test_a_field_is_named_by_its_caption(qtbot, window, core):
    from ui_helpers import go_to_form

    go_to_form(qtbot, window, core)
    editors = [e for e in window.screens.form.editors.values() if e.line is not None]
    assert editors
    for editor in editors:
        assert spoken_name(editor.line) == editor.spec.label


def test_every_styled_state_has_a_non_colour_cue():
    """A selector keyed on a state (not on `role`) changes how a widget looks; each needs a known non-colour cue."""
    from ui.screens.maint_settings import SHEET
    from ui.screens.maint_widgets import MAINT_SHEET

    sheets = stylesheet("X") + stylesheet("X", elderly=True) + SHEET + MAINT_SHEET
    states = set(re.findall(r"(?<!:)(:[a-z-]+|\[(?!role=)[a-z_-]+=\"[^\"]*\"\])", sheets)) - {":vertical"}
    assert states - set(STATE_CUES) == set(), "add a non-colour cue (and its check) for these states"


@pytest.mark.parametrize("elderly", [False, True], ids=["standard", "elderly"])
def test_the_shots_tour_states(qtbot, core_factory, tmp_path, elderly):
    """Every state the screenshot tour reaches: checked as it would be photographed (no files written)."""
    from kiosk.preferences import Prefs
    from ui.shots import Shooter

    core = core_factory()
    min_px = min_target_px(core.config["screen_dpi"])
    found: dict[str, list[str]] = {}
    seen: list[str] = []

    class Checker(Shooter):
        def shot(self, name: str) -> None:
            self.settle()
            seen.append(name)
            faults = problems(self.window, min_px)
            if faults:
                found[name] = faults

    checker = Checker(core, Path(tmp_path))
    if elderly:   # elderly mode for the whole tour: the sessions it ends return to it
        checker.window.prefs.defaults = Prefs(elderly=True)
        checker.window.prefs.set_elderly(True)
    try:
        checker.run()
    finally:
        checker.close()
    assert {"form-errors", "identify-error", "rating-good-reasons", "consent-signed", "idle-warning"} <= set(seen)
    assert not found, "\n".join(f"{name}: {fault}" for name, faults in found.items() for fault in faults)
