"""Resident search: each kind of match on a small fixture catalog, relevance on the seeded catalog, scale on a
generated 10,000-item catalog (results must equal those of an exhaustive ranking), garbage input and the CLI."""
from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
from pathlib import Path

import pytest

from kiosk.catalog import SEED_PATH, load_catalog
from kiosk.records import Audience, Mode, Place, ServiceItem
from kiosk.search import QUERY_LIMIT, SearchHit, SearchIndex, parse_query, spellings_of

ROOT = Path(__file__).resolve().parents[2]


def make_item(number: int, name: str, keywords: tuple[str, ...] = (), synonyms: tuple[str, ...] = ()) -> ServiceItem:
    return ServiceItem(id=f"T{number:03d}", name=name, category="测试", audience=Audience.PERSON,
                       places=(Place.STATION,), modes=(Mode.GUIDE,), materials=(), time_limit_days=0, fee="免费",
                       guide=("到窗口办理",), keywords=keywords, synonyms=synonyms)


FIXTURE = (
    make_item(1, "社会保障卡申领", ("社保", "社会保障卡"), ("社保卡", "市民卡", "办社保卡")),
    make_item(2, "社会保障卡挂失", ("社保", "挂失"), ("社保卡丢了", "社保卡挂失")),
    make_item(3, "义务教育阶段新生入学", ("入学", "小学", "初中"), ("孩子上学", "上小学")),
    make_item(4, "残疾人证新办", ("残疾", "残联"), ("残疾证", "办残疾证")),
    make_item(5, "残疾人证注销", ("残疾",), ("残疾证注销",)),
    make_item(6, "居民身份证换领", ("身份证", "户籍"), ("身份证到期", "换身份证")),
    make_item(7, "生育登记", ("生育", "二孩"), ("准生证", "生孩子")),
    make_item(8, "城乡居民基本养老保险参保登记", ("养老保险", "社保", "农保"), ("交养老保险",)),
    make_item(9, "职工正常退休（职）申请", ("退休", "养老金"), ("退休金", "办退休")),
    make_item(10, "异地就医备案", ("医保", "转诊"), ("异地就医", "外地看病")),
    make_item(11, "结婚登记", ("婚姻",), ("领结婚证",)),
    make_item(12, "离婚登记", ("婚姻",), ("离婚",)),
    make_item(13, "长峙岛渡轮月票办理", ("渡轮", "船票"), ()),
    make_item(14, "渔船登记", (), ()),
    make_item(15, "海洋捕捞许可", ("渔船",), ()),
    make_item(16, "高龄津贴申领", ("高龄", "补贴"), ("80岁补贴", "老年补贴")),
)


@pytest.fixture(scope="module")
def fixture_index() -> SearchIndex:
    return SearchIndex.build(FIXTURE)


def top(index: SearchIndex, query: str, limit: int = 20) -> SearchHit:
    hits = index.search(query, limit)
    assert hits, f"no result for {query!r}"
    return hits[0]


def names(index: SearchIndex, query: str, limit: int = 20) -> list[str]:
    return [hit.name for hit in index.search(query, limit)]


# ------------------------------------------------------------------------------------------- each kind of match


def test_exact_name_scores_100(fixture_index):
    hit = top(fixture_index, "结婚登记")
    assert (hit.item_id, hit.score, hit.matched) == ("T011", 100.0, "name")


def test_name_substring(fixture_index):
    hit = top(fixture_index, "结婚")
    assert (hit.name, hit.matched) == ("结婚登记", "name")


def test_synonym_exact(fixture_index):
    hit = top(fixture_index, "孩子上学")
    assert (hit.name, hit.matched, hit.matched_text) == ("义务教育阶段新生入学", "synonym", "孩子上学")


def test_keyword_only(fixture_index):
    hit = top(fixture_index, "残联")
    assert (hit.name, hit.matched) == ("残疾人证新办", "keyword")


def test_name_match_outranks_keyword_match(fixture_index):
    assert names(fixture_index, "渔船")[:2] == ["渔船登记", "海洋捕捞许可"]


def test_character_overlap_when_nothing_contains_the_query(fixture_index):
    hit = top(fixture_index, "社保卡丢失")
    assert (hit.name, hit.matched) == ("社会保障卡挂失", "overlap")


