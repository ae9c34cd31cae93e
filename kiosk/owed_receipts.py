"""补打回执: receipts the printer still owes, listed and reprinted. Qt-free; every call blocks (run off the GUI).

A receipt is owed from the save (or, for a filing held for supervisor review, from its approval: local_db/review.py)
until it prints. A paper-out, an open cover or a kiosk killed between the save and the print leaves it owed in
`print_journal` with the attempts and the last fault; the receipt screen tells the resident that staff can reprint
it. A technician does so from maintenance (ui/screens/maint_receipts.py), a proxy agent for their own filings from
the work queue.

The list names no resident: receipt number, item, filing time (China time), attempts and the last fault in words.
A reprint rebuilds the receipt from the stored application (`build_receipt`: masked name and ID only), marked as a
reprint, prints it through the configured printer like the first print and audits `receipt_reprinted`. A sealed
applicant that no longer opens (damaged on disk) cannot be rebuilt: the receipt stays owed, the record stays, the
reason is kept as the last fault.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from devices.base import Fault, ReceiptDoc
from kiosk import one_thing
from kiosk.device_tests import FAULT_SHORT
from kiosk.ids import CST
from kiosk.receipt import build_receipt
from kiosk.records import Application, ServiceItem
from local_db import audit
from local_db.keys import SealError

UNREADABLE = "record_unreadable"   # the stored applicant does not open: nothing to rebuild the receipt from
NOT_OWED = "not_owed"              # printed meanwhile, or no such receipt
NOT_YOURS = "not_yours"            # an agent reprints only the filings they made
REPRINT_LABEL = "补打时间"

_OWED = """
    SELECT p.receipt_no, p.application_id, a.item_name, a.created_at, p.attempts, p.last_error, a.filed_by
    FROM print_journal p JOIN applications a ON a.id = p.application_id
    WHERE p.status = 'owed' {mine}
    ORDER BY a.created_at, p.receipt_no
"""

# --- words, declared as data (the panel translates them) -------------------------------------------------------
NEVER_TRIED = "还没有打印过（保存后中断）"
DRIVER_FAILED = "打印机驱动出错"
UNREADABLE_WORDS = "记录损坏，无法重建回执"
RETRY_ADVICE: dict[Fault, str] = {
    Fault.PAPER_OUT: "请装纸后再试",
    Fault.COVER_OPEN: "请合上纸仓盖后再试",
    Fault.PRINTER_ABSENT: "请检查打印机的电源和连线后再试",
}
OTHER_ADVICE = "请查看打印机的指示灯后再试"
PROBLEM_WORDS: dict[str, tuple[str, str]] = {   # problem → (what happened, what to do)
    NOT_OWED: ("这张回执已经打印，或不在待补打之列", "请刷新列表"),
    NOT_YOURS: ("只能补打您本人代办的回执", "其他回执请联系技术员补打"),
    UNREADABLE: ("这份申请的记录已损坏，无法重建回执", "记录仍保留在本机，请联系技术支持"),
}


@dataclass(frozen=True)
class OwedRow:
    receipt_no: str
    application_id: str
    item_name: str
    filed_at: str            # China time, YYYY-MM-DD HH:MM
    attempts: int
    last_error: str          # the journal's code: a Fault value, "driver: …", record_unreadable, or "" (never tried)
    filed_by: str = ""       # the agent's id for a filing on behalf

    @property
    def fault_words(self) -> str:
        return last_error_words(self.last_error)


@dataclass(frozen=True)
class Reprint:
    receipt_no: str
    printed: bool
    fault: Fault | None = None   # the printer's fault: still owed
    problem: str = ""            # not_owed | not_yours | record_unreadable: nothing was printed

    def words(self) -> tuple[str, str]:
        """(headline, next step) for the screen."""
        if self.printed:
            return "回执已补打，请交给群众", ""
        if self.problem:
            return PROBLEM_WORDS[self.problem]
        return f"未打印（{FAULT_SHORT[self.fault]}）", RETRY_ADVICE.get(self.fault, OTHER_ADVICE)


def last_error_words(code: str | None) -> str:
    if not code:
        return NEVER_TRIED
    if code == UNREADABLE:
        return UNREADABLE_WORDS
    if code.startswith("driver:"):
        return DRIVER_FAILED
    fault = next((f for f in Fault if f.value == code), None)
    return FAULT_SHORT[fault] if fault is not None else code


class OwedReceipts:
    """Over the ServiceFlow, asked for its parts at each call: its catalog changes when sync brings a new one."""

    def __init__(self, flow):
        self.flow = flow

    def owed(self, agent_id: str | None = None) -> list[OwedRow]:
        """Oldest first; with `agent_id`, only that agent's filings."""
        store = self.flow.store
        mine, args = ("AND a.filed_by = ?", (agent_id,)) if agent_id is not None else ("", ())
        with store._lock:
            rows = store.db.execute(_OWED.format(mine=mine), args).fetchall()
        return [OwedRow(no, app_id, item, _china_time(at), attempts, error or "", by or "")
                for no, app_id, item, at, attempts, error, by in rows]

    def reprint(self, receipt_no: str, actor: str) -> Reprint:
        """Print an owed receipt again. `actor`: technician[:id] or agent:<id> (their own filings only)."""
        owed = next((row for row in self.owed(_agent_of(actor)) if row.receipt_no == receipt_no), None)
        if owed is None:
            mine = _agent_of(actor) is not None and any(r.receipt_no == receipt_no for r in self.owed())
            return Reprint(receipt_no, False, problem=NOT_YOURS if mine else NOT_OWED)
        app = self._application(owed.application_id)
        if app is None:
            self.flow.store.mark_print_failed(receipt_no, UNREADABLE)
            result = Reprint(receipt_no, False, problem=UNREADABLE)
        else:
            outcome = self.flow.print_owed(receipt_no, self.receipt_of(app))
            result = Reprint(receipt_no, outcome.printed, outcome.fault)
        outcome_code = "ok" if result.printed else (result.problem or result.fault.value)
        self.flow.store.audit.record(actor, audit.RECEIPT_REPRINTED, owed.application_id, outcome_code)
        return result

    def receipt_of(self, app: Application) -> ReceiptDoc:
        flow = self.flow
        doc = build_receipt(app, self._item(app), flow.station_name, flow.follow_up)
        now = flow.clock().astimezone(CST)
        return replace(doc, lines=doc.lines + ((REPRINT_LABEL, f"{now:%Y-%m-%d %H:%M}"),))

    def _application(self, application_id: str) -> Application | None:
        try:
            return self.flow.store.load_application(application_id)
        except (SealError, ValueError, TypeError, KeyError):   # sealed text damaged, or its JSON no longer fits
            return None

    def _item(self, app: Application) -> ServiceItem | None:
        """The item as filed (a 一件事 bundle as one item), for the time limit and follow-up; None if since dropped."""
        catalog = self.flow.catalog
        if app.bundle_id:
            bundle = catalog.bundle(app.bundle_id)
            return one_thing.as_item(catalog, bundle) if bundle is not None else None
        return catalog.get(app.item_id)


def _agent_of(actor: str) -> str | None:
    return actor.split(":", 1)[1] if audit.role_of(actor) == audit.AGENT else None


def _china_time(iso: str) -> str:
    try:
        return f"{datetime.fromisoformat(iso).astimezone(CST):%Y-%m-%d %H:%M}"
    except ValueError:
        return iso
