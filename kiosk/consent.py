"""The resident's consent to a proxy agent filing for them: what counts as evidence, checked before it is kept.

Two methods (kiosk/records.py `Consent`): the resident signs on the touchscreen (the evidence is the PNG), or
shows their own 浙里办 code (the evidence is the canonical confirmation text below). Either is personal data,
stored as an attachment with the application and purged with it (local_db/retention.py).
"""
from __future__ import annotations

import hashlib
import json

from kiosk.records import Consent

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
PURPOSE = "file_on_behalf"
VERSION = 1


def make_consent(method: str, evidence: bytes, at: str) -> Consent:
    """Raises ValueError for an unknown method or evidence of the wrong shape (a UI or driver bug)."""
    check_evidence(method, evidence)
    return Consent(method, hashlib.sha256(evidence).hexdigest(), at)


def check_evidence(method: str, evidence: bytes) -> None:
    if not evidence:
        raise ValueError("consent evidence is empty")
    if method == "signature":
        if not evidence.startswith(PNG_MAGIC):
            raise ValueError("a signature must be a PNG image")
    elif method == "zlb_code":
        body = json.loads(evidence.decode("utf-8"))   # ValueError (incl. UnicodeDecodeError) for anything else
        if not isinstance(body, dict) or body.get("purpose") != PURPOSE or evidence != _canonical(body):
            raise ValueError("not a canonical 浙里办 confirmation")
    else:
        raise ValueError(f"unknown consent method {method!r}")


def zlb_confirmation(item_id: str, agent_id: str, at: str, id_number: str) -> bytes:
    """What the resident's verified 浙里办 code confirms: this item, filed by this agent, at this time.

    The ID number is only present as a hash bound to this filing, so the text never shows it in clear. A hash of
    an ID number can still be guessed, so the text is kept and purged like a signature, never logged.
    """
    bound = "|".join(("zdb-consent-v1", item_id, agent_id, at, id_number))
    body = {"v": VERSION, "purpose": PURPOSE, "item_id": item_id, "agent_id": agent_id, "at": at,
            "id_sha256": hashlib.sha256(bound.encode("utf-8")).hexdigest()}
    return _canonical(body)


def _canonical(body: dict) -> bytes:
    return json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")
