"""Loading and validating the service catalog.

The seeded catalog ships inside the package (kiosk/data/catalog.json); a newer one may sit in the data
directory (synced later). A corrupt or missing file never leaves the kiosk empty: `load_best_catalog` falls back
to the seed and says why, so the UI can show a notice and the technician can see the reason.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from kiosk.catalog_english import EnglishError, english_texts
from kiosk.records import Audience, Bundle, FormField, Material, Mode, Place, ServiceItem, Theme

SEED_PATH = Path(__file__).parent / "data" / "catalog.json"


class CatalogError(Exception):
    """The catalog file is missing, unreadable or inconsistent. The message is for technicians' eyes."""


@dataclass(frozen=True)
class Catalog:
    version: str
    items: dict[str, ServiceItem]
    themes: tuple[Theme, ...]
    bundles: tuple[Bundle, ...]
    categories: tuple[str, ...]
    source: str = "seed"
    notice: str = ""   # non-empty when a fallback happened: shown to staff, not blocking residents
    english_texts: dict[str, str] = field(default_factory=dict, repr=False, compare=False)   # 中文 -> English
    _by_category: dict[str, tuple[ServiceItem, ...]] = field(default_factory=dict, repr=False, compare=False)

    def english(self) -> dict[str, str]:
        """The catalog's optional English, Chinese text -> English text (kiosk/catalog_english.py)."""
        return self.english_texts

    def get(self, item_id: str) -> ServiceItem | None:
        return self.items.get(item_id)

    def in_category(self, category: str) -> tuple[ServiceItem, ...]:
        if not self._by_category:
            grouped: dict[str, list[ServiceItem]] = {}
            for item in self.items.values():
                grouped.setdefault(item.category, []).append(item)
            self._by_category.update({k: tuple(v) for k, v in grouped.items()})
        return self._by_category.get(category, ())

    def theme_items(self, theme: Theme) -> tuple[ServiceItem, ...]:
        return tuple(self.items[i] for i in theme.item_ids if i in self.items)

    def related_items(self, item: ServiceItem) -> tuple[ServiceItem, ...]:
        return tuple(self.items[i] for i in item.related if i in self.items)

    def bundle(self, bundle_id: str) -> Bundle | None:
        return next((b for b in self.bundles if b.id == bundle_id), None)

    def bundle_items(self, bundle: Bundle) -> tuple[ServiceItem, ...]:
        return tuple(self.items[i] for i in bundle.item_ids if i in self.items)


def load_catalog(path: Path | str = SEED_PATH, source: str = "seed") -> Catalog:
    try:
        raw = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise CatalogError(f"catalog file not found: {path}") from exc
    except (OSError, ValueError, RecursionError) as exc:   # ValueError: not UTF-8, not JSON, a 5000-digit number
        raise CatalogError(f"catalog file unreadable: {path}: {str(exc)[:200]}") from exc
    return parse_catalog(raw, source=source)


def load_best_catalog(data_dir: Path | None) -> Catalog:
    """The data directory's catalog if it is sound, else the seed with a notice explaining the fallback."""
    if data_dir is not None:
        candidate = Path(data_dir) / "catalog.json"
        if candidate.exists():
            try:
                return load_catalog(candidate, source="data_dir")
            except CatalogError as exc:
                seed = load_catalog(SEED_PATH)
                return _with_notice(seed, f"已改用内置事项目录（本地目录损坏）: {exc}")
    return load_catalog(SEED_PATH)


def empty_catalog(notice: str) -> Catalog:
    """No usable catalog at all (a damaged installation): the kiosk stays up, says so, and still syncs."""
    return Catalog("none", {}, (), (), (), source="none", notice=notice)


def _with_notice(catalog: Catalog, notice: str) -> Catalog:
    return Catalog(catalog.version, catalog.items, catalog.themes, catalog.bundles, catalog.categories,
                   source=catalog.source, notice=notice, english_texts=catalog.english_texts)


def parse_catalog(raw: object, source: str = "seed") -> Catalog:
    if not isinstance(raw, dict) or not isinstance(raw.get("items"), list):
        raise CatalogError("catalog must be an object with an 'items' list")
    items: dict[str, ServiceItem] = {}
    for index, entry in enumerate(raw["items"]):
        item = _parse_item(entry, index)
        if item.id in items:
            raise CatalogError(f"duplicate item id {item.id!r}")
        items[item.id] = item
    if not items:
        raise CatalogError("catalog has no items")
    for key in ("themes", "bundles"):
        if not isinstance(raw.get(key, []), list):
            raise CatalogError(f"'{key}' must be a list")
    themes = tuple(_parse_group(Theme, t, items, "themes", "title") for t in raw.get("themes", []))
    bundles = tuple(_parse_bundle(b, items) for b in raw.get("bundles", []))
    categories = raw.get("categories") or sorted({i.category for i in items.values()})
    if not isinstance(categories, list) or not all(isinstance(c, str) for c in categories):
        raise CatalogError("'categories' must be a list of text")
    categories = tuple(categories)
    try:
        english = english_texts(raw, items, themes, bundles)
    except EnglishError as exc:
        raise CatalogError(str(exc)) from exc
    return Catalog(str(raw.get("version", "unknown")), items, themes, bundles, categories, source=source,
                   english_texts=english)


