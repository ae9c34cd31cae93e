"""The hub on PostgreSQL: for a city or province, many hub processes may share one database.

Transactions run at READ COMMITTED. What keeps concurrent writers correct:
- records: `INSERT … ON CONFLICT (id) DO NOTHING`, rows taken in id order (no deadlocks between batches);
- streams read by cursor: appends take `LOCK TABLE … IN EXCLUSIVE MODE`, so `seq` values become visible in
  order and a reader's cursor can never pass a row that commits later;
- attachments and enrollment codes: conditional UPDATEs, which re-check their condition after waiting;
- booking seats: a batch with a booking takes the status stream's lock first, so seat counts never race, and
  (slot_id, seat) is unique besides.
Deadlocks and serialisation failures (rolled back by the server) are retried a few times.
"""
from __future__ import annotations

import contextlib
import queue
import re
import threading
from typing import Any, Callable, Iterator, Sequence, TypeVar

import psycopg
from psycopg import errors, sql

from kiosk.ids import Clock, utc_now
from sync.hub import chat_store
from sync.hub.sql_store import SqlHubStore, Tx
from sync.hub.store import StoreBusy

T = TypeVar("T")
POOL_SIZE = 16
POOL_WAIT_S = 30.0
RETRIES = 3
_SCHEMA_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
_STREAM_TABLES = frozenset({"status_updates", "bundles", "guides", "announcements", "agent_credentials", "slots"})

SCHEMA = """
CREATE TABLE IF NOT EXISTS terminals (
    id TEXT PRIMARY KEY, station_id TEXT NOT NULL, public_key TEXT NOT NULL,
    enrolled_at TIMESTAMPTZ NOT NULL, revoked_at TIMESTAMPTZ);
CREATE TABLE IF NOT EXISTS enrollment_codes (
    code_hash TEXT PRIMARY KEY, station_id TEXT NOT NULL, created_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL, used_at TIMESTAMPTZ, terminal_id TEXT);
CREATE TABLE IF NOT EXISTS nonces (
    terminal_id TEXT NOT NULL, nonce TEXT NOT NULL, seen_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (terminal_id, nonce));
CREATE INDEX IF NOT EXISTS nonces_seen ON nonces(seen_at);
CREATE TABLE IF NOT EXISTS records (
    seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,   -- arrival order (staff lists only)
    id TEXT NOT NULL UNIQUE,                               -- the terminal's UUIDv7: the idempotency key
    kind TEXT NOT NULL, station_id TEXT NOT NULL, terminal_id TEXT,
    payload JSONB NOT NULL,                                -- personal data, never logged
    received_at TIMESTAMPTZ NOT NULL, status TEXT NOT NULL DEFAULT 'received',
    status_note TEXT NOT NULL DEFAULT '', updated_at TIMESTAMPTZ);
CREATE INDEX IF NOT EXISTS records_station ON records(station_id, seq);
CREATE INDEX IF NOT EXISTS records_kind ON records(kind, received_at);   -- the 好差评 dashboard (dashboard.py)
CREATE TABLE IF NOT EXISTS record_attachments (
    record_id TEXT NOT NULL, sha256 TEXT NOT NULL, PRIMARY KEY (record_id, sha256));
CREATE TABLE IF NOT EXISTS status_updates (
    seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, station_id TEXT NOT NULL, record_id TEXT NOT NULL,
    status TEXT NOT NULL, note TEXT NOT NULL DEFAULT '', at TIMESTAMPTZ NOT NULL, certificate JSONB);
CREATE INDEX IF NOT EXISTS status_updates_station ON status_updates(station_id, seq);
CREATE INDEX IF NOT EXISTS status_updates_record ON status_updates(record_id, seq);
CREATE TABLE IF NOT EXISTS bundles (
    seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, kind TEXT NOT NULL, version BIGINT NOT NULL,
    payload_json TEXT NOT NULL,                            -- TEXT, not JSONB: the signed bytes, exactly
    signature TEXT NOT NULL, created_at TIMESTAMPTZ NOT NULL, UNIQUE (kind, version));
CREATE TABLE IF NOT EXISTS attachments (
    sha256 TEXT PRIMARY KEY, total BIGINT NOT NULL, received BIGINT NOT NULL, complete BOOLEAN NOT NULL,
    terminal_id TEXT, created_at TIMESTAMPTZ NOT NULL, completed_at TIMESTAMPTZ);
CREATE TABLE IF NOT EXISTS attachment_chunks (
    sha256 TEXT NOT NULL, byte_offset BIGINT NOT NULL, data BYTEA NOT NULL, PRIMARY KEY (sha256, byte_offset));
CREATE TABLE IF NOT EXISTS booking_slots (
    id TEXT PRIMARY KEY, kind TEXT NOT NULL, station_id TEXT NOT NULL, area TEXT NOT NULL DEFAULT '',
    service TEXT NOT NULL DEFAULT '', department TEXT NOT NULL DEFAULT '', starts_at TIMESTAMPTZ NOT NULL,
    ends_at TIMESTAMPTZ NOT NULL, capacity INTEGER NOT NULL CHECK (capacity > 0), cancelled_at TIMESTAMPTZ,
    created_at TIMESTAMPTZ NOT NULL);
CREATE INDEX IF NOT EXISTS booking_slots_station ON booking_slots(station_id, kind, starts_at);
CREATE TABLE IF NOT EXISTS booking_seats (
    slot_id TEXT NOT NULL, seat INTEGER NOT NULL, record_id TEXT NOT NULL UNIQUE, created_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (slot_id, seat));
""" + "".join(f"""
CREATE TABLE IF NOT EXISTS {feed} (
    seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, item_key TEXT NOT NULL, station_id TEXT,
    item JSONB NOT NULL, created_at TIMESTAMPTZ NOT NULL);
""" for feed in ("guides", "announcements", "agent_credentials", "slots")) + chat_store.PG_SCHEMA


