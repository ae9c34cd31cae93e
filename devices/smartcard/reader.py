"""PC/SC card reader (pcscd + pyscard) for social security cards: wait for a card, read it, report insert/remove.

Real readers and the simulator take the same path: the simulated card sits in vpcd's virtual reader, which pcscd
treats like any other reader. Every wait is bounded: the card wait runs in slices of `wait_slice` seconds and checks
between slices that the reader (and pcscd) are still there; listing readers runs on a throwaway thread with a
deadline, so a wedged pcscd costs a timeout, never a hang.

Faults: no reader or no pcscd -> READER_ABSENT; nothing inserted in time -> NO_CARD; the card gone mid-read ->
CARD_REMOVED; not a social security card -> CARD_UNSUPPORTED; nonsense answers -> CARD_UNREADABLE (after
`attempts` reads with a card reset in between). An empty answer or a comm error is what both a pulled card and a
broken one give; the reader then asks pcscd, which sees a pulled card within one poll (~0.4 s), to tell them apart.
"""
from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from typing import Any, Callable, Literal

from smartcard import scard
from smartcard.CardRequest import CardRequest
from smartcard.Exceptions import CardRequestTimeoutException, SmartcardException
from smartcard.pcsc.PCSCExceptions import BaseSCardException
from smartcard.System import readers as pcsc_readers

from devices.base import DeviceError, Fault, Health, HealthState, SocialSecurityCard
from devices.manager import DeviceInfo
from devices.smartcard.apdu import Transmit
from devices.smartcard.pcscd import VPCD_FRIENDLY_NAME
from devices.smartcard.sscard import read_social_security_card
from kiosk.config import Config

log = logging.getLogger(__name__)

_PcscErrors = (SmartcardException, BaseSCardException)


def _codes(*names: str) -> frozenset[int]:
    return frozenset(getattr(scard, name) & 0xFFFFFFFF for name in names)


ABSENT_CODES = _codes("SCARD_E_NO_SERVICE", "SCARD_E_SERVICE_STOPPED", "SCARD_E_UNKNOWN_READER",
                      "SCARD_E_READER_UNAVAILABLE", "SCARD_E_NO_READERS_AVAILABLE")
REMOVED_CODES = _codes("SCARD_W_REMOVED_CARD", "SCARD_E_NO_SMARTCARD")
MUTE_CODES = _codes("SCARD_W_UNRESPONSIVE_CARD", "SCARD_W_UNPOWERED_CARD")


def _hresult(exc: BaseException) -> int:
    return (getattr(exc, "hresult", -1) or 0) & 0xFFFFFFFF


S_SUCCESS, E_TIMEOUT = 0, scard.SCARD_E_TIMEOUT & 0xFFFFFFFF
E_NO_SERVICE = scard.SCARD_E_NO_SERVICE & 0xFFFFFFFF


@dataclass(frozen=True)
class CardEvent:
    """A card went into or out of a reader. Carries no card data: the card has not been read."""
    kind: Literal["inserted", "removed"]
    reader: str


# --- listing ------------------------------------------------------------------------------------------------------

def _bounded(work: Callable[[], Any], timeout: float, default: Any) -> Any:
    """work() on a daemon thread; `default` if it does not finish in time (a wedged pcscd)."""
    result: list[Any] = []
    thread = threading.Thread(target=lambda: result.append(work()), name="pcsc-call", daemon=True)
    thread.start()
    thread.join(timeout)
    return result[0] if result else default


def _reader_names() -> list[str] | None:
    try:
        return [str(reader) for reader in pcsc_readers()]
    except _PcscErrors:
        return None


def list_readers(timeout: float = 2.0) -> list[str] | None:
    """The reader names pcscd knows now; None when pcscd is not running or does not answer in time."""
    return _bounded(_reader_names, timeout, None)


def wait_for_presence(reader: str, present: bool, timeout: float) -> bool:
    """Whether pcscd reports a card in `reader` (present=True) or none (False) within `timeout` s."""
    state = _ReaderState(reader)
    deadline = time.monotonic() + timeout
    try:
        timeout_ms = 0
        while True:
            hresult = state.wait(timeout_ms)
            if hresult == S_SUCCESS and state.present == present:
                return True
            if hresult not in (S_SUCCESS, E_TIMEOUT):
                return not present                   # no pcscd or no such reader: certainly no card
            timeout_ms = int((deadline - time.monotonic()) * 1000)
            if timeout_ms <= 0:
                return False
    finally:
        state.release()


def is_virtual(reader: str) -> bool:
    return reader.startswith(VPCD_FRIENDLY_NAME)


def enumerate_pcsc(config: Config) -> list[DeviceInfo]:
    """Every PC/SC reader pcscd offers, real ones first; [] quickly when pcscd is not there."""
    names = sorted(list_readers() or [], key=is_virtual)      # stable: pcscd's order within each group
    return [DeviceInfo("smartcard", "pcsc", name, label=name, simulated=is_virtual(name)) for name in names]


