"""Fuzzing scanned codes: any text, any bytes off a serial scanner, tampered signed codes, signed garbage.

Properties: `classify` returns one of the three code records or raises DeviceError(QR_INVALID) as a QrRejected
(or QR_EXPIRED), never anything else; a code with any one character changed never verifies; whatever the
platform key signed (junk bytes, wrong JSON, wrong types) is refused the same way; what is accepted is sound.
"""
from __future__ import annotations

import json
import string

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import example, given
from hypothesis import strategies as st

from devices.base import DeviceError, Fault
from devices.idcard import idnumber
from devices.qr import PREFIX, b64url_encode
from devices.qr_payloads import (LICENCE_PREFIX, MAX_PAYLOAD, PROGRESS_PREFIX, ELicenceCode, IdentityCode,
                                 ProgressCode, QrRejected, classify)
from devices.qr_serial import MAX_LINE, LineBuffer, line_text
from devices.qr_sim import DEMO_LICENCE, DEMO_PRIVATE_KEY, DEMO_RESIDENT, mint_code, mint_licence
from tests.fuzz.budget import HANG_S

pytestmark = pytest.mark.timeout(HANG_S)

NOW = 1_795_600_000          # 2026-11-24, as tests/devices/test_qr_payloads.py
B64URL = string.ascii_letters + string.digits + "-_"
JSON_SCALARS = st.none() | st.booleans() | st.integers(-2**70, 2**70) | st.floats() | st.text(max_size=30)
JSON_VALUES = st.recursive(JSON_SCALARS, lambda inner: st.lists(inner, max_size=4)
                           | st.dictionaries(st.text(max_size=8), inner, max_size=4), max_leaves=12)


def classified(text, now: float = NOW):
    """The record, or None for a refusal; any other exception fails the test."""
    try:
        code = classify(text, clock=lambda: now)
    except DeviceError as exc:
        assert exc.reason in (Fault.QR_INVALID, Fault.QR_EXPIRED)
        assert exc.reason is not Fault.QR_INVALID or isinstance(exc, QrRejected)
        return None
    assert isinstance(code, (IdentityCode, ELicenceCode, ProgressCode))
    return code


def sign(prefix: str, body: bytes) -> str:
    signed = f"{prefix}.{b64url_encode(body)}"
    signature = Ed25519PrivateKey.from_private_bytes(DEMO_PRIVATE_KEY).sign(signed.encode("ascii"))
    return f"{signed}.{b64url_encode(signature)}"


def valid_codes() -> st.SearchStrategy[str]:
    identity = st.builds(lambda: mint_code(**DEMO_RESIDENT, iat=NOW, exp=NOW + 300))
    licence = st.builds(lambda: mint_licence(**DEMO_LICENCE, iat=NOW, exp=NOW + 300))
    return identity | licence


# --- anything at all -----------------------------------------------------------------------------------------
@given(st.text(max_size=300))
@example("")
@example(" \r\n\t")
@example(PREFIX + ".")
@example(LICENCE_PREFIX + "." + "A" * 4 + "." + "A" * 86)
@example(PROGRESS_PREFIX + "r=%ff&id=x")
@example(PROGRESS_PREFIX + "r=%E4%BD%A0-20261124-0001&id=0193b3c4-0000-7000-8000-000000000000")
@example("x" * (MAX_PAYLOAD + 1))
def test_any_text_is_a_code_or_a_refusal(text):
    classified(text)


@given(st.text(alphabet=st.characters(min_codepoint=0x21, max_codepoint=0x7e), max_size=300))
def test_any_printable_ascii_is_a_code_or_a_refusal(text):
    classified(text)


@given(st.sampled_from([PREFIX + ".", LICENCE_PREFIX + ".", PROGRESS_PREFIX]),
       st.text(alphabet=B64URL + ".=&%", max_size=400))
def test_anything_behind_a_known_prefix_is_a_refusal(prefix, rest):
    code = classified(prefix + rest)
    assert code is None or isinstance(code, ProgressCode)


@given(JSON_VALUES | st.binary(max_size=50) | st.builds(object))
def test_what_is_not_text_is_refused_as_not_text(value):
    if isinstance(value, str):
        return
    with pytest.raises(QrRejected):
        classify(value, clock=lambda: NOW)


# --- tampering with signed codes -------------------------------------------------------------------------------
@given(valid_codes(), st.data())
def test_a_valid_code_with_one_character_changed_never_verifies(code, data):
    assert classified(code) is not None
    position = data.draw(st.integers(0, len(code) - 1), label="position")
    replacement = data.draw(st.sampled_from(B64URL + ".=+/ ").filter(lambda c: c != code[position]),
                            label="replacement")
    tampered = code[:position] + replacement + code[position + 1:]
    if tampered.strip() == code:      # a blank at either end is scanner padding, not tampering
        return
    with pytest.raises(DeviceError) as refused:
        classify(tampered, clock=lambda: NOW)
    assert refused.value.reason is Fault.QR_INVALID


