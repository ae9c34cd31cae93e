"""免申即享 rules as data: the condition language, facts from the card at an injected today, strict validation."""
import json
import sqlite3
from datetime import date, datetime, timedelta, timezone

import pytest

from kiosk.benefits import (FACTS, MAX_BENEFITS, MAX_DEPTH, MAX_NODES, BenefitsError, LiveBenefits, age_on,
                            card_facts, evaluate, load_seed, matching, parse_benefits)
from kiosk.events import EventBus
from kiosk.records import Identity
from sync.bundles import BundleRefused, validate_benefits
from sync.events import BundleApplied

CST = timezone(timedelta(hours=8))


def rule(condition) -> dict:
    return {"benefits": [{"id": "b1", "name": "测试补贴", "summary": "按规定标准发放", "department": "区民政局",
                          "next_step": "核实后发放", "rule": condition}]}


def parsed(condition):
    return parse_benefits(rule(condition)).benefits[0].rule


def cmp(fact, op, value) -> dict:
    return {"fact": fact, "op": op, "value": value}


# --- each operator -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("condition, facts, expected", [
    (cmp("age", "eq", 80), {"age": 80}, True),
    (cmp("age", "eq", 80), {"age": 81}, False),
    (cmp("age", "ne", 80), {"age": 81}, True),
    (cmp("age", "lt", 60), {"age": 59}, True),
    (cmp("age", "lt", 60), {"age": 60}, False),
    (cmp("age", "le", 60), {"age": 60}, True),
    (cmp("age", "gt", 60), {"age": 60}, False),
    (cmp("age", "ge", 60), {"age": 60}, True),
    (cmp("age", "in", [70, 80]), {"age": 80}, True),
    (cmp("gender", "eq", "female"), {"gender": "male"}, False),
    (cmp("gender", "in", ["female"]), {"gender": "female"}, True),
    (cmp("area_code", "prefix", "3309"), {"area_code": "330902"}, True),
    (cmp("area_code", "prefix", "3309"), {"area_code": "330102"}, False),
    (cmp("address", "contains", "舟山市"), {"address": "浙江省舟山市定海区环城南路"}, True),
    (cmp("address", "prefix", "浙江省"), {"address": "上海市"}, False),
    (cmp("veteran", "eq", True), {"veteran": True}, True),
    (cmp("veteran", "eq", True), {"veteran": False}, False),
    ({"not": cmp("veteran", "eq", True)}, {"veteran": False}, True),
    ({"all": [cmp("age", "ge", 80), cmp("age", "lt", 90)]}, {"age": 85}, True),
    ({"all": [cmp("age", "ge", 80), cmp("age", "lt", 90)]}, {"age": 90}, False),
    ({"any": [cmp("disability", "eq", True), cmp("age", "ge", 70)]}, {"age": 71}, True),
    ({"any": [cmp("disability", "eq", True), cmp("age", "ge", 70)]}, {"age": 30, "disability": False}, False),
])
def test_each_operator(condition, facts, expected):
    assert evaluate(parsed(condition), facts) is expected


@pytest.mark.parametrize("condition, facts, expected", [
    (cmp("veteran", "eq", True), {}, None),                                   # not answered: unknown
    ({"not": cmp("veteran", "eq", True)}, {}, None),
    ({"all": [cmp("age", "ge", 80), cmp("veteran", "eq", True)]}, {"age": 50}, False),   # one False decides
    ({"all": [cmp("age", "ge", 80), cmp("veteran", "eq", True)]}, {"age": 85}, None),
    ({"any": [cmp("age", "ge", 80), cmp("veteran", "eq", True)]}, {"age": 85}, True),    # one True decides
    ({"any": [cmp("age", "ge", 80), cmp("veteran", "eq", True)]}, {"age": 50}, None),
])
def test_an_unknown_fact_is_never_taken_as_a_match(condition, facts, expected):
    assert evaluate(parsed(condition), facts) is expected


# --- age at the injected today -------------------------------------------------------------------------------

def resident(birth: str = "1946-11-25", **kw) -> Identity:
    fields = dict(source="idcard", name="王海生", id_number="330902194611250012", gender="男", birth_date=birth,
                  address="浙江省舟山市定海区环城南路1号") | kw
    return Identity(**fields)


