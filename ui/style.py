"""The kiosk look: big, high-contrast, touch-first. Widgets pick a look with the dynamic property `role`.

Two variants of one sheet: the standard look, and elderly mode's (适老化): every font size ×1.35, black on white with
dark blue, thicker borders, nothing grey on grey. Only colours and sizes differ, so a screen's layout code is shared.
"""
from __future__ import annotations

import re
from string import Template

INK = "#111111"
PAPER = "#f3f5f8"
BLUE = "#0a4da2"
BLUE_DARK = "#073a7a"
RED = "#a4161a"
RED_BG = "#fdeceb"
GREEN = "#1b6b2f"
GREEN_BG = "#e5f3e8"
AMBER_BG = "#fff4d6"
BAR_BUTTON_PX = 40   # the status strip's 退出: 10.5 mm on a 15.6-inch 1280x800 panel (it was 34 px, under 9 mm)

STANDARD = dict(
    ink=INK, paper=PAPER, blue=BLUE, blue_dark=BLUE_DARK, red=RED, red_bg=RED_BG, green=GREEN, green_bg=GREEN_BG,
    amber_bg=AMBER_BG, muted="#3a3f47", muted_bg="#dde3ec", line="#c9d2df", line_strong="#b8c3d3",
    field_line="#7d8796", bar="#e2e7ee", pressed="#dbe6f5", disabled="#5b6472", disabled_bg="#eceff3",
    handle="#8792a2",
)
# Elderly: black, white and dark blue; secondary text is black too (no grey on grey); lines are dark.
ELDERLY = STANDARD | dict(
    ink="#000000", paper="#ffffff", blue="#00307a", blue_dark="#001d4d", red="#8b0000", green="#0b4d1e",
    muted="#000000", muted_bg="#ffffff", line="#000000", line_strong="#000000", field_line="#000000",
    bar="#ffffff", pressed="#c7d7f0", disabled="#333333", disabled_bg="#ffffff", handle="#000000",
)
ELDERLY_FONT_SCALE = 1.35
_SHEET = Template("""
QWidget { font-family: "$family"; font-size: ${base}px; color: $ink; }
QMainWindow, QStackedWidget, QScrollArea, QScrollArea > QWidget > QWidget { background: $paper; }
QLabel { background: transparent; }
QLabel[role="title"] { font-size: 40px; font-weight: bold; }
QLabel[role="section"] { font-size: 28px; font-weight: bold; color: $blue_dark; padding-top: 2px; }
QLabel[role="big"] { font-size: 34px; }
QLabel[role="huge"] { font-size: 56px; font-weight: bold; color: $blue_dark; }
QLabel[role="hint"] { color: $muted; }
QLabel[role="small"] { font-size: 20px; color: $muted; }
QLabel[role="badge"] { font-size: 20px; color: white; background: $green; border-radius: 6px; padding: 2px 8px; }
QLabel[role="badge-muted"] { font-size: 20px; color: $ink; background: $muted_bg; border: 2px solid $ink;
    border-radius: 6px; padding: 0 6px; }
QLabel[role="step-no"] { font-size: 30px; font-weight: bold; color: white; background: $blue; border-radius: 24px;
    min-width: 48px; max-width: 48px; min-height: 48px; max-height: 48px; qproperty-alignment: AlignCenter; }
QLabel[role="field-error"] { color: $red; font-weight: bold; }
QFrame[role="card"] { background: white; border: 2px solid $line; border-radius: 12px; }
QFrame[role="ok"] { background: $green_bg; border: 3px solid $green; border-radius: 12px; }
QFrame[role="warn"] { background: $amber_bg; border: 3px solid #8a5a00; border-radius: 12px; }
QFrame[role="error"] { background: $red_bg; border: 3px solid $red; border-radius: 12px; }
QFrame[role="statusbar"] { background: $blue_dark; }
QFrame[role="statusbar"] QLabel { color: white; font-size: 24px /*fixed*/; }
QFrame[role="notice"] { background: $amber_bg; border-top: 2px solid #8a5a00; }
QFrame[role="notice"] QLabel { font-size: 18px /*fixed*/; color: $ink; }
QFrame[role="helpbar"] { background: $bar; border-top: 2px solid $line; }
QFrame[role="helpbar"] QPushButton { min-height: 36px; max-height: 36px; font-size: 24px; padding: 0 16px; }
QFrame[role="overlay"] { background: rgba(0, 0, 0, 170); }
QPushButton { min-height: 72px; padding: 6px 24px; border-radius: 12px; font-size: 28px;
    background: white; color: $blue_dark; border: 3px solid $blue; }
QPushButton:pressed { background: $pressed; }
QPushButton:disabled { color: $disabled; border-color: $disabled; border-style: dashed; background: $disabled_bg; }
QPushButton[role="primary"] { background: $blue; color: white; border: 3px solid $blue_dark; font-weight: bold; }
QPushButton[role="primary"]:pressed { background: $blue_dark; }
QPushButton[role="primary"]:disabled { background: $disabled_bg; border-color: $disabled; color: $disabled; }
QPushButton[role="tile"] { background: white; color: $ink; border: 2px solid $line_strong; font-size: 30px;
    min-height: 80px; padding: 4px 12px; }
QPushButton[role="row"] { background: white; color: $ink; border: 2px solid $line_strong; text-align: left;
    padding-left: 24px; font-size: 30px; min-height: 88px; }
QPushButton[role="nav"] { min-height: 64px; max-height: 64px; min-width: 150px; padding: 0 16px; font-size: 26px; }
QPushButton[role="method"] { min-height: 170px; font-size: 40px; font-weight: bold; background: $blue; color: white;
    border: 3px solid $blue_dark; }
QPushButton[role="method"]:pressed { background: $blue_dark; }
QPushButton[role="method"]:disabled { background: $disabled_bg; border-color: $disabled; color: $disabled; }
QPushButton:checked { background: $blue; color: white; border-color: $blue_dark; }
QPushButton[role="elderly"] { background: $blue_dark; color: white; border: 3px solid $ink; font-size: 30px;
    font-weight: bold; min-height: 80px; padding: 4px 12px; }
QPushButton[role="elderly"]:pressed { background: $blue; }
QPushButton[role="level"] { min-height: 120px; font-size: 28px; padding: 6px 8px; }
QPushButton[role="key"] { min-height: 88px; font-size: 40px; font-weight: bold; padding: 0; }
QPushButton[role="key-small"] { min-height: 72px; font-size: 30px; padding: 0; }
QPushButton[role="key-action"] { min-height: 72px; font-size: 26px; padding: 0 8px; background: $muted_bg; }
QPushButton[role="staff"] { min-height: 52px; font-size: 20px; padding: 0 16px; color: $muted;
    background: transparent; border: 2px solid $line; }
QFrame[role="statusbar"] QPushButton { min-height: ${bar_button}px; max-height: ${bar_button}px; font-size: 22px /*fixed*/;
    padding: 0 24px;
    border-width: 2px; border-radius: 8px; }
QLineEdit { min-height: 72px; font-size: 30px; padding: 0 16px; background: white; border: 3px solid $field_line;
    border-radius: 10px; }
QLineEdit:focus { border-color: $blue; }
QLineEdit[invalid="true"] { border-color: $red; background: $red_bg; }
QLineEdit:read-only { background: $muted_bg; }
QLineEdit[role="search"] { min-height: 88px; font-size: 34px; border-width: 4px; border-color: $blue; }
QScrollBar:vertical { width: 36px; background: $bar; }
QScrollBar::handle:vertical { background: $handle; min-height: 60px; border-radius: 8px; }
/* live chat (ui/screens/chat.py): the resident's turns and staff's, also told apart by their captions */
QFrame[role="chat-me"] { background: #dbe6f5; border: 2px solid $blue; border-radius: 12px; }
QFrame[role="chat-staff"] { background: white; border: 2px solid $handle; border-radius: 12px; }
QPushButton[role="chat-quick"] { min-height: 64px; font-size: 24px; padding: 0 16px; }
/* on-screen keyboard (ui/osk.py) */
QFrame[role="osk"] { background: #dde3ea; border-top: 3px solid #7d8796; }
QLabel[role="osk-caption"] { font-size: 20px; color: $muted; }
QLabel[role="osk-echo"] { font-size: 30px; color: $ink; }
QLabel[role="osk-echo"][empty="true"] { font-size: 22px; color: $muted; }
QPushButton[role="osk-switch"] { min-height: 64px; font-size: 24px; padding: 0 14px; }
QPushButton[role="osk-switch"]:checked { background: $blue; color: white; border-color: $blue_dark; }
QPushButton[role="osk-done"] { min-height: 64px; min-width: 150px; font-size: 28px; font-weight: bold;
    background: $blue; color: white; border: 3px solid $blue_dark; }
QPushButton[role="osk-word"] { min-height: 60px; font-size: 28px; padding: 0 14px; background: white; }
QFrame[role="osk"][elderly="true"] QLabel[role="osk-echo"] { font-size: 38px; }
QFrame[role="osk"][elderly="true"] QPushButton[role="osk-word"] { min-height: 76px; font-size: 36px; }
QFrame[role="osk"][elderly="true"] QPushButton[role="osk-switch"],
QFrame[role="osk"][elderly="true"] QPushButton[role="osk-done"] { min-height: 76px; font-size: 30px; }
""")


def stylesheet(family: str, base_px: int = 26, *, elderly: bool = False, min_target_px: int = 0) -> str:
    """The sheet; `min_target_px` raises the smallest buttons to at least 9 mm on this screen (ui/a11y.py)."""
    colours = ELDERLY if elderly else STANDARD
    sheet = _SHEET.substitute(family=family, base=base_px, bar_button=max(BAR_BUTTON_PX, min_target_px), **colours)
    return _elderly(sheet) if elderly else sheet


def _elderly(sheet: str) -> str:
    """Every font size ×1.35 (but the status strip's, marked /*fixed*/: staff information, and the screens need
    its height) and every border one pixel thicker. Heights stay: the standard ones already leave
    room for the larger text, and the screen has no more pixels to give."""
    def scaled(match: re.Match) -> str:
        return f"{match.group(1)}{round(int(match.group(2)) * ELDERLY_FONT_SCALE)}px"

    sheet = re.sub(r"(font-size: )(\d+)px(?! /\*fixed)", scaled, sheet)
    return re.sub(r"(\d+)px solid", lambda m: f"{int(m.group(1)) + 1}px solid", sheet)
