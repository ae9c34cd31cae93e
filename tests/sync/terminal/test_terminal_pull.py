"""Pulling streams: pages stored with their cursor atomically, status updates, feeds, signed bundles."""
import json
from datetime import datetime, timedelta, timezone

import pytest
import requests

from kiosk.catalog import SEED_PATH, load_catalog
from local_db.sync_state import SyncState
from sync.auth import KeyPair, bundle_message
from sync.bundles import CATALOG_FILE
from sync.events import BundleApplied, RecordStatusChanged
from sync.hub.keys import publish_bundle, sign_bundle
from sync.hub.store import Bundle as HubBundle
from sync.hub.store import FeedItem
from sync.protocol import ProtocolError
from sync.pull import LAST_REFUSAL, Puller
from sync.transport import HubUnreachable
from terminal_helpers import Events, make_engine, transport_for
from zdb_contract_hub import as_json
from local_db.sealing import CERTIFICATE_TEXT

pytestmark = pytest.mark.timeout(60)

SEED = json.loads(SEED_PATH.read_text(encoding="utf-8"))
CERTIFICATE = {"number": "ZS-2026-0001", "title": "户籍证明", "text": "兹证明……", "issuer": "定海区公安分局",
               "holder": "张* 3309**********1234"}


def puller(db, hub_url, identity, session, data_dir, events=None, cls=Puller, **kw) -> Puller:
    return cls(db, transport_for(hub_url, identity, session), data_dir=data_dir,
               hub_public_key=identity.hub_public_key, publish=events if events is not None else Events(), **kw)


def app_statuses(db, apps) -> list[str]:
    found = dict(db.execute("SELECT id, status FROM applications").fetchall())
    return [found[a.id] for a in apps]


@pytest.fixture
def pushed(real_hub, terminal, db, session, data_dir, submit):
    """Applications the hub holds, so its staff can move them on."""
    def push(n: int):
        apps = submit(n)
        assert make_engine(db, session, real_hub.url, terminal, data_dir).run().error is None
        return apps
    return push


def stream_urls(hooked, stream: str) -> list[str]:
    return [url for m, url, *_ in hooked.sent if f"/streams/{stream}" in url]


# --- status, against the reference hub -----------------------------------------------------------------------

def test_status_pages_update_applications_and_publish_events(real_hub, terminal, db, hooked, data_dir, pushed):
    apps = pushed(5)
    for app in apps:
        real_hub.store.set_status(app.id, "accepted", "收件")
    events = Events()
    result = puller(db, real_hub.url, terminal, hooked, data_dir, events, page_size=2,
                    streams=["status"]).pull_all()
    assert (result.pages, result.items) == (3, 5)
    assert app_statuses(db, apps) == ["accepted"] * 5
    assert [(e.record_id, e.status, e.note) for e in events] == [(a.id, "accepted", "收件") for a in apps]
    urls = stream_urls(hooked, "status")
    assert len(urls) == len(set(urls)) == 3   # each page asked after the previous page's cursor
    stored = SyncState(db).cursor("status")
    again = puller(db, real_hub.url, terminal, hooked, data_dir, events, streams=["status"]).pull_all()
    assert again.items == 0 and f"cursor={stored}" in stream_urls(hooked, "status")[-1] and len(events) == 5


def test_a_certificate_is_stored(real_hub, terminal, db, session, data_dir, pushed):
    app = pushed(1)[0]
    real_hub.store.set_status(app.id, "certificate_issued", "", CERTIFICATE)
    events = Events()
    puller(db, real_hub.url, terminal, session, data_dir, events, streams=["status"]).pull_all()
    row = db.execute("SELECT number, title, text, issuer, holder_masked FROM certificates WHERE record_id=?",
                     (app.id,)).fetchone()
    assert "兹证明" not in row[2]   # the text can name the holder: sealed at rest
    row = row[:2] + (db.sealer.open(row[2], CERTIFICATE_TEXT.context(app.id, row[0])),) + row[3:]
    assert row == ("ZS-2026-0001", "户籍证明", "兹证明……", "定海区公安分局", "张* 3309**********1234")
    assert events == [RecordStatusChanged(app.id, "certificate_issued", events[0].at, "", "ZS-2026-0001")]
    assert app_statuses(db, [app]) == ["certificate_issued"]


