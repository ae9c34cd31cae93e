"""The resident flow without Qt, on the simulated devices (real pty reader, real QR decode, real ESC/POS)."""

import time

import pytest

from devices.base import Fault
from devices.idcard.idnumber import check_char
from devices.idcard.simulator import SimFault
from devices.qr import parse_identity_code
from devices.qr_sim import mint_code
from devices.registry import build_devices
from kiosk.catalog import parse_catalog
from kiosk.config import Config
from kiosk.flow import FieldError, FlowError, Problem, ServiceFlow
from kiosk.idle import IdleGuard
from local_db.db import open_db
from local_db.store import ApplicationStore, Outbox
from tests.kiosk.flow_helpers import station

CATALOG = parse_catalog({
    "items": [
        {"id": "sb.proof", "name": "社保参保证明打印", "category": "社保", "places": ["station"],
         "modes": ["自助办"], "materials": [{"name": "居民身份证", "e_licence": True}], "time_limit_days": 0,
         "guide": ["刷身份证", "核对信息", "取回执"],
         "form": [{"key": "name", "label": "姓名", "prefill": "name"},
                  {"key": "phone", "label": "手机号", "kind": "phone"},
                  {"key": "use", "label": "用途", "kind": "choice", "choices": ["求职", "其他"]}]},
        {"id": "hy.marry", "name": "结婚登记", "category": "婚育", "places": ["district"], "modes": ["导办"],
         "guide": ["带户口簿和身份证", "到定海区婚姻登记处", "现场办理"]},
    ]
})


@pytest.fixture
def kiosk(tmp_path):
    submitted = []
    with station(tmp_path, CATALOG, on_submitted=submitted.append) as (flow, devices, store):
        yield flow, devices, store, submitted


def fill(flow, session):
    return flow.set_answers(session, {"phone": "13812345678", "use": "求职"})


def test_resident_served_end_to_end_offline(kiosk, tmp_path):
    flow, devices, store, submitted = kiosk
    session = flow.begin("sb.proof")
    identity = flow.identify_by_card(session)
    assert session.answers["name"] == identity.name  # prefilled from the card
    assert fill(flow, session) == {}
    app = flow.submit(session)
    assert submitted == [app]
    assert Outbox(store.db).pending_count() == 1  # saved before any print
    outcome = flow.print_receipt(session)
    assert outcome.printed and store.receipts_owed() == []
    assert list((tmp_path / "receipts").glob("*.bin")) and list((tmp_path / "receipts").glob("*.png"))
    flow.rate(session, 5, ("quick",))
    session.wipe()
    assert session.identity is None and session.answers == {} and session.application is None


def test_identify_by_zlb_code(kiosk):
    flow, devices, *_ = kiosk
    session = flow.begin("sb.proof")
    devices.sims.qr.show_demo()
    assert flow.identify_by_qr(session).source == "zlb_qr"


def test_garbage_qr_is_refused_and_session_keeps_going(kiosk):
    flow, devices, *_ = kiosk
    session = flow.begin("sb.proof")
    devices.sims.qr.show("http://not-a-government-code/?x=1")
    with pytest.raises(FlowError) as err:
        flow.identify_by_qr(session)
    assert err.value.code == Fault.QR_INVALID and session.identity is None
    devices.sims.qr.show_demo()
    assert flow.identify_by_qr(session)


def test_unreadable_card_reports_and_retry_works(kiosk):
    flow, devices, *_ = kiosk
    session = flow.begin("sb.proof")
    devices.sims.idcard.set_fault(SimFault.BAD_CHECKSUM)
    with pytest.raises(FlowError) as err:
        flow.identify_by_card(session)
    assert err.value.code == Fault.CARD_UNREADABLE
    devices.sims.idcard.clear_fault()
    devices.sims.idcard.present_card()
    assert flow.identify_by_card(session).id_number


def test_items_not_doable_here_are_refused(kiosk):
    flow, *_ = kiosk
    with pytest.raises(FlowError) as err:
        flow.begin("hy.marry")
    assert err.value.code == Problem.NOT_AT_KIOSK
    with pytest.raises(FlowError):
        flow.begin("no.such")


def test_form_errors_keep_typed_values(kiosk):
    flow, *_ = kiosk
    session = flow.begin("sb.proof")
    flow.identify_by_card(session)
    errors = flow.set_answers(session, {"phone": "12345", "use": "乱填"})
    assert errors == {"phone": FieldError.BAD_PHONE, "use": FieldError.BAD_CHOICE}
    assert session.answers["phone"] == "12345"
    with pytest.raises(FlowError) as err:
        flow.submit(session)
    assert err.value.code == Problem.FORM_INVALID


def test_submit_requires_identity_and_happens_once(kiosk):
    flow, *_ = kiosk
    session = flow.begin("sb.proof")
    with pytest.raises(FlowError):
        flow.submit(session)
    flow.identify_by_card(session)
    fill(flow, session)
    flow.submit(session)
    with pytest.raises(FlowError) as err:
        flow.submit(session)
    assert err.value.code == Problem.ALREADY_SUBMITTED


@pytest.mark.parametrize("fault, code", [("paper_out", Fault.PAPER_OUT), ("cover_open", Fault.COVER_OPEN),
                                         ("offline", Fault.PRINTER_ABSENT)])
def test_printer_fault_leaves_receipt_owed_and_application_safe(kiosk, fault, code):
    flow, devices, store, _ = kiosk
    session = flow.begin("sb.proof")
    flow.identify_by_card(session)
    fill(flow, session)
    app = flow.submit(session)
    devices.sims.printer.set_fault(fault)
    outcome = flow.print_receipt(session)
    assert not outcome.printed and outcome.fault == code
    assert [o.receipt_no for o in store.receipts_owed()] == [app.receipt_no]
    assert store.load_application(app.id) == app
    devices.sims.printer.set_fault(None)
    assert flow.print_receipt(session).printed  # reprint clears the debt
    assert store.receipts_owed() == []


