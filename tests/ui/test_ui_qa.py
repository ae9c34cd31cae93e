"""问一问 (智能问答) on the kiosk: ask in one's own words, choose when asked 您是想问, follow up, open the service,
leave a callback request when no live chat is available, and nothing of the resident's words left after the session."""
from __future__ import annotations

from PySide6.QtWidgets import QAbstractButton

from ui_helpers import WAIT_MS, button_with_text, joined_texts, tap, type_text, wait_idle_tasks, wait_screen

PHONE = "13957012345"


def open_qa(qtbot, window):
    s = window.screens
    tap(qtbot, s.home.qa_button)
    wait_screen(qtbot, window, s.qa)
    return s.qa


def ask(qtbot, window, screen, question: str) -> None:
    type_text(screen.box, question)
    tap(qtbot, screen.ask_button)
    wait_idle_tasks(qtbot, window)
    qtbot.waitUntil(lambda: screen.ask_button.isEnabled(), timeout=WAIT_MS)


def shown_button(qtbot, root, text: str):
    """A button added to a shown layout becomes visible on the next turn of the event loop."""
    qtbot.waitUntil(lambda: any(b.isVisible() and text in b.text() for b in root.findChildren(QAbstractButton)),
                    timeout=WAIT_MS)
    return button_with_text(root, text)


def outbox(core) -> list:
    """The need records waiting for the hub, read as the sync worker reads them."""
    from local_db.store import Outbox

    return [item for item in Outbox(core.store.db).pending() if item.kind == "need"]


def test_recommended_questions_then_an_answer_that_opens_its_service(qtbot, window):
    screen = open_qa(qtbot, window)
    assert "大家常问" in joined_texts(screen)
    tap(qtbot, shown_button(qtbot, screen, "我办的事办到哪一步了？"))
    qtbot.waitUntil(lambda: "查询办理进度" in joined_texts(screen), timeout=WAIT_MS)
    assert "大家常问" not in joined_texts(screen)
    ask(qtbot, window, screen, "社保卡不见了，怕被人冒用")
    text = joined_texts(screen)
    assert "您问：社保卡不见了，怕被人冒用" in text and "先挂失" in text
    tap(qtbot, shown_button(qtbot, screen, "去办理"))
    detail = window.screens.detail
    wait_screen(qtbot, window, detail)
    assert "社会保障卡挂失" in joined_texts(detail)
    tap(qtbot, detail.back_button)
    wait_screen(qtbot, window, screen)
    assert "先挂失" in joined_texts(screen)                    # the conversation is still there


def test_an_ambiguous_question_offers_choices_and_a_follow_up_uses_the_choice(qtbot, window):
    screen = open_qa(qtbot, window)
    ask(qtbot, window, screen, "身份证")
    assert "您是哪种情况" in joined_texts(screen)
    tap(qtbot, shown_button(qtbot, screen, "身份证丢了怎么补办？"))
    qtbot.waitUntil(lambda: "40元" in joined_texts(screen), timeout=WAIT_MS)
    ask(qtbot, window, screen, "在哪里办")
    text = joined_texts(screen)
    assert "说的是：身份证丢了怎么补办？" in text and "公安窗口补办" in text


def test_a_follow_up_detail_comes_from_the_catalog_when_the_knowledge_base_has_none(qtbot, window):
    screen = open_qa(qtbot, window)
    ask(qtbot, window, screen, "社保卡密码忘了")
    ask(qtbot, window, screen, "要带什么材料？")
    text = joined_texts(screen)
    assert "办“社会保障卡密码重置”要带：" in text and "• 社会保障卡（实体卡）" in text


def test_nothing_known_says_so_and_points_to_a_person(qtbot, window):
    screen = open_qa(qtbot, window)
    ask(qtbot, window, screen, "今天天气怎么样")
    assert "这个问题我还答不上来" in joined_texts(screen)