@given(valid_codes(), st.integers(1, 40), st.data())
def test_a_valid_code_cut_or_extended_never_verifies(code, amount, data):
    if data.draw(st.booleans(), label="cut"):
        tampered = code[:max(len(code) - amount, 0)]
    else:
        tampered = code + data.draw(st.text(alphabet=B64URL + ".", min_size=amount, max_size=amount), label="tail")
    assert classified(tampered) is None


@given(valid_codes(), st.binary(min_size=1, max_size=64))
def test_a_signature_of_other_bytes_never_verifies(code, other):
    prefix, body, _ = code.split(".")
    forged = sign(prefix, other).split(".")[2]
    if forged == code.split(".")[2]:
        return
    assert classified(f"{prefix}.{body}.{forged}") is None


# --- what the platform key signed, whatever it is --------------------------------------------------------------
@given(st.sampled_from([PREFIX, LICENCE_PREFIX]), st.binary(min_size=3, max_size=300))
@example(PREFIX, b"[" * 200)
@example(LICENCE_PREFIX, b"\xff\xfe{}")
def test_signed_bytes_that_are_not_a_claims_object_are_refused(prefix, body):
    assert classified(sign(prefix, body)) is None


def claims(keys: set[str]) -> st.SearchStrategy[dict]:
    return st.fixed_dictionaries({k: JSON_VALUES for k in sorted(keys)},
                                 optional={"extra": JSON_VALUES})


@given(claims({"v", "name", "id_number", "phone", "iat", "exp"}))
@example({"v": True, "name": "王", "id_number": DEMO_RESIDENT["id_number"], "phone": "", "iat": NOW, "exp": NOW + 1})
@example({"v": 1, "name": "王", "id_number": DEMO_RESIDENT["id_number"], "phone": "", "iat": 1e308, "exp": NOW})
def test_signed_identity_claims_of_any_value_are_a_sound_code_or_a_refusal(values):
    code = classified(sign(PREFIX, json.dumps(values).encode()))
    if code is not None:
        assert idnumber.is_valid(code.id_number) and isinstance(code.name, str) and code.name.strip()
        assert type(code.issued_at) is int and type(code.expires_at) is int


@given(claims({"v", "type", "holder", "holder_id", "number", "issuer", "valid_to", "iat", "exp"}))
@example({"v": 1, "type": "hukou", "holder": "王", "holder_id": DEMO_RESIDENT["id_number"], "number": "1",
          "issuer": "x", "valid_to": "9999-12-31", "iat": NOW, "exp": NOW + 1})
@example({"v": 1, "type": "hukou", "holder": "王", "holder_id": DEMO_RESIDENT["id_number"], "number": "1",
          "issuer": "x", "valid_to": "2026-02-30", "iat": NOW, "exp": NOW + 1})
def test_signed_licence_claims_of_any_value_are_a_sound_code_or_a_refusal(values):
    code = classified(sign(LICENCE_PREFIX, json.dumps(values).encode()))
    if code is not None:
        assert isinstance(code, ELicenceCode) and code.holder and code.issuer


@given(st.fixed_dictionaries({"v": st.just(1), "type": st.sampled_from(["hukou", "marriage", "disability"]),
                              "holder": st.text(min_size=1, max_size=110),
                              "holder_id": st.just(DEMO_RESIDENT["id_number"]),
                              "number": st.text(max_size=45), "issuer": st.text(max_size=65),
                              "valid_to": st.text(max_size=12) | st.dates().map(str),
                              "iat": st.integers(NOW - 2000, NOW + 2000), "exp": st.integers(NOW - 2000, NOW + 2000)}))
def test_nearly_valid_signed_licences_are_a_sound_code_or_a_refusal(values):
    """Right keys and types, values near the edges: the checks past the signature get exercised too."""
    classified(sign(LICENCE_PREFIX, json.dumps(values, ensure_ascii=False).encode()))


# --- a serial scanner's bytes ----------------------------------------------------------------------------------
@given(st.lists(st.binary(max_size=600) | st.sampled_from([b"\r\n", b"\r", b"\n"]), max_size=12))
@example([b"\xff" * (MAX_LINE + 10), b"\r\n", b"ZLB1.x"])
def test_serial_scanner_bytes_become_lines_that_are_codes_or_refusals(chunks):
    buffer = LineBuffer()
    for chunk in chunks:
        buffer.feed(chunk)
    while (line := buffer.next_line()) is not None:
        assert line and b"\r" not in line and b"\n" not in line and len(line) <= MAX_LINE + 1
        classified(line_text(line))
