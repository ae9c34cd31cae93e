"""问一问 (智能问答): asks the knowledge base on the "search" lane, keeps the conversation, words each reply.

Replies come from kiosk/qa_match.py as typed records; this module words them in the resident's language (the
knowledge base's English when it has it) and, for a follow-up's detail with no text of its own, from the catalog
item (materials, fee, time limit, where). 找人工: when `live_chat_available()` says so, `live_chat_requested`
(the chat helper opens the chat); otherwise the screen takes a phone number and the question and files a callback
request (a 有求必应 need) on the "db" lane. `wipe()` forgets the conversation: at session end, nothing is kept.
"""
from __future__ import annotations

import logging
from typing import Callable

from PySide6.QtCore import QObject, Signal

from kiosk.catalog import Catalog
from kiosk.flow import FieldError
from kiosk.needs import NeedRefused
from kiosk.qa import Answer, Clarify, Conversation, Detail, Entry, LiveKnowledge, NoAnswer, Turn, Unanswered
from kiosk.records import ServiceItem
from ui.i18n import data_text
from ui.messages import field_error_text
from ui.navigation import Navigator
from ui.screens.qa import QaScreen
from ui.tasks import Tasks

log = logging.getLogger(__name__)

GROUP = "qa"


class QaController(QObject):
    live_chat_requested = Signal(str)   # the last question: the chat helper opens a chat with hub staff

    def __init__(self, knowledge: LiveKnowledge, catalog: Callable[[], Catalog], language: Callable[[], str],
                 file_callback: Callable[[str, str, str], object], station_name: str, callback_hours: int,
                 tasks: Tasks, nav: Navigator, screen: QaScreen, open_item: Callable[[str], None],
                 live_chat_available: Callable[[], bool] = lambda: False, parent: QObject | None = None):
        super().__init__(parent)
        self.knowledge, self.catalog, self.language = knowledge, catalog, language
        self.file_callback, self.station_name, self.callback_hours = file_callback, station_name, callback_hours
        self.tasks, self.nav, self.screen, self.open_item = tasks, nav, screen, open_item
        self.live_chat_available = live_chat_available   # the chat helper replaces it once live chat exists
        self.conversation = Conversation()
        screen.asked.connect(self.ask)
        screen.recommended_chosen.connect(self.recommended)
        screen.choice_chosen.connect(self.choose)
        screen.service_requested.connect(open_item)
        screen.talk_to_person_requested.connect(self.talk_to_person)
        screen.callback_submitted.connect(self.submit_callback)
        screen.callback_closed.connect(screen.show_conversation)
        screen.back_requested.connect(nav.back)
        screen.home_requested.connect(nav.home)

    # ------------------------------------------------------------------------------------------ asking

    def open(self, question: str = "") -> None:
        """From home (问一问) or from a search that found nothing (its words become the first question)."""
        if not self.conversation.turns:
            self._show_recommended()
        self.screen.show_conversation()
        if self.nav.current is not self.screen:
            self.nav.open(lambda: self.screen)
        if question.strip():
            self.ask(question.strip())

    def ask(self, question: str) -> None:
        context, knowledge = self.conversation.context(), self.knowledge
        self.screen.set_busy(True)
        self.tasks.run("search", lambda: knowledge.index().reply(question, context),
                       lambda reply: self._answered(question, reply), self._failed, group=GROUP)

    def _answered(self, question: str, reply) -> None:
        self.screen.set_busy(False)
        if not self.conversation.turns:
            self.screen.clear_turns()   # 大家常问 makes way for the conversation
        self._render(self.conversation.record(question, reply))
        log.info("qa reply: %s", type(reply).__name__)   # never the question: it is the resident's words

    def _failed(self, error: BaseException) -> None:
        log.error("qa failed: %s", type(error).__name__)
        self.screen.set_busy(False)
        self.screen.add_unanswered(self.tr("暂时没法回答，请稍后再试"), self.tr("也可以点“找人工”，请工作人员帮您。"))

    def recommended(self, entry_id: str) -> None:
        entry = self.knowledge.current.get(entry_id)
        if entry is not None:
            self._answered(entry.title_in(self.language()), Answer(entry))

    def choose(self, entry_id: str) -> None:
        turn = self.conversation.choose(entry_id, self.language())
        if turn is not None:
            self._render(turn)

    # ------------------------------------------------------------------------------------------ wording

    def _render(self, turn: Turn) -> None:
        self.screen.add_question(turn.question)
        reply, language = turn.reply, self.language()
        if isinstance(reply, Answer):
            item = self._item(reply.entry)
            about = reply.entry.title_in(language) if reply.follow_up else ""
            self.screen.add_answer(self._answer_text(reply, item, language), about, item.id if item else "")
        elif isinstance(reply, Clarify):
            prompt = reply.broad.answer_in(language) if reply.broad else self.tr("您是想问：")
            self.screen.add_choices(prompt, [(e.id, e.title_in(language)) for e in reply.choices])
        elif isinstance(reply, NoAnswer):
            self.screen.add_unanswered(*self._unanswered(reply.reason))

    def _item(self, entry: Entry) -> ServiceItem | None:
        return self.catalog().get(entry.item_id) if entry.item_id else None

    def _answer_text(self, reply: Answer, item: ServiceItem | None, language: str) -> str:
        entry, detail = reply.entry, reply.detail
        if detail is None:
            return entry.answer_in(language)
        own = entry.detail_in(detail, language)
        if own:
            return own
        return self.detail_from_catalog(detail, item) if item is not None else entry.answer_in(language)

    def _show_recommended(self) -> None:
        language = self.language()
        self.screen.show_recommended([(e.id, e.title_in(language))
                                      for e in self.knowledge.current.recommended_entries()])

    def language_changed(self) -> None:
        """Show the turns again in the new language (the knowledge base's own English, where it has it)."""
        turns = list(self.conversation.turns)
        if not turns:
            self._show_recommended()
            return
        self.screen.clear_turns()
        for turn in turns:
            self._render(turn)

    # ------------------------------------------------------------------------------------------ 找人工

    def talk_to_person(self) -> None:
        question = self.conversation.last_question()
        if self.live_chat_available():
            self.live_chat_requested.emit(question)
        else:
            self.screen.show_callback(question)

    def open_callback(self, question: str) -> None:
        """The callback form for `question`, from elsewhere (the live chat's link dropped mid-chat)."""
        if self.nav.current is not self.screen:
            self.nav.open(lambda: self.screen)
        self.screen.show_callback(question)

    def submit_callback(self, question: str, phone: str) -> None:
        self.screen.set_saving(True)
        station = self.station_name
        self.tasks.run("db", lambda: self.file_callback(question, phone, station), self._callback_filed,
                       self._callback_failed, group=GROUP)

    def _callback_filed(self, result) -> None:
        self.screen.set_saving(False)
        if isinstance(result, NeedRefused):
            log.info("callback refused: %s", ",".join(sorted(result.errors)))   # field names only
            self.screen.show_callback_error(self._callback_error(result.errors))
            return
        log.info("callback request filed")
        tail = result.contact[-4:]
        self.screen.show_callback_saved(
            self.tr("已记下，请保持电话畅通"),
            self.tr("工作人员会在{hours}小时内给您回电（尾号{tail}）。").format(hours=self.callback_hours, tail=tail),
            self.tr("编号：{number}").format(number=result.number))

    def _callback_failed(self, error: BaseException) -> None:
        log.error("callback request not saved: %s", type(error).__name__)
        self.screen.set_saving(False)
        self.screen.show_callback_error(self.tr("没有保存成功，请再点一次“提交”，或请工作人员帮忙"))

    # ------------------------------------------------------------------------------------------ session end

    def wipe(self) -> None:
        """The resident is done (home, service finished, idle wipe): their words are forgotten everywhere."""
        self.tasks.forget(GROUP)
        self.conversation.clear()
        self.screen.clear_personal()
        self.screen.set_busy(False)
        self._show_recommended()

    def detail_from_catalog(self, detail: Detail, item: ServiceItem) -> str:
        """A follow-up's answer from the catalog item when the knowledge base has no text of its own for it."""
        if detail is Detail.MATERIALS:
            if not item.materials:
                return self.tr("办“{name}”不需要带材料。").format(name=data_text(item.name))
            lines = [self.tr("办“{name}”要带：").format(name=data_text(item.name))]
            for material in item.materials:
                line = self.tr("• {material}（有就带，没有也行）") if material.optional else \
                    self.tr("• {material}（免证办，不用带原件）") if material.e_licence else self.tr("• {material}")
                lines.append(line.format(material=data_text(material.name)))
            return "\n".join(lines)
        if detail is Detail.FEE:
            return self.tr("办“{name}”的收费：{fee}").format(name=data_text(item.name), fee=data_text(item.fee))
        if detail is Detail.TIME:
            return self.tr("“{name}”当场就能办好。").format(name=data_text(item.name)) if item.time_limit_days == 0 else \
                self.tr("“{name}”{n}个工作日内办好。").format(name=data_text(item.name), n=item.time_limit_days)
        if item.kiosk_ready:
            return self.tr("“{name}”本机就能办：点下面的“去办理”。").format(name=data_text(item.name))
        where = next((line for line in item.guide if "窗口" in line or "帮办员" in line), "")   # i18n: as-is (searched for)
        return where or self.tr("请看“{name}”的办事指南：点下面的“去办理”。").format(name=data_text(item.name))

    def _unanswered(self, reason: Unanswered) -> tuple[str, str]:
        if reason is Unanswered.NEED_TOPIC:
            return (self.tr("请告诉我是办哪件事"), self.tr("比如：“换身份证要带什么材料”。"))
        if reason is Unanswered.EMPTY:
            return (self.tr("请用一句话说说您想办什么事"), self.tr("比如：“社保卡丢了怎么办”。"))
        return (self.tr("这个问题我还答不上来"),
                self.tr("换个说法试试，或者点下面的“找人工”，留下电话，工作人员给您回电。"))

    def _callback_error(self, errors: dict[str, FieldError]) -> str:
        if "contact" in errors:
            return self.tr("电话：{problem}").format(problem=field_error_text(errors["contact"]))
        if "description" in errors:
            return self.tr("您想问的事：{problem}").format(problem=field_error_text(errors["description"]))
        return self.tr("没有保存成功，请再点一次“提交”，或请工作人员帮忙")