def test_a_crash_between_pages_resumes_from_the_stored_cursor(real_hub, terminal, db, hooked, data_dir, pushed):
    apps = pushed(5)
    for app in apps:
        real_hub.store.set_status(app.id, "done")
    asked = []

    def drop_second_page(method, url):
        if "/streams/status" in url:
            asked.append(url)
            if len(asked) == 2:
                raise requests.ConnectionError("link dropped between pages")
    hooked.before = drop_second_page
    events = Events()
    with pytest.raises(HubUnreachable):
        puller(db, real_hub.url, terminal, hooked, data_dir, events, page_size=2, streams=["status"]).pull_all()
    stored = SyncState(db).cursor("status")
    assert stored and app_statuses(db, apps) == ["done"] * 2 + ["submitted"] * 3
    puller(db, real_hub.url, terminal, hooked, data_dir, events, page_size=2, streams=["status"]).pull_all()
    assert f"cursor={stored}" in asked[2]   # resumed from the stored cursor
    assert [e.record_id for e in events] == [a.id for a in apps]   # each applied exactly once
    assert app_statuses(db, apps) == ["done"] * 5


class CrashesOnFourthItem(Puller):
    applied = 0

    def _apply_status(self, update):
        CrashesOnFourthItem.applied += 1
        if CrashesOnFourthItem.applied == 4:
            raise RuntimeError("power cut")
        return super()._apply_status(update)


def test_a_page_is_all_or_nothing(real_hub, terminal, db, session, data_dir, pushed):
    apps = pushed(6)
    for app in apps:
        real_hub.store.set_status(app.id, "needs_material", "请补充户口本")
    events = Events()
    with pytest.raises(RuntimeError):
        puller(db, real_hub.url, terminal, session, data_dir, events, cls=CrashesOnFourthItem, page_size=3,
               streams=["status"]).pull_all()
    assert app_statuses(db, apps) == ["needs_material"] * 3 + ["submitted"] * 3   # page two not half-applied
    assert len(events) == 3 and db.execute("SELECT COUNT(*) FROM record_status").fetchone()[0] == 3
    puller(db, real_hub.url, terminal, session, data_dir, events, page_size=3, streams=["status"]).pull_all()
    assert [e.record_id for e in events] == [a.id for a in apps]


def test_feeds_are_stored_and_later_entries_replace_earlier(real_hub, terminal, db, session, data_dir):
    store = real_hub.store
    store.add_feed_item(FeedItem("announcements", "a1", {"id": "a1", "title": "台风停渡通知", "text": "…"}))
    store.add_feed_item(FeedItem("announcements", "a2", {"id": "a2", "title": "其他站", "text": "…"}, "zs-x-9"))
    store.add_feed_item(FeedItem("guides", "g1", {"id": "g1", "title": "如何办理居住证"}))
    store.add_feed_item(FeedItem("agent_credentials", "ag7", {"agent_id": "ag7", "revoked": False}))
    store.add_feed_item(FeedItem("agent_credentials", "ag7", {"agent_id": "ag7", "revoked": True}))
    store.add_feed_item(FeedItem("guides", "bad", {"title": "no id"}))
    result = puller(db, real_hub.url, terminal, session, data_dir,
                    streams=["announcements", "guides", "agent_credentials"]).pull_all()
    assert result.malformed == 1
    rows = {(s, i): json.loads(b) for s, i, b in db.execute("SELECT stream, id, body FROM stream_items")}
    assert sorted(rows) == [("agent_credentials", "ag7"), ("announcements", "a1"), ("guides", "g1")]
    assert rows[("announcements", "a1")]["title"] == "台风停渡通知" and rows[("agent_credentials", "ag7")]["revoked"]


# --- bundles, against the reference hub ----------------------------------------------------------------------

def catalog(version: str) -> str:
    return json.dumps(SEED | {"version": version}, ensure_ascii=False)


def pull_catalog(db, hub_url, terminal, session, data_dir, events=None, **kw):
    return puller(db, hub_url, terminal, session, data_dir, events, streams=["catalog"], **kw).pull_all()


