"""好差评 dashboard figures: the day's summary and the week's analysis over stored ratings and 办不成事 reports.

Qt-free and HTML-free (sync/hub/staff_dashboard.py renders). One query per dashboard reads only the columns and
payload fields it needs, for the two kinds, from an index on (kind, received_at), and the rows are folded into
counters as they stream, so memory does not grow with the number of records. It runs the same on both hub
backends: only the JSON field syntax differs. No personal data leaves here: a report's text and phone are never
read, a rating's comment neither.

Days are China Standard Time days of the record's own `created_at` (when the resident rated or reported; a
kiosk offline for a day still counts on the right day), falling back to the hub's `received_at` when a record
has no readable time. The week is the seven days ending on the chosen day. Satisfaction is the share of 4-5
ratings among all ratings, against the plan's 98 % target.
"""
from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from typing import Any, Callable, Iterable

from kiosk.ids import CST, Clock, utc_now
from sync.hub.store import HubStore

TARGET = 0.98
WEEK_DAYS = 7
# A kiosk's clock may run a little ahead of the hub's: rows received up to this long before the window's
# first local midnight are still read (their own created_at decides the day).
CLOCK_SLACK = timedelta(days=1)
MIN_RATINGS = 3          # a service or station is judged on at least this many ratings
BAD_LIST_LIMIT = 50      # the day's bad ratings listed one by one
UNHANDLED = "received"   # what staff have not looked at yet: no status set since it arrived
FIELDS = ("created_at", "level", "reasons", "item_id", "item_name", "service", "reason", "screen")


@dataclass(frozen=True)
class Feedback:
    """One rating or report, as narrow as the dashboard needs it (never the comment, text or phone)."""
    id: str
    kind: str                 # "rating" | "report"
    station_id: str
    status: str
    day: date                 # China time
    level: int | None = None  # ratings: 1..5; None when malformed
    reasons: tuple[str, ...] = ()
    service: str = ""         # what the label is made of: item id, else the service code
    item_name: str = ""
    reason: str = ""          # reports
    screen: str = ""          # reports


@dataclass
class Tally:
    ratings: int = 0
    good: int = 0
    reports: int = 0

    @property
    def bad(self) -> int:
        return self.ratings - self.good

    @property
    def satisfaction(self) -> float | None:
        return self.good / self.ratings if self.ratings else None

    def add(self, row: Feedback) -> None:
        if row.kind == "report":
            self.reports += 1
        elif row.level is not None:
            self.ratings += 1
            self.good += row.level >= 4


@dataclass
class DayFigures:
    day: date
    total: Tally = field(default_factory=Tally)
    bad_reasons: Counter = field(default_factory=Counter)
    no_reason: int = 0                      # bad ratings with no reason (from before reasons were required)
    report_reasons: Counter = field(default_factory=Counter)
    report_screens: Counter = field(default_factory=Counter)
    stations: dict[str, Tally] = field(default_factory=dict)
    bad_ratings: list[Feedback] = field(default_factory=list)   # at most BAD_LIST_LIMIT, by id (time order)


@dataclass(frozen=True)
class ServiceFigures:
    key: str
    name: str
    ratings: int
    bad: int
    satisfaction: float


@dataclass(frozen=True)
class StationFigures:
    station_id: str
    ratings: int
    satisfaction: float | None
    reports: int
    unhandled: int
    why: tuple[str, ...]      # codes: below_target, reports, unhandled


