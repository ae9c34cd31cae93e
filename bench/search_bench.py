"""Search latency per keystroke and index build time, on the seed catalog and a generated 10,000-item one.

Residents' queries are typed one character at a time (an IME commits whole hanzi, so Chinese grows by
characters, pinyin by letters) and every prefix is searched, as the UI does. In the same run, on the same
keystrokes, a naive linear scan (substring over name + keywords of every item, no pinyin) is timed as the
baseline; `ratio` is ours / baseline. The baseline's top-1 hits are scored too, to show what the extra time buys.
Prints one JSON object.
"""
from __future__ import annotations

import importlib
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.gen_catalog import generate_items  # noqa: E402
from kiosk.catalog import load_catalog  # noqa: E402
from kiosk.records import ServiceItem  # noqa: E402

search = None   # kiosk.search, imported (and timed) by main()

# (what the resident types, the item they want)
QUERIES = (
    ("社保卡", "社会保障卡申领"),
    ("我要办社保卡", "社会保障卡申领"),
    ("残疾证怎么办", "残疾人证新办"),
    ("孩子上学", "义务教育阶段新生入学"),
    ("异地就医", "异地就医备案"),
    ("结婚登记", "结婚登记"),
    ("老年卡", "老年人优待证办理"),
    ("社宝卡", "社会保障卡申领"),
    ("无犯罪证明", "无犯罪记录证明开具"),
    ("shebaoka", "社会保障卡申领"),
    ("she bao ka", "社会保障卡申领"),
    ("sbk", "社会保障卡申领"),
    ("yidi jiuyi", "异地就医备案"),
    ("canjizheng", "残疾人证新办"),
    ("laonianka", "老年人优待证办理"),
    ("shebaka", "社会保障卡申领"),
    ("gaolingjintie", "高龄津贴申领"),
    ("jiehundengji", "结婚登记"),
)
REPEATS = 5          # each keystroke is timed this many times; its median counts
LIMIT = 20


class NaiveScan:
    """The baseline: what a first version would do on each keystroke."""

    def __init__(self, items: list[ServiceItem]) -> None:
        self._rows = [(item, item.name.lower(), " ".join(item.keywords).lower()) for item in items]

    def search(self, query: str, limit: int = LIMIT) -> list[ServiceItem]:
        needle = query.strip().lower()
        if not needle:
            return []
        found = [(0 if needle in name else 1, len(item.name), position, item)
                 for position, (item, name, keywords) in enumerate(self._rows)
                 if needle in name or needle in keywords]
        found.sort(key=lambda row: row[:3])
        return [row[3] for row in found[:limit]]


def keystrokes(query: str) -> list[str]:
    return [query[:end] for end in range(1, len(query) + 1) if query[:end].strip()]


def millis(samples: list[float]) -> dict:
    ordered = sorted(samples)
    return {"median_ms": round(statistics.median(ordered), 3),
            "p95_ms": round(ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))], 3),
            "max_ms": round(ordered[-1], 3)}


def time_build(items: list[ServiceItem], rounds: int):
    seconds, index = [], None
    for _ in range(rounds):
        search.clear_pinyin_caches()   # from cold: no readings left over from an earlier build
        start = time.perf_counter()
        index = search.SearchIndex.build(items)
        seconds.append(time.perf_counter() - start)
    return index, seconds


def time_typing(index, naive: NaiveScan) -> tuple[list[float], list[float]]:
    ours, baseline = [], []
    for query, _ in QUERIES:
        for typed in keystrokes(query):
            ours_runs, naive_runs = [], []
            for _ in range(REPEATS):   # alternate, so that machine noise hits both alike
                start = time.perf_counter()
                index.search(typed, LIMIT)
                ours_runs.append((time.perf_counter() - start) * 1000)
                start = time.perf_counter()
                naive.search(typed, LIMIT)
                naive_runs.append((time.perf_counter() - start) * 1000)
            ours.append(statistics.median(ours_runs))
            baseline.append(statistics.median(naive_runs))
    return ours, baseline


def top1_rate(search, name_of) -> float:
    hits = 0
    for query, wanted in QUERIES:
        results = search(query)
        hits += bool(results) and name_of(results[0]) == wanted
    return round(hits / len(QUERIES), 3)


def measure(label: str, items: list[ServiceItem], build_rounds: int) -> dict:
    index, build_seconds = time_build(items, build_rounds)
    naive = NaiveScan(items)
    ours, baseline = time_typing(index, naive)
    ours_stats, baseline_stats = millis(ours), millis(baseline)
    return {
        "catalog": label,
        "items": len(items),
        "build_s": {"min": round(min(build_seconds), 3), "median": round(statistics.median(build_seconds), 3),
                    "rounds": build_rounds},
        "keystrokes": len(ours),
        "ours": ours_stats,
        "baseline_naive_scan": baseline_stats,
        "ratio_ours_to_baseline": {key.replace("_ms", ""): round(ours_stats[key] / baseline_stats[key], 2)
                                   for key in ours_stats if baseline_stats[key] > 0},
        "top1_wanted_item": {"ours": top1_rate(lambda q: index.search(q, LIMIT), lambda hit: hit.name),
                             "baseline": top1_rate(naive.search, lambda item: item.name)},
    }


def main() -> dict:
    global search
    started = time.perf_counter()
    search = importlib.import_module("kiosk.search")   # with pypinyin's dictionaries and rapidfuzz
    search.lazy_pinyin("预热")
    import_seconds = time.perf_counter() - started
    seed = list(load_catalog().items.values())
    generated = generate_items(seed, 10_000)
    result = {
        "bench": "search",
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "limit": LIMIT,
        "repeats_per_keystroke": REPEATS,
        "queries": [query for query, _ in QUERIES],
        "import_kiosk_search_s": round(import_seconds, 3),   # once per process, not per build
        "seed": measure("seed kiosk/data/catalog.json", seed, build_rounds=5),
        "generated_10k": measure("generated from the seed, bench/gen_catalog.py (seeded RNG)", generated,
                                 build_rounds=2),
    }
    result["bench_runtime_s"] = round(time.perf_counter() - started, 1)
    return result


if __name__ == "__main__":
    print(json.dumps(main(), ensure_ascii=False))
