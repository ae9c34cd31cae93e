"""Device status and tests for maintenance mode: each family's health, a hot-plug rescan, a test page, a card read
and a code scan. Qt-free; each call blocks (for up to the device timeout) and is run off the GUI thread.

What a test returns is safe to show and log: a card test says only the document type and the number's last four
characters, a scan test only the kind of code and whether it verified. The identity and the code's text are
dropped inside the call; nothing is stored. Faults come back as `devices.base.Fault` codes with the driver's
technician-facing detail (which never holds personal data).

The drivers speak English codes ("not found", "paper_out"); the tables below put them in plain Chinese for the
technician, declared as data: the screen shows the words with the code in small type after them (support asks
for the code). Every Fault has both a short word (status table) and advice (a test's result).
"""
from __future__ import annotations

import logging
import re
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

# --- device words in Chinese, declared as data ------------------------------------------------------------------
FAULT_SHORT: dict[Fault, str] = {
    Fault.NO_CARD: "没有读到证件",
    Fault.CARD_REMOVED: "证件读到一半被移开",
    Fault.CARD_UNREADABLE: "证件数据读不出",
    Fault.CARD_UNSUPPORTED: "不支持这种证件",
    Fault.READER_ABSENT: "设备未连接或没有应答",
    Fault.QR_TIMEOUT: "没有扫到码",
    Fault.QR_INVALID: "码无法识别或校验不通过",
    Fault.QR_EXPIRED: "码已过期",
    Fault.PRINTER_ABSENT: "打印机未连接或没有应答",
    Fault.PAPER_OUT: "缺纸",
    Fault.COVER_OPEN: "纸仓盖没有合上",
    Fault.PRINTER_ERROR: "打印机报告故障",
}
FAULT_ADVICE: dict[Fault, str] = {
    Fault.NO_CARD: "没有读到证件：请在提示后把身份证平放在读卡区",
    Fault.CARD_REMOVED: "证件读到一半被移开了：请放稳后重试",
    Fault.CARD_UNREADABLE: "证件数据校验不通过：请重试；仍不行请检查读卡器",
    Fault.CARD_UNSUPPORTED: "本机不支持这种证件",
    Fault.READER_ABSENT: "设备未连接或没有应答：请检查连线和电源，再点“重新扫描”",
    Fault.QR_TIMEOUT: "没有扫到码：请把二维码对准扫码窗口",
    Fault.QR_INVALID: "扫到的码不是本机认可的码，或校验没有通过",
    Fault.QR_EXPIRED: "扫到的码已过期（签名有效）",
    Fault.PRINTER_ABSENT: "打印机未连接或没有应答：请检查电源和连线",
    Fault.PAPER_OUT: "打印机缺纸：请装入新纸卷后再试",
    Fault.COVER_OPEN: "打印机纸仓盖没有合上：请合上后再试",
    Fault.PRINTER_ERROR: "打印机报告故障：请查看打印机的指示灯",
}
# Health reasons the drivers and the device manager give (devices/), word for word.
HEALTH_WORDS: dict[str, str] = {
    "not found": "没有找到设备",
    "unplugged": "设备已拔出",
    "closed": "设备已关闭",
    "reader closed": "读卡器已关闭",
    "scanner closed": "扫码器已关闭",
    "source closed": "画面来源已关闭",
    "busy scanning": "正在扫码",
    "busy reading": "正在读卡",
    "busy printing": "正在打印",
    "port not found": "找不到串口",
    "camera not found": "找不到摄像头",
    "camera stalled": "摄像头没有画面",
    "pcscd not running": "读卡服务 pcscd 没有运行",
    "reader not found": "找不到读卡器",
    "reader stopped answering": "读卡器不再应答",
    "no valid answer to SAM status": "读卡模块（SAM）没有正确应答",
    "no document camera configured": "没有设置高拍仪",
    "not configured or not writable": "打印机未设置或无法写入",
    "status unknown": "打印机不报告状态",
    "paper_near_end": "纸将用完",
    "cutter_error": "切纸刀故障",
    "offline": "打印机脱机",
    "no player": "没有找到放音程序（aplay）",
}
# Reasons with a variable tail (an exception name, a status word): by their start.
HEALTH_PATTERNS: tuple[tuple[re.Pattern, str], ...] = (
    (re.compile(r"no \w+ backend configured"), "未启用"),
    (re.compile(r"open failed\b"), "打开设备失败"),
    (re.compile(r"health check failed\b"), "状态检查出错"),
    (re.compile(r"cannot open port\b"), "打不开串口"),
    (re.compile(r"serial I/O\b"), "串口读写出错"),
    (re.compile(r"pcscd\b"), "读卡服务 pcscd 出错"),
    (re.compile(r"waiting for a card\b"), "等卡时读卡器出错"),
    (re.compile(r"SAM status\b"), "读卡模块（SAM）报告异常"),
)
# Anything else, by the state it came with.
STATE_FALLBACK = {HealthState.OK: "", HealthState.ABSENT: "设备未连接或没有应答", HealthState.ERROR: "设备报告故障"}
BACKEND_WORDS = {"none": "未启用", "sim": "模拟器", "serial": "串口", "pcsc": "PC/SC 读卡器", "camera": "摄像头",
                 "wedge": "键盘口扫码枪", "file": "写入文件", "network": "网络打印机", "usb": "USB 连接",
                 "auto": "自动找本机声卡", "off": "关闭"}


def reason_words(reason: str, state: HealthState) -> str:
    """A health reason in plain Chinese; "" when there is nothing to say."""
    if not reason:
        return ""
    if reason in HEALTH_WORDS:
        return HEALTH_WORDS[reason]
    fault = next((f for f in Fault if f.value == reason), None)
    if fault is not None:
        return FAULT_SHORT[fault]
    return next((words for pattern, words in HEALTH_PATTERNS if pattern.match(reason)), STATE_FALLBACK[state])


def backend_words(backend: str) -> str:
    return BACKEND_WORDS.get(backend, backend)


@dataclass(frozen=True)
class FamilyStatus:
    family: str
    state: HealthState
    reason: str            # the driver's words (technician-facing, no personal data)
    backend: str           # the configured backend name, "none" when the family is turned off
    simulated: bool

    @property
    def enabled(self) -> bool:
        return self.backend != "none"

    @property
    def words(self) -> str:
        """The reason in plain Chinese for the status table."""
        return reason_words(self.reason, self.state)


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
