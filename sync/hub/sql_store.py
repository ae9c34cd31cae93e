"""The SQL both hub stores run: one implementation of `HubStore` over a tiny transaction interface.

A backend supplies `_transact(fn, write)`, which runs `fn(tx)` in one transaction (retrying transient
conflicts), and `_lock_stream(tx, table)`, which makes appends to a cursor-ordered table commit in `seq`
order. Statements use `?` placeholders; datetimes, booleans and JSON go in as Python values and come out
through the `_time`, `_json` helpers, so each backend may store them natively.
"""
from __future__ import annotations

import hashlib
import json
from abc import abstractmethod
from datetime import datetime, timedelta
from typing import Any, Callable, Iterator, Protocol, Sequence, TypeVar

from kiosk.ids import Clock
from sync.auth import NONCE_WINDOW_S
from sync.hub import bookings, needs, routing
from sync.hub.bookings import SLOT_COLUMNS, Settled, Slot
from sync.hub.chat_store import SqlChatStorage
from sync.hub.enrollment import hash_code, new_code, new_terminal_id
from sync.hub.sql_values import as_datetime as _time, iso_utc as _iso   # shared by the SQL stores
from sync.hub.store import (FEED_STREAMS, AttachmentState, Bundle, ChunkOutcome, EnrollmentRefused, FeedItem,
                            HubRecord, HubStore, IssuedCode, Page, StatusUpdate, StoredRecord, Terminal,
                            UnknownRecord, UploadRefused)
from sync.protocol import ItemResult, Status

T = TypeVar("T")
NONCE_PURGE_EVERY_S = 60
_RECORD_COLUMNS = "seq, id, kind, station_id, payload, received_at, status, status_note, updated_at, terminal_id"


class Tx(Protocol):
    def execute(self, sql: str, params: Sequence[Any] = ()) -> Any: ...


