"""`python -m sync.hub …` as an administrator runs it, against SQLite and PostgreSQL."""
import json
import os
import stat
import subprocess
import sys

import pytest

from sync.auth import bundle_message, verify
from sync.hub.credentials import verify_password
from sync.hub.keys import KEY_FILE_NAME, load_key
from sync.hub.store import open_store
from sync.hub.testing import REPO_ROOT, enroll_test_terminal, loopback_session, run_hub_subprocess
from sync.protocol import RECORDS_PATH

from hub_helpers import STATION, batch_body, push, record, results

pytestmark = pytest.mark.timeout(90)


def hub_cli(*args: str, env: dict | None = None, stdin: str = "") -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "sync.hub", *args], cwd=REPO_ROOT, capture_output=True, text=True,
                          input=stdin, timeout=60, env={**os.environ, **(env or {})})


@pytest.fixture
def common(db_spec, tmp_path) -> tuple[str, ...]:
    return ("--db", db_spec, "--data-dir", str(tmp_path / "data"))


def test_an_enrollment_code_from_the_cli_enrolls_once(common, db_spec):
    done = hub_cli("enroll-code", "--station", STATION, "--ttl", "2h", *common)
    assert done.returncode == 0, done.stderr
    code = done.stdout.strip()
    assert len(code) == 14 and "single use" in done.stderr
    store = open_store(db_spec)
    try:
        terminal = store.enroll(STATION, code, "k" * 43)
        assert terminal.station_id == STATION
        listed = hub_cli("terminals", *common)
        assert terminal.id in listed.stdout and "active" in listed.stdout
        assert hub_cli("revoke", "--terminal", terminal.id, *common).returncode == 0
        assert store.terminal(terminal.id).revoked
        assert hub_cli("revoke", "--terminal", "t-unknown", *common).returncode == 1
    finally:
        store.close()


def test_publish_bundle_signs_with_the_hub_key_kept_0600(common, db_spec, tmp_path):
    payload = tmp_path / "catalog.json"
    payload.write_text('{"items": [{"id": "zs-hj-001", "name": "户籍证明"}]}\n', encoding="utf-8")
    for version in (1, 2):
        done = hub_cli("publish-bundle", "--kind", "catalog", "--file", str(payload), *common)
        assert done.returncode == 0 and f"version {version}" in done.stdout, done.stderr
    key_path = tmp_path / "data" / KEY_FILE_NAME
    assert stat.S_IMODE(key_path.stat().st_mode) == 0o600
    store = open_store(db_spec)
    try:
        [bundle] = store.bundle_page("catalog", 0).items
    finally:
        store.close()
    assert bundle["version"] == 2 and bundle["payload_json"] == payload.read_text(encoding="utf-8")
    public = load_key(key_path).public_b64()
    assert verify(public, bundle["signature"], bundle_message("catalog", 2, bundle["payload_json"]))

    again = hub_cli("publish-bundle", "--kind", "catalog", "--file", str(payload), "--version", "2", *common)
    assert again.returncode == 2 and "not newer" in again.stderr
    other_key = hub_cli("publish-bundle", "--kind", "config", "--file", str(payload), "--db", db_spec,
                        "--key-file", str(tmp_path / "missing.pem"))
    assert other_key.returncode == 2 and "cannot read hub key" in other_key.stderr


def test_agents_announcements_and_guides_from_the_cli(common, db_spec, tmp_path):
    added = hub_cli("add-agent", "--agent-id", "ag-1", "--station", STATION, "--name", "李帮办", "--role",
                    "supervisor", "--valid-to", "2027-01-01T00:00:00", *common,
                    env={"ZDB_AGENT_PASSWORD": "pw-12345678"})
    assert added.returncode == 0, added.stderr
    assert hub_cli("add-agent", "--agent-id", "ag-2", "--all-stations", "--name", "x", "--password-stdin",
                   *common, stdin="short\n").returncode == 2   # too short
    assert hub_cli("revoke-agent", "--agent-id", "ag-1", "--station", STATION, *common).returncode == 0
    announced = hub_cli("announce", "--title", "停电通知", "--text", "周六 9:00-12:00 暂停服务", "--station", STATION,
                        *common)
    assert announced.returncode == 0
    guide = tmp_path / "guide.json"
    guide.write_text(json.dumps({"id": "zs-hj-001", "steps": ["取号", "刷证"]}, ensure_ascii=False), encoding="utf-8")
    assert hub_cli("add-guide", "--file", str(guide), *common).returncode == 0

    store = open_store(db_spec)
    try:
        first, revoked = store.feed_page("agent_credentials", STATION, 0, 10).items
        [announcement] = store.feed_page("announcements", STATION, 0, 10).items
        [stored_guide] = store.feed_page("guides", "elsewhere", 0, 10).items
    finally:
        store.close()
    assert (first["role"], first["valid_to"]) == ("supervisor", "2027-01-01T00:00:00+08:00")
    assert verify_password("pw-12345678", first["password_hash"]) and "pw-12345678" not in json.dumps(first)
    assert (revoked["agent_id"], revoked["revoked"]) == ("ag-1", True)
    assert announcement["id"] == announced.stdout.strip() and announcement["title"] == "停电通知"
    assert stored_guide["steps"] == ["取号", "刷证"]


def test_serve_refuses_open_mode_off_loopback(common):
    done = hub_cli("serve", "--open", "--host", "0.0.0.0", "--port", "0", *common)
    assert done.returncode == 2 and "loopback only" in done.stderr


def test_the_hub_process_requires_signatures_by_default(db_spec, tmp_path):
    with run_hub_subprocess(db_spec, require_auth=True, extra_args=("--data-dir", str(tmp_path / "data")),
                            env={**os.environ, "ZDB_HUB_STAFF_PASSWORD": "pw"}) as (_, url), \
            loopback_session() as session:
        unsigned = session.post(url + RECORDS_PATH, data=batch_body(STATION, [record("r1")], compress=False),
                                timeout=10)
        assert (unsigned.status_code, unsigned.json()) == (401, {"error": "unknown_terminal"})
        terminal = enroll_test_terminal(url, db_spec, STATION, session=session)
        assert results(push(session, url, terminal, STATION, [record("r1")])) == [("r1", "accepted", None)]
        assert session.get(url + "/", timeout=10).status_code == 401
        assert session.get(url + "/", auth=("staff", "pw"), timeout=10).status_code == 200
