"""智能问答: the knowledge base as data, its live swap when sync installs a `qa` bundle, and the conversation.

Shape of the knowledge base (the seed `kiosk/data/qa.json`, and a hub's `qa` bundle):
`{"version": str, "entries": [Entry...], "recommended": [entry id...], "synonyms": [[canonical, variant...]...]}`;
an entry is `{"id", "title", "questions": [...], "answer", "item_id"?, "choices"?: [entry id...],
"details"?: {"materials"|"where"|"fee"|"time": text}, "en"?: {"title", "questions", "answer", "details"}}`.
Unknown keys are ignored so that a newer hub's knowledge base does not break an older kiosk.

Matching lives in kiosk/qa_match.py. `Conversation` keeps the last topic (so "要带什么材料" answers about the service
asked before) and a pending clarification; it holds the resident's words only until `clear()` at session end.
Qt-free; no text for the screen here: replies are typed records the UI words.
"""
from __future__ import annotations

import json
import logging
import re
import sqlite3
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from types import MappingProxyType
from typing import Any, Callable, Mapping

from kiosk.live_bundle import LiveBundle

log = logging.getLogger(__name__)

QA_BUNDLE = "qa"
SEED_FILE = Path(__file__).parent / "data" / "qa.json"
MAX_ENTRIES = 2000
MAX_QUESTION = 100          # a phrasing in the knowledge base, and what a resident may ask in one go
MAX_ANSWER = 600
MAX_TITLE = 40
MAX_CHOICES = 4
MAX_TURNS = 30              # a conversation longer than this forgets its oldest turns
_ID = re.compile(r"[A-Za-z0-9_.-]{1,64}")


class QaError(ValueError):
    """`str(exc)` is a short fixed reason that never repeats knowledge-base content beyond an entry id."""


class Detail(str, Enum):
    """What a follow-up asks about a service: its materials, where to go, its fee, how long it takes."""
    MATERIALS = "materials"
    WHERE = "where"
    FEE = "fee"
    TIME = "time"


@dataclass(frozen=True)
class English:
    title: str = ""
    questions: tuple[str, ...] = ()
    answer: str = ""
    details: Mapping[Detail, str] = field(default_factory=lambda: MappingProxyType({}))


@dataclass(frozen=True)
class Entry:
    id: str
    title: str                       # short, shown on a choice or recommended-question button
    questions: tuple[str, ...]       # how residents ask it (Chinese)
    answer: str                      # 白话, short
    item_id: str = ""                # the catalog item the answer opens (去办理)
    choices: tuple[str, ...] = ()    # a broad question: the entries the resident chooses between
    details: Mapping[Detail, str] = field(default_factory=lambda: MappingProxyType({}))
    en: English | None = None

    def title_in(self, language: str) -> str:
        return self.en.title if language == "en" and self.en and self.en.title else self.title

    def answer_in(self, language: str) -> str:
        return self.en.answer if language == "en" and self.en and self.en.answer else self.answer

    def detail_in(self, detail: Detail, language: str) -> str:
        """The knowledge base's own text for this detail ("" when the catalog item's data must answer)."""
        if language == "en" and self.en and detail in self.en.details:
            return self.en.details[detail]
        return self.details.get(detail, "") if language != "en" else ""


@dataclass(frozen=True)
class KnowledgeBase:
    version: str
    entries: tuple[Entry, ...]
    recommended: tuple[str, ...] = ()
    synonyms: tuple[tuple[str, ...], ...] = ()     # each group: the canonical word first, then what residents say

    def get(self, entry_id: str) -> Entry | None:
        return next((e for e in self.entries if e.id == entry_id), None)

    def recommended_entries(self) -> list[Entry]:
        return [e for e in (self.get(i) for i in self.recommended) if e is not None]


# ---------------------------------------------------------------------------------------------- replies


class Unanswered(str, Enum):
    EMPTY = "empty"              # nothing but punctuation or particles
    UNKNOWN = "unknown"          # the knowledge base has nothing close enough
    NEED_TOPIC = "need_topic"    # "要带什么材料" with no service asked before


@dataclass(frozen=True)
class Answer:
    entry: Entry
    detail: Detail | None = None     # a follow-up's detail of the entry's service, else the whole answer
    follow_up: bool = False          # answered about the topic of an earlier turn


