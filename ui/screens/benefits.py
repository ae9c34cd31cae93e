"""免申即享: ask before checking (the card's facts listed, the rest as yes/no the resident may leave), then the
benefits that match, each confirmed with one tap. The screen only shows and asks; ui/benefits.py decides."""
from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, Qt, Signal
from PySide6.QtWidgets import QButtonGroup, QHBoxLayout, QLabel, QPushButton, QStackedWidget, QVBoxLayout, QWidget

from kiosk.benefits import Benefit
from ui.a11y import spoken
from ui.widgets import Screen, button, clear_layout, frame, label, scroll_area

CTX = "BenefitsScreen"
CARD_FACTS = {   # what the card gives a rule, in the resident's words
    "age": QT_TRANSLATE_NOOP("BenefitsScreen", "年龄（由证件上的出生日期算出）"),
    "gender": QT_TRANSLATE_NOOP("BenefitsScreen", "性别"),
    "area_code": QT_TRANSLATE_NOOP("BenefitsScreen", "证件号码前6位（地区代码）"),
    "address": QT_TRANSLATE_NOOP("BenefitsScreen", "证件上的住址（户籍所在地）"),
}
QUESTIONS = {    # what only the resident can say; staff verify it
    "disability": QT_TRANSLATE_NOOP("BenefitsScreen", "您持有《残疾人证》吗？"),
    "disability_severe": QT_TRANSLATE_NOOP("BenefitsScreen", "您的残疾等级是一级或二级吗？"),
    "veteran": QT_TRANSLATE_NOOP("BenefitsScreen", "您是退役军人吗？"),
    "low_income": QT_TRANSLATE_NOOP("BenefitsScreen", "您家享受低保或低保边缘吗？"),
}
ASK, MATCHES = 0, 1


def tr(text: str) -> str:
    return QCoreApplication.translate(CTX, text)


