"""The whole loop on real processes: an enrolled kiosk files offline; when the hub is back the record reaches
its staff view; staff mark it done there; the kiosk pulls the status and the resident sees 已办结."""
import re
import subprocess
import sys
import time

import pytest
import requests

from sync.hub.testing import run_hub_subprocess
from tests.e2e.kioskproc import REPO_ROOT, KioskProcess
from tests.e2e.test_resident_e2e import free_port, pending_in, serve_resident, wait_until

pytestmark = pytest.mark.e2e
STATION = "zs-dh-cjd-001"
STAFF = ("staff", "e2e-staff-pw")


def run_cli(*args: str) -> str:
    out = subprocess.run([sys.executable, *args], cwd=REPO_ROOT, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    return out.stdout


def mark_done(url: str, record_id: str) -> None:
    """As a member of staff would: open the record's page, post the status form with its token."""
    session = requests.Session()
    session.auth = STAFF
    page = session.get(f"{url}/staff/records/{record_id}", timeout=10)
    page.raise_for_status()
    token = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
    reply = session.post(f"{url}/staff/records/{record_id}/status", data={"csrf": token, "status": "done"},
                         timeout=10)
    assert reply.status_code in (200, 303), reply.text[:200]


def test_offline_filing_marked_done_at_the_hub_shows_done_on_the_kiosk(tmp_path):
    port, hub_db, data_dir = free_port(), tmp_path / "hub.db", tmp_path / "kiosk"
    hub_env = {"ZDB_HUB_STAFF_PASSWORD": STAFF[1]}
    url = f"http://127.0.0.1:{port}"
    config = {"hub_url": url, "sync_interval_s": 0.5, "sync_timeout_s": 3.0, "sync_pull_interval_s": 1.0,
              "sync_require_enrollment": True}
    data_dir.mkdir()
    with run_hub_subprocess(hub_db, port=port, require_auth=True, env=hub_env):   # the technician's visit
        code = run_cli("-m", "sync.hub", "enroll-code", "--station", STATION, "--db", str(hub_db)).split()[0]
        run_cli("-m", "sync", "enroll", "--data-dir", str(data_dir), "--code", code, "--hub", url,
                "--station", STATION)

    kiosk = KioskProcess(data_dir, config, tmp_path / "kiosk.log")    # the island goes offline
    try:
        receipt_no = serve_resident(kiosk)
        assert pending_in(data_dir / "kiosk.db") == 1
        with run_hub_subprocess(hub_db, port=port, require_auth=True, env=hub_env):   # the link returns
            session = requests.Session()
            session.auth = STAFF
            records = wait_until(lambda: session.get(f"{url}/api/v1/records", timeout=5).json()["records"],
                                 45, "the record at the hub")
            assert [r["receipt_no"] for r in records] == [receipt_no]
            assert receipt_no in session.get(f"{url}/", timeout=5).text     # on the staff view
            mark_done(url, records[0]["id"])
            kiosk.tap("下一步：评价本次服务")     # the resident leaves; later asks about progress
            kiosk.tap("跳过")
            kiosk.tap("查询办理进度")
            deadline = time.monotonic() + 45
            while time.monotonic() < deadline:
                kiosk.type("输入回执号，例如 DH001-20261125-0001", receipt_no)
                kiosk.tap("查询")
                time.sleep(1.0)
                if any("已办结" in t for t in kiosk.texts()):
                    break
            assert any("已办结" in t for t in kiosk.texts()), kiosk.texts()
        assert kiosk.quit() == 0
    finally:
        kiosk.close()
