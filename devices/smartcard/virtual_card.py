"""Our own virtual cards for vpcd's virtual readers: to pcscd and the kiosk they are cards in a real PC/SC reader.

vpcd protocol (TCP, the card connects to vpcd): each message is a 2-byte big-endian length and a payload. A 1-byte
payload is a control: 00 power off, 01 power on, 02 reset, 04 "send your ATR" (vpcd polls this every ~0.4 s to know
the card is still there). Anything longer is a command APDU, answered with data + SW in the same framing. Closing the
connection is pulling the card out.

`VirtualSocialSecurityCard` answers like a T=0 social security card (61xx after SELECT, 6Cxx to a wrong Le), with
the files built from `sscard.LAYOUT`. Test controls: `insert`, `remove`, `pull_after(n)` (out mid-read, the n-th
command unanswered), `answer_garbage()`, `answer_sw(sw)`. `VirtualBankCard` is a card of another application.
A `SlotClaim` keeps other processes (a parallel test run, the simulator) off a vpcd slot while we use it.
"""
from __future__ import annotations

import contextlib
import fcntl
import logging
import socket
import struct
import threading
import time
from typing import IO

from devices.base import SocialSecurityCard
from devices.smartcard.apdu import Response
from devices.smartcard.pcscd import VPCD_PORT, VpcdSlot, flock, lock_file, vpcd_slots
from devices.smartcard.sscard import LAYOUT, SSSE_NAME, CardField

log = logging.getLogger(__name__)

# TS=3B, T0=0A: no interface bytes (so T=0), 10 historical bytes naming the card as ours.
DEFAULT_ATR = bytes.fromhex("3B0A") + b"ZDB-SSCARD"
VPCD_HOST = "127.0.0.1"
DEFAULT_SLOT = VpcdSlot(VPCD_PORT, "Virtual PCD 00 00")
RID = bytes.fromhex("D156000005")      # China + MOHRSS, inside the 卡识别码

SW_OK, SW_NOT_FOUND, SW_RECORD_NOT_FOUND = 0x9000, 0x6A82, 0x6A83
SW_NO_CURRENT_EF, SW_WRONG_STRUCTURE = 0x6986, 0x6981
SW_INS_NOT_SUPPORTED, SW_CLA_NOT_SUPPORTED, SW_WRONG_P1P2 = 0x6D00, 0x6E00, 0x6A86


class SlotClaim:
    """An exclusive claim on one vpcd slot, across processes; release() or use as a context manager."""

    def __init__(self, slot: VpcdSlot, handle: IO[str]):
        self.slot = slot
        self._handle: IO[str] | None = handle

    def release(self) -> None:
        if self._handle is not None:
            fcntl.flock(self._handle, fcntl.LOCK_UN)
            self._handle.close()
            self._handle = None

    def __enter__(self) -> "SlotClaim":
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


def claim_slot(slots: tuple[VpcdSlot, ...] | None = None, timeout: float = 60.0) -> SlotClaim:
    """The first vpcd slot no other process holds, waiting up to `timeout` s for one to free up."""
    slots = slots or vpcd_slots() or (DEFAULT_SLOT,)
    deadline = time.monotonic() + timeout
    while True:
        for slot in slots:
            handle = lock_file(f"slot-{slot.port}.lock")
            if flock(handle, fcntl.LOCK_EX, 0):
                return SlotClaim(slot, handle)
            handle.close()
        if time.monotonic() >= deadline:
            raise TimeoutError(f"every vpcd slot stayed busy for {timeout:.0f} s")
        time.sleep(0.1)


