"""Config and policies bundles are checked whole before install: a refusal names the problem, never a value."""
import json

import pytest

from sync.auth import KeyPair
from sync.bundles import BundleRefused, check_bundle, validate_config, validate_policies
from sync.hub.keys import sign_bundle

SECRET = "s3cret-value"


def test_a_config_of_central_settings_passes():
    validate_config({"sync_interval_s": 30, "idle_timeout_s": 60.5, "log_level": "DEBUG", "follow_up": "拨打 12345"})
    validate_config({})   # the district took back all its settings


@pytest.mark.parametrize("payload, reason", [
    ([1, 2], "not an object"),
    ({"sync_intervall_s": 30}, "unknown setting 'sync_intervall_s'"),
    ({"hub_url": SECRET}, "setting 'hub_url' is not managed centrally"),
    ({"station_id": SECRET}, "setting 'station_id' is not managed centrally"),
    ({"idcard_backend": "none"}, "not managed centrally"),
    ({"sync_batch_size": SECRET}, "setting 'sync_batch_size': wrong type or choice"),
    ({"sync_batch_size": 2.5}, "wrong type or choice"),
    ({"log_level": SECRET}, "wrong type or choice"),
    ({"idle_timeout_s": True}, "wrong type or choice"),
])
def test_a_config_with_anything_the_district_may_not_set_is_refused_whole(payload, reason):
    with pytest.raises(BundleRefused) as refused:
        validate_config(payload)
    assert reason in str(refused.value) and SECRET not in str(refused.value)


def test_the_refusal_counts_further_problems():
    with pytest.raises(BundleRefused, match=r"\(\+2 more\)"):
        validate_config({"hub_url": "x", "fullscreen": False, "nope": 1})


def test_policies_pass_and_unknown_keys_are_left_for_newer_kiosks():
    validate_policies({"paused_items": {"zm.hj_proof": "系统升级，暂停至周五"}, "later_key": [1]})
    validate_policies({})


@pytest.mark.parametrize("payload, reason", [
    ("paused", "not an object"),
    ({"paused_items": ["zm.hj_proof"]}, "paused_items is not an object"),
    ({"paused_items": {"zm.hj_proof": ""}}, "no reason"),
    ({"paused_items": {"zm.hj_proof": "  "}}, "no reason"),
    ({"paused_items": {"zm.hj_proof": 3}}, "no reason"),
    ({"paused_items": {"zm.hj_proof": "长" * 201}}, "longer than 200"),
])
def test_bad_policies_are_refused(payload, reason):
    with pytest.raises(BundleRefused) as refused:
        validate_policies(payload)
    assert str(refused.value).startswith("policies invalid: ") and reason in str(refused.value)


def test_check_bundle_applies_the_default_validators():
    keys = KeyPair.generate()
    good = sign_bundle(keys, "config", 2, json.dumps({"sync_interval_s": 30}))
    assert check_bundle(good, keys.public_b64(), 1) == {"sync_interval_s": 30}
    for kind, payload in (("config", {"hub_url": SECRET}), ("policies", {"paused_items": {"x": ""}})):
        with pytest.raises(BundleRefused, match=f"{kind} invalid"):
            check_bundle(sign_bundle(keys, kind, 2, json.dumps(payload)), keys.public_b64(), 1)
