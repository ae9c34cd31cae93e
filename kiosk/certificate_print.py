"""证明直通车, last step: the certificate the hub issued, printed at the station on the receipt printer.

The certificate arrives in the status stream (sync/pull.py stores it in `certificates`); the resident finds it
by the receipt number, as in 办件查询. Only what the hub sent is printed: the holder is already masked there.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from devices.base import ReceiptDoc
from kiosk.ids import CST
from local_db.sealing import CERTIFICATE_TEXT, sealer_of


@dataclass(frozen=True)
class IssuedCertificate:
    record_id: str
    receipt_no: str
    item_name: str
    number: str
    title: str
    text: str
    issuer: str
    holder_masked: str
    issued_at: str              # the hub's time, ISO 8601


def find_certificate(db, receipt_no: str) -> IssuedCertificate | None:
    """The newest certificate issued for the application with this receipt number."""
    row = db.execute(
        "SELECT a.id, a.receipt_no, a.item_name, c.number, c.title, c.text, c.issuer, c.holder_masked, c.issued_at"
        " FROM applications a JOIN certificates c ON c.record_id = a.id WHERE a.receipt_no = ?"
        " ORDER BY c.issued_at DESC LIMIT 1", (receipt_no,)).fetchone()
    if row is None:
        return None
    cert = IssuedCertificate(*row)
    return replace(cert, text=sealer_of(db).open(cert.text, CERTIFICATE_TEXT.context(cert.record_id, cert.number)))


def build_certificate_doc(cert: IssuedCertificate, station_name: str, printed_at: datetime) -> ReceiptDoc:
    """The printer wraps every row and paragraph for its paper (80 mm: 48 columns), so nothing is cut here."""
    lines = [("证明编号", cert.number), ("证明事项", cert.item_name), ("持证人", cert.holder_masked),
             ("出具单位", cert.issuer), ("出具时间", _local(cert.issued_at)), ("回执号", cert.receipt_no)]
    paragraphs = tuple(p.strip() for p in cert.text.splitlines() if p.strip())
    return ReceiptDoc(
        title=cert.title,
        lines=tuple((label, value) for label, value in lines if value) + tuple(("", p) for p in paragraphs),
        footer=(f"{station_name} 打印于 {printed_at.astimezone(CST):%Y-%m-%d %H:%M}",
                "本证明由服务站自助终端打印，编号可向出具单位核验。"),
    )


def _local(iso: str) -> str:
    try:
        return f"{datetime.fromisoformat(iso).astimezone(CST):%Y-%m-%d %H:%M}"
    except ValueError:
        return iso
