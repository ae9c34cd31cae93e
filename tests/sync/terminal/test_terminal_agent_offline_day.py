"""Proxy-agent station mode, accepted end to end. The issue's Done-when:

    "An agent, offline, files for a resident with consent, books a home visit and requests a certificate; on
    reconnect the hub's staff view shows all three, processes them, and the station sees the outcomes and prints
    the certificate."

One agent's day at a station, on the real pieces: the reference hub on loopback (signatures required, staff pages
behind a password), the terminal's sync engine, the simulated ID card reader and ESC/POS printer (its bytes read
back by the independent decoder). The link is down while the agent works: a sync round against a closed port fails
and leaves everything in the outbox."""
from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

import pytest

from devices.qr import parse_identity_code
from devices.registry import build_devices
from kiosk.agents import AgentSession
from kiosk.bookings import CONFIRMED, BookingRequest, Bookings
from kiosk.catalog import load_catalog
from kiosk.config import Config
from kiosk.flow import ServiceFlow
from kiosk.idle import IdleGuard
from kiosk.ids import utc_now
from kiosk.work_queue import PENDING_SYNC
from local_db.audit import verify_chain
from local_db.store import ApplicationStore
from sync.hub.audit_chain import verify_station
from sync.hub.bookings import Slot
from sync.hub.context import HubConfig
from sync.terminal_identity import IdentityStore, enroll
from terminal_helpers import STATION, delivered_ids, free_port, make_engine, pending_ids
from tests.devices.escpos_decode import decode

pytestmark = pytest.mark.timeout(120)
PASSWORD = "staff-pw-agent-day"
STAFF = ("staff", PASSWORD)
AGENT = "ag-7"
SIGNATURE = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR resident's signature strokes"
CERT_NUMBER = "DH-ZM-2026-0777"


@pytest.fixture
def hub(start_hub):
    return start_hub(config=HubConfig(require_auth=True, staff_password=PASSWORD))


@pytest.fixture
def station(db, tmp_path):
    devices = build_devices(Config({"device_timeout_s": 3.0}), tmp_path / "devices")
    store = ApplicationStore(db, STATION, "T01")
    flow = ServiceFlow(load_catalog(), store, devices, parse_identity_code, IdleGuard(90, 20), "长岛便民服务站",
                       "拨打 12345", device_timeout_s=3.0)
    yield flow, store
    devices.close()


def home_visit_slot(hours: int = 24) -> Slot:
    start = datetime.now(timezone.utc) + timedelta(hours=hours)
    return Slot("hv-1", "home_visit", STATION, start, start + timedelta(hours=2), 2, "上门认证")


def staff_get(session, hub, path: str) -> str:
    reply = session.get(f"{hub.url}{path}", auth=STAFF, timeout=10)
    assert reply.status_code == 200
    return reply.text


def staff_post(session, hub, record_id: str, action: str, **fields) -> int:
    page = staff_get(session, hub, f"/staff/records/{record_id}")
    token = re.search(r'name="csrf" value="([0-9a-f]+)"', page).group(1)
    return session.post(f"{hub.url}/staff/records/{record_id}/{action}", auth=STAFF, timeout=10,
                        allow_redirects=False, data={"csrf": token, **fields}).status_code


def list_row(page: str, record_id: str) -> str:
    """The staff record list's row linking to this record."""
    rows = [row for row in page.split("<tr>") if f'href="/staff/records/{record_id}"' in row]
    assert len(rows) == 1, f"{record_id} listed {len(rows)} times"
    return rows[0]


def queue(store) -> dict[str, str]:
    """The agent's work queue, record → state (an application by its receipt number, a booking by its id)."""
    return {entry.receipt_no or entry.record_id: entry.state for entry in store.agent_queue(AGENT)}


def printed(tmp_path) -> str:
    newest = max((tmp_path / "devices" / "receipts").glob("*.bin"), key=lambda p: p.stat().st_mtime_ns)
    return "\n".join(decode(newest.read_bytes()).texts)


