"""The seeded service catalog (kiosk/data/catalog.json) and the loader's failure handling."""
import copy
import json
import re

import pytest

from kiosk.catalog import SEED_PATH, CatalogError, load_best_catalog, load_catalog, parse_catalog
from kiosk.records import Audience, Mode, Place

PLACE_ORDER = [Place.STATION, Place.TOWN, Place.DISTRICT]
PREFILLS = {"", "name", "id_number", "address", "phone"}
KINDS = {"text", "phone", "choice", "number", "date"}
# Where a resident can be sent when the terminal cannot finish the job.
PLACE_WORDS = ("定海区行政服务中心", "便民服务中心", "派出所", "医院", "卫生院", "登记处", "殡仪馆", "公证处", "银行",
               "学校", "窗口", "车管所", "登记点", "营业厅", "4S店", "服务中心", "服务站", "出入境")

# Standard item names the other modules (search relevance, themes, bundles) rely on, with their ids.
MUST_HAVE = {
    "hu.sfz_renew": "居民身份证换领",
    "sb.sbk_apply": "社会保障卡申领",
    "yl.cx_reg": "城乡居民基本养老保险参保登记",
    "hy.birth_reg": "生育登记",
    "cj.new": "残疾人证新办",
    "hy.marry": "结婚登记",
    "jy.enroll": "义务教育阶段新生入学",
    "yb.info_change": "基本医疗保险参保信息变更",
    "yb.yidi": "异地就医备案",
    "zm.no_crime": "无犯罪记录证明开具",
    "zm.hj_proof": "户籍证明开具",
    "yl.retire": "职工正常退休（职）申请",
    "yl.elder_card": "老年人优待证办理",
    "yl.gaoling": "高龄津贴申领",
    "mz.dibao": "最低生活保障申请",
    "cj.two_subsidy": "困难残疾人生活补贴和重度残疾人护理补贴申请",
    "ty.card": "退役军人优待证申领",
    "jye.emp_reg": "就业登记",
    "jye.unemp_reg": "失业登记",
    "jye.unemp_benefit": "失业保险金申领",
    "sb.flex_reg": "灵活就业人员参保登记",
    "bdc.query": "不动产登记资料查询",
    "jt.license_renew": "机动车驾驶证换证",
    "qy.company_set": "企业设立登记",
    "qy.gt_set": "个体工商户设立登记",
    "yy.crew_renew": "渔业船员证书换发",
    "sb.sbk_loss": "社会保障卡挂失",
    "sb.cert_print": "个人社会保险参保证明查询打印",
    "sb.rights_print": "社会保险个人权益记录查询打印",
    "yb.cert_print": "基本医疗保险参保凭证打印",
    "zm.res_proof": "居住证明开具",
    "gjj.deposit_proof": "住房公积金个人缴存证明打印",
    "sw.iit_record": "个人所得税纳税记录开具",
}

# How residents actually say it: each phrase must be listed on the item (search builds on these).
RESIDENT_PHRASES = {
    "sb.sbk_apply": ["社保卡", "办社保卡", "市民卡"],
    "jy.enroll": ["孩子上学", "小学报名", "初中报名"],
    "cj.new": ["残疾证", "办残疾证", "残疾证怎么办"],
    "yl.elder_card": ["老年卡", "老人优待证"],
    "yl.retire": ["退休", "办退休"],
    "yl.cx_benefit": ["退休金", "养老金"],
    "yl.pay_print": ["退休金", "养老金"],
    "zm.no_crime": ["无犯罪证明"],
    "hy.marry": ["领结婚证"],
    "yb.yidi": ["外地看病"],
    "mz.dibao": ["低保"],
}

CATEGORIES = {"户籍", "社保", "医保", "养老", "残疾人", "退役军人", "教育", "就业", "婚育", "不动产", "交通", "企业开办",
              "民政救助", "公积金", "税务", "卫生健康", "渔业海洋", "证明开具"}

BUNDLE_NAMES = {"助残一件事", "救助一件事", "退休一件事", "出生一件事", "身后一件事", "就业创业一件事", "入学一件事"}
THEME_TITLES = {"我要开证明", "我要退休", "我要生孩子", "我要上学", "我要找工作", "我要结婚", "我要看病报销", "我要办残疾证",
                "我要开公司", "我要买房卖房", "我要落户迁户", "我要领补贴", "我要出海捕鱼", "我要养老"}


