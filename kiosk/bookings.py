"""预约 / 上门办: an agent books a station visit, or a home visit for a resident who cannot come, offline.

Slots come from the hub's "slots" stream (sync/pull.py keeps the newest item per slot in `stream_items`). A
booking is queued like any record and the hub confirms it later (status booking_confirmed) or answers
booking_conflict with a note naming free slots. Until then this station holds its own seats: a slot is offered
only while the seats the hub last reported taken plus this station's unanswered bookings leave one free, so one
station offline never books past the capacity it knows of. Another station may still take the same seat
meanwhile; that is the hub's conflict, which the work queue and the desk show, never silently.
"""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any, Iterable

from kiosk.ids import CST, Clock, utc_now, uuid7
from local_db import audit
from local_db.sealing import BOOKING_DETAILS

STREAM = "slots"
KINDS = ("station_visit", "home_visit")
CONFIRMED = "booking_confirmed"
CONFLICT = "booking_conflict"
ANSWERED = (CONFIRMED, CONFLICT)
MAX_TEXT = 200


@dataclass(frozen=True)
class Slot:
    id: str
    kind: str
    starts_at: datetime
    ends_at: datetime
    capacity: int
    booked: int                # seats the hub reported taken when it last sent the slot
    service: str = ""
    department: str = ""
    area: str = ""
    cancelled: bool = False

    def label(self) -> str:
        """Day, time and service as the station reads them (China time); kept with the booking."""
        start, end = self.starts_at.astimezone(CST), self.ends_at.astimezone(CST)
        service = f" {self.service}" if self.service else ""
        return f"{start:%m月%d日 %H:%M}–{end:%H:%M}{service}"


@dataclass(frozen=True)
class Offer:
    slot: Slot
    taken: int                 # the hub's count (or this station's confirmed ones) plus this station's holds

    @property
    def free(self) -> int:
        return max(0, self.slot.capacity - self.taken)

    @property
    def full(self) -> bool:
        return self.free == 0


@dataclass(frozen=True)
class BookingRequest:
    slot_id: str
    name: str
    phone: str
    address: str = ""          # home visits: where to go
    reason: str = ""


@dataclass(frozen=True)
class Booking:
    id: str
    slot_id: str
    visit_kind: str
    slot_label: str
    created_at: str


