"""Reading sealed columns in tests: what the kiosk would see, as opposed to what lies in the file."""
import json
from local_db.sealing import SEALED_COLUMNS, payload_context


def opened_payload(db, record_id: str, table: str = "outbox") -> str:
    raw = db.execute(f"SELECT payload FROM {table} WHERE record_id=?", (record_id,)).fetchone()[0]
    return db.sealer.open(raw, payload_context(record_id))


def opened_rows_text(db) -> str:
    """Every sealed value of every row, opened, one per line (for 'the personal data is there' preconditions)."""
    lines = []
    for column in SEALED_COLUMNS:
        sql = f"SELECT {', '.join(column.keys)}, {column.column} FROM {column.table} WHERE {column.column} IS NOT NULL"
        for *keys, value in db.execute(sql).fetchall():
            context = column.context(*keys)
            lines.append(repr(db.sealer.open_bytes(value, context).decode("utf-8", "replace") if column.binary
                              else db.sealer.open(value, context)))
    return "\n".join(lines)


def edit_payload(db, record_id: str, change) -> None:
    """Change a queued record's payload as the hub will see it (`change` edits the dict in place), sealed again."""
    context = payload_context(record_id)
    raw = db.execute("SELECT payload FROM outbox WHERE record_id=?", (record_id,)).fetchone()[0]
    body = json.loads(db.sealer.open(raw, context))
    change(body)
    db.execute("UPDATE outbox SET payload=? WHERE record_id=?",
               (db.sealer.seal(json.dumps(body, ensure_ascii=False), context), record_id))


def stored_rows_text(db) -> str:
    """Every row of every table as stored in the file (sealed values stay sealed), one per line."""
    tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")]
    return "\n".join(repr(row) for t in tables for row in db.execute(f"SELECT * FROM {t}").fetchall())