@pytest.fixture(scope="module")
def seed():
    return load_catalog()


@pytest.fixture(scope="module")
def raw():
    return json.loads(SEED_PATH.read_text(encoding="utf-8"))


def _mini(raw, *ids):
    """A small valid raw catalog made of copies of seed items, with related links cut."""
    by_id = {i["id"]: i for i in raw["items"]}
    items = []
    for item_id in ids:
        item = copy.deepcopy(by_id[item_id])
        item["related"] = []
        items.append(item)
    return {"version": "test", "categories": sorted({i["category"] for i in items}), "items": items,
            "themes": [], "bundles": []}


# --------------------------------------------------------------------------- the seed itself

def test_seed_loads_cleanly(seed):
    assert seed.version == "2026.11.1"
    assert seed.source == "seed" and seed.notice == ""
    assert len(seed.items) >= 200


def test_every_category_is_listed_and_has_a_fair_share(seed):
    assert CATEGORIES <= set(seed.categories)
    assert len(set(seed.categories)) == len(seed.categories)
    for category in seed.categories:
        assert len(seed.in_category(category)) >= 6, category
    assert {item.category for item in seed.items.values()} <= set(seed.categories)


def test_both_audiences_present(seed):
    audiences = [item.audience for item in seed.items.values()]
    assert audiences.count(Audience.PERSON) >= 150
    assert audiences.count(Audience.LEGAL) >= 20


def test_at_least_35_items_are_kiosk_ready(seed):
    ready = [item for item in seed.items.values() if item.kiosk_ready]
    assert len(ready) >= 35
    # and they span the services a terminal is for, not one corner of the catalog
    assert len({item.category for item in ready}) >= 12


def test_kiosk_ready_forms_are_usable(seed):
    for item in seed.items.values():
        if not item.kiosk_ready:
            continue
        assert 2 <= len(item.form) <= 5, item.id
        keys = [f.key for f in item.form]
        assert len(keys) == len(set(keys)), item.id
        for f in item.form:
            assert re.fullmatch(r"[a-z_]+", f.key), (item.id, f.key)
            assert f.label and f.kind in KINDS and f.prefill in PREFILLS, (item.id, f.key)
            if f.kind == "choice":
                assert len(f.choices) >= 1, (item.id, f.key)
            if f.prefill == "phone":
                assert f.kind == "phone", (item.id, f.key)
        # who is applying comes from the card or the 浙里办 code, not from typing
        assert any(f.prefill == "name" for f in item.form), item.id


def test_forms_only_where_the_resident_fills_them_in(seed):
    for item in seed.items.values():
        self_here = Mode.SELF in item.modes and Place.STATION in item.places
        assert bool(item.form) == self_here, item.id


def test_ids_are_ascii_slugs_and_names_unique(seed):
    for item_id in seed.items:
        assert re.fullmatch(r"[a-z]+\.[a-z0-9_]+", item_id), item_id
    names = [item.name for item in seed.items.values()]
    assert len(names) == len(set(names))


def test_all_references_resolve(seed):
    for item in seed.items.values():
        assert 1 <= len(item.related) <= 4, item.id
        for other in item.related:
            assert other in seed.items and other != item.id, (item.id, other)
    for theme in seed.themes:
        assert theme.item_ids and all(i in seed.items for i in theme.item_ids), theme.id
    for bundle in seed.bundles:
        assert all(i in seed.items for i in bundle.item_ids), bundle.id


def test_guides_and_materials(seed):
    for item in seed.items.values():
        assert 3 <= len(item.guide) <= 6, item.id
        assert all(step.strip() for step in item.guide), item.id
        # every item says what to bring, or says plainly that nothing is needed
        assert item.materials or any("不用带" in s or "无需" in s for s in item.guide), item.id
        assert item.fee and item.time_limit_days >= 0, item.id
        assert item.department and item.follow_up, item.id
        assert item.keywords and item.synonyms, item.id


def test_places_nearest_first_and_modes_known(seed):
    for item in seed.items.values():
        assert item.places and item.modes, item.id
        assert list(item.places) == sorted(item.places, key=PLACE_ORDER.index), item.id
        assert len(set(item.modes)) == len(item.modes), item.id


