"""Matching a resident's question, in their own words, to the knowledge base (kiosk/qa.py). Qt-free.

A question is folded like search input (kiosk/search.py `fold`: full/half width, case, punctuation), stripped of
particles (的/了/吗…) and polite openings, and its words mapped to the knowledge base's canonical synonyms. What it
asks about a service (materials, where, fee, time) is recognised and taken out, so "身份证要带什么材料" matches the
身份证 entries and the reply says which detail was asked. The rest becomes weighted terms: Chinese characters,
character bigrams, pinyin syllable bigrams (homophone typos: 社宝卡) and English words. Entries are ranked with
BM25 over all their phrasings; `coverage` (the share of the question's term weight an entry has) decides whether
the best one is close enough to answer. Close runners-up, or a broad entry, make a clarification instead.
"""
from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass
from typing import Iterable

from pypinyin import lazy_pinyin

from kiosk.qa import (MAX_CHOICES, MAX_QUESTION, Answer, Clarify, Context, Detail, Entry, KnowledgeBase, NoAnswer,
                      Reply, Unanswered)
from kiosk.search import fold

K1, B = 1.2, 0.75
# Answer thresholds in units of the idf of a term only one entry has (so they follow the knowledge base's size):
MIN_EVIDENCE = 1.9           # the best entry is an answer from this BM25 score ...
WEAK_EVIDENCE, WEAK_COVERAGE = 1.05, 0.4   # ... or from this score when it holds this share of the question's weight
CLOSE_RATIO = 0.9            # a runner-up scoring this close to the best makes the question ambiguous
ANSWER_WEIGHT = 0.3          # an entry's answer text counts too, weakly (its words are not how residents ask)
TOPIC_WEIGHT = 0.5           # a short follow-up ("那丢了呢") that is ambiguous alone leans on the earlier topic
SHORT_CONTENT = 4            # ... when it has at most this many characters of its own
WEIGHTS = {"u": 0.4, "b": 1.0, "p": 0.5, "w": 1.0}   # unigram, bigram, pinyin bigram, English word

_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_RUNS = re.compile(f"[{_CJK}0-9]+|[a-z]+")
_HANZI_RUN = re.compile(f"[{_CJK}0-9]+")
_SPACE_IN_HANZI = re.compile(f"(?<=[{_CJK}]) (?=[{_CJK}])")   # 社保卡　丢了: a space is no word boundary in Chinese
_PARTICLES = re.compile("[的了吗呢啊吧呀嘛哦哈噢啦]+")
_POLITE = ("麻烦问一下", "请问一下", "我想问一下", "我想问问", "想问一下", "请问", "你好", "您好", "问一下", "谢谢",
           "麻烦", "同志", "师傅")
# What a follow-up asks about a service; longest first. 多少钱 after 补/领/发 asks about a benefit, not a fee.
_DETAILS: dict[Detail, tuple[str, ...]] = {
    Detail.MATERIALS: ("需要准备哪些材料", "需要准备什么材料", "要带哪些材料", "要带什么材料", "需要什么材料",
                       "要准备什么", "要什么材料", "带什么材料", "什么材料", "哪些材料", "要带什么", "要带啥", "带什么",
                       "带啥", "带哪些", "什么证件", "材料", "what documents", "documents", "bring"),
    Detail.WHERE: ("去哪里办", "在哪里办", "到哪里办", "在哪儿办", "哪里能办", "哪里可以办", "去哪儿", "在哪儿", "去哪里",
                   "在哪里", "到哪里", "哪个窗口", "什么地方", "哪里", "在哪", "去哪", "where"),
    Detail.FEE: ("要不要钱", "收不收费", "交多少钱", "要多少钱", "花多少钱", "要交钱", "要钱", "收费", "费用", "工本费",
                 "免费", "how much", "fee", "cost"),
    Detail.TIME: ("多长时间", "什么时候能拿", "几个工作日", "要多久", "多少天", "几天", "多久", "how long"),
}
_BENEFIT_MONEY = re.compile("(?<![补领发拿给贴])多少钱")
# Words around any request: what is left without them decides whether a question names a service of its own.
_FILLERS = ("怎么办理", "怎么办", "怎么弄", "怎么样", "怎么", "怎样", "如何", "办理", "可以", "能不能", "能否", "需要",
            "我想", "我要", "想要", "那个", "这个", "那么", "还有", "还要", "一下", "要", "办", "那", "这", "我", "还",
            "呢", "吗", "能", "去", "在", "有", "是")
