"""免申即享 on the kiosk: offered on the receipt screen, once the service the resident came for is saved and printed.

Why there: the resident's own service never waits on it, the identity read for that service is still in the
session (no second card read), and nothing about the resident is looked at until they tap 看看我能享受什么 and
then 同意. The card's facts are computed for that one check and dropped; the yes/no answers live until the
resident taps 完成 (they go, verbatim, only into the claims confirmed). 不用了 stores nothing. Claims are written
on the db lane (kiosk/benefit_claims.py); the receipt screen then says how many were registered.
"""
from __future__ import annotations

import logging
from typing import Callable

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QPushButton, QWidget

from kiosk.benefit_claims import BenefitClaims
from kiosk.benefits import CARD, DECLARED, Benefit, BenefitSet, card_facts, matching
from kiosk.ids import Clock
from ui.navigation import Navigator
from ui.screens.benefits import BenefitsScreen
from ui.screens.receipt import ReceiptScreen
from ui.tasks import Tasks

log = logging.getLogger(__name__)

GROUP = "benefits"


class BenefitOffer(QPushButton):
    """A third button in the receipt's button row (the screen must still fit 1280×800): the offer, then, once
    something was registered, how many (the names were on the benefits screen)."""
    requested = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setProperty("role", "primary")
        self.setMinimumHeight(88)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)   # as ui.widgets.button: touch, no focus rectangle
        self.clicked.connect(self.requested)
        self.hide()

    def show_offer(self) -> None:
        self.setText(self.tr("免申即享：\n看看我还能享受什么"))
        self.setEnabled(True)
        self.show()

    def show_claimed(self, count: int) -> None:
        self.setText(self.tr("✓ 已登记 {n} 项待遇\n部门核实后办理").format(n=count))
        self.setEnabled(False)
        self.show()

    def clear_personal(self) -> None:
        self.setText("")
        self.hide()


def attach(offer: BenefitOffer, receipt: ReceiptScreen) -> None:
    """Between 再打印一次 and 下一步 in the receipt's button row."""
    for index in range(receipt.body.count()):
        row = receipt.body.itemAt(index).layout()
        if row is not None and row.indexOf(receipt.done_button) != -1:
            row.insertWidget(row.indexOf(receipt.done_button), offer, 2)
            return
    receipt.body.addWidget(offer)


class BenefitsController(QObject):
    def __init__(self, rules: Callable[[], BenefitSet], claims: BenefitClaims, clock: Clock,
                 session: Callable[[], object], tasks: Tasks, nav: Navigator, screen: BenefitsScreen,
                 receipt: ReceiptScreen, language: Callable[[], str], parent: QObject | None = None):
        super().__init__(parent)
        self.rules, self.claims, self.clock, self.session = rules, claims, clock, session
        self.tasks, self.nav, self.screen, self.receipt, self.language = tasks, nav, screen, receipt, language
        self.offer = BenefitOffer()
        attach(self.offer, receipt)
        self._reset()
        self.offer.requested.connect(self.open)
        screen.declined.connect(self.back_to_receipt)
        screen.agreed.connect(self.check)
        screen.claim_requested.connect(self.claim)
        screen.finished.connect(self.back_to_receipt)
        nav.changed.connect(self._screen_changed)

    def _reset(self) -> None:
        self._owner = None                      # the ResidentSession this check belongs to
        self._set: BenefitSet | None = None     # the rules as they were when the resident agreed
        self._declared: dict[str, bool] = {}    # personal: the resident's own answers, until 完成
        self._shown: tuple[Benefit, ...] = ()
        self._already = 0
        self._claimed: list[str] = []
        self._used = False                      # one offer per service

    # --- offer ---------------------------------------------------------------------------------------------
    def _identity(self):
        session = self.session()
        return getattr(session, "identity", None)

    def _screen_changed(self, screen: QWidget) -> None:
        if screen is not self.receipt:
            return
        if self.session() is not self._owner:   # another service: start afresh
            self._reset()
            self.offer.clear_personal()
        if self._claimed:
            self.offer.show_claimed(len(self._claimed))
        elif not self._used and self._identity() is not None and self.rules().benefits:
            self.offer.show_offer()
        else:
            self.offer.hide()

    def open(self) -> None:
        if self._identity() is None:
            return
        self._owner, self._set, self._used = self.session(), self.rules(), True
        self.screen.show_ask(self._set.facts(CARD), self._set.facts(DECLARED))
        self.nav.open(lambda: self.screen, remember=False)

    # --- consent and matching ------------------------------------------------------------------------------
    def check(self, declared: dict) -> None:
        identity = self._identity()
        if identity is None or self._set is None or self.session() is not self._owner:
            return
        self._declared = {k: bool(v) for k, v in declared.items()}
        facts = card_facts(identity, self.clock()) | self._declared   # used for this one match, then dropped
        found = matching(self._set, facts)
        del facts
        self.tasks.run("db", lambda: self.claims.claimed(identity, [b.id for b in found]),
                       lambda already: self._matched(found, already),
                       lambda error: self._check_failed(found, error), group=GROUP)

    def _matched(self, found: tuple[Benefit, ...], already: frozenset[str]) -> None:
        self._shown = tuple(b for b in found if b.id not in already)
        self._already = len(found) - len(self._shown)
        self.render()

    def _check_failed(self, found: tuple[Benefit, ...], error: BaseException) -> None:
        """Earlier claims unreadable: offer every match (a second claim of one benefit is the department's to
        merge, a missed benefit is worse)."""
        log.error("reading earlier claims failed: %s", type(error).__name__)
        self._matched(found, frozenset())

    def render(self) -> None:
        self.screen.show_matches(self._shown, self._already, self.language(), frozenset(self._claimed))

    def language_changed(self) -> None:
        """The benefits' own texts switch language too (the hub gives their English)."""
        if self.nav.current is self.screen and self._shown and self.screen.pages.currentIndex() == 1:
            self.render()

    # --- one tap -------------------------------------------------------------------------------------------
    def claim(self, ids: list) -> None:
        identity, session = self._identity(), self.session()
        chosen = [b for b in self._shown if b.id in ids and b.id not in self._claimed]
        if identity is None or session is not self._owner or not chosen:
            return
        agent = getattr(session, "agent", None)
        agent_id = agent.agent_id if agent is not None else None
        declared, version = dict(self._declared), self._set.version
        self.tasks.run("db", lambda: self.claims.confirm(identity, chosen, declared, version, agent_id),
                       lambda claims: self._claimed_done([c.benefit_id for c in claims]),
                       lambda error: self._claim_failed(ids, error), group=GROUP)

    def _claimed_done(self, ids: list[str]) -> None:
        self._claimed += [i for i in ids if i not in self._claimed]
        self.screen.mark_claimed(ids)

    def _claim_failed(self, ids: list, error: BaseException) -> None:
        log.error("benefit claim not saved: %s", type(error).__name__)
        self.screen.show_claim_failed(list(ids))

    # --- leaving -------------------------------------------------------------------------------------------
    def back_to_receipt(self) -> None:
        """不用了 or 完成: the answers are dropped; the receipt says what was registered."""
        self._declared = {}
        self.screen.clear_personal()
        self.nav.open(lambda: self.receipt, remember=False)

    def forget(self) -> None:
        """The session ended (service finished, idle wipe, agent logout): nothing of this resident stays."""
        self.tasks.forget(GROUP)
        self._reset()
        self.offer.clear_personal()
        self.screen.clear_personal()
