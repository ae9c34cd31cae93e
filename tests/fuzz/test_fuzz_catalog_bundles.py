"""Fuzzing catalogs and bundles: mutated catalogs, a damaged catalog.json, signed bundles of any content.

Properties: `parse_catalog` returns a consistent Catalog or raises CatalogError, never anything else;
`load_best_catalog` always gives the kiosk a catalog (the data dir's, or the seed with a notice); a bundle is
either installed whole or refused with BundleRefused, and a refused one leaves the installed catalog file and
the recorded versions exactly as they were.
"""
from __future__ import annotations

import copy
import json
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from kiosk.catalog import SEED_PATH, Catalog, CatalogError, load_best_catalog, parse_catalog
from local_db.db import open_db
from local_db.sync_state import SyncState
from sync.auth import KeyPair
from sync.bundles import CATALOG_FILE, BundleInstaller, BundleRefused, check_bundle
from sync.hub.keys import sign_bundle
from sync.protocol import BUNDLE_KINDS
from tests.fuzz.budget import HANG_S, examples

pytestmark = pytest.mark.timeout(HANG_S)

KEYS = KeyPair.generate()
OTHER_KEYS = KeyPair.generate()
SEED = json.loads(SEED_PATH.read_text(encoding="utf-8"))


def small_catalog() -> dict:
    """Four seed items, with a theme and a bundle over them: quick to parse, every part of the format present."""
    items = [i for i in SEED["items"] if i.get("form")][:2] + [i for i in SEED["items"] if not i.get("form")][:2]
    ids = [i["id"] for i in items]
    return {"version": "fuzz", "region": SEED["region"], "categories": sorted({i["category"] for i in items}),
            "items": items, "themes": [{"id": "t", "title": "我要", "item_ids": ids[:3], "icon": "x"}],
            "bundles": [{"id": "b", "name": "一件事", "item_ids": ids[1:], "description": "d"}]}


BASE = small_catalog()
JSON_SCALARS = (st.none() | st.booleans() | st.integers(-2**64, 2**64) | st.floats() | st.text(max_size=20)
                | st.just("长" * 5000) | st.just("\u202e\u0000\ufeff"))
JSON_VALUES = st.recursive(JSON_SCALARS, lambda inner: st.lists(inner, max_size=3)
                           | st.dictionaries(st.text(max_size=8), inner, max_size=3), max_leaves=10)


def containers(doc: dict) -> list:
    """Every dict and list inside the catalog, the places a mutation can land."""
    found, stack = [], [doc]
    while stack:
        node = stack.pop()
        found.append(node)
        children = node.values() if isinstance(node, dict) else node if isinstance(node, list) else ()
        stack.extend(c for c in children if isinstance(c, (dict, list)))
    return found


@st.composite
def mutated_catalogs(draw) -> dict:
    doc = copy.deepcopy(BASE)
    for _ in range(draw(st.integers(1, 3), label="mutations")):
        places = containers(doc)
        node = places[draw(st.integers(0, len(places) - 1), label="where")]
        keys = list(node) if isinstance(node, dict) else list(range(len(node)))
        action = draw(st.sampled_from(["drop", "set", "add"]), label="action")
        if action == "drop" and keys:
            del node[draw(st.sampled_from(keys))]
        elif action == "set" and keys:
            node[draw(st.sampled_from(keys))] = draw(JSON_VALUES, label="value")
        elif isinstance(node, dict):
            node[draw(st.text(max_size=10), label="new key")] = draw(JSON_VALUES, label="value")
        else:
            node.append(draw(JSON_VALUES, label="value"))
    return doc


def catalog_or_error(raw) -> Catalog | None:
    try:
        catalog = parse_catalog(raw, source="bundle")
    except CatalogError:
        return None
    for item in catalog.items.values():
        assert all(isinstance(v, str) and v.strip() for v in (item.id, item.name, item.category))
    for group in catalog.themes + catalog.bundles:
        assert all(i in catalog.items for i in group.item_ids)
    return catalog


def with_item(**changes) -> dict:
    doc = copy.deepcopy(BASE)
    doc["items"][0] |= changes
    return doc


def with_theme(**changes) -> dict:
    doc = copy.deepcopy(BASE)
    doc["themes"][0] |= changes
    return doc


# --- the parser --------------------------------------------------------------------------------------------------
def test_the_base_catalog_parses():
    assert len(catalog_or_error(BASE).items) == 4