class VpcdCard:
    """A card in a vpcd slot. Subclasses answer APDUs in `respond`; this class does the wire and the faults."""

    def __init__(self, slot: VpcdSlot = DEFAULT_SLOT, atr: bytes = DEFAULT_ATR, host: str = VPCD_HOST):
        self.slot = slot
        self.atr = atr
        self.host = host
        self.commands: list[bytes] = []        # every APDU received, for tests
        self._sock: socket.socket | None = None
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._pull_at: int | None = None
        self._fault: bytes | None = None       # a fixed answer to every APDU (garbage or an error SW)

    # --- controls -------------------------------------------------------------------------------------------
    def insert(self, timeout: float = 5.0) -> None:
        """Put the card in the reader; pcscd notices at its next poll (~0.4 s)."""
        if self.inserted:
            return
        sock = self._connect(timeout)
        self.power(False)
        with self._lock:
            self._sock = sock
            self._thread = threading.Thread(target=self._serve, args=(sock,), name="vpcd-card", daemon=True)
            self._thread.start()

    def remove(self, timeout: float = 5.0) -> None:
        """Pull the card out."""
        with self._lock:
            sock, thread, self._sock, self._thread = self._sock, self._thread, None, None
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout)

    @property
    def inserted(self) -> bool:
        return self._sock is not None

    def pull_after(self, n: int) -> None:
        """The card leaves when the n-th command from now arrives, without answering it (pulled mid-read)."""
        if n < 1:
            raise ValueError("n >= 1")
        self._pull_at = len(self.commands) + n

    def answer_garbage(self, junk: bytes = b"\x13") -> None:
        """Answer every command with bytes that are no response APDU (a dirty contact, a broken card)."""
        self._fault = junk

    def answer_sw(self, sw: int) -> None:
        """Answer every command with just this status word (e.g. 6F00: the card is confused)."""
        self._fault = sw.to_bytes(2, "big")

    def behave(self) -> None:
        """Answer normally again."""
        self._fault = None
        self._pull_at = None

    def close(self) -> None:
        self.remove()

    # --- card behaviour (subclasses) ------------------------------------------------------------------------
    def respond(self, apdu: bytes) -> bytes:
        return SW_INS_NOT_SUPPORTED.to_bytes(2, "big")

    def power(self, on: bool) -> None:
        """Power on, off or reset: volatile state (the selected file) is gone."""

    # --- the wire ---------------------------------------------------------------------------------------------
    def _connect(self, timeout: float) -> socket.socket:
        deadline = time.monotonic() + timeout
        while True:
            try:
                sock = socket.create_connection((self.host, self.slot.port), timeout=1.0)
                break
            except OSError:
                if time.monotonic() >= deadline:
                    raise ConnectionError(f"vpcd does not listen on port {self.slot.port} (pcscd down?)") from None
                time.sleep(0.05)
        sock.settimeout(None)                   # remove() ends the blocking read by shutting the socket
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return sock

    def _serve(self, sock: socket.socket) -> None:
        try:
            while True:
                payload = _recv_message(sock)
                if payload is None:
                    break
                answer = self._handle(payload)
                if answer is None:
                    break                   # pulled out mid-command
                if answer:
                    sock.sendall(struct.pack(">H", len(answer)) + answer)
        except OSError:
            pass
        finally:
            self._drop(sock)

    def _handle(self, payload: bytes) -> bytes | None:
        if len(payload) == 1:
            return self._control(payload[0])
        self.commands.append(payload)
        if self._pull_at is not None and len(self.commands) >= self._pull_at:
            self._pull_at = None                 # once: a card put back in works again
            return None
        if self._fault is not None:
            return self._fault
        try:
            return self.respond(payload)
        except Exception:                        # a bug in a test card must look like a card error, not hang
            log.exception("virtual card failed on an APDU")
            return (0x6F00).to_bytes(2, "big")

    def _control(self, code: int) -> bytes:
        if code == 0x04:
            return self.atr
        if code in (0x00, 0x01, 0x02):
            self.power(code != 0x00)
        return b""

    def _drop(self, sock: socket.socket) -> None:
        with self._lock:
            if self._sock is sock:
                self._sock, self._thread = None, None
        sock.close()


def _recv_message(sock: socket.socket) -> bytes | None:
    header = _recv_exact(sock, 2)
    if header is None:
        return None
    (length,) = struct.unpack(">H", header)
    return _recv_exact(sock, length)


def _recv_exact(sock: socket.socket, length: int) -> bytes | None:
    data = b""
    while len(data) < length:
        _quick_ack(sock)
        chunk = sock.recv(length - len(data))
        if not chunk:
            return None
        data += chunk
    return data


def _quick_ack(sock: socket.socket) -> None:
    """Without it each APDU stalls 40 ms: vpcd's small writes wait (Nagle) for our delayed ACK. Measured here;
    Linux drops QUICKACK after a while, so it is set again before every read."""
    with contextlib.suppress(AttributeError, OSError):
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_QUICKACK, 1)


# --- a social security card ----------------------------------------------------------------------------------------

def _encode(field: CardField, value: str | bytes) -> bytes:
    if isinstance(value, bytes):
        raw = value
    elif field.encoding == "gbk":
        raw = value.encode("gb18030").ljust(field.size, b" ")   # real cards pad the name field
    elif field.encoding == "bcd":
        raw = bytes.fromhex(value.ljust(field.size * 2, "F"))
    elif field.encoding == "hex":
        raw = bytes.fromhex(value)
    else:
        raw = value.encode("ascii")
    return bytes((field.tag, len(raw))) + raw


def card_files(card: SocialSecurityCard, spec_version: str = "3.00",
               card_id: bytes | None = None) -> dict[int, dict[int, bytes]]:
    """The EF05/EF06 records (SFI -> record number -> TLV) a real card would carry for `card`."""
    region = bytes.fromhex(card.issuer) if len(card.issuer) == 6 and card.issuer.isdigit() else b"\xff" * 3
    ident = card.id_number
    values: dict[str, str | bytes] = {
        "card_id": card_id if card_id is not None else region + RID + bytes.fromhex("0000000000000001"),
        "card_kind": "3", "spec_version": spec_version, "init_org": bytes(12),
        "issued_on": "20240101", "valid_until": "20340101",
        "card_number": card.card_number, "ss_number": ident, "name": card.name, "name_ext": b"",
        "gender": "1" if len(ident) == 18 and ident[16].isdigit() and int(ident[16]) % 2 else "2",
        "nation": b"\x01", "birthplace": ident[:6] if ident[:6].isdigit() else "000000",
        "birth_date": ident[6:14] if ident[6:14].isdigit() else "19700101",
    }
    files: dict[int, dict[int, bytes]] = {}
    for key, field in LAYOUT.items():
        files.setdefault(field.sfi, {})[field.record] = _encode(field, values[key])
    return files


