"""Pulling streams: pages stored with their cursor atomically, status updates, content, signed bundles."""
import json
from urllib.parse import parse_qs, urlsplit

import pytest

from conftest import transport_for
from contract_hub import Reply, as_json
from kiosk.catalog import SEED_PATH, load_catalog
from local_db.sync_state import SyncState
from sync.auth import KeyPair, bundle_message
from sync.bundles import CATALOG_FILE
from sync.events import BundleApplied, RecordStatusChanged
from sync.protocol import ProtocolError, SyncError
from sync.pull import LAST_REFUSAL, Puller

pytestmark = pytest.mark.timeout(60)

SEED = json.loads(SEED_PATH.read_text(encoding="utf-8"))


class Events(list):
    def __call__(self, event):
        self.append(event)


def puller(db, chub, terminal, session, data_dir, events=None, cls=Puller, **kw) -> Puller:
    return cls(db, transport_for(chub.url, terminal, session), data_dir=data_dir,
               hub_public_key=terminal.hub_public_key, publish=events if events is not None else Events(), **kw)


def status_items(apps, status="accepted"):
    return [{"record_id": a.id, "status": status, "at": f"2026-11-25T10:0{i}:00+08:00", "note": "收件"}
            for i, a in enumerate(apps)]


def stream_queries(chub, stream) -> list[dict]:
    return [parse_qs(urlsplit(s.target).query) for s in chub.seen if s.target.startswith(f"/api/v1/streams/{stream}")]


def app_statuses(db) -> list[str]:
    return [row[0] for row in db.execute("SELECT status FROM applications ORDER BY created_at, receipt_no")]


def test_status_pages_update_applications_and_publish_events(db, chub, terminal, session, data_dir, submit):
    apps = submit(5)
    chub.streams["status"] = status_items(apps)
    events = Events()
    result = puller(db, chub, terminal, session, data_dir, events, page_size=2, streams=["status"]).pull_all()
    assert (result.pages, result.items) == (3, 5)
    assert app_statuses(db) == ["accepted"] * 5
    assert [e.record_id for e in events] == [a.id for a in apps] and all(
        isinstance(e, RecordStatusChanged) and e.status == "accepted" for e in events)
    assert SyncState(db).cursor("status") == "c5"
    assert [q.get("cursor") for q in stream_queries(chub, "status")] == [None, ["c2"], ["c4"]]


def test_a_certificate_is_stored(db, chub, terminal, session, data_dir, submit):
    app = submit(1)[0]
    chub.streams["status"] = [{"record_id": app.id, "status": "certificate_issued", "at": "2026-11-25T11:00:00Z",
                               "certificate": {"number": "ZS-2026-0001", "title": "户籍证明", "text": "兹证明……",
                                               "issuer": "定海区公安分局", "holder": "张*"}}]
    events = Events()
    puller(db, chub, terminal, session, data_dir, events, streams=["status"]).pull_all()
    row = db.execute("SELECT number, title, text, issuer, holder_masked FROM certificates WHERE record_id=?",
                     (app.id,)).fetchone()
    assert row == ("ZS-2026-0001", "户籍证明", "兹证明……", "定海区公安分局", "张*")
    assert events[0].certificate_number == "ZS-2026-0001" and app_statuses(db) == ["certificate_issued"]


def test_a_crash_between_pages_resumes_from_the_stored_cursor(db, chub, terminal, session, data_dir, submit):
    apps = submit(5)
    chub.streams["status"] = status_items(apps, "done")
    chub.fault = lambda seen: Reply(500, b"") if "cursor=c2" in seen.target else None
    events = Events()
    with pytest.raises(SyncError):
        puller(db, chub, terminal, session, data_dir, events, page_size=2, streams=["status"]).pull_all()
    assert SyncState(db).cursor("status") == "c2" and app_statuses(db) == ["done"] * 2 + ["submitted"] * 3
    chub.fault = lambda seen: None
    puller(db, chub, terminal, session, data_dir, events, page_size=2, streams=["status"]).pull_all()
    assert [e.record_id for e in events] == [a.id for a in apps]   # each applied exactly once
    assert app_statuses(db) == ["done"] * 5


