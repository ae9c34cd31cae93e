"""免申即享 in the screenshot tour (ui/shots.py calls `tour` at the end of `Shooter.run`): the offer on the receipt,
the question page, the matches with one registered, and the receipt saying so. Safe to run more than once on
one kiosk (another language, elderly mode): what was registered before is simply not offered again."""
from __future__ import annotations


def tour(shooter) -> None:
    w, s = shooter.window, shooter.window.screens
    if getattr(w, "benefits", None) is None:
        return
    w.browse.open_item(shooter.ready_item().id)
    shooter.apply_to_confirm()
    s.confirm.confirm_button.click()
    shooter.settle(lambda: w.nav.current is s.receipt and s.receipt.done_button.isEnabled())
    shooter.shot("benefits-offer")
    w.benefits.offer.click()
    shooter.settle(shooter.on(s.benefits))
    for fact in ("veteran", "disability", "disability_severe", "low_income"):
        if fact in s.benefits.answers:
            s.benefits.answer(fact, True)
    shooter.shot("benefits-ask")
    s.benefits.agree_button.click()
    shooter.settle(lambda: s.benefits.pages.currentIndex() == 1)
    shooter.shot("benefits-matches")
    unclaimed = s.benefits.unclaimed()
    if unclaimed:
        s.benefits.cards[unclaimed[0]][0].click()
        shooter.settle(lambda: s.benefits.cards[unclaimed[0]][1].isVisibleTo(s.benefits))
        shooter.shot("benefits-claimed")
    s.benefits.done_button.click()
    shooter.settle(shooter.on(s.receipt))
    shooter.shot("benefits-receipt")
    w.resident.finish()
    shooter.settle(shooter.on(s.home))