class SqlHubStore(SqlChatStorage, HubStore):   # live chat's SQL: sync/hub/chat_store.py
    def __init__(self, clock: Clock):
        self.clock = clock
        self._last_purge: datetime | None = None

    @abstractmethod
    def _transact(self, fn: Callable[[Tx], T], write: bool = True) -> T: ...

    def _lock_stream(self, tx: Tx, table: str) -> None:
        """Backends with concurrent writers serialise appends here (see pg_store)."""

    # --- terminals and enrollment --------------------------------------------------------------------------

    def issue_enrollment_code(self, station_id: str, ttl_s: int) -> IssuedCode:
        now, code = self.clock(), new_code()
        issued = IssuedCode(code, station_id, now + timedelta(seconds=ttl_s))
        self._transact(lambda tx: tx.execute(
            "INSERT INTO enrollment_codes (code_hash, station_id, created_at, expires_at) VALUES (?,?,?,?)",
            (hash_code(code), station_id, now, issued.expires_at)))
        return issued

    def enroll(self, station_id: str, code: str, public_key: str) -> Terminal:
        now = self.clock()
        terminal = Terminal(new_terminal_id(), station_id, public_key, now)

        def claim(tx: Tx) -> Terminal:
            # The conditional UPDATE is the single-use guarantee: a concurrent claim waits, then matches nothing.
            claimed = tx.execute(
                "UPDATE enrollment_codes SET used_at=?, terminal_id=? WHERE code_hash=? AND station_id=?"
                " AND used_at IS NULL AND expires_at>?",
                (now, terminal.id, hash_code(code), station_id, now)).rowcount
            if claimed != 1:
                raise EnrollmentRefused(_refusal(tx, hash_code(code), station_id))
            tx.execute("INSERT INTO terminals (id, station_id, public_key, enrolled_at) VALUES (?,?,?,?)",
                       (terminal.id, station_id, public_key, now))
            return terminal
        return self._transact(claim)

    def terminal(self, terminal_id: str) -> Terminal | None:
        rows = self._transact(lambda tx: tx.execute(
            "SELECT id, station_id, public_key, enrolled_at, revoked_at FROM terminals WHERE id=?",
            (terminal_id,)).fetchall(), write=False)
        return _terminal(rows[0]) if rows else None

    def terminals(self) -> list[Terminal]:
        rows = self._transact(lambda tx: tx.execute(
            "SELECT id, station_id, public_key, enrolled_at, revoked_at FROM terminals"
            " ORDER BY station_id, enrolled_at").fetchall(), write=False)
        return [_terminal(row) for row in rows]

    def revoke_terminal(self, terminal_id: str) -> bool:
        now = self.clock()

        def revoke(tx: Tx) -> bool:
            tx.execute("UPDATE terminals SET revoked_at=? WHERE id=? AND revoked_at IS NULL", (now, terminal_id))
            return bool(tx.execute("SELECT 1 FROM terminals WHERE id=?", (terminal_id,)).fetchall())
        return self._transact(revoke)

    def remember_nonce(self, terminal_id: str, nonce: str) -> bool:
        now = self.clock()
        purge = self._last_purge is None or (now - self._last_purge).total_seconds() >= NONCE_PURGE_EVERY_S

        def remember(tx: Tx) -> bool:
            if purge:
                tx.execute("DELETE FROM nonces WHERE seen_at<?", (now - timedelta(seconds=NONCE_WINDOW_S),))
            return tx.execute("INSERT INTO nonces (terminal_id, nonce, seen_at) VALUES (?,?,?)"
                              " ON CONFLICT DO NOTHING", (terminal_id, nonce, now)).rowcount == 1
        fresh = self._transact(remember)
        if purge:
            self._last_purge = now
        return fresh

    # --- records -------------------------------------------------------------------------------------------

    def ingest(self, station_id: str, items: Sequence[HubRecord | ItemResult],
               terminal_id: str | None = None) -> list[ItemResult]:
        now = self.clock()
        records = {i: item for i, item in enumerate(items) if not isinstance(item, ItemResult)}
        # Insert in id order: concurrent batches with overlapping ids then take row locks in the same order
        # and cannot deadlock. The sort is stable, so a repeat inside one batch is the "duplicate".
        order = sorted(records, key=lambda i: records[i].id)

        booking = any(records[i].kind == "booking" for i in order)

        def insert_all(tx: Tx) -> dict[int, ItemResult]:
            if booking:   # a booking appends to both streams; same lock order as set_status, then add_slot
                self._lock_stream(tx, "status_updates")
                self._lock_stream(tx, "slots")
            results = {}
            for i in order:
                results[i] = _insert_record(tx, station_id, records[i], terminal_id, now)
                if records[i].kind == "booking" and results[i].status is Status.ACCEPTED:
                    _settle_booking(tx, station_id, records[i], now)
            return results
        outcome = self._transact(insert_all)
        return [outcome.get(i, item) for i, item in enumerate(items)]   # type: ignore[arg-type]

    def get(self, record_id: str) -> StoredRecord | None:
        def read(tx: Tx) -> StoredRecord | None:
            rows = tx.execute(f"SELECT {_RECORD_COLUMNS} FROM records WHERE id=?", (record_id,)).fetchall()
            if not rows:
                return None
            hashes = tx.execute("SELECT sha256 FROM record_attachments WHERE record_id=? ORDER BY sha256",
                                (record_id,)).fetchall()
            return _record(rows[0], tuple(h[0] for h in hashes))
        return self._transact(read, write=False)

    def list(self, station_id: str | None = None, limit: int = 100) -> list[StoredRecord]:
        sql, params = f"SELECT {_RECORD_COLUMNS} FROM records", ()
        if station_id is not None:
            sql, params = sql + " WHERE station_id=?", (station_id,)
        rows = self._transact(lambda tx: tx.execute(sql + " ORDER BY seq DESC LIMIT ?", (*params, limit))
                              .fetchall(), write=False)
        return [_record(row) for row in rows]

    def count(self) -> int:
        return self._transact(lambda tx: tx.execute("SELECT COUNT(*) FROM records").fetchall()[0][0], write=False)

    def records_of_kind(self, station_id: str, kind: str) -> list[StoredRecord]:
        rows = self._transact(lambda tx: tx.execute(f"SELECT {_RECORD_COLUMNS} FROM records WHERE station_id=?"
                                                    " AND kind=? ORDER BY seq", (station_id, kind)).fetchall(),
                              write=False)
        return [_record(row) for row in rows]

    def set_status(self, record_id: str, status: str, note: str = "",
                   certificate: dict[str, Any] | None = None) -> StatusUpdate:
        now = self.clock()

        def change(tx: Tx) -> StatusUpdate:
            self._lock_stream(tx, "status_updates")
            rows = tx.execute("SELECT station_id, payload, status, kind FROM records WHERE id=?",
                              (record_id,)).fetchall()
            if not rows:
                raise UnknownRecord(record_id)
            if needs.checks(rows[0][3], status):   # 有求必应: dispatched before in progress or done
                needs.check_step(rows[0][3], rows[0][2], status)
            if routing.is_level_status(status):   # checked here, in the transaction: two staff cannot both forward
                history = tx.execute("SELECT status FROM status_updates WHERE record_id=? ORDER BY seq",
                                     (record_id,)).fetchall()
                routing.check_forward(_json(rows[0][1]), rows[0][2], (h[0] for h in history), status)
            tx.execute("UPDATE records SET status=?, status_note=?, updated_at=? WHERE id=?",
                       (status, note, now, record_id))
            seq = tx.execute(
                "INSERT INTO status_updates (station_id, record_id, status, note, at, certificate)"
                " VALUES (?,?,?,?,?,?) RETURNING seq",
                (rows[0][0], record_id, status, note, now, _dump(certificate) if certificate else None),
            ).fetchall()[0][0]
            return StatusUpdate(seq, rows[0][0], record_id, status, note, now, certificate)
        return self._transact(change)

    def status_history(self, record_id: str) -> list[StatusUpdate]:
        rows = self._transact(lambda tx: tx.execute(
            "SELECT seq, station_id, record_id, status, note, at, certificate FROM status_updates"
            " WHERE record_id=? ORDER BY seq", (record_id,)).fetchall(), write=False)
        return [_status(row) for row in rows]

    def status_page(self, station_id: str, after: int, limit: int) -> Page:
        rows = self._transact(lambda tx: tx.execute(
            "SELECT seq, station_id, record_id, status, note, at, certificate FROM status_updates"
            " WHERE station_id=? AND seq>? ORDER BY seq LIMIT ?", (station_id, after, limit + 1)).fetchall(),
            write=False)
        return _page([(row[0], _status(row).to_json()) for row in rows], after, limit)

    # --- bundles and feeds ---------------------------------------------------------------------------------

    def next_bundle_version(self, kind: str) -> int:
        return self._transact(lambda tx: _max_version(tx, kind), write=False) + 1

    def add_bundle(self, bundle: Bundle) -> Bundle:
        now = self.clock()

        def add(tx: Tx) -> Bundle:
            self._lock_stream(tx, "bundles")   # also makes "newest version" and "highest seq" the same row
            if bundle.version <= _max_version(tx, bundle.kind):
                raise ValueError(f"{bundle.kind} version {bundle.version} is not newer than the published one")
            seq = tx.execute("INSERT INTO bundles (kind, version, payload_json, signature, created_at)"
                             " VALUES (?,?,?,?,?) RETURNING seq",
                             (bundle.kind, bundle.version, bundle.payload_json, bundle.signature, now)
                             ).fetchall()[0][0]
            return Bundle(bundle.kind, bundle.version, bundle.payload_json, bundle.signature, seq)
        return self._transact(add)

    def bundle_page(self, kind: str, after: int) -> Page:
        rows = self._transact(lambda tx: tx.execute(
            "SELECT seq, kind, version, payload_json, signature FROM bundles WHERE kind=? AND seq>?"
            " ORDER BY version DESC LIMIT 1", (kind, after)).fetchall(), write=False)
        if not rows:
            return Page([], after, False)
        seq, kind, version, payload_json, signature = rows[0]
        return Page([Bundle(kind, version, payload_json, signature, seq).to_json()], seq, False)

    def bundles(self, kind: str) -> list[Bundle]:
        rows = self._transact(lambda tx: tx.execute(
            "SELECT seq, kind, version, payload_json, signature FROM bundles WHERE kind=? ORDER BY seq",
            (kind,)).fetchall(), write=False)
        return [Bundle(kind, version, payload_json, signature, seq) for seq, kind, version, payload_json, signature
                in rows]

    def add_feed_item(self, item: FeedItem) -> FeedItem:
        table, now = _feed_table(item.stream), self.clock()

        def add(tx: Tx) -> FeedItem:
            self._lock_stream(tx, table)
            seq = tx.execute(f"INSERT INTO {table} (item_key, station_id, item, created_at) VALUES (?,?,?,?)"
                             " RETURNING seq", (item.key, item.station_id, _dump(item.item), now)
                             ).fetchall()[0][0]
            return FeedItem(item.stream, item.key, item.item, item.station_id, seq)
        return self._transact(add)

    def feed_page(self, stream: str, station_id: str | None, after: int, limit: int) -> Page:
        sql, params = f"SELECT seq, item FROM {_feed_table(stream)} WHERE seq>?", (after,)
        if station_id is not None:
            sql, params = sql + " AND (station_id IS NULL OR station_id=?)", (after, station_id)
        rows = self._transact(lambda tx: tx.execute(sql + " ORDER BY seq LIMIT ?", (*params, limit + 1))
                              .fetchall(), write=False)
        page = _page([(seq, _json(item)) for seq, item in rows], after, limit)
        if stream == "slots":   # only future slots; the cursor still moves past the others
            now = self.clock()
            return Page([item for item in page.items if _time(item["ends_at"]) > now], page.last_seq, page.more)
        return page

    # --- bookable slots (sync/hub/bookings.py) -------------------------------------------------------------

    def add_slot(self, slot: Slot) -> Slot:
        slot.check()
        now = self.clock()

        def add(tx: Tx) -> Slot:
            self._lock_stream(tx, "slots")
            tx.execute(f"INSERT INTO booking_slots ({SLOT_COLUMNS}, created_at) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                       (slot.id, slot.kind, slot.station_id, slot.area, slot.service, slot.department,
                        slot.starts_at, slot.ends_at, slot.capacity, None, now))
            _publish_slot(tx, slot, 0, now)
            return slot
        return self._transact(add)

    def cancel_slot(self, slot_id: str) -> bool:
        """Withdraw a slot: terminals stop offering it; bookings still arriving for it become conflicts."""
        now = self.clock()

        def cancel(tx: Tx) -> bool:
            self._lock_stream(tx, "slots")
            if tx.execute("UPDATE booking_slots SET cancelled_at=? WHERE id=? AND cancelled_at IS NULL",
                          (now, slot_id)).rowcount != 1:
                return False
            slot = _slot(tx, slot_id)
            _publish_slot(tx, slot, _booked(tx, slot_id), now)
            return True
        return self._transact(cancel)

    def upcoming_slots(self, station_id: str | None = None) -> list[tuple[Slot, int]]:
        now = self.clock()

        def read(tx: Tx) -> list[tuple[Slot, int]]:
            sql, params = f"SELECT {SLOT_COLUMNS} FROM booking_slots WHERE ends_at>?", (now,)
            if station_id is not None:
                sql, params = sql + " AND station_id=?", (now, station_id)
            slots = [bookings.slot_from_row(row, _time) for row in tx.execute(sql + " ORDER BY starts_at, id",
                                                                              params).fetchall()]
            return [(slot, _booked(tx, slot.id)) for slot in slots]
        return self._transact(read, write=False)

    # --- attachments ---------------------------------------------------------------------------------------

    def attachment_state(self, sha256: str) -> AttachmentState:
        return self._transact(lambda tx: _attachment(tx, sha256), write=False)

    def put_chunk(self, sha256: str, offset: int, total: int, data: bytes,
                  terminal_id: str | None = None) -> ChunkOutcome:
        now = self.clock()

        def put(tx: Tx) -> ChunkOutcome:
            tx.execute("INSERT INTO attachments (sha256, total, received, complete, terminal_id, created_at)"
                       " VALUES (?,?,0,?,?,?) ON CONFLICT DO NOTHING", (sha256, total, False, terminal_id, now))
            state = _attachment(tx, sha256)
            if state.complete:
                return ChunkOutcome(state)   # a resent last chunk after a lost reply: nothing left to do
            if state.total != total and state.received == 0:
                # Nothing held yet (or a wrong upload was discarded): the size of this upload counts.
                tx.execute("UPDATE attachments SET total=? WHERE sha256=? AND received=0", (total, sha256))
                state = AttachmentState(sha256, total, 0, False)
            _check_chunk(state, offset, total, len(data))
            # Conditional on the bytes held: of two racing uploads of the same chunk exactly one advances.
            if tx.execute("UPDATE attachments SET received=received+? WHERE sha256=? AND received=?",
                          (len(data), sha256, offset)).rowcount != 1:
                raise UploadRefused("offset_mismatch", _attachment(tx, sha256).received)
            if data:
                tx.execute("INSERT INTO attachment_chunks (sha256, byte_offset, data) VALUES (?,?,?)",
                           (sha256, offset, data))
            if offset + len(data) < total:
                return ChunkOutcome(AttachmentState(sha256, total, offset + len(data), False))
            return _finish_upload(tx, sha256, total, now)
        return self._transact(put)

    def attachment_chunks(self, sha256: str) -> Iterator[bytes]:
        rows = self._transact(lambda tx: tx.execute(
            "SELECT data FROM attachment_chunks WHERE sha256=? ORDER BY byte_offset", (sha256,)).fetchall(),
            write=False)
        return (bytes(row[0]) for row in rows)

    def attachment_range(self, sha256: str, start: int, stop: int) -> bytes:
        rows = self._transact(lambda tx: tx.execute(
            "SELECT byte_offset, data FROM attachment_chunks WHERE sha256=? AND byte_offset<?"
            " AND byte_offset+length(data)>? ORDER BY byte_offset", (sha256, stop, start)).fetchall(), write=False)
        if not rows:
            return b""
        first = rows[0][0]
        joined = b"".join(bytes(data) for _, data in rows)
        return joined[start - first:stop - first]


