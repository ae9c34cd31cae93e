"""Speakers: where the voice guide's WAVs go. Qt-free.

- `PlayerSpeaker` pipes the WAV into a command-line player (ALSA's `aplay`, or PulseAudio's / PipeWire's own
  player when ALSA's is missing); `stop()` kills it, so a newer prompt cuts an older one off at once.
- `SimSpeaker` is the simulated sound device: it writes each WAV it is given into a sink directory (like the
  simulated printer's byte sink) and plays for as long as the audio lasts, so tests hear real espeak-ng output.

`build_speaker` picks one from the settings: `speaker_backend` sim | auto | off; `speaker_device` names the ALSA
device for `aplay -D` (empty: the system's default).
"""
from __future__ import annotations

import glob
import logging
import os
import shutil
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Protocol

from devices.base import Health, HealthState

log = logging.getLogger(__name__)

SINK_KEEP = 40   # the simulated sink keeps the newest WAVs only: `make run` speaks all day


@dataclass(frozen=True)
class Clip:
    wav: bytes
    key: str        # hash of what is said and how fast (kiosk.voice.Utterance.key)
    text: str = ""  # the guidance shown on screen, kept in memory for the simulator's tests; never logged


class SpeakerError(Exception):
    def __init__(self, code: str):
        super().__init__(code)
        self.code = code   # player_missing, player_failed


class Speaker(Protocol):
    name: str

    def health(self) -> Health: ...

    def play(self, clip: Clip, should_stop: Callable[[], bool] = lambda: False) -> None:
        """Block until the clip has played, `stop()` was called (from another thread) or `should_stop()` is
        true (checked once playing has begun, so a stop that came just before is not lost); SpeakerError if
        it cannot play."""

    def stop(self) -> None: ...

    def close(self) -> None: ...


class PlayerSpeaker:
    def __init__(self, command: list[str]):
        self.command = command
        self.name = f"speaker-{Path(command[0]).name}"
        self._lock = threading.Lock()
        self._process: subprocess.Popen | None = None
        self._stopped = False

    def health(self) -> Health:
        return Health(HealthState.OK) if shutil.which(self.command[0]) else Health(HealthState.ABSENT, "no player")

    def play(self, clip: Clip, should_stop: Callable[[], bool] = lambda: False) -> None:
        with self._lock:
            self._stopped = False
            try:
                process = self._process = subprocess.Popen(self.command, stdin=subprocess.PIPE,
                                                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            except OSError:
                raise SpeakerError("player_missing") from None
        if should_stop():
            self.stop()
        try:
            _out, errors = process.communicate(clip.wav)
        except (BrokenPipeError, ValueError):   # killed by stop() while we were still writing
            process.wait()
            errors = b""
        finally:
            with self._lock:
                self._process = None
        if process.returncode != 0 and not self._stopped:
            last = (errors.decode(errors="replace").strip().splitlines() or [""])[-1]
            log.warning("speaker: %s exited with %s: %s", self.command[0], process.returncode, last)
            raise SpeakerError("player_failed")

    def stop(self) -> None:
        with self._lock:
            if self._process is not None:
                self._stopped = True
                self._process.kill()

    def close(self) -> None:
        self.stop()


class SimSpeaker:
    """The simulated sound device: `<sink>/<seq>-<key>.wav` per clip played, and `played` in memory."""

    name = "speaker-sim"

    def __init__(self, sink: Path, realtime: bool = True, duration: Callable[[bytes], float] | None = None):
        self.sink = Path(sink)
        self.sink.mkdir(parents=True, exist_ok=True)
        self.realtime = realtime
        self._duration = duration or _wav_duration
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._seq = 0
        self.played: list[Played] = []
        self.plugged = True

    def health(self) -> Health:
        return Health(HealthState.OK) if self.plugged else Health(HealthState.ABSENT, "unplugged")

    def play(self, clip: Clip, should_stop: Callable[[], bool] = lambda: False) -> None:
        if not self.plugged:
            raise SpeakerError("player_failed")
        self._stop.clear()
        with self._lock:
            self._seq += 1
            path = self.sink / f"{self._seq:06d}-{clip.key[:16]}.wav"
            path.write_bytes(clip.wav)
            self.played.append(Played(path, clip.key, clip.text))
            self._prune()
        if self.realtime:   # as long as a loudspeaker would take; stop() cuts it short
            end = time.monotonic() + self._duration(clip.wav)
            while not should_stop() and not self._stop.wait(min(0.05, max(0.0, end - time.monotonic()))):
                if time.monotonic() >= end:
                    break

    def _prune(self) -> None:
        for old in sorted(self.sink.glob("*.wav"))[:-SINK_KEEP]:
            old.unlink(missing_ok=True)

    def stop(self) -> None:
        self._stop.set()

    def close(self) -> None:
        self.stop()


@dataclass(frozen=True)
class Played:
    path: Path
    key: str
    text: str


def _wav_duration(wav: bytes) -> float:
    from kiosk.voice_synth import wav_info

    try:
        return wav_info(wav).duration_s
    except ValueError:
        return 0.0


def sound_device_present() -> bool:
    """An ALSA playback device, or a PulseAudio / PipeWire server this user can reach."""
    if glob.glob("/dev/snd/pcmC*D*p") or os.environ.get("PULSE_SERVER"):
        return True
    runtime = os.environ.get("XDG_RUNTIME_DIR", "")
    return bool(runtime) and any(Path(runtime, name).exists() for name in ("pulse/native", "pipewire-0"))


def player_command(device: str = "") -> list[str] | None:
    """The first player installed: aplay (alsa-utils, what the package depends on), then paplay, pw-play."""
    if shutil.which("aplay"):
        return ["aplay", "-q", *(["-D", device] if device else []), "-"]
    if shutil.which("paplay"):
        return ["paplay"]
    if shutil.which("pw-play"):
        return ["pw-play", "-"]
    return None


def build_speaker(config, data_dir: Path) -> Speaker | None:
    """The speaker the settings ask for; None when voice is off or no sound device can play."""
    backend = config["speaker_backend"]
    if backend == "off":
        return None
    if backend == "sim":
        return SimSpeaker(Path(data_dir) / "speech")
    device = config["speaker_device"]
    command = player_command(device)
    if command is None or not (device or sound_device_present()):
        log.warning("speaker: no sound device or player found; voice guidance is silent")
        return None
    return PlayerSpeaker(command)
