"""人工咨询: the controller between the chat screen, the hub (sync/chat.py, off the GUI thread) and the window.

- `available()` answers at once from what is known (sync reached the hub lately, and the hub's last answer,
  fresh, said staff are on duty); `refresh_availability()` asks the hub again on the "chat" lane when due.
- `open(question)` shows the chat screen and sends `question` as the first message (the Q&A screen's "talk to
  a person"; the home screen's 人工咨询 opens it empty).
- Sends run on the "chat" lane, one after another (the first one opens the chat at the hub); the poll for staff
  replies runs on "chat-poll", a long poll answered as soon as staff reply.
- A link that fails twice in a row shows the "network down" panel, offering the callback request (有求必应)
  through `request_callback(question)` — the Q&A helper's path — or a retry.
- The conversation lives only in this controller's `Conversation`; ending the chat (结束对话, 首页, 返回, the
  session's end) tells the hub (best effort) and forgets it, screen and memory. Logs name events, never texts.
"""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Any, Callable

from PySide6.QtCore import QCoreApplication, QObject, QTimer, Signal

from sync.chat import (FAILED, SENT, Availability, ChatClient, ChatLinkDown, ChatRefused, ChatTimeouts,
                       Conversation, client_for)
from sync.chat_protocol import MAX_WAIT_S, ChatMessage, ChatUpdate, clean_text
from ui.navigation import Navigator
from ui.screens.chat import ChatScreen
from ui.tasks import Tasks
from ui.widgets import button

log = logging.getLogger(__name__)

GROUP = "live-chat"
LOST_AFTER = 2           # failed polls in a row before the resident is told the link is down
RETRY_MS = 2000          # wait before polling again after one failure
POLL_GAP_MS = 500        # between polls: a hub answering at once (an older one ignoring `wait`) is not hammered
KEEP_AWAKE_S = 300.0     # a resident waiting this long after their last message is not wiped as idle


@dataclass
class _Link:
    """Touched only on the "chat" lane: whether the hub has the chat yet (sends after the first are posts)."""
    opened: bool = False


