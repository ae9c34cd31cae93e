"""Screenshots of 问一问 (智能问答) for `python -m ui.shots`: recommended questions, an answer with 去办理, a
clarification, a follow-up, an unknown question, and 找人工's callback request and its confirmation."""
from __future__ import annotations


ASKED = ("社保卡不见了，怕被人冒用", "要带什么材料", "身份证", "今天天气怎么样")   # typed as a resident would


def tour(shooter) -> None:
    w = shooter.window
    s, qa = w.screens, w.qa
    w.nav.home()
    qa.open()
    shooter.settle(shooter.on(s.qa))
    shooter.shot("qa-recommended")
    for name, question in zip(("qa-answer", "qa-follow-up", "qa-clarify", "qa-unknown"), ASKED):
        turns = len(qa.conversation.turns)
        qa.ask(question)
        shooter.settle(lambda n=turns: len(qa.conversation.turns) > n)
        shooter.shot(name)
    qa.talk_to_person()
    shooter.settle(lambda: s.qa.pages.currentIndex() == 1)
    for digit in "13957012345":
        s.qa.keypad.typed.emit(digit)
    shooter.shot("qa-callback")
    s.qa.submit_button.click()
    shooter.settle(lambda: s.qa.pages.currentIndex() == 2)
    shooter.shot("qa-callback-saved")
    w.nav.home()
