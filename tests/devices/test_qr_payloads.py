"""Classifying scanned text: identity codes, e-licence codes, progress codes, and everything hostile."""
import base64
import json
import time
from datetime import date, datetime

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from devices.base import DeviceError, Fault
from devices.qr_payloads import (MAX_PAYLOAD, ELicenceCode, IdentityCode, LicenceType, PayloadClassifier,
                                 ProgressCode, QrRejected, Rejection, classify, uscc_is_valid)
from devices.qr_sim import DEMO_LICENCE, DEMO_PRIVATE_KEY, DEMO_RESIDENT, demo_code, demo_licence, mint_licence
from kiosk.ids import CST, receipt_number, uuid7
from kiosk.receipt import progress_code
from kiosk.records import Application, Identity

pytestmark = pytest.mark.timeout(20)
NOW = 1_795_600_000                                   # 2026-11-24 (CST)
TODAY = datetime.fromtimestamp(NOW, CST).date()
BUSINESS = {"licence_type": "business", "holder": "舟山市定海区长岛海产品专业合作社", "holder_id": "91330100716105852F",
            "number": "330902000012345", "issuer": "舟山市定海区市场监督管理局", "valid_to": ""}


def classified(text, now=NOW):
    return PayloadClassifier(clock=lambda: now).classify(text)


def rejection(text, now=NOW):
    with pytest.raises(DeviceError) as info:
        classified(text, now)
    assert info.value.reason is Fault.QR_INVALID
    assert isinstance(info.value, QrRejected)
    return info.value.rejection


def licence(now=NOW, iat=None, exp=None, **changes):
    iat = now if iat is None else iat
    return mint_licence(**DEMO_LICENCE | changes, iat=iat, exp=iat + 300 if exp is None else exp)


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


# --- accepted ----------------------------------------------------------------------------------------------------

def test_identity_code():
    code = classified(demo_code(NOW))
    assert isinstance(code, IdentityCode) and code.id_number == DEMO_RESIDENT["id_number"]


def test_e_licence_round_trip():
    code = classified(demo_licence(NOW) + "\r\n")
    assert isinstance(code, ELicenceCode)
    assert code.licence_type is LicenceType.DISABILITY and code.licence_type.label == "残疾人证"
    assert (code.holder, code.holder_id, code.number, code.issuer) == (
        DEMO_LICENCE["holder"], DEMO_LICENCE["holder_id"], DEMO_LICENCE["number"], DEMO_LICENCE["issuer"])
    assert code.valid_to == date(2034, 6, 30) and code.expires_at - code.issued_at == 300
    assert DEMO_LICENCE["holder"] not in repr(code) and DEMO_LICENCE["holder_id"] not in repr(code)


@pytest.mark.parametrize("kind,label", [("hukou", "户口簿"), ("marriage", "结婚证")])
def test_licences_without_an_end_date(kind, label):
    code = classified(licence(licence_type=kind, valid_to="", number="J330902-2020-001234"))
    assert code.licence_type.label == label and code.valid_to is None


def test_business_licence_uses_the_unified_social_credit_code():
    code = classified(mint_licence(**BUSINESS, iat=NOW, exp=NOW + 60))
    assert code.licence_type is LicenceType.BUSINESS and code.holder_id == "91330100716105852F"
    assert rejection(mint_licence(**BUSINESS | {"holder_id": "91330100716105852X"}, iat=NOW, exp=NOW + 60)) \
        is Rejection.BAD_CODE
    assert rejection(mint_licence(**BUSINESS | {"holder_id": DEMO_RESIDENT["id_number"]}, iat=NOW, exp=NOW + 60)) \
        is Rejection.BAD_CODE


def test_progress_code_from_a_real_receipt():
    app = Application(id=uuid7(), receipt_no=receipt_number("DH001", datetime(2026, 11, 25), 7), item_id="x",
                      item_name="y", applicant=Identity(source="idcard", name="王海生", id_number="330902196803121232"))
    code = classified(progress_code(app))
    assert code == ProgressCode("DH001-20261125-0007", app.id)


def test_progress_code_either_order_and_escaped():
    uid = "0192f0c1-7a2b-7c3d-8e4f-0123456789ab"
    assert classified(f"zdb://progress?id={uid}&r=DH001%2D20261125%2D0007").receipt_no == "DH001-20261125-0007"


def test_module_level_classify_with_the_real_clock():
    assert isinstance(classify(demo_licence(time.time())), ELicenceCode)


# --- expiry ------------------------------------------------------------------------------------------------------