# --- helpers -------------------------------------------------------------------------------------------------

def _refusal(tx: Tx, code_hash: str, station_id: str) -> str:
    rows = tx.execute("SELECT station_id, used_at FROM enrollment_codes WHERE code_hash=?", (code_hash,)).fetchall()
    if not rows:
        return "unknown_code"
    if rows[0][0] != station_id:
        return "wrong_station"   # checked before use and expiry, and never consumes the code
    return "code_used" if rows[0][1] is not None else "code_expired"


def _insert_record(tx: Tx, station_id: str, record: HubRecord, terminal_id: str | None,
                   now: datetime) -> ItemResult:
    inserted = tx.execute(
        "INSERT INTO records (id, kind, station_id, terminal_id, payload, received_at, status, status_note,"
        " updated_at) VALUES (?,?,?,?,?,?,?,?,?) ON CONFLICT (id) DO NOTHING",
        (record.id, record.kind, station_id, terminal_id, _dump(record.payload), now, "received", "", now),
    ).rowcount
    if inserted != 1:
        return ItemResult(record.id, Status.DUPLICATE)
    for sha in getattr(record, "attachments", ()):
        tx.execute("INSERT INTO record_attachments (record_id, sha256) VALUES (?,?) ON CONFLICT DO NOTHING",
                   (record.id, sha))
    return ItemResult(record.id, Status.ACCEPTED)