@pytest.mark.parametrize("now, age", [
    (datetime(2026, 11, 24, 15, 59, tzinfo=timezone.utc), 79),   # 23:59 on the 24th, China time
    (datetime(2026, 11, 24, 16, 0, tzinfo=timezone.utc), 80),    # midnight in China: the 80th birthday
    (datetime(2026, 11, 25, 12, 0, tzinfo=CST), 80),
])
def test_age_turns_on_the_birthday_in_china_time(now, age):
    assert card_facts(resident(), now)["age"] == age


def test_the_80_band_starts_on_the_birthday_and_ends_the_day_before_the_90th():
    band = parsed({"all": [cmp("age", "ge", 80), cmp("age", "lt", 90)]})
    at = lambda day: card_facts(resident(), datetime.combine(day, datetime.min.time(), CST))   # noqa: E731
    assert evaluate(band, at(date(2026, 11, 24))) is False
    assert evaluate(band, at(date(2026, 11, 25))) is True
    assert evaluate(band, at(date(2036, 11, 24))) is True
    assert evaluate(band, at(date(2036, 11, 25))) is False


def test_born_on_29_february_a_year_older_on_1_march():
    assert age_on(date(1944, 2, 29), date(2026, 2, 28)) == 81
    assert age_on(date(1944, 2, 29), date(2026, 3, 1)) == 82
    assert age_on(date(1944, 2, 29), date(2028, 2, 29)) == 84


def test_facts_from_the_id_number_when_the_code_does_not_say_them():
    code = Identity(source="zlb_qr", name="李", id_number="33090219440229002X")
    facts = card_facts(code, datetime(2026, 3, 1, tzinfo=CST))
    assert facts == {"age": 82, "gender": "female", "area_code": "330902"}


def test_no_guessing_from_a_foreign_or_odd_number():
    foreigner = Identity(source="idcard", name="M", id_number="933124198504120019", doc_type="foreigner")
    assert card_facts(foreigner, datetime(2026, 1, 1, tzinfo=CST)) == {}
    odd = Identity(source="sscard", name="M", id_number="3309021946")
    assert card_facts(odd, datetime(2026, 1, 1, tzinfo=CST)) == {}


# --- bad rules are refused, with the reason ------------------------------------------------------------------

def deep(levels: int) -> dict:
    condition = cmp("age", "ge", 60)
    for _ in range(levels - 1):
        condition = {"not": condition}
    return condition


@pytest.mark.parametrize("condition, reason", [
    (cmp("income", "lt", 1000), "unknown fact 'income'"),
    (cmp("age", "between", [60, 70]), "unknown operator 'between'"),
    (cmp("age", "contains", "8"), "operator contains does not apply to age"),
    (cmp("veteran", "ge", True), "operator ge does not apply to veteran"),
    (cmp("age", "ge", "80"), "a value for age is not a valid number"),
    (cmp("age", "ge", True), "a value for age is not a valid number"),
    (cmp("age", "ge", 1e9), "a value for age is not a valid number"),
    (cmp("gender", "eq", "男"), "a value for gender is not a valid enum"),
    (cmp("veteran", "eq", "yes"), "a value for veteran is not a valid bool"),
    (cmp("area_code", "prefix", "33-09"), "a value for area_code is not a valid code"),
    (cmp("age", "in", []), "in needs a list"),
    ({"fact": "age", "op": "ge"}, "unknown condition keys"),
    ({"fact": "age", "op": "ge", "value": 1, "and": 2}, "unknown condition keys"),
    ({"all": []}, "all needs 1..16 conditions"),
    ({"any": [cmp("age", "ge", 1)] * 17}, "any needs 1..16 conditions"),
    ({"all": [cmp("age", "ge", 1)], "any": [cmp("age", "ge", 1)]}, "unknown condition keys"),
    ([cmp("age", "ge", 1)], "a condition is not an object"),
    ({}, "a condition is not an object"),
    (deep(MAX_DEPTH + 1), f"nested deeper than {MAX_DEPTH}"),
    ({"all": [{"all": [cmp("age", "ge", n) for n in range(16)]} for _ in range(4)]},
     f"more than {MAX_NODES} conditions"),
])
def test_a_bad_rule_is_refused_with_a_clear_reason(condition, reason):
    with pytest.raises(BenefitsError) as caught:
        parse_benefits(rule(condition))
    assert "benefit b1" in str(caught.value) and reason in str(caught.value)
    with pytest.raises(BundleRefused, match="benefits invalid"):
        validate_benefits(rule(condition))


