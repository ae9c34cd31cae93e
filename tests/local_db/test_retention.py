"""Personal data retention: what the kiosk forgets once the hub has held a record long enough, and what it keeps."""
import json
import logging
from datetime import datetime, timedelta, timezone

import pytest

from kiosk.records import Identity
from local_db.db import open_db
from local_db.retention import PurgeResult, purge_delivered
from local_db.store import ApplicationStore, Outbox
from sync.attachments import AttachmentStore
from sync.quarantine import Quarantine
from tests.clocks import FakeClock
from tests.local_db.sealed_helpers import opened_payload, opened_rows_text, stored_rows_text

RESIDENT = Identity(source="idcard", name="王海生", id_number="330902195803150012", address="定海区长岛路88号",
                    phone="13812345678")
ANSWERS = {"contact_phone": "13812345678", "purpose": "出国"}
PERSONAL = (RESIDENT.name, RESIDENT.id_number, RESIDENT.address, RESIDENT.phone)
KEEP_H = 24.0


@pytest.fixture
def clock():
    return FakeClock(datetime(2026, 11, 25, 1, 30, tzinfo=timezone.utc))


@pytest.fixture
def store(tmp_path, clock):
    db = open_db(tmp_path / "k.db")
    yield ApplicationStore(db, "st-1", "DH001", clock=clock)
    db.conn.close()


@pytest.fixture
def media_dir(tmp_path):
    return tmp_path / "media"


@pytest.fixture
def purge(store, clock, media_dir):
    def run() -> PurgeResult:
        return purge_delivered(store.db, media_dir, keep_days=KEEP_H / 24, clock=clock)
    return run


def filed(store, printed=True):
    """An application as the kiosk files it; its receipt printed unless told otherwise."""
    app = store.submit("zs-hj-001", "户籍证明开具", RESIDENT, ANSWERS)
    if printed:
        store.mark_printed(app.receipt_no)
    return app


def deliver(store, clock, *record_ids):
    Outbox(store.db, clock).mark_delivered(list(record_ids))


def one(store, sql, *args):
    return store.db.execute(sql, args).fetchone()


def test_purges_only_after_the_window(store, clock, purge):
    app = filed(store)
    deliver(store, clock, app.id)
    clock.now += timedelta(hours=KEEP_H - 1)
    assert purge() == PurgeResult()
    assert store.load_application(app.id) == app
    clock.now += timedelta(hours=2)
    assert purge() == PurgeResult(applications=1, outbox=1)
    row = one(store, "SELECT receipt_no, item_id, item_name, status, created_at, applicant, answers, purged_at"
                     " FROM applications")
    assert row[:5] == (app.receipt_no, app.item_id, app.item_name, "submitted", app.created_at)
    assert json.loads(row[5]) == json.loads(row[6]) == {"purged": True}
    assert row[7] == clock.now.isoformat(timespec="seconds")
    payload = json.loads(one(store, "SELECT payload FROM outbox WHERE record_id=?", app.id)[0])
    assert payload == {"id": app.id, "kind": "application", "receipt_no": app.receipt_no, "item_id": app.item_id,
                       "item_name": app.item_name, "station_id": "st-1", "created_at": app.created_at,
                       "purged": True}
    assert store.load_application(app.id) is None   # nothing left to rebuild an applicant from


def test_owed_receipt_keeps_everything_until_printed(store, clock, purge):
    app = filed(store, printed=False)
    deliver(store, clock, app.id)
    clock.now += timedelta(hours=KEEP_H * 3)
    assert purge() == PurgeResult()
    assert store.load_application(app.id) == app   # the reprint still has the name and ID to mask
    assert RESIDENT.id_number in opened_payload(store.db, app.id)
    store.mark_printed(app.receipt_no)
    assert purge() == PurgeResult(applications=1, outbox=1)