def test_an_agents_offline_day_reaches_the_hub_is_processed_and_the_certificate_prints(
        hub, station, db, data_dir, session, tmp_path):
    flow, store = station
    agent = AgentSession(AGENT, "village_agent", utc_now(), 300, utc_now)

    # 1. Online in the morning: the station is enrolled and pulls the hub's home-visit slot.
    hub.store.add_slot(home_visit_slot())
    identity = enroll(IdentityStore(data_dir), hub.url, STATION, hub.code(), session=session)
    online = make_engine(db, session, hub.url, identity, data_dir)
    assert online.run().error is None
    bookings = Bookings(store)
    assert [(o.slot.id, o.free) for o in bookings.offers("home_visit")] == [("hv-1", 2)]

    # 2. Offline: the agent files a 帮办 item with the resident's signed consent ...
    filing = flow.begin("yl.gaoling", agent=agent)
    resident = flow.identify_by_card(filing)
    assert flow.set_answers(filing, {"phone": "13812345678", "address": "长岛村东路12号",
                                     "account": "社会保障卡"}) == {}
    flow.record_consent(filing, "signature", SIGNATURE)
    application = flow.submit(filing)
    # ... books the home visit for the same resident ...
    visit = bookings.book(AGENT, BookingRequest("hv-1", resident.name, "13812345678", "长岛村东路12号", "行动不便"))
    # ... and requests a certificate the station routes village → town → district.
    request = flow.begin_certificate("zm.hj_proof", agent=agent)
    assert flow.identify_by_card(request).id_number == resident.id_number
    assert flow.set_answers(request, {"phone": "13812345678", "purpose": "子女入学"}) == {}
    flow.record_consent(request, "signature", SIGNATURE)
    certificate = flow.submit(request)

    offline = make_engine(db, session, f"http://127.0.0.1:{free_port()}", identity, data_dir)
    assert offline.run().error is not None                       # the link is down: nothing left the station
    ours = {application.id, visit.id, certificate.id}
    assert ours <= set(pending_ids(db)) and not delivered_ids(db)
    assert queue(store) == {application.receipt_no: PENDING_SYNC, visit.id: PENDING_SYNC,
                            certificate.receipt_no: PENDING_SYNC}
    assert all(hub.store.get(record_id) is None for record_id in ours)

    # 3. Reconnect: one round pushes everything; the home visit is confirmed as it arrives.
    assert online.run().error is None
    assert ours <= set(delivered_ids(db)) and not pending_ids(db)
    assert hub.store.get(visit.id).status == CONFIRMED
    assert hub.store.get(certificate.id).kind == "certificate_request"

    records = staff_get(session, hub, "/")                      # the staff view shows all three, filed by the agent
    for record_id in ours:
        assert "帮办员 ag-7 代办" in list_row(records, record_id)
    assert application.receipt_no in list_row(records, application.id)
    assert "高龄津贴申领" in list_row(records, application.id)
    assert "户籍证明开具" in list_row(records, certificate.id)
    assert "预约已确认" in list_row(records, visit.id)
    assert resident.masked_id() in list_row(records, application.id)
    assert resident.id_number not in records
    page = staff_get(session, hub, f"/staff/records/{application.id}")
    assert re.search(r"经办</t[hd]>\s*<td>帮办员 ag-7 代办", page)
    assert re.search(r"群众同意</t[hd]>\s*<td>手写签名，", page)

    assert staff_post(session, hub, application.id, "status", status="accepted") == 303
    assert staff_post(session, hub, application.id, "status", status="done", note="已核准发放") == 303
    assert staff_post(session, hub, certificate.id, "forward", to="at_town") == 303
    assert staff_post(session, hub, certificate.id, "forward", to="at_district") == 303
    assert staff_post(session, hub, certificate.id, "certificate", number=CERT_NUMBER, title="户籍证明",
                      text="兹证明该同志户籍登记在舟山市定海区长岛村。", issuer="舟山市公安局定海分局") == 303

    # 4. The next pull brings the outcomes to the agent's work queue, and the certificate prints at the station.
    assert online.run().error is None
    assert queue(store) == {application.receipt_no: "done", visit.id: CONFIRMED,
                            certificate.receipt_no: "certificate_issued"}
    assert flow.print_certificate(certificate.receipt_no).printed
    paper = printed(tmp_path)
    assert CERT_NUMBER in paper and "户籍证明" in paper and resident.masked_id() in paper
    assert resident.id_number not in paper.replace("\n", "") and resident.name not in paper

    # 5. The print's audit entry follows; then each record is on the hub once, another round adds nothing, and
    #    both copies of the audit chain verify.
    def on_hub() -> list[str]:
        return [record.id for record in hub.store.list(STATION, 1000)]
    assert online.run().error is None and not pending_ids(db)
    before = on_hub()
    assert len(before) == len(set(before)) and ours <= set(before) and set(delivered_ids(db)) == set(before)
    assert any(r.payload["action"] == "certificate_printed" and r.payload["target"] == certificate.id
               for r in hub.store.records_of_kind(STATION, "audit"))
    assert online.run().error is None
    assert sorted(on_hub()) == sorted(before)
    assert verify_chain(db).ok
    assert verify_station(hub.store, STATION).ok
