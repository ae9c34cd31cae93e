"""Live chat (人工咨询) on the hub, on both stores over HTTP: a kiosk opens a chat, posts and polls; staff go on
duty, reply and close on the staff pages; other terminals, unsigned requests and hostile input are refused
with a code; rate limits per terminal; silent kiosks' chats expire; no message text reaches the logs."""
import json
import logging
import re
import threading

import pytest

from sync.chat_protocol import AVAILABILITY_PATH, CHATS_PATH, MAX_TEXT, MAX_WAIT_S

from hub_helpers import STAFF_PASSWORD, STATION

pytestmark = pytest.mark.timeout(90)
STAFF = ("staff", STAFF_PASSWORD)
QUESTION = "我家老人的医保卡丢了怎么补办？电话13957012345"
ANSWER = "您好，可以在自助机上办理补卡，也可以到镇便民服务中心。"
CHAT = "chat-0001-abcd"


def api(session, hub, terminal, method, path, body=None, raw=None, **params):
    data = raw if raw is not None else (json.dumps(body, ensure_ascii=False).encode() if body is not None else b"")
    return session.request(method, hub.url + path, data=data, params=params or None, timeout=30,
                           auth=terminal.auth(offset_s=int(hub.clock.offset.total_seconds())) if terminal else None,
                           headers={"Content-Type": "application/json"} if data else {})


def open_chat(session, hub, terminal, chat_id=CHAT, text=QUESTION, client_id="m-0001-abcd", **extra):
    return api(session, hub, terminal, "POST", CHATS_PATH,
               {"chat_id": chat_id, "client_id": client_id, "text": text, "lang": "zh", **extra})


def post(session, hub, terminal, text, client_id, chat_id=CHAT):
    return api(session, hub, terminal, "POST", f"{CHATS_PATH}/{chat_id}/messages",
               {"client_id": client_id, "text": text})


def poll(session, hub, terminal, after=0, wait=0, chat_id=CHAT):
    return api(session, hub, terminal, "GET", f"{CHATS_PATH}/{chat_id}", after=after, wait=wait)


def token(session, hub):
    page = session.get(hub.url + "/staff/chats", auth=STAFF, timeout=10).text
    return re.search(r'name="csrf" value="([0-9a-f]+)"', page).group(1)


def staff_post(session, hub, path, **fields):
    return session.post(hub.url + "/staff/chats" + path, auth=STAFF, timeout=10, allow_redirects=False,
                        data={"csrf": token(session, hub), **fields})


def available(session, hub, terminal):
    reply = api(session, hub, terminal, "GET", AVAILABILITY_PATH)
    assert reply.status_code == 200, reply.text
    return reply.json()["available"]


def test_a_chat_from_open_to_staff_reply_to_close(session, hub, terminal, caplog):
    caplog.set_level(logging.INFO)
    assert not available(session, hub, terminal)                     # nobody on duty
    assert staff_post(session, hub, "/duty", on="1").status_code == 303
    assert available(session, hub, terminal)
    opened = open_chat(session, hub, terminal)
    assert opened.status_code == 200, opened.text
    assert opened.json()["state"] == "waiting" and opened.json()["messages"][0]["text"] == QUESTION
    listing = session.get(hub.url + "/staff/chats", auth=STAFF, timeout=10).text
    assert STATION in listing and "等待回复" in listing and QUESTION not in listing   # the list shows no text
    assert QUESTION in session.get(hub.url + f"/staff/chats/{CHAT}/messages", auth=STAFF, timeout=10).text
    assert staff_post(session, hub, f"/{CHAT}/reply", text=ANSWER).status_code == 303
    update = poll(session, hub, terminal, after=1).json()
    assert update["state"] == "answered" and [(m["from"], m["text"]) for m in update["messages"]] == [
        ("staff", ANSWER)] and update["next"] == 2
    assert post(session, hub, terminal, "好的，谢谢", "m-0002-abcd").json()["message"]["n"] == 3
    assert poll(session, hub, terminal, after=3).json() == {"chat_id": CHAT, "state": "waiting", "messages": [],
                                                            "next": 3}
    assert staff_post(session, hub, f"/{CHAT}/close").status_code == 303
    assert poll(session, hub, terminal, after=3, wait=5).json()["state"] == "closed_staff"
    late = post(session, hub, terminal, "还有一个问题", "m-0003-abcd")
    assert late.status_code == 409 and late.json() == {"error": "chat_closed"}
    assert "工作人员已结束" in session.get(hub.url + "/staff/chats", auth=STAFF, timeout=10).text
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "chat_opened" in logged and "chat_closed" in logged
    assert QUESTION not in logged and ANSWER not in logged and "13957012345" not in logged