_STOP_WORDS = frozenset("a an the i my me is are am do does did can could to of for in on at it with how what when "
                        "which who why please would should get have has will be".split())


@dataclass(frozen=True)
class Parsed:
    text: str                    # folded, particles and polite words removed, synonyms mapped
    detail: Detail | None        # the detail asked about, if any
    content: str                 # what is left once the detail and filler words are removed


@dataclass(frozen=True)
class Scored:
    entry: Entry
    score: float
    coverage: float


def _stem(word: str) -> str:
    return word[:-1] if len(word) > 3 and word.endswith("s") and not word.endswith("ss") else word


class QaIndex:
    def __init__(self, kb: KnowledgeBase, docs: list[Counter], idf: dict[str, float], avg_len: float,
                 replacements: tuple[tuple[str, str], ...]):
        self.kb, self.docs, self.idf, self.avg_len = kb, docs, idf, avg_len
        self.replacements = replacements
        self.unit = 1.0              # the idf of a term only one entry has (set by build)

    @classmethod
    def build(cls, kb: KnowledgeBase) -> "QaIndex":
        replacements = tuple(sorted(((_clean(v), _clean(g[0])) for g in kb.synonyms for v in g[1:] if _clean(v)),
                                    key=lambda p: len(p[0]), reverse=True))
        index = cls(kb, [], {}, 1.0, replacements)
        asked: list[set[str]] = []   # the terms of each entry's phrasings: rarity is judged on these alone
        for entry in kb.entries:
            phrasings = [entry.title, *entry.questions]
            if entry.en:
                phrasings += [entry.en.title, *entry.en.questions]
            doc: Counter = Counter()
            for phrasing in filter(None, phrasings):
                doc.update(terms(index.parse(phrasing).text))
            asked.append(set(doc))
            for answer in filter(None, (entry.answer, entry.en.answer if entry.en else "")):
                for term in terms(index.parse(answer).text):
                    doc[term] += ANSWER_WEIGHT
            index.docs.append(doc)
        n = len(index.docs) or 1
        frequency = Counter(t for doc in asked for t in doc)
        index.idf = {t: math.log(1 + (n - f + 0.5) / (f + 0.5)) for t, f in frequency.items()}
        index.avg_len = sum(sum(d.values()) for d in index.docs) / n if index.docs else 1.0
        index.unit = math.log(1 + (n + 0.5) / 0.5)
        return index

    # ------------------------------------------------------------------------------------------ questions

    def parse(self, question: str) -> Parsed:
        text = _SPACE_IN_HANZI.sub("", fold(question[:MAX_QUESTION * 2]))
        text = " ".join(self._words(run) for run in text.split())
        detail = detect_detail(text)
        content = text
        if detail is not None:
            for phrase in _DETAILS[detail]:
                content = content.replace(phrase, " ")
        for filler in _FILLERS:
            content = content.replace(filler, "")
        content = " ".join(w for w in content.split() if w not in _STOP_WORDS)
        return Parsed(text, detail, content)

    def _words(self, run: str) -> str:
        if not _HANZI_RUN.search(run):
            return run
        run = _clean(run)
        for variant, canonical in self.replacements:
            if variant in run:
                run = run.replace(variant, canonical)
        return run

    def rank(self, query: Counter, among: frozenset[str] | None = None) -> list[Scored]:
        """Entries by BM25 score; `among`: only entries holding one of these terms."""
        total = sum(WEIGHTS[t[0]] * self._idf(t) * c for t, c in query.items()) or 1.0
        ranked = []
        for entry, doc in zip(self.kb.entries, self.docs):
            if among is not None and not among & doc.keys():
                continue
            length_norm = K1 * (1 - B + B * sum(doc.values()) / self.avg_len)
            score = covered = 0.0
            for term, count in query.items():
                tf = doc.get(term, 0)
                if tf:
                    weight = WEIGHTS[term[0]] * self._idf(term) * count
                    score += weight * tf * (K1 + 1) / (tf + length_norm)
                    covered += weight
            if score > 0:
                ranked.append(Scored(entry, score, covered / total))
        return sorted(ranked, key=lambda s: (-s.score, s.entry.id))

    def _answerable(self, scored: Scored) -> bool:
        return scored.score >= MIN_EVIDENCE * self.unit or \
            (scored.score >= WEAK_EVIDENCE * self.unit and scored.coverage >= WEAK_COVERAGE)

    def _idf(self, term: str) -> float:
        """A term no entry has weighs like the rarest: the question asks about something the base lacks."""
        return self.idf.get(term, math.log(1 + (len(self.docs) + 0.5) / 0.5))

    # ------------------------------------------------------------------------------------------ replies

    def reply(self, question: str, context: Context = Context()) -> Reply:
        parsed = self.parse(question)
        if not parsed.text.strip():
            return NoAnswer(Unanswered.EMPTY)
        topic, short = context.topic, parsed.content.replace(" ", "")
        if len(short) < 2:   # "要带什么材料", "在哪里办": nothing names a service of its own
            if parsed.detail is not None:
                return Answer(topic, parsed.detail, follow_up=True) if topic else NoAnswer(Unanswered.NEED_TOPIC)
            if not short:
                return NoAnswer(Unanswered.EMPTY)
        query = Counter(terms(parsed.content))
        reply = self._decide(self.rank(query), parsed.detail)
        unsettled = isinstance(reply, NoAnswer) or (isinstance(reply, Clarify) and reply.broad is None)
        if topic is not None and unsettled and len(short) <= SHORT_CONTENT:   # a broad question stays broad
            leaning = self._decide(self.rank(self._with_topic(query, topic), frozenset(query)), parsed.detail)
            reply = leaning if isinstance(leaning, Answer) else reply
        if isinstance(reply, NoAnswer) and parsed.detail is not None and topic is not None:
            return Answer(topic, parsed.detail, follow_up=True)
        return reply

    def _with_topic(self, query: Counter, topic: Entry) -> Counter:
        boosted = Counter(query)
        for term, count in terms_counter(self.parse(topic.title).content).items():
            boosted[term] += count * TOPIC_WEIGHT
        return boosted

    def _decide(self, ranked: list[Scored], detail: Detail | None) -> Reply:
        if not ranked or not self._answerable(ranked[0]):
            return NoAnswer(Unanswered.UNKNOWN)
        ranked = [s for s in ranked if self._answerable(s)]
        best = ranked[0]
        close = [s.entry for s in ranked[1:MAX_CHOICES + 1] if s.score >= CLOSE_RATIO * best.score]
        if best.entry.choices:
            # a broad question ("身份证"): its own choices, after any specific entry that scored as well
            offered = [e for e in (self.kb.get(i) for i in best.entry.choices) if e is not None]
            specific = [e for e in close if not e.choices and e.id not in best.entry.choices]
            return Clarify(_distinct(specific + offered), detail, None if specific else best.entry)
        close = [e for e in close if not e.choices]
        if close:
            return Clarify(_distinct([best.entry, *close]), detail)
        return Answer(best.entry, detail)