class CrashesOnFourthItem(Puller):
    seen = 0

    def _apply_status(self, update):
        CrashesOnFourthItem.seen += 1
        if CrashesOnFourthItem.seen == 4:
            raise RuntimeError("power cut")
        return super()._apply_status(update)


def test_a_page_is_all_or_nothing(db, chub, terminal, session, data_dir, submit):
    apps = submit(6)
    chub.streams["status"] = status_items(apps, "needs_material")
    events = Events()
    with pytest.raises(RuntimeError):
        puller(db, chub, terminal, session, data_dir, events, cls=CrashesOnFourthItem, page_size=3,
               streams=["status"]).pull_all()
    assert app_statuses(db) == ["needs_material"] * 3 + ["submitted"] * 3   # the second page not half-applied
    assert SyncState(db).cursor("status") == "c3" and len(events) == 3
    assert db.execute("SELECT COUNT(*) FROM record_status").fetchone()[0] == 3


def test_content_streams_are_stored_and_deleted(db, chub, terminal, session, data_dir):
    chub.streams["announcements"] = [{"id": "a1", "title": "台风停渡通知"}, {"id": "a2", "title": "x"},
                                     {"title": "no id"}, {"id": "a2", "deleted": True}]
    chub.streams["guides"] = [{"id": "g1", "title": "如何办理居住证"}]
    result = puller(db, chub, terminal, session, data_dir, streams=["announcements", "guides"]).pull_all()
    assert result.malformed == 1
    rows = db.execute("SELECT stream, id, body FROM stream_items ORDER BY stream, id").fetchall()
    assert [(s, i) for s, i, _ in rows] == [("announcements", "a1"), ("guides", "g1")]
    assert json.loads(rows[0][2])["title"] == "台风停渡通知"


def test_a_malformed_page_stores_nothing(db, chub, terminal, session, data_dir):
    chub.fault = lambda seen: as_json(200, {"items": [{"id": "a1"}], "more": False})   # no cursor
    with pytest.raises(ProtocolError):
        puller(db, chub, terminal, session, data_dir, streams=["announcements"]).pull_all()
    assert SyncState(db).cursor("announcements") is None
    assert db.execute("SELECT COUNT(*) FROM stream_items").fetchone()[0] == 0


# --- bundles ----------------------------------------------------------------------------------------------------

def catalog_payload(version: str) -> dict:
    return SEED | {"version": version}


def pull_catalog(db, chub, terminal, session, data_dir, events=None, **kw):
    return puller(db, chub, terminal, session, data_dir, events, streams=["catalog"], **kw).pull_all()


def test_a_signed_newer_catalog_is_installed_atomically(db, chub, terminal, session, data_dir):
    chub.streams["catalog"] = [chub.bundle("catalog", 3, catalog_payload("2026.12.1"))]
    events = Events()
    result = pull_catalog(db, chub, terminal, session, data_dir, events)
    assert (result.bundles_applied, result.bundles_refused) == (1, 0)
    assert events == [BundleApplied("catalog", 3)]
    assert load_catalog(data_dir / CATALOG_FILE).version == "2026.12.1"
    assert SyncState(db).installed_version("catalog") == 3
    assert not [p for p in data_dir.iterdir() if p.name.endswith(".tmp")]


def forged(chub, version=5):
    good = chub.bundle("catalog", version, catalog_payload("evil"))
    return {
        "tampered payload": good | {"payload_json": good["payload_json"].replace("evil", "evil2")},
        "tampered version": good | {"version": version + 1},
        "unsigned": {k: v for k, v in good.items() if k != "signature"},
        "empty signature": good | {"signature": ""},
        "another key": chub.bundle("catalog", version, catalog_payload("evil"), keys=KeyPair.generate()),
        "older version": chub.bundle("catalog", 1, catalog_payload("old")),
        "same version": chub.bundle("catalog", 2, catalog_payload("same")),
        "not a catalog": chub.bundle("catalog", version, {"items": "nope"}),
        "not json": good | {"payload_json": "{", "signature": chub.keys.sign(bundle_message("catalog", version, "{"))},
        "wrong stream": chub.bundle("policies", version, {"x": 1}),
    }