@pytest.mark.parametrize("query", ["shebaoka", "she bao ka", "SheBaoKa", "ｓｈｅｂａｏｋａ"])
def test_full_pinyin_with_or_without_spaces(fixture_index, query):
    hit = top(fixture_index, query)
    assert (hit.name, hit.matched, hit.matched_text) == ("社会保障卡申领", "pinyin", "社保卡")


def test_pinyin_prefix_while_typing(fixture_index):
    assert top(fixture_index, "shebao").name == "社会保障卡申领"
    assert top(fixture_index, "canji").name == "残疾人证新办"
    assert top(fixture_index, "yidijiu").name == "异地就医备案"


def test_pinyin_coverage_counts_syllables_not_letters():
    # yanxu is shorter than shenling, but "gaolingjintie" covers four of six syllables of both names.
    twins = [make_item(1, "高龄津贴延续"), make_item(2, "高龄津贴申领")]
    assert names(SearchIndex.build(twins), "gaolingjintie") == ["高龄津贴申领", "高龄津贴延续"]


def test_pinyin_from_a_syllable_inside_the_name(fixture_index):
    hit = top(fixture_index, "jiuyibeian")
    assert (hit.name, hit.matched) == ("异地就医备案", "pinyin")


def test_initials(fixture_index):
    hit = top(fixture_index, "sbk")
    assert (hit.name, hit.matched, hit.matched_text) == ("社会保障卡申领", "initials", "社保卡")
    assert top(fixture_index, "sfz").name == "居民身份证换领"


def test_homophone_typo_in_chinese(fixture_index):
    hit = top(fixture_index, "社宝卡")
    assert (hit.name, hit.matched, hit.matched_text) == ("社会保障卡申领", "homophone", "社保卡")
    assert top(fixture_index, "残疾正").name == "残疾人证新办"


def test_direct_match_outranks_the_same_match_through_a_homophone(fixture_index):
    assert top(fixture_index, "社保卡").score > top(fixture_index, "社宝卡").score


def test_latin_typo(fixture_index):
    hit = top(fixture_index, "shebaka")
    assert (hit.name, hit.matched) == ("社会保障卡申领", "fuzzy")
    assert top(fixture_index, "canjizehng").name == "残疾人证新办"


def test_polyphonic_character_read_the_other_way(fixture_index):
    # Phrase rules read 长峙 "zhang zhi"; islanders say "chang zhi". Both must find the item.
    for query in ("changzhi", "zhangzhi", "czd"):
        hit = top(fixture_index, query)
        assert (hit.name, hit.matched) == ("长峙岛渡轮月票办理", "initials" if query == "czd" else "pinyin")
    assert spellings_of("长峙岛")[0].letters == "zhangzhidao"


@pytest.mark.parametrize("query, expected", [
    ("残疾证怎么办", "残疾人证新办"),
    ("我要办社保卡？", "社会保障卡申领"),
    ("请问结婚登记要什么材料", "结婚登记"),
    ("异地就医去哪里办理", "异地就医备案"),
    ("如何办理退休", "职工正常退休（职）申请"),
    ("woyao shebaoka", "社会保障卡申领"),
    ("我要 shebaoka", "社会保障卡申领"),
])
def test_filler_words_are_ignored(fixture_index, query, expected):
    assert top(fixture_index, query).name == expected


def test_mixed_hanzi_and_pinyin(fixture_index):
    assert top(fixture_index, "社保ka").name == "社会保障卡申领"


def test_digits_count_with_hanzi(fixture_index):
    assert top(fixture_index, "80岁").name == "高龄津贴申领"


def test_primary_action_wins_a_tie():
    # Same synonym, same name length, cancelling listed first: a resident asking for one wants to get one.
    twins = [make_item(1, "残疾人证注销", (), ("残疾证",)), make_item(2, "残疾人证新办", (), ("残疾证",))]
    assert names(SearchIndex.build(twins), "残疾证") == ["残疾人证新办", "残疾人证注销"]


def test_ties_fall_back_to_shorter_name_then_catalog_order():
    twins = [make_item(1, "渡轮月票办理（老人）", ("渡轮",)), make_item(2, "渡轮月票办理（学生）", ("渡轮",)),
             make_item(3, "渡轮月票", ("渡轮",))]
    index = SearchIndex.build(twins)
    assert [hit.item_id for hit in index.search("渡轮")] == ["T003", "T001", "T002"]


