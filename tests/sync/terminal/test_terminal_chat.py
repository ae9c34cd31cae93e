"""Live chat from the kiosk's side against the reference hub on loopback (signatures required): the kiosk's
client opens a chat, a staff member replies through the staff page's form, the kiosk receives it, the kiosk
ends it. A hub that goes away is a `ChatLinkDown`; a hub without live chat is "not available"."""
import re
from pathlib import Path

import pytest

from sync.chat import (SENDING, Availability, ChatLinkDown, ChatRefused, ChatTimeouts, Conversation, client_for)
from sync.chat_protocol import ChatMessage, ChatUpdate
from sync.hub.context import HubConfig
from sync.hub.testing import loopback_session, run_hub_thread
from sync.terminal_identity import IdentityStore, enroll
from terminal_helpers import STATION

pytestmark = pytest.mark.timeout(90)
STAFF_PASSWORD = "chat-staff-pw"
STAFF = ("staff", STAFF_PASSWORD)
QUESTION = "低保每个月什么时候发？"
ANSWER = "每月10日前发放到社保卡银行账户。"


def staff_form(session, url: str, path: str, **fields):
    page = session.get(url + "/staff/chats", auth=STAFF, timeout=10).text
    csrf = re.search(r'name="csrf" value="([0-9a-f]+)"', page).group(1)
    return session.post(url + "/staff/chats" + path, data={"csrf": csrf, **fields}, auth=STAFF, timeout=10,
                        allow_redirects=False)


@pytest.fixture
def chat_hub(tmp_path: Path):
    config = HubConfig(require_auth=True, staff_password=STAFF_PASSWORD)
    with run_hub_thread(tmp_path / "hub.db", config=config) as (url, store):
        yield url, store


def kiosk_client(url: str, data_dir: Path, **kw):
    return client_for(url, IdentityStore(data_dir), STATION, session_factory=loopback_session,
                      timeouts=ChatTimeouts(2.0, 3.0), **kw)


def enrolled(url: str, store, data_dir: Path, session) -> None:
    enroll(IdentityStore(data_dir), url, STATION, store.issue_enrollment_code(STATION, 600).code, session=session)


def test_a_resident_asks_staff_answer_and_the_kiosk_hears_it(chat_hub, data_dir, session):
    url, store = chat_hub
    enrolled(url, store, data_dir, session)
    client = kiosk_client(url, data_dir)
    assert client.available() is False
    assert staff_form(session, url, "/duty", on="1").status_code == 303
    assert client.available() is True
    talk = Conversation()
    own = talk.add_own(QUESTION)
    opened = client.open(talk.chat_id, own.client_id, own.text, "zh")
    talk.mark(own.client_id, "sent", opened.messages[0].n)
    assert talk.apply(opened) == [] and talk.state == "waiting" and talk.cursor == 1
    assert staff_form(session, url, f"/{talk.chat_id}/reply", text=ANSWER).status_code == 303
    heard = talk.apply(client.poll(talk.chat_id, talk.cursor, wait_s=5))
    assert [(t.sender, t.text) for t in heard] == [("staff", ANSWER)] and talk.state == "answered"
    thanks = client.send(talk.chat_id, "m-thanks-0001", "谢谢")
    assert thanks.n == 3 and client.send(talk.chat_id, "m-thanks-0001", "谢谢") == thanks   # a resend
    assert client.close(talk.chat_id) == "closed_kiosk"
    transcript = session.get(url + f"/staff/chats/{talk.chat_id}/messages", auth=STAFF, timeout=10).text
    assert QUESTION in transcript and ANSWER in transcript and "群众已结束" in transcript
    with pytest.raises(ChatRefused) as refused:
        client.send(talk.chat_id, "m-late-00001", "还在吗")
    assert refused.value.code == "chat_closed" and refused.value.status == 409


def test_a_hub_that_goes_away_mid_chat_is_a_link_down(tmp_path, data_dir, session):
    config = HubConfig(require_auth=True, staff_password=STAFF_PASSWORD)
    with run_hub_thread(tmp_path / "hub.db", config=config) as (url, store):
        enrolled(url, store, data_dir, session)
        client = kiosk_client(url, data_dir)
        talk = Conversation()
        client.open(talk.chat_id, "m-first-0001", QUESTION, "zh")
    with pytest.raises(ChatLinkDown):
        client.poll(talk.chat_id, 1)
    with pytest.raises(ChatLinkDown):
        client.send(talk.chat_id, "m-second-001", "喂？")


def test_an_unenrolled_kiosk_gets_no_chat(chat_hub, data_dir, session):
    url, _store = chat_hub
    client = kiosk_client(url, data_dir)   # no identity: the hub refuses unsigned requests
    with pytest.raises(ChatLinkDown):
        client.available()


def test_a_hub_without_live_chat_is_not_available(chub, chub_terminal, data_dir):
    assert kiosk_client(chub.url, data_dir).available() is False


# --- the kiosk's memory of a chat and its availability, without a hub ---------------------------------------

def test_a_conversation_keeps_turns_in_order_once_and_forgets_them_all():
    talk = Conversation()
    own = talk.add_own(QUESTION)
    assert own.status == SENDING and talk.first_question() == QUESTION and talk.open and not talk.started
    update = ChatUpdate(talk.chat_id, "answered", (ChatMessage(1, "resident", QUESTION, ""),
                                                    ChatMessage(2, "staff", ANSWER, "")), 2)
    assert [t.text for t in talk.apply(update)] == [ANSWER]
    assert talk.apply(update) == []                      # the same reply again adds nothing
    assert [t.sender for t in talk.turns] == ["resident", "staff"]
    talk.apply(ChatUpdate(talk.chat_id, "closed_staff", (), 2))
    assert not talk.open
    talk.wipe()
    assert talk.turns == [] and talk.first_question() == "" and talk.cursor == 0


def test_chat_is_offered_only_with_a_fresh_yes_from_a_reachable_hub():
    now, reachable = [0.0], [True]
    offer = Availability(lambda: reachable[0], lambda: now[0], max_age_s=90, refresh_s=30)
    assert not offer.now() and offer.refresh_due()
    offer.learn(True)
    assert offer.now() and not offer.refresh_due()
    now[0] = 31
    assert offer.now() and offer.refresh_due()
    now[0] = 91
    assert not offer.now()                               # too old to trust
    offer.learn(True)
    reachable[0] = False
    assert not offer.now() and not offer.refresh_due()   # sync lost the hub: do not even ask
    reachable[0] = True
    offer.lost()
    assert not offer.now()
