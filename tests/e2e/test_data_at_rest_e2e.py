"""A terminal that has served a resident: its database files, media, logs and console output hold no plaintext
personal data, in any of the encodings a name or number could be stored in. The kiosk still reads it all back."""
import json
import re
import shutil
import sqlite3

import pytest

from devices.idcard.demo import DEMO_CARD
from tests.e2e.kioskproc import KioskProcess
from tests.e2e.test_resident_e2e import free_port, serve_resident

pytestmark = pytest.mark.e2e

PERSONAL = {"name": DEMO_CARD.name, "id number": DEMO_CARD.id_number, "address": DEMO_CARD.address,
            "address (street part)": DEMO_CARD.address[-8:]}


def encodings(value: str) -> list[bytes]:
    forms = [value.encode("utf-8"), value.encode("utf-16-le"), value.encode("utf-16-be"),
             json.dumps(value).encode("ascii")]   # \\uXXXX escapes, as json.dumps writes by default
    try:
        forms.append(value.encode("gb18030"))
    except UnicodeEncodeError:
        pass
    return forms


def leaks(data: bytes) -> list[str]:
    return [label for label, value in PERSONAL.items() if any(form in data for form in encodings(value))]


@pytest.fixture
def served(tmp_path):
    port = free_port()   # no hub listens there: the terminal is offline, everything stays on it
    config = {"hub_url": f"http://127.0.0.1:{port}", "sync_interval_s": 0.5, "sync_timeout_s": 2.0,
              "log_level": "DEBUG"}
    proc = KioskProcess(tmp_path / "kiosk", config, tmp_path / "console.log")
    try:
        receipt_no = serve_resident(proc)
        proc.tap("下一步：评价本次服务")
        proc.tap("非常满意")
        proc.tap("提交评价")
        proc.wait_for("感谢您的评价", timeout=10)
        assert proc.quit() == 0
    finally:
        proc.close()
    return tmp_path, receipt_no


def test_database_media_and_logs_hold_no_plaintext_personal_data(served):
    root, receipt_no = served
    data_dir = root / "kiosk"
    db = data_dir / "kiosk.db"
    with sqlite3.connect(db) as conn:   # the record is there, and its receipt number is readable
        assert conn.execute("SELECT COUNT(*) FROM applications WHERE receipt_no=?", (receipt_no,)).fetchone()[0] == 1
    scanned = [p for p in data_dir.rglob("*") if p.is_file() and "receipts" not in p.parts and "keys" not in p.parts]
    scanned.append(root / "console.log")
    names = {p.name for p in scanned}
    assert {"kiosk.db", "kiosk.log", "console.log"} <= names
    found = {str(p.relative_to(root)): hits for p in scanned if (hits := leaks(p.read_bytes()))}
    assert found == {}
    assert re.search(rb"[0-9]{17}[0-9X]", b"".join(p.read_bytes() for p in scanned if p.suffix == ".log")) is None


def test_the_kiosk_reads_its_sealed_record_back(served):
    from kiosk.progress import lookup
    from local_db.db import open_db
    from local_db.store import ApplicationStore

    root, receipt_no = served
    db = open_db(root / "kiosk" / "kiosk.db")
    try:
        app_id = db.execute("SELECT id FROM applications WHERE receipt_no=?", (receipt_no,)).fetchone()[0]
        app = ApplicationStore(db, "st", "DH001").load_application(app_id)
        assert (app.applicant.name, app.applicant.id_number) == (DEMO_CARD.name, DEMO_CARD.id_number)
        assert lookup(db, receipt_no) is not None
    finally:
        db.conn.close()


def test_printed_receipts_show_only_masked_personal_data(served):
    root, _ = served
    receipts = list((root / "kiosk" / "receipts").glob("*.bin"))
    assert receipts
    assert all(not leaks(p.read_bytes()) for p in receipts)


def test_a_kiosk_whose_key_ring_is_gone_shows_out_of_service_and_makes_no_new_ring(served):
    root, receipt_no = served
    data_dir = root / "kiosk"
    shutil.move(data_dir / "keys", root / "keys-elsewhere")   # e.g. a disk restored without its keys folder
    before = (data_dir / "kiosk.db").read_bytes()
    config = json.loads((data_dir / "config.json").read_text(encoding="utf-8"))
    proc = KioskProcess(data_dir, config, root / "console2.log")
    try:
        texts = proc.wait_for("本机暂停服务", timeout=30)
        assert any("key_ring_missing" in t for t in texts)
        assert proc.quit() == 3
    finally:
        proc.close()
    assert not (data_dir / "keys").exists()
    assert (data_dir / "kiosk.db").read_bytes() == before   # untouched: restoring the keys folder brings it back
    shutil.move(root / "keys-elsewhere", data_dir / "keys")
    test_the_kiosk_reads_its_sealed_record_back((root, receipt_no))
