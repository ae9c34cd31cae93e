"""The catalog's optional English (Qt-free): the hub publishes it with the catalog, the kiosk shows it to a resident
who chose English and falls back to the Chinese wherever it is missing. The Chinese stays the official text: what
is filed, validated, printed on receipts and sent to the hub is always the Chinese.

Per item, `"en": {"name", "guide": [...], "materials": [...], "fee", "follow_up", "department",
"fields": {"<key>": {"label", "choices": [...]}}}` (lists parallel to the Chinese ones). For the rest, one block at
the top, which catalogs without it and kiosks that predate it both ignore: `"en": {"categories": {"<中文>": "..."},
"themes": {"<id>": "<title>"}, "bundles": {"<id>": {"name", "description", "fields": {...}}}}`.
Everything is optional; a wrong shape refuses the catalog like any other inconsistency.
"""
from __future__ import annotations

from typing import Any, Callable

from kiosk.records import Bundle, FormField, ServiceItem, Theme


class EnglishError(ValueError):
    """The English of a catalog entry is malformed (the message names where)."""


def _text(value: Any, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise EnglishError(f"{where}: English text must be non-empty text")
    return value


def _block(value: Any, where: str) -> dict:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise EnglishError(f"{where}: 'en' must be an object")
    return value


def _parallel(zh: tuple[str, ...], en: Any, where: str, add: Callable[[str, str], None]) -> None:
    if en is None:
        return
    if not isinstance(en, list) or len(en) != len(zh):
        raise EnglishError(f"{where}: must be a list as long as the Chinese one ({len(zh)})")
    for chinese, english in zip(zh, en):
        add(chinese, _text(english, where))


def _fields(form: tuple[FormField, ...], en: Any, where: str, add: Callable[[str, str], None]) -> None:
    by_key = {f.key: f for f in form if isinstance(f.key, str)}
    for key, spec in _block(en, where).items():
        field = by_key.get(key)
        if field is None:
            raise EnglishError(f"{where}: no form field {key!r}")
        spec = _block(spec, f"{where}.{key}")
        if "label" in spec:
            add(field.label, _text(spec["label"], f"{where}.{key}.label"))
        _parallel(field.choices, spec.get("choices"), f"{where}.{key}.choices", add)


def english_texts(raw: dict, items: dict[str, ServiceItem], themes: tuple[Theme, ...],
                  bundles: tuple[Bundle, ...]) -> dict[str, str]:
    """Chinese text -> English text for everything the catalog translates."""
    pairs: dict[str, str] = {}

    def add(chinese: Any, english: str) -> None:
        if not isinstance(chinese, str):   # the Chinese side is hub data too: a list or number is no text to match
            raise EnglishError("an English text translates something that is not text")
        pairs[chinese] = english

    for entry in raw.get("items", []):
        item_id = entry.get("id") if isinstance(entry, dict) else None
        item = items.get(item_id) if isinstance(item_id, str) else None
        if item is None or "en" not in entry:
            continue
        where = f"item {item.id} en"
        en = _block(entry["en"], where)
        for key in ("name", "fee", "follow_up", "department"):
            if key in en:
                add(getattr(item, key), _text(en[key], f"{where}.{key}"))
        _parallel(item.guide, en.get("guide"), f"{where}.guide", add)
        _parallel(tuple(m.name for m in item.materials), en.get("materials"), f"{where}.materials", add)
        _fields(item.form, en.get("fields"), f"{where}.fields", add)
    top = _block(raw.get("en"), "catalog en")
    for chinese, english in _block(top.get("categories"), "en.categories").items():
        add(_text(chinese, "en.categories"), _text(english, f"en.categories.{chinese}"))
    by_theme = {t.id: t for t in themes if isinstance(t.id, str)}
    for theme_id, title in _block(top.get("themes"), "en.themes").items():
        if theme_id not in by_theme:
            raise EnglishError(f"en.themes: no theme {theme_id!r}")
        add(by_theme[theme_id].title, _text(title, f"en.themes.{theme_id}"))
    by_bundle = {b.id: b for b in bundles if isinstance(b.id, str)}
    for bundle_id, en in _block(top.get("bundles"), "en.bundles").items():
        bundle = by_bundle.get(bundle_id)
        if bundle is None:
            raise EnglishError(f"en.bundles: no bundle {bundle_id!r}")
        en = _block(en, f"en.bundles.{bundle_id}")
        if "name" in en:
            add(bundle.name, _text(en["name"], f"en.bundles.{bundle_id}.name"))
        if "description" in en and bundle.description:
            add(bundle.description, _text(en["description"], f"en.bundles.{bundle_id}.description"))
        _fields(bundle.shared_form, en.get("fields"), f"en.bundles.{bundle_id}.fields", add)
    return pairs