FORGERIES = {   # case -> the reason logged
    "tampered payload": "bad signature", "tampered version": "bad signature", "unsigned": "bundle unsigned",
    "empty signature": "bundle unsigned", "another key": "bad signature", "older version": "not newer",
    "same version": "not newer", "not a catalog": "catalog invalid", "not json": "not JSON",
    "wrong stream": "a policies bundle in the catalog stream",
}


@pytest.mark.parametrize("case", FORGERIES)
def test_a_bad_bundle_is_refused_and_the_old_catalog_kept(db, chub, terminal, session, data_dir, case):
    chub.streams["catalog"] = [chub.bundle("catalog", 2, catalog_payload("2026.12.2"))]
    pull_catalog(db, chub, terminal, session, data_dir)
    before = (data_dir / CATALOG_FILE).read_bytes()
    chub.streams["catalog"].append(forged(chub)[case])
    events = Events()
    result = pull_catalog(db, chub, terminal, session, data_dir, events)
    assert (result.bundles_applied, result.bundles_refused) == (0, 1) and events == []
    assert (data_dir / CATALOG_FILE).read_bytes() == before
    assert SyncState(db).installed_version("catalog") == 2
    assert SyncState(db).get(LAST_REFUSAL).startswith("catalog: ")
    assert FORGERIES[case] in SyncState(db).get(LAST_REFUSAL)
    assert SyncState(db).cursor("catalog") == "c2"   # moved past it: a forgery does not become good later


def test_without_a_pinned_key_nothing_is_installed(db, chub, terminal, session, data_dir):
    chub.streams["catalog"] = [chub.bundle("catalog", 3, catalog_payload("x"))]
    result = Puller(db, transport_for(chub.url, terminal, session), data_dir=data_dir, hub_public_key=None,
                    streams=["catalog"]).pull_all()
    assert result.bundles_refused == 1 and not (data_dir / CATALOG_FILE).exists()


def test_policies_and_config_live_in_the_database(db, chub, terminal, session, data_dir):
    chub.streams["policies"] = [chub.bundle("policies", 1, {"retention_days": 30})]
    chub.streams["config"] = [chub.bundle("config", 7, {"sync_interval_s": 30})]
    events = Events()
    puller(db, chub, terminal, session, data_dir, events, streams=["config", "policies"]).pull_all()
    assert events == [BundleApplied("config", 7), BundleApplied("policies", 1)]
    assert json.loads(SyncState(db).installed("policies").payload) == {"retention_days": 30}
    assert SyncState(db).installed_version("config") == 7


class DiesBeforeCommit(Puller):
    armed = True

    def _store_page(self, stream, items, next_cursor):
        if DiesBeforeCommit.armed:
            original = self.state.set_cursor

            def die(*args):
                DiesBeforeCommit.armed = False
                raise RuntimeError("power cut after the file was renamed")
            self.state.set_cursor = die
            try:
                return super()._store_page(stream, items, next_cursor)
            finally:
                self.state.set_cursor = original
        return super()._store_page(stream, items, next_cursor)


def test_a_crash_after_the_catalog_file_and_before_the_commit_reapplies(db, chub, terminal, session, data_dir):
    chub.streams["catalog"] = [chub.bundle("catalog", 4, catalog_payload("2027.1.1"))]
    events = Events()
    with pytest.raises(RuntimeError):
        pull_catalog(db, chub, terminal, session, data_dir, events, cls=DiesBeforeCommit)
    assert SyncState(db).installed_version("catalog") == 0 and events == []
    result = pull_catalog(db, chub, terminal, session, data_dir, events, cls=DiesBeforeCommit)
    assert result.bundles_applied == 1 and events == [BundleApplied("catalog", 4)]
    assert SyncState(db).installed_version("catalog") == 4
    assert load_catalog(data_dir / CATALOG_FILE).version == "2027.1.1"
