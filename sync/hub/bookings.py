"""预约 / 上门办 on the hub: bookable slots, and settling a pushed booking against a slot's capacity.

Staff publish slots (`python -m sync.hub add-slot`, or the staff page); each slot is also a "slots" stream item
for its station, re-sent with the new `booked` count whenever a seat is taken. A pushed booking (kind "booking")
is stored like any record and, in the same transaction, takes the slot's next seat or becomes a conflict whose
note names the next free slots. Capacity holds because seats are numbered: (slot_id, seat) is unique, and
booking transactions are serialised (SQLite's single writer; on PostgreSQL the status stream's table lock).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Sequence

from kiosk.ids import CST

SLOT_KINDS = ("station_visit", "home_visit")
CONFIRMED = "booking_confirmed"
CONFLICT = "booking_conflict"
MAX_ALTERNATIVES = 3
SLOT_COLUMNS = "id, kind, station_id, area, service, department, starts_at, ends_at, capacity, cancelled_at"


@dataclass(frozen=True)
class Slot:
    id: str
    kind: str                  # station_visit | home_visit
    station_id: str            # the station that books it (a home visit goes out from there)
    starts_at: datetime
    ends_at: datetime
    capacity: int
    service: str = ""          # what is done, e.g. 社保认证
    department: str = ""
    area: str = ""             # home visits: the villages covered
    cancelled: bool = False

    def check(self) -> None:
        if self.kind not in SLOT_KINDS:
            raise ValueError(f"slot kind must be one of {', '.join(SLOT_KINDS)}")
        if self.capacity < 1 or self.ends_at <= self.starts_at:
            raise ValueError("a slot needs capacity >= 1 and an end after its start")
        if self.starts_at.tzinfo is None or self.ends_at.tzinfo is None:
            raise ValueError("slot times need a time zone")

    def to_item(self, booked: int) -> dict[str, Any]:
        """The stream item: what a terminal needs to offer the slot. Later items with the same id replace it."""
        return {"id": self.id, "kind": self.kind, "station_id": self.station_id, "area": self.area,
                "service": self.service, "department": self.department,
                "starts_at": self.starts_at.isoformat(timespec="seconds"),
                "ends_at": self.ends_at.isoformat(timespec="seconds"),
                "capacity": self.capacity, "booked": booked, "cancelled": self.cancelled}


@dataclass(frozen=True)
class Settled:
    status: str                # CONFIRMED | CONFLICT
    note: str
    slot: Slot | None = None
    booked: int = 0            # seats taken after this booking (confirmed only)


def slot_from_row(row: Sequence[Any], to_time) -> Slot:
    slot_id, kind, station_id, area, service, department, starts, ends, capacity, cancelled_at = row
    return Slot(slot_id, kind, station_id, to_time(starts), to_time(ends), int(capacity), service or "",
                department or "", area or "", cancelled_at is not None)


def unavailable_reason(slot: Slot | None, station_id: str, now: datetime) -> str:
    """Why a booking cannot have this slot, beyond being full; "" when it can."""
    if slot is None or slot.cancelled or slot.station_id != station_id:
        return "该时段已取消"
    if slot.starts_at <= now:
        return "该时段已过"
    return ""


def conflict_note(reason: str, alternatives: Sequence[tuple[Slot, int]]) -> str:
    """The agent reads this in the work queue: what went wrong, and where the resident could go instead."""
    if not alternatives:
        return f"{reason}，暂无其他空余时段，请联系镇便民服务中心。"
    offers = "、".join(f"{slot_label(slot)}（余{slot.capacity - booked}）" for slot, booked in alternatives)
    return f"{reason}，可改约：{offers}"


def slot_label(slot: Slot) -> str:
    start, end = slot.starts_at.astimezone(CST), slot.ends_at.astimezone(CST)
    service = f" {slot.service}" if slot.service else ""
    return f"{start:%m月%d日 %H:%M}–{end:%H:%M}{service}"
