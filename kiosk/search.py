"""Resident search over the service catalog, fast enough to run on every keystroke.

Residents type Chinese words ("残疾证怎么办"), colloquial phrases ("孩子上学"), full pinyin with or without
spaces ("she bao ka"), pinyin prefixes while typing ("shebao"), initials ("sbk"), homophone typos ("社宝卡") and
Latin typos ("shebaka"). All that can be computed ahead is computed in `SearchIndex.build`, once per distinct
text (a keyword such as "社保" is shared by hundreds of items): its phrase-aware pinyin plus a few heteronym
spellings, its initials, and inverted indexes keyed by Chinese uni/bigrams, pinyin prefixes anchored at syllable
starts and initials n-grams. A query touches only the postings of its own keys; texts are then expanded to the
items using them best-first, stopping once the top results cannot change. Keys shared by a large part of the
catalog ("s", "证") have their top results ranked at build time.

Scores live in bands per (match kind, field) so that a name match outranks a keyword match of the same kind and a
direct Chinese match outranks the same match found through pinyin. Qt-free.
"""
from __future__ import annotations

import heapq
import re
from array import array
from bisect import bisect_right
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable, Mapping

from pypinyin import Style, lazy_pinyin, pinyin
from rapidfuzz import fuzz, process

try:   # the phrase segmenter lazy_pinyin itself uses; calling it directly lets each word's pinyin be cached
    from pypinyin.seg.mmseg import seg as _phrase_segmenter
except ImportError:   # pragma: no cover - a pypinyin without it: whole runs, same readings, just slower
    _phrase_segmenter = None

from kiosk.records import ServiceItem

# Nobody types more than this into a kiosk search box; anything longer is a stuck key or pasted garbage.
RAW_INPUT_LIMIT = 256
QUERY_LIMIT = 40

NAME, SYNONYM, KEYWORD = 0, 1, 2
FIELD_LABELS = ("name", "synonym", "keyword")

# Match classes and their score bands (low, high) per field kind (name, synonym, keyword); a quality 0..1
# places a match in its band. A keyword's band tops out where the name's starts: for the same class of match, any
# name match outranks any keyword match. Synonyms are the residents' own words, so they sit close to names.
EXACT, SUBSTRING, OVERLAP, PINYIN, INITIALS, FUZZY = range(6)
CLASS_LABELS = ("", "", "overlap", "pinyin", "initials", "fuzzy")   # "" = say which field matched
BANDS = (
    ((100.0, 100.0), (96.0, 96.0), (78.0, 78.0)),   # exact
    ((80.0, 95.0), (72.0, 90.0), (60.0, 75.0)),     # substring
    ((45.0, 75.0), (42.0, 70.0), (35.0, 45.0)),     # overlap of characters
    ((62.0, 92.0), (60.0, 90.0), (45.0, 62.0)),     # pinyin from a syllable start
    ((50.0, 80.0), (50.0, 82.0), (40.0, 50.0)),     # initials
    ((30.0, 56.0), (30.0, 56.0), (25.0, 30.0)),     # pinyin typo
)
HOMOPHONE_FACTOR = 0.92       # "社宝卡" found via pinyin ranks below a direct "社保卡" match
HETERONYM_PENALTY = 2.0       # another reading of a polyphonic character is a slightly weaker match

ANCHOR_KEY_LEN = 6            # pinyin prefixes indexed at every syllable start, up to this many letters
INITIALS_KEY_LEN = 3
MAX_HETERONYM_SPELLINGS = 2
HOT_TEXTS = 1500              # keys matching more distinct texts than this get their results ranked at build time
HOT_TOP = 100                 # ... this many items of them
FUZZY_MIN_LETTERS = 4
FUZZY_CUTOFF = 80.0
FUZZY_ONLY_BELOW = 60.0       # typo matching only when nothing solid was found: it is the slowest and noisiest
FUZZY_WINDOW_SYLLABLES = (2, 3, 4)
OVERLAP_MIN_CHAR_SHARE = 0.5  # an overlap match must contain at least half of the query's characters
OVERLAP_CANDIDATES = 1500     # score at most this many overlap candidates, those sharing most bigrams
WEAK_OVERLAP_CANDIDATES = 200 # ... and of those sharing under half of the query's bigrams, the shortest this many