def test_ranking_is_sorted_limited_and_deterministic(fixture_index):
    hits = fixture_index.search("s", limit=5)
    assert len(hits) == 5
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    assert hits == fixture_index.search("s", limit=5) == SearchIndex.build(FIXTURE).search("s", limit=5)
    assert fixture_index.search("sbk", limit=0) == []


def test_hits_are_frozen_records(fixture_index):
    hit = top(fixture_index, "sbk")
    with pytest.raises(dataclasses.FrozenInstanceError):
        hit.score = 0  # type: ignore[misc]
    assert 0 < hit.score <= 100


def test_builds_from_a_catalog_a_mapping_or_items():
    catalog = load_catalog(SEED_PATH) if SEED_PATH.exists() else None
    by_id = {item.id: item for item in FIXTURE}
    assert len(SearchIndex.build(by_id)) == len(SearchIndex.build(list(FIXTURE))) == len(FIXTURE)
    if catalog is not None:
        assert len(SearchIndex.build(catalog)) == len(catalog.items)


# ------------------------------------------------------------------------------------------- garbage input


@pytest.mark.parametrize("query", ["", "   ", "\t\n", "　", "？？！", "😀😀😀", "\x00\x07\x1b\x7f\u200b"])
def test_input_without_letters_digits_or_hanzi_gives_nothing(fixture_index, query):
    assert fixture_index.search(query) == []


@pytest.mark.parametrize("query", [
    "社" * 10_000, "sbk" * 4_000, "😀" * 10_000, "\x00" * 10_000, "社保卡\x00\x07😀" * 2_000,
    "".join(chr(c) for c in range(0x20, 0x3000)), "\ud800\udfff" * 100, "\x1b[2J\x1b[31m社保\x1b[0m", "怎么办", "我要",
])
def test_huge_or_garbage_input_is_cut_down_and_does_not_crash(fixture_index, query):
    parsed = parse_query(query)
    assert len(parsed.hanzi) <= QUERY_LIMIT and len(parsed.letters) <= QUERY_LIMIT
    assert isinstance(fixture_index.search(query), list)


def test_non_text_query_gives_nothing(fixture_index):
    assert fixture_index.search(None) == []  # type: ignore[arg-type]


# ------------------------------------------------------------------------------------------- the seeded catalog

needs_seed = pytest.mark.skipif(not SEED_PATH.exists(), reason="seed catalog kiosk/data/catalog.json not written yet")


@pytest.fixture(scope="module")
def seed():
    catalog = load_catalog(SEED_PATH)
    return catalog, SearchIndex.build(catalog)


def seed_id(catalog, name: str) -> str:
    matches = [item.id for item in catalog.items.values() if item.name == name]
    assert len(matches) == 1, f"the seed catalog should hold exactly one item named {name!r}"
    return matches[0]


MUST_HAVE = ("社会保障卡申领", "社会保障卡挂失", "义务教育阶段新生入学", "残疾人证新办", "居民身份证换领", "生育登记",
             "城乡居民基本养老保险参保登记", "职工正常退休（职）申请", "异地就医备案", "无犯罪记录证明开具",
             "户籍证明开具", "老年人优待证办理", "高龄津贴申领", "结婚登记")


@needs_seed
@pytest.mark.parametrize("name", MUST_HAVE)
def test_seed_every_must_have_item_is_found_by_its_name(seed, name):
    catalog, index = seed
    hit = top(index, name)
    assert (hit.item_id, hit.score) == (seed_id(catalog, name), 100.0)


@needs_seed
@pytest.mark.parametrize("query, expected", [
    ("孩子上学", "义务教育阶段新生入学"),
    ("残疾证怎么办", "残疾人证新办"),
    ("残疾证", "残疾人证新办"),
    ("shebaoka", "社会保障卡申领"),
    ("she bao ka", "社会保障卡申领"),
    ("社宝卡", "社会保障卡申领"),
    ("我要办社保卡", "社会保障卡申领"),
    ("老年卡", "老年人优待证办理"),
    ("yidi jiuyi", "异地就医备案"),
    ("yidijiuyi", "异地就医备案"),
    ("异地就医", "异地就医备案"),
    ("准生证", "生育登记"),
    ("无犯罪证明", "无犯罪记录证明开具"),
    ("户口证明", "户籍证明开具"),
    ("高龄补贴", "高龄津贴申领"),
])
def test_seed_top_hit(seed, query, expected):
    catalog, index = seed
    assert top(index, query).item_id == seed_id(catalog, expected), names(index, query, 5)