def test_a_long_poll_returns_with_the_staff_reply(session, hub, terminal):
    open_chat(session, hub, terminal)
    answers = []
    waiting = threading.Thread(target=lambda: answers.append(poll(session.__class__(), hub, terminal, after=1,
                                                                   wait=MAX_WAIT_S)))
    waiting.start()
    assert staff_post(session, hub, f"/{CHAT}/reply", text=ANSWER).status_code == 303
    waiting.join(60)
    assert answers and [m["text"] for m in answers[0].json()["messages"]] == [ANSWER]


def test_resends_after_a_lost_reply_are_stored_once(session, hub, terminal):
    assert open_chat(session, hub, terminal).status_code == 200
    again = open_chat(session, hub, terminal)
    assert again.status_code == 200 and len(again.json()["messages"]) == 1
    first = post(session, hub, terminal, "补充一句", "m-0002-abcd").json()["message"]
    assert post(session, hub, terminal, "补充一句", "m-0002-abcd").json()["message"] == first
    assert [m["n"] for m in poll(session, hub, terminal).json()["messages"]] == [1, 2]


def test_a_new_chat_ends_the_terminals_earlier_one(session, hub, terminal):
    open_chat(session, hub, terminal)
    open_chat(session, hub, terminal, chat_id="chat-0002-abcd")
    assert poll(session, hub, terminal).json()["state"] == "closed_kiosk"
    assert poll(session, hub, terminal, chat_id="chat-0002-abcd").json()["state"] == "waiting"


def test_another_terminal_and_unsigned_requests_get_nothing(session, hub, terminal, other_terminal):
    open_chat(session, hub, terminal)
    for reply in (poll(session, hub, other_terminal), post(session, hub, other_terminal, "冒充", "m-0009-abcd"),
                  api(session, hub, other_terminal, "POST", f"{CHATS_PATH}/{CHAT}/close", {}),
                  open_chat(session, hub, other_terminal, text="冒充")):
        assert reply.status_code == 404 and reply.json() == {"error": "unknown_chat"}
    for reply in (poll(session, hub, None), api(session, hub, None, "GET", AVAILABILITY_PATH),
                  open_chat(session, hub, None, chat_id="chat-0003-abcd")):
        assert reply.status_code == 401
    assert poll(session, hub, terminal).json()["state"] == "waiting"   # untouched


@pytest.mark.parametrize("raw, status, code", [
    (b"{not json", 400, "bad_json"),
    (b"\xff\xfe{}", 400, "bad_json"),
    (b"[]", 400, "bad_json"),
    (json.dumps({"text": "x" * 9000}).encode(), 413, "too_large"),
    (json.dumps({"client_id": "m-0001-abcd"}).encode(), 400, "bad_text"),
    (json.dumps({"client_id": "m-0001-abcd", "text": "   "}).encode(), 400, "bad_text"),
    (json.dumps({"client_id": "m-0001-abcd", "text": "问" * (MAX_TEXT + 1)}, ensure_ascii=False).encode(),
     400, "bad_text"),
    (json.dumps({"client_id": "m-0001-abcd", "text": "a\x07b"}).encode(), 400, "bad_text"),
    (json.dumps({"client_id": "m-0001-abcd", "text": "abc\u202egnp.exe"}).encode(), 400, "bad_text"),
    (b'{"client_id": "m-0001-abcd", "text": "a\\ud800b"}', 400, "bad_text"),
    (json.dumps({"client_id": "m-0001-abcd", "text": ["列表"]}).encode(), 400, "bad_text"),
    (json.dumps({"client_id": "../../etc", "text": "你好"}).encode(), 400, "bad_client_id"),
])
def test_hostile_messages_are_refused_with_a_code(session, hub, terminal, raw, status, code):
    open_chat(session, hub, terminal)
    reply = api(session, hub, terminal, "POST", f"{CHATS_PATH}/{CHAT}/messages", raw=raw)
    assert (reply.status_code, reply.json()) == (status, {"error": code})
    assert [m["n"] for m in poll(session, hub, terminal).json()["messages"]] == [1]


