"""A resident served offline at the kiosk process; the record reaches the hub, exactly once, when it comes up."""
import re
import socket
import sqlite3
import time

import pytest
import requests

from sync.hub.testing import run_hub_subprocess
from tests.e2e.kioskproc import KioskProcess

pytestmark = pytest.mark.e2e
ITEM = "个人社会保险参保证明查询打印"
RECEIPT_NO = re.compile(r"DH001-\d{8}-\d{4}")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def hub_records(url: str) -> list[dict]:
    return requests.get(f"{url}/api/v1/records", timeout=5).json()["records"]


def wait_until(check, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def pending_in(db_path) -> int:
    with sqlite3.connect(db_path) as conn:
        return conn.execute("SELECT COUNT(*) FROM outbox WHERE delivered_at IS NULL").fetchone()[0]


@pytest.fixture
def kiosk(tmp_path):
    port = free_port()
    config = {"hub_url": f"http://127.0.0.1:{port}", "sync_interval_s": 0.5, "sync_timeout_s": 3.0}
    proc = KioskProcess(tmp_path / "kiosk", config, tmp_path / "kiosk.log")
    yield proc, port
    proc.close()


def serve_resident(kiosk: KioskProcess) -> str:
    kiosk.wait_for("您好！请问您要办什么事？", timeout=30)
    kiosk.type("输入要办的事，例如：社保卡", "社保参保证明")
    kiosk.tap(ITEM)
    kiosk.tap("在本机申请")
    kiosk.tap("刷身份证")
    kiosk.tap("全部险种")
    kiosk.tap("下一步：核对信息")
    kiosk.tap("确认提交")
    texts = kiosk.wait_for("回执已打印", timeout=30)
    return next(m.group() for t in texts if (m := RECEIPT_NO.search(t)))


def test_resident_served_offline_then_synced_exactly_once(kiosk, tmp_path):
    proc, port = kiosk
    receipt_no = serve_resident(proc)
    db = tmp_path / "kiosk" / "kiosk.db"
    assert pending_in(db) == 1                    # saved locally while the hub is down
    assert list((tmp_path / "kiosk" / "receipts").glob("*.bin"))
    proc.wait_for("离线", timeout=10)

    proc.tap("下一步：评价本次服务")
    proc.tap("非常满意")
    proc.tap("提交评价")
    proc.wait_for("感谢您的评价", timeout=10)
    assert pending_in(db) == 2                    # the rating queues too

    with run_hub_subprocess(tmp_path / "hub.db", port=port) as (_hub, url):
        records = wait_until(lambda: len(hub_records(url)) == 2 and hub_records(url), 30, "records at the hub")
        wait_until(lambda: pending_in(db) == 0, 30, "the outbox to drain")
        proc.wait_for("已联网", timeout=15)
        time.sleep(2)  # several more sync rounds: nothing may arrive twice
        again = hub_records(url)
    # a 参保证明 is a certificate: it goes by 证明直通车, routed to its department
    assert [r["receipt_no"] for r in again if r.get("kind") == "certificate_request"] == [receipt_no]
    assert sorted(r.get("kind") for r in again) == ["certificate_request", "rating"]
    assert len({r["id"] for r in records}) == 2
    assert proc.quit() == 0


def test_session_data_gone_after_the_resident_leaves(kiosk):
    proc, _port = kiosk
    receipt_no = serve_resident(proc)
    proc.tap("下一步：评价本次服务")
    proc.tap("跳过")
    proc.wait_for("您好！请问您要办什么事？", timeout=15)
    shown = " ".join(proc.texts())
    assert receipt_no not in shown and "王" not in shown