class ChatController(QObject):
    availability_changed = Signal(bool)
    callback_requested = Signal(str)   # the resident's first question, for the callback form

    def __init__(self, screen: ChatScreen, nav: Navigator, tasks: Tasks, *, lang: Callable[[], str],
                 touch: Callable[[], None] = lambda: None, monotonic: Callable[[], float] = time.monotonic,
                 parent: QObject | None = None):
        super().__init__(parent)
        self.screen, self.nav, self.tasks, self.lang, self.touch, self.monotonic = (screen, nav, tasks, lang, touch,
                                                                                   monotonic)
        self.sender: ChatClient | None = None
        self.poller: ChatClient | None = None
        self.offer: Availability | None = None
        self.wait_s = 10
        self.request_callback: Callable[[str], Any] | None = None
        self.conversation: Conversation | None = None
        self._link = _Link()
        self._polling = self._probing = self._link_lost = False
        self._failures = 0
        self._last_resident_at = 0.0
        self._shown_available = False
        self._retry = QTimer(self)
        self._retry.setSingleShot(True)
        self._retry.timeout.connect(self._poll)
        screen.send_requested.connect(self.send)
        screen.end_requested.connect(lambda: self.end(go_home=True))
        screen.home_requested.connect(lambda: self.end(go_home=True))
        screen.back_requested.connect(self._back)
        screen.retry_requested.connect(self.retry)
        screen.callback_requested.connect(self.leave_callback)
        screen.personal_cleared.connect(self._session_over)

    def attach(self, sender: ChatClient, poller: ChatClient, offer: Availability, wait_s: int = 10) -> None:
        """Give the controller its hub: two clients (one per lane) and the availability rule. Without, chat is off."""
        self.sender, self.poller, self.offer = sender, poller, offer
        self.wait_s = max(1, min(int(wait_s), MAX_WAIT_S))

    def set_callback(self, request_callback: Callable[[str], Any] | None) -> None:
        """The offline path the link-down panel offers: called with the resident's first question."""
        self.request_callback = request_callback

    # --- availability -------------------------------------------------------------------------------------------
    def available(self) -> bool:
        """Can a live chat be offered now? Immediate; never waits for the network."""
        return self.offer is not None and self.offer.now()

    def refresh_availability(self) -> None:
        if self.offer is None or self._probing or not self.offer.refresh_due():
            self._announce()
            return
        self._probing = True
        self.tasks.run("chat", self.sender.available, self._probed, self._probe_failed)

    def _probed(self, answer: bool) -> None:
        self._probing = False
        self.offer.learn(bool(answer))
        self._announce()

    def _probe_failed(self, error: BaseException) -> None:
        self._probing = False
        self.offer.learn(False)
        log.info("live chat availability unknown: %s", type(error).__name__)
        self._announce()

    def _announce(self) -> None:
        now = self.available()
        if now != self._shown_available:
            self._shown_available = now
            self.availability_changed.emit(now)

    # --- opening and sending --------------------------------------------------------------------------------
    def open(self, question: str = "") -> None:
        """Show the chat; `question` (the resident's words from Q&A) goes as the first message."""
        if self.conversation is None or not self.conversation.open:
            self._forget()
            self.conversation = Conversation()
            self._link = _Link()
            self.screen.reset()
            log.info("live chat shown")
        if self.nav.current is not self.screen:
            self.nav.open(lambda: self.screen)
        if question.strip():
            self.send(question)

    def send(self, text: str) -> None:
        talk = self.conversation
        if talk is None or not talk.open or self.sender is None:
            return
        clean = clean_text(text)
        if clean is None:
            self.screen.show_input_error()
            return
        turn = talk.add_own(clean)
        self._last_resident_at = self.monotonic()
        self.screen.clear_input()
        self.screen.show_turns(talk.turns)
        link, sender, lang = self._link, self.sender, self.lang()

        def work() -> ChatUpdate | ChatMessage:
            if not link.opened:
                update = sender.open(talk.chat_id, turn.client_id, turn.text, lang)
                link.opened = True
                return update
            return sender.send(talk.chat_id, turn.client_id, turn.text)
        self.tasks.run("chat", work, lambda result: self._sent(talk, turn.client_id, result),
                       lambda error: self._send_failed(talk, turn.client_id, error), group=GROUP)

    def _sent(self, talk: Conversation, client_id: str, result: ChatUpdate | ChatMessage) -> None:
        if talk is not self.conversation:
            return
        if isinstance(result, ChatUpdate):
            talk.mark(client_id, SENT, result.messages[0].n if result.messages else 0)
            talk.apply(result)
            log.info("live chat opened")
        else:
            talk.mark(client_id, SENT, result.n)
        self._show(talk)
        self._poll()

    def _send_failed(self, talk: Conversation, client_id: str, error: BaseException) -> None:
        if talk is not self.conversation:
            return
        talk.mark(client_id, FAILED)
        self.screen.show_turns(talk.turns)
        if isinstance(error, ChatRefused) and error.code in ("chat_closed", "unknown_chat"):
            self._ended("closed_staff" if error.code == "chat_closed" else "expired")
        elif isinstance(error, ChatRefused) and error.code == "rate_limited":
            self.screen.show_notice(QCoreApplication.translate("ChatScreen", "！发送太快了，请稍等几秒再发"))
        elif isinstance(error, ChatRefused):
            log.info("live chat message refused: %s", error.code)
            self.screen.show_notice(QCoreApplication.translate("ChatScreen", "！这条消息没有发出，请换个说法再试"))
        else:
            log.info("live chat send failed: %s", type(error).__name__)
            self._link_down()

    # --- waiting for staff ----------------------------------------------------------------------------------
    def _poll(self) -> None:
        talk = self.conversation
        if (talk is None or not talk.started or not talk.open or self._polling or self._link_lost
                or self.poller is None):
            return
        self._polling = True
        poller, after, wait = self.poller, talk.cursor, self.wait_s
        self.tasks.run("chat-poll", lambda: poller.poll(talk.chat_id, after, wait),
                       lambda update: self._polled(talk, update), lambda error: self._poll_failed(talk, error),
                       group=GROUP)

    def _polled(self, talk: Conversation, update: ChatUpdate) -> None:
        self._polling = False
        if talk is not self.conversation:
            return
        self._failures = 0
        added = talk.apply(update)
        if added or self.monotonic() - self._last_resident_at < KEEP_AWAKE_S:
            self.touch()   # a reply to read, or a resident still waiting for one: not idle
        self._show(talk)
        if talk.open:
            self._retry.start(POLL_GAP_MS)
        else:
            self._ended(talk.state)

    def _poll_failed(self, talk: Conversation, error: BaseException) -> None:
        self._polling = False
        if talk is not self.conversation:
            return
        if isinstance(error, ChatRefused) and error.code == "unknown_chat":
            self._ended("expired")
            return
        self._failures += 1
        log.info("live chat poll failed (%d): %s", self._failures,
                 error.code if isinstance(error, ChatRefused) else type(error).__name__)
        if self._failures >= LOST_AFTER:
            self._link_down()
        else:
            self._retry.start(RETRY_MS)

    def _show(self, talk: Conversation) -> None:
        self.screen.show_turns(talk.turns)
        self.screen.set_state(talk.state)

    def _ended(self, state: str) -> None:
        if self.conversation is not None:
            self.conversation.state = state
        log.info("live chat ended: %s", state)
        self.screen.show_ended(state)

    # --- the link dropping ----------------------------------------------------------------------------------
    def _link_down(self) -> None:
        self._link_lost = True
        self._retry.stop()
        if self.offer is not None:
            self.offer.lost()
        self._announce()
        log.info("live chat link lost")
        self.screen.show_link_lost(can_call_back=self.request_callback is not None)

    def retry(self) -> None:
        self._link_lost = False
        self._failures = 0
        self.screen.hide_link_lost()
        self._poll()

    def leave_callback(self) -> None:
        """The resident takes the callback instead: their question goes along; the chat is ended and forgotten."""
        question = self.conversation.first_question() if self.conversation is not None else ""
        self._finish()
        self.screen.reset()
        self.callback_requested.emit(question)
        if self.request_callback is not None:
            self.request_callback(question)

    # --- ending ---------------------------------------------------------------------------------------------
    def end(self, go_home: bool = True) -> None:
        self._finish()
        self.screen.reset()
        if go_home:
            self.nav.home()

    def _back(self) -> None:
        self._finish()
        self.screen.reset()
        self.nav.back()

    def _session_over(self) -> None:
        """The screen was wiped with the rest of the session: end the chat at the hub and forget it."""
        self._finish()

    def _finish(self) -> None:
        talk = self.conversation
        if talk is not None and talk.started and talk.open and self.sender is not None:
            sender, chat_id = self.sender, talk.chat_id
            self.tasks.run("chat", lambda: sender.close(chat_id), lambda state: None,
                           lambda error: log.info("live chat close not delivered: %s", type(error).__name__))
            log.info("live chat ended by the kiosk")
        self._forget()

    def _forget(self) -> None:
        self.tasks.forget(GROUP)
        if self.conversation is not None:
            self.conversation.wipe()
        self.conversation = None
        self._polling = self._link_lost = False
        self._failures = 0
        self._retry.stop()