def test_the_deepest_allowed_rule_is_accepted():
    assert evaluate(parsed(deep(MAX_DEPTH)), {"age": 60}) is (MAX_DEPTH % 2 == 1)


@pytest.mark.parametrize("change, reason", [
    (lambda d: d.update(benefits={}), "benefits is not a list"),
    (lambda d: d["benefits"].append(dict(d["benefits"][0])), "two benefits share an id"),
    (lambda d: d["benefits"][0].update(id="B 1"), "has no valid id"),
    (lambda d: d["benefits"][0].pop("summary"), "summary is missing"),
    (lambda d: d["benefits"][0].update(name="长" * 41), "name is longer than 40"),
    (lambda d: d["benefits"][0].pop("rule"), "no rule"),
    (lambda d: d["benefits"][0].update(en={"title": "x"}), "en is not an object"),
    (lambda d: d["benefits"][0].update(en={"name": 5}), "en.name is missing"),
    (lambda d: d.update(benefits=d["benefits"] * (MAX_BENEFITS + 1)), f"more than {MAX_BENEFITS}"),
])
def test_a_bad_benefit_is_refused(change, reason):
    data = rule(cmp("age", "ge", 60))
    change(data)
    with pytest.raises(BenefitsError, match=reason):
        parse_benefits(data)


def test_a_refusal_never_repeats_long_or_unprintable_data():
    with pytest.raises(BenefitsError) as caught:
        parse_benefits(rule(cmp("\n330902194611250012 王海生" * 3, "eq", 1)))
    assert "330902194611250012" not in str(caught.value)


# --- the seed and the live swap ------------------------------------------------------------------------------

def test_the_seed_parses_and_asks_only_what_its_rules_use():
    seed = load_seed()
    assert 8 <= len(seed.benefits) <= 12
    assert set(seed.facts()) <= set(FACTS)
    assert seed.facts("declared") == ("disability", "disability_severe", "veteran", "low_income")
    assert all(b.en.get("name") for b in seed.benefits)


def test_the_seed_offers_an_80_year_old_veteran_what_the_plan_means():
    facts = card_facts(resident(), datetime(2026, 12, 1, tzinfo=CST)) | {"veteran": True}
    offered = {b.id for b in matching(load_seed(), facts)}
    assert {"elderly_allowance_80", "senior_bus_pass", "resident_pension_60", "veteran_card"} <= offered
    assert not offered & {"elderly_allowance_90", "women_screening", "disability_care_subsidy"}


def test_english_text_when_given_else_chinese():
    benefit = load_seed().get("veteran_card")
    assert benefit.text("name", "en") == "Veteran's preferential card"
    assert benefit.text("name", "zh") == "退役军人优待证"
    plain = parse_benefits(rule(cmp("age", "ge", 60))).benefits[0]
    assert plain.text("name", "en") == "测试补贴"


class Installed:
    def __init__(self):
        self.payload, self.version, self.fail = None, 0, False

    def __call__(self):
        if self.fail:
            raise sqlite3.OperationalError("database is locked")
        return self.payload, self.version


def test_a_benefits_bundle_replaces_the_seed_and_a_bad_read_keeps_it():
    installed = Installed()
    bus = EventBus()
    live = LiveBenefits(installed)
    bus.subscribe(BundleApplied, live.on_bundle_applied)
    assert live.current.version == "seed" and len(live.current.benefits) >= 8
    installed.payload, installed.version = json.dumps(rule(cmp("veteran", "eq", True))), 3
    bus.publish(BundleApplied("policies", 9))     # another kind: nothing changes
    assert live.current.version == "seed"
    bus.publish(BundleApplied("benefits", 3))
    assert live.current.version == "3" and [b.id for b in live.current.benefits] == ["b1"]
    installed.fail = True
    bus.publish(BundleApplied("benefits", 4))
    assert live.current.version == "3"
