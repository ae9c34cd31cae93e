"""人工咨询 on the kiosk window against a real hub on loopback (signatures required): the resident opens the chat
from the home screen, types, staff reply through the staff page's form, the reply shows; the Q&A hook opens it
with a question; the link dropping offers the callback request; the session's end wipes the chat from screen
and memory and tells the hub. No message text in the logs."""
import logging
import re
import time

import pytest

from sync.chat import Availability, ChatTimeouts, client_for
from sync.hub.context import HubConfig
from sync.hub.testing import loopback_session, run_hub_thread
from sync.terminal_identity import IdentityStore, enroll
from ui_helpers import WAIT_MS, joined_texts, open_window, tap, type_text, wait_idle_tasks, wait_screen

pytestmark = pytest.mark.timeout(120)
STATION = "zs-dh-cjd-001"
STAFF_PASSWORD = "chat-ui-staff"
STAFF = ("staff", STAFF_PASSWORD)
QUESTION = "我想问一下高龄津贴怎么申请"
ANSWER = "满80周岁可以在自助机上申请，带上身份证就行。"


@pytest.fixture
def session():
    s = loopback_session()
    yield s
    s.close()


def start_hub(tmp_path):
    return run_hub_thread(tmp_path / "hub.db", config=HubConfig(require_auth=True, staff_password=STAFF_PASSWORD))


def staff_form(session, url, path, **fields):
    page = session.get(url + "/staff/chats", auth=STAFF, timeout=10).text
    csrf = re.search(r'name="csrf" value="([0-9a-f]+)"', page).group(1)
    reply = session.post(url + "/staff/chats" + path, data={"csrf": csrf, **fields}, auth=STAFF, timeout=10,
                         allow_redirects=False)
    assert reply.status_code == 303, reply.text


def chat_window(qtbot, core_factory, url, store, session):
    """A kiosk enrolled at the hub, its chat attached to it (the window's own wiring needs a running sync worker,
    which these UI tests do not start: the clients are the same `client_for` the window builds)."""
    core = core_factory(hub_url=url)
    identities = IdentityStore(core.data_dir)
    enroll(identities, url, STATION, store.issue_enrollment_code(STATION, 600).code, session=session)
    window = open_window(qtbot, core)
    clients = [client_for(url, identities, STATION, session_factory=loopback_session,
                          timeouts=ChatTimeouts(2.0, 5.0)) for _ in range(2)]
    window.chat.attach(clients[0], clients[1], Availability(lambda: True, time.monotonic), wait_s=2)
    return window


def hub_messages(store):
    chats = store.chats(open_only=True) or store.chats(open_only=False)
    return [m.text for m in store.chat_messages(chats[0].id)] if chats else []


def wait_text(qtbot, screen, text):
    qtbot.waitUntil(lambda: text in joined_texts(screen), timeout=WAIT_MS)


def test_chat_is_not_offered_without_a_hub(window):
    window.chat.refresh_availability()
    assert not window.chat.available() and not window.chat_button.isVisible()


def test_a_resident_chats_with_staff_from_the_home_screen(qtbot, core_factory, tmp_path, session, caplog):
    caplog.set_level(logging.INFO)
    with start_hub(tmp_path) as (url, store):
        window = chat_window(qtbot, core_factory, url, store, session)
        screen = window.screens.chat
        try:
            window.chat.refresh_availability()
            wait_idle_tasks(qtbot, window)
            assert not window.chat_button.isVisible()                    # nobody on duty
            staff_form(session, url, "/duty", on="1")
            window.chat.offer.answered_at = None                         # ask again now
            window.chat.refresh_availability()
            qtbot.waitUntil(window.chat_button.isVisible, timeout=WAIT_MS)
            tap(qtbot, window.chat_button)
            wait_screen(qtbot, window, screen)
            type_text(screen.input, QUESTION)
            tap(qtbot, screen.send_button)
            qtbot.waitUntil(lambda: hub_messages(store) == [QUESTION], timeout=WAIT_MS)
            assert screen.input.text() == "" and QUESTION in joined_texts(screen)
            staff_form(session, url, f"/{store.chats()[0].id}/reply", text=ANSWER)
            wait_text(qtbot, screen, ANSWER)
            wait_text(qtbot, screen, "工作人员已回复")
            tap(qtbot, screen.quick[0])                                  # 好的，谢谢
            qtbot.waitUntil(lambda: hub_messages(store) == [QUESTION, ANSWER, "好的，谢谢"], timeout=WAIT_MS)
            staff_form(session, url, f"/{store.chats()[0].id}/close")
            wait_text(qtbot, screen, "工作人员已结束本次对话")
            assert not screen.input.isEnabled() and not screen.send_button.isEnabled()
            tap(qtbot, screen.home_after_end)
            wait_screen(qtbot, window, window.screens.home)
            assert window.chat.conversation is None
            assert QUESTION not in "\n".join(window.visible_texts()) and ANSWER not in joined_texts(screen)
        finally:
            window.shutdown()
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "live chat opened" in logged and QUESTION not in logged and ANSWER not in logged


