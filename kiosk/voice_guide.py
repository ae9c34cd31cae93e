"""The voice guide: says the latest prompt on its own thread; a newer prompt cuts off an older one. Qt-free.

`say()` returns at once (the GUI thread never waits for espeak-ng or the loudspeaker). Only the newest request
matters: an older one still being synthesized or played is cancelled. Failures (espeak-ng missing or crashing,
the player failing) are logged by code, never with the text, and reported through `on_failure(code)`; the
resident's flow never waits on them.
"""
from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from typing import Callable

from devices.speaker import Clip, SpeakerError
from kiosk.voice import Utterance, utterance
from kiosk.voice_synth import Espeak, SynthesisFailed, WavCache

log = logging.getLogger(__name__)

DEFAULT_RATE_WPM = 150


@dataclass(frozen=True)
class Request:
    text: str
    language: str
    rate_wpm: int


@dataclass(frozen=True)
class Spoken:
    """What the guide last finished (or gave up on) saying: for tests and the bench."""
    request: Request
    outcome: str           # played, interrupted, failed:<code>, empty
    cached: bool
    synth_s: float         # time from taking the request to having the WAV (≈0 when cached)


class VoiceGuide:
    def __init__(self, speaker, synth: Espeak | None = None, cache: WavCache | None = None,
                 on_failure: Callable[[str], None] = lambda code: None,
                 on_spoken: Callable[[Spoken], None] = lambda spoken: None,
                 clock: Callable[[], float] = time.monotonic):
        self.speaker = speaker
        self.synth = synth or Espeak()
        self.cache = cache or WavCache()
        self.on_failure = on_failure
        self.on_spoken = on_spoken
        self._clock = clock
        self._wake = threading.Condition()
        self._pending: Request | None = None
        self._generation = 0
        self._closed = False
        self._reported: set[str] = set()
        self.last: Request | None = None
        self._thread = threading.Thread(target=self._run, name="voice", daemon=True)
        self._thread.start()

    def say(self, text: str, language: str = "zh", rate_wpm: int = DEFAULT_RATE_WPM) -> None:
        """Speak `text` now, cutting off whatever is being said."""
        request = Request(text, language, rate_wpm)
        self.last = request
        self._submit(request)

    def replay(self) -> bool:
        """Say the last prompt again (instant when cached); False when nothing was said yet."""
        if self.last is None:
            return False
        self._submit(self.last)
        return True

    def stop(self) -> None:
        self._submit(None)

    def forget(self) -> None:
        """The session ended: stop, and no replay of the last resident's prompt (the cache keeps only guidance)."""
        self.last = None
        self.stop()

    def close(self) -> None:
        with self._wake:
            self._closed = True
        self.stop()
        self._thread.join(timeout=5)
        self.speaker.close()

    def _submit(self, request: Request | None) -> None:
        with self._wake:
            self._generation += 1
            self._pending = request
            self._wake.notify()
        self.synth.cancel()    # outside the lock: these only kill a process of the previous request
        self.speaker.stop()

    def _run(self) -> None:
        while True:
            with self._wake:
                while self._pending is None and not self._closed:
                    self._wake.wait()
                if self._closed:
                    return
                request, generation, self._pending = self._pending, self._generation, None
            try:
                self._speak(request, generation)
            except Exception:   # the guide must outlive any surprise; the resident never waits on it
                log.exception("voice: unexpected failure")

    def _current(self, generation: int) -> bool:
        with self._wake:
            return generation == self._generation and not self._closed

    def _speak(self, request: Request, generation: int) -> None:
        utt = utterance(request.text, request.language)
        if utt.empty:
            self.on_spoken(Spoken(request, "empty", False, 0.0))
            return
        started = self._clock()
        key = utt.key(request.rate_wpm)
        wav = self.cache.get(key)
        cached = wav is not None
        if wav is None:
            wav = self._synthesize(utt, request, generation)
            if wav is None:
                return
            self.cache.put(key, wav)
        synth_s = self._clock() - started
        if not self._current(generation):
            self.on_spoken(Spoken(request, "interrupted", cached, synth_s))
            return
        try:
            self.speaker.play(Clip(wav, key, request.text), lambda: not self._current(generation))
        except SpeakerError as exc:
            self._failed(request, exc.code, cached, synth_s)
            return
        outcome = "played" if self._current(generation) else "interrupted"
        self.on_spoken(Spoken(request, outcome, cached, synth_s))

    def _synthesize(self, utt: Utterance, request: Request, generation: int) -> bytes | None:
        try:
            return self.synth.synthesize(utt, request.rate_wpm)
        except SynthesisFailed as exc:
            if exc.code == "cancelled" or not self._current(generation):
                self.on_spoken(Spoken(request, "interrupted", False, 0.0))
            else:
                self._failed(request, exc.code, False, 0.0)
            return None

    def _failed(self, request: Request, code: str, cached: bool, synth_s: float) -> None:
        if code not in self._reported:   # once per cause: a missing espeak-ng would otherwise fill the log
            self._reported.add(code)
            log.warning("voice: cannot speak (%s); guidance stays on screen", code)
        self.on_spoken(Spoken(request, f"failed:{code}", cached, synth_s))
        try:
            self.on_failure(code)
        except Exception:
            log.exception("voice: failure listener failed")