def test_a_signed_newer_catalog_is_installed_atomically(real_hub, terminal, db, session, data_dir):
    publish_bundle(real_hub.store, real_hub.keys, "catalog", catalog("2026.12.1"), 3)
    events = Events()
    result = pull_catalog(db, real_hub.url, terminal, session, data_dir, events)
    assert (result.bundles_applied, result.bundles_refused) == (1, 0) and events == [BundleApplied("catalog", 3)]
    assert load_catalog(data_dir / CATALOG_FILE).version == "2026.12.1"
    assert SyncState(db).installed_version("catalog") == 3
    assert not [p for p in data_dir.iterdir() if p.name.endswith(".tmp")]


def forged(real_hub, version: int) -> dict:
    good = sign_bundle(real_hub.keys, "catalog", version, catalog("evil"))
    other = sign_bundle(KeyPair.generate(), "catalog", version, catalog("evil"))
    not_json = real_hub.keys.sign(bundle_message("catalog", version, "{"))
    not_a_catalog = sign_bundle(real_hub.keys, "catalog", version, json.dumps({"items": "nope"}))
    return {
        "tampered payload": (good.payload_json.replace("evil", "evil2"), good.signature, "bad signature"),
        "signed as another version": (good.payload_json,
                                      real_hub.keys.sign(bundle_message("catalog", version + 1, good.payload_json)),
                                      "bad signature"),
        "unsigned": (good.payload_json, "", "bundle unsigned"),
        "another key": (other.payload_json, other.signature, "bad signature"),
        "not a catalog": (not_a_catalog.payload_json, not_a_catalog.signature, "catalog invalid"),
        "not json": ("{", not_json, "not JSON"),
    }


FORGERIES = ["tampered payload", "signed as another version", "unsigned", "another key", "not a catalog",
             "not json"]


@pytest.mark.parametrize("case", FORGERIES)
def test_a_bad_bundle_is_refused_and_the_old_catalog_kept(real_hub, terminal, db, session, data_dir, case):
    publish_bundle(real_hub.store, real_hub.keys, "catalog", catalog("2026.12.2"), 2)
    pull_catalog(db, real_hub.url, terminal, session, data_dir)
    before = (data_dir / CATALOG_FILE).read_bytes()
    payload_json, signature, reason = forged(real_hub, 5)[case]
    real_hub.store.add_bundle(HubBundle("catalog", 5, payload_json, signature))
    events = Events()
    result = pull_catalog(db, real_hub.url, terminal, session, data_dir, events)
    assert (result.bundles_applied, result.bundles_refused) == (0, 1) and events == []
    assert (data_dir / CATALOG_FILE).read_bytes() == before and SyncState(db).installed_version("catalog") == 2
    refusal = SyncState(db).get(LAST_REFUSAL)
    assert refusal.startswith("catalog: ") and reason in refusal
    assert pull_catalog(db, real_hub.url, terminal, session, data_dir).bundles_refused == 0   # moved past it


def test_without_a_pinned_key_nothing_is_installed(real_hub, terminal, db, session, data_dir):
    publish_bundle(real_hub.store, real_hub.keys, "catalog", catalog("x"))
    result = Puller(db, transport_for(real_hub.url, terminal, session), data_dir=data_dir, hub_public_key=None,
                    streams=["catalog"]).pull_all()
    assert result.bundles_refused == 1 and not (data_dir / CATALOG_FILE).exists()


def test_policies_and_config_live_in_the_database(real_hub, terminal, db, session, data_dir):
    publish_bundle(real_hub.store, real_hub.keys, "policies", json.dumps({"retention_days": 30}))
    publish_bundle(real_hub.store, real_hub.keys, "config", json.dumps({"sync_interval_s": 30}), 7)
    events = Events()
    puller(db, real_hub.url, terminal, session, data_dir, events, streams=["config", "policies"]).pull_all()
    assert events == [BundleApplied("config", 7), BundleApplied("policies", 1)]
    assert json.loads(SyncState(db).installed("policies").payload) == {"retention_days": 30}
    assert SyncState(db).installed_version("config") == 7


