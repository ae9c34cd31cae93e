"""The log's safety net: ID numbers, mobile numbers and key-like runs never reach a handler's output."""
import base64
import hashlib
import io
import logging
import os
import uuid

import pytest

from kiosk.log_redaction import RedactingFilter, marker, redact
from sync.auth import b64url

ID18 = "330902195803150012"
ID18_X = "33090219580315001X"
ID15 = "330902580315001"
MOBILE = "13812345678"


@pytest.mark.parametrize("text, kind", [
    (f"reader gave {ID18}", "id"), (f"card {ID18_X}.", "id"), (f"old card {ID15}", "id"),
    (f"call {MOBILE}", "phone"), ("call +86 138-1234-5678", "phone"), (f"电话{MOBILE}号", "phone"),
    (f"身份证{ID18}", "id"),
])
def test_personal_numbers_are_replaced(text, kind):
    out = redact(text)
    assert marker(kind) in out and ID18 not in out and MOBILE not in out and "1234-5678" not in out


def test_key_material_is_replaced_in_every_encoding_used_here():
    raw = os.urandom(32)
    for key in (base64.b64encode(raw).decode(), b64url(raw), raw.hex()[:48], os.urandom(16).hex()):
        assert redact(f"key={key} end") == f"key={marker('key')} end", key


def test_ids_hashes_paths_and_receipt_numbers_are_kept():
    kept = [str(uuid.uuid4()), "terminal t-" + uuid.uuid4().hex, hashlib.sha256(b"photo").hexdigest(),
            "DH001-20261125-0001",
            "/tmp/pytest-of-kiosk/pytest-3/test_export_never_leaks0/kiosk-data/logs/kiosk.log",
            "2026-11-25T01:30:00+00:00", "HTTP 503 after 12 attempts"]
    for text in kept:
        assert redact(text) == text


def logged(emit) -> str:
    """What a handler with the filter writes for the records `emit` makes."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(levelname)s %(message)s"))
    handler.addFilter(RedactingFilter())
    logger = logging.Logger("test.redaction", logging.DEBUG)   # unregistered: no parent, no pytest handlers
    logger.addHandler(handler)
    emit(logger)
    return stream.getvalue()


def test_args_exception_text_and_stack_are_redacted():
    key = b64url(os.urandom(32))

    def emit(log):
        log.info("applicant %s phone %s", ID18, MOBILE)
        try:
            raise ValueError(f"bad id {ID18} with key {key}")
        except ValueError:
            log.exception("failed for %s", ID15)
        log.warning("stack %s", "here", stack_info=True)
    out = logged(emit)
    for secret in (ID18, MOBILE, ID15, key):
        assert secret not in out
    assert out.count(marker("id")) == 3 and marker("key") in out and "ValueError" in out and "Stack" in out


def test_a_record_with_bad_args_is_still_written_redacted():
    out = logged(lambda log: log.info("two %s %s", ID18))
    assert ID18 not in out and marker("id") in out


def test_main_installs_the_filter_on_file_and_stderr(tmp_path, capsys):
    import main
    root = logging.getLogger()
    before = list(root.handlers)
    try:
        main.setup_logging(tmp_path, "INFO")
        added = [h for h in root.handlers if h not in before]
        assert len(added) == 2 and all(any(isinstance(f, RedactingFilter) for f in h.filters) for h in added)
        logging.getLogger("kiosk.test").info("resident %s", ID18)
        for handler in added:
            handler.flush()
        written = (tmp_path / "logs" / "kiosk.log").read_text(encoding="utf-8") + capsys.readouterr().err
        assert ID18 not in written and marker("id") in written
    finally:
        for handler in [h for h in root.handlers if h not in before]:
            root.removeHandler(handler)
            handler.close()