_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_NOT_KEPT = re.compile(f"[^{_CJK}a-z0-9 ]+")
_HANZI = re.compile(f"[{_CJK}]")
_WRITTEN_RUN = re.compile(f"[{_CJK}0-9]+")
_LETTER_RUN = re.compile("[a-z]+")
_SYLLABLE_RUNS = re.compile(f"[{_CJK}]+|[a-z]+|[0-9]+")   # a run of letters or digits reads as one syllable

# What residents wrap around the thing they want. Longest first, so "怎么办理" goes before "怎么".
_FILLERS_ANYWHERE = tuple(sorted((
    "我想要", "我想", "我要", "想要", "我需要", "需要", "请问", "帮我", "给我", "一下",
    "怎么办理", "怎么办", "怎么弄", "怎么样", "怎么", "怎样", "如何", "办理", "咋办", "咋",
    "去哪里", "在哪里", "去哪儿", "在哪儿", "哪里", "在哪", "去哪", "哪儿",
    "什么", "材料", "手续", "流程", "要带", "可以", "能不能", "多久", "哪些", "吗", "呢", "啊", "吧", "呀",
), key=len, reverse=True))
# Single characters only at either end ("在职证明" must keep its 在); 怎 and 哪 are fillers half typed.
_FILLERS_AT_EDGES = ("想", "要", "办", "的", "了", "我", "怎", "哪", "吗")
_LATIN_FILLER_PREFIXES = ("woyao", "woxiang", "qingwen")
_LATIN_FILLER_SUFFIXES = ("zenmebanli", "zenmeban", "ruhebanli", "zenme", "banli")
# "残疾证" means getting one (新办), not cancelling one (注销): that decides ties.
_PRIMARY_ACTION_ENDINGS = ("新办", "申领", "申请", "登记", "办理", "开具", "备案", "入学")


@dataclass(frozen=True)
class SearchHit:
    item_id: str
    name: str
    score: float          # 0..100; 100 is the exact name
    matched: str          # name | synonym | keyword | overlap | pinyin | initials | homophone | fuzzy
    matched_text: str     # the name, synonym or keyword that matched, so the screen can say why


@dataclass(frozen=True)
class Query:
    """What is left of the resident's input once normalised and stripped of filler words."""
    hanzi: str            # Chinese characters and digits ("残疾证", "80岁")
    whole_hanzi: str      # before removing filler words, for exact look-ups ("老年人优待证办理")
    letters: str          # Latin letters only, spaces removed ("shebaoka")
    spoken: str           # pinyin of the query with its hanzi converted and letters kept ("社保ka" -> "shebaoka")

    def __bool__(self) -> bool:
        return bool(self.hanzi or self.letters)


@dataclass(frozen=True)
class Spelling:
    """One way to spell a text in pinyin: letters "shebaoka", syllable offsets (0, 3, 6), initials "sbk"."""
    letters: str
    starts: tuple[int, ...]
    initials: str
    penalty: float = 0.0
    changed: int = -1     # for a heteronym spelling: the syllable read differently


# A text found for a query, before it is expanded to the items using it:
# (best score over its uses, text, match class, quality, penalty, factor, label or "").
_Candidate = tuple[float, int, int, float, float, float, str]
# An item's best match so far: (score, label, text).
_Best = dict[int, tuple[float, str, int]]


# ---------------------------------------------------------------------------------------------- the query


def fold(text: str) -> str:
    """Lower-case half-width hanzi, letters, digits and single spaces; ü typed as v, as pinyin keyboards do."""
    text = unicodedata.normalize("NFKC", text).lower().replace("ü", "v")
    return " ".join(_NOT_KEPT.sub(" ", text).split())


def normalize(query: str) -> str:
    """A query folded, cut to a length a person could have typed."""
    return fold(query[:RAW_INPUT_LIMIT])[:QUERY_LIMIT]


def only_hanzi(text: str) -> str:
    """The hanzi and digits of a text: what the Chinese matching compares ("80岁补贴")."""
    return "".join(_WRITTEN_RUN.findall(text))


