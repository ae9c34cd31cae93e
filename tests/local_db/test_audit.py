"""The audit trail: a row and its outbox row commit together, personal data never gets in, and only the
catalogue's event types do."""
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
    entry = log.record(audit.agent_actor("ag-7"), audit.FILE_ON_BEHALF, application_id, "signature")
    row = log.db.execute("SELECT id, at, actor, action, target, outcome FROM audit").fetchone()
    assert row == (entry.id, "2026-11-25T01:30:00+00:00", "agent:ag-7", "file_on_behalf", application_id,
                   "signature")
    record_id, kind, payload = log.db.execute("SELECT record_id, kind, payload FROM outbox").fetchone()
    assert (record_id, kind) == (entry.id, "audit")
    body = {"station_id": "st-1", "records": [{"id": record_id, "kind": kind, "payload": json.loads(payload)}]}
    _, checked = parse_records_request(json.dumps(body).encode())
    assert checked[0].kind == "audit" and checked[0].payload["action"] == "file_on_behalf"
    assert log.recent() == [entry]


def test_row_and_outbox_row_roll_back_together(log):
    log.db.execute("CREATE TRIGGER no_outbox BEFORE INSERT ON outbox BEGIN SELECT RAISE(ABORT, 'disk full'); END")
    with pytest.raises(sqlite3.IntegrityError):
        log.record(audit.TECHNICIAN, audit.KEY_ROTATED, "k-2026-11")
    assert counts(log.db) == (0, 0)


def test_write_joins_the_callers_transaction(log):
    entry = log.entry(audit.RESIDENT, audit.CERTIFICATE_PRINTED, uuid7(T0), "paper_out")
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


def test_write_needs_the_callers_transaction(log):
    with pytest.raises(RuntimeError):
        log.write(log.entry(audit.SYSTEM, audit.PERSONAL_DATA_PURGED, uuid7(T0)))
    assert counts(log.db) == (0, 0)


# --- the catalogue ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("actor, action, target, outcome", [
    (audit.TECHNICIAN, "open_maintenance", "", "ok"),                      # not in the catalogue
    (audit.agent_actor("ag-7"), audit.LOGOUT, "", "ok"),                   # logout is manual or idle
    (audit.RESIDENT, audit.LOGIN, "", "ok"),                               # only agents log in
    (audit.TECHNICIAN, audit.PERSONAL_DATA_PURGED, uuid7(T0), "ok"),       # retention is the system's
    (audit.SYSTEM, audit.PERSONAL_DATA_PURGED, "", "ok"),                  # whose data: the record id
    (audit.agent_actor("ag-7"), audit.LOGIN, uuid7(T0), "ok"),             # login names no record
    (audit.RESIDENT, audit.CERTIFICATE_PRINTED, uuid7(T0), "jammed"),      # not a fault code
])
def test_only_the_catalogues_event_types_are_written(log, actor, action, target, outcome):
    with pytest.raises(audit.NotInCatalogue):
        log.record(actor, action, target, outcome)
    with pytest.raises(audit.NotInCatalogue):   # nor an entry made by hand and handed to write()
        with transaction(log.db):
            log.write(audit.AuditEntry(uuid7(T0), T0.isoformat(), actor, action, target, outcome))
    assert counts(log.db) == (0, 0)


def test_the_events_other_modules_need(log):
    log.record(audit.SYSTEM, audit.PERSONAL_DATA_PURGED, uuid7(T0))
    log.record(audit.TECHNICIAN, audit.KEY_ROTATED, "k-2026-11")
    log.record(audit.SYSTEM, audit.KEY_ROTATED, "k-2026-12")
    assert [e.action for e in log.recent()] == ["key_rotated", "key_rotated", "personal_data_purged"]


def test_every_event_type_is_named_once_and_its_outcomes_track_their_sources():
    from devices.base import Fault
    from kiosk.agents import Refusal

    actions = [event.action for event in audit.CATALOGUE]
    assert len(actions) == len(set(actions)) == len(audit.EVENTS)
    named = {value for name, value in vars(audit).items() if name.isupper() and isinstance(value, str)
             and value in audit.EVENTS}
    assert named == set(audit.EVENTS)
    assert audit.EVENTS[audit.LOGIN_FAILED].outcomes == {r.value for r in Refusal}
    assert audit.EVENTS[audit.CERTIFICATE_PRINTED].outcomes == {"ok"} | {f.value for f in Fault}
    from kiosk.owed_receipts import UNREADABLE
    assert audit.EVENTS[audit.RECEIPT_REPRINTED].outcomes == {"ok", UNREADABLE} | {f.value for f in Fault}
    assert audit.EVENTS[audit.FILE_ON_BEHALF].outcomes == {"signature", "zlb_code"}   # kiosk/consent.py
    for event in audit.CATALOGUE:
        assert event.actor_roles <= {audit.AGENT, audit.RESIDENT, audit.TECHNICIAN, audit.SYSTEM,
                                     audit.UNIDENTIFIED}
