"""Staff pages: the password is required, lists are masked, status changes and certificates reach the station."""
import re

import pytest

from sync.auth import KeyPair
from sync.hub.context import HubConfig
from sync.hub.paths import ENROLL_PATH
from sync.hub.testing import run_hub_thread

from hub_helpers import STAFF_PASSWORD, STATION, push, record, stream

pytestmark = pytest.mark.timeout(60)
STAFF = ("staff", STAFF_PASSWORD)
APPLICANT = {"name": "测试人", "id_number": "330902199001011234"}


def form_token(page_text: str) -> str:
    return re.search(r'name="csrf" value="([0-9a-f]+)"', page_text).group(1)


def submit_application(session, hub, terminal, record_id="r1", **payload):
    fields = {"receipt_no": "DH001-20261125-0001", "item_name": "<b>户籍证明</b>", "applicant": APPLICANT,
              "answers": {"purpose": "入学"}, **payload}
    assert push(session, hub.url, terminal, STATION, [record(record_id, **fields)]).status_code == 200


@pytest.mark.parametrize("path", ["/", "/staff/records/r1", "/staff/terminals", "/api/v1/records"])
def test_staff_pages_need_the_password(session, hub, path):
    anonymous = session.get(hub.url + path, timeout=10)
    assert anonymous.status_code == 401 and anonymous.headers["WWW-Authenticate"].startswith("Basic ")
    assert session.get(hub.url + path, auth=("staff", "wrong"), timeout=10).status_code == 401
    assert session.get(hub.url + path, auth=STAFF, timeout=10).status_code in (200, 404)


def test_staff_posts_need_the_password_too(session, hub, terminal):
    submit_application(session, hub, terminal)
    reply = session.post(hub.url + "/staff/records/r1/status", data={"status": "done"}, timeout=10)
    assert reply.status_code == 401 and hub.store.get("r1").status == "received"


def test_without_a_staff_password_the_pages_are_off(session, hub_store, clock):
    config = HubConfig(require_auth=True, staff_password=None)
    with run_hub_thread(store=hub_store, config=config, keys=KeyPair.generate(), clock=clock) as (url, _):
        assert session.get(url + "/", timeout=10).status_code == 503
        assert session.get(url + "/", auth=STAFF, timeout=10).status_code == 503


def test_the_list_masks_identity_and_escapes(session, hub, terminal):
    submit_application(session, hub, terminal)
    page = session.get(hub.url + "/", auth=STAFF, timeout=10).text
    for shown in ("DH001-20261125-0001", "&lt;b&gt;户籍证明&lt;/b&gt;", STATION, "330***********1234", "已接收"):
        assert shown in page
    assert APPLICANT["id_number"] not in page and APPLICANT["name"] not in page and "<b>户籍" not in page


def test_a_status_change_reaches_the_stations_status_stream(session, hub, terminal):
    submit_application(session, hub, terminal)
    record_page = session.get(hub.url + "/staff/records/r1", auth=STAFF, timeout=10)
    assert APPLICANT["id_number"] not in record_page.text and "入学" in record_page.text
    reply = session.post(hub.url + "/staff/records/r1/status", auth=STAFF, timeout=10, allow_redirects=False,
                         data={"csrf": form_token(record_page.text), "status": "needs_material",
                               "note": "请补充户口簿首页"})
    assert reply.status_code == 303 and reply.headers["location"] == "/staff/records/r1"
    assert hub.store.get("r1").status == "needs_material"
    [update] = stream(session, hub.url, terminal, "status")["items"]
    assert (update["record_id"], update["status"], update["note"]) == ("r1", "needs_material", "请补充户口簿首页")
    assert "请补充户口簿首页" in session.get(hub.url + "/staff/records/r1", auth=STAFF, timeout=10).text


@pytest.mark.parametrize("form", [
    {"status": "done"},                                   # no form token: a post from another site
    {"status": "done", "csrf": "0" * 64},
    {"status": "received", "csrf": None},                 # not a status staff may set
    {"status": "needs_material", "note": " ", "csrf": None},   # needs a note
])
def test_bad_status_forms_change_nothing(session, hub, terminal, form):
    submit_application(session, hub, terminal)
    token = form_token(session.get(hub.url + "/staff/records/r1", auth=STAFF, timeout=10).text)
    data = {k: (token if v is None else v) for k, v in form.items()}
    reply = session.post(hub.url + "/staff/records/r1/status", auth=STAFF, data=data, timeout=10)
    assert reply.status_code == 400
    assert hub.store.get("r1").status == "received" and hub.store.status_history("r1") == []