def test_licence_past_its_valid_to_date_is_expired():
    yesterday = date.fromordinal(TODAY.toordinal() - 1).isoformat()
    with pytest.raises(DeviceError) as info:
        classified(licence(valid_to=yesterday))
    assert info.value.reason is Fault.QR_EXPIRED and info.value.detail == "licence expired"
    assert classified(licence(valid_to=TODAY.isoformat())).valid_to == TODAY     # valid through its last day


def test_licence_code_past_its_own_window_is_expired():
    with pytest.raises(DeviceError) as info:
        classified(licence(), now=NOW + 3600)
    assert info.value.reason is Fault.QR_EXPIRED and info.value.detail == "code expired"


def test_expired_identity_code():
    with pytest.raises(DeviceError) as info:
        classified(demo_code(NOW), now=NOW + 3600)
    assert info.value.reason is Fault.QR_EXPIRED


# --- rejected ----------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("text,why", [
    ("", Rejection.EMPTY),
    ("  \r\n", Rejection.EMPTY),
    ("A" * (MAX_PAYLOAD + 1), Rejection.TOO_LONG),
    ("ZLB1." + "A" * (10 * 1024 * 1024), Rejection.TOO_LONG),
    ("ZLBL1.abc\x00def", Rejection.CONTROL_CHARS),
    ("\x00" * 16, Rejection.CONTROL_CHARS),
    ("ZLB1.abc\x1b[2J", Rejection.CONTROL_CHARS),
    ("\x00\x01\xfe\xff binary", Rejection.CONTROL_CHARS),
    ("þÿ binary read as Latin-1", Rejection.NON_ASCII),
    ("😀", Rejection.NON_ASCII),
    ("ZLB1.😀.😀", Rejection.NON_ASCII),
    ("舟山市定海区", Rejection.NON_ASCII),
    ("https://www.zjzwfw.gov.cn/", Rejection.URL),
    ("HTTP://EVIL.EXAMPLE/ZLB1.", Rejection.URL),
    ("weixin://dl/business/?t=abc", Rejection.URL),
    ("javascript:alert(1)", Rejection.URL),
    ("zdb://settings?reset=1", Rejection.URL),
    ("hello", Rejection.UNKNOWN_FORMAT),
    ("ZLB2.abc.def", Rejection.UNKNOWN_FORMAT),
    ("zlb1." + "a" * 100, Rejection.UNKNOWN_FORMAT),
    ("330902196803121232", Rejection.UNKNOWN_FORMAT),
    ("ZLB1.abc.def", Rejection.BAD_CODE),
    ("ZLBL1." + "A" * 3000 + "." + "A" * 86, Rejection.BAD_CODE),
    ("zdb://progress?r=DH001-20261125-0007", Rejection.BAD_CODE),
    ("zdb://progress?r=DH001-20261125-0007&id=0192f0c1-7a2b-7c3d-8e4f-0123456789ab&x=1", Rejection.BAD_CODE),
    ("zdb://progress?r=DH001-20261125-0007&r=x&id=0192f0c1-7a2b-7c3d-8e4f-0123456789ab", Rejection.BAD_CODE),
    ("zdb://progress?r=<script>&id=0192f0c1-7a2b-7c3d-8e4f-0123456789ab", Rejection.BAD_CODE),
    ("zdb://progress?r=DH001-20261125-0007&id=../../etc/passwd", Rejection.BAD_CODE),
    ("zdb://progress?r=%E7%8E%8B-20261125-0007&id=0192f0c1-7a2b-7c3d-8e4f-0123456789ab", Rejection.BAD_CODE),
    ("zdb://progress?r=DH001-20261125-0007&id=0192F0C1-7A2B-7C3D-8E4F-0123456789AB", Rejection.BAD_CODE),
    ("zdb://progress?" + "r=1&" * 60, Rejection.BAD_CODE),
])
def test_hostile_and_foreign_text(text, why):
    assert rejection(text) is why


@pytest.mark.parametrize("value", [None, 12345, b"ZLB1.abc.def", bytearray(b"\x00"), ["ZLB1"], {"v": 1}])
def test_not_text(value):
    assert rejection(value) is Rejection.NOT_TEXT


def test_ten_megabytes_are_refused_at_once():
    huge = "ZLBL1." + "A" * (10 * 1024 * 1024)
    start = time.perf_counter()
    assert rejection(huge) is Rejection.TOO_LONG
    assert time.perf_counter() - start < 0.05


def test_rejection_detail_holds_no_code_content():
    with pytest.raises(QrRejected) as info:
        classified("https://example.com/?name=王海生&id=330902196803121232")
    assert "王海生" not in str(info.value) and "330902" not in str(info.value)