def test_full_disk_keeps_answers_for_retry(kiosk):
    flow, devices, store, submitted = kiosk
    session = flow.begin("sb.proof")
    flow.identify_by_card(session)
    fill(flow, session)
    pages = store.db.execute("PRAGMA page_count").fetchone()[0]
    store.db.execute(f"PRAGMA max_page_count={pages}")
    session.answers["note"] = "x" * 150  # make the row too big for the remaining space
    with pytest.raises(FlowError) as err:
        for _ in range(100):  # fill what space is left, then the next save must fail cleanly
            flow.submit(session)
            session.application = None
    assert err.value.code == Problem.STORAGE_FULL
    assert session.answers["phone"] == "13812345678" and session.identity is not None
    store.db.execute(f"PRAGMA max_page_count={pages * 100}")
    session.application = None
    assert flow.submit(session).receipt_no


def test_idle_is_held_while_saving(kiosk):
    flow, *_ = kiosk
    now = [0.0]
    flow.idle = IdleGuard(10, 5, clock=lambda: now[0])
    session = flow.begin("sb.proof")
    flow.identify_by_card(session)
    fill(flow, session)
    original = flow.store.submit

    def slow_submit(*args):
        now[0] += 60  # the save takes "a minute": the idle guard must not expire meanwhile
        assert not flow.idle.status().state == "expired"
        return original(*args)

    flow.store.submit = slow_submit
    flow.submit(session)
    assert flow.idle.status().state == "active"


def test_second_person_in_a_session_replaces_the_first(kiosk):
    flow, devices, *_ = kiosk
    session = flow.begin("sb.proof")
    first = flow.identify_by_card(session)
    fill(flow, session)
    other_id = "33090219750101001" + check_char("33090219750101001")
    now = int(time.time())
    devices.sims.qr.show(mint_code("李阿婆", other_id, "13900000000", iat=now, exp=now + 300))
    second = flow.identify_by_qr(session)
    assert second.id_number != first.id_number
    assert session.answers == {"name": "李阿婆"}  # the first person's phone and choices are gone


def test_cancel_interrupts_a_waiting_card_read(kiosk):
    import threading

    flow, devices, *_ = kiosk
    devices.sims.idcard.remove_card()
    devices.sims.idcard.demo = False
    flow.device_timeout_s = 20.0
    session = flow.begin("sb.proof")
    outcome = {}

    def read():
        try:
            flow.identify_by_card(session)
        except FlowError as exc:
            outcome["code"] = exc.code

    reader = threading.Thread(target=read)
    started = time.monotonic()
    reader.start()
    time.sleep(0.5)
    flow.cancel_identify()
    reader.join(5)
    assert not reader.is_alive() and time.monotonic() - started < 5
    assert outcome["code"] == Fault.NO_CARD


def test_identify_by_social_security_card_through_pcscd(tmp_path):
    """The 社保卡 path end to end: pyscard → a real pcscd → vpcd → our virtual card (skipped without pcscd)."""
    import shutil

    if not shutil.which("pcscd"):
        pytest.skip("pcscd is not installed (scripts/setup.sh installs it)")
    config = Config({"smartcard_backend": "sim", "device_timeout_s": 10.0})
    devices = build_devices(config, tmp_path)
    try:
        if devices.sims.smartcard is None:
            pytest.fail("simulated PC/SC reader did not start")
        store = ApplicationStore(open_db(tmp_path / "k.db", shared=True), "st-1", "DH001")
        flow = ServiceFlow(CATALOG, store, devices, parse_identity_code, IdleGuard(90, 20), "站", "12345",
                           device_timeout_s=10.0)
        session = flow.begin("sb.proof")
        deadline = time.monotonic() + 15
        while devices.manager.health()["smartcard"].state.value != "ok" and time.monotonic() < deadline:
            devices.manager.check()
            time.sleep(0.3)
        identity = flow.identify_by_sscard(session)
        assert identity.source == "sscard" and identity.id_number == "330902196803121232"
        assert session.answers["name"] == "王海生"
    finally:
        devices.close()


def test_offline_guardrail_refuses_new_non_urgent_applications(kiosk):
    from datetime import datetime, timezone

    from sync.guardrails import Facts, Thresholds, evaluate

    flow, *_ = kiosk
    now = datetime.now(timezone.utc)
    flow.guardrail = lambda: evaluate(Facts(now=now, oldest_pending_at=now, last_success_at=now, backlog=2500,
                                            free_mb=10_000.0), Thresholds())
    with pytest.raises(FlowError) as err:
        flow.begin("sb.proof")
    assert err.value.code == Problem.OFFLINE_LIMIT and "backlog" in err.value.detail
    flow.guardrail = lambda: None
    assert flow.begin("sb.proof")


def test_an_item_the_district_paused_is_refused_with_its_reason(kiosk):
    flow, *_ = kiosk
    flow.paused_reason = {"sb.proof": "系统升级，暂停至周五", "hy.marry": "暂停"}.get
    with pytest.raises(FlowError) as err:
        flow.begin("sb.proof")
    assert err.value.code == Problem.ITEM_PAUSED and err.value.detail == "系统升级，暂停至周五"
    with pytest.raises(FlowError) as err:
        flow.begin("hy.marry")
    assert err.value.code == Problem.NOT_AT_KIOSK   # not doable here says more than paused
    flow.paused_reason = lambda item_id: None
    assert flow.begin("sb.proof")
