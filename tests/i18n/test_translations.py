"""The English translation is complete and current, ui/ has no Chinese outside the translation system, the pending
.tsv files fold in, and the catalog's optional English parses (and is refused when malformed)."""
from __future__ import annotations

import copy
import json
import sys
from pathlib import Path

import pytest

from kiosk.catalog import SEED_PATH, CatalogError, parse_catalog
from translations import update
from translations.scan import scan_source, scan_tree
from translations.ts import TS_PATH, read_messages

ROOT = Path(__file__).resolve().parents[2]


def test_the_committed_translation_is_complete_and_current():
    """(a) lupdate over today's code, into a copy of the .ts: nothing unfinished, empty or missing, and the
    committed .ts and .qm are what `python -m translations.update` would write."""
    assert update.check() == []


def test_no_chinese_text_in_ui_outside_the_translation_system():
    """(b) Every Chinese literal in ui/ goes through tr()/translate()/QT_TRANSLATE_NOOP (docstrings, comments and
    log messages excepted)."""
    assert [str(f) for f in scan_tree(ROOT)] == []


def test_the_scan_catches_what_it_must_and_only_that():
    source = '''
"""模块说明。"""
import logging
log = logging.getLogger(__name__)
from PySide6.QtCore import QT_TRANSLATE_NOOP

def f(self):
    """函数说明。"""
    log.info("日志里的中文 %s", 1)   # 注释
    ok = self.tr("请稍候")
    noop = QT_TRANSLATE_NOOP("Ctx", "满意")
    name = "中文"   # i18n: as-is
    return self.tr("共{n}项").format(n=3) + "、" + "返回"
'''
    found = [f.text for f in scan_source(source)]
    assert found == ["返回"]   # 、 alone is punctuation, not words


def test_pending_lines_fold_in_by_context_then_by_source(tmp_path):
    ts = tmp_path / "en.ts"
    text = TS_PATH.read_text(encoding="utf-8").replace("<translation>⌂ Home</translation>",
                                                       '<translation type="unfinished"></translation>')
    ts.write_text(text, encoding="utf-8")
    pending = tmp_path / "pending"
    pending.mkdir()
    (pending / "voice.tsv").write_text("Screen\t‹ 返回\tBACK\nNoSuchClass\t⌂ 首页\tHOME\n"
                                       "NoSuchClass\t确认提交\tSEND\n", encoding="utf-8")
    (pending / "qa.tsv").write_text("QaScreen\t这句还不在代码里\tNot in the code yet\n", encoding="utf-8")
    unmatched = update.fold_pending(ts, pending)
    texts = {(m.context, m.source): m.translation for m in read_messages(ts)}
    assert texts[("Screen", "‹ 返回")] == "BACK"
    assert texts[("Screen", "⌂ 首页")] == "HOME"   # no such context: matched by the source alone...
    assert texts[("ConfirmScreen", "确认提交")] == "Submit"   # ...only where nothing was translated yet
    assert [p.source for p in unmatched] == ["这句还不在代码里"]
    assert not (pending / "voice.tsv").exists() and (pending / "qa.tsv").exists()   # kept until its string lands


def _seed() -> dict:
    return json.loads(SEED_PATH.read_text(encoding="utf-8"))


def test_the_seed_catalog_has_english_for_every_theme_category_bundle_and_kiosk_ready_item():
    raw = _seed()
    catalog = parse_catalog(raw)
    english = catalog.english()
    assert all(t.title in english for t in catalog.themes)
    assert all(c in english for c in catalog.categories)
    assert all(b.name in english for b in catalog.bundles)
    reachable = {i for group in (*catalog.themes, *catalog.bundles) for i in group.item_ids}
    for item in catalog.items.values():
        if item.kiosk_ready or item.id in reachable:
            assert item.name in english, item.id
        if item.kiosk_ready:
            assert all(f.label in english and all(c in english for c in f.choices) for f in item.form), item.id
    assert english["社会保障卡申领"] == "Apply for a social security card"


def test_catalogs_without_english_stay_valid():
    raw = _seed()
    raw.pop("en")
    for entry in raw["items"]:
        entry.pop("en", None)
    assert parse_catalog(raw).english() == {}


@pytest.mark.parametrize("breakage", [
    lambda raw: raw["items"][0].__setitem__("en", "English"),
    lambda raw: raw["items"][0].__setitem__("en", {"guide": ["only one step"]}),
    lambda raw: raw["items"][0].__setitem__("en", {"name": ""}),
    lambda raw: raw["en"]["themes"].__setitem__("no_such_theme", "Nothing"),
    lambda raw: next(i for i in raw["items"] if i.get("form"))["en"].__setitem__("fields", {"nokey": {"label": "x"}}),
], ids=["not-an-object", "guide-length", "empty-name", "unknown-theme", "unknown-field"])
def test_malformed_english_refuses_the_catalog(breakage):
    raw = copy.deepcopy(_seed())
    breakage(raw)
    with pytest.raises(CatalogError):
        parse_catalog(raw)


def test_a_hub_bundle_with_malformed_english_is_refused():
    from sync.bundles import BundleRefused, validate_catalog

    raw = _seed()
    raw["en"]["categories"] = ["not", "a", "map"]
    with pytest.raises(BundleRefused):
        validate_catalog(raw)


def test_the_debian_package_ships_the_translation():
    """The .deb stages the files git tracks (installer/build_deb.py app_files): the .qm is committed, not built."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("build_deb", ROOT / "installer" / "build_deb.py")
    build_deb = importlib.util.module_from_spec(spec)
    sys.modules["build_deb"] = build_deb   # its dataclasses look their module up
    try:
        spec.loader.exec_module(build_deb)
    finally:
        del sys.modules["build_deb"]
    shipped = set(build_deb.app_files(ROOT))
    assert {"translations/zhoudaoban_en.qm", "translations/zhoudaoban_en.ts", "translations/ts.py",
            "ui/i18n.py", "kiosk/catalog_english.py"} <= shipped
