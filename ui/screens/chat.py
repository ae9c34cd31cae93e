"""人工咨询: the resident and a hub staff member talk in text. The turns (each labelled 我 / 工作人员, not told apart
by colour alone), a text box with 发送, a few quick replies, 结束对话; a panel when the link drops (offering a
callback request instead) and one when the chat has ended. The screen holds no conversation of its own: the
controller (ui/chat.py) hands it the turns to show, and `clear_personal` empties every label and the box."""
from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QT_TRANSLATE_NOOP, Qt, QTimer, Signal
from PySide6.QtWidgets import QHBoxLayout, QLineEdit, QVBoxLayout, QWidget

from sync.chat import FAILED, SENDING, Turn
from sync.chat_protocol import ANSWERED, CLOSED_KIOSK, CLOSED_STAFF, EXPIRED, MAX_TEXT, STAFF, WAITING
from ui.widgets import Screen, button, clear_layout, frame, hbox, label, scroll_area

QUICK_REPLIES = (QT_TRANSLATE_NOOP("ChatScreen", "好的，谢谢"),
                 QT_TRANSLATE_NOOP("ChatScreen", "我没看明白，请再说一遍"),
                 QT_TRANSLATE_NOOP("ChatScreen", "请稍等"))
STATE_TEXTS = {
    "": QT_TRANSLATE_NOOP("ChatScreen", "请输入您的问题，点“发送”。工作人员会尽快回复。"),
    WAITING: QT_TRANSLATE_NOOP("ChatScreen", "已发送，工作人员正在查看，请稍候…"),
    ANSWERED: QT_TRANSLATE_NOOP("ChatScreen", "工作人员已回复。您可以继续提问。"),
}
CLOSED_TEXTS = {
    CLOSED_STAFF: QT_TRANSLATE_NOOP("ChatScreen", "工作人员已结束本次对话"),
    CLOSED_KIOSK: QT_TRANSLATE_NOOP("ChatScreen", "本次对话已结束"),
    EXPIRED: QT_TRANSLATE_NOOP("ChatScreen", "对话因长时间没有连接已结束"),
}


