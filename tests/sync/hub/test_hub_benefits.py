"""免申即享 at the hub: `publish-bundle --kind benefits` refuses rules every kiosk would refuse, with the reason;
claims are accepted as their own kind and listed for staff under their own label, masked."""
import json
import os
import subprocess
import sys

import pytest

from kiosk.benefits import SEED_PATH
from sync.hub.store import HubRecord, open_store
from sync.hub.staff_pages import KIND_LABELS, record_list
from sync.hub.testing import REPO_ROOT
from sync.hub.validation import parse_records_request

pytestmark = pytest.mark.timeout(90)
ID_NUMBER = "330902194003150012"


def hub_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "sync.hub", *args], cwd=REPO_ROOT, capture_output=True, text=True,
                          timeout=60, env=dict(os.environ))


def test_publish_bundle_takes_the_seed_rules_and_refuses_an_unknown_fact(db_spec, tmp_path):
    common = ("--db", db_spec, "--data-dir", str(tmp_path / "data"))
    done = hub_cli("publish-bundle", "--kind", "benefits", "--file", str(SEED_PATH), *common)
    assert done.returncode == 0 and "published benefits version 1" in done.stdout, done.stderr
    bad = json.loads(SEED_PATH.read_text(encoding="utf-8"))
    bad["benefits"][0]["rule"] = {"fact": "income", "op": "lt", "value": 3000}
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(bad, ensure_ascii=False), encoding="utf-8")
    refused = hub_cli("publish-bundle", "--kind", "benefits", "--file", str(path), *common)
    assert refused.returncode == 2
    assert "benefits invalid: benefit elderly_allowance_80: unknown fact 'income'" in refused.stderr
    store = open_store(db_spec)
    try:
        assert [b.version for b in store.bundles("benefits")] == [1]
    finally:
        store.close()


def claim(record_id: str) -> dict:
    return {"id": record_id, "kind": "benefit_claim", "payload": {
        "id": record_id, "kind": "benefit_claim", "item_id": "veteran_card", "item_name": "免申即享 · 退役军人优待证",
        "station_id": "zs-dh-001", "created_at": "2026-11-25T02:00:00+00:00", "benefit_id": "veteran_card",
        "benefit_name": "退役军人优待证", "department": "区退役军人事务局", "rules_version": "seed",
        "applicant": {"name": "王海生", "id_number": ID_NUMBER, "doc_type": "resident"}, "declared": {"veteran": True}}}


def test_a_claim_is_accepted_and_listed_with_its_own_label_masked(db_spec):
    body = json.dumps({"station_id": "zs-dh-001", "records": [claim("c-1")]}).encode()
    _station, [checked] = parse_records_request(body)
    assert isinstance(checked, HubRecord) and checked.kind == "benefit_claim"
    store = open_store(db_spec)
    try:
        store.ingest("zs-dh-001", [checked])
        html = record_list(store.list(None, 10))
    finally:
        store.close()
    assert KIND_LABELS["benefit_claim"] == "免申即享"
    assert "免申即享 · 退役军人优待证" in html and "330***********0012" in html
    assert ID_NUMBER not in html and "王海生" not in html