@pytest.mark.parametrize("fields, code", [({"chat_id": "短"}, "bad_chat_id"), ({"lang": "fr"}, "bad_lang"),
                                          ({"station_id": "zs-pt-002"}, "wrong_station")])
def test_a_bad_opening_is_refused(session, hub, terminal, fields, code):
    reply = open_chat(session, hub, terminal, **fields)
    assert reply.json() == {"error": code} and reply.status_code in (400, 403)


@pytest.mark.parametrize("params, code", [({"after": "-1"}, "bad_after"), ({"wait": "999"}, "bad_wait"),
                                          ({"after": "１"}, "bad_after")])
def test_a_bad_poll_is_refused(session, hub, terminal, params, code):
    open_chat(session, hub, terminal)
    reply = api(session, hub, terminal, "GET", f"{CHATS_PATH}/{CHAT}", **params)
    assert (reply.status_code, reply.json()) == (400, {"error": code})


def test_a_terminal_sending_too_fast_is_slowed_down(session, hub, terminal, other_terminal):
    open_chat(session, hub, terminal)
    replies = [post(session, hub, terminal, f"第{i}条", f"m-{i:04d}-flood") for i in range(11)]
    assert [r.status_code for r in replies[:10]] == [200] * 10
    assert replies[10].status_code == 429 and replies[10].json() == {"error": "rate_limited"}
    assert int(replies[10].headers["Retry-After"]) >= 1
    open_chat(session, hub, other_terminal, chat_id="chat-0002-abcd")     # others are not slowed
    assert post(session, hub, other_terminal, "我的问题", "m-0002-other", chat_id="chat-0002-abcd").status_code == 200
    hub.clock.advance(10)
    assert post(session, hub, terminal, "又一条", "m-0011-flood").status_code == 200


def test_a_kiosk_that_goes_silent_has_its_chat_expired_and_one_that_ends_it_closed(session, hub, terminal,
                                                                                    other_terminal):
    open_chat(session, hub, terminal)
    open_chat(session, hub, other_terminal, chat_id="chat-0002-abcd")
    ended = api(session, hub, other_terminal, "POST", f"{CHATS_PATH}/chat-0002-abcd/close", {})
    assert ended.json() == {"chat_id": "chat-0002-abcd", "state": "closed_kiosk"}
    hub.clock.advance(121)
    listing = session.get(hub.url + "/staff/chats", auth=STAFF, timeout=10).text
    assert "暂无进行中的咨询" in listing and "终端已断开" in listing and "群众已结束" in listing
    assert poll(session, hub, terminal).json()["state"] == "expired"
    refused = staff_post(session, hub, f"/{CHAT}/reply", text=ANSWER)
    assert refused.status_code == 409 and "已经结束" in refused.text


def test_staff_pages_need_the_password_and_a_valid_form(session, hub, terminal):
    open_chat(session, hub, terminal)
    assert session.get(hub.url + "/staff/chats", timeout=10).status_code == 401
    assert session.post(hub.url + f"/staff/chats/{CHAT}/reply", data={"text": ANSWER}, auth=STAFF,
                        timeout=10).status_code == 400                   # no form token
    assert staff_post(session, hub, f"/{CHAT}/reply", text="  ").status_code == 400
    assert staff_post(session, hub, "/nochat-000/reply", text=ANSWER).status_code == 404
    assert staff_post(session, hub, "/duty", on="maybe").status_code == 400
    page = session.get(hub.url + f"/staff/chats/{CHAT}", auth=STAFF, timeout=10).text
    assert "结束对话" in page and "常用语" in page
    assert poll(session, hub, terminal).json()["state"] == "waiting"


def test_on_duty_lapses_when_no_staff_page_was_loaded_for_a_while(session, hub, terminal):
    staff_post(session, hub, "/duty", on="1")
    assert available(session, hub, terminal)
    hub.clock.advance(301)
    assert not available(session, hub, terminal)
    session.get(hub.url + "/staff/chats", auth=STAFF, timeout=10)      # someone is looking again
    assert available(session, hub, terminal)
    staff_post(session, hub, "/duty", on="0")
    assert not available(session, hub, terminal)