class ChatScreen(Screen):
    send_requested = Signal(str)      # what the resident typed or the quick reply tapped
    end_requested = Signal()          # 结束对话 / 返回首页 after the end
    callback_requested = Signal()     # 留下回电请求, when the link dropped
    retry_requested = Signal()        # 再试一次
    personal_cleared = Signal()       # the session ended (idle wipe, agent logout): the controller ends the chat

    def __init__(self, parent: QWidget | None = None):
        super().__init__(self.tr("人工咨询 · 与工作人员对话"), parent=parent)
        self.status = label(self.tr(STATE_TEXTS[""]), "hint")
        self.body.addWidget(self.status)
        content = QWidget()
        self.rows = QVBoxLayout(content)
        self.rows.setContentsMargins(0, 0, 8, 0)   # room for the scroll bar
        self.rows.setSpacing(12)
        self.area = scroll_area(content)
        self.body.addWidget(self.area, 1)
        self.lost = self._lost_panel()
        self.body.addWidget(self.lost)
        self.ended = self._ended_panel()
        self.body.addWidget(self.ended)
        self.input_error = label("", "field-error")
        self.body.addWidget(self.input_error)
        self.quick = [button(self.tr(text), "chat-quick") for text in QUICK_REPLIES]
        for widget, text in zip(self.quick, QUICK_REPLIES):
            widget.clicked.connect(lambda _=False, t=text: self.send_requested.emit(self.tr(t)))
        self.body.addLayout(hbox(*self.quick))
        self.input = QLineEdit()
        self.input.setObjectName("chat_input")
        self.input.setMaxLength(MAX_TEXT + 1)   # one over: the resident hears "too long" rather than losing text
        self.input.setPlaceholderText(self.tr("在这里输入，例如：低保什么时候发？"))
        self.input.returnPressed.connect(self._send_typed)
        self.send_button = button(self.tr("发送"), "primary")
        self.send_button.clicked.connect(self._send_typed)
        self.end_button = button(self.tr("结束对话"))
        self.end_button.clicked.connect(self.end_requested)
        row = QHBoxLayout()
        row.setSpacing(16)
        row.addWidget(self.input, 1)
        row.addWidget(self.send_button)
        row.addWidget(self.end_button)
        self.body.addLayout(row)
        self._editing = [self.input, self.send_button, *self.quick]
        self.reset()

    def _lost_panel(self) -> QWidget:
        panel = frame("warn", QHBoxLayout())   # words on the left, the two ways on: one row, the turns keep room
        texts = QVBoxLayout()
        texts.addWidget(label(self.tr("！网络中断，暂时联系不上工作人员"), "big"))
        self.lost_hint = label("")
        texts.addWidget(self.lost_hint)
        panel.layout().addLayout(texts, 1)
        self.callback_button = button(self.tr("留下回电请求"), "primary")
        self.retry_button = button(self.tr("再试一次"))
        self.callback_button.clicked.connect(self.callback_requested)
        self.retry_button.clicked.connect(self.retry_requested)
        for widget in (self.callback_button, self.retry_button):
            panel.layout().addWidget(widget, 0, Qt.AlignmentFlag.AlignVCenter)
        return panel

    def _ended_panel(self) -> QWidget:
        panel = frame("card")
        self.ended_text = label("", "big")
        panel.layout().addWidget(self.ended_text)
        self.home_after_end = button(self.tr("返回首页"), "primary")
        self.home_after_end.clicked.connect(self.end_requested)
        panel.layout().addWidget(self.home_after_end)
        return panel

    def _send_typed(self) -> None:
        if self.input.isEnabled():
            self.send_requested.emit(self.input.text())

    # --- what the controller shows --------------------------------------------------------------------------
    def show_turns(self, turns: list[Turn]) -> None:
        clear_layout(self.rows)
        for turn in turns:
            self.rows.addWidget(self._turn(turn))
        self.rows.addStretch(1)
        QTimer.singleShot(0, self._scroll_to_end)

    def _turn(self, turn: Turn) -> QWidget:
        staff = turn.sender == STAFF
        card = frame("chat-staff" if staff else "chat-me")
        who = self.tr("工作人员") if staff else self.tr("我")
        if turn.status == SENDING:
            who = self.tr("我 · 发送中…")
        elif turn.status == FAILED:
            who = self.tr("我 · ！未发出")
        card.layout().addWidget(label(who, "small"))
        text = label(turn.text)
        text.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
        card.layout().addWidget(text)
        card.setAccessibleName(self.tr("{who}：{text}").format(who=who, text=turn.text))
        outer = QHBoxLayout()
        outer.setContentsMargins(0, 0, 0, 0)
        holder = QWidget()
        holder.setLayout(outer)
        if staff:
            outer.addWidget(card, 4)
            outer.addStretch(1)
        else:
            outer.addStretch(1)
            outer.addWidget(card, 4)
        return holder

    def _scroll_to_end(self) -> None:
        bar = self.area.verticalScrollBar()
        bar.setValue(bar.maximum())

    def clear_input(self) -> None:
        self.input.clear()
        self.input_error.hide()

    def show_input_error(self) -> None:
        self.input_error.setText(self.tr("！请输入 1 到 {n} 个字，不要用特殊符号").format(n=MAX_TEXT))
        self.input_error.show()

    def show_notice(self, text: str) -> None:
        """A short line above the box (e.g. sending too fast); `text` is already translated."""
        self.input_error.setText(text)
        self.input_error.show()

    def set_state(self, state: str) -> None:
        if state in STATE_TEXTS:
            self.status.setText(QCoreApplication.translate("ChatScreen", STATE_TEXTS[state]))

    def show_link_lost(self, can_call_back: bool) -> None:
        self.callback_button.setVisible(can_call_back)
        self.lost_hint.setText(self.tr("您可以留下回电请求，工作人员会给您回电；也可以稍后再试一次。") if can_call_back
                               else self.tr("请稍后再试一次，或请站内工作人员帮忙。"))
        self.lost.show()
        self._show_quick(False)   # nothing can be sent now; the panel takes their room

    def hide_link_lost(self) -> None:
        self.lost.hide()
        self._show_quick(True)

    def _show_quick(self, shown: bool) -> None:
        for widget in self.quick:
            widget.setVisible(shown)

    def show_ended(self, state: str) -> None:
        text = CLOSED_TEXTS.get(state, CLOSED_TEXTS[CLOSED_KIOSK])
        self.ended_text.setText(QCoreApplication.translate("ChatScreen", text))
        self.ended.show()
        self.lost.hide()
        self.end_button.hide()
        self._show_quick(False)
        for widget in self._editing:
            widget.setEnabled(False)

    def reset(self) -> None:
        clear_layout(self.rows)
        self.clear_input()
        self.lost.hide()
        self.ended.hide()
        self.ended_text.clear()
        self.end_button.show()
        self._show_quick(True)
        self.set_state("")
        for widget in self._editing:
            widget.setEnabled(True)

    def clear_personal(self) -> None:
        self.reset()
        self.personal_cleared.emit()