def strip_fillers(hanzi: str) -> str:
    """Remove the words around the request ("残疾证怎么办" -> "残疾证"); may leave nothing."""
    stripped = hanzi
    for filler in _FILLERS_ANYWHERE:
        stripped = stripped.replace(filler, "")
    changed = True
    while changed and len(stripped) > 1:
        changed = False
        for filler in _FILLERS_AT_EDGES:
            if len(stripped) > 1 and stripped.startswith(filler):
                stripped, changed = stripped[1:], True
            if len(stripped) > 1 and stripped.endswith(filler):
                stripped, changed = stripped[:-1], True
    return "" if stripped in _FILLERS_AT_EDGES else stripped


def strip_latin_fillers(letters: str) -> str:
    for prefix in _LATIN_FILLER_PREFIXES:
        if letters.startswith(prefix) and len(letters) - len(prefix) >= 2:
            letters = letters[len(prefix):]
    for suffix in _LATIN_FILLER_SUFFIXES:
        if letters.endswith(suffix) and len(letters) - len(suffix) >= 2:
            return letters[:-len(suffix)]
    return letters


def parse_query(raw: str) -> Query:
    text = normalize(raw if isinstance(raw, str) else "")
    letters = strip_latin_fillers("".join(_LETTER_RUN.findall(text)))
    # Digits count with hanzi ("80岁"), or alone; next to pinyin only they are noise ("sbk 2").
    whole_hanzi = only_hanzi(text) if _HANZI.search(text) or not letters else ""
    hanzi = strip_fillers(whole_hanzi) if whole_hanzi else ""
    if not hanzi and not letters:
        hanzi = whole_hanzi    # nothing but filler words: then they are what the resident is looking for
    spoken = ""
    if hanzi:
        kept = "".join(ch for ch in text if not _HANZI.match(ch) or ch in hanzi)
        spoken = "".join(_LETTER_RUN.findall(" ".join(lazy_pinyin(kept))))
    return Query(hanzi, whole_hanzi, letters, spoken)


# ---------------------------------------------------------------------------------------------- pinyin


@lru_cache(maxsize=8192)
def _readings(char: str) -> tuple[str, ...]:
    """Every reading of one character, as pypinyin lists them."""
    return tuple(pinyin(char, style=Style.NORMAL, heteronym=True, errors="ignore")[0] or ())


@lru_cache(maxsize=65536)
def _word_readings(word: str) -> tuple[str, ...]:
    """One reading per character of a hanzi word, phrase-aware (银行 -> yin hang)."""
    readings = lazy_pinyin(word)
    if len(readings) != len(word):   # pypinyin grouped characters it does not know: read them one by one
        readings = [(_readings(char) or ("",))[0] for char in word]
    return tuple("".join(_LETTER_RUN.findall(reading)) for reading in readings)


def _reading_pairs(text: str) -> list[tuple[str, str]]:
    """(hanzi, or run of letters or digits; its reading) in order. Punctuation is dropped."""
    pairs: list[tuple[str, str]] = []
    for run in _SYLLABLE_RUNS.findall(text):
        if _HANZI.match(run):
            for word in _phrase_segmenter.cut(run) if _phrase_segmenter else (run,):
                pairs.extend(zip(word, _word_readings(word)))
        else:
            pairs.append((run, run))
    return [(char, reading) for char, reading in pairs if reading]


def _spelling(syllables: list[str], penalty: float = 0.0, changed: int = -1) -> Spelling:
    starts, offset = [], 0
    for syllable in syllables:
        starts.append(offset)
        offset += len(syllable)
    return Spelling("".join(syllables), tuple(starts), "".join(s[0] for s in syllables), penalty, changed)


@lru_cache(maxsize=65536)
def spellings_of(text: str) -> tuple[Spelling, ...]:
    """Phrase-aware pinyin first, then up to two spellings with one polyphonic character read another way
    (长峙 is read zhang zhi by the phrase rules, chang zhi by the islanders)."""
    pairs = _reading_pairs(fold(text))
    if not pairs:
        return ()
    primary = [reading for _, reading in pairs]
    spellings = [_spelling(primary)]
    for position, (char, reading) in enumerate(pairs):
        for other in _readings(char) if len(char) == 1 and _HANZI.match(char) else ():
            if len(spellings) > MAX_HETERONYM_SPELLINGS:
                return tuple(spellings)
            if other != reading:
                variant = primary[:position] + [other] + primary[position + 1:]
                spellings.append(_spelling(variant, HETERONYM_PENALTY, position))
    return tuple(spellings)