def open_pcsc(info: DeviceInfo, config: Config) -> "PcscCardReader":
    return PcscCardReader(info.path)


# --- the reader -----------------------------------------------------------------------------------------------------

class PcscCardReader:
    """`SmartCardReader` over one named PC/SC reader."""

    name = "smartcard-pcsc"

    def __init__(self, reader: str, *, wait_slice: float = 0.5, settle_s: float = 1.0, attempts: int = 2,
                 list_timeout: float = 2.0, clock: Callable[[], float] = time.monotonic):
        self.reader = reader
        self._wait_slice = wait_slice     # longest single PC/SC wait: bounds how late a vanished reader is noticed
        self._settle_s = settle_s         # how long pcscd may take to report a pulled card
        self._attempts = max(1, attempts)
        self._list_timeout = list_timeout
        self._clock = clock
        self._lock = threading.Lock()     # one read at a time
        self._closed = threading.Event()
        self._watch_lock = threading.Lock()
        self._callbacks: list[Callable[[CardEvent], None]] = []
        self._watcher: CardWatcher | None = None

    # --- SmartCardReader ------------------------------------------------------------------------------------
    def read_card(self, timeout: float) -> SocialSecurityCard:
        """Wait up to `timeout` s for a card in this reader, then read it (the read itself may run a little past)."""
        with self._lock:
            deadline = self._clock() + timeout
            self._require_reader()
            service = self._wait_for_card(deadline)
            try:
                return self._read(service.connection)
            finally:
                _close_service(service)

    def health(self) -> Health:
        names = list_readers(self._list_timeout)
        if names is None:
            return Health(HealthState.ABSENT, "pcscd not running")
        if self.reader not in names:
            return Health(HealthState.ABSENT, "reader not found")
        return Health(HealthState.OK)

    # --- events -----------------------------------------------------------------------------------------------
    def on_card_event(self, callback: Callable[[CardEvent], None]) -> None:
        """Call `callback(CardEvent)` on every insert/remove, from a watcher thread; a card already in the reader
        is reported as inserted. The watcher starts with the first callback and stops at close()."""
        with self._watch_lock:
            if self._closed.is_set():
                raise DeviceError(Fault.READER_ABSENT, "reader closed")
            self._callbacks.append(callback)
            if self._watcher is None:
                self._watcher = CardWatcher(self.reader, self._emit)
                self._watcher.start()

    def _emit(self, event: CardEvent) -> None:
        for callback in list(self._callbacks):
            try:
                callback(event)
            except Exception:
                log.exception("card event callback failed")

    def close(self) -> None:
        self._closed.set()
        with self._watch_lock:
            watcher, self._watcher = self._watcher, None
            self._callbacks.clear()
        if watcher is not None:
            watcher.stop()

    # --- waiting ----------------------------------------------------------------------------------------------
    def _require_reader(self) -> None:
        if self._closed.is_set():
            raise DeviceError(Fault.READER_ABSENT, "reader closed")
        names = list_readers(self._list_timeout)
        if names is None:
            raise DeviceError(Fault.READER_ABSENT, "pcscd not running")
        if self.reader not in names:
            raise DeviceError(Fault.READER_ABSENT, "reader not found")

    def _wait_for_card(self, deadline: float) -> Any:
        """A pyscard card service for the card in our reader (kept referenced: it owns the connection)."""
        while True:
            slice_s = max(0.0, min(self._wait_slice, deadline - self._clock()))
            service = self._wait_slice_for_card(slice_s)
            if service is not None:
                return service
            if self._clock() >= deadline:
                raise DeviceError(Fault.NO_CARD, "no card within the timeout")
            self._require_reader()

    def _wait_slice_for_card(self, seconds: float) -> Any | None:
        try:
            request = CardRequest(timeout=seconds, readers=[self.reader])
        except _PcscErrors as exc:
            raise DeviceError(Fault.READER_ABSENT, f"pcscd: {_hresult(exc):08X}") from None
        try:
            return request.waitforcard()
        except CardRequestTimeoutException:
            return None
        except _PcscErrors as exc:
            raise DeviceError(Fault.READER_ABSENT, f"waiting for a card: {_hresult(exc):08X}") from None
        finally:
            _release_request(request)

    # --- reading ----------------------------------------------------------------------------------------------
    def _read(self, connection: Any) -> SocialSecurityCard:
        for attempt in range(1, self._attempts + 1):
            self._power_up(connection, reset=attempt > 1)
            try:
                return read_social_security_card(self._transmit(connection))
            except DeviceError as exc:
                if exc.reason is not Fault.CARD_UNREADABLE or attempt == self._attempts:
                    raise
                log.info("smartcard read failed (%s); resetting the card for attempt %d", exc.detail, attempt + 1)
        raise AssertionError("unreachable")

    def _power_up(self, connection: Any, reset: bool) -> None:
        try:
            if reset:
                connection.reconnect(disposition=scard.SCARD_RESET_CARD)
            else:
                connection.connect(disposition=scard.SCARD_RESET_CARD)   # leave no session state behind
        except _PcscErrors as exc:
            raise self._fault(exc, "connect") from None

    def _transmit(self, connection: Any) -> Transmit:
        def transmit(apdu: bytes) -> bytes:
            try:
                data, sw1, sw2 = connection.transmit(list(apdu))
            except _PcscErrors as exc:
                raise self._fault(exc, "transmit") from None
            return bytes(data) + bytes((sw1, sw2))
        return transmit

    def _fault(self, exc: BaseException, during: str) -> DeviceError:
        code = _hresult(exc)
        detail = f"{during}: {code:08X}"
        if code in ABSENT_CODES:
            return DeviceError(Fault.READER_ABSENT, detail)
        if code in REMOVED_CODES:
            return DeviceError(Fault.CARD_REMOVED, detail)
        if code not in MUTE_CODES and self._card_left():
            return DeviceError(Fault.CARD_REMOVED, detail)
        return DeviceError(Fault.CARD_UNREADABLE, detail)

    def _card_left(self) -> bool:
        """Whether pcscd reports our reader empty within `settle_s` (it polls presence every ~0.4 s)."""
        return wait_for_presence(self.reader, False, self._settle_s)


