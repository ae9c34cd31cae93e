"""Elderly mode's own states for `python -m ui.shots`: what the tour's elderly pass does not reach by itself, the
second page of a paged list and of the form asked a question at a time. Leaves the mode as it found it."""
from __future__ import annotations


def tour(shooter) -> None:
    from ui.screens.identify import CARD

    w, s = shooter.window, shooter.window.screens
    was_on = w.prefs.current.elderly
    w.prefs.set_elderly(True)
    w.nav.home()
    shooter.shot("elderly-home")
    w.browse.open_all_themes()
    if s.tiles.pager.isVisibleTo(s.tiles):
        s.tiles.pager.next.click()
        shooter.shot("elderly-themes-page-2")
    w.browse.open_item(shooter.ready_item().id)
    s.detail.apply_button.click()
    w.resident.read_identity(CARD)
    shooter.settle(shooter.on(s.form))
    if s.form.pager.isVisibleTo(s.form):
        s.form.pager.next.click()
        shooter.shot("elderly-form-page-2")
    w.forget_resident()
    w.prefs.set_elderly(was_on)   # the forgetting reset it; the tour's elderly pass keeps it on
