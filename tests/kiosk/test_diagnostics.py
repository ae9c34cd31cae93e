"""The diagnostic export of a kiosk that has served a resident: useful counts and reports, no secret, no person."""
import base64
import json
import subprocess
import sys
import zipfile
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from kiosk.agents import AgentAuth, AgentSession, AgentSettings
from kiosk.diagnostics import REDACTED, export_diagnostics, public_settings
from kiosk.records import Identity
from local_db.audit import AuditLog
from local_db.db import SCHEMA_VERSION, open_db
from local_db.store import ApplicationStore
from sync.auth import unb64url
from sync.hub.credentials import AgentCredential, hash_password
from sync.hub.testing import loopback_session, run_hub_thread
from sync.terminal_identity import IdentityStore, enroll
from tests.clocks import FakeClock

pytestmark = pytest.mark.timeout(60)
ROOT = Path(__file__).resolve().parents[2]
STATION = "zs-diag-001"
RESIDENT = Identity(source="idcard", name="王海生", id_number="330902195803150012",
                    address="定海区长岛镇渔港路18号")
PHONE = "13957012345"
PIN = "739146"
T0 = datetime(2026, 11, 25, 1, 30, tzinfo=timezone.utc)


def agent_logs_in(db, clock) -> None:
    credential = AgentCredential("ag-7", None, "李帮办", "agent", hash_password(PIN, n=2 ** 10),
                                 T0 - timedelta(days=30), None, False)
    db.execute("INSERT INTO stream_items (stream, id, body, updated_at) VALUES ('agent_credentials', ?, ?, ?)",
               ("ag-7", json.dumps(credential.to_feed_item().item, ensure_ascii=False), T0.isoformat()))
    auth = AgentAuth(AuditLog(db, STATION, clock=clock), AgentSettings(3, 900, 300), clock=clock)
    auth.login("ag-7", PIN[::-1])                     # a wrong guess first
    assert isinstance(auth.login("ag-7", PIN), AgentSession)


@pytest.fixture
def served(tmp_path):
    """A data dir after real kiosk code enrolled the terminal, let an agent in and filed for a resident."""
    data = tmp_path / "kiosk-data"
    data.mkdir()
    (data / "config.json").write_text(json.dumps({"station_id": STATION,
                                                  "hub_url": "https://tech:hunter2pass@hub.example:8443/"}))
    with run_hub_thread(tmp_path / "hub.db", require_auth=True) as (url, hub_store):
        code = hub_store.issue_enrollment_code(STATION, 600).code
        session = loopback_session()
        enroll(IdentityStore(data), url, STATION, code, session=session)
        session.close()
    clock = FakeClock(T0)
    db = open_db(data / "kiosk.db")
    try:
        agent_logs_in(db, clock)
        ApplicationStore(db, STATION, "DH001", clock=clock).submit(
            "zs-hj-001", "户籍证明开具", RESIDENT, {"phone": PHONE, "address": RESIDENT.address})
    finally:
        db.conn.close()
    logs = data / "logs"
    logs.mkdir()
    (logs / "kiosk.log.1").write_text(f"2026-11-24 INFO kiosk.flow: card read {RESIDENT.id_number}\n",
                                      encoding="utf-8")
    (logs / "kiosk.log").write_text(f"2026-11-25 INFO sync.worker: pushed 3\n"
                                    f"2026-11-25 ERROR kiosk.flow: bad phone {PHONE} for {RESIDENT.id_number}\n",
                                    encoding="utf-8")
    return {"data": data, "code": code}


def secrets_of(served) -> list[tuple[str, bytes]]:
    """Every string or byte string that must not be in the export, named for the failure message."""
    data = served["data"]
    found = [("id", RESIDENT.id_number.encode()), ("name", RESIDENT.name.encode()),
             ("address", RESIDENT.address.encode()), ("phone", PHONE.encode()), ("pin", PIN.encode()),
             ("code", served["code"].encode()), ("hub password", b"hunter2pass")]
    ring = json.loads((data / "keys" / "keyring.json").read_text())
    for kid, key in ring["keys"].items():
        found += [(f"ring key {kid}", key.encode()), (f"ring key {kid} raw", base64.b64decode(key))]
    private = (data / "terminal.key").read_text().strip()
    found += [("terminal key", private.encode()), ("terminal key raw", unb64url(private))]
    return found


def test_the_export_holds_reports_and_counts_but_no_secret_or_person(served, tmp_path):
    out = export_diagnostics(served["data"], tmp_path / "out" / "diag.zip", clock=lambda: T0)
    with zipfile.ZipFile(out) as archive:
        assert sorted(archive.namelist()) == ["audit_chain.json", "config.json", "kiosk.log.tail",
                                              "summary.json", "sync.json"]
        parts = {name: archive.read(name) for name in archive.namelist()}
    everything = b"\n".join(parts.values()) + out.read_bytes()
    for what, secret in secrets_of(served):
        assert secret not in everything, what

    summary = json.loads(parts["summary.json"])
    assert summary["schema_version"] == SCHEMA_VERSION == summary["database"]["user_version"]
    assert summary["enrollment"]["enrolled"] and summary["enrollment"]["hub_url"].startswith("http://127.0.0.1")
    assert summary["key_ring"] == "file" and summary["software_version"] != "unknown"
    sync = json.loads(parts["sync.json"])
    assert sync["outbox_pending"]["application"] == 1 and sync["outbox_pending"]["audit"] >= 2
    assert sync["quarantine"] == 0
    assert json.loads(parts["audit_chain.json"])["ok"] is True
    config = json.loads(parts["config.json"])["settings"]
    assert config["station_id"] == STATION and config["hub_url"] == "https://hub.example:8443/"
    tail = parts["kiosk.log.tail"].decode()
    assert tail.splitlines()[0].endswith("card read «redacted:id»") and "pushed 3" in tail


def test_secret_settings_are_hidden_by_list_or_name():
    shown = public_settings({"hub_token": "t0k", "agent_pin": "1234", "db_password": "pw", "station_code": "DH1",
                             "idcard_wlt_code": 158, "hub_url": "http://u:p@h/x"})
    assert shown == {"hub_token": REDACTED, "agent_pin": REDACTED, "db_password": REDACTED,
                     "station_code": "DH1", "idcard_wlt_code": 158, "hub_url": "http://h/x"}


def test_an_empty_data_dir_still_exports(tmp_path):
    with zipfile.ZipFile(export_diagnostics(tmp_path, tmp_path / "d.zip")) as archive:
        assert json.loads(archive.read("sync.json")) == {"error": "no database"}
        assert json.loads(archive.read("summary.json"))["enrollment"] == {"enrolled": False}


def test_cli_writes_the_zip(served, tmp_path):
    out = tmp_path / "cli.zip"
    done = subprocess.run([sys.executable, "-m", "kiosk.diagnostics", "--data-dir", str(served["data"]),
                           "--out", str(out)], cwd=ROOT, capture_output=True, text=True, timeout=30)
    assert done.returncode == 0, done.stderr
    assert str(out) in done.stdout and zipfile.is_zipfile(out)
    assert RESIDENT.id_number not in done.stdout + done.stderr