class PostgresStore(SqlHubStore):
    def __init__(self, dsn: str, clock: Clock = utc_now, *, schema: str | None = None,
                 pool_size: int = POOL_SIZE):
        super().__init__(clock)
        if schema is not None and not _SCHEMA_NAME.match(schema):
            raise ValueError("schema name must be lower-case letters, digits and _")
        self._pool = _Pool(lambda: _connect(dsn, schema), pool_size)
        self._transact(_create_schema)

    def _transact(self, fn: Callable[[Tx], T], write: bool = True) -> T:
        for attempt in range(RETRIES):
            try:
                with self._pool.connection() as conn, conn.transaction():
                    return fn(_PgTx(conn))
            except (errors.DeadlockDetected, errors.SerializationFailure):
                if attempt == RETRIES - 1:
                    raise StoreBusy("database conflict") from None
            except psycopg.OperationalError:   # server down or restarting; the broken connection is dropped
                raise StoreBusy("database unreachable") from None
        raise AssertionError("unreachable")

    def _lock_stream(self, tx: Tx, table: str) -> None:
        if table not in _STREAM_TABLES:
            raise ValueError(table)
        tx.execute(f"LOCK TABLE {table} IN EXCLUSIVE MODE")   # readers go on; appenders queue

    def close(self) -> None:
        self._pool.close()


def _connect(dsn: str, schema: str | None) -> psycopg.Connection:
    # autocommit: `conn.transaction()` then issues exactly one BEGIN … COMMIT per `_transact`.
    conn = psycopg.connect(dsn, autocommit=True, connect_timeout=10)
    if schema is not None:
        conn.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(schema)))
        conn.execute(sql.SQL("SET search_path TO {}").format(sql.Identifier(schema)))
    return conn


def _create_schema(tx: Tx) -> None:
    # Hub processes starting together would race on CREATE TABLE IF NOT EXISTS; one at a time per schema.
    tx.execute("SELECT pg_advisory_xact_lock(hashtext(current_schema() || '.zdb-hub-schema'))")
    for statement in filter(str.strip, SCHEMA.split(";")):
        tx.execute(statement)


class _PgTx:
    def __init__(self, conn: psycopg.Connection):
        self._conn = conn

    def execute(self, statement: str, params: Sequence[Any] = ()) -> psycopg.Cursor:
        # One cursor per statement, so iterating one result while running the next is safe.
        return self._conn.execute(statement.replace("?", "%s"), tuple(params))


class _Pool:
    """A few reusable connections; a request waits (bounded) for a free one. Broken ones are replaced."""

    def __init__(self, connect: Callable[[], psycopg.Connection], size: int):
        self._connect = connect
        self._slots = threading.BoundedSemaphore(size)
        self._idle: queue.LifoQueue[psycopg.Connection] = queue.LifoQueue()
        self._closed = False

    @contextlib.contextmanager
    def connection(self) -> Iterator[psycopg.Connection]:
        if self._closed:
            raise RuntimeError("store is closed")
        if not self._slots.acquire(timeout=POOL_WAIT_S):
            raise StoreBusy("no database connection free")
        conn = None
        try:
            conn = self._take()
            yield conn
        finally:
            if conn is not None:
                self._give_back(conn)
            self._slots.release()

    def _take(self) -> psycopg.Connection:
        while True:
            try:
                conn = self._idle.get_nowait()
            except queue.Empty:
                return self._connect()
            if not conn.closed and not conn.broken:
                return conn

    def _give_back(self, conn: psycopg.Connection) -> None:
        if self._closed or conn.closed or conn.broken:
            conn.close()
        else:
            self._idle.put(conn)

    def close(self) -> None:
        self._closed = True
        while True:
            try:
                self._idle.get_nowait().close()
            except queue.Empty:
                return