@needs_seed
@pytest.mark.parametrize("query", ["sbk", "shebao", "shebaka"])
def test_seed_social_security_card_comes_first(seed, query):
    _, index = seed
    assert top(index, query).name.startswith("社会保障卡"), names(index, query, 5)


@needs_seed
def test_seed_id_card_initials(seed):
    _, index = seed
    assert top(index, "sfz").name.startswith("居民身份证"), names(index, "sfz", 5)


@needs_seed
def test_seed_marriage_in_top_three(seed):
    catalog, index = seed
    assert seed_id(catalog, "结婚登记") in [hit.item_id for hit in index.search("结婚", 3)]


@needs_seed
def test_seed_pension_money(seed):
    # The seed lists "退休金" as a synonym of two pension-payment items and only as a keyword of the retirement
    # application, so those two rank first; the retirement application must still be in view.
    catalog, index = seed
    hits = index.search("退休金", 5)
    assert seed_id(catalog, "职工正常退休（职）申请") in [hit.item_id for hit in hits]
    assert all("退休" in hit.matched_text for hit in hits)


# ------------------------------------------------------------------------------------------- scale


@pytest.fixture(scope="module")
def big_index() -> SearchIndex:
    from bench.gen_catalog import generate_items
    base = list(load_catalog(SEED_PATH).items.values()) if SEED_PATH.exists() else list(FIXTURE)
    return SearchIndex.build(generate_items(base, 10_000))


@pytest.mark.parametrize("query", ["s", "sh", "sheb", "shebaoka", "sbk", "证", "社保", "残疾证怎么办", "残疾证怎",
                                   "结婚登记", "shebaka", "社宝卡", "申请", "lao", "laonianka"])
def test_scale_early_stopping_gives_the_exhaustive_ranking(big_index, query):
    # limit=20 uses build-time rankings of common keys and stops expanding early; an unlimited search does neither.
    assert big_index.search(query, 20) == big_index.search(query, 100_000)[:20]


def test_scale_relevance_holds(big_index):
    assert len(big_index) == 10_000
    assert top(big_index, "sbk").name.startswith(("社会保障卡", "社保"))
    assert "残疾人证" in top(big_index, "残疾证怎么办").name


# ------------------------------------------------------------------------------------------- command line


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "kiosk", *args], cwd=ROOT, capture_output=True, text=True,
                          encoding="utf-8", timeout=120)


@needs_seed
def test_cli_search_json():
    result = run_cli("search", "sbk", "--json")
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)
    assert rows and set(rows[0]) == {"id", "name", "score"}
    assert rows[0]["name"].startswith("社会保障卡")
    assert "\\u" not in result.stdout   # Chinese printed as is


@needs_seed
def test_cli_search_text_and_limit():
    result = run_cli("search", "残疾证怎么办", "--limit", "2")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 2 and "残疾人证新办" in lines[0]


def test_cli_custom_catalog(tmp_path):
    catalog = {"items": [{"id": "x.1", "name": "渔船登记", "category": "渔业海洋", "places": ["station"],
                          "modes": ["导办"], "guide": ["带上船舶证书到窗口"], "synonyms": ["船登记"]}]}
    path = tmp_path / "catalog.json"
    path.write_text(json.dumps(catalog, ensure_ascii=False), encoding="utf-8")
    result = run_cli("search", "yuchuan", "--json", "--catalog", str(path))
    assert result.returncode == 0, result.stderr
    assert [row["id"] for row in json.loads(result.stdout)] == ["x.1"]


@pytest.mark.parametrize("content", ['{"items": [', "[]", '{"items": []}', '{"items": [{"id": "a"}]}',
                                     '{"items": [{"id": "a", "name": "b", "category": "c", "places": ["station"], '
                                     '"modes": ["导办"], "guide": []}], "themes": ["x"]}'])
def test_cli_corrupt_catalog_exits_2(tmp_path, content):
    path = tmp_path / "catalog.json"
    path.write_text(content, encoding="utf-8")
    result = run_cli("search", "sbk", "--catalog", str(path))
    assert result.returncode == 2
    assert "catalog" in result.stderr and "Traceback" not in result.stderr


def test_cli_missing_catalog_exits_2(tmp_path):
    result = run_cli("search", "sbk", "--catalog", str(tmp_path / "nowhere.json"))
    assert result.returncode == 2 and "not found" in result.stderr
