"""一件事: a bundle of items filed as one application, with the shared data entered once.

The bundle is presented to the flow as one ServiceItem (`as_item`): its form is the bundle's shared fields, then
each item's own fields that the shared ones do not cover, keyed "<item id>/<field key>". So identification,
prefill, field checks, consent and 容缺受理 work as for any item; the store's payload splits the answers back per
item (local_db/store.py `bundle_items`): every item gets the shared answers plus its own.
"""
from __future__ import annotations

from dataclasses import replace

from kiosk.catalog import Catalog
from kiosk.records import Audience, Bundle, BundlePart, Mode, Place, ServiceItem

SEP = "/"
CATEGORY = "一件事"


def can_file(catalog: Catalog, bundle: Bundle, by_agent: bool) -> bool:
    """Filed as one only when the catalog gives shared fields and every item may be filed by this person: the
    resident alone needs every item 自助办; an agent files 帮办 items too (for the district to process)."""
    items = catalog.bundle_items(bundle)
    if not bundle.shared_form or len(items) != len(bundle.item_ids):
        return False
    allowed = (Mode.SELF, Mode.AGENT) if by_agent else (Mode.SELF,)
    return all(any(m in item.modes for m in allowed) for item in items)


def as_item(catalog: Catalog, bundle: Bundle) -> ServiceItem:
    items = catalog.bundle_items(bundle)
    shared = {f.key for f in bundle.shared_form}
    extras = tuple(replace(f, key=f"{item.id}{SEP}{f.key}", label=f"{item.name}：{f.label}")
                   for item in items for f in item.form if f.key not in shared)
    materials = tuple({m.name: m for item in items for m in item.materials}.values())
    self_too = all(Mode.SELF in item.modes for item in items)
    return ServiceItem(
        id=bundle.id, name=bundle.name, category=CATEGORY, audience=Audience.PERSON, places=(Place.STATION,),
        modes=(Mode.SELF, Mode.AGENT) if self_too else (Mode.AGENT,), materials=materials,
        time_limit_days=max((i.time_limit_days for i in items), default=0), fee=_fee(items),
        guide=(bundle.description,) if bundle.description else (), form=bundle.shared_form + extras,
        department="、".join(dict.fromkeys(i.department for i in items if i.department)),
        urgent=any(i.urgent for i in items),
        **_deferral(items),
    )


def bundle_parts(catalog: Catalog, bundle: Bundle) -> tuple[BundlePart, ...]:
    return tuple(BundlePart(i.id, i.name) for i in catalog.bundle_items(bundle))


def _fee(items) -> str:
    fees = {i.fee for i in items}
    return "免费" if fees <= {"免费"} else "、".join(sorted(fees - {"免费"}))


def _deferral(items) -> dict:
    """A material deferrable in every item that lists it may be deferred for the bundle; the shortest deadline."""
    names = [m for i in items for m in i.deferrable_materials]
    ok = [n for n in dict.fromkeys(names)
          if all(n in i.deferrable_materials for i in items if n in {m.name for m in i.materials})]
    days = min((i.defer_days for i in items if i.deferrable_materials), default=0)
    return {"deferrable_materials": tuple(ok), "defer_days": days if ok else 0,
            "defer_self": bool(ok) and all(i.defer_self for i in items if i.deferrable_materials)}



def matching_bundles(catalog: Catalog, query: str, limit: int = 3) -> tuple[Bundle, ...]:
    """Search shows a 一件事 above the items when the query names it ("出生", "退休", "一件事")."""
    query = query.strip()
    if len(query) < 2:
        return ()
    return tuple(b for b in catalog.bundles if query in b.name)[:limit]