class BookingRefused(Exception):
    """The station will not queue it: `reason` is slot_full or slot_gone (cancelled, past or unknown)."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def problems(kind: str, request: BookingRequest) -> list[str]:
    """Fields to fix before booking, as codes the UI words: name, phone, address (home visits only)."""
    found = []
    if not request.name.strip():
        found.append("name")
    digits = request.phone.replace(" ", "").replace("-", "")
    if not (digits.isascii() and digits.isdigit() and 7 <= len(digits) <= 15):
        found.append("phone")
    if kind == "home_visit" and not request.address.strip():
        found.append("address")
    return found


class Bookings:
    """Over the application store: its connection, writer lock, sealer, audit trail and outbox."""

    def __init__(self, store, clock: Clock = utc_now):
        self.store = store
        self.clock = clock

    def offers(self, kind: str | None = None) -> list[Offer]:
        """Slots not yet begun and not cancelled, soonest first, full ones included (shown greyed)."""
        with self.store._lock:
            return self._offers(kind)

    def _offers(self, kind: str | None) -> list[Offer]:
        now = self.clock()
        slots = [s for s in self._slots() if not s.cancelled and s.starts_at > now and kind in (None, s.kind)]
        holds = self._holds()
        return [Offer(s, max(s.booked, holds.get(s.id, (0, 0))[1]) + holds.get(s.id, (0, 0))[0]) for s in slots]

    def _slots(self) -> list[Slot]:
        rows = self.store.db.execute("SELECT body FROM stream_items WHERE stream=?", (STREAM,)).fetchall()
        slots = [slot for slot in (parse_slot(body) for (body,) in rows) if slot is not None]
        return sorted(slots, key=lambda s: (s.starts_at, s.id))

    def _holds(self) -> dict[str, tuple[int, int]]:
        """Per slot: this station's bookings the hub has not answered, and those it confirmed."""
        rows = self.store.db.execute(
            "SELECT b.slot_id, s.status FROM bookings b LEFT JOIN record_status s ON s.record_id = b.id").fetchall()
        counts: dict[str, list[int]] = {}
        for slot_id, status in rows:
            pair = counts.setdefault(slot_id, [0, 0])
            if status == CONFIRMED:
                pair[1] += 1
            elif status != CONFLICT:
                pair[0] += 1
        return {slot_id: (held, confirmed) for slot_id, (held, confirmed) in counts.items()}

    def book(self, agent_id: str, request: BookingRequest) -> Booking:
        """Queue the booking with its outbox row and audit entry in one transaction; BookingRefused when the slot
        has no seat this station knows of (audited too, and nothing personal kept)."""
        store, now = self.store, self.clock()
        actor = audit.agent_actor(agent_id)
        with store._lock, store.db.conn:
            store.db.conn.execute("BEGIN IMMEDIATE")   # two agents at one kiosk cannot both take the last seat
            offer = next((o for o in self._offers(None) if o.slot.id == request.slot_id), None)
            refusal = "slot_gone" if offer is None else "slot_full" if offer.full else ""
            if refusal:
                store.audit.write(store.audit.entry(actor, audit.BOOKING_REFUSED, target=request.slot_id,
                                                    outcome=refusal))
            else:
                booking = self._insert(agent_id, offer.slot, request, now)
        if refusal:
            raise BookingRefused(refusal)
        return booking

    def _insert(self, agent_id: str, slot: Slot, request: BookingRequest, now: datetime) -> Booking:
        store = self.store
        booking = Booking(uuid7(now), slot.id, slot.kind, slot.label(), now.isoformat(timespec="seconds"))
        details = {k: _text(v) for k, v in asdict(request).items() if k != "slot_id"}
        store.db.conn.execute(
            "INSERT INTO bookings (id, slot_id, visit_kind, slot_label, details, filed_by, station_id, created_at)"
            " VALUES (?,?,?,?,?,?,?,?)",
            (booking.id, slot.id, slot.kind, booking.slot_label,
             store.sealer.seal(json.dumps(details, ensure_ascii=False), BOOKING_DETAILS.context(booking.id)),
             agent_id, store.station_id, booking.created_at))
        payload = {"id": booking.id, "kind": "booking", "station_id": store.station_id, "slot_id": slot.id,
                   "visit_kind": slot.kind, "slot_label": booking.slot_label, "created_at": booking.created_at,
                   "filed_by": {"agent_id": agent_id},
                   "resident": {k: details[k] for k in ("name", "phone", "address")}, "reason": details["reason"]}
        store.enqueue(booking.id, "booking", payload, booking.created_at)
        store.audit.write(store.audit.entry(audit.agent_actor(agent_id), audit.BOOKING_FILED, target=booking.id,
                                            outcome=slot.kind))
        return booking

    def request_of(self, booking_id: str) -> tuple[str, BookingRequest] | None:
        """The kind and details of an earlier booking, to book again after a conflict; None once purged."""
        with self.store._lock:
            row = self.store.db.execute("SELECT visit_kind, slot_id, details, purged_at FROM bookings WHERE id=?",
                                        (booking_id,)).fetchone()
        if row is None or row[3] is not None:
            return None
        details = json.loads(self.store.sealer.open(row[2], BOOKING_DETAILS.context(booking_id)))
        return row[0], BookingRequest(row[1], **details)

    def owns(self, record_id: str) -> bool:
        """Whether this kiosk filed the booking: the status stream is the station's, so another terminal's
        bookings are answered here too."""
        with self.store._lock:
            return self.store.db.execute("SELECT 1 FROM bookings WHERE id=?", (record_id,)).fetchone() is not None

    def state(self, booking_id: str) -> str:
        """pending_sync until the hub answers, then booking_confirmed or booking_conflict."""
        with self.store._lock:
            row = self.store.db.execute("SELECT status FROM record_status WHERE record_id=?",
                                        (booking_id,)).fetchone()
        return row[0] if row and row[0] in ANSWERED else "pending_sync"


def parse_slot(body: str) -> Slot | None:
    """A stream item as pulled; a malformed one is not offered (the hub may add fields, never drop these)."""
    try:
        item: Any = json.loads(body)
        slot = Slot(item["id"], item["kind"], _aware(item["starts_at"]), _aware(item["ends_at"]),
                    int(item["capacity"]), int(item.get("booked", 0)), str(item.get("service", "")),
                    str(item.get("department", "")), str(item.get("area", "")), bool(item.get("cancelled", False)))
    except (ValueError, KeyError, TypeError):
        return None
    return slot if slot.kind in KINDS and slot.capacity > 0 else None


def _aware(text: str) -> datetime:
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        raise ValueError("slot time without a zone")
    return moment


def _text(value: str) -> str:
    return value.strip()[:MAX_TEXT]


def days(offers: Iterable[Offer]) -> dict[str, list[Offer]]:
    """Offers grouped by local day (YYYY-MM-DD, China time), in order."""
    grouped: dict[str, list[Offer]] = {}
    for offer in offers:
        grouped.setdefault(f"{offer.slot.starts_at.astimezone(CST):%Y-%m-%d}", []).append(offer)
    return grouped
