"""容缺受理 + 告知承诺: the deadline, the commitment's text, and the signed commitment kept as evidence.

The deadline counts calendar days (not working days: no holiday calendar is synced to the kiosk, and a date the
resident can count on a wall calendar is what the paper says) from the filing's day in China time.

The evidence is one canonical JSON document holding the commitment text the resident saw, the materials, the
deadline and the proof: the signature PNG (base64) or, for a 浙里办 code, a hash bound to the ID number as in
kiosk/consent.py. Its SHA-256 goes in the payload (`deferred.commitment_sha256`); the document itself is a sealed
attachment, purged with the record's media.
"""
from __future__ import annotations

import base64
import hashlib
import json
from datetime import date, datetime, timedelta

from kiosk.consent import PNG_MAGIC
from kiosk.ids import CST

PURPOSE = "deferral_commitment"
VERSION = 1


def deadline(now: datetime, days: int) -> date:
    return now.astimezone(CST).date() + timedelta(days=days)


def commitment_text(item_name: str, materials: tuple[str, ...], due: date) -> str:
    """The 告知承诺书 as shown on the screen and kept in the evidence; the wording is the document, so it is not
    translated (the screen may show a translation beside it)."""
    listed = "、".join(materials)
    return (f"告知承诺书：本人申请“{item_name}”，以下材料暂缺：{listed}。本人承诺于 {due:%Y-%m-%d} 前补交。"
            "逾期未补交或承诺不实的，本人知悉申请可能不予办理或被撤销，并承担相应责任。")


def commitment_evidence(item_id: str, text: str, materials: tuple[str, ...], due: date, method: str,
                        proof: bytes, at: str, id_number: str) -> bytes:
    """Raises ValueError for a signature that is no PNG or an unknown method (a UI or driver bug)."""
    body = {"v": VERSION, "purpose": PURPOSE, "item_id": item_id, "materials": list(materials),
            "deadline": f"{due:%Y-%m-%d}", "text": text, "method": method, "at": at}
    if method == "signature":
        if not proof.startswith(PNG_MAGIC):
            raise ValueError("a signature must be a PNG image")
        body["signature_png"] = base64.b64encode(proof).decode("ascii")
    elif method == "zlb_code":
        bound = "|".join(("zdb-commitment-v1", item_id, body["deadline"], at, id_number))
        body["id_sha256"] = hashlib.sha256(bound.encode("utf-8")).hexdigest()
    else:
        raise ValueError(f"unknown commitment method {method!r}")
    return json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")
