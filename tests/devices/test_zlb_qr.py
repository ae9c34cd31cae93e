import base64
import json
import time

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from devices.base import DeviceError, Fault, HealthState, QrScanner
from devices.qr import CLOCK_SKEW_S, MAX_CODE_LEN, ZlbVerifier, parse_identity_code
from devices.qr_sim import DEMO_RESIDENT, SimQrScanner, demo_code, mint_code

pytestmark = pytest.mark.timeout(20)
NOW = 1_795_600_000


def verifier(now=NOW):
    return ZlbVerifier(clock=lambda: now)


def rejected(text, now=NOW):
    with pytest.raises(DeviceError) as info:
        verifier(now).parse(text)
    return info.value.reason


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def test_valid_demo_code_parses():
    code = verifier().parse(demo_code(NOW))
    assert (code.name, code.id_number, code.phone) == (DEMO_RESIDENT["name"], DEMO_RESIDENT["id_number"],
                                                       DEMO_RESIDENT["phone"])
    assert code.expires_at - code.issued_at == 300
    identity = code.to_identity()
    assert identity.source == "zlb_qr" and identity.masked_id() == "330***********1232"
    assert "王" not in repr(code)


def test_trailing_newline_from_a_wedge_scanner_is_tolerated():
    assert verifier().parse(demo_code(NOW) + "\r\n").name == "王海生"


def test_module_level_function_gives_an_identity():
    identity = parse_identity_code(demo_code(time.time()))
    assert (identity.source, identity.id_number, identity.phone) == ("zlb_qr", "330902196803121232", "13000000000")


def test_tampered_signature():
    code = demo_code(NOW)
    head, sig = code.rsplit(".", 1)
    flipped = ("A" if sig[10] != "A" else "B")
    assert rejected(f"{head}.{sig[:10]}{flipped}{sig[11:]}") is Fault.QR_INVALID


def test_tampered_payload_with_old_signature():
    prefix, body, sig = demo_code(NOW).split(".")
    claims = json.loads(base64.urlsafe_b64decode(body + "=="))
    claims["name"] = "李四"
    assert rejected(f"{prefix}.{b64(json.dumps(claims).encode())}.{sig}") is Fault.QR_INVALID


def test_code_signed_by_another_key():
    other = Ed25519PrivateKey.generate().private_bytes_raw()
    assert rejected(mint_code(**DEMO_RESIDENT, iat=NOW, exp=NOW + 60, private_key=other)) is Fault.QR_INVALID


def test_expired_code():
    code = demo_code(NOW)
    assert rejected(code, now=NOW + 300 + CLOCK_SKEW_S + 1) is Fault.QR_EXPIRED
    assert verifier(NOW + 300 + CLOCK_SKEW_S - 1).parse(code)       # within the allowed clock drift


def test_issued_in_the_future_or_with_a_long_life():
    assert rejected(demo_code(NOW + CLOCK_SKEW_S + 60)) is Fault.QR_INVALID
    assert rejected(mint_code(**DEMO_RESIDENT, iat=NOW, exp=NOW + 86400)) is Fault.QR_INVALID
    assert rejected(mint_code(**DEMO_RESIDENT, iat=NOW, exp=NOW)) is Fault.QR_INVALID


def test_signed_but_bad_check_digit():
    resident = DEMO_RESIDENT | {"id_number": "330902196803121233"}
    assert rejected(mint_code(**resident, iat=NOW, exp=NOW + 60)) is Fault.QR_INVALID


@pytest.mark.parametrize("resident", [
    DEMO_RESIDENT | {"phone": "12345"},
    DEMO_RESIDENT | {"name": ""},
    DEMO_RESIDENT | {"name": "王\n海生"},
    DEMO_RESIDENT | {"name": "王" * 31},
])
def test_signed_but_bad_fields(resident):
    assert rejected(mint_code(**resident, iat=NOW, exp=NOW + 60)) is Fault.QR_INVALID


def sign_raw(payload: bytes) -> str:
    key = Ed25519PrivateKey.from_private_bytes(bytes.fromhex(
        "8d60f3239abb76113ff6a0c9e238a583d4fbe029a9712338194db53b64934826"))
    signed = f"ZLB1.{b64(payload)}"
    return f"{signed}.{b64(key.sign(signed.encode()))}"