def _settle_booking(tx: Tx, station_id: str, record: HubRecord, now: datetime) -> None:
    """Take the slot's next seat, or record the conflict with the next free slots; the status goes back to the
    station by its status stream, in this same transaction."""
    settled = _take_seat(tx, station_id, record, now)
    if settled.status == bookings.CONFIRMED:
        tx.execute("INSERT INTO booking_seats (slot_id, seat, record_id, created_at) VALUES (?,?,?,?)",
                   (settled.slot.id, settled.booked, record.id, now))
        _publish_slot(tx, settled.slot, settled.booked, now)
    tx.execute("UPDATE records SET status=?, status_note=?, updated_at=? WHERE id=?",
               (settled.status, settled.note, now, record.id))
    tx.execute("INSERT INTO status_updates (station_id, record_id, status, note, at) VALUES (?,?,?,?,?)",
               (station_id, record.id, settled.status, settled.note, now))


def _take_seat(tx: Tx, station_id: str, record: HubRecord, now: datetime) -> Settled:
    slot_id = record.payload.get("slot_id")
    slot = _slot(tx, slot_id) if isinstance(slot_id, str) else None
    reason = bookings.unavailable_reason(slot, station_id, now)
    if not reason:
        booked = _booked(tx, slot.id)
        if booked < slot.capacity:
            return Settled(bookings.CONFIRMED, "", slot, booked + 1)
        reason = "该时段已约满"
    kind = slot.kind if slot else record.payload.get("visit_kind", "")
    return Settled(bookings.CONFLICT, bookings.conflict_note(reason, _free_slots(tx, station_id, kind, now)))


