"""espeak-ng as a subprocess: an utterance's SSML in, a WAV out; WAV headers; the in-memory cache. Qt-free.

The WAV stays in memory: it goes to the speaker and into a cache keyed by a hash of what was said, so 再听一遍
and screens visited again play at once. Never on disk: a prompt may echo a resident's choice.
"""
from __future__ import annotations

import logging
import shutil
import struct
import subprocess
import threading
from collections import OrderedDict
from dataclasses import dataclass

from kiosk.voice import Utterance

log = logging.getLogger(__name__)

ESPEAK = "espeak-ng"


class SynthesisFailed(Exception):
    """`code`: espeak_missing, espeak_failed, espeak_timeout, bad_wav or cancelled (never the text said)."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class WavInfo:
    channels: int
    rate: int
    bits: int
    frames: int

    @property
    def duration_s(self) -> float:
        return self.frames / self.rate if self.rate else 0.0


def _chunks(data: bytes):
    """(id, offset of the chunk's body, declared size) for each chunk after the RIFF/WAVE header."""
    if len(data) < 12 or data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        raise ValueError("not a RIFF/WAVE file")
    offset = 12
    while offset + 8 <= len(data):
        chunk, size = data[offset:offset + 4], struct.unpack_from("<I", data, offset + 4)[0]
        yield chunk, offset + 8, size
        offset += 8 + size + (size & 1)


def wav_info(data: bytes) -> WavInfo:
    """Parse a PCM WAV header; a streamed header's oversized data length is clipped to the bytes present."""
    fmt = None
    for chunk, body, size in _chunks(data):
        if chunk == b"fmt ":
            tag, channels, rate, _byte_rate, align, bits = struct.unpack_from("<HHIIHH", data, body)
            if tag != 1 or not channels or not align:
                raise ValueError("not PCM")
            fmt = (channels, rate, bits, align)
        elif chunk == b"data":
            if fmt is None:
                raise ValueError("data before fmt")
            present = min(size, len(data) - body)
            return WavInfo(fmt[0], fmt[1], fmt[2], present // fmt[3])
    raise ValueError("no data chunk")


def fix_stream_header(data: bytes) -> bytes:
    """espeak-ng --stdout cannot seek back, so its RIFF and data lengths say 0x7fffffff-ish: write the real ones
    (players that trust the header would otherwise wait for audio that never comes)."""
    for chunk, body, _size in _chunks(data):
        if chunk == b"data":
            out = bytearray(data)
            struct.pack_into("<I", out, 4, len(data) - 8)
            struct.pack_into("<I", out, body - 4, len(data) - body)
            return bytes(out)
    raise ValueError("no data chunk")


class Espeak:
    """Runs espeak-ng once per utterance; `cancel()` (from any thread) kills the run in progress."""

    def __init__(self, binary: str = ESPEAK, timeout_s: float = 20.0):
        self.binary = binary
        self.timeout_s = timeout_s
        self._lock = threading.Lock()
        self._process: subprocess.Popen | None = None
        self._cancelled = False

    def available(self) -> bool:
        return shutil.which(self.binary) is not None

    def synthesize(self, utt: Utterance, rate_wpm: int) -> bytes:
        command = [self.binary, "-m", "-v", "cmn-latn-pinyin" if utt.language != "en" else "en-us",
                   "-s", str(rate_wpm), "--stdout", utt.ssml()]
        with self._lock:
            self._cancelled = False
            try:
                self._process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                                 stderr=subprocess.PIPE)
            except OSError:   # not installed, not executable
                raise SynthesisFailed("espeak_missing") from None
            process = self._process
        try:
            wav, _errors = process.communicate(timeout=self.timeout_s)
        except subprocess.TimeoutExpired:
            process.kill()
            process.communicate()
            raise SynthesisFailed("espeak_timeout") from None
        finally:
            with self._lock:
                self._process = None
        if self._cancelled:
            raise SynthesisFailed("cancelled")
        if process.returncode != 0:
            raise SynthesisFailed("espeak_failed")
        try:
            return fix_stream_header(wav)
        except ValueError:
            raise SynthesisFailed("bad_wav") from None

    def cancel(self) -> None:
        with self._lock:
            if self._process is not None:
                self._cancelled = True
                self._process.kill()


class WavCache:
    """Least recently used WAVs by key, bounded in bytes (a prompt is ~50-300 KB at 22 kHz)."""

    def __init__(self, max_bytes: int = 24 * 1024 * 1024):
        self.max_bytes = max_bytes
        self._items: OrderedDict[str, bytes] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()

    def get(self, key: str) -> bytes | None:
        with self._lock:
            wav = self._items.get(key)
            if wav is not None:
                self._items.move_to_end(key)
            return wav

    def put(self, key: str, wav: bytes) -> None:
        with self._lock:
            if key in self._items:
                return
            self._items[key] = wav
            self._size += len(wav)
            while self._size > self.max_bytes and len(self._items) > 1:
                _key, old = self._items.popitem(last=False)
                self._size -= len(old)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self._size = 0

    def __len__(self) -> int:
        return len(self._items)