def test_items_not_done_here_tell_the_resident_where_to_go(seed):
    for item in seed.items.values():
        if item.kiosk_ready:
            continue
        text = "".join(item.guide)
        words = PLACE_WORDS + (("本站",) if Place.STATION in item.places else ())
        assert any(w in text for w in words), item.id
        if Place.STATION not in item.places:
            assert "本站" not in text, item.id


def test_marriage_registration_is_guidance_only_at_the_district(seed):
    marry = seed.get("hy.marry")
    assert marry.places == (Place.DISTRICT,)
    assert marry.modes == (Mode.GUIDE,)
    assert not marry.kiosk_ready
    assert any("婚姻登记处" in s for s in marry.guide)
    assert any("身份证" in s for s in marry.guide)


def test_e_licences_are_marked(seed):
    e_names = ("居民身份证", "户口簿", "结婚证", "残疾人证", "社会保障卡", "机动车驾驶证")
    marked = 0
    for item in seed.items.values():
        for material in item.materials:
            if material.name in e_names:
                assert material.e_licence, (item.id, material.name)
                marked += 1
    assert marked >= 100


def test_must_have_items_exist_under_their_ids(seed):
    for item_id, name in MUST_HAVE.items():
        item = seed.get(item_id)
        assert item is not None, item_id
        assert item.name == name


def test_resident_phrasing_is_listed(seed):
    for item_id, phrases in RESIDENT_PHRASES.items():
        findable = set(seed.get(item_id).synonyms) | set(seed.get(item_id).keywords)
        for phrase in phrases:
            assert phrase in findable, (item_id, phrase)


def test_typical_terminal_items_are_kiosk_ready(seed):
    for item_id in ("sb.cert_print", "sb.rights_print", "yb.cert_print", "yb.yidi", "yl.cx_reg", "sb.flex_reg",
                    "sb.sbk_loss", "yl.gaoling", "yl.elder_card", "zm.res_proof", "zm.hj_proof", "gjj.deposit_proof",
                    "sw.iit_record", "zm.no_crime", "jye.unemp_reg"):
        assert seed.get(item_id).kiosk_ready, item_id


def test_themes(seed):
    assert len(seed.themes) >= 12
    titles = {t.title for t in seed.themes}
    assert THEME_TITLES <= titles
    ids = [t.id for t in seed.themes]
    assert len(ids) == len(set(ids))
    for theme in seed.themes:
        assert theme.title.startswith("我要"), theme.id
        assert re.fullmatch(r"[a-z_]+", theme.id) and re.fullmatch(r"[a-z-]+", theme.icon), theme.id
        assert len(theme.item_ids) >= 3, theme.id
    fishing = next(t for t in seed.themes if t.title == "我要出海捕鱼")
    assert all(seed.get(i).category in ("渔业海洋", "交通") for i in fishing.item_ids)


def test_bundles(seed):
    assert len(seed.bundles) >= 6
    assert BUNDLE_NAMES <= {b.name for b in seed.bundles}
    for bundle in seed.bundles:
        assert bundle.name.endswith("一件事"), bundle.id
        assert 3 <= len(bundle.item_ids) <= 6, bundle.id
        assert len(set(bundle.item_ids)) == len(bundle.item_ids), bundle.id
        assert len(bundle.description) >= 20, bundle.id


# --------------------------------------------------------------------------- loader failures

def test_missing_file_raises_with_path(tmp_path):
    missing = tmp_path / "nope" / "catalog.json"
    with pytest.raises(CatalogError) as info:
        load_catalog(missing)
    assert "not found" in str(info.value) and str(missing) in str(info.value)


def test_corrupt_json_raises_with_path(tmp_path):
    broken = tmp_path / "catalog.json"
    broken.write_text('{"items": [ {"id": ', encoding="utf-8")
    with pytest.raises(CatalogError) as info:
        load_catalog(broken)
    assert "unreadable" in str(info.value) and str(broken) in str(info.value)


def test_non_utf8_file_raises(tmp_path):
    broken = tmp_path / "catalog.json"
    broken.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(CatalogError):
        load_catalog(broken)


def test_parse_accepts_a_small_valid_catalog(raw):
    catalog = parse_catalog(_mini(raw, "sb.sbk_apply", "hy.marry"))
    assert set(catalog.items) == {"sb.sbk_apply", "hy.marry"}


