"""免申即享: benefits whose rules are hub data, checked against the facts a resident allows, Qt-free.

A rule is a small declarative condition over resident facts (`FACTS`):
    {"fact": "age", "op": "ge", "value": 80}
    {"all": [cond, ...]}   {"any": [cond, ...]}   {"not": cond}
Each fact has a type, and each type its operators (`OPS`); a value must be of the fact's type. The bundle is
untrusted hub data: an unknown fact, operator or key, a value of the wrong type, a rule nested deeper than
`MAX_DEPTH` or larger than `MAX_NODES`, and too many or too long texts are refused with a short reason, and
the whole bundle with it (the installed one stays in force).

Evaluation is three-valued: a fact the resident did not give (a question not answered, no birth date on a
浙里办 code) is unknown, and a benefit is offered only when its rule is certainly true. Shape and live swap
follow kiosk/policies.py: sync checks a bundle with `parse_benefits`; `LiveBenefits` re-reads it when sync
says it was applied; the seed `kiosk/data/benefits.json` is in force until one is installed.
"""
from __future__ import annotations

import json
import logging
import re
import sqlite3
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from types import MappingProxyType
from typing import Any, Callable, Mapping, Union

from kiosk.ids import CST
from kiosk.live_bundle import LiveBundle
from kiosk.records import Identity

log = logging.getLogger(__name__)

BENEFITS_BUNDLE = "benefits"
SEED_PATH = Path(__file__).parent / "data" / "benefits.json"

CARD, DECLARED = "card", "declared"   # where a fact comes from: the ID card / code, or the resident's own word


@dataclass(frozen=True)
class FactSpec:
    type: str                       # number | enum | code | text | bool
    source: str                     # CARD | DECLARED
    choices: tuple[str, ...] = ()   # enum only


FACTS: Mapping[str, FactSpec] = MappingProxyType({
    "age": FactSpec("number", CARD),            # 周岁 at the kiosk's today (China time), from the birth date
    "gender": FactSpec("enum", CARD, ("male", "female")),
    "area_code": FactSpec("code", CARD),        # the resident ID number's first 6 digits (行政区划代码)
    "address": FactSpec("text", CARD),          # the card's address: the household registration (户籍地)
    "disability": FactSpec("bool", DECLARED),   # holds a 残疾人证
    "disability_severe": FactSpec("bool", DECLARED),   # its grade is 一级 or 二级
    "veteran": FactSpec("bool", DECLARED),      # 退役军人
    "low_income": FactSpec("bool", DECLARED),   # the household has 低保 or 低保边缘 status
})
OPS: Mapping[str, frozenset[str]] = MappingProxyType({
    "number": frozenset({"eq", "ne", "lt", "le", "gt", "ge", "in"}),
    "enum": frozenset({"eq", "ne", "in"}),
    "code": frozenset({"eq", "ne", "in", "prefix"}),
    "text": frozenset({"contains", "prefix"}),
    "bool": frozenset({"eq"}),
})
ALL_OPS = frozenset().union(*OPS.values())

MAX_BENEFITS = 50
MAX_DEPTH = 6           # nesting of all/any/not
MAX_NODES = 64          # conditions in one rule
MAX_CHILDREN = 16       # in one all/any
MAX_IN = 20             # values in one "in"
MAX_VALUE = 40          # characters of a compared text
MAX_NUMBER = 200
TEXT_LIMITS = {"name": 40, "summary": 300, "department": 60, "next_step": 200}
EN_LIMITS = {"name": 120, "summary": 600, "department": 120, "next_step": 400}
_ID = re.compile(r"[a-z0-9_-]{1,40}")
_CODE = re.compile(r"[0-9]{1,6}")


class BenefitsError(ValueError):
    """`str(exc)` is a short reason naming the benefit id and the problem, never more than a name of the data."""


# --- the condition tree --------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Compare:
    fact: str
    op: str
    value: Any


@dataclass(frozen=True)
class AllOf:
    children: tuple["Condition", ...]


@dataclass(frozen=True)
class AnyOf:
    children: tuple["Condition", ...]


@dataclass(frozen=True)
class Not:
    child: "Condition"


Condition = Union[Compare, AllOf, AnyOf, Not]


def facts_of(condition: Condition) -> frozenset[str]:
    if isinstance(condition, Compare):
        return frozenset({condition.fact})
    if isinstance(condition, Not):
        return facts_of(condition.child)
    return frozenset().union(*(facts_of(c) for c in condition.children))


# --- benefits ------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Benefit:
    id: str
    name: str
    summary: str            # what the resident gets, in plain words
    department: str
    next_step: str          # what happens after 我要享受
    rule: Condition
    en: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))

    def text(self, key: str, language: str) -> str:
        """The English of `key` when asked for and given, else the Chinese."""
        return (self.en.get(key) if language == "en" else None) or getattr(self, key)

    @property
    def facts(self) -> frozenset[str]:
        return facts_of(self.rule)


