"""Screenshots of the on-screen keyboard (ui/osk.py) for `python -m ui.shots`: the search box with the suggested
words, then pinyin "shebao" with its candidates, then the chosen word's results."""
from __future__ import annotations

from PySide6.QtCore import Qt


def tour(shooter) -> None:
    window = shooter.window
    screens, osk = window.screens, window.osk
    if not osk.enabled:   # a station configured without it
        return
    window.nav.home()
    window.browse.open_search("")
    shooter.settle(shooter.on(screens.search))
    box = screens.search.box
    box.setFocus(Qt.FocusReason.OtherFocusReason)
    osk.show_for(box)   # as a tap on the box does (an offscreen window is never the active one)
    shooter.settle(osk.is_shown)
    shooter.shot("osk-search-words")
    panel = osk.panel
    panel.set_layout("zh")
    panel.type_letters("shebao")
    shooter.settle(lambda: "社保" in panel.candidates())
    shooter.shot("osk-pinyin-candidates")
    panel.choose(panel.candidates().index("社保"))
    shooter.settle(lambda: screens.search.status.text() != "" and box.text() == "社保")
    shooter.shot("osk-pinyin-results")
    osk.hide()
    window.forget_resident()
    shooter.settle(shooter.on(screens.home))
