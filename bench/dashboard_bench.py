"""The 好差评 dashboard's build time against the number of stored ratings and reports, on a SQLite hub store.

    .venv/bin/python bench/dashboard_bench.py                  # ONE JSON object on stdout; progress on stderr
    .venv/bin/python bench/dashboard_bench.py --sizes 10000,100000 --days 30 --pg DSN

For each size: a fresh store gets that many records (88 % ratings, 12 % 办不成事 reports, over `--days` days and 12
stations, plus as many applications, which the dashboard must skip), ingested in batches of 1000; then the
dashboard for the last day is built `--repeat` times and the median kept. The week read is what grows with the
data: a store holding a month of records reads about a quarter of them (the index on (kind, received_at)).
"""
from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from datetime import date, datetime, time as dtime, timedelta, timezone
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from kiosk.ids import CST  # noqa: E402
from sync.hub import dashboard  # noqa: E402
from sync.hub.store import HubRecord, open_store  # noqa: E402

DAY = date(2026, 11, 25)
STATIONS = [f"zs-dh-{n:03d}" for n in range(1, 13)]
BAD = ("slow", "hard_to_use", "unclear_guide", "device_fault", "asked_twice", "not_done", "other")
REPORTS = ("cannot_find", "cannot_understand", "machine_fault", "missing_material", "elsewhere", "other")
SCREENS = ("home", "search", "detail", "identify", "form", "confirm", "progress")
ITEMS = [(f"sb.item{n}", f"示例事项{n}") for n in range(40)]


def log(msg: str) -> None:
    print(f"[dashboard_bench {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def demo_feedback(count: int, last: date = DAY, days: int = 30, seed: int = 7) -> dict[str, list[HubRecord]]:
    """Ratings and reports per station spread over `days` days ending on `last` (China time); no personal data."""
    rng = random.Random(seed)
    out: dict[str, list[HubRecord]] = {s: [] for s in STATIONS}
    start = datetime.combine(last - timedelta(days=days - 1), dtime(8), CST)
    for n in range(count):
        station = rng.choice(STATIONS)
        at = (start + timedelta(days=rng.randrange(days), minutes=rng.randrange(600))).astimezone(timezone.utc)
        rid = f"fb-{n:07d}"
        if rng.random() < 0.12:
            payload = {"id": rid, "kind": "report", "reason": rng.choice(REPORTS), "screen": rng.choice(SCREENS),
                       "service": rng.choice(ITEMS)[0], "created_at": at.isoformat(timespec="seconds")}
        else:
            weak = station in STATIONS[:2]   # two stations that need attention
            level = 5 if rng.random() < (0.90 if weak else 0.985) else rng.choice((1, 2, 3))
            item_id, name = rng.choice(ITEMS)
            payload = {"id": rid, "kind": "rating", "level": level, "item_id": item_id, "item_name": name,
                       "reasons": [rng.choice(BAD)] if level <= 3 else ["quick"], "service": "application",
                       "created_at": at.isoformat(timespec="seconds"), "application_id": None}
        out[station].append(HubRecord(rid, payload["kind"], payload))
    return out


class Evening:
    """The store's clock: the evening of the day being ingested, so `received_at` follows `created_at` as it
    does when stations sync the same day (the week's read then uses the index and skips older records)."""

    def __init__(self) -> None:
        self.day = DAY

    def __call__(self) -> datetime:
        return datetime.combine(self.day, dtime(20), CST)


def fill(store, clock: Evening, count: int, days: int) -> None:
    for station, records in demo_feedback(count, days=days).items():
        by_day: dict[date, list[HubRecord]] = {}
        for r in records:
            by_day.setdefault(datetime.fromisoformat(r.payload["created_at"]).astimezone(CST).date(), []).append(r)
        for day, batch in sorted(by_day.items()):
            clock.day = day
            others = [HubRecord(f"app-{r.id}", "application", {"id": f"app-{r.id}", "item_name": "x"}) for r in batch]
            for at in range(0, len(batch), 1000):
                store.ingest(station, batch[at:at + 1000] + others[at:at + 1000])
    clock.day = DAY


def run(open_with, count: int, days: int, repeat: int) -> dict:
    clock = Evening()
    store = open_with(clock)
    try:
        started = time.perf_counter()
        fill(store, clock, count, days)
        filled = time.perf_counter() - started
        times = []
        for _ in range(repeat):
            t0 = time.perf_counter()
            figures = dashboard.build(store, DAY)
            times.append(time.perf_counter() - t0)
        return {"records": count, "days": days, "ingest_s": round(filled, 2),
                "build_median_s": round(statistics.median(times), 4), "build_max_s": round(max(times), 4),
                "week_ratings": figures.week_total.ratings, "week_reports": figures.week_total.reports,
                "week_satisfaction": round(figures.week_total.satisfaction or 0, 4)}
    finally:
        store.close()


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--pg", default="", help="a PostgreSQL DSN to run the same sizes on (an empty database)")
    args = parser.parse_args()
    results = {"sqlite": []}
    for size in (int(s) for s in args.sizes.split(",")):
        with tempfile.TemporaryDirectory(prefix="zdb-dash-") as tmp:
            log(f"sqlite, {size} ratings and reports")
            results["sqlite"].append(run(lambda clock: open_store(str(Path(tmp) / "hub.db"), clock), size,
                                         args.days, args.repeat))
        if args.pg:
            import uuid
            schema = "bench_" + uuid.uuid4().hex[:12]
            log(f"postgresql ({schema}), {size} ratings and reports")
            results.setdefault("postgresql", []).append(_pg(args.pg, schema, size, args.days, args.repeat))
    print(json.dumps({"bench": "dashboard", **results}, ensure_ascii=False))
    return 0


def _pg(dsn: str, schema: str, size: int, days: int, repeat: int) -> dict:
    import psycopg

    from sync.hub.pg_store import PostgresStore

    try:
        return run(lambda clock: PostgresStore(dsn, clock, schema=schema), size, days, repeat)
    finally:
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA {schema} CASCADE")


if __name__ == "__main__":
    sys.exit(main())
