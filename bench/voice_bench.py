"""Voice guidance: how long a resident waits for a prompt to start, the first time and on 再听一遍.

    python bench/voice_bench.py [--rounds N]

Prints ONE JSON object. Each round clears the WAV cache, then for every prompt (real screens' guidance) measures
from `VoiceGuide.say()` to the speaker starting to play: the first time (text → pinyin → espeak-ng, the baseline,
measured in the same run) and on replay (the in-memory cache). Medians are reported with their ratio, plus the
real-time factor of synthesis (seconds of CPU per second of speech) on this machine.
"""
from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from devices.speaker import SimSpeaker  # noqa: E402
from kiosk.voice_guide import VoiceGuide  # noqa: E402
from kiosk.voice_synth import wav_info  # noqa: E402

PROMPTS = (
    "您好！请问您要办什么事？\n可以在上面输入要办的事，也可以点下面的“我要…”找事项。",
    "请将身份证平放在读卡区\n正在读取，请不要移动证件…",
    "请核对您的申请\n办理事项：社会保障卡申领\n请核对下面的信息。没问题请点“确认提交”，要修改请点“返回修改”。",
    "申请已提交\n您的回执号：DH001-20261125-0007\n✓ 回执已打印，请取走回执",
    "无法识别此二维码\n请打开浙里办‘亮证’后重试",
)


class TimedSpeaker(SimSpeaker):
    """Notes when each clip starts to play (where the resident starts hearing it)."""

    def __init__(self, sink: Path):
        super().__init__(sink, realtime=False)
        self.started = threading.Event()
        self.at = 0.0

    def play(self, clip, should_stop=lambda: False) -> None:
        self.at = time.perf_counter()
        super().play(clip, should_stop)
        self.started.set()


def time_to_play(guide: VoiceGuide, speaker: TimedSpeaker, text: str) -> float:
    speaker.started.clear()
    began = time.perf_counter()
    guide.say(text)
    if not speaker.started.wait(30):
        raise RuntimeError("the prompt never played")
    return (speaker.at - began) * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    if shutil.which("espeak-ng") is None:
        print(json.dumps({"bench": "voice", "skipped": "espeak-ng not installed"}))
        return
    first, replay, factors = [], [], []
    with tempfile.TemporaryDirectory() as tmp:
        speaker = TimedSpeaker(Path(tmp))
        guide = VoiceGuide(speaker)
        try:
            time_to_play(guide, speaker, "预热")   # pypinyin's dictionaries load once per process
            for _ in range(args.rounds):
                guide.cache.clear()
                for text in PROMPTS:
                    first_ms = time_to_play(guide, speaker, text)
                    first.append(first_ms)
                    factors.append(first_ms / 1000 / wav_info(speaker.played[-1].path.read_bytes()).duration_s)
                    replay.append(time_to_play(guide, speaker, text))
        finally:
            guide.close()
    first_ms, replay_ms = statistics.median(first), statistics.median(replay)
    print(json.dumps({
        "bench": "voice", "rounds": args.rounds, "prompts": len(PROMPTS),
        "first_ms_median": round(first_ms, 2), "first_ms_max": round(max(first), 2),
        "replay_ms_median": round(replay_ms, 3), "replay_ms_max": round(max(replay), 3),
        "replay_vs_first_ratio": round(replay_ms / first_ms, 4),
        "synthesis_realtime_factor_median": round(statistics.median(factors), 4),
    }))


if __name__ == "__main__":
    main()
