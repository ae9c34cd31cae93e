"""Real speech: espeak-ng's WAVs, the simulated and the aplay speakers, and the guide's latest-wins thread."""
from __future__ import annotations

import logging
import shutil
import threading
import time

import pytest

from devices.speaker import Clip, PlayerSpeaker, SimSpeaker, SpeakerError, build_speaker, player_command
from kiosk.config import Config
from kiosk.voice import utterance
from kiosk.voice_guide import VoiceGuide
from kiosk.voice_synth import Espeak, SynthesisFailed, wav_info

needs_espeak = pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng not installed (setup.sh)")
PROMPT = "请将身份证平放在读卡区，正在读取，请不要移动证件。"


def wait_for(predicate, timeout: float = 15.0) -> None:
    end = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < end, "timed out"
        time.sleep(0.01)


@needs_espeak
def test_espeak_ng_speaks_a_chinese_prompt_as_a_wav_of_sensible_length():
    wav = Espeak().synthesize(utterance(PROMPT), 150)
    info = wav_info(wav)
    assert (info.channels, info.bits) == (1, 16) and info.rate >= 16000
    # 23 syllables and three pauses: a couple of seconds, not a blip and not a runaway
    assert 2.0 < info.duration_s < 12.0
    assert len(wav) == 44 + info.frames * 2                       # the header now tells the truth
    pcm = memoryview(wav)[44:].cast("h")
    assert max(abs(v) for v in pcm) > 2000                        # sound, not silence


@needs_espeak
def test_slower_speech_lasts_longer_and_english_uses_the_english_voice():
    espeak = Espeak()
    normal = wav_info(espeak.synthesize(utterance(PROMPT), 150)).duration_s
    slow = wav_info(espeak.synthesize(utterance(PROMPT), 120)).duration_s
    assert slow > normal * 1.1
    english = wav_info(espeak.synthesize(utterance("Place your ID card flat on the reader.", "en"), 150))
    assert 1.0 < english.duration_s < 8.0


def test_a_missing_espeak_binary_is_a_code_not_a_crash(tmp_path):
    with pytest.raises(SynthesisFailed) as failed:
        Espeak(binary=str(tmp_path / "no-espeak")).synthesize(utterance(PROMPT), 150)
    assert failed.value.code == "espeak_missing"


def test_a_crashing_espeak_is_a_code(tmp_path):
    fake = tmp_path / "espeak-crash"
    fake.write_text("#!/bin/sh\necho 'segfault' >&2\nexit 139\n")
    fake.chmod(0o755)
    with pytest.raises(SynthesisFailed) as failed:
        Espeak(binary=str(fake)).synthesize(utterance(PROMPT), 150)
    assert failed.value.code == "espeak_failed"


@needs_espeak
def test_the_sim_speaker_sinks_the_real_wav(tmp_path):
    wav = Espeak().synthesize(utterance(PROMPT), 150)
    sim = SimSpeaker(tmp_path / "speech", realtime=False)
    sim.play(Clip(wav, "k" * 64, PROMPT))
    [played] = sim.played
    assert played.path.read_bytes() == wav and played.text == PROMPT
    assert wav_info(played.path.read_bytes()).duration_s > 2.0


def test_the_sim_speaker_plays_for_the_clip_length_unless_stopped(tmp_path):
    sim = SimSpeaker(tmp_path, duration=lambda wav: 30.0)
    thread = threading.Thread(target=sim.play, args=(Clip(b"RIFF", "k"),))
    started = time.monotonic()
    thread.start()
    wait_for(lambda: sim.played)
    sim.stop()
    thread.join(timeout=5)
    assert not thread.is_alive() and time.monotonic() - started < 10


def test_the_sim_sink_keeps_only_the_newest_files(tmp_path):
    sim = SimSpeaker(tmp_path, realtime=False)
    for n in range(45):
        sim.play(Clip(b"RIFF", f"{n:064d}"))
    assert len(list(tmp_path.glob("*.wav"))) == 40 and len(sim.played) == 45