def test_a_search_that_found_nothing_can_be_asked_as_a_question(qtbot, window):
    s = window.screens
    type_text(s.home.search_box, "我的那个本本找不见了咋弄")
    wait_screen(qtbot, window, s.search)
    qtbot.waitUntil(lambda: "没有找到" in joined_texts(s.search), timeout=WAIT_MS)
    tap(qtbot, shown_button(qtbot, s.search, "问一问"))
    wait_screen(qtbot, window, s.qa)
    qtbot.waitUntil(lambda: "您问：我的那个本本找不见了咋弄" in joined_texts(s.qa), timeout=WAIT_MS)


def test_talk_to_a_person_offline_files_a_callback_need_for_the_hub(qtbot, window, core):
    screen = open_qa(qtbot, window)
    ask(qtbot, window, screen, "高龄补贴怎么还没到账")
    tap(qtbot, screen.person_button)
    qtbot.waitUntil(lambda: screen.pages.currentIndex() == 1, timeout=WAIT_MS)
    assert screen.callback_question.text() == "高龄补贴怎么还没到账"
    for digit in "1395701":
        tap(qtbot, button_with_text(screen.keypad, digit))
    tap(qtbot, screen.submit_button)
    qtbot.waitUntil(lambda: screen.callback_error.isVisible(), timeout=WAIT_MS)
    assert "手机号" in screen.callback_error.text() and outbox(core) == []   # nothing kept, nothing lost
    assert screen.phone.text() == "1395701" and screen.callback_question.text() == "高龄补贴怎么还没到账"
    for digit in "2345":
        tap(qtbot, button_with_text(screen.keypad, digit))
    tap(qtbot, screen.submit_button)
    qtbot.waitUntil(lambda: screen.pages.currentIndex() == 2, timeout=WAIT_MS)
    assert "24小时内给您回电（尾号2345）" in joined_texts(screen) and "编号：YQ-" in joined_texts(screen)
    [need] = outbox(core)
    payload = need.payload
    assert payload["source"] == "qa_callback" and payload["contact"] == PHONE and "filed_by" not in payload
    assert payload["description"] == "高龄补贴怎么还没到账" and payload["location"] == core.config["station_name"]
    tap(qtbot, shown_button(qtbot, screen, "返回问答"))
    qtbot.waitUntil(lambda: screen.pages.currentIndex() == 0, timeout=WAIT_MS)


def test_talk_to_a_person_online_is_handed_to_live_chat(qtbot, window):
    screen = open_qa(qtbot, window)
    ask(qtbot, window, screen, "社保卡丢了")
    window.qa.live_chat_available = lambda: True
    with qtbot.waitSignal(window.qa.live_chat_requested, timeout=WAIT_MS) as asked:
        tap(qtbot, screen.person_button)
    assert asked.args == ["社保卡丢了"] and screen.pages.currentIndex() == 0


def test_english_answers_come_from_the_knowledge_bases_english(qtbot, window):
    screen = open_qa(qtbot, window)
    ask(qtbot, window, screen, "社保卡丢了")
    window.prefs.set_language("en")
    qtbot.waitUntil(lambda: "Report it lost first" in joined_texts(screen), timeout=WAIT_MS)
    ask(qtbot, window, screen, "how can I see a doctor in another province")
    assert "register for out-of-area medical treatment" in joined_texts(screen)


def test_the_conversation_and_phone_are_wiped_when_the_session_ends(qtbot, window, core):
    screen = open_qa(qtbot, window)
    ask(qtbot, window, screen, "我妈满60了农保的钱怎么领")
    tap(qtbot, screen.person_button)
    for digit in PHONE[:6]:
        tap(qtbot, button_with_text(screen.keypad, digit))
    window.wipe()                                            # the idle wipe
    wait_screen(qtbot, window, window.screens.home)
    remaining = "\n".join(window.visible_texts()) + joined_texts(screen)
    assert "农保" not in remaining and PHONE[:6] not in remaining
    assert window.qa.conversation.turns == [] and window.qa.conversation.topic is None
    open_qa(qtbot, window)
    assert "大家常问" in joined_texts(screen) and "您问" not in joined_texts(screen)
    ask(qtbot, window, screen, "残疾证咋弄")
    tap(qtbot, window.screens.qa.home_button)                  # ⌂ 首页 ends it too
    wait_screen(qtbot, window, window.screens.home)
    assert window.qa.conversation.turns == [] and "残疾证咋弄" not in joined_texts(screen)