@dataclass(frozen=True)
class Clarify:
    choices: tuple[Entry, ...]       # 您是想问：… (2..MAX_CHOICES)
    detail: Detail | None = None     # kept for when the resident chooses
    broad: Entry | None = None       # the broad entry whose choices these are, if any


@dataclass(frozen=True)
class NoAnswer:
    reason: Unanswered


Reply = Answer | Clarify | NoAnswer


@dataclass(frozen=True)
class Context:
    """What the matcher needs from earlier turns."""
    topic: Entry | None = None


@dataclass(frozen=True)
class Turn:
    question: str                    # what the resident asked, or the title of the choice tapped
    reply: Reply


class Conversation:
    """One resident's turns. Used on the UI thread only; `clear()` when the session ends keeps nothing."""

    def __init__(self) -> None:
        self.turns: list[Turn] = []
        self.topic: Entry | None = None
        self.pending: Clarify | None = None

    def context(self) -> Context:
        return Context(self.topic)

    def record(self, question: str, reply: Reply) -> Turn:
        turn = Turn(question, reply)
        self.turns = [*self.turns, turn][-MAX_TURNS:]
        if isinstance(reply, Answer):
            self.topic, self.pending = reply.entry, None
        elif isinstance(reply, Clarify):
            self.pending = reply
        return turn

    def choose(self, entry_id: str, language: str = "zh") -> Turn | None:
        """The resident tapped a choice of the pending clarification; None when it is not one of them."""
        pending = self.pending
        chosen = next((e for e in pending.choices if e.id == entry_id), None) if pending else None
        if chosen is None:
            return None
        return self.record(chosen.title_in(language), Answer(chosen, pending.detail))

    def last_question(self) -> str:
        return next((t.question for t in reversed(self.turns)), "")

    def clear(self) -> None:
        self.turns, self.topic, self.pending = [], None, None


# ---------------------------------------------------------------------------------------------- parsing


def _text(value: Any, what: str, limit: int, required: bool = True) -> str:
    if value is None and not required:
        return ""
    if not isinstance(value, str) or (required and not value.strip()):
        raise QaError(f"{what} is missing")
    if len(value) > limit:
        raise QaError(f"{what} is longer than {limit} characters")
    return value.strip()


def _questions(value: Any, what: str, required: bool = True) -> tuple[str, ...]:
    if value is None and not required:
        return ()
    if not isinstance(value, list) or (required and not value):
        raise QaError(f"{what} has no questions")
    return tuple(_text(q, f"{what} question", MAX_QUESTION) for q in value)


def _details(value: Any, what: str) -> Mapping[Detail, str]:
    if value is None:
        return MappingProxyType({})
    if not isinstance(value, dict):
        raise QaError(f"{what} details is not an object")
    known = {d.value: d for d in Detail}
    return MappingProxyType({known[k]: _text(v, f"{what} detail", MAX_ANSWER)
                             for k, v in value.items() if k in known})


def _english(value: Any, what: str) -> English | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        raise QaError(f"{what} en is not an object")
    return English(_text(value.get("title"), f"{what} en title", MAX_TITLE * 2, required=False),
                   _questions(value.get("questions"), f"{what} en", required=False),
                   _text(value.get("answer"), f"{what} en answer", MAX_ANSWER * 2, required=False),
                   _details(value.get("details"), f"{what} en"))


def _entry(raw: Any, index: int) -> Entry:
    if not isinstance(raw, dict):
        raise QaError(f"entry {index} is not an object")
    entry_id = raw.get("id")
    if not isinstance(entry_id, str) or not _ID.fullmatch(entry_id):
        raise QaError(f"entry {index} has no valid id")
    what = f"entry {entry_id}"
    item_id = raw.get("item_id", "")
    if not isinstance(item_id, str) or len(item_id) > 64:
        raise QaError(f"{what} item_id is not an id")
    choices = raw.get("choices", [])
    if not isinstance(choices, list) or len(choices) > MAX_CHOICES or \
            not all(isinstance(c, str) and c != entry_id for c in choices):
        raise QaError(f"{what} choices are not up to {MAX_CHOICES} other entry ids")
    if len(choices) == 1:
        raise QaError(f"{what} has a single choice")
    return Entry(entry_id, _text(raw.get("title"), f"{what} title", MAX_TITLE),
                 _questions(raw.get("questions"), what), _text(raw.get("answer"), f"{what} answer", MAX_ANSWER),
                 item_id, tuple(choices), _details(raw.get("details"), what), _english(raw.get("en"), what))


