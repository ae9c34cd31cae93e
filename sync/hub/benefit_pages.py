"""The staff page of a 免申即享 claim: which benefit, who (masked, as every staff page shows a resident), what they
declared for staff to verify, and the usual status form (已受理 / 已办结 …) to mark it handled."""
from __future__ import annotations

from typing import Any

from sync.hub.staff_pages import (STATUS_LABELS, _history, _status_form, _table, _text, e, local_time, mask_name,
                                  page, summary)
from sync.hub.store import StatusUpdate, StoredRecord

KIND = "benefit_claim"
DECLARED_LABELS = {"disability": "持有残疾人证", "disability_severe": "残疾等级为一级或二级", "veteran": "退役军人",
                   "low_income": "家庭享受低保或低保边缘"}


def declared_text(payload: dict[str, Any]) -> str:
    """The resident's own word, which staff verify: "是"/"否" per statement the rule relied on."""
    declared = payload.get("declared") if isinstance(payload.get("declared"), dict) else {}
    parts = [f"{DECLARED_LABELS.get(k, _text(k))}：{'是' if v is True else '否'}" for k, v in sorted(declared.items())
             if isinstance(k, str)]
    return "；".join(parts) or "无（仅凭证件信息）"


def claim_page(record: StoredRecord, history: list[StatusUpdate], token: str) -> str:
    s, payload = summary(record), record.payload
    applicant = payload.get("applicant") if isinstance(payload.get("applicant"), dict) else {}
    facts = [("待遇", _text(payload.get("benefit_name"))), ("主管部门", _text(payload.get("department"))),
             ("群众", " ".join(filter(None, (mask_name(applicant.get("name")), s["applicant_id_masked"])))),
             ("本人声明（需核实）", declared_text(payload)), ("规则版本", _text(payload.get("rules_version"))),
             ("服务站", record.station_id), ("经办", s["filed_by"]),
             ("确认时间", local_time(s["created_at"])), ("接收时间", local_time(record.received_at)),
             ("状态", STATUS_LABELS.get(record.status, record.status)), ("说明", record.status_note)]
    return page(f"<h1>免申即享 · {e(_text(payload.get('benefit_name')) or record.id)}</h1>{_table(facts)}"
                "<p>群众已在自助终端确认希望享受此项待遇。请核实后办理，办结后将状态改为“已办结”。</p>"
                f"<h2>办理记录</h2>{_history(history)}" + _status_form(record.id, token))
