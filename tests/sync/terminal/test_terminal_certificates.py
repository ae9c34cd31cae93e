"""证明直通车 end to end: filed offline at the station, routed village → town → district by hub staff, issued,
pulled back, shown by 办件查询 and printed at the station (bytes checked by the independent ESC/POS decoder)."""
import re

import pytest

from devices.base import Fault
from devices.qr import parse_identity_code
from devices.registry import build_devices
from kiosk.catalog import load_catalog
from kiosk.config import Config
from kiosk.flow import FlowError, Problem, ServiceFlow
from kiosk.idle import IdleGuard
from local_db.store import ApplicationStore
from sync.hub.context import HubConfig
from sync.terminal_identity import IdentityStore, enroll
from terminal_helpers import STATION, delivered_ids, make_engine
from tests.devices.escpos_decode import decode

pytestmark = pytest.mark.timeout(90)
PASSWORD = "staff-pw-certificates"
STAFF = ("staff", PASSWORD)


@pytest.fixture
def hub(start_hub):
    return start_hub(config=HubConfig(require_auth=True, staff_password=PASSWORD))


@pytest.fixture
def station(hub, db, data_dir, session, tmp_path):
    identity = enroll(IdentityStore(data_dir), hub.url, STATION, hub.code(), session=session)
    devices = build_devices(Config({"device_timeout_s": 3.0}), tmp_path / "devices")
    store = ApplicationStore(db, STATION, "T01")
    flow = ServiceFlow(load_catalog(), store, devices, parse_identity_code, IdleGuard(90, 20), "长岛便民服务站",
                       "拨打 12345", device_timeout_s=3.0)
    yield flow, devices, store, identity
    devices.close()


def staff_post(session, hub, record_id, action, **fields):
    page = session.get(f"{hub.url}/staff/records/{record_id}", auth=STAFF, timeout=10).text
    token = re.search(r'name="csrf" value="([0-9a-f]+)"', page).group(1)
    return session.post(f"{hub.url}/staff/records/{record_id}/{action}", auth=STAFF, timeout=10,
                        allow_redirects=False, data={"csrf": token, **fields})


def printed(tmp_path):
    newest = max((tmp_path / "devices" / "receipts").glob("*.bin"), key=lambda p: p.stat().st_mtime_ns)
    return decode(newest.read_bytes())


def test_certificate_request_routed_issued_pulled_and_printed(hub, station, db, data_dir, session, tmp_path):
    flow, devices, store, identity = station
    request = flow.begin_certificate("zm.hj_proof")
    resident = flow.identify_by_card(request)
    assert flow.set_answers(request, {"phone": "13812345678", "purpose": "子女入学"}) == {}
    app = flow.submit(request)                          # offline: only the outbox has it

    engine = make_engine(db, session, hub.url, identity, data_dir)
    assert engine.run().error is None and app.id in delivered_ids(db)
    record = hub.store.get(app.id)
    assert record.kind == "certificate_request"
    assert record.payload["route"] == ["village", "town", "district"] and record.payload["purpose"] == "子女入学"

    assert staff_post(session, hub, app.id, "forward", to="at_district").status_code == 409   # skips the town
    assert staff_post(session, hub, app.id, "forward", to="at_town").status_code == 303
    engine.run()
    assert store.progress(app.receipt_no).status == "at_town"
    assert staff_post(session, hub, app.id, "forward", to="at_district").status_code == 303
    assert staff_post(session, hub, app.id, "forward", to="at_town").status_code == 409       # never back
    reply = staff_post(session, hub, app.id, "certificate", number="DH-ZM-2026-0042", title="户籍证明",
                       text="兹证明该同志户籍登记在舟山市定海区长岛村。" * 4, issuer="舟山市公安局定海分局")
    assert reply.status_code == 303
    assert [u.status for u in hub.store.status_history(app.id)] == ["at_town", "at_district", "certificate_issued"]

    with pytest.raises(FlowError) as err:               # issued at the hub, not pulled yet
        flow.print_certificate(app.receipt_no)
    assert err.value.code is Problem.NO_CERTIFICATE
    engine.run()
    progress = store.progress(app.receipt_no)
    assert (progress.status, progress.certificate_title, progress.certificate_number) == (
        "certificate_issued", "户籍证明", "DH-ZM-2026-0042")

    assert flow.print_certificate(app.receipt_no).printed
    receipt = printed(tmp_path)
    text = "\n".join(receipt.texts)
    assert "户籍证明" in text and "DH-ZM-2026-0042" in text and "舟山市公安局定海分局" in text
    assert "长岛便民服务站 打印于" in text and "兹证明该同志户籍登记" in text
    assert resident.masked_id() in text and resident.masked_name() in text
    assert resident.id_number not in text.replace("\n", "") and resident.name not in text
    assert receipt.cuts == 1


def test_paper_out_loses_nothing_and_a_retry_prints(hub, station, db, data_dir, session, tmp_path):
    flow, devices, store, identity = station
    request = flow.begin_certificate("zm.no_crime")
    flow.identify_by_card(request)
    flow.set_answers(request, {"phone": "13812345678", "purpose": "其他"})
    app = flow.submit(request)
    engine = make_engine(db, session, hub.url, identity, data_dir)
    engine.run()
    hub.store.set_status(app.id, "certificate_issued", certificate={
        "number": "N-1", "title": "无犯罪记录证明", "holder": "张*", "issuer": "定海分局", "text": "经查无犯罪记录。"})
    engine.run()

    devices.sims.printer.set_fault("paper_out")
    outcome = flow.print_certificate(app.receipt_no)
    assert not outcome.printed and outcome.fault is Fault.PAPER_OUT
    assert store.certificate(app.receipt_no).number == "N-1"        # still there for the retry
    devices.sims.printer.set_fault(None)
    assert flow.print_certificate(app.receipt_no).printed
    assert "N-1" in "\n".join(printed(tmp_path).texts)
    actions = [(e.action, e.outcome) for e in store.audit.recent() if e.action == "certificate_printed"]
    assert sorted(actions) == [("certificate_printed", "ok"), ("certificate_printed", "paper_out")]