@needs_espeak
@pytest.mark.skipif(shutil.which("aplay") is None, reason="alsa-utils not installed (setup.sh)")
def test_aplay_plays_the_wav_through_alsa(tmp_path):
    """No sound card here: ALSA's file plugin stands in for one, so the bytes still go through aplay and ALSA."""
    out = tmp_path / "played.wav"
    wav = Espeak().synthesize(utterance(PROMPT), 150)
    speaker = PlayerSpeaker(player_command(f"file:FILE={out},FORMAT=wav"))
    speaker.play(Clip(wav, "k"))
    played = out.read_bytes()
    assert wav_info(played).rate == wav_info(wav).rate
    assert wav[44:44 + 20000] in played                # the samples arrived, whatever padding ALSA adds


@pytest.mark.skipif(shutil.which("aplay") is None, reason="alsa-utils not installed (setup.sh)")
def test_a_player_that_fails_is_a_code(tmp_path):
    speaker = PlayerSpeaker(player_command("no-such-alsa-device"))
    with pytest.raises(SpeakerError) as failed:
        speaker.play(Clip(b"RIFF....WAVEnot really", "k"))
    assert failed.value.code == "player_failed"
    with pytest.raises(SpeakerError) as missing:
        PlayerSpeaker([str(tmp_path / "no-player")]).play(Clip(b"", "k"))
    assert missing.value.code == "player_missing"


def test_the_backend_setting_picks_the_speaker(tmp_path):
    assert build_speaker(Config().with_overrides(speaker_backend="off"), tmp_path) is None
    sim = build_speaker(Config().with_overrides(speaker_backend="sim"), tmp_path)
    assert isinstance(sim, SimSpeaker) and sim.sink == tmp_path / "speech"
    auto = build_speaker(Config().with_overrides(speaker_backend="auto", speaker_device="null"), tmp_path)
    assert auto is None if shutil.which("aplay") is None else isinstance(auto, PlayerSpeaker)


# --- the guide --------------------------------------------------------------------------------------------------
@needs_espeak
def test_replay_is_served_from_the_cache(tmp_path):
    speaker = SimSpeaker(tmp_path, realtime=False)
    done = []
    guide = VoiceGuide(speaker, on_spoken=done.append)
    try:
        guide.say(PROMPT)
        wait_for(lambda: len(done) == 1)
        assert guide.replay()
        wait_for(lambda: len(done) == 2)
    finally:
        guide.close()
    assert [d.outcome for d in done] == ["played", "played"]
    assert [d.cached for d in done] == [False, True]
    assert speaker.played[0].path.read_bytes() == speaker.played[1].path.read_bytes()


@needs_espeak
def test_a_newer_prompt_cuts_off_the_one_playing(tmp_path):
    speaker = SimSpeaker(tmp_path, duration=lambda wav: 30.0)   # a long first prompt
    done = []
    guide = VoiceGuide(speaker, on_spoken=done.append)
    try:
        guide.say(PROMPT)
        wait_for(lambda: len(speaker.played) == 1)
        guide.say("请扫浙里办码")
        wait_for(lambda: len(done) == 1 and len(speaker.played) == 2, timeout=10)
        assert done[0].outcome == "interrupted" and done[0].request.text == PROMPT
        assert speaker.played[-1].text == "请扫浙里办码"
    finally:
        guide.close()


def test_a_missing_espeak_is_logged_once_without_the_text(tmp_path, caplog):
    codes, done = [], []
    guide = VoiceGuide(SimSpeaker(tmp_path, realtime=False), synth=Espeak(binary=str(tmp_path / "none")),
                       on_failure=codes.append, on_spoken=done.append)
    caplog.set_level(logging.INFO)
    try:
        guide.say(PROMPT)
        guide.say("请核对您的申请")
        wait_for(lambda: done and done[-1].request.text == "请核对您的申请")
    finally:
        guide.close()
    assert "espeak_missing" in codes
    warnings = [r.getMessage() for r in caplog.records if r.name == "kiosk.voice_guide"]
    assert len(warnings) == 1 and "espeak_missing" in warnings[0]
    assert not any(word in caplog.text for word in ("身份证", "核对", PROMPT))
