"""Schema migrations, oldest first. Never edit a released step: append a new one.

A step is SQL statements, and may hold a Python function of the connection where SQL cannot do the work (step 7
hashes the audit rows already written); all of a step runs in one transaction with its version number.
"""
from __future__ import annotations

import json
import sqlite3
from typing import Callable

from local_db.audit_chain import GENESIS, link_hash

Statement = str | Callable[[sqlite3.Connection], None]


def _chain_existing_audit(conn: sqlite3.Connection) -> None:
    """Step 7: chain the rows written before the chain, in id (UUIDv7: time) order. Their station is the one
    their outbox or quarantine payload names; the pending outbox payloads gain seq, prev_hash and hash."""
    rows = conn.execute(
        "SELECT a.id, a.at, a.actor, a.action, a.target, a.outcome,"
        " COALESCE(json_extract(o.payload, '$.station_id'), json_extract(q.payload, '$.station_id'), '')"
        " FROM audit a LEFT JOIN outbox o ON o.record_id = a.id AND json_valid(o.payload)"
        " LEFT JOIN quarantine q ON q.record_id = a.id AND json_valid(q.payload) ORDER BY a.id").fetchall()
    prev = GENESIS
    for seq, (record_id, at, actor, action, target, outcome, station_id) in enumerate(rows, start=1):
        digest = link_hash(seq, prev, record_id, at, actor, action, target, outcome, station_id)
        conn.execute("UPDATE audit SET seq=?, prev_hash=?, hash=?, station_id=? WHERE id=?",
                     (seq, prev, digest, station_id, record_id))
        chain = json.dumps({"seq": seq, "prev_hash": prev, "hash": digest})
        conn.execute("UPDATE outbox SET payload=json_patch(payload, ?) WHERE record_id=? AND kind='audit'"
                     " AND delivered_at IS NULL AND json_valid(payload)", (chain, record_id))
        prev = digest