def test_undelivered_and_quarantined_records_are_never_touched(store, clock, purge):
    sent, rejected, waiting = filed(store), filed(store), filed(store)
    deliver(store, clock, sent.id)
    Quarantine(store.db, clock).move({rejected.id: "rejected by hub: test"})
    clock.now += timedelta(days=30)
    assert purge() == PurgeResult(applications=1, outbox=1)
    assert store.load_application(rejected.id) == rejected and store.load_application(waiting.id) == waiting
    assert Quarantine(store.db).payload(rejected.id)["applicant"]["id_number"] == RESIDENT.id_number
    assert [i.payload for i in Outbox(store.db).pending()] == [json.loads(opened_payload(store.db, waiting.id))]
    assert Outbox(store.db).pending()[0].payload["applicant"]["name"] == RESIDENT.name


def test_progress_lookup_and_hub_status_survive_the_purge(store, clock, purge):
    app = filed(store)
    deliver(store, clock, app.id)
    store.db.execute("INSERT INTO record_status (record_id, status, note, at, received_at) VALUES (?,?,?,?,?)",
                     (app.id, "done", "已办结", "2026-11-25T06:00:00+00:00", "2026-11-25T06:01:00+00:00"))
    store.db.execute("INSERT INTO certificates (record_id, number, title, text, issued_at) VALUES (?,?,?,?,?)",
                     (app.id, "HJ-2026-001", "户籍证明", "兹证明……", "2026-11-25T06:00:00+00:00"))
    before = store.progress(app.receipt_no)
    clock.now += timedelta(hours=KEEP_H + 1)
    assert purge().applications == 1
    after = store.progress(app.receipt_no)
    assert after == before
    assert (after.delivered, after.status, after.item_name, after.certificate_number) == (
        True, "done", "户籍证明开具", "HJ-2026-001")


def test_rating_comment_is_cleared(store, clock, purge):
    app = filed(store)
    store.rate(app.item_id, app.id, 2, ("slow",), comment=f"我是{RESIDENT.name}，电话{RESIDENT.phone}")
    rating_id = one(store, "SELECT id FROM ratings")[0]
    deliver(store, clock, app.id, rating_id)
    clock.now += timedelta(hours=KEEP_H + 1)
    assert purge() == PurgeResult(applications=1, outbox=2, rating_comments=1)
    assert one(store, "SELECT level, reasons, comment FROM ratings") == (2, '["slow"]', "")
    payload = json.loads(one(store, "SELECT payload FROM outbox WHERE record_id=?", rating_id)[0])
    assert "comment" not in payload and (payload["level"], payload["reasons"]) == (2, ["slow"])
    assert payload["application_id"] == app.id


def _attach(store, clock, media_dir, data: bytes, *, done: bool) -> tuple[str, object]:
    media = AttachmentStore(store.db, media_dir, clock)
    sha = media.add(data)
    if done:
        media.mark_done(sha)
    return sha, media_dir / sha[:2] / sha


def _queue_with(store, record_id: str, sha: str) -> None:
    payload = {"id": record_id, "kind": "application", "attachments": [sha]}
    store.db.execute("INSERT INTO outbox (record_id, kind, payload, created_at) VALUES (?, 'application', ?, ?)",
                     (record_id, json.dumps(payload), "2026-11-25T01:30:00+00:00"))


def test_media_deleted_only_when_uploaded_and_no_longer_needed(store, clock, media_dir, purge):
    free, free_file = _attach(store, clock, media_dir, b"scan of a delivered record", done=True)
    queued, queued_file = _attach(store, clock, media_dir, b"scan of a record not yet sent", done=True)
    held, held_file = _attach(store, clock, media_dir, b"scan of a quarantined record", done=True)
    uploading, uploading_file = _attach(store, clock, media_dir, b"scan still uploading", done=False)
    _queue_with(store, "rec-queued", queued)
    _queue_with(store, "rec-held", held)
    Quarantine(store.db, clock).move({"rec-held": "rejected by hub: test"})
    clock.now += timedelta(hours=KEEP_H + 1)
    assert purge() == PurgeResult(media=1, files_deleted=1)
    assert not free_file.exists() and queued_file.exists() and held_file.exists() and uploading_file.exists()
    media = AttachmentStore(store.db, media_dir, clock)
    assert [a.sha256 for a in media.pending()] == [uploading] and media.pending_count() == 1
    assert one(store, "SELECT purged_at IS NOT NULL FROM attachments WHERE sha256=?", free)[0] == 1
    deliver(store, clock, "rec-queued")
    assert purge().media == 1 and not queued_file.exists()
    assert purge() == PurgeResult()
    assert one(store, "SELECT COUNT(*) FROM attachments WHERE path IS NULL AND blob = X''")[0] == 2
    assert held_file.exists() and uploading_file.exists()