def test_the_qa_hook_opens_a_chat_and_the_session_end_wipes_it_and_tells_the_hub(qtbot, core_factory, tmp_path,
                                                                                session):
    with start_hub(tmp_path) as (url, store):
        window = chat_window(qtbot, core_factory, url, store, session)
        screen = window.screens.chat
        try:
            staff_form(session, url, "/duty", on="1")
            window.chat.refresh_availability()
            qtbot.waitUntil(window.chat.available, timeout=WAIT_MS)
            window.qa.open(QUESTION)                                     # 问一问, then 找人工 with staff on duty
            qtbot.waitUntil(lambda: window.qa.conversation.last_question() == QUESTION, timeout=WAIT_MS)
            window.qa.talk_to_person()
            wait_screen(qtbot, window, screen)
            qtbot.waitUntil(lambda: hub_messages(store) == [QUESTION], timeout=WAIT_MS)
            wait_text(qtbot, screen, "工作人员正在查看")
            chat_id = store.chats()[0].id
            window.forget_resident()                                     # idle wipe / agent logout
            assert window.nav.current is window.screens.home and window.chat.conversation is None
            assert QUESTION not in "\n".join(window.visible_texts())
            qtbot.waitUntil(lambda: store.chat(chat_id).state == "closed_kiosk", timeout=WAIT_MS)
        finally:
            window.shutdown()


def test_a_dropped_link_offers_the_callback_request_instead(qtbot, core_factory, tmp_path, session):
    with start_hub(tmp_path) as (url, store):
        window = chat_window(qtbot, core_factory, url, store, session)
        screen = window.screens.chat
        window.chat.open(QUESTION)
        qtbot.waitUntil(lambda: hub_messages(store) == [QUESTION], timeout=WAIT_MS)
    try:                                                                 # the hub is gone now
        qtbot.waitUntil(screen.lost.isVisible, timeout=WAIT_MS)
        assert "网络中断" in joined_texts(screen) and screen.callback_button.isVisible()
        assert not window.chat.available()
        tap(qtbot, screen.callback_button)
        qa = window.screens.qa   # the Q&A screen's 有求必应 callback form, holding the question
        assert window.nav.current is qa and qa.pages.currentIndex() == 1 and qa.callback_question.text() == QUESTION
        assert window.chat.conversation is None and QUESTION not in joined_texts(screen)
    finally:
        window.shutdown()


def test_without_a_callback_path_the_link_down_panel_offers_a_retry_only(qtbot, core_factory, tmp_path, session):
    with start_hub(tmp_path) as (url, store):
        window = chat_window(qtbot, core_factory, url, store, session)
        window.chat.set_callback(None)   # no 有求必应 path on this kiosk
        screen = window.screens.chat
        window.chat.open(QUESTION)
        qtbot.waitUntil(lambda: hub_messages(store) == [QUESTION], timeout=WAIT_MS)
    try:
        qtbot.waitUntil(screen.lost.isVisible, timeout=WAIT_MS)
        assert not screen.callback_button.isVisible() and screen.retry_button.isVisible()
        type_text(screen.input, "\u202e反转")
        tap(qtbot, screen.send_button)
        assert screen.input_error.isVisible() and screen.input.text()   # refused locally, kept as typed
    finally:
        window.shutdown()
