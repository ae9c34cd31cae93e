"""A plausible 10,000-item catalog for search benchmarks and scale tests, grown from the seed catalog.

Real provincial catalogs repeat the same few hundred services with place, audience and action variants
("舟山市…", "…（港澳台居民）", "…变更"), so that is how the extra items are made. Deterministic for a given seed.
"""
from __future__ import annotations

import random
import re
from dataclasses import replace
from typing import Sequence

from kiosk.records import ServiceItem

PLACES = ("", "", "", "舟山市", "定海区", "岱山县", "普陀区", "嵊泗县", "浙江省")
AUDIENCES = ("", "", "", "（个人）", "（企业职工）", "（灵活就业人员）", "（港澳台居民）", "（外籍人员）", "（农村居民）",
             "（城镇居民）", "（退役军人）", "（渔民）", "（海岛居民）")
ACTIONS = ("申领", "变更", "注销", "补领", "换领", "延续", "迁移", "查询", "确认", "备案", "撤销", "更正", "申请", "登记")
EXTRA_KEYWORDS = ("便民", "海岛", "渔民", "证明", "补贴", "登记", "变更", "港澳台", "企业", "个人", "线上", "窗口")
_TRAILING_ACTION = re.compile("(" + "|".join(sorted(set(ACTIONS) | {"新办", "办理", "开具", "入学"}, key=len,
                                                   reverse=True)) + ")$")


def variant_name(name: str, rng: random.Random) -> str:
    stem = _TRAILING_ACTION.sub("", name) or name
    return f"{rng.choice(PLACES)}{stem}{rng.choice(AUDIENCES)}{rng.choice(ACTIONS)}"


def generate_items(base: Sequence[ServiceItem], count: int = 10_000, seed: int = 20240601) -> list[ServiceItem]:
    """The base items first, then variants of randomly chosen base items until `count` items exist."""
    rng = random.Random(seed)
    items = list(base)[:count]
    names = {item.name for item in items}
    serial = 0
    while len(items) < count:
        model = rng.choice(base)
        name = variant_name(model.name, rng)
        serial += 1
        if name in names:
            name = f"{name}（{serial}）"
        names.add(name)
        keywords = tuple(dict.fromkeys(model.keywords + tuple(rng.sample(EXTRA_KEYWORDS, 2))))
        synonyms = tuple(s for s in model.synonyms if rng.random() < 0.5)
        items.append(replace(model, id=f"GEN-{serial:05d}", name=name, keywords=keywords, synonyms=synonyms,
                             related=()))
    return items
