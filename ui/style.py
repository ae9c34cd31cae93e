"""The kiosk look: big, high-contrast, touch-first. Widgets pick a look with the dynamic property `role`."""
from __future__ import annotations

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

_SHEET = Template("""
QWidget { font-family: "$family"; font-size: ${base}px; color: $ink; }
QMainWindow, QStackedWidget, QScrollArea, QScrollArea > QWidget > QWidget { background: $paper; }
QLabel { background: transparent; }
QLabel[role="title"] { font-size: 40px; font-weight: bold; }
QLabel[role="section"] { font-size: 30px; font-weight: bold; color: $blue_dark; padding-top: 8px; }
QLabel[role="big"] { font-size: 34px; }
QLabel[role="huge"] { font-size: 56px; font-weight: bold; color: $blue_dark; }
QLabel[role="hint"] { color: #3a3f47; }
QLabel[role="small"] { font-size: 20px; color: #3a3f47; }
QLabel[role="badge"] { font-size: 20px; color: white; background: $green; border-radius: 6px; padding: 2px 8px; }
QLabel[role="badge-muted"] { font-size: 20px; color: $ink; background: #dde3ec; border-radius: 6px;
    padding: 2px 8px; }
QLabel[role="step-no"] { font-size: 30px; font-weight: bold; color: white; background: $blue; border-radius: 24px;
    min-width: 48px; max-width: 48px; min-height: 48px; max-height: 48px; qproperty-alignment: AlignCenter; }
QLabel[role="field-error"] { color: $red; font-weight: bold; }
QFrame[role="card"] { background: white; border: 2px solid #c9d2df; border-radius: 12px; }
QFrame[role="ok"] { background: $green_bg; border: 3px solid $green; border-radius: 12px; }
QFrame[role="warn"] { background: $amber_bg; border: 3px solid #8a5a00; border-radius: 12px; }
QFrame[role="error"] { background: $red_bg; border: 3px solid $red; border-radius: 12px; }
QFrame[role="statusbar"] { background: $blue_dark; }
QFrame[role="statusbar"] QLabel { color: white; font-size: 24px; }
QFrame[role="notice"] { background: $amber_bg; border-top: 2px solid #8a5a00; }
QFrame[role="notice"] QLabel { font-size: 18px; color: $ink; }
QFrame[role="helpbar"] { background: #e2e7ee; border-top: 2px solid #c9d2df; }
QFrame[role="overlay"] { background: rgba(0, 0, 0, 170); }
QPushButton { min-height: 72px; padding: 6px 24px; border-radius: 12px; font-size: 28px;
    background: white; color: $blue_dark; border: 3px solid $blue; }
QPushButton:pressed { background: #dbe6f5; }
QPushButton:disabled { color: #6b7280; border-color: #9aa3af; background: #eceff3; }
QPushButton[role="primary"] { background: $blue; color: white; border: 3px solid $blue_dark; font-weight: bold; }
QPushButton[role="primary"]:pressed { background: $blue_dark; }
QPushButton[role="primary"]:disabled { background: #9aa3af; border-color: #9aa3af; color: white; }
QPushButton[role="tile"] { background: white; color: $ink; border: 2px solid #b8c3d3; font-size: 30px;
    min-height: 80px; padding: 4px 12px; }
QPushButton[role="row"] { background: white; color: $ink; border: 2px solid #b8c3d3; text-align: left;
    padding-left: 24px; font-size: 30px; min-height: 88px; }
QPushButton[role="nav"] { min-height: 64px; max-height: 64px; min-width: 150px; padding: 0 16px; font-size: 26px; }
QPushButton[role="method"] { min-height: 200px; font-size: 40px; font-weight: bold; background: $blue; color: white;
    border: 3px solid $blue_dark; }
QPushButton[role="method"]:pressed { background: $blue_dark; }
QPushButton[role="method"]:disabled { background: #9aa3af; border-color: #9aa3af; }
QPushButton[role="choice"]:checked, QPushButton[role="level"]:checked, QPushButton[role="reason"]:checked {
    background: $blue; color: white; border-color: $blue_dark; }
QPushButton[role="level"] { min-height: 120px; font-size: 28px; }
QPushButton[role="key"] { min-height: 88px; font-size: 40px; font-weight: bold; padding: 0; }
QPushButton[role="key-small"] { min-height: 72px; font-size: 30px; padding: 0; }
QPushButton[role="key-action"] { min-height: 72px; font-size: 26px; padding: 0 8px; background: #e8ecf1; }
QPushButton[role="staff"] { min-height: 52px; font-size: 20px; padding: 0 16px; color: #3a3f47;
    background: transparent; border: 2px solid #c9d2df; }
QFrame[role="statusbar"] QPushButton { min-height: 34px; max-height: 34px; font-size: 22px; padding: 0 24px;
    border-width: 2px; border-radius: 8px; }
QLineEdit { min-height: 72px; font-size: 30px; padding: 0 16px; background: white; border: 3px solid #7d8796;
    border-radius: 10px; }
QLineEdit:focus { border-color: $blue; }
QLineEdit[invalid="true"] { border-color: $red; background: $red_bg; }
QLineEdit:read-only { background: #e8ecf1; }
QLineEdit[role="search"] { min-height: 88px; font-size: 34px; border-width: 4px; border-color: $blue; }
QScrollBar:vertical { width: 28px; background: #e2e7ee; }
QScrollBar::handle:vertical { background: #8792a2; min-height: 60px; border-radius: 8px; }
/* on-screen keyboard (ui/osk.py) */
QFrame[role="osk"] { background: #dde3ea; border-top: 3px solid #7d8796; }
QLabel[role="osk-caption"] { font-size: 20px; color: #3a3f47; }
QLabel[role="osk-echo"] { font-size: 30px; color: $ink; }
QLabel[role="osk-echo"][empty="true"] { font-size: 22px; color: #3a3f47; }
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


def stylesheet(family: str, base_px: int = 26) -> str:
    return _SHEET.substitute(
        family=family, base=base_px, ink=INK, paper=PAPER, blue=BLUE, blue_dark=BLUE_DARK, red=RED,
        red_bg=RED_BG, green=GREEN, green_bg=GREEN_BG, amber_bg=AMBER_BG,
    )
