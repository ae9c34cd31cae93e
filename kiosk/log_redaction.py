"""A safety net for the log: ID numbers, mobile numbers and key-like strings are replaced before a line is written.

The rule stays "code never logs these" (kiosk modules log ids and counts only); this catches the slip, such as an
exception text that quotes a value. Shapes, not meanings, are matched, so a harmless number of the same shape
is redacted too, which costs a technician little. Kept on purpose: dashed UUIDs (record ids), prefixed ids such
as terminal ids (t-<32 hex>) and 64-hex runs (SHA-256 content hashes, which name attachments and bundles and
reveal nothing). Keys in this code base are
base64 or base64url of 32 bytes (43-44 characters), which the base64 rule catches.
"""
from __future__ import annotations

import logging
import re

_EDGE_L = r"(?<![0-9A-Za-z])"
_EDGE_R = r"(?![0-9A-Za-z])"

_ID_NUMBER = re.compile(_EDGE_L + r"(?:\d{17}[\dXx]|\d{15})" + _EDGE_R)
_MOBILE = re.compile(_EDGE_L + r"(?:\+?86[- ]?)?1[3-9]\d[- ]?\d{4}[- ]?\d{4}" + _EDGE_R)
_HEX = re.compile(r"(?<![0-9A-Za-z_-])[0-9a-fA-F]{32,}" + _EDGE_R)   # "t-<32 hex>": a terminal id, kept
_B64 = re.compile(r"(?<![0-9A-Za-z+/_-])[0-9A-Za-z+/_-]{40,}={0,2}(?![0-9A-Za-z+/_=-])")
SHA256_HEX_LEN = 64


def marker(kind: str) -> str:
    return f"«redacted:{kind}»"


def redact(text: str) -> str:
    """`text` with every ID number, mobile number and key-like run replaced by a marker."""
    text = _B64.sub(_b64_or_keep, text)
    text = _HEX.sub(_hex_or_keep, text)
    text = _ID_NUMBER.sub(marker("id"), text)
    return _MOBILE.sub(marker("phone"), text)


def _hex_or_keep(match: re.Match[str]) -> str:
    return match.group() if len(match.group()) == SHA256_HEX_LEN else marker("key")


def _b64_or_keep(match: re.Match[str]) -> str:
    """Random base64 of 32 bytes all but surely mixes upper and lower case; lower-case paths and hex do not."""
    run = match.group()
    mixed = any(c.isupper() for c in run) and any(c.islower() for c in run)
    return marker("key") if mixed else run


class RedactingFilter(logging.Filter):
    """Put on a handler: the record leaves with its message (args merged), traceback and stack redacted.

    The record is shared by every handler, so the redacted text is what all of them write after this one."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = redact(_message(record))
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


def _message(record: logging.LogRecord) -> str:
    try:
        return record.getMessage()
    except Exception:   # a bad format string must not raise at the log call; keep what there is, redacted below
        return f"{record.msg!s} {record.args!r}"