@dataclass(frozen=True)
class BenefitSet:
    version: str                # "seed" or the bundle version: goes with each claim
    benefits: tuple[Benefit, ...] = ()

    def facts(self, source: str | None = None) -> tuple[str, ...]:
        """Facts some rule uses, in FACTS order (what the consent screen lists and asks)."""
        used = frozenset().union(*(b.facts for b in self.benefits))
        return tuple(f for f in FACTS if f in used and (source is None or FACTS[f].source == source))

    def get(self, benefit_id: str) -> Benefit | None:
        return next((b for b in self.benefits if b.id == benefit_id), None)


def parse_benefits(data: Any, version: str = "seed") -> BenefitSet:
    if not isinstance(data, dict):
        raise BenefitsError("not an object")
    entries = data.get("benefits")
    if not isinstance(entries, list):
        raise BenefitsError("benefits is not a list")
    if len(entries) > MAX_BENEFITS:
        raise BenefitsError(f"more than {MAX_BENEFITS} benefits")
    benefits = tuple(_parse_benefit(entry, n) for n, entry in enumerate(entries))
    ids = [b.id for b in benefits]
    if len(set(ids)) != len(ids):
        raise BenefitsError("two benefits share an id")
    return BenefitSet(version, benefits)


def _parse_benefit(entry: Any, index: int) -> Benefit:
    if not isinstance(entry, dict):
        raise BenefitsError(f"benefit #{index} is not an object")
    benefit_id = entry.get("id")
    if not isinstance(benefit_id, str) or not _ID.fullmatch(benefit_id):
        raise BenefitsError(f"benefit #{index} has no valid id")
    where = f"benefit {benefit_id}"
    texts = {key: _text(entry.get(key), limit, f"{where}: {key}") for key, limit in TEXT_LIMITS.items()}
    en = entry.get("en", {})
    if not isinstance(en, dict) or set(en) - set(EN_LIMITS):
        raise BenefitsError(f"{where}: en is not an object of {'/'.join(EN_LIMITS)}")
    english = {key: _text(value, EN_LIMITS[key], f"{where}: en.{key}") for key, value in en.items()}
    if "rule" not in entry:
        raise BenefitsError(f"{where}: no rule")
    counter = [0]
    rule = _parse_condition(entry["rule"], 1, counter, where)
    return Benefit(benefit_id, **texts, rule=rule, en=MappingProxyType(english))


def _text(value: Any, limit: int, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise BenefitsError(f"{where} is missing")
    if len(value) > limit:
        raise BenefitsError(f"{where} is longer than {limit} characters")
    return value.strip()


def _parse_condition(raw: Any, depth: int, counter: list[int], where: str) -> Condition:
    if depth > MAX_DEPTH:
        raise BenefitsError(f"{where}: rule nested deeper than {MAX_DEPTH}")
    counter[0] += 1
    if counter[0] > MAX_NODES:
        raise BenefitsError(f"{where}: rule has more than {MAX_NODES} conditions")
    if not isinstance(raw, dict) or len(raw) == 0:
        raise BenefitsError(f"{where}: a condition is not an object")
    keys = set(raw)
    if keys in ({"all"}, {"any"}):
        (kind,) = keys
        children = raw[kind]
        if not isinstance(children, list) or not 1 <= len(children) <= MAX_CHILDREN:
            raise BenefitsError(f"{where}: {kind} needs 1..{MAX_CHILDREN} conditions")
        parsed = tuple(_parse_condition(c, depth + 1, counter, where) for c in children)
        return AllOf(parsed) if kind == "all" else AnyOf(parsed)
    if keys == {"not"}:
        return Not(_parse_condition(raw["not"], depth + 1, counter, where))
    if keys == {"fact", "op", "value"}:
        return _parse_compare(raw, where)
    raise BenefitsError(f"{where}: unknown condition keys {_names(keys)}")


def _parse_compare(raw: dict, where: str) -> Compare:
    fact, op, value = raw["fact"], raw["op"], raw["value"]
    spec = FACTS.get(fact) if isinstance(fact, str) else None
    if spec is None:
        raise BenefitsError(f"{where}: unknown fact {_names([fact])}")
    if not isinstance(op, str) or op not in ALL_OPS:
        raise BenefitsError(f"{where}: unknown operator {_names([op])}")
    if op not in OPS[spec.type]:
        raise BenefitsError(f"{where}: operator {op} does not apply to {fact}")
    if op == "in":
        if not isinstance(value, list) or not 1 <= len(value) <= MAX_IN:
            raise BenefitsError(f"{where}: in needs a list of 1..{MAX_IN} values")
        return Compare(fact, op, tuple(_value(v, spec, fact, where) for v in value))
    return Compare(fact, op, _value(value, spec, fact, where))


def _value(value: Any, spec: FactSpec, fact: str, where: str) -> Any:
    if spec.type == "bool":
        if isinstance(value, bool):
            return value
    elif spec.type == "number":
        if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= MAX_NUMBER:
            return value
    elif spec.type == "enum":
        if value in spec.choices:
            return value
    elif spec.type == "code":
        if isinstance(value, str) and _CODE.fullmatch(value):
            return value
    elif isinstance(value, str) and 0 < len(value) <= MAX_VALUE:
        return value
    raise BenefitsError(f"{where}: a value for {fact} is not a valid {spec.type}")


def _names(values) -> str:
    """Untrusted names quoted for a reason: short and printable only."""
    shown = [repr(v)[:24] if isinstance(v, str) and v.isprintable() else type(v).__name__ for v in values]
    return ", ".join(sorted(shown)[:3])


# --- facts and evaluation ------------------------------------------------------------------------------------

Facts = Mapping[str, Any]       # fact name -> value; absent: unknown
_RESIDENT_ID = re.compile(r"[1-9][0-9]{16}[0-9X]")
GENDERS = {"男": "male", "女": "female"}


def age_on(birth: date, today: date) -> int:
    """周岁: whole years; someone born on 29 February turns a year older on 1 March in other years."""
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))


