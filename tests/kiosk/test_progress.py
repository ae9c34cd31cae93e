from datetime import datetime, timezone

from kiosk.progress import lookup, receipt_from_code
from kiosk.receipt import progress_code
from kiosk.records import Identity
from local_db.db import open_db
from local_db.store import ApplicationStore, Outbox

RESIDENT = Identity("idcard", "王海生", "330902196803121232")


def test_receipt_number_from_qr_code_or_typed():
    assert receipt_from_code("zdb://progress?r=DH001-20261125-0007&id=x") == "DH001-20261125-0007"
    assert receipt_from_code(" dh001-20261125-0007 ") == "DH001-20261125-0007"
    for junk in ("", "hello", "zdb://progress?id=x", "DH001-2026-1", "x" * 5000):
        assert receipt_from_code(junk) is None


def test_progress_follows_the_record_from_saved_to_done(tmp_path):
    db = open_db(tmp_path / "k.db")
    store = ApplicationStore(db, "st-1", "DH001")
    app = store.submit("sb.proof", "社保参保证明打印", RESIDENT, {})
    assert receipt_from_code(progress_code(app)) == app.receipt_no
    first = lookup(db, app.receipt_no)
    assert first.status == "submitted" and not first.delivered and first.item_name == "社保参保证明打印"
    Outbox(db).mark_delivered([app.id])
    now = datetime.now(timezone.utc).isoformat()
    with db.conn:
        db.conn.execute("INSERT INTO record_status (record_id, status, note, at, received_at) VALUES (?,?,?,?,?)",
                        (app.id, "certificate_issued", "", now, now))
        db.conn.execute("INSERT INTO certificates (record_id, number, title, text, issued_at) VALUES (?,?,?,?,?)",
                        (app.id, "ZM-2026-0001", "参保证明", "…", now))
    done = lookup(db, app.receipt_no)
    assert done.delivered and done.status == "certificate_issued" and done.certificate_number == "ZM-2026-0001"
    assert "王" not in repr(done) and "3309" not in repr(done)   # nothing personal in the answer
    assert lookup(db, "DH001-20990101-0001") is None


def test_submission_time_is_shown_in_china_time():
    from kiosk.progress import Progress

    assert Progress("R", "I", "2026-11-25T17:20:00+00:00", False, "submitted").submitted_local == "2026-11-26 01:20"
