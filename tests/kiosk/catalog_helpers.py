"""A catalog newer than the seed, as a hub bundle would install it (for the catalog update tests)."""
import json
from pathlib import Path

from kiosk.catalog import SEED_PATH

NEW_ITEM = "zz.ferry_pass"


def write_newer_catalog(data_dir: Path, theme_title: str = "我要坐渡轮") -> None:
    raw = json.loads(SEED_PATH.read_text(encoding="utf-8"))
    item = dict(raw["items"][0], id=NEW_ITEM, name="海岛居民渡轮优惠卡办理", keywords=["渡轮", "船票"],
                synonyms=["坐船优惠"], related=[])
    raw["items"].append(item)
    raw["themes"][0] = dict(raw["themes"][0], title=theme_title, item_ids=[NEW_ITEM])
    raw["version"] = "2026.11-hub"
    (data_dir / "catalog.json").write_text(json.dumps(raw, ensure_ascii=False), encoding="utf-8")