class BenefitsScreen(Screen):
    agreed = Signal(dict)        # fact -> bool: the questions answered (unanswered ones are left out)
    declined = Signal()          # 不用了 on the question page: nothing is checked or kept
    claim_requested = Signal(list)   # benefit ids: one (我要享受) or every one not yet claimed (全部享受)
    finished = Signal()          # 完成: back to the receipt

    def __init__(self, parent: QWidget | None = None):
        super().__init__(self.tr("免申即享：看看您还能享受哪些待遇"), nav=False, parent=parent)
        self.pages = QStackedWidget()
        self.body.addWidget(self.pages, 1)
        self.pages.addWidget(self._ask_page())
        self.pages.addWidget(self._matches_page())
        self.answers: dict[str, QButtonGroup] = {}
        self.cards: dict[str, tuple[QPushButton, QLabel]] = {}

    # --- the question page ---------------------------------------------------------------------------------
    def _ask_page(self) -> QWidget:
        page = QWidget()
        box = QVBoxLayout(page)
        box.setContentsMargins(0, 0, 0, 0)
        self.intro = label(self.tr("如您同意，我们用下面的信息查一查您符合哪些惠民政策，查完不保存。只有您点了“我要享受”的，才把您的姓名、证件号码和相关情况交给主管部门办理。"))
        box.addWidget(self.intro)
        content = QWidget()
        self.ask_rows = QVBoxLayout(content)
        self.ask_rows.setContentsMargins(0, 0, 8, 0)
        box.addWidget(scroll_area(content), 1)
        self.decline_button = button(self.tr("不用了"))
        self.agree_button = button(self.tr("同意，帮我查一查"), "primary")
        self.decline_button.clicked.connect(self.declined)
        self.agree_button.clicked.connect(self._agree)
        box.addLayout(_actions(self.decline_button, self.agree_button))
        return page

    def show_ask(self, card_facts: tuple[str, ...], questions: tuple[str, ...]) -> None:
        clear_layout(self.ask_rows)
        self.answers = {}
        if card_facts:
            facts = frame("card")
            facts.layout().addWidget(label(self.tr("来自您的证件：{facts}").format(
                facts="、".join(tr(CARD_FACTS[fact]) for fact in card_facts))))
            self.ask_rows.addWidget(facts)
        if questions:
            own = frame("card")
            own.layout().addWidget(label(self.tr("以下情况由您自己告诉我们，工作人员会核实"), "section"))
            own.layout().addWidget(label(self.tr("不清楚的可以不选，不选就不按这一条查。")))
            for fact in questions:
                own.layout().addLayout(self._question(fact))
            self.ask_rows.addWidget(own)
        self.ask_rows.addStretch(1)
        self.agree_button.setEnabled(True)
        self.decline_button.setEnabled(True)
        self.pages.setCurrentIndex(ASK)

    def _question(self, fact: str) -> QHBoxLayout:
        row = QHBoxLayout()
        row.addWidget(label(tr(QUESTIONS[fact])), 1)
        group = QButtonGroup(self)
        for value, text in ((1, self.tr("是")), (0, self.tr("否"))):
            choice = button(text, "choice", checkable=True)
            choice.setMinimumSize(120, 72)
            choice.setAccessibleName(self.tr("{question}：{answer}").format(question=spoken(tr(QUESTIONS[fact])),
                                                                               answer=text))   # no "？" read out
            group.addButton(choice, value)
            row.addWidget(choice)
        self.answers[fact] = group
        return row

    def answer(self, fact: str, yes: bool) -> None:
        self.answers[fact].button(1 if yes else 0).click()

    def declared(self) -> dict[str, bool]:
        return {fact: group.checkedId() == 1 for fact, group in self.answers.items() if group.checkedId() != -1}

    def _agree(self) -> None:
        self.agree_button.setEnabled(False)
        self.decline_button.setEnabled(False)
        self.agreed.emit(self.declared())

    # --- the matches page ----------------------------------------------------------------------------------
    def _matches_page(self) -> QWidget:
        page = QWidget()
        box = QVBoxLayout(page)
        box.setContentsMargins(0, 0, 0, 0)
        self.status = label("", "big")
        self.already = label("")
        self.problem = label("", "section")
        box.addWidget(self.status)
        box.addWidget(self.already)
        box.addWidget(self.problem)
        content = QWidget()
        self.rows = QVBoxLayout(content)
        self.rows.setContentsMargins(0, 0, 8, 0)
        self.rows.setSpacing(12)
        box.addWidget(scroll_area(content), 1)
        self.all_button = button(self.tr("全部享受"))
        self.done_button = button(self.tr("完成"), "primary")
        self.all_button.clicked.connect(self._claim_all)
        self.done_button.clicked.connect(self.finished)
        box.addLayout(_actions(self.all_button, self.done_button))
        return page

    def show_matches(self, benefits: tuple[Benefit, ...], already: int, language: str,
                     claimed: frozenset[str] = frozenset()) -> None:
        clear_layout(self.rows)
        self.cards = {}
        self.status.setText(self.tr("您可以享受以下 {n} 项待遇，点“我要享受”即可，不用另外申请").format(n=len(benefits))
                            if benefits else self.tr("暂未查到您可以享受的待遇"))
        self.already.setText(self.tr("另有 {n} 项您此前已在本机确认过，相关部门正在办理。").format(n=already)
                             if already else "")
        self.already.setVisible(bool(already))
        self.problem.clear()
        self.problem.hide()
        for benefit in benefits:
            self.rows.addWidget(self._card(benefit, language))
        self.rows.addStretch(1)
        for benefit_id in claimed:
            self.mark_claimed([benefit_id])
        self._update_all_button()
        self.done_button.setEnabled(True)
        self.pages.setCurrentIndex(MATCHES)

    def _card(self, benefit: Benefit, language: str) -> QWidget:
        card = frame("card")
        lay = card.layout()
        lay.addWidget(label(benefit.text("name", language), "section"))
        lay.addWidget(label(benefit.text("summary", language)))
        lay.addWidget(label(self.tr("办理部门：{department}").format(department=benefit.text("department", language))))
        lay.addWidget(label(self.tr("接下来：{next}").format(next=benefit.text("next_step", language))))
        claim = button(self.tr("我要享受"), "primary")
        claim.setMinimumHeight(72)
        claim.setAccessibleName(self.tr("我要享受：{name}").format(name=benefit.text("name", language)))
        claim.clicked.connect(lambda: self._claim([benefit.id]))
        done = label(self.tr("✓ 已登记，无需再办"), "big")
        done.hide()
        lay.addWidget(claim, 0, Qt.AlignmentFlag.AlignLeft)
        lay.addWidget(done)
        self.cards[benefit.id] = (claim, done)
        return card

    def _claim(self, ids: list[str]) -> None:
        for benefit_id in ids:
            self.cards[benefit_id][0].setEnabled(False)
        self.all_button.setEnabled(False)
        self.problem.hide()
        self.claim_requested.emit(ids)

    def _claim_all(self) -> None:
        self._claim(self.unclaimed())

    def unclaimed(self) -> list[str]:
        return [benefit_id for benefit_id, (claim, _done) in self.cards.items() if not claim.isHidden()]

    def mark_claimed(self, ids: list[str]) -> None:
        for benefit_id in ids:
            claim, done = self.cards[benefit_id]
            claim.hide()
            done.show()
        self._update_all_button()

    def show_claim_failed(self, ids: list[str]) -> None:
        """Nothing was stored: the buttons come back for another try."""
        for benefit_id in ids:
            self.cards[benefit_id][0].setEnabled(True)
        self.problem.setText(self.tr("！没能保存，请再点一次；仍不行请联系工作人员"))
        self.problem.show()
        self._update_all_button()

    def _update_all_button(self) -> None:
        left = self.unclaimed()
        self.all_button.setVisible(len(left) > 1)
        self.all_button.setEnabled(all(self.cards[i][0].isEnabled() for i in left))

    def clear_personal(self) -> None:
        clear_layout(self.ask_rows)
        clear_layout(self.rows)
        self.answers = {}
        self.cards = {}
        self.status.clear()
        self.already.clear()
        self.problem.clear()
        self.pages.setCurrentIndex(ASK)


def _actions(secondary: QPushButton, primary: QPushButton) -> QHBoxLayout:
    row = QHBoxLayout()
    row.setSpacing(24)
    row.addWidget(secondary, 1)
    row.addWidget(primary, 2)
    for widget in (secondary, primary):
        widget.setMinimumHeight(88)
    return row
