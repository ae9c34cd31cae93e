"""Screenshots of 人工咨询 (`tour(shooter)`, called from ui/shots.py): a real hub on a thread on loopback (open,
as sync/hub/testing.py starts it for tests) with a staff member on duty; the offer on the home screen, a chat
waiting and answered, ended by staff, and the link dropping."""
from __future__ import annotations

import tempfile
import time
from pathlib import Path

SCRIPT = ("请问老年人乘车卡在哪里办？", "您好！老年人乘车卡可以在本机“我要…”里办理，带上身份证即可，当场出卡。")


def tour(shooter) -> None:
    from sync.chat import Availability, ChatTimeouts, client_for
    from PySide6.QtCore import QCoreApplication

    from sync.chat_protocol import ANSWERED, CLOSED_STAFF, STAFF, WAITING
    from ui.screens.chat import STATE_TEXTS

    def shown_state(state: str) -> str:   # as the screen words it in the pass's language
        return QCoreApplication.translate("ChatScreen", STATE_TEXTS[state])
    from sync.hub.testing import loopback_session, run_hub_thread
    from sync.terminal_identity import IdentityStore

    w = shooter.window
    chat, screen = w.chat, w.screens.chat
    question, answer = SCRIPT
    with tempfile.TemporaryDirectory(prefix="zdb-shots-hub-") as tmp:
        with run_hub_thread(Path(tmp) / "hub.db") as (url, store):
            clients = [client_for(url, IdentityStore(shooter.core.data_dir), shooter.core.config["station_id"],
                                  session_factory=loopback_session, timeouts=ChatTimeouts(2.0, 4.0))
                       for _ in range(2)]
            chat.attach(clients[0], clients[1], Availability(lambda: True, time.monotonic), wait_s=1)
            store.set_duty(True)
            w.nav.home()
            chat.refresh_availability()
            shooter.settle(w.chat_button.isVisible)
            shooter.shot("home-chat-offered")
            chat.open(question)
            shooter.settle(lambda: bool(store.chats()) and screen.status.text() == shown_state(WAITING))
            shooter.shot("chat-waiting")
            chat_id = store.chats()[0].id
            store.post_message(chat_id, STAFF, answer)
            shooter.settle(lambda: screen.status.text() == shown_state(ANSWERED))
            shooter.shot("chat-answered")
            store.close_chat(chat_id, CLOSED_STAFF)
            shooter.settle(screen.ended.isVisible)
            shooter.shot("chat-closed-by-staff")
            chat.end(go_home=False)
            chat.open(question)
            shooter.settle(lambda: len(store.chats()) == 1)
        shooter.settle(screen.lost.isVisible)   # the hub is gone
        shooter.shot("chat-link-lost")
        chat.end(go_home=True)
        shooter.settle(shooter.on(w.screens.home))