def test_a_certificate_is_issued_to_the_station(session, hub, terminal):
    submit_application(session, hub, terminal)
    token = form_token(session.get(hub.url + "/staff/records/r1", auth=STAFF, timeout=10).text)
    reply = session.post(hub.url + "/staff/records/r1/certificate", auth=STAFF, timeout=10, allow_redirects=False,
                         data={"csrf": token, "number": "ZS-2026-0001", "title": "户籍证明",
                               "text": "兹证明……", "issuer": ""})
    assert reply.status_code == 303
    [update] = stream(session, hub.url, terminal, "status")["items"]
    assert update["status"] == "certificate_issued"
    assert update["certificate"] == {"number": "ZS-2026-0001", "title": "户籍证明", "text": "兹证明……",
                                     "issuer": "舟山市政务服务中心", "holder": "测** 330***********1234"}


def test_the_record_page_says_who_filed_it_and_how_the_resident_consented(session, hub, terminal):
    submit_application(session, hub, terminal, "self")
    submit_application(session, hub, terminal, "agent", receipt_no="DH001-20261125-0002",
                       filed_by={"agent_id": "ag-7", "role": "agent"},
                       consent={"method": "signature", "at": "2026-11-25T02:00:00+00:00"})
    own = session.get(hub.url + "/staff/records/self", auth=STAFF, timeout=10).text
    assert "<th>经办</th><td>本人自助</td>" in own and "<th>群众同意</th><td>本人办理</td>" in own
    filed = session.get(hub.url + "/staff/records/agent", auth=STAFF, timeout=10).text
    assert "<th>经办</th><td>帮办员 ag-7 代办</td>" in filed
    assert "<th>群众同意</th><td>手写签名，2026-11-25 10:00:00</td>" in filed


def test_unknown_records_are_404(session, hub):
    assert session.get(hub.url + "/staff/records/nope", auth=STAFF, timeout=10).status_code == 404
    token = form_token(session.get(hub.url + "/staff/terminals", auth=STAFF, timeout=10).text)
    reply = session.post(hub.url + "/staff/records/nope/status", auth=STAFF, timeout=10,
                         data={"csrf": token, "status": "done"})
    assert reply.status_code == 404


def test_staff_issue_a_code_and_revoke_a_terminal(session, hub):
    token = form_token(session.get(hub.url + "/staff/terminals", auth=STAFF, timeout=10).text)
    shown = session.post(hub.url + "/staff/terminals/codes", auth=STAFF, timeout=10,
                         data={"csrf": token, "station_id": STATION, "ttl_hours": "2"})
    assert shown.status_code == 200 and shown.headers["cache-control"] == "no-store"
    code = re.search(r'class="code">([0-9A-Z-]+)<', shown.text).group(1)
    key = KeyPair.generate()
    enrolled = session.post(hub.url + ENROLL_PATH, timeout=10,
                            json={"station_id": STATION, "code": code, "public_key": key.public_b64()}).json()
    terminal_id = enrolled["terminal_id"]
    assert terminal_id in session.get(hub.url + "/staff/terminals", auth=STAFF, timeout=10).text

    revoked = session.post(hub.url + f"/staff/terminals/{terminal_id}/revoke", auth=STAFF, timeout=10,
                           data={"csrf": token}, allow_redirects=False)
    assert revoked.status_code == 303 and hub.store.terminal(terminal_id).revoked


def test_the_record_page_shows_deferral_and_bundle_items(session, hub, terminal):
    sha = "ab" * 32
    submit_application(session, hub, terminal, "bundle", item_name="新生儿落户参保一件事", bundle_id="newborn",
                       answers={"name": "测试人", "child_name": "测小舟"},
                       items=[{"item_id": "hu.birth_reg", "item_name": "出生登记",
                               "answers": {"name": "测试人", "child_name": "测小舟"}},
                              {"item_id": "sb.sbk_apply", "item_name": "社会保障卡申领",
                               "answers": {"name": "测试人", "child_name": "测小舟", "pickup": "邮寄到家"}}],
                       deferred={"materials": ["父母户口簿"], "deadline": "2026-12-25", "commitment_sha256": sha,
                                 "method": "signature"})
    page = session.get(hub.url + "/staff/records/bundle", auth=STAFF, timeout=10).text
    assert "<th>容缺受理</th><td>待补材料：父母户口簿；补交期限 2026-12-25；告知承诺书（手写签名）</td>" in page
    assert "一件事 · 包含 2 个事项" in page and "<h3>1. 出生登记</h3>" in page and "<h3>2. 社会保障卡申领</h3>" in page
    assert page.count("<th>child_name</th><td>测小舟</td>") == 3   # the shared data, in the form and for each item
    assert "<th>pickup</th><td>邮寄到家</td>" in page
    submit_application(session, hub, terminal, "plain", receipt_no="DH001-20261125-0002")
    plain = session.get(hub.url + "/staff/records/plain", auth=STAFF, timeout=10).text
    assert "<th>容缺受理</th><td>否</td>" in plain and "一件事" not in plain