def card_facts(identity: Identity, now: datetime) -> dict[str, Any]:
    """What the card or code tells, for the rules: age at today (China time), gender, area code, address.
    A resident ID number gives birth date, gender and area code when the card or code did not say them."""
    number = identity.id_number.upper()
    resident_number = identity.doc_type == "resident" and _RESIDENT_ID.fullmatch(number) is not None
    facts: dict[str, Any] = {}
    birth = _date(identity.birth_date) or (_date(_iso(number[6:14])) if resident_number else None)
    if birth is not None:
        facts["age"] = age_on(birth, now.astimezone(CST).date())
    gender = GENDERS.get(identity.gender) or (("male" if int(number[16]) % 2 else "female")
                                              if resident_number else None)
    if gender:
        facts["gender"] = gender
    if resident_number:
        facts["area_code"] = number[:6]
    if identity.address.strip():
        facts["address"] = identity.address.strip()
    return facts


def _iso(yyyymmdd: str) -> str:
    return f"{yyyymmdd[:4]}-{yyyymmdd[4:6]}-{yyyymmdd[6:]}"


def _date(text: str) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


def evaluate(condition: Condition, facts: Facts) -> bool | None:
    """True, False, or None when it depends on a fact not given (Kleene's three-valued logic)."""
    if isinstance(condition, Compare):
        return _compare(condition, facts)
    if isinstance(condition, Not):
        inner = evaluate(condition.child, facts)
        return None if inner is None else not inner
    results = [evaluate(c, facts) for c in condition.children]
    decisive = isinstance(condition, AnyOf)     # any: one True decides; all: one False decides
    if decisive in results:
        return decisive
    return None if None in results else not decisive


def _compare(c: Compare, facts: Facts) -> bool | None:
    value = facts.get(c.fact)
    if value is None:
        return None
    if c.op == "eq":
        return value == c.value
    if c.op == "ne":
        return value != c.value
    if c.op == "in":
        return value in c.value
    if c.op == "prefix":
        return str(value).startswith(c.value)
    if c.op == "contains":
        return c.value in str(value)
    return {"lt": value < c.value, "le": value <= c.value, "gt": value > c.value, "ge": value >= c.value}[c.op]


def matching(benefits: BenefitSet, facts: Facts) -> tuple[Benefit, ...]:
    return tuple(b for b in benefits.benefits if evaluate(b.rule, facts) is True)


# --- in force: the seed, then the hub's bundle ---------------------------------------------------------------

def load_seed(path: Path = SEED_PATH) -> BenefitSet:
    """The benefits shipped with the kiosk; none when the file is missing or broken (logged, never fatal)."""
    try:
        return parse_benefits(json.loads(path.read_text(encoding="utf-8")), "seed")
    except (OSError, ValueError) as exc:
        log.error("seed benefits unusable, none offered: %s", exc)
        return BenefitSet("seed")


def benefits_from_json(payload: str | None, version: str, seed: Callable[[], BenefitSet] = load_seed) -> BenefitSet:
    """The installed bundle's benefits; the seed when none is installed or (a damaged database) it is unreadable."""
    if not payload:
        return seed()
    try:
        return parse_benefits(json.loads(payload), version)
    except (ValueError, RecursionError) as exc:
        log.warning("installed benefits bundle unusable, seed in force: %s", exc)
        return seed()


class LiveBenefits(LiveBundle[BenefitSet]):
    """The benefits in force; `on_bundle_applied` is the EventBus listener for sync (as kiosk/policies.py)."""

    kind = BENEFITS_BUNDLE

    def __init__(self, read_installed: Callable[[], tuple[str | None, int]],
                 seed: Callable[[], BenefitSet] = load_seed):
        self.read_installed = read_installed   # (payload, version) of the installed bundle, read on this thread
        self.seed = seed
        super().__init__(self._read() or seed())

    def _in_force(self, benefits: BenefitSet, version: Any) -> None:
        log.info("benefits bundle %s in force: %d benefit(s)", benefits.version, len(benefits.benefits))

    def _read(self) -> BenefitSet | None:
        try:
            payload, version = self.read_installed()
        except sqlite3.Error as exc:
            log.warning("benefits bundle not readable: %s", exc)
            return None
        return benefits_from_json(payload, str(version), self.seed)
