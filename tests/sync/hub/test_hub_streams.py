"""Streams: status for the station's own records, signed bundles, guides, announcements, agent credentials."""
import json

import pytest

from sync.auth import bundle_message, verify
from sync.hub.credentials import AgentCredential, hash_password, verify_password
from sync.hub.cursors import decode_cursor, encode_cursor
from sync.hub.keys import publish_bundle
from sync.hub.store import FeedItem

from hub_helpers import OTHER_STATION, STATION, STREAMS_PATH, push, read_all, record, stream

pytestmark = pytest.mark.timeout(60)


def test_status_carries_only_this_stations_records_in_pages(session, hub, terminal, other_terminal):
    push(session, hub.url, terminal, STATION, [record(f"r{i}") for i in range(7)])
    push(session, hub.url, other_terminal, OTHER_STATION, [record("theirs")])
    for i in range(7):
        hub.store.set_status(f"r{i}", "accepted")
    hub.store.set_status("theirs", "done")
    hub.store.set_status("r3", "needs_material", "请补充户口簿首页")

    pages, cursor = read_all(session, hub.url, terminal, "status", limit=3)
    assert [len(p) for p in pages] == [3, 3, 2]
    items = [item for page in pages for item in page]
    assert [i["record_id"] for i in items] == [f"r{i}" for i in range(7)] + ["r3"]
    assert items[-1]["status"] == "needs_material" and items[-1]["note"] == "请补充户口簿首页"
    assert all(set(i) <= {"record_id", "status", "note", "at", "certificate"} for i in items)

    assert stream(session, hub.url, terminal, "status", cursor) == {"items": [], "next_cursor": cursor,
                                                                    "more": False}
    hub.store.set_status("r0", "done")
    assert [i["record_id"] for i in stream(session, hub.url, terminal, "status", cursor)["items"]] == ["r0"]
    assert [i["record_id"] for i in stream(session, hub.url, other_terminal, "status")["items"]] == ["theirs"]


@pytest.mark.parametrize("kind", ["catalog", "policies", "config"])
def test_bundles_are_signed_and_only_the_newest_after_the_cursor_comes(session, hub, terminal, kind):
    empty = stream(session, hub.url, terminal, kind)
    assert empty["items"] == [] and empty["more"] is False
    for n in range(3):
        publish_bundle(hub.store, hub.keys, kind, json.dumps({"n": n, "名": "定海"}, ensure_ascii=False))
    page = stream(session, hub.url, terminal, kind, empty["next_cursor"])
    [bundle] = page["items"]
    assert bundle["version"] == 3 and json.loads(bundle["payload_json"])["n"] == 2
    assert verify(terminal.hub_public_key, bundle["signature"],
                  bundle_message(kind, bundle["version"], bundle["payload_json"]))
    assert not verify(terminal.hub_public_key, bundle["signature"],
                      bundle_message(kind, bundle["version"], bundle["payload_json"] + " "))
    assert stream(session, hub.url, terminal, kind, page["next_cursor"])["items"] == []
    publish_bundle(hub.store, hub.keys, kind, "{}")
    assert [b["version"] for b in stream(session, hub.url, terminal, kind, page["next_cursor"])["items"]] == [4]


def test_bundle_kinds_do_not_mix_and_versions_only_grow(session, hub, terminal):
    publish_bundle(hub.store, hub.keys, "catalog", "{}")
    assert stream(session, hub.url, terminal, "policies")["items"] == []
    with pytest.raises(ValueError):
        publish_bundle(hub.store, hub.keys, "catalog", "{}", version=1)
    with pytest.raises(ValueError):
        publish_bundle(hub.store, hub.keys, "catalog", "not json")


def test_guides_page_through_in_order(session, hub, terminal):
    for i in range(5):
        hub.store.add_feed_item(FeedItem("guides", f"g{i}", {"id": f"g{i}", "title": f"指南{i}"}))
    pages, cursor = read_all(session, hub.url, terminal, "guides", limit=2)
    assert [[g["id"] for g in p] for p in pages] == [["g0", "g1"], ["g2", "g3"], ["g4"]]
    hub.store.add_feed_item(FeedItem("guides", "g1", {"id": "g1", "title": "新版"}))
    assert stream(session, hub.url, terminal, "guides", cursor)["items"] == [{"id": "g1", "title": "新版"}]


def test_announcements_for_every_station_and_for_this_one(session, hub, terminal, other_terminal):
    hub.store.add_feed_item(FeedItem("announcements", "a1", {"id": "a1", "title": "全市"}))
    hub.store.add_feed_item(FeedItem("announcements", "a2", {"id": "a2", "title": "定海"}, STATION))
    hub.store.add_feed_item(FeedItem("announcements", "a3", {"id": "a3", "title": "普陀"}, OTHER_STATION))
    assert [a["id"] for a in stream(session, hub.url, terminal, "announcements")["items"]] == ["a1", "a2"]
    assert [a["id"] for a in stream(session, hub.url, other_terminal, "announcements")["items"]] == ["a1", "a3"]


def test_agent_credentials_carry_only_a_slow_hash(session, hub, terminal, other_terminal, clock):
    credential = AgentCredential("ag-7", STATION, "王帮办", "agent", hash_password("secret-pass-1"), clock())
    hub.store.add_feed_item(credential.to_feed_item())
    page = stream(session, hub.url, terminal, "agent_credentials")
    [item] = page["items"]
    assert (item["agent_id"], item["display_name"], item["role"], item["revoked"]) == ("ag-7", "王帮办", "agent",
                                                                                      False)
    assert item["password_hash"]["alg"] == "scrypt" and item["password_hash"]["n"] >= 2 ** 14
    assert verify_password("secret-pass-1", item["password_hash"])
    assert not verify_password("secret-pass-2", item["password_hash"])
    assert "secret-pass-1" not in json.dumps(page)
    assert stream(session, hub.url, other_terminal, "agent_credentials")["items"] == []


def test_two_hashes_of_one_password_differ():
    assert hash_password("same") != hash_password("same")


@pytest.mark.parametrize("params,status", [({"cursor": "garbage!"}, 400), ({"cursor": encode_cursor(1)[:-1]}, 400),
                                           ({"limit": 0}, 400), ({"limit": 501}, 400), ({"limit": "x"}, 400)])
def test_bad_cursor_or_limit_is_400(session, hub, terminal, params, status):
    reply = session.get(hub.url + STREAMS_PATH + "guides", params=params, auth=terminal.auth(), timeout=10)
    assert reply.status_code == status


def test_an_unknown_stream_is_404(session, hub, terminal):
    assert session.get(hub.url + STREAMS_PATH + "secrets", auth=terminal.auth(), timeout=10).status_code == 404


def test_cursors_are_opaque_but_round_trip():
    assert decode_cursor(encode_cursor(12345)) == 12345 and decode_cursor(None) == 0 and decode_cursor("") == 0
    assert "12345" not in encode_cursor(12345)