def test_media_kept_in_the_database_is_emptied(store, clock, purge):
    sha = AttachmentStore(store.db, None, clock).add(b"photo kept as a blob")
    AttachmentStore(store.db, None, clock).mark_done(sha)
    clock.now += timedelta(hours=KEEP_H + 1)
    assert purge() == PurgeResult(media=1)
    assert one(store, "SELECT length(blob) FROM attachments")[0] == 0


def test_uploaded_media_waits_out_the_window_too(store, clock, media_dir, purge):
    _, file = _attach(store, clock, media_dir, b"scan uploaded before its record was filed", done=True)
    assert purge() == PurgeResult() and file.exists()


def test_a_missing_file_is_fine_and_a_file_left_behind_goes_next_time(store, clock, media_dir, purge):
    _, gone = _attach(store, clock, media_dir, b"already removed", done=True)
    left_sha, left = _attach(store, clock, media_dir, b"left by a crash after the commit", done=True)
    gone.unlink()
    store.db.execute("UPDATE attachments SET purged_at='2026-11-25T02:00:00+00:00' WHERE sha256=?", (left_sha,))
    clock.now += timedelta(hours=KEEP_H + 1)
    assert purge() == PurgeResult(media=1, files_deleted=1)
    assert not left.exists()
    assert purge() == PurgeResult()
    assert one(store, "SELECT COUNT(*) FROM attachments WHERE path IS NOT NULL")[0] == 0


def test_one_transaction_and_files_only_after_the_commit(store, clock, media_dir, purge):
    app = filed(store)
    deliver(store, clock, app.id)
    _, file = _attach(store, clock, media_dir, b"scan", done=True)
    store.db.execute("CREATE TRIGGER boom BEFORE UPDATE OF purged_at ON attachments"
                     " BEGIN SELECT RAISE(ABORT, 'boom'); END")
    clock.now += timedelta(hours=KEEP_H + 1)
    with pytest.raises(Exception, match="boom"):
        purge()
    assert store.load_application(app.id) == app and file.exists()
    assert RESIDENT.name in opened_payload(store.db, app.id)
    store.db.execute("DROP TRIGGER boom")
    assert purge() == PurgeResult(applications=1, outbox=1, media=1, files_deleted=1)


def test_no_personal_data_left_in_any_row_nor_in_the_file(store, clock, purge, tmp_path):
    apps = [filed(store) for _ in range(3)]
    store.rate(apps[0].item_id, apps[0].id, 1, ("slow",), comment=f"{RESIDENT.name} {RESIDENT.phone}")
    deliver(store, clock, *[r[0] for r in store.db.execute("SELECT record_id FROM outbox")])
    assert all(value in opened_rows_text(store.db) for value in PERSONAL)
    clock.now += timedelta(hours=KEEP_H + 1)
    assert purge() == PurgeResult(applications=3, outbox=4, rating_comments=1)
    text = stored_rows_text(store.db)
    assert not [value for value in PERSONAL if value in text]
    # secure_delete zeroes the old row bytes; after a checkpoint the database file holds none of them
    store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    raw = (tmp_path / "k.db").read_bytes()
    assert not [value for value in PERSONAL if value.encode() in raw]