def test_parse_rejects_missing_field(raw):
    data = _mini(raw, "sb.sbk_apply", "hy.marry")
    del data["items"][1]["guide"]
    with pytest.raises(CatalogError) as info:
        parse_catalog(data)
    assert "hy.marry" in str(info.value) and "guide" in str(info.value)


def test_parse_rejects_empty_name(raw):
    data = _mini(raw, "sb.sbk_apply")
    data["items"][0]["name"] = "  "
    with pytest.raises(CatalogError, match="name"):
        parse_catalog(data)


def test_parse_rejects_unknown_place(raw):
    data = _mini(raw, "sb.sbk_apply")
    data["items"][0]["places"] = ["station", "harbour"]
    with pytest.raises(CatalogError) as info:
        parse_catalog(data)
    assert "sb.sbk_apply" in str(info.value)


def test_parse_rejects_unknown_mode(raw):
    data = _mini(raw, "sb.sbk_apply")
    data["items"][0]["modes"] = ["自助办", "代办"]
    with pytest.raises(CatalogError):
        parse_catalog(data)


def test_parse_rejects_duplicate_id(raw):
    data = _mini(raw, "sb.sbk_apply", "hy.marry")
    data["items"][1]["id"] = "sb.sbk_apply"
    with pytest.raises(CatalogError, match="duplicate item id"):
        parse_catalog(data)


def test_parse_rejects_theme_naming_unknown_item(raw):
    data = _mini(raw, "sb.sbk_apply", "hy.marry")
    data["themes"] = [{"id": "marry", "title": "我要结婚", "item_ids": ["hy.marry", "hy.no_such_item"], "icon": "rings"}]
    with pytest.raises(CatalogError) as info:
        parse_catalog(data)
    assert "hy.no_such_item" in str(info.value)


def test_parse_rejects_bundle_naming_unknown_item(raw):
    data = _mini(raw, "sb.sbk_apply", "hy.marry")
    data["bundles"] = [{"id": "x", "name": "某一件事", "item_ids": ["ghost.item"], "description": ""}]
    with pytest.raises(CatalogError, match="ghost.item"):
        parse_catalog(data)


def test_parse_rejects_non_catalog_shapes():
    for bad in ([], {"items": {}}, {"items": []}, {"items": ["not an object"]}):
        with pytest.raises(CatalogError):
            parse_catalog(bad)


# --------------------------------------------------------------------------- choosing the catalog to run with

def test_best_catalog_falls_back_to_seed_on_corrupt_override(tmp_path, seed):
    (tmp_path / "catalog.json").write_text("{not json", encoding="utf-8")
    catalog = load_best_catalog(tmp_path)
    assert catalog.source == "seed"
    assert catalog.notice and "catalog" in catalog.notice
    assert set(catalog.items) == set(seed.items)


def test_best_catalog_falls_back_to_seed_on_inconsistent_override(tmp_path, raw):
    data = _mini(raw, "sb.sbk_apply")
    data["themes"] = [{"id": "t", "title": "我要办", "item_ids": ["missing.item"], "icon": ""}]
    (tmp_path / "catalog.json").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    catalog = load_best_catalog(tmp_path)
    assert catalog.source == "seed" and "missing.item" in catalog.notice


def test_best_catalog_uses_a_valid_override(tmp_path, raw):
    data = _mini(raw, "sb.sbk_apply", "hy.marry")
    data["version"] = "2027.01.1"
    (tmp_path / "catalog.json").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    catalog = load_best_catalog(tmp_path)
    assert catalog.source == "data_dir" and catalog.notice == ""
    assert catalog.version == "2027.01.1"
    assert set(catalog.items) == {"sb.sbk_apply", "hy.marry"}


def test_best_catalog_without_override_is_the_seed(tmp_path, seed):
    for data_dir in (tmp_path, None):
        catalog = load_best_catalog(data_dir)
        assert catalog.source == "seed" and catalog.notice == ""
        assert len(catalog.items) == len(seed.items)


@pytest.mark.parametrize("groups", [{"themes": ["x"]}, {"bundles": [3]}, {"themes": {"a": 1}}])
def test_malformed_theme_or_bundle_entries_are_catalog_errors(groups):
    raw = json.loads(SEED_PATH.read_text(encoding="utf-8")) | groups
    with pytest.raises(CatalogError):
        parse_catalog(raw)
