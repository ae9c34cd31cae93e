"""Schema migrations, oldest first. Never edit a released step: append a new one."""

MIGRATIONS: list[list[str]] = [
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
]