def _distinct(entries: list[Entry]) -> tuple[Entry, ...]:
    seen: dict[str, Entry] = {}
    for entry in entries:
        seen.setdefault(entry.id, entry)
    return tuple(seen.values())[:MAX_CHOICES]


def _clean(text: str) -> str:
    """Folded, without polite openings and particles (also applied to the synonyms, so they still meet)."""
    text = fold(text).replace(" ", "") if not text.isascii() else fold(text)
    for polite in _POLITE:
        text = text.replace(polite, "")
    return _PARTICLES.sub("", text)


def detect_detail(text: str) -> Detail | None:
    """The first detail whose phrase the question holds (a fee only when 多少钱 is not a benefit's amount)."""
    for detail, phrases in _DETAILS.items():
        for phrase in phrases:
            if phrase in text:
                if phrase == "多少钱" and not _BENEFIT_MONEY.search(text):
                    continue
                return detail
    return None


def terms(text: str) -> Iterable[str]:
    """Weighted term keys: u/b for Chinese characters and bigrams, p for pinyin bigrams, w for English words."""
    for run in _RUNS.findall(text):
        if run[0].isascii() and run.isalpha():
            if run not in _STOP_WORDS:
                yield "w" + _stem(run)
            continue
        yield from ("u" + ch for ch in run)
        yield from ("b" + run[i:i + 2] for i in range(len(run) - 1))
        syllables = lazy_pinyin(run)
        yield from ("p" + syllables[i] + syllables[i + 1] for i in range(len(syllables) - 1))


def terms_counter(text: str) -> Counter:
    return Counter(terms(text))