class DiesBeforeCommit(Puller):
    """The catalog file is renamed into place, then the power goes before the page's transaction commits."""
    armed = True

    def _store_page(self, stream, items, next_cursor):
        if not DiesBeforeCommit.armed:
            return super()._store_page(stream, items, next_cursor)
        DiesBeforeCommit.armed = False
        set_cursor = self.state.set_cursor
        self.state.set_cursor = lambda *args: (_ for _ in ()).throw(RuntimeError("power cut"))
        try:
            return super()._store_page(stream, items, next_cursor)
        finally:
            self.state.set_cursor = set_cursor


def test_a_crash_after_the_catalog_file_and_before_the_commit_reapplies(real_hub, terminal, db, session, data_dir):
    publish_bundle(real_hub.store, real_hub.keys, "catalog", catalog("2027.1.1"), 4)
    events = Events()
    with pytest.raises(RuntimeError):
        pull_catalog(db, real_hub.url, terminal, session, data_dir, events, cls=DiesBeforeCommit)
    assert SyncState(db).installed_version("catalog") == 0 and events == []
    result = pull_catalog(db, real_hub.url, terminal, session, data_dir, events, cls=DiesBeforeCommit)
    assert result.bundles_applied == 1 and events == [BundleApplied("catalog", 4)]
    assert SyncState(db).installed_version("catalog") == 4
    assert load_catalog(data_dir / CATALOG_FILE).version == "2027.1.1"


# --- what the reference hub never sends: the contract hub ------------------------------------------------------

def test_older_same_and_misfiled_bundles_are_refused(chub, chub_terminal, db, session, data_dir):
    chub.streams["catalog"] = [chub.bundle("catalog", 2, json.loads(catalog("2026.12.2")))]
    pull_catalog(db, chub.url, chub_terminal, session, data_dir)
    before = (data_dir / CATALOG_FILE).read_bytes()
    chub.streams["catalog"] += [chub.bundle("catalog", 1, json.loads(catalog("old"))),
                                chub.bundle("catalog", 2, json.loads(catalog("same"))),
                                chub.bundle("policies", 9, {"x": 1})]
    result = pull_catalog(db, chub.url, chub_terminal, session, data_dir)
    assert (result.bundles_applied, result.bundles_refused) == (0, 3)
    assert (data_dir / CATALOG_FILE).read_bytes() == before
    assert "a policies bundle in the catalog stream" in SyncState(db).get(LAST_REFUSAL)


def test_a_malformed_page_stores_nothing(chub, chub_terminal, db, session, data_dir):
    chub.fault = lambda seen: as_json(200, {"items": [{"id": "a1"}], "more": False})   # no cursor
    with pytest.raises(ProtocolError):
        puller(db, chub.url, chub_terminal, session, data_dir, streams=["announcements"]).pull_all()
    assert SyncState(db).cursor("announcements") is None
    assert db.execute("SELECT COUNT(*) FROM stream_items").fetchone()[0] == 0


def test_an_unknown_status_from_a_later_minor_version_is_kept(chub, chub_terminal, db, session, data_dir, submit):
    app = submit(1)[0]
    chub.streams["status"] = [{"record_id": app.id, "status": "in_transit", "at": "2027-01-01T00:00:00Z"},
                              {"record_id": app.id, "status": "NOT A STATUS", "at": "2027-01-01T00:00:00Z"}]
    result = puller(db, chub.url, chub_terminal, session, data_dir, streams=["status"]).pull_all()
    assert result.malformed == 1 and app_statuses(db, [app]) == ["in_transit"]


def test_pulls_wait_for_their_interval(real_hub, terminal, db, hooked, data_dir):
    clock = [datetime(2026, 11, 25, 9, 0, tzinfo=timezone.utc)]

    def round_pulled() -> bool:
        engine = make_engine(db, hooked, real_hub.url, terminal, data_dir, sync_pull_interval_s=60)
        engine.clock = engine.state.clock = lambda: clock[0]
        before = len(stream_urls(hooked, ""))
        assert engine.run().error is None
        return len(stream_urls(hooked, "")) > before
    assert round_pulled()
    clock[0] += timedelta(seconds=30)
    assert not round_pulled()
    clock[0] += timedelta(seconds=30)
    assert round_pulled()
    clock[0] -= timedelta(days=3)   # a flat RTC battery set the clock back: do not wait days for the next pull
    assert round_pulled()