def test_second_run_changes_nothing(store, clock, purge):
    app = filed(store)
    deliver(store, clock, app.id)
    clock.now += timedelta(hours=KEEP_H + 1)
    assert purge().applications == 1
    before = stored_rows_text(store.db)
    clock.now += timedelta(hours=1)
    assert purge() == PurgeResult()
    assert stored_rows_text(store.db) == before


def test_log_says_counts_only(store, clock, purge, caplog):
    app = filed(store)
    deliver(store, clock, app.id)
    clock.now += timedelta(hours=KEEP_H + 1)
    with caplog.at_level(logging.DEBUG, logger="local_db.retention"):
        purge()
    assert "1 application(s)" in caplog.text
    assert not [value for value in PERSONAL + (app.receipt_no, app.id) if value in caplog.text]


def test_consent_evidence_is_purged_with_the_application_filed_on_behalf(store, clock, purge):
    """A signature is personal data: uploaded and past the window, its bytes go; until uploaded, they stay."""
    import hashlib

    from kiosk.records import Consent, FiledBy

    signature = b"\x89PNG\r\n\x1a\n" + "王海生".encode()
    sha = hashlib.sha256(signature).hexdigest()
    consent = Consent("signature", sha, clock.now.isoformat(timespec="seconds"))
    app = store.submit("mz.db", "低保申请", RESIDENT, ANSWERS, filed_by=FiledBy("ag-7", "village_agent"),
                       consent=consent, evidence=signature)
    store.mark_printed(app.receipt_no)
    deliver(store, clock, app.id)
    clock.now += timedelta(hours=KEEP_H + 1)
    assert purge() == PurgeResult(applications=1, outbox=1)   # the hub has the record, not yet the signature
    assert store.attachments.read(sha) == signature
    AttachmentStore(store.db, clock=clock).mark_done(sha)
    clock.now += timedelta(hours=KEEP_H + 1)
    assert purge().media == 1
    assert store.attachments.read(sha) == b""
    filed_by, role, kept = one(store, "SELECT filed_by, filed_by_role, consent FROM applications")
    assert (filed_by, role) == ("ag-7", "village_agent")   # the agent's id is not the resident's data
    assert json.loads(kept) == {"method": "signature", "at": consent.at, "purged": True}
    assert all(sha not in payload for (payload,) in store.db.execute("SELECT payload FROM outbox"))


def test_each_purge_is_audited_and_audit_rows_are_never_purged(store, clock, media_dir):
    def purge():
        return purge_delivered(store.db, media_dir, keep_days=KEEP_H / 24, clock=clock, trail=store.audit)

    apps = [filed(store), filed(store)]
    deliver(store, clock, *(a.id for a in apps))
    clock.now += timedelta(hours=KEEP_H + 1)
    assert purge().applications == 2
    trail = store.db.execute("SELECT actor, action, target FROM audit ORDER BY seq").fetchall()
    assert trail == [("system", "personal_data_purged", a.id) for a in apps]
    deliver(store, clock, *(r[0] for r in store.db.execute("SELECT record_id FROM outbox WHERE kind='audit'")))
    clock.now += timedelta(days=30)
    assert purge() == PurgeResult()   # the trail's own delivered rows hold nothing personal: no purge, no new entry
    assert store.db.execute("SELECT COUNT(*) FROM audit").fetchone()[0] == 2
    assert store.audit.verify().ok


def test_an_unsent_payload_that_does_not_open_keeps_every_file(store, clock, media_dir, purge):
    """A record's payload that cannot be read might name any file: none is deleted while it waits."""
    _sha, file = _attach(store, clock, media_dir, b"scan of a delivered record", done=True)
    store.db.execute("INSERT INTO outbox (record_id, kind, payload, created_at) VALUES ('r-1', 'application', ?, ?)",
                     ("zs1.00000000.AAAA", "2026-11-25T01:30:00+00:00"))
    clock.now += timedelta(hours=KEEP_H + 1)
    assert purge().media == 0 and file.exists()
    store.db.execute("DELETE FROM outbox WHERE record_id='r-1'")
    assert purge().media == 1 and not file.exists()
