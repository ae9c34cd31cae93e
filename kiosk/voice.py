"""What the voice guide says: screen text → an utterance espeak-ng reads well. Qt-free.

espeak-ng's Mandarin voice reads Hanzi poorly and tone digits in English; its `cmn-latn-pinyin` voice reads pinyin
with tone digits correctly (DEVICES.md). So Chinese becomes pinyin (pypinyin TONE3, neutral tone 5, our own
readings for place names and polyphones it gets wrong), numbers are read the way people say them (codes and phone
numbers digit by digit, amounts and counts as numbers, years digit by digit), Latin letters are spelled by the
English voice, punctuation becomes pauses and symbols (‹ ⌂ › ★) are dropped. English text goes to `en-us`.
The result is SSML with one <voice> element per run (espeak-ng forgets the `-latn-pinyin` variant after a switch).

Only screen guidance reaches this module; `scrub` still drops anything shaped like an ID number or a mobile number.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import Iterator
from xml.sax.saxutils import escape

ZH_VOICE = "cmn-latn-pinyin"
EN_VOICE = "en-us"

# Readings pypinyin gets wrong for this kiosk's words (checked against pypinyin 0.5x): Zhoushan place names, 还.
PHRASES = {
    "长岛": "chang2 dao3", "长白": "chang2 bai2", "长峙": "chang2 zhi4", "长涂": "chang2 tu2", "干览": "gan4 lan3",
    "还款": "huan2 kuan3", "还贷": "huan2 dai4", "归还": "gui1 huan2", "退还": "tui4 huan2",
}
_PHRASE_RE = re.compile("|".join(sorted(map(re.escape, PHRASES), key=len, reverse=True)))

DIGITS_ZH = ("ling2", "yi1", "er4", "san1", "si4", "wu3", "liu4", "qi1", "ba1", "jiu3")
CODE_DIGITS_ZH = ("ling2", "yao1", *DIGITS_ZH[2:])   # 1 is 幺 in phone and receipt numbers, so 1 and 7 differ
SMALL_UNITS = ("", "shi2", "bai3", "qian1")
BIG_UNITS = ("", "wan4", "yi4")
MEASURES = "个项份张天位次种步周件"         # 2 before these is 两
UNITS_AFTER = "元万亿人个项份张天位次种步周件岁页分秒小米号"   # a long number before these is an amount, not a code
MONTHS_EN = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
             "November", "December")

PAUSE_MS = {"stop": 450, "comma": 250, "tiny": 120}
_STOPS = set("。！？.!?；;\n…")
_COMMAS = set("，,、：:（）()—")
_SPACES = set(" \t\u3000")

_HAN = r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff〇]"
_TOKEN = re.compile(
    rf"(?P<han>{_HAN}+)"
    r"|(?P<word>[A-Za-z]+(?:['’][A-Za-z]+)+)"
    r"|(?P<num>[￥¥]?[A-Za-z0-9]+(?:[-/:.][A-Za-z0-9]+)*%?)"
    r"|(?P<punct>.)", re.S)
_ID_NUMBER = re.compile(r"(?<!\d)\d{17}[\dXx](?![\dA-Za-z])")
_MOBILE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")


@dataclass(frozen=True)
class Segment:
    kind: str          # "zh" (pinyin with tone digits), "en" (English words or spelled letters) or "pause"
    text: str = ""
    ms: int = 0


@dataclass(frozen=True)
class Utterance:
    source: str                  # the guidance as shown (never personal data)
    language: str
    segments: tuple[Segment, ...]

    @property
    def empty(self) -> bool:
        return not any(s.kind != "pause" for s in self.segments)

    def ssml(self) -> str:
        parts = []
        for seg in self.segments:
            if seg.kind == "pause":
                parts.append(f'<break time="{seg.ms}ms"/>')
            else:
                voice = ZH_VOICE if seg.kind == "zh" else EN_VOICE
                parts.append(f'<voice name="{voice}">{escape(seg.text)}</voice>')
        return "<speak>" + "".join(parts) + "</speak>"

    def key(self, rate_wpm: int) -> str:
        """The cache key: what espeak-ng is asked to say, at which speed."""
        return hashlib.sha256(f"{rate_wpm}\n{self.ssml()}".encode()).hexdigest()


def scrub(text: str) -> str:
    """Drop anything shaped like an ID number or a mobile number (a guard: screens should never pass them)."""
    return _MOBILE.sub("", _ID_NUMBER.sub("", text))


def utterance(text: str, language: str = "zh") -> Utterance:
    english = language == "en"
    segments: list[Segment] = []
    source = scrub(text)
    for match in _TOKEN.finditer(source):
        kind, token = match.lastgroup, match.group()
        if kind == "han":
            segments.append(Segment("zh", han_pinyin(token)))
        elif kind == "word":
            segments.append(Segment("en", token if english else spell(re.sub(r"\W", "", token))))
        elif kind == "num":
            after = source[match.end():match.end() + 1]
            segments.extend(number_en(token) if english else number_zh(token, after))
        else:
            segments.extend(_punct(token, english))
    return Utterance(text, language, _merge(segments))


def _punct(char: str, english: bool) -> list[Segment]:
    if char in _STOPS:
        return [Segment("pause", ms=PAUSE_MS["stop"])]
    if char in _COMMAS:
        return [Segment("pause", ms=PAUSE_MS["comma"])]
    if char in _SPACES:
        return [Segment("en", " ")] if english else [Segment("pause", ms=PAUSE_MS["tiny"])]
    return []   # symbols, quotes and emoji say nothing


def _merge(segments: list[Segment]) -> tuple[Segment, ...]:
    merged: list[Segment] = []
    for seg in segments:
        if seg.kind != "pause" and not seg.text.strip():
            if seg.text and merged and merged[-1].kind == "en":   # keep the space between English words
                merged[-1] = Segment("en", merged[-1].text + " ")
            continue
        if merged and merged[-1].kind == seg.kind:
            last = merged[-1]
            merged[-1] = (Segment("pause", ms=max(last.ms, seg.ms)) if seg.kind == "pause"
                          else Segment(seg.kind, _join(last.text, seg.text)))
        else:
            merged.append(seg)
    while merged and merged[0].kind == "pause":
        merged.pop(0)
    while merged and merged[-1].kind == "pause":
        merged.pop()
    return tuple(Segment(s.kind, s.text.strip(), s.ms) for s in merged)


def _join(left: str, right: str) -> str:
    return left + right if left.endswith(" ") else f"{left} {right}"


# --- Chinese ---------------------------------------------------------------------------------------------------
def han_pinyin(run: str) -> str:
    """Hanzi → pinyin syllables with tone digits (neutral tone 5), our phrase readings first."""
    from pypinyin import Style, lazy_pinyin   # its dictionaries load on first use, off the GUI thread

    out, start = [], 0
    for match in _PHRASE_RE.finditer(run):
        out += lazy_pinyin(run[start:match.start()], style=Style.TONE3, neutral_tone_with_five=True)
        out.append(PHRASES[match.group()])
        start = match.end()
    out += lazy_pinyin(run[start:], style=Style.TONE3, neutral_tone_with_five=True)
    return " ".join(syllable for syllable in out if syllable)


def cardinal_zh(n: int) -> list[str]:
    """An integer as Mandarin says it: 10 十, 105 一百零五, 20300 两万零三百 (with 二 for 2), up to 亿."""
    if n == 0:
        return ["ling2"]
    sections = []
    while n:
        sections.append(n % 10000)
        n //= 10000
    out: list[str] = []
    zero_pending = False
    for index in range(len(sections) - 1, -1, -1):
        section = sections[index]
        if section == 0:
            zero_pending = bool(out)
            continue
        if out and (zero_pending or section < 1000):
            out.append("ling2")
        out += _section_zh(section) + ([BIG_UNITS[index]] if BIG_UNITS[index] else [])
        zero_pending = False
    if out[:2] == ["yi1", "shi2"]:   # 十二, not 一十二, at the start
        out = out[1:]
    return out


def _section_zh(n: int) -> list[str]:
    out: list[str] = []
    zero = False
    for pos in (3, 2, 1, 0):
        digit = n // 10 ** pos % 10
        if digit == 0:
            zero = bool(out)
            continue
        if zero:
            out.append("ling2")
            zero = False
        out.append(DIGITS_ZH[digit])
        if pos:
            out.append(SMALL_UNITS[pos])
    return out


def number_zh(token: str, after: str = "") -> list[Segment]:
    """A number or code: amounts and counts as numbers, years, codes and phone numbers digit by digit."""
    prefix = ["yuan2"] if token[0] in "￥¥" else []
    token = token.lstrip("￥¥")
    percent = token.endswith("%")
    token = token.rstrip("%")
    said = _number_words_zh(token, after)
    if said is None:
        return _code_zh(token)
    if percent:
        said = ["bai3", "fen1", "zhi1", *said]
    if prefix:
        said = said + prefix
    return [Segment("zh", " ".join(said))]


def _number_words_zh(token: str, after: str) -> list[str] | None:
    if re.fullmatch(r"\d{4}[-/]\d{1,2}[-/]\d{1,2}", token):
        year, month, day = re.split(r"[-/]", token)
        return [*_digits(year, DIGITS_ZH), "nian2", *cardinal_zh(int(month)), "yue4", *cardinal_zh(int(day)), "ri4"]
    if re.fullmatch(r"\d{1,2}:\d{2}", token):
        hour, minute = map(int, token.split(":"))
        return [*cardinal_zh(hour), "dian3", *(cardinal_zh(minute) + ["fen1"] if minute else ["zheng3"])]
    if re.fullmatch(r"\d{1,3}-\d{1,3}", token) and not any(p.startswith("0") for p in token.split("-")):
        low, high = token.split("-")
        return [*cardinal_zh(int(low)), "zhi4", *cardinal_zh(int(high))]
    if re.fullmatch(r"\d+\.\d+", token) and not token.startswith("0") or re.fullmatch(r"0\.\d+", token):
        whole, fraction = token.split(".")
        return [*cardinal_zh(int(whole)), "dian3", *_digits(fraction, DIGITS_ZH)]
    if not token.isdigit():
        return None
    if after == "年":
        return _digits(token, DIGITS_ZH)
    if token == "0" or not token.startswith("0") and (len(token) <= 4 or after and after in UNITS_AFTER):
        if token == "2" and after and after in MEASURES:
            return ["liang3"]
        return cardinal_zh(int(token))
    return None


def _digits(text: str, names: tuple[str, ...]) -> list[str]:
    return [names[int(c)] for c in text]


def _code_zh(token: str) -> list[Segment]:
    """A receipt number, phone number or code: letters spelled in English, digits one by one (幺 for 1)."""
    out: list[Segment] = []
    for piece in re.findall(r"[A-Za-z]+|\d+|.", token):
        if piece.isdigit():
            out.append(Segment("zh", " ".join(_digits(piece, CODE_DIGITS_ZH))))
        elif piece.isalpha():
            out.append(Segment("en", spell(piece)))
        else:
            out.append(Segment("pause", ms=PAUSE_MS["tiny"]))
    return out


def spell(letters: str) -> str:
    return " ".join(letters.upper())


# --- English ---------------------------------------------------------------------------------------------------
def number_en(token: str) -> list[Segment]:
    """English: espeak-ng reads plain numbers and words well; codes and long digit runs are read one by one."""
    money = token[0] in "￥¥"
    token = token.lstrip("￥¥")
    date = re.fullmatch(r"(\d{4})[-/](\d{1,2})[-/](\d{1,2})", token)
    if date and 1 <= int(date.group(2)) <= 12:
        return [Segment("en", f"{MONTHS_EN[int(date.group(2)) - 1]} {int(date.group(3))}, {date.group(1)}")]
    if re.fullmatch(r"[A-Za-z]+", token):
        return [Segment("en", spell(token) if token.isupper() and len(token) <= 4 else token)]
    plain = re.fullmatch(r"(?:[1-9]\d{0,6}|0)(?:\.\d+)?%?|\d{1,2}:\d{2}|\d{1,3}-\d{1,3}", token)
    if plain:
        said = token.replace("-", " to ")
        return [Segment("en", f"{said} yuan" if money else said)]
    return [Segment("en", _spell_code_en(piece)) if piece not in "-/:." else Segment("pause", ms=PAUSE_MS["tiny"])
            for piece in re.findall(r"[A-Za-z]+|\d+|.", token)]


def _spell_code_en(piece: str) -> str:
    return " ".join(piece.upper()) if piece.isdigit() or piece.isupper() or len(piece) <= 3 else piece


def words(utt: Utterance) -> Iterator[str]:
    """The spoken words in order (tests and logs of shape, never of content)."""
    for seg in utt.segments:
        if seg.kind != "pause":
            yield from seg.text.split()