def _synonyms(value: Any) -> tuple[tuple[str, ...], ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(
            isinstance(g, list) and len(g) >= 2 and all(isinstance(w, str) and 0 < len(w.strip()) <= 20 for w in g)
            for g in value):
        raise QaError("synonyms are not groups of short words")
    return tuple(tuple(w.strip() for w in g) for g in value)


def parse_kb(data: Any) -> KnowledgeBase:
    if not isinstance(data, dict):
        raise QaError("not an object")
    raw_entries = data.get("entries")
    if not isinstance(raw_entries, list) or not raw_entries:
        raise QaError("no entries")
    if len(raw_entries) > MAX_ENTRIES:
        raise QaError(f"more than {MAX_ENTRIES} entries")
    entries = tuple(_entry(raw, i) for i, raw in enumerate(raw_entries))
    ids = {e.id for e in entries}
    if len(ids) != len(entries):
        raise QaError("two entries share an id")
    for entry in entries:
        if not set(entry.choices) <= ids:
            raise QaError(f"entry {entry.id} offers a choice that is not an entry")
    recommended = data.get("recommended", [])
    if not isinstance(recommended, list) or not all(isinstance(r, str) and r in ids for r in recommended):
        raise QaError("recommended names an entry that does not exist")
    version = data.get("version", "")
    if not isinstance(version, str) or len(version) > 40:
        raise QaError("version is not a short text")
    return KnowledgeBase(version, entries, tuple(recommended), _synonyms(data.get("synonyms")))


def kb_from_json(payload: str) -> KnowledgeBase:
    try:
        return parse_kb(json.loads(payload))
    except (ValueError, RecursionError) as exc:
        raise QaError(str(exc)[:120] if isinstance(exc, QaError) else "not JSON") from None


def load_seed(path: Path = SEED_FILE) -> KnowledgeBase:
    return kb_from_json(path.read_text(encoding="utf-8"))


# ---------------------------------------------------------------------------------------------- live swap


class LiveKnowledge(LiveBundle[KnowledgeBase]):
    """The knowledge base in force: the installed `qa` bundle, else the seed. `on_bundle_applied` is the
    EventBus listener for sync; the swap is one assignment, so a question on another thread sees old or new."""

    kind = QA_BUNDLE

    def __init__(self, read_payload: Callable[[], str | None], seed: Callable[[], KnowledgeBase] = load_seed):
        self.read_payload = read_payload
        self.seed = seed
        self._index = None             # kiosk.qa_match.QaIndex of the current base, built on first question
        super().__init__(self._read() or self._seed())

    def index(self):
        """The matcher for the knowledge base in force (built here the first time: pinyin takes a moment)."""
        from kiosk.qa_match import QaIndex   # pypinyin's dictionaries load on the calling (worker) thread

        with self._lock:
            kb, index = self._current, self._index
        if index is None or index.kb is not kb:
            index = QaIndex.build(kb)
            with self._lock:
                if self._current is kb:
                    self._index = index
        return index

    def _install(self, kb: KnowledgeBase) -> None:
        self._current, self._index = kb, None   # the old base's matcher goes with it

    def _in_force(self, kb: KnowledgeBase, version: Any) -> None:
        log.info("qa bundle %s in force: %d entries", version, len(kb.entries))

    def _read(self) -> KnowledgeBase | None:
        """None when nothing usable is installed or the database cannot be read now."""
        try:
            payload = self.read_payload()
            return kb_from_json(payload) if payload else None
        except sqlite3.Error as exc:
            log.warning("qa bundle not readable: %s", exc)
        except QaError as exc:
            log.warning("installed qa bundle unusable: %s", exc)
        return None

    def _seed(self) -> KnowledgeBase:
        try:
            return self.seed()
        except (OSError, QaError) as exc:   # a broken install: Q&A answers nothing rather than no kiosk
            log.error("seed knowledge base unusable: %s", exc)
            return KnowledgeBase("", ())
