"""智能问答 hub to kiosk and back: a knowledge base published on a real loopback hub replaces the seed live; a bad one
is refused and the seed stays; a resident's 找人工 callback request reaches the hub as a need filed by the resident."""
import json

import pytest

from kiosk.app import build_core
from kiosk.needs import CALLBACK_SOURCE
from kiosk.qa import SEED_FILE, Answer, NoAnswer, load_seed
from local_db.store import ApplicationStore
from local_db.sync_state import SyncState
from sync.events import BundleApplied
from sync.hub.keys import publish_bundle
from sync.pull import LAST_REFUSAL, Puller
from sync.terminal_identity import IdentityStore, enroll
from terminal_helpers import STATION, Events, delivered_ids, make_engine, transport_for

pytestmark = pytest.mark.timeout(60)

HUB_KB = {"version": "2026.12.1", "recommended": ["ferry"], "entries": [
    {"id": "ferry", "title": "台风天船还开吗？", "questions": ["台风天船还开吗", "今天停航吗", "轮渡停了没有"],
     "answer": "台风天以码头公告为准，停航会提前在码头和浙里办发布。", "item_id": ""},
    {"id": "sbk_lost", "title": "社保卡丢了怎么办？", "questions": ["社保卡丢了"],
     "answer": "先在本机挂失。", "item_id": "sb.sbk_loss"}]}


def pull(db, real_hub, terminal, session, data_dir, publish):
    return Puller(db, transport_for(real_hub.url, terminal, session), data_dir=data_dir,
                  hub_public_key=terminal.hub_public_key, publish=publish, streams=["qa"]).pull_all()


def test_a_published_knowledge_base_reaches_the_kiosk_and_replaces_the_seed(real_hub, terminal, db, session,
                                                                            data_dir):
    core = build_core(data_dir, start_sync=False)
    try:
        assert core.qa.current.version == load_seed().version
        assert isinstance(core.qa.index().reply("轮渡停了没有"), NoAnswer)
        publish_bundle(real_hub.store, real_hub.keys, "qa", json.dumps(HUB_KB, ensure_ascii=False))
        heard = Events()
        core.events.subscribe(BundleApplied, heard)
        result = pull(db, real_hub, terminal, session, data_dir, core.events.publish)
        assert result.bundles_applied == 1 and heard == [BundleApplied("qa", 1)]
        assert core.qa.current.version == "2026.12.1"                  # live, no restart
        reply = core.qa.index().reply("台风天轮渡还开不开")
        assert isinstance(reply, Answer) and reply.entry.id == "ferry"
    finally:
        core.stop()
    again = build_core(data_dir, start_sync=False)
    try:
        assert again.qa.current.version == "2026.12.1"                # in force from the start too
    finally:
        again.stop()


def test_a_broken_knowledge_base_is_refused_and_the_seed_stays(real_hub, terminal, db, session, data_dir):
    bad = json.loads(SEED_FILE.read_text(encoding="utf-8"))
    bad["entries"][0]["choices"] = ["sfz_renew", "gone"]
    publish_bundle(real_hub.store, real_hub.keys, "qa", json.dumps(bad, ensure_ascii=False))
    result = pull(db, real_hub, terminal, session, data_dir, Events())
    assert (result.bundles_applied, result.bundles_refused) == (0, 1)
    assert SyncState(db).installed("qa") is None and "qa invalid" in SyncState(db).get(LAST_REFUSAL)


def test_nothing_published_yet_changes_nothing(real_hub, terminal, db, session, data_dir):
    result = pull(db, real_hub, terminal, session, data_dir, Events())
    assert result.bundles_applied == 0 and result.malformed == 0


def test_a_callback_request_reaches_the_hub_as_the_residents_own_need(real_hub, db, data_dir, session):
    store = ApplicationStore(db, STATION, "T01")
    need = store.file_callback("我家老人的高龄补贴怎么还没到账", "13957012345", "定海区长岛便民服务站")
    identity = enroll(IdentityStore(data_dir), real_hub.url, STATION, real_hub.code(), session=session)
    engine = make_engine(db, session, real_hub.url, identity, data_dir)
    assert engine.run().error is None and need.id in delivered_ids(db)
    record = real_hub.store.get(need.id)
    assert record.kind == "need" and record.payload["source"] == CALLBACK_SOURCE
    assert record.payload["contact"] == "13957012345" and "filed_by" not in record.payload
    assert record.payload["category"] == "政策咨询" and record.payload["item_name"] == "有求必应 · 请回电"
    trail = [r.payload for r in real_hub.store.records_of_kind(STATION, "audit")]
    assert any(p["action"] == "callback_requested" and p["actor"] == "resident" and p["target"] == need.id
               for p in trail)
    assert not any("13957012345" in json.dumps(p) for p in trail)