MIGRATIONS: list[list[Statement]] = [
    # 1: applications with their outbox, print journal and ratings
    [
        """CREATE TABLE applications (
            id TEXT PRIMARY KEY,              -- UUIDv7, idempotency key up to the hub
            receipt_no TEXT NOT NULL UNIQUE,
            item_id TEXT NOT NULL,
            item_name TEXT NOT NULL,
            applicant TEXT NOT NULL,          -- JSON; personal data, purged once the hub has it (later issue)
            answers TEXT NOT NULL,            -- JSON
            station_id TEXT NOT NULL,
            created_at TEXT NOT NULL,
            status TEXT NOT NULL DEFAULT 'submitted'
        )""",
        """CREATE TABLE outbox (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,   -- delivery order
            record_id TEXT NOT NULL UNIQUE,
            kind TEXT NOT NULL,                      -- application | rating
            payload TEXT NOT NULL,                   -- JSON body sent to the hub
            created_at TEXT NOT NULL,
            attempts INTEGER NOT NULL DEFAULT 0,
            last_error TEXT,
            delivered_at TEXT
        )""",
        "CREATE INDEX outbox_pending ON outbox(delivered_at, seq)",
        """CREATE TABLE print_journal (
            receipt_no TEXT PRIMARY KEY,
            application_id TEXT NOT NULL REFERENCES applications(id),
            status TEXT NOT NULL,                    -- owed | printed
            attempts INTEGER NOT NULL DEFAULT 0,
            last_error TEXT,
            updated_at TEXT NOT NULL
        )""",
        """CREATE TABLE ratings (
            id TEXT PRIMARY KEY,
            application_id TEXT,
            item_id TEXT NOT NULL,
            level INTEGER NOT NULL CHECK (level BETWEEN 1 AND 5),
            reasons TEXT NOT NULL,
            comment TEXT NOT NULL DEFAULT '',
            created_at TEXT NOT NULL
        )""",
        "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    ],
    # 2: sync protocol 1.1 on the terminal: quarantine, pull cursors, installed bundles, pulled status and content
    [
        """CREATE TABLE quarantine (
            seq INTEGER PRIMARY KEY,                 -- the outbox seq it had: a release puts it back in its place
            record_id TEXT NOT NULL UNIQUE,
            kind TEXT NOT NULL,
            payload TEXT NOT NULL,                   -- kept as it was, for the technician; personal data
            created_at TEXT NOT NULL,
            attempts INTEGER NOT NULL,
            reason TEXT NOT NULL,                    -- the hub's or the terminal's, never personal data
            quarantined_at TEXT NOT NULL
        )""",
        """CREATE TABLE sync_cursors (
            stream TEXT PRIMARY KEY,
            cursor TEXT NOT NULL,                    -- opaque, from the hub; stored with the page it ends
            updated_at TEXT NOT NULL
        )""",
        """CREATE TABLE bundles (
            kind TEXT PRIMARY KEY,                   -- catalog | policies | config
            version INTEGER NOT NULL,
            sha256 TEXT NOT NULL,                    -- of payload_json
            payload TEXT,                            -- payload_json; NULL for the catalog (a file in the data dir)
            applied_at TEXT NOT NULL
        )""",
        """CREATE TABLE record_status (
            record_id TEXT PRIMARY KEY,
            status TEXT NOT NULL,
            note TEXT NOT NULL DEFAULT '',
            at TEXT NOT NULL,                        -- the hub's time of the change
            received_at TEXT NOT NULL
        )""",
        """CREATE TABLE certificates (
            record_id TEXT NOT NULL,
            number TEXT NOT NULL,
            title TEXT NOT NULL,
            text TEXT NOT NULL,
            issuer TEXT NOT NULL DEFAULT '',
            holder_masked TEXT NOT NULL DEFAULT '',
            issued_at TEXT NOT NULL,
            PRIMARY KEY (record_id, number)
        )""",
        """CREATE TABLE stream_items (
            stream TEXT NOT NULL,                    -- announcements | guides | agent_credentials
            id TEXT NOT NULL,
            body TEXT NOT NULL,                      -- JSON as pulled
            updated_at TEXT NOT NULL,
            PRIMARY KEY (stream, id)
        )""",
    ],
    # 3: attachments, content-addressed, uploaded in resumable chunks apart from their records
    [
        """CREATE TABLE attachments (
            sha256 TEXT PRIMARY KEY,
            path TEXT,                               -- file under the data dir's media folder, or NULL
            blob BLOB,                               -- the bytes, when not kept as a file
            size INTEGER NOT NULL,
            uploaded INTEGER NOT NULL DEFAULT 0,     -- bytes the hub last said it holds
            done_at TEXT,
            attempts INTEGER NOT NULL DEFAULT 0,
            last_error TEXT,
            created_at TEXT NOT NULL,
            CHECK (path IS NOT NULL OR blob IS NOT NULL)
        )""",
        "CREATE INDEX attachments_pending ON attachments(done_at, created_at)",
    ],
    # 4: personal data retention (local_db/retention.py): when each row's personal data was purged
    [
        "ALTER TABLE applications ADD COLUMN purged_at TEXT",   # applicant and answers blanked to a stub
        "ALTER TABLE outbox ADD COLUMN purged_at TEXT",         # delivered payload cut to a stub
        "ALTER TABLE attachments ADD COLUMN purged_at TEXT",    # bytes deleted; path NULL once the file is gone
    ],
    # 5: proxy-agent login (kiosk/agents.py) and the station's audit trail (local_db/audit.py)
    [
        """CREATE TABLE agent_lockouts (
            login_key TEXT PRIMARY KEY,              -- a known agent id, or a hash of an unknown entered one
            failures INTEGER NOT NULL,               -- consecutive, since the last success or lockout end
            last_failure_at TEXT NOT NULL,
            locked_until TEXT                        -- NULL: not locked
        )""",
        """CREATE TABLE audit (
            id TEXT PRIMARY KEY,                     -- UUIDv7, also the outbox record id
            at TEXT NOT NULL,
            actor TEXT NOT NULL,                     -- agent:<id> | resident | technician | system
            action TEXT NOT NULL,                    -- short code: login, login_failed, lockout, logout...
            target TEXT NOT NULL DEFAULT '',         -- a record id or empty; never personal data
            outcome TEXT NOT NULL                    -- short code: ok, wrong_secret, expired...
        )""",
        "CREATE INDEX audit_at ON audit(at)",
    ],
    # 6: filing on behalf (kiosk/flow.py): who filed for the resident, and the resident's consent
    [
        "ALTER TABLE applications ADD COLUMN filed_by TEXT",        # the agent's id; NULL: the resident alone
        "ALTER TABLE applications ADD COLUMN filed_by_role TEXT",
        "ALTER TABLE applications ADD COLUMN consent TEXT",         # JSON {method, evidence_sha256, at}
        "CREATE INDEX applications_filed_by ON applications(filed_by, created_at)",
    ],
    # 7: the audit trail as a hash chain (local_db/audit_chain.py), append-only
    [
        "ALTER TABLE audit ADD COLUMN seq INTEGER",              # chain position 1..n
        "ALTER TABLE audit ADD COLUMN prev_hash TEXT",           # the hash of entry seq-1; 64 zeros for seq 1
        "ALTER TABLE audit ADD COLUMN hash TEXT",
        "ALTER TABLE audit ADD COLUMN station_id TEXT",          # hashed with the entry, as the hub receives it
        _chain_existing_audit,
        "CREATE UNIQUE INDEX audit_seq ON audit(seq)",           # two writers can never fork the chain
        """CREATE TRIGGER audit_chained_insert BEFORE INSERT ON audit
            WHEN NEW.seq IS NULL OR NEW.prev_hash IS NULL OR NEW.hash IS NULL OR NEW.station_id IS NULL
            BEGIN SELECT RAISE(ABORT, 'audit rows are chained: use local_db.audit'); END""",
        """CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
            BEGIN SELECT RAISE(ABORT, 'audit is append-only'); END""",
        """CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
            BEGIN SELECT RAISE(ABORT, 'audit is append-only'); END""",
    ],
    # 有求必应 (kiosk/needs.py): a resident's need recorded by an agent; description, contact, location and
    # resident sealed (local_db/sealing.py), blanked by retention once the hub has held it long enough
    [
        """CREATE TABLE needs (
            id TEXT PRIMARY KEY,                     -- UUIDv7, also the outbox record id
            number TEXT NOT NULL UNIQUE,             -- short number read to the resident: YQ-<station>-<day>-<n>
            category TEXT NOT NULL,                  -- one of kiosk.needs.CATEGORIES; not personal
            description TEXT NOT NULL,
            contact TEXT NOT NULL,
            location TEXT NOT NULL,
            resident TEXT,                           -- JSON identity when the resident was identified, else NULL
            station_id TEXT NOT NULL,
            filed_by TEXT NOT NULL,                  -- the agent's id
            created_at TEXT NOT NULL,
            purged_at TEXT                           -- personal columns blanked (local_db/retention.py)
        )""",
        "CREATE INDEX needs_filed_by ON needs(filed_by, created_at)",
    ],
    # 预约 / 上门办 (kiosk/bookings.py): bookings filed by agents for slots pulled from the hub
    [
        """CREATE TABLE bookings (
            id TEXT PRIMARY KEY,                     -- UUIDv7, also the outbox record id
            slot_id TEXT NOT NULL,
            visit_kind TEXT NOT NULL,                -- station_visit | home_visit
            slot_label TEXT NOT NULL,                -- day, time and service as offered, for the work queue
            details TEXT NOT NULL,                   -- sealed JSON {name, phone, address, reason}; personal data
            filed_by TEXT NOT NULL,                  -- the agent's id
            station_id TEXT NOT NULL,
            created_at TEXT NOT NULL,
            purged_at TEXT                           -- details blanked by retention (local_db/retention.py)
        )""",
        "CREATE INDEX bookings_slot ON bookings(slot_id)",
        "CREATE INDEX bookings_filed_by ON bookings(filed_by, created_at)",
    ],
    # drafts an agent saved mid-filing (local_db/drafts.py), and supervisor review (local_db/review.py)
    [
        """CREATE TABLE drafts (
            id TEXT PRIMARY KEY,                     -- UUIDv7
            agent_id TEXT NOT NULL,                  -- whose draft: only they see and resume it
            item_id TEXT NOT NULL,
            item_name TEXT NOT NULL,
            body TEXT NOT NULL,                      -- sealed JSON {identity, answers}
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            expires_at TEXT NOT NULL                 -- purged after this (kiosk config draft_keep_days)
        )""",
        "CREATE INDEX drafts_agent ON drafts(agent_id, updated_at)",
        "ALTER TABLE applications ADD COLUMN held_payload TEXT",   # sealed outbox payload while awaiting review
        "ALTER TABLE applications ADD COLUMN reviewed_by TEXT",    # the supervisor's agent id
        "ALTER TABLE applications ADD COLUMN reviewed_at TEXT",
        "ALTER TABLE applications ADD COLUMN review_reason TEXT",  # a rejection's reason code
        "ALTER TABLE applications ADD COLUMN review_note TEXT",    # sealed free text of a rejection, or NULL
        "CREATE INDEX applications_status ON applications(status)",
    ],
    # 容缺受理 and 一件事 (kiosk/flow.py): the deferral terms and the bundle's items, no personal data in either
    [
        "ALTER TABLE applications ADD COLUMN deferral TEXT",   # JSON {materials, deadline, commitment_sha256, method}
        "ALTER TABLE applications ADD COLUMN bundle TEXT",     # JSON {id, parts: [{item_id, item_name}]}
    ],
]
