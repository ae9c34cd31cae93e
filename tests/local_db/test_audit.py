"""The audit trail: a row and its outbox row commit together, and personal data never gets in."""
import json
import sqlite3
from datetime import datetime, timezone

import pytest

from kiosk.ids import uuid7
from local_db import audit
from local_db.audit import AuditLog, PersonalDataInAudit, looks_personal
from local_db.db import open_db
from local_db.sync_state import transaction
from sync.hub.validation import parse_records_request

T0 = datetime(2026, 11, 25, 1, 30, tzinfo=timezone.utc)


@pytest.fixture
def log(tmp_path):
    db = open_db(tmp_path / "k.db")
    yield AuditLog(db, "st-1", clock=lambda: T0)
    db.conn.close()


def counts(db) -> tuple[int, int]:
    return (db.execute("SELECT COUNT(*) FROM audit").fetchone()[0],
            db.execute("SELECT COUNT(*) FROM outbox WHERE kind='audit'").fetchone()[0])


def test_an_entry_is_a_row_and_an_outbox_record_the_hub_accepts(log):
    application_id = uuid7(T0)
    entry = log.record(audit.agent_actor("ag-7"), audit.FILE_ON_BEHALF, application_id, "ok")
    row = log.db.execute("SELECT id, at, actor, action, target, outcome FROM audit").fetchone()
    assert row == (entry.id, "2026-11-25T01:30:00+00:00", "agent:ag-7", "file_on_behalf", application_id, "ok")
    record_id, kind, payload = log.db.execute("SELECT record_id, kind, payload FROM outbox").fetchone()
    assert (record_id, kind) == (entry.id, "audit")
    body = {"station_id": "st-1", "records": [{"id": record_id, "kind": kind, "payload": json.loads(payload)}]}
    _, checked = parse_records_request(json.dumps(body).encode())
    assert checked[0].kind == "audit" and checked[0].payload["action"] == "file_on_behalf"
    assert log.recent() == [entry]


def test_row_and_outbox_row_roll_back_together(log):
    log.db.execute("CREATE TRIGGER no_outbox BEFORE INSERT ON outbox BEGIN SELECT RAISE(ABORT, 'disk full'); END")
    with pytest.raises(sqlite3.IntegrityError):
        log.record(audit.TECHNICIAN, "open_maintenance")
    assert counts(log.db) == (0, 0)


def test_write_joins_the_callers_transaction(log):
    entry = log.entry(audit.RESIDENT, "print_receipt")
    with pytest.raises(RuntimeError):
        with transaction(log.db):
            log.write(entry)
            raise RuntimeError("the caller's own work failed")
    assert counts(log.db) == (0, 0)


@pytest.mark.parametrize("field, value", [
    ("target", "330902195803150012"),          # resident ID number
    ("target", "33090219580315001X"),
    ("target", "330902 19580315 0012"),
    ("target", "13812345678"),                 # mobile phone
    ("target", "tel:138-1234-5678"),
    ("outcome", "13812345678"),
    ("actor", "agent:13812345678"),            # an agent id that is a phone number
    ("actor", "王海生"),                        # names: not a code
    ("target", "王海生"),
    ("action", "login name=wang"),
    ("actor", "somebody"),
])
def test_personal_data_is_refused_before_anything_is_written(log, field, value):
    fields = {"actor": audit.RESIDENT, "action": audit.LOGIN, "target": "", "outcome": "ok"} | {field: value}
    with pytest.raises(PersonalDataInAudit) as refused:
        log.record(**fields)
    assert value not in str(refused.value)     # the refusal itself does not repeat it into a log
    assert counts(log.db) == (0, 0)


def test_record_ids_and_codes_pass_the_guard():
    assert not looks_personal("01937c5e-1a2b-7000-8000-123456789012")   # a UUID with a 12-digit group
    assert not looks_personal("DH001-20261125-0007")                     # a receipt number
    assert looks_personal("ref 13812345678")
