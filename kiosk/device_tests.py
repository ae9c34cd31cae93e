"""Device status and tests for maintenance mode: each family's health, a hot-plug rescan, a test page, a card read
and a code scan. Qt-free; each call blocks (for up to the device timeout) and is run off the GUI thread.

What a test returns is safe to show and log: a card test says only the document type and the number's last four
characters, a scan test only the kind of code and whether it verified. The identity and the code's text are
dropped inside the call; nothing is stored. Faults come back as `devices.base.Fault` codes with the driver's
technician-facing detail (which never holds personal data).
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, Callable

from devices.base import DeviceError, Fault, HealthState, ReceiptDoc
from devices.manager import FAMILIES
from devices.qr_payloads import ELicenceCode, IdentityCode, PayloadClassifier, ProgressCode, QrRejected
from kiosk.ids import CST, Clock, utc_now

log = logging.getLogger(__name__)

TEST_PRINT_TITLE = "打印测试"
FAILED = "failed"                  # anything that is not a device fault (a driver bug): audited as such
DOC_TYPES = {"resident": "居民身份证", "foreigner": "外国人永久居留身份证", "hmt": "港澳台居民居住证"}
PAPER_WORDS = {"ok": "纸量正常", "near_end": "纸将用完", "out": "缺纸", "unknown": "纸量未知（打印机不报告）"}


@dataclass(frozen=True)
class FamilyStatus:
    family: str
    state: HealthState
    reason: str            # the driver's words (technician-facing, no personal data)
    backend: str           # the configured backend name, "none" when the family is turned off
    simulated: bool


@dataclass(frozen=True)
class TestOutcome:
    """One device test: `fault` None means it worked; `facts` are (label, value) rows safe to show."""
    family: str
    fault: Fault | None = None
    detail: str = ""
    facts: tuple[tuple[str, str], ...] = ()
    failed: bool = False   # an unexpected error, not a device fault

    @property
    def ok(self) -> bool:
        return self.fault is None and not self.failed

    @property
    def audit_outcome(self) -> str:
        return "ok" if self.ok else (self.fault.value if self.fault is not None else FAILED)


def device_status(devices: Any) -> list[FamilyStatus]:
    """Every family's last known health, with its backend: what the manager's monitor last saw."""
    manager = devices.manager
    health = manager.health()
    backends = {family: manager.config[f"{family}_backend"] for family in FAMILIES}
    return [FamilyStatus(family, health[family].state, health[family].reason, backends[family],
                         backends[family] == "sim") for family in FAMILIES]


def rescan(devices: Any) -> list[FamilyStatus]:
    """A hot-plug round now (the monitor's own `check`): new devices opened, vanished ones dropped."""
    devices.manager.check()
    return device_status(devices)


class DeviceTests:
    def __init__(self, devices: Any, config: Any, clock: Clock = utc_now,
                 classifier: PayloadClassifier | None = None):
        self.devices = devices
        self.config = config
        self.clock = clock
        self.classifier = classifier or PayloadClassifier(_public_key(config))

    @property
    def timeout_s(self) -> float:
        return float(self.config["device_timeout_s"])

    # --- printer -------------------------------------------------------------------------------------------
    def test_print(self) -> TestOutcome:
        """A test page through the configured printer: station, time, paper status and a QR; nobody's data."""
        printer = self.devices.printer
        paper = _paper_level(printer)
        now = self.clock().astimezone(CST)
        facts = (("站点", self.config["station_name"]), ("站点编号", self.config["station_id"]),
                 ("时间", now.strftime("%Y-%m-%d %H:%M:%S")), ("纸张", PAPER_WORDS.get(paper, paper)))
        doc = ReceiptDoc(TEST_PRINT_TITLE, facts,
                         qr_payload=f"zdb://printer-test?station={self.config['station_id']}&at={now:%Y%m%dT%H%M%S}",
                         qr_caption="扫码可检验二维码打印", footer=("此页为维护测试，不是回执",))
        return self._attempt("printer", lambda: printer.print_receipt(doc), lambda _none: facts)

    # --- ID card -------------------------------------------------------------------------------------------
    def read_card(self) -> TestOutcome:
        """Read an ID card; only its type and the number's last four characters come back."""
        reader = self.devices.idcard
        return self._attempt("idcard", lambda: reader.read_identity(self.timeout_s), _card_facts)

    def cancel_card(self) -> None:
        self.devices.idcard.cancel()

    # --- scanner -------------------------------------------------------------------------------------------
    def scan_code(self) -> TestOutcome:
        """Scan a code; only its kind and whether it verified come back, never its text."""
        scanner = self.devices.qr
        try:
            text = scanner.scan(self.timeout_s)
        except DeviceError as exc:
            return TestOutcome("qr", exc.reason, exc.detail)
        except Exception as exc:
            log.exception("scan test failed")
            return TestOutcome("qr", None, type(exc).__name__, failed=True)
        return self._classified(text)

    def _classified(self, text: str) -> TestOutcome:
        try:
            code = self.classifier.classify(text)
        except QrRejected as exc:
            return TestOutcome("qr", Fault.QR_INVALID, exc.rejection.value,
                               (("码的类型", "无法识别或未通过校验"), ("校验", "未通过")))
        except DeviceError as exc:   # QR_EXPIRED: read and signed, but too old
            return TestOutcome("qr", exc.reason, exc.detail, (("码的类型", "已过期的码"), ("校验", "签名有效，已过期")))
        return TestOutcome("qr", facts=(("码的类型", _code_kind(code)), ("校验", _verified_words(code))))

    # --- common --------------------------------------------------------------------------------------------
    def _attempt(self, family: str, work: Callable[[], Any],
                 facts: Callable[[Any], tuple[tuple[str, str], ...]]) -> TestOutcome:
        try:
            result = work()
        except DeviceError as exc:
            log.info("%s test: %s", family, exc.reason.value)
            return TestOutcome(family, exc.reason, exc.detail)
        except Exception as exc:
            log.exception("%s test failed", family)
            return TestOutcome(family, None, type(exc).__name__, failed=True)
        return TestOutcome(family, facts=facts(result))


def _card_facts(identity: Any) -> tuple[tuple[str, str], ...]:
    number = identity.id_number or ""
    tail = "*" * max(len(number) - 4, 0) + number[-4:] if len(number) > 4 else "*" * len(number)
    return (("证件类型", DOC_TYPES.get(identity.doc_type, "其他证件")), ("号码", tail))


def _code_kind(code: Any) -> str:
    if isinstance(code, IdentityCode):
        return "浙里办身份码"
    if isinstance(code, ELicenceCode):
        return f"电子证照（{code.licence_type.label}）"
    if isinstance(code, ProgressCode):
        return "本机回执的办件查询码"
    return "其他"


def _verified_words(code: Any) -> str:
    return "无需签名（只含回执号）" if isinstance(code, ProgressCode) else "签名有效"


def _paper_level(printer: Any) -> str:
    """Ask the printer now (its health check reads DLE EOT) and take the paper level it saw, where it can tell."""
    try:
        printer.health()
    except Exception:
        return "unknown"
    driver = getattr(printer, "driver", printer)
    status = getattr(driver, "last_status", None)
    paper = getattr(getattr(status, "paper", None), "value", "unknown")
    return paper if getattr(status, "known", False) else "unknown"


def _public_key(config: Any) -> bytes:
    try:
        return bytes.fromhex(config["zlb_public_key"])
    except ValueError:
        return bytes(32)   # a malformed key verifies nothing, as in kiosk/app.py