def _parse_item(entry: object, index: int) -> ServiceItem:
    if not isinstance(entry, dict):
        raise CatalogError(f"item #{index} is not an object")
    where = f"item #{index} ({entry.get('id', '?')})"
    try:
        return ServiceItem(
            id=_text(entry, "id", where),
            name=_text(entry, "name", where),
            category=_text(entry, "category", where),
            audience=Audience(entry.get("audience", "个人")),
            places=tuple(Place(p) for p in entry["places"]),
            modes=tuple(Mode(m) for m in entry["modes"]),
            materials=tuple(Material(**m) for m in entry.get("materials", [])),
            time_limit_days=int(entry.get("time_limit_days", 0)),
            fee=str(entry.get("fee", "免费")),
            guide=tuple(str(s) for s in entry["guide"]),
            keywords=tuple(entry.get("keywords", [])),
            synonyms=tuple(entry.get("synonyms", [])),
            related=tuple(entry.get("related", [])),
            form=tuple(_parse_field(f) for f in entry.get("form", [])),
            department=str(entry.get("department", "")),
            follow_up=str(entry.get("follow_up", "")),
            urgent=bool(entry.get("urgent", False)),
            **_deferral_terms(entry, where),
        )
    except CatalogError:
        raise
    except (KeyError, TypeError, ValueError, OverflowError) as exc:   # OverflowError: int(Infinity)
        raise CatalogError(f"{where}: bad or missing field: {exc}") from exc


MAX_DEFER_DAYS = 365


def _deferral_terms(entry: dict, where: str) -> dict:
    """容缺受理 (optional): only listed, required materials may be deferred, always with a deadline."""
    names = entry.get("deferrable_materials", [])
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        raise CatalogError(f"{where}: 'deferrable_materials' must be a list of material names")
    listed = {m.get("name") for m in entry.get("materials", []) if isinstance(m, dict) and not m.get("optional")}
    unlisted = [n for n in names if n not in listed]
    if unlisted:
        raise CatalogError(f"{where}: deferrable materials are not required materials of the item: {unlisted}")
    days = entry.get("defer_days", 0)
    if type(days) is not int or not (0 < days <= MAX_DEFER_DAYS if names else days == 0):
        raise CatalogError(f"{where}: 'defer_days' must be 1..{MAX_DEFER_DAYS} with deferrable materials, else 0")
    return {"deferrable_materials": tuple(dict.fromkeys(names)), "defer_days": days,
            "defer_self": entry.get("defer_self", False) is True}


def _parse_bundle(entry: object, items: dict) -> Bundle:
    """A 一件事 bundle; with `shared_form` it is filed as one application (kiosk/one_thing.py)."""
    if isinstance(entry, dict) and "shared_form" in entry:
        fields = entry["shared_form"]
        if not isinstance(fields, list) or not all(isinstance(f, dict) for f in fields):
            raise CatalogError(f"bundles {entry.get('id')!r}: 'shared_form' must be a list of fields")
        try:
            shared = tuple(_parse_field(f) for f in fields)
        except (TypeError, ValueError) as exc:
            raise CatalogError(f"bundles {entry.get('id')!r}: bad shared field: {exc}") from exc
        keys = [f.key for f in shared]
        if len(set(keys)) != len(keys) or any(not k or "/" in k for k in keys):
            raise CatalogError(f"bundles {entry.get('id')!r}: shared field keys must be unique, without '/'")
        if entry.get("id") in items:   # filed as one, the bundle's id stands where an item id would
            raise CatalogError(f"bundles {entry.get('id')!r}: the id is also an item's")
        entry = dict(entry, shared_form=shared)
    return _parse_group(Bundle, entry, items, "bundles", "name")


def _parse_field(entry: dict) -> FormField:
    data = dict(entry)
    data["choices"] = tuple(data.get("choices", ()))
    return FormField(**data)


def _parse_group(cls, entry: object, items: dict, kind: str, title_key: str):
    if not isinstance(entry, dict):
        raise CatalogError(f"{kind} entry {entry!r:.40} is not an object")
    item_ids = entry.get("item_ids", [])
    if not isinstance(item_ids, list) or not all(isinstance(i, str) for i in item_ids):
        raise CatalogError(f"{kind} {entry.get('id')!r}: 'item_ids' must be a list of item ids")
    unknown = [i for i in item_ids if i not in items]
    if unknown:
        raise CatalogError(f"{kind} {entry.get('id')!r} names unknown items: {unknown}")
    try:
        data = dict(entry)
        data["item_ids"] = tuple(data["item_ids"])
        return cls(**data)
    except (KeyError, TypeError) as exc:
        raise CatalogError(f"{kind} entry {entry.get(title_key, '?')!r}: {exc}") from exc


def _text(entry: dict, key: str, where: str) -> str:
    value = entry.get(key)
    if not isinstance(value, str) or not value.strip():
        raise CatalogError(f"{where}: '{key}' must be non-empty text")
    return value