def _fci(name: bytes) -> bytes:
    proprietary = bytes.fromhex("A5049F080102")       # proprietary template: application version 2
    body = bytes((0x84, len(name))) + name + proprietary
    return bytes((0x6F, len(body))) + body


def _sw(sw: int, data: bytes = b"") -> bytes:
    return Response(data, sw).encode()


class VirtualSocialSecurityCard(VpcdCard):
    """A T=0 社会保障卡 holding `card`'s data in the layout of `sscard.LAYOUT`."""

    FIDS = {0xEF05: 5, 0xEF06: 6}

    def __init__(self, card: SocialSecurityCard, slot: VpcdSlot = DEFAULT_SLOT, *, spec_version: str = "3.00",
                 card_id: bytes | None = None, atr: bytes = DEFAULT_ATR):
        super().__init__(slot, atr)
        self.files = card_files(card, spec_version, card_id)
        self._in_ssse = False
        self._current_sfi: int | None = None
        self._pending = b""                    # response bytes waiting for GET RESPONSE

    def power(self, on: bool) -> None:
        self._in_ssse, self._current_sfi, self._pending = False, None, b""

    def respond(self, apdu: bytes) -> bytes:
        cla, ins, p1, p2 = apdu[:4]
        body = apdu[4:]
        if cla != 0x00:
            return _sw(SW_CLA_NOT_SUPPORTED)
        handler = {0xA4: self._select, 0xB2: self._read_record, 0xC0: self._get_response,
                   0xB0: self._read_binary}.get(ins)
        if ins != 0xC0:
            self._pending = b""
        return handler(p1, p2, body) if handler else _sw(SW_INS_NOT_SUPPORTED)

    def _select(self, p1: int, p2: int, body: bytes) -> bytes:
        data = body[1:1 + body[0]] if body else b""
        if p1 == 0x04:
            if data != SSSE_NAME:
                return _sw(SW_NOT_FOUND)
            self._in_ssse, self._current_sfi = True, None
            self._pending = _fci(SSSE_NAME)
            return _sw(0x6100 | len(self._pending))          # T=0: the FCI waits for GET RESPONSE
        if p1 in (0x00, 0x02) and len(data) == 2:
            return self._select_file(int.from_bytes(data, "big"))
        return _sw(SW_WRONG_P1P2)

    def _select_file(self, fid: int) -> bytes:
        if fid == 0x3F00:
            self._in_ssse, self._current_sfi = False, None
            return _sw(SW_OK)
        if self._in_ssse and fid in self.FIDS:
            self._current_sfi = self.FIDS[fid]
            return _sw(SW_OK)
        return _sw(SW_NOT_FOUND)

    def _read_record(self, p1: int, p2: int, body: bytes) -> bytes:
        if p2 & 0x07 != 0x04:
            return _sw(SW_WRONG_P1P2)
        sfi = (p2 >> 3) or self._current_sfi
        if not self._in_ssse or sfi is None:
            return _sw(SW_NO_CURRENT_EF)
        if sfi not in self.files:
            return _sw(SW_NOT_FOUND)
        record = self.files[sfi].get(p1)
        if record is None:
            return _sw(SW_RECORD_NOT_FOUND)
        return _answer_with_le(record, body)

    def _read_binary(self, p1: int, p2: int, body: bytes) -> bytes:
        return _sw(SW_WRONG_STRUCTURE if self._in_ssse else SW_NO_CURRENT_EF)   # only record files here

    def _get_response(self, p1: int, p2: int, body: bytes) -> bytes:
        if not self._pending:
            return _sw(0x6985)
        answer = _answer_with_le(self._pending, body)
        if answer[-2] != 0x6C:
            self._pending = b""
        return answer


def _answer_with_le(data: bytes, body: bytes) -> bytes:
    """T=0 rule: a Le that is not the exact length gets 6Cxx back (Le 00 means 256)."""
    le = (body[0] or 256) if len(body) == 1 else None
    if le != len(data):
        return _sw(0x6C00 | len(data))
    return _sw(SW_OK, data)


class VirtualBankCard(VpcdCard):
    """A card of another application (a PBOC debit card): it has no SSSE, so selecting it fails."""

    AID = bytes.fromhex("A000000333010101")

    def respond(self, apdu: bytes) -> bytes:
        ins, p1, body = apdu[1], apdu[2], apdu[4:]
        if ins == 0xA4 and p1 == 0x04 and body and body[1:1 + body[0]] == self.AID:
            return _sw(SW_OK, _fci(self.AID))
        if ins == 0xA4:
            return _sw(SW_NOT_FOUND)
        return _sw(0x6985)