def entry_button(controller: ChatController) -> Any:
    """人工咨询 on the home screen: shown while chat is available; opens the chat without a question."""
    widget = button(QCoreApplication.translate("ChatController", "人工咨询"), "nav")
    widget.setAccessibleName(QCoreApplication.translate("ChatController", "人工咨询：与工作人员文字对话"))
    widget.clicked.connect(lambda: controller.open(""))
    widget.hide()
    return widget


def hub_clients(core) -> tuple[ChatClient, ChatClient, Availability, int] | None:
    """The kiosk's chat clients and availability rule from its settings; None when chat is off or there is no
    sync (the hub is never reached then)."""
    if not core.config["live_chat"] or core.sync is None:
        return None
    from sync.settings import SyncSettings
    from sync.terminal_identity import IdentityStore
    from sync.transport import ClockOffset

    settings = SyncSettings.from_config(core.config)
    wait = max(1, min(int(core.config["chat_wait_s"]), MAX_WAIT_S))
    identities, offset = IdentityStore(core.data_dir), ClockOffset()   # learns the offset from the first reply
    common = dict(ca_file=settings.hub_ca_file, offset=offset)
    sender = client_for(settings.hub_url, identities, settings.station_id, timeouts=ChatTimeouts(4.0, 6.0), **common)
    poller = client_for(settings.hub_url, identities, settings.station_id, timeouts=ChatTimeouts(4.0, wait + 6.0),
                        **common)

    def reachable() -> bool:
        status = core.sync.status
        return status is not None and status.online
    return sender, poller, Availability(reachable, time.monotonic), wait