def test_tampered_licence():
    prefix, body, sig = demo_licence(NOW).split(".")
    claims = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    claims["valid_to"] = "2099-12-31"
    assert rejection(f"{prefix}.{b64(json.dumps(claims).encode())}.{sig}") is Rejection.BAD_CODE
    flipped = sig[:5] + ("A" if sig[5] != "A" else "B") + sig[6:]
    assert rejection(f"{prefix}.{body}.{flipped}") is Rejection.BAD_CODE


def test_identity_body_relabelled_as_a_licence_does_not_verify():
    _, body, sig = demo_code(NOW).split(".")
    assert rejection(f"ZLBL1.{body}.{sig}") is Rejection.BAD_CODE


def test_licence_signed_by_another_key():
    other = Ed25519PrivateKey.generate().private_bytes_raw()
    assert rejection(mint_licence(**DEMO_LICENCE, iat=NOW, exp=NOW + 60, private_key=other)) is Rejection.BAD_CODE


@pytest.mark.parametrize("changes", [
    {"licence_type": "passport"},
    {"holder": ""},
    {"holder": "王\n海生"},
    {"holder": "王" * 101},
    {"issuer": " 舟山"},
    {"holder_id": "330902196803121233"},
    {"number": "has space"},
    {"number": "号码"},
    {"number": ""},
    {"valid_to": "2034-02-30"},
    {"valid_to": "20340630"},
    {"valid_to": "长期"},
])
def test_signed_licence_with_bad_fields(changes):
    assert rejection(licence(**changes)) is Rejection.BAD_CODE


def sign_licence(payload: bytes) -> str:
    signed = f"ZLBL1.{b64(payload)}"
    return f"{signed}.{b64(Ed25519PrivateKey.from_private_bytes(DEMO_PRIVATE_KEY).sign(signed.encode()))}"


@pytest.mark.parametrize("payload", [
    b"[1,2,3]",
    b'"just a string"',
    b"\xff\xfe not utf-8",
    b"[" * 500 + b"]" * 500,
    b'{"v":1}',
    b'{"v":2,"type":"hukou","holder":"a","holder_id":"330902196803121232","number":"1","issuer":"b",'
    b'"valid_to":"","iat":1795600000,"exp":1795600060}',
    b'{"v":true,"type":"hukou","holder":"a","holder_id":"330902196803121232","number":"1","issuer":"b",'
    b'"valid_to":"","iat":1795600000,"exp":1795600060}',
    b'{"v":1,"type":"hukou","holder":"a","holder_id":"330902196803121232","number":"1","issuer":"b",'
    b'"valid_to":"","iat":1795600000,"exp":1795600060,"extra":1}',
    b'{"v":1,"type":"hukou","type":"hukou","holder":"a","holder_id":"330902196803121232","number":"1",'
    b'"issuer":"b","valid_to":"","iat":1795600000,"exp":1795600060}',
    b'{"v":1,"type":"hukou","holder":"a","holder_id":"330902196803121232","number":"1","issuer":"b",'
    b'"valid_to":"","iat":1795600000.5,"exp":1795600060}',
    b'{"v":1,"type":"hukou","holder":"a","holder_id":"330902196803121232","number":"1","issuer":"b",'
    b'"valid_to":null,"iat":1795600000,"exp":1795600060}',
])
def test_signed_but_malformed_licence_payload(payload):
    assert rejection(sign_licence(payload)) is Rejection.BAD_CODE


def test_licence_with_a_long_life_or_from_the_future():
    assert rejection(licence(iat=NOW, exp=NOW + 86400)) is Rejection.BAD_CODE
    assert rejection(licence(iat=NOW + 3600, exp=NOW + 3660)) is Rejection.BAD_CODE


def test_uscc_check_digit():
    assert uscc_is_valid("9144030071526726XG") and uscc_is_valid("91110000802100433B")
    assert not uscc_is_valid("9144030071526726XH") and not uscc_is_valid("9144030071526726xg")
    assert not uscc_is_valid("91440300715267260I") and not uscc_is_valid(None) and not uscc_is_valid("9144")


def test_identity_code_with_version_true_is_refused():
    # JSON true == 1 in Python: the version check must look at the type too
    payload = b'{"v":true,"name":"a","id_number":"330902196803121232","phone":"","iat":1795600000,"exp":1795600060}'
    signed = f"ZLB1.{b64(payload)}"
    code = f"{signed}.{b64(Ed25519PrivateKey.from_private_bytes(DEMO_PRIVATE_KEY).sign(signed.encode()))}"
    assert rejection(code) is Rejection.BAD_CODE