@pytest.mark.parametrize("payload", [
    b'{"v":2,"name":"a","id_number":"330902196803121232","phone":"","iat":1795600000,"exp":1795600060}',
    b'{"v":1,"name":"a","id_number":"330902196803121232","phone":"","iat":1795600000,"exp":1795600060,"x":1}',
    b'{"v":1,"name":"a","name":"b","id_number":"330902196803121232","phone":"","iat":1795600000,"exp":1795600060}',
    b'{"v":1,"name":"a","id_number":"330902196803121232","phone":"","iat":"1795600000","exp":1795600060}',
    b'{"v":1,"name":"a","id_number":"330902196803121232","phone":"","iat":true,"exp":1795600060}',
    b"[1,2,3]",
    b"\xff\xfe not utf-8",
    b"[" * 200 + b"]" * 200,
])
def test_signed_but_malformed_payload(payload):
    assert rejected(sign_raw(payload)) is Fault.QR_INVALID


@pytest.mark.parametrize("text", [
    "",
    "hello",
    "https://www.zjzwfw.gov.cn/",
    "ZLB2." + demo_code(NOW)[5:],
    "zlb1." + demo_code(NOW)[5:],
    demo_code(NOW).replace(".", "..", 1),
    demo_code(NOW) + ".extra",
    demo_code(NOW).replace("ZLB1.", "ZLB1.=", 1),
    "ZLB1.中文.签名",
    "ZLB1.\x00\x01\x02." + "A" * 86,
    "ZLB1." + "A" * (MAX_CODE_LEN + 1),
])
def test_garbage_and_wrong_prefix(text):
    assert rejected(text) is Fault.QR_INVALID


@pytest.mark.parametrize("value", [b"ZLB1.abc.def", bytearray(b"\x00\xff"), None, 12345, ["ZLB1"]])
def test_binary_and_non_text(value):
    assert rejected(value) is Fault.QR_INVALID


def test_ten_megabyte_string_is_rejected_fast():
    huge = "ZLB1." + "A" * (10 * 1024 * 1024)
    start = time.perf_counter()
    assert rejected(huge) is Fault.QR_INVALID
    assert time.perf_counter() - start < 0.05


def test_non_canonical_base64_is_rejected():
    code = demo_code(NOW)
    prefix, body, sig = code.split(".")
    # the last character of an unpadded block carries spare bits; changing them keeps the bytes but not the text
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    last = alphabet.index(sig[-1])
    twin = alphabet[last ^ 1]
    assert rejected(f"{prefix}.{body}.{sig[:-1]}{twin}") is Fault.QR_INVALID


# --- the simulated scanner -----------------------------------------------------------------------------------

def test_scanner_returns_what_was_shown_through_a_rendered_image():
    scanner = SimQrScanner()
    assert isinstance(scanner, QrScanner)
    code = demo_code(time.time())
    scanner.show(code)
    assert scanner.scan(2.0) == code
    assert verifier(time.time()).parse(code).name == "王海生"


def test_scanner_blocks_until_shown():
    import threading
    scanner = SimQrScanner()
    threading.Timer(0.2, scanner.show, args=("hello",)).start()
    start = time.monotonic()
    assert scanner.scan(2.0) == "hello" and time.monotonic() - start >= 0.15


def test_scanner_times_out():
    start = time.monotonic()
    with pytest.raises(DeviceError) as info:
        SimQrScanner().scan(0.3)
    assert info.value.reason is Fault.QR_TIMEOUT and 0.25 < time.monotonic() - start < 1.0


def test_demo_scanner_shows_a_fresh_signed_code_when_asked():
    scanner = SimQrScanner(demo=True, demo_delay=0.05)
    code = scanner.scan(2.0)
    assert verifier(time.time()).parse(code).id_number == "330902196803121232"


def test_binary_shown_to_the_scanner_is_rejected_by_the_parser():
    scanner = SimQrScanner()
    scanner.show(b"\x00\x01\xfe\xff binary")
    assert rejected(scanner.scan(2.0)) is Fault.QR_INVALID


def test_closed_scanner_is_absent():
    scanner = SimQrScanner()
    scanner.close()
    assert scanner.health().state is HealthState.ABSENT
    with pytest.raises(DeviceError) as info:
        scanner.scan(1.0)
    assert info.value.reason is Fault.READER_ABSENT
