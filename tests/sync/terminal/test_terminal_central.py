"""The district's config and policies bundles, hub to kiosk: policies apply live, config at the next start."""
import json

import pytest

from kiosk.app import build_core
from kiosk.config import Config
from kiosk.flow import FlowError, Problem
from local_db.sync_state import SyncState
from sync.events import BundleApplied
from sync.hub.keys import publish_bundle
from sync.pull import LAST_REFUSAL, Puller
from terminal_helpers import Events, transport_for

pytestmark = pytest.mark.timeout(60)

PAUSED, OPEN = "zm.hj_proof", "zm.res_proof"   # kiosk-ready items of the seed catalog
REASON = "户籍系统升级，本周暂停自助办理"


def pull(db, real_hub, terminal, session, data_dir, publish):
    return Puller(db, transport_for(real_hub.url, terminal, session), data_dir=data_dir,
                  hub_public_key=terminal.hub_public_key, publish=publish,
                  streams=["config", "policies"]).pull_all()


@pytest.fixture
def core_at(data_dir):
    cores = []

    def start():
        cores.append(build_core(data_dir, start_sync=False))
        return cores[-1]
    yield start
    for core in cores:
        core.stop()


def test_a_paused_item_is_refused_live_and_config_applies_at_the_next_start(real_hub, terminal, db, session,
                                                                            data_dir, core_at):
    (data_dir / "config.json").write_text(json.dumps({"idle_timeout_s": 120}), encoding="utf-8")
    core = core_at()
    assert core.flow.begin(PAUSED)
    publish_bundle(real_hub.store, real_hub.keys, "config", json.dumps({"idle_timeout_s": 45, "backlog_warn": 50}))
    publish_bundle(real_hub.store, real_hub.keys, "policies", json.dumps({"paused_items": {PAUSED: REASON}}))
    heard = Events()
    core.events.subscribe(BundleApplied, heard)
    result = pull(db, real_hub, terminal, session, data_dir, core.events.publish)
    assert result.bundles_applied == 2 and heard == [BundleApplied("config", 1), BundleApplied("policies", 1)]
    with pytest.raises(FlowError) as refused:
        core.flow.begin(PAUSED)                       # live, no restart
    assert refused.value.code == Problem.ITEM_PAUSED and refused.value.detail == REASON
    assert core.flow.begin(OPEN)
    assert core.config["backlog_warn"] == Config()["backlog_warn"]   # config waits for the next start
    core.stop()
    again = core_at()
    assert again.config["backlog_warn"] == 50
    assert again.config["idle_timeout_s"] == 120.0   # the station's config.json still wins
    assert again.idle.timeout_s == 120.0
    with pytest.raises(FlowError):
        again.flow.begin(PAUSED)                      # policies in force from the start too


def test_a_config_naming_a_local_setting_is_refused_and_nothing_changes(real_hub, terminal, db, session,
                                                                        data_dir, core_at):
    publish_bundle(real_hub.store, real_hub.keys, "config", json.dumps({"idle_timeout_s": 45, "hub_url": "http://x"}))
    publish_bundle(real_hub.store, real_hub.keys, "policies", json.dumps({"paused_items": {PAUSED: ""}}))
    result = pull(db, real_hub, terminal, session, data_dir, Events())
    assert (result.bundles_applied, result.bundles_refused) == (0, 2)
    assert SyncState(db).installed("config") is None and SyncState(db).installed("policies") is None
    assert "policies invalid" in SyncState(db).get(LAST_REFUSAL)
    core = core_at()
    assert core.config["idle_timeout_s"] == Config()["idle_timeout_s"] and core.flow.begin(PAUSED)