def clear_pinyin_caches() -> None:
    """Forget cached readings, so that a benchmark can time a build from cold."""
    for cached in (_readings, _word_readings, spellings_of):
        cached.cache_clear()


def _posting_code(text: int, spelling: int, syllable: int) -> int:
    """A pinyin posting: which text, which of its spellings, from which syllable (capped; names are short)."""
    return text << 8 | min(syllable, 63) << 2 | spelling


def _anchor_keys(spelling: Spelling, text: int, spelling_index: int, keys: dict[str, int]) -> None:
    """Write pinyin prefixes from each syllable start ("s", "sh", "she", "sheb"..., "b", "ba", "bao"...) into
    keys, each with the posting code of the earliest syllable it starts at.

    A heteronym spelling only adds the keys that cross its changed syllable; the others repeat the primary's."""
    letters, starts, changed = spelling.letters, spelling.starts, spelling.changed
    last = len(starts) - 1 if changed < 0 else changed
    reach = 0 if changed < 0 else starts[changed] + 1   # a key must end past this to be new
    for index in range(last, -1, -1):   # backwards, so that the earliest start is written last
        start = starts[index]
        if reach - start > ANCHOR_KEY_LEN:
            break
        value = _posting_code(text, spelling_index, index)
        for end in range(max(start + 1, reach), min(start + ANCHOR_KEY_LEN, len(letters)) + 1):
            keys[letters[start:end]] = value


def _initials_keys(spelling: Spelling, text: int, spelling_index: int, keys: dict[str, int]) -> None:
    """Write initials n-grams of 2..INITIALS_KEY_LEN letters into keys, each with the posting code of the
    earliest syllable it starts at (for a heteronym spelling, only those crossing its changed syllable)."""
    initials = spelling.initials
    first = 0 if spelling.changed < 0 else max(0, spelling.changed - INITIALS_KEY_LEN + 1)
    last = len(initials) - 2 if spelling.changed < 0 else min(spelling.changed, len(initials) - 2)
    for where in range(last, first - 1, -1):
        value = _posting_code(text, spelling_index, where)
        for size in range(2, min(INITIALS_KEY_LEN, len(initials) - where) + 1):
            keys[initials[where:where + size]] = value


def _band_at(band: tuple[float, float], quality: float) -> float:
    return band[0] + (band[1] - band[0]) * quality


@lru_cache(maxsize=None)
def _ceiling_bands(kinds: frozenset[int]) -> tuple[tuple[float, float], ...]:
    """Per match class, (low, span) of a band at or above the bands of every kind the text is used as: the most
    any of its items can score, so expansion can stop early."""
    return tuple((max(bands[k][0] for k in kinds), max(bands[k][1] for k in kinds) - max(bands[k][0] for k in kinds))
                 for bands in BANDS)


def _syllable_share(spelling: Spelling, first: int, letters: int) -> float:
    """Share of the syllables covered by `letters` letters typed from syllable `first`, a partly typed syllable
    counting in part. By syllables, not letters: 高龄津贴申领 and 高龄津贴延续 are equally covered by
    "gaolingjintie" although shenling is longer than yanxu."""
    starts = spelling.starts
    end = starts[first] + letters
    last = bisect_right(starts, end - 1) - 1
    last_end = starts[last + 1] if last + 1 < len(starts) else len(spelling.letters)
    covered = last - first + (end - starts[last]) / (last_end - starts[last])
    return min(covered / len(starts), 1.0)


def _coverage_quality(matched: int, total: int, at_start: bool) -> float:
    """Share of the text covered by the match, plus a bonus for matching where the text begins."""
    return 0.75 * min(matched / total, 1.0) + (0.25 if at_start else 0.0) if total else 0.0


# ---------------------------------------------------------------------------------------------- the index