@dataclass
class Dashboard:
    day: date
    today: DayFigures
    week: list[DayFigures]                  # oldest first, the last one is `today`
    week_total: Tally
    top_bad_reasons: list[tuple[str, int]]
    top_report_reasons: list[tuple[str, int]]
    top_report_screens: list[tuple[str, int]]
    worst_services: list[ServiceFigures]
    attention: list[StationFigures]
    unhandled: list[Feedback]               # bad ratings and reports of the week no one has handled, oldest first
    target: float = TARGET

    def to_json(self) -> dict[str, Any]:
        """The same figures for the district: codes and counts only."""
        def day_json(d: DayFigures) -> dict[str, Any]:
            return {"day": d.day.isoformat(), "ratings": d.total.ratings, "good": d.total.good,
                    "satisfaction": d.total.satisfaction, "reports": d.total.reports,
                    "bad_reasons": dict(d.bad_reasons.most_common()), "bad_without_reason": d.no_reason,
                    "report_reasons": dict(d.report_reasons.most_common()),
                    "report_screens": dict(d.report_screens.most_common()),
                    "stations": {s: {"ratings": t.ratings, "good": t.good, "reports": t.reports,
                                     "satisfaction": t.satisfaction} for s, t in sorted(d.stations.items())}}
        return {
            "day": self.day.isoformat(), "target": self.target, "today": day_json(self.today),
            "week": {"days": [{"day": d.day.isoformat(), "ratings": d.total.ratings, "good": d.total.good,
                               "satisfaction": d.total.satisfaction, "reports": d.total.reports} for d in self.week],
                     "ratings": self.week_total.ratings, "good": self.week_total.good,
                     "satisfaction": self.week_total.satisfaction, "reports": self.week_total.reports,
                     "top_bad_reasons": dict(self.top_bad_reasons),
                     "top_report_reasons": dict(self.top_report_reasons),
                     "worst_services": [{"service": s.key, "ratings": s.ratings, "bad": s.bad,
                                         "satisfaction": s.satisfaction} for s in self.worst_services],
                     "attention": [_station_json(s) for s in self.attention],
                     "unhandled": {"ratings": sum(r.kind == "rating" for r in self.unhandled),
                                   "reports": sum(r.kind == "report" for r in self.unhandled)}},
        }


def _station_json(s: StationFigures) -> dict[str, Any]:
    return {"station_id": s.station_id, "ratings": s.ratings, "satisfaction": s.satisfaction,
            "reports": s.reports, "unhandled": s.unhandled, "why": list(s.why)}


# --- reading ---------------------------------------------------------------------------------------------------

def local_day(moment: datetime) -> date:
    return moment.astimezone(CST).date()


def day_start_utc(day: date) -> datetime:
    return datetime.combine(day, time(0), CST).astimezone(timezone.utc)


def _select(store: HubStore) -> str:
    from sync.hub.sqlite_store import SqliteStore

    if isinstance(store, SqliteStore):
        extract = [f"json_extract(payload, '$.{name}')" for name in FIELDS]
    else:   # PostgreSQL: JSONB; ->> gives text (an array as its JSON text), parsed below like SQLite's
        extract = [f"payload->>'{name}'" for name in FIELDS]
    return ("SELECT id, kind, station_id, status, received_at, " + ", ".join(extract) +
            " FROM records WHERE kind IN ('rating', 'report') AND received_at >= ?")


def scan(store: HubStore, first: date, last: date, fold: Callable[[Feedback], None]) -> None:
    """Every rating and report whose day lies in [first, last], handed to `fold` as it streams."""
    since = day_start_utc(first) - CLOCK_SLACK
    statement = _select(store)

    def read(tx) -> None:
        for row in tx.execute(statement, (since,)):
            item = _feedback(row)
            if item is not None and first <= item.day <= last:
                fold(item)
    store._transact(read, write=False)   # one read transaction; the dashboard is part of the hub itself


def _feedback(row: tuple) -> Feedback | None:
    record_id, kind, station_id, status, received_at, created_at, level, reasons, item_id, item_name, service, \
        reason, screen = row
    day = _day(created_at) or _day(received_at)
    if day is None:
        return None
    return Feedback(record_id, kind, station_id, status or "", day, level=_level(level), reasons=_codes(reasons),
                    service=_text(item_id) or _text(service), item_name=_text(item_name), reason=_text(reason),
                    screen=_text(screen))


def _day(value: Any) -> date | None:
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
    else:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)   # the protocol's times are UTC
    return local_day(moment)


def _level(value: Any) -> int | None:
    try:
        level = int(value)
    except (TypeError, ValueError):
        return None
    return level if 1 <= level <= 5 and str(value).strip() in (str(level), f"{level}.0") else None


