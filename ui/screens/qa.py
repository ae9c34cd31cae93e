"""问一问 (智能问答): the resident asks in their own words; the turns show as a conversation, a clarification as big
choice buttons, an answer with 去办理 › when it names a service. 找人工 leaves a callback request (phone number on
the keypad) when no live chat is available. Only renders what ui/qa.py tells it; every text is worded there or here.
"""
from __future__ import annotations

from typing import Sequence

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QLineEdit, QStackedWidget, QVBoxLayout, QWidget

from kiosk.needs import MAX_LENGTHS
from kiosk.qa import MAX_QUESTION
from ui.keypad import Keypad
from ui.widgets import (Screen, blank, button, clear_layout, fill_grid, frame, label, scroll_area)

RECOMMENDED_COLUMNS = 2
PHONE_DIGITS = 12                     # a landline with its area code and hyphen: 0580-1234567


class QaScreen(Screen):
    asked = Signal(str)                        # the question as typed
    recommended_chosen = Signal(str)           # an entry id of 大家常问
    choice_chosen = Signal(str)                # an entry id offered by 您是想问
    service_requested = Signal(str)            # 去办理 ›: the catalog item id
    talk_to_person_requested = Signal()        # 找人工
    callback_submitted = Signal(str, str)      # (question, phone)
    callback_closed = Signal()                 # 不用了 / 返回问答

    def __init__(self, parent: QWidget | None = None):
        super().__init__(self.tr("问一问 · 智能问答"), parent=parent)
        self.pages = QStackedWidget()
        self.pages.addWidget(self._conversation_page())
        self.pages.addWidget(self._callback_page())
        self.pages.addWidget(self._saved_page())
        self.body.addWidget(self.pages, 1)

    # ------------------------------------------------------------------------------------------ conversation

    def _conversation_page(self) -> QWidget:
        page = QWidget()
        box = QVBoxLayout(page)
        box.setContentsMargins(0, 0, 0, 0)
        self.instruction = label(self.tr("用您自己的话问，比如“社保卡丢了怎么办”"), "big")
        box.addWidget(self.instruction)
        self.box = QLineEdit()
        self.box.setObjectName("qa_question")
        self.box.setProperty("role", "search")
        self.box.setMaxLength(MAX_QUESTION)
        self.box.setPlaceholderText(self.tr("在这里输入您的问题"))
        self.box.setAccessibleName(self.tr("您的问题"))
        self.box.returnPressed.connect(self._ask)
        self.ask_button = button(self.tr("问"), "primary")
        self.ask_button.setMinimumWidth(160)
        self.ask_button.clicked.connect(self._ask)
        row = QHBoxLayout()
        row.addWidget(self.box, 1)
        row.addWidget(self.ask_button)
        box.addLayout(row)
        content = QWidget()
        self.turns = QVBoxLayout(content)
        self.turns.setContentsMargins(0, 0, 8, 0)
        self.turns.setSpacing(12)
        self.turns.addStretch(1)
        self.scroll = scroll_area(content)
        bar = self.scroll.verticalScrollBar()
        bar.rangeChanged.connect(lambda _low, high: bar.setValue(high))   # like a chat: the newest turn in view
        box.addWidget(self.scroll, 1)
        self.person_button = button(self.tr("找人工 · 有求必应"), "choice")
        self.person_button.setAccessibleName(self.tr("找人工"))
        self.person_button.clicked.connect(self.talk_to_person_requested)
        box.addWidget(self.person_button)
        return page

    def _ask(self) -> None:
        text = self.box.text().strip()
        if text:
            self.box.clear()
            self.asked.emit(text)

    def set_busy(self, busy: bool) -> None:
        self.ask_button.setEnabled(not busy)

    def show_recommended(self, entries: Sequence[tuple[str, str]]) -> None:
        """大家常问: (entry id, title) as big buttons; shown while the conversation is empty."""
        self.clear_turns()
        if not entries:
            return
        self._add(label(self.tr("大家常问"), "section"))
        grid = QGridLayout()
        grid.setSpacing(12)
        tiles = []
        for entry_id, title in entries:
            tile = button(title, "tile")
            tile.clicked.connect(lambda _=False, e=entry_id: self.recommended_chosen.emit(e))
            tiles.append(tile)
        fill_grid(grid, tiles, RECOMMENDED_COLUMNS)
        holder = QWidget()
        holder.setLayout(grid)
        self._add(holder)

    def add_question(self, text: str) -> None:
        self._add(label(self.tr("您问：{q}").format(q=text), "section"))

    def add_answer(self, text: str, about: str = "", item_id: str = "") -> None:
        """An answer card; `about` names the earlier topic a follow-up was taken to mean."""
        card = frame("card")
        if about:
            card.layout().addWidget(label(self.tr("说的是：{topic}").format(topic=about), "hint"))
        card.layout().addWidget(label(text, "big"))
        if item_id:
            go = button(self.tr("去办理 ›"), "primary")
            go.clicked.connect(lambda: self.service_requested.emit(item_id))
            card.layout().addWidget(go)
        self._add(card)

    def add_choices(self, prompt: str, choices: Sequence[tuple[str, str]]) -> None:
        card = frame("card")
        card.layout().addWidget(label(prompt, "big"))
        for entry_id, title in choices:
            choice = button(title, "choice")
            choice.clicked.connect(lambda _=False, e=entry_id: self.choice_chosen.emit(e))
            card.layout().addWidget(choice)
        self._add(card)

    def add_unanswered(self, text: str, next_step: str) -> None:
        card = frame("warn")
        card.layout().addWidget(label(text, "big"))
        card.layout().addWidget(label(next_step))
        self._add(card)

    def _add(self, widget: QWidget) -> None:
        self.turns.insertWidget(self.turns.count() - 1, widget)   # above the closing stretch

    def clear_turns(self) -> None:
        clear_layout(self.turns)
        self.turns.addStretch(1)

    # ------------------------------------------------------------------------------------------ callback

    def _callback_page(self) -> QWidget:
        """The fields on the left, the keypad on the right: the page fits the screen's height."""
        page = QWidget()
        outer = QHBoxLayout(page)
        outer.setContentsMargins(0, 0, 0, 0)
        box = QVBoxLayout()
        box.addWidget(label(self.tr("现在没有工作人员在线。留下电话，工作人员给您回电。"), "big"))
        box.addWidget(label(self.tr("您想问的事")))
        self.callback_question = QLineEdit()
        self.callback_question.setObjectName("qa_callback_question")
        self.callback_question.setMaxLength(MAX_LENGTHS["description"])
        self.callback_question.setAccessibleName(self.tr("您想问的事"))
        box.addWidget(self.callback_question)
        box.addWidget(label(self.tr("您的电话（点右边的数字）")))
        self.phone = QLineEdit()
        self.phone.setObjectName("qa_callback_phone")
        self.phone.setReadOnly(True)      # typed on the keypad: no keyboard pops up over it
        self.phone.setProperty("role", "search")
        self.phone.setAccessibleName(self.tr("您的电话"))
        box.addWidget(self.phone)
        self.callback_error = label("", "field-error")
        self.callback_error.hide()
        box.addWidget(self.callback_error)
        box.addStretch(1)
        self.submit_button = button(self.tr("提交，请工作人员回电"), "primary")
        self.submit_button.clicked.connect(
            lambda: self.callback_submitted.emit(self.callback_question.text(), self.phone.text()))
        cancel = button(self.tr("不用了，返回问答"), "choice")
        cancel.clicked.connect(self.callback_closed)
        buttons = QHBoxLayout()
        buttons.addWidget(cancel)
        buttons.addWidget(self.submit_button, 1)
        box.addLayout(buttons)
        outer.addLayout(box, 3)
        self.keypad = Keypad()
        self.keypad.typed.connect(self._typed)
        self.keypad.erased.connect(lambda: self.phone.setText(self.phone.text()[:-1]))
        self.keypad.cleared.connect(self.phone.clear)
        outer.addWidget(self.keypad, 2)
        return page

    def _typed(self, char: str) -> None:
        if (char.isdigit() or char == "-") and len(self.phone.text()) < PHONE_DIGITS:
            self.phone.setText(self.phone.text() + char)

    def show_callback(self, question: str) -> None:
        self.callback_question.setText(question)
        self.phone.clear()
        self.keypad.reset()
        self.show_callback_error("")
        self.set_saving(False)
        self.pages.setCurrentIndex(1)

    def show_callback_error(self, text: str) -> None:
        self.callback_error.setText(text)
        self.callback_error.setVisible(bool(text))

    def set_saving(self, saving: bool) -> None:
        self.submit_button.setEnabled(not saving)

    def _saved_page(self) -> QWidget:
        page = QWidget()
        box = QVBoxLayout(page)
        box.setContentsMargins(0, 0, 0, 0)
        card = frame("ok")
        self.saved_mark = label("", "huge", wrap=False)   # saved: said by the mark and the words, not colour alone
        card.layout().addWidget(self.saved_mark)
        self.saved_title = label("", "huge")
        self.saved_text = label("", "big")
        self.saved_number = label("", "big")
        for widget in (self.saved_title, self.saved_text, self.saved_number):
            card.layout().addWidget(widget)
        box.addWidget(card)
        back = button(self.tr("返回问答"), "primary")
        back.clicked.connect(self.callback_closed)
        box.addWidget(back)
        box.addStretch(1)
        return page

    def show_callback_saved(self, title: str, text: str, number: str) -> None:
        self.saved_mark.setText("✓")   # set each time: a wipe blanks every label of the screen
        self.saved_title.setText(title)
        self.saved_text.setText(text)
        self.saved_number.setText(number)
        self.phone.clear()
        self.callback_question.clear()
        self.pages.setCurrentIndex(2)

    def show_conversation(self) -> None:
        self.pages.setCurrentIndex(0)

    # ------------------------------------------------------------------------------------------ session end

    def clear_personal(self) -> None:
        """The resident's words and phone number leave the screen (and its widgets) now."""
        self.clear_turns()
        for widget in (self.box, self.callback_question, self.phone, self.saved_text, self.saved_number):
            widget.clear()
        blank(self.pages.widget(2))
        self.show_callback_error("")
        self.show_conversation()