@given(mutated_catalogs())
@example(with_item(time_limit_days=float("inf")))
@example(with_item(time_limit_days=float("nan")))
@example(with_theme(item_ids=5))
@example(with_theme(item_ids=[["x"]]))
@example(with_theme(item_ids=[{"a": 1}]))
@example(BASE | {"categories": 5})
@example(BASE | {"categories": [{"a": 1}]})
@example(with_item(materials=[["name", "x"]]))
@example(with_item(form=[5]))
def test_a_mutated_catalog_is_a_catalog_or_a_catalog_error(doc):
    catalog_or_error(doc)


@given(JSON_VALUES)
def test_any_json_is_a_catalog_or_a_catalog_error(value):
    catalog_or_error(value)


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("data")


@given(mutated_catalogs().map(lambda d: json.dumps(d, ensure_ascii=False).encode())
       | st.binary(max_size=200) | st.just(b"[" * 5000) | st.just(b"\xef\xbb\xbf{}"))
@example(b'{"items": [{"id": "x", "name": "x", "category": "x", "places": [], "modes": [], "guide": [],'
         b' "time_limit_days": 1e400}]}')
def test_a_damaged_catalog_file_still_leaves_the_kiosk_a_catalog(data_dir, content):
    (data_dir / "catalog.json").write_bytes(content)
    catalog = load_best_catalog(data_dir)
    assert catalog.items and (catalog.source == "data_dir" or catalog.notice)


# --- bundles -------------------------------------------------------------------------------------------------------
PAYLOADS = (mutated_catalogs().map(lambda d: json.dumps(d, ensure_ascii=False)) | JSON_VALUES.map(json.dumps)
            | st.text(max_size=100) | st.just("[" * 5000 + "]" * 5000))


@given(st.sampled_from(sorted(BUNDLE_KINDS)), PAYLOADS)
@example("catalog", "[" * 5000 + "]" * 5000)
@example("config", '{"sync_interval_s": NaN}')
@example("policies", '{"paused_items": {"x": "\\ud800"}}')
def test_a_signed_bundle_of_any_content_is_its_data_or_refused(kind, payload_json):
    bundle = sign_bundle(KEYS, kind, 2, payload_json)
    try:
        check_bundle(bundle, KEYS.public_b64(), installed_version=1)
    except BundleRefused:
        pass


@given(st.sampled_from(sorted(BUNDLE_KINDS)), PAYLOADS, st.integers(-2, 5), st.sampled_from(["", "bad", "other"]))
def test_a_forged_stale_or_unpinned_bundle_is_refused(kind, payload_json, version, how):
    bundle = sign_bundle(KEYS, kind, max(version, 1), payload_json)
    if how == "bad":     # signed over other content
        bundle = replace(bundle, payload_json=payload_json + " ")
        pinned = KEYS.public_b64()
    elif how == "other":
        pinned = OTHER_KEYS.public_b64()
    else:
        pinned = ""
    with pytest.raises(BundleRefused):
        check_bundle(bundle, pinned, installed_version=1)



@pytest.fixture(scope="module")
def kiosk(tmp_path_factory):
    folder = tmp_path_factory.mktemp("kiosk")
    db = open_db(folder / "kiosk.db")
    (folder / CATALOG_FILE).write_text(json.dumps(BASE, ensure_ascii=False), encoding="utf-8")
    yield folder, db
    db.conn.close()


@settings(max_examples=examples(100))
@given(payload_json=PAYLOADS)
@example(payload_json=json.dumps(with_item(time_limit_days=float("inf"))))
def test_a_catalog_bundle_is_installed_whole_or_leaves_the_installed_catalog_alone(kiosk, payload_json):
    folder, db = kiosk
    state = SyncState(db)
    version = state.installed_version("catalog") + 1
    before = (folder / CATALOG_FILE).read_bytes()
    installer = BundleInstaller(state, folder, KEYS.public_b64())
    try:
        installer.install(sign_bundle(KEYS, "catalog", version, payload_json))
    except BundleRefused:
        assert (folder / CATALOG_FILE).read_bytes() == before
        assert state.installed_version("catalog") == version - 1
    else:
        assert (folder / CATALOG_FILE).read_bytes() == payload_json.encode("utf-8")
        assert state.installed_version("catalog") == version
        assert load_best_catalog(folder).source == "data_dir"     # what was installed loads at the next start
    assert not [p for p in folder.iterdir() if p.name.startswith(CATALOG_FILE) and p.name != CATALOG_FILE]
