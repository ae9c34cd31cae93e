"""Integrity checks of real kiosk files, sound and damaged."""
import json

import pytest

from local_db.integrity import check, problems
from tests.clocks import TickingClock
from tests.local_db.db_damage import START, file_some, garble_pages, open_store


@pytest.fixture
def clock():
    return TickingClock(START)


def test_check_reports_integrity_references_and_chain(tmp_path, clock):
    store = open_store(tmp_path, clock)
    file_some(store, 30)
    store.db.conn.close()
    report = check(tmp_path / "kiosk.db")
    assert report.ok and report.healthy and report.chain["checked"] == 30
    garble_pages(tmp_path / "kiosk.db", "outbox", which=slice(2, 3))
    report = check(tmp_path / "kiosk.db")
    assert not report.ok and report.integrity != ("ok",)
    assert json.dumps(report.to_json())   # serialisable for the diagnostic export
    (tmp_path / "nothing.db").write_bytes(b"this is not a database at all" * 200)
    assert not check(tmp_path / "nothing.db").ok
    assert problems(tmp_path / "nothing.db", quick=True)[0].startswith("DatabaseError")