def _free_slots(tx: Tx, station_id: str, kind: Any, now: datetime) -> list[tuple[Slot, int]]:
    rows = tx.execute(f"SELECT {SLOT_COLUMNS} FROM booking_slots WHERE station_id=? AND kind=? AND starts_at>?"
                      " AND cancelled_at IS NULL ORDER BY starts_at, id", (station_id, kind, now)).fetchall()
    free = []
    for row in rows:
        slot = bookings.slot_from_row(row, _time)
        booked = _booked(tx, slot.id)
        if booked < slot.capacity:
            free.append((slot, booked))
        if len(free) == bookings.MAX_ALTERNATIVES:
            break
    return free


def _slot(tx: Tx, slot_id: str) -> Slot | None:
    rows = tx.execute(f"SELECT {SLOT_COLUMNS} FROM booking_slots WHERE id=?", (slot_id,)).fetchall()
    return bookings.slot_from_row(rows[0], _time) if rows else None


def _booked(tx: Tx, slot_id: str) -> int:
    return tx.execute("SELECT COUNT(*) FROM booking_seats WHERE slot_id=?", (slot_id,)).fetchall()[0][0]


def _publish_slot(tx: Tx, slot: Slot, booked: int, now: datetime) -> None:
    """The slot as its station's terminals see it next; the caller holds the slots stream lock."""
    tx.execute("INSERT INTO slots (item_key, station_id, item, created_at) VALUES (?,?,?,?)",
               (slot.id, slot.station_id, _dump(slot.to_item(booked)), now))