class SearchIndex:
    """Immutable once built; `search` only reads, so one index can serve the UI and a worker thread."""

    def __init__(self, items: list[ServiceItem]) -> None:
        self._items = items
        self._rank_tail = [(not item.name.endswith(_PRIMARY_ACTION_ENDINGS), len(item.name), position)
                           for position, item in enumerate(items)]
        # Distinct texts (names, synonyms, keywords) and the items that use them.
        self._text_ids: dict[str, int] = {}
        self._texts: list[str] = []
        self._hanzi: list[str] = []
        self._spellings: list[tuple[Spelling, ...]] = []
        self._uses: list[dict[int, int]] = []          # per text: item -> field kind (the best, if used twice)
        # Postings: of text numbers, or for pinyin of `_posting_code`s.
        self._exact: dict[str, list[int]] = defaultdict(list)
        self._grams: dict[str, list[int]] = defaultdict(list)
        self._anchors: dict[str, list[int]] = defaultdict(list)
        self._initials: dict[str, list[int]] = defaultdict(list)
        self._fuzzy_targets: dict[str, list[int]] = defaultdict(list)   # window -> text << 1 | (1 if it begins it)
        self._hot: dict[tuple[str, str], list[tuple[float, int, str, int]]] = {}
        for position, item in enumerate(items):
            self._add_item(position, item)
        self._ceilings = [_ceiling_bands(frozenset(uses.values())) for uses in self._uses]
        self._hanzi_lengths = [len(hanzi) for hanzi in self._hanzi]
        # Plain dicts, so that look-ups cannot grow them; big postings as compact int arrays (a tenth of the
        # memory of lists of ints).
        self._exact = dict(self._exact)
        self._grams, self._anchors, self._initials, self._fuzzy_targets = (
            {key: array("q", numbers) for key, numbers in postings.items()}
            for postings in (self._grams, self._anchors, self._initials, self._fuzzy_targets))
        self._fuzzy_choices = list(self._fuzzy_targets)
        self._rank_hot_keys()

    @classmethod
    def build(cls, catalog_or_items: object) -> "SearchIndex":
        """From a Catalog, a mapping of id -> ServiceItem, or any iterable of ServiceItem."""
        items = catalog_or_items
        if not isinstance(items, Mapping) and isinstance(getattr(items, "items", None), Mapping):
            items = items.items   # a Catalog
        if isinstance(items, Mapping):
            items = items.values()
        return cls(list(items))  # type: ignore[arg-type]

    def __len__(self) -> int:
        return len(self._items)

    # -- building

    def _add_item(self, position: int, item: ServiceItem) -> None:
        fields = [(NAME, item.name)] + [(SYNONYM, s) for s in item.synonyms] + [(KEYWORD, k) for k in item.keywords]
        for kind, text in fields:
            if isinstance(text, str) and text.strip():
                uses = self._uses[self._text_id(text)]
                uses[position] = min(kind, uses.get(position, kind))

    def _text_id(self, text: str) -> int:
        number = self._text_ids.get(text)
        if number is None:
            number = self._text_ids[text] = len(self._texts)
            self._index_text(number, text)
        return number

    def _index_text(self, number: int, text: str) -> None:
        hanzi = only_hanzi(fold(text))
        spellings = spellings_of(text)
        self._texts.append(text)
        self._hanzi.append(hanzi)
        self._spellings.append(spellings)
        self._uses.append({})
        if hanzi:
            self._exact[hanzi].append(number)
            for gram in set(hanzi) | {hanzi[i:i + 2] for i in range(len(hanzi) - 1)}:
                self._grams[gram].append(number)
        anchors: dict[str, int] = {}
        initials: dict[str, int] = {}
        for index in range(len(spellings) - 1, -1, -1):   # backwards, so that the primary spelling wins
            _anchor_keys(spellings[index], number, index, anchors)
            _initials_keys(spellings[index], number, index, initials)
        anchor_postings, initials_postings = self._anchors, self._initials
        for key, code in anchors.items():
            anchor_postings[key].append(code)
        for key, code in initials.items():
            initials_postings[key].append(code)
        if spellings:
            self._add_fuzzy_windows(number, spellings[0])

    def _add_fuzzy_windows(self, number: int, spelling: Spelling) -> None:
        """Whole short texts and 2-4 syllable windows of long ones, for typo matching with rapidfuzz."""
        letters, bounds = spelling.letters, spelling.starts + (len(spelling.letters),)
        count = len(spelling.starts)
        windows: dict[str, bool] = {letters: True} if count <= max(FUZZY_WINDOW_SYLLABLES) else {}
        for first in range(count - 1, -1, -1):   # backwards, so that a window's earliest place is kept
            for size in FUZZY_WINDOW_SYLLABLES:
                if first + size <= count:
                    windows[letters[bounds[first]:bounds[first + size]]] = first == 0
        fuzzy_targets = self._fuzzy_targets
        for window, at_start in windows.items():
            targets = fuzzy_targets[window]
            if len(targets) < HOT_TOP:    # a window shared by more texts than that tells little
                targets.append(number << 1 | at_start)

    def _rank_hot_keys(self) -> None:
        """Rank, once, the results of keys that a large part of the catalog shares ("s", "证")."""
        sources = (("hanzi", self._grams, self._containing_candidates),
                   ("anchor", self._anchors, self._prefix_candidates),
                   ("initials", self._initials, self._initials_candidates))
        for label, postings, find in sources:
            for key, texts in postings.items():
                if len(texts) > HOT_TEXTS:
                    best: _Best = {}
                    self._expand(find(key), best, HOT_TOP)
                    self._hot[(label, key)] = self._top(best, HOT_TOP)

    # -- searching

    def search(self, query: str, limit: int = 20) -> list[SearchHit]:
        parsed = parse_query(query)
        if not parsed or limit <= 0:
            return []
        best: _Best = {}
        if parsed.hanzi:
            self._match_hanzi(parsed, best, limit)
        else:
            self._expand(self._letters_candidates(parsed.letters, best, limit), best, limit)
        if self._wants_fuzzy(parsed, best):
            self._expand(self._fuzzy_candidates(parsed.spoken or parsed.letters, bool(parsed.hanzi)), best, limit)
        return [self._hit(item, score, label, text) for score, item, label, text in self._top(best, limit)]

    def _hot_or(self, best: _Best, limit: int, label: str, key: str, find) -> list[_Candidate]:
        """The results ranked at build time if the key is a hot one, else the key's candidates to expand."""
        hot = self._hot.get((label, key))
        if hot is None or limit > HOT_TOP:
            return find(key)
        for score, item, matched, text in hot:
            self._keep(best, item, score, matched, text)
        return []

    def _wants_fuzzy(self, parsed: Query, best: _Best) -> bool:
        letters = parsed.spoken or parsed.letters
        return len(letters) >= FUZZY_MIN_LETTERS and all(score < FUZZY_ONLY_BELOW for score, _, _ in best.values())

    def _hit(self, item: int, score: float, matched: str, text: int) -> SearchHit:
        record = self._items[item]
        return SearchHit(record.id, record.name, round(min(score, 100.0), 1), matched, self._texts[text])

    def _top(self, best: _Best, limit: int) -> list[tuple[float, int, str, int]]:
        """Best first. Scores equal to one decimal go to the primary action ("新办" before "注销"), then to the
        shorter, more general name, then to catalog order."""
        pool: Iterable[int] = best
        if len(best) > 2 * limit:   # sort only what can make the cut
            cutoff = heapq.nlargest(limit, [entry[0] for entry in best.values()])[-1] - 0.1
            pool = [item for item, entry in best.items() if entry[0] >= cutoff]
        ranked = sorted(pool, key=lambda item: (-round(best[item][0], 1), self._rank_tail[item]))
        return [(best[item][0], item, best[item][1], best[item][2]) for item in ranked[:limit]]

    @staticmethod
    def _keep(best: _Best, item: int, score: float, label: str, text: int) -> None:
        current = best.get(item)
        if current is None or score > current[0]:
            best[item] = (score, label, text)

    def _candidate(self, text: int, match: int, quality: float, penalty: float = 0.0, factor: float = 1.0,
                   label: str = "") -> _Candidate:
        low, span = self._ceilings[text][match]
        return (low + span * quality - penalty) * factor, text, match, quality, penalty, factor, label

    def _expand(self, candidates: list[_Candidate], best: _Best, limit: int) -> None:
        """Give each item the score of its best matching text, best texts first, and stop once `limit` items
        score above anything the remaining texts could give (a text's candidate score is its ceiling)."""
        candidates.sort(reverse=True)
        uses_of = self._uses
        budget = limit    # items to give scores before asking again whether the rest can still matter
        for ceiling, text, match, quality, penalty, factor, label in candidates:
            if budget <= 0 and len(best) >= limit:
                if self._settled(best, limit, ceiling):
                    return
                budget = limit + len(best) // 2
            bands = BANDS[match]
            uses = uses_of[text]
            budget -= len(uses)
            for item, kind in uses.items():
                low, high = bands[kind]
                score = (low + (high - low) * quality - penalty) * factor
                current = best.get(item)
                if current is None or score > current[0]:
                    best[item] = (score, label or CLASS_LABELS[match] or FIELD_LABELS[kind], text)

    @staticmethod
    def _settled(best: _Best, limit: int, ceiling: float) -> bool:
        """At least `limit` items already beat `ceiling` by more than the rounding that ties are decided at."""
        threshold = ceiling + 0.1
        above = 0
        for score, _, _ in best.values():
            if score > threshold:
                above += 1
                if above >= limit:
                    return True
        return False

    # -- Chinese

    def _exact_candidates(self, query: Query) -> list[_Candidate]:
        texts = {text for hanzi in {query.whole_hanzi, query.hanzi} for text in self._exact.get(hanzi, ())}
        return [self._candidate(text, EXACT, 1.0) for text in texts]

    def _match_hanzi(self, query: Query, best: _Best, limit: int) -> None:
        """Texts containing the query first; texts sharing some of its characters only if they can still make
        the top; the query read as pinyin only if its characters occur nowhere as typed."""
        text = query.hanzi
        direct = self._exact_candidates(query) + self._hot_or(best, limit, "hanzi", text, self._containing_candidates)
        self._expand(direct, best, limit)
        verbatim = bool(best)
        if len(text) >= 2:
            self._match_overlap(text, best, limit)
        if query.letters or (len(text) >= 2 and not verbatim):   # one character read as pinyin means nothing
            label = "pinyin" if query.letters else "homophone"
            self._expand(self._letters_candidates(query.spoken, best, limit, via_hanzi=True, label=label),
                         best, limit)

    def _containing_candidates(self, text: str) -> list[_Candidate]:
        """Texts that contain the query, found through the rarest of its characters and bigrams."""
        grams = [text[i:i + 2] for i in range(len(text) - 1)] or [text]
        rarest = min((self._grams.get(gram, ()) for gram in grams), key=len)
        scored = (self._score_hanzi(number, text) for number in rarest if text in self._hanzi[number])
        return [candidate for candidate in scored if candidate is not None]

    def _match_overlap(self, text: str, best: _Best, limit: int) -> None:
        """Texts sharing bigrams with the query, those sharing the most first, each tier only if it can still
        reach the top: sharing c of m bigrams caps the quality at 0.45 c/m + 0.55."""
        bigrams = {text[i:i + 2] for i in range(len(text) - 1)}
        shared: Counter[int] = Counter()
        for gram in bigrams:
            shared.update(self._grams.get(gram, ()))
        tiers: dict[int, list[int]] = {}
        for number, count in shared.most_common(OVERLAP_CANDIDATES):
            tiers.setdefault(count, []).append(number)
        for count, numbers in tiers.items():   # most shared first, as most_common returned them
            ceiling = _band_at(BANDS[OVERLAP][NAME], 0.45 * count / len(bigrams) + 0.55)
            if self._settled(best, limit, ceiling):
                return
            if 2 * count < len(bigrams):   # a weak tier ("登记" alone for "结婚登记"): its most focused texts only
                numbers = heapq.nsmallest(WEAK_OVERLAP_CANDIDATES, numbers, key=self._hanzi_lengths.__getitem__)
            scored = (self._score_hanzi(number, text) for number in numbers)
            self._expand([c for c in scored if c is not None and c[2] == OVERLAP], best, limit)

    def _score_hanzi(self, number: int, text: str) -> _Candidate | None:
        hanzi = self._hanzi[number]
        where = hanzi.find(text)
        if where >= 0:
            if len(hanzi) == len(text):
                return self._candidate(number, EXACT, 1.0)
            return self._candidate(number, SUBSTRING, _coverage_quality(len(text), len(hanzi), where == 0))
        query_chars = set(text)
        char_share = len(query_chars.intersection(hanzi)) / len(query_chars)
        if char_share < OVERLAP_MIN_CHAR_SHARE:
            return None
        bigrams = {text[i:i + 2] for i in range(len(text) - 1)}
        bigram_share = sum(1 for gram in bigrams if gram in hanzi) / len(bigrams)
        field_share = sum(1 for char in hanzi if char in query_chars) / len(hanzi)
        return self._candidate(number, OVERLAP, 0.45 * bigram_share + 0.35 * char_share + 0.2 * field_share)

    # -- pinyin

    def _letters_candidates(self, letters: str, best: _Best, limit: int, via_hanzi: bool = False,
                            label: str = "") -> list[_Candidate]:
        """Pinyin typed by the resident, or (via_hanzi) the pinyin of the hanzi they typed."""
        if not letters:
            return []
        factor = HOMOPHONE_FACTOR if via_hanzi else 1.0
        if len(letters) <= ANCHOR_KEY_LEN and not via_hanzi:
            found = self._hot_or(best, limit, "anchor", letters, self._prefix_candidates)
        else:
            found = self._prefix_candidates(letters, factor, label)
        if len(letters) >= 2 and not via_hanzi:
            found += self._hot_or(best, limit, "initials", letters, self._initials_candidates)
        return found

    def _prefix_candidates(self, letters: str, factor: float = 1.0, label: str = "") -> list[_Candidate]:
        """Texts whose pinyin, from one of its syllable starts, begins with the letters ("shebao", "baozhang")."""
        size = len(letters)
        longer = size > ANCHOR_KEY_LEN
        spellings, ceilings = self._spellings, self._ceilings
        found = []
        for code in self._anchors.get(letters[:ANCHOR_KEY_LEN], ()):
            number = code >> 8
            spelling = spellings[number][code & 3]
            syllable = (code >> 2) & 63
            if longer:   # the key vouches only for the first letters: find a syllable start where all fit
                whole = spelling.letters
                syllable = next((i for i, start in enumerate(spelling.starts) if whole.startswith(letters, start)), -1)
                if syllable < 0:
                    continue
            quality = 0.75 * _syllable_share(spelling, syllable, size) + (0.25 if syllable == 0 else 0.0)
            low, span = ceilings[number][PINYIN]
            penalty = spelling.penalty
            found.append(((low + span * quality - penalty) * factor, number, PINYIN, quality, penalty, factor, label))
        return found

    def _initials_candidates(self, letters: str) -> list[_Candidate]:
        """Texts with the letters as initials of consecutive syllables ("sbk" for 社保卡)."""
        found = []
        for code in self._initials.get(letters[:INITIALS_KEY_LEN], ()):
            number = code >> 8
            spelling = self._spellings[number][code & 3]
            where = (code >> 2) & 63
            if len(letters) > INITIALS_KEY_LEN:
                where = spelling.initials.find(letters)
                if where < 0:
                    continue
            quality = _coverage_quality(len(letters), len(spelling.initials), where == 0)
            found.append(self._candidate(number, INITIALS, quality, spelling.penalty))
        return found

    def _fuzzy_candidates(self, letters: str, via_hanzi: bool) -> list[_Candidate]:
        """Typos in pinyin ("shebaka"): the syllable windows closest by edit similarity."""
        factor = HOMOPHONE_FACTOR if via_hanzi else 1.0
        found = []
        for window, similarity, _ in process.extract(letters, self._fuzzy_choices, scorer=fuzz.ratio,
                                                     processor=None, score_cutoff=FUZZY_CUTOFF, limit=30):
            closeness = (similarity - FUZZY_CUTOFF) / (100.0 - FUZZY_CUTOFF)
            for code in self._fuzzy_targets[window]:
                found.append(self._candidate(code >> 1, FUZZY, 0.8 * closeness + (0.2 if code & 1 else 0.0),
                                             factor=factor))
        return found