def _close_service(service: Any) -> None:
    connection = service.connection
    for step in (connection.disconnect, connection.release):
        try:
            step()
        except _PcscErrors:
            pass                     # the card or pcscd is already gone: nothing left to free
    inner = getattr(connection, "component", connection)   # pyscard wraps it in a CardConnectionDecorator
    inner.hcontext = None            # so pyscard's __del__ does not try again and complain


def _release_request(request: CardRequest) -> None:
    inner = request.pcsccardrequest
    try:
        inner.release()
    except _PcscErrors:
        inner.hcontext = None        # pcscd went away and the context with it; spares pyscard's __del__ a retry


# --- presence ---------------------------------------------------------------------------------------------------

class _ReaderState:
    """SCardGetStatusChange on one reader with its own context (safe to cancel from another thread)."""

    def __init__(self, reader: str):
        self.reader = reader
        hresult, context = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
        self.context = context if hresult & 0xFFFFFFFF == S_SUCCESS else None
        self.state = scard.SCARD_STATE_UNAWARE

    def wait(self, timeout_ms: int) -> int:
        """Blocks until the state differs from the last one seen or the timeout; returns the hresult."""
        if self.context is None:
            return E_NO_SERVICE
        hresult, states = scard.SCardGetStatusChange(self.context, timeout_ms, [(self.reader, self.state)])
        hresult &= 0xFFFFFFFF
        if hresult == S_SUCCESS and states:
            self.state = states[0][1] & ~scard.SCARD_STATE_CHANGED
        return hresult

    @property
    def present(self) -> bool:
        return bool(self.state & scard.SCARD_STATE_PRESENT)

    def cancel(self) -> None:
        if self.context is not None:
            scard.SCardCancel(self.context)

    def release(self) -> None:
        if self.context is not None:
            scard.SCardReleaseContext(self.context)
            self.context = None


class CardWatcher:
    """A thread that reports inserts and removals in one reader; survives pcscd restarts and reader unplugs."""

    def __init__(self, reader: str, emit: Callable[[CardEvent], None], poll_ms: int = 500, retry_s: float = 1.0):
        self.reader = reader
        self._emit = emit
        self._poll_ms = poll_ms       # bounds how long stop() can take if a cancel is missed
        self._retry_s = retry_s       # pause before trying again while pcscd or the reader is away
        self._stop = threading.Event()
        self._present = False
        self._state: _ReaderState | None = None
        self._state_lock = threading.Lock()
        self._thread = threading.Thread(target=self._run, name="pcsc-card-watch", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        with self._state_lock:
            if self._state is not None:
                self._state.cancel()
        if self._thread is not threading.current_thread():
            self._thread.join(timeout)

    def _run(self) -> None:
        while not self._stop.is_set():
            state = self._open_state()
            try:
                self._follow(state)
            finally:
                with self._state_lock:
                    self._state = None
                state.release()
            if not self._stop.is_set():
                self._set_present(False)        # pcscd or the reader went away: no card we can see
            self._stop.wait(self._retry_s)

    def _open_state(self) -> _ReaderState:
        state = _ReaderState(self.reader)
        with self._state_lock:
            self._state = state
        return state

    def _follow(self, state: _ReaderState) -> None:
        while not self._stop.is_set():
            hresult = state.wait(self._poll_ms)
            if hresult == E_TIMEOUT:
                continue
            if hresult != S_SUCCESS:
                return                            # cancelled, pcscd gone, reader unknown: start over later
            self._set_present(state.present)

    def _set_present(self, present: bool) -> None:
        if present != self._present:
            self._present = present
            self._emit(CardEvent("inserted" if present else "removed", self.reader))