def _codes(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return ()
    if not isinstance(value, list):
        return ()
    return tuple(dict.fromkeys(v[:40] for v in value if isinstance(v, str) and v))


def _text(value: Any) -> str:
    return value[:100] if isinstance(value, str) else ""


# --- folding ---------------------------------------------------------------------------------------------------

class _Fold:
    def __init__(self, first: date, last: date):
        self.days = {first + timedelta(days=n): DayFigures(first + timedelta(days=n))
                     for n in range((last - first).days + 1)}
        self.last = last
        self.week = Tally()
        self.bad_reasons: Counter = Counter()
        self.report_reasons: Counter = Counter()
        self.report_screens: Counter = Counter()
        self.services: dict[str, Tally] = {}
        self.service_names: dict[str, str] = {}
        self.stations: dict[str, Tally] = {}
        self.station_unhandled: Counter = Counter()
        self.unhandled: list[Feedback] = []

    def __call__(self, row: Feedback) -> None:
        figures = self.days[row.day]
        figures.total.add(row)
        figures.stations.setdefault(row.station_id, Tally()).add(row)
        self.week.add(row)
        self.stations.setdefault(row.station_id, Tally()).add(row)
        bad = row.kind == "rating" and row.level is not None and row.level <= 3
        if row.kind == "report":
            figures.report_reasons[row.reason or "unknown"] += 1
            figures.report_screens[row.screen or "unknown"] += 1
            self.report_reasons[row.reason or "unknown"] += 1
            self.report_screens[row.screen or "unknown"] += 1
        elif row.level is not None:
            key = row.service or "unknown"
            self.services.setdefault(key, Tally()).add(row)
            if row.item_name:
                self.service_names[key] = row.item_name
        if bad:
            figures.bad_reasons.update(row.reasons)
            self.bad_reasons.update(row.reasons)
            figures.no_reason += not row.reasons
            if row.day == self.last and len(figures.bad_ratings) < BAD_LIST_LIMIT:
                figures.bad_ratings.append(row)
        if (bad or row.kind == "report") and row.status == UNHANDLED:
            self.station_unhandled[row.station_id] += 1
            if len(self.unhandled) < BAD_LIST_LIMIT:
                self.unhandled.append(row)

    def result(self, day: date, target: float) -> Dashboard:
        week = [self.days[d] for d in sorted(self.days)]
        self.days[self.last].bad_ratings.sort(key=lambda r: r.id)   # rows stream in no set order; ids are UUIDv7
        worst = sorted((ServiceFigures(key, self.service_names.get(key, ""), t.ratings, t.bad, t.satisfaction)
                        for key, t in self.services.items() if t.ratings >= MIN_RATINGS and t.bad),
                       key=lambda s: (s.satisfaction, -s.bad, s.key))[:10]
        return Dashboard(day, self.days[self.last], week, self.week, self.bad_reasons.most_common(10),
                         self.report_reasons.most_common(10), self.report_screens.most_common(10), worst,
                         self._attention(target), sorted(self.unhandled, key=lambda r: (r.day, r.id)), target)

    def _attention(self, target: float) -> list[StationFigures]:
        out = []
        for station_id, tally in self.stations.items():
            why = []
            if tally.ratings >= MIN_RATINGS and tally.satisfaction is not None and tally.satisfaction < target:
                why.append("below_target")
            if tally.reports:
                why.append("reports")
            if self.station_unhandled[station_id]:
                why.append("unhandled")
            if why:
                out.append(StationFigures(station_id, tally.ratings, tally.satisfaction, tally.reports,
                                          self.station_unhandled[station_id], tuple(why)))
        return sorted(out, key=lambda s: (-len(s.why), s.satisfaction if s.satisfaction is not None else 1.0,
                                          -s.reports, s.station_id))


def build(store: HubStore, day: date | None = None, clock: Clock = utc_now, target: float = TARGET) -> Dashboard:
    """The dashboard for `day` (default: today in China time by `clock`) and the week ending on it."""
    last = day or local_day(clock())
    first = last - timedelta(days=WEEK_DAYS - 1)
    fold = _Fold(first, last)
    scan(store, first, last, fold)
    return fold.result(last, target)


def from_rows(rows: Iterable[Feedback], day: date, target: float = TARGET) -> Dashboard:
    """The same figures over rows already in hand (tests, benches)."""
    first = day - timedelta(days=WEEK_DAYS - 1)
    fold = _Fold(first, day)
    for row in rows:
        if first <= row.day <= day:
            fold(row)
    return fold.result(day, target)