def _max_version(tx: Tx, kind: str) -> int:
    return tx.execute("SELECT COALESCE(MAX(version), 0) FROM bundles WHERE kind=?", (kind,)).fetchall()[0][0]


def _feed_table(stream: str) -> str:
    if stream not in FEED_STREAMS:   # the name goes into SQL: only the fixed table names
        raise ValueError(f"not a feed stream: {stream}")
    return stream


def _page(rows: list[tuple[int, dict[str, Any]]], after: int, limit: int) -> Page:
    shown = rows[:limit]
    return Page([item for _, item in shown], shown[-1][0] if shown else after, len(rows) > limit)


def _attachment(tx: Tx, sha256: str) -> AttachmentState:
    rows = tx.execute("SELECT total, received, complete FROM attachments WHERE sha256=?", (sha256,)).fetchall()
    if not rows:
        return AttachmentState(sha256, 0, 0, False)
    total, received, complete = rows[0]
    return AttachmentState(sha256, total, received, bool(complete))


def _check_chunk(state: AttachmentState, offset: int, total: int, size: int) -> None:
    if total != state.total:
        raise UploadRefused("total_mismatch", state.received)
    if offset != state.received:
        raise UploadRefused("offset_mismatch", state.received)
    if offset + size > total:
        raise UploadRefused("past_total", state.received)


def _finish_upload(tx: Tx, sha256: str, total: int, now: datetime) -> ChunkOutcome:
    digest = hashlib.sha256()
    for (data,) in tx.execute("SELECT data FROM attachment_chunks WHERE sha256=? ORDER BY byte_offset", (sha256,)):
        digest.update(data)
    if digest.hexdigest() != sha256:
        # Discard, so the terminal's next attempt starts clean from offset 0.
        tx.execute("DELETE FROM attachment_chunks WHERE sha256=?", (sha256,))
        tx.execute("UPDATE attachments SET received=0 WHERE sha256=?", (sha256,))
        return ChunkOutcome(AttachmentState(sha256, total, 0, False), hash_mismatch=True)
    tx.execute("UPDATE attachments SET complete=?, completed_at=? WHERE sha256=?", (True, now, sha256))
    return ChunkOutcome(AttachmentState(sha256, total, total, True))


def _dump(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, (str, bytes)) else value


def _terminal(row: Sequence[Any]) -> Terminal:
    terminal_id, station_id, public_key, enrolled_at, revoked_at = row
    return Terminal(terminal_id, station_id, public_key, _time(enrolled_at), _time(revoked_at))


def _record(row: Sequence[Any], attachments: tuple[str, ...] = ()) -> StoredRecord:
    seq, record_id, kind, station_id, payload, received_at, status, note, updated_at, terminal_id = row
    return StoredRecord(seq, record_id, kind, station_id, _json(payload), _iso(received_at), status, note,
                        _iso(updated_at), terminal_id, attachments)


def _status(row: Sequence[Any]) -> StatusUpdate:
    seq, station_id, record_id, status, note, at, certificate = row
    return StatusUpdate(seq, station_id, record_id, status, note or "", _time(at),
                        _json(certificate) if certificate is not None else None)
