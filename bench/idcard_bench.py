"""ID card read timing through the pty simulator, with a same-run baseline.

Prints JSON: median seconds of a full read (SAM status, find, select, 1295-byte read, text decode) through the
real serial driver, the median raw round trip of one SAM status frame on the same pty, and their ratio; also the
median time a blocked wait for a card takes to end after cancel() (the 取消 button).
Usage: .venv/bin/python bench/idcard_bench.py [--n 50] [--baud 115200]
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import serial  # noqa: E402

from devices.base import DeviceError  # noqa: E402
from devices.idcard.protocol import Command, encode_request  # noqa: E402
from devices.idcard.reader import SerialIdCardReader  # noqa: E402
from devices.idcard.simulator import IdCardSimulator  # noqa: E402

STATUS_ANSWER_LEN = 11


def time_full_reads(sim: IdCardSimulator, n: int) -> list[float]:
    reader = SerialIdCardReader(sim.port)
    samples = []
    try:
        for _ in range(n):
            sim.present_card()                 # a read card must be presented again (see simulator)
            start = time.perf_counter()
            reader.read_card(5.0)
            samples.append(time.perf_counter() - start)
    finally:
        reader.close()
    return samples


def time_status_round_trips(sim: IdCardSimulator, n: int) -> list[float]:
    frame = encode_request(Command.SAM_STATUS)
    samples = []
    with serial.Serial(sim.port, 115200, timeout=2.0) as port:
        for _ in range(n):
            start = time.perf_counter()
            port.write(frame)
            if len(port.read(STATUS_ANSWER_LEN)) != STATUS_ANSWER_LEN:
                raise RuntimeError("status answer incomplete")
            samples.append(time.perf_counter() - start)
    return samples


def time_cancels(sim: IdCardSimulator, n: int) -> list[float]:
    """From cancel() to the blocked read_card returning, with no card on the reader."""
    reader = SerialIdCardReader(sim.port)
    sim.remove_card()
    samples = []
    try:
        for _ in range(n):
            ended = threading.Event()
            thread = threading.Thread(target=_wait_cancelled, args=(reader, ended))
            thread.start()
            time.sleep(0.05)                   # inside the find-card polling by now
            start = time.perf_counter()
            reader.cancel()
            if not ended.wait(5.0):
                raise RuntimeError("cancel did not end the wait")
            samples.append(time.perf_counter() - start)
            thread.join()
    finally:
        reader.close()
    return samples


def _wait_cancelled(reader: SerialIdCardReader, ended: threading.Event) -> None:
    try:
        reader.read_card(30.0)
    except DeviceError:
        pass
    ended.set()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=50)
    parser.add_argument("--baud", type=int, default=None, help="pace the simulator like a real line")
    args = parser.parse_args()
    sim = IdCardSimulator(baud=args.baud)
    try:
        time_status_round_trips(sim, 5)        # warm-up
        status = statistics.median(time_status_round_trips(sim, args.n))
        full = statistics.median(time_full_reads(sim, args.n))
        cancel = statistics.median(time_cancels(sim, min(args.n, 20)))
    finally:
        sim.close()
    print(json.dumps({
        "bench": "idcard_read_pty", "n": args.n, "baud_pacing": args.baud,
        "full_read_median_s": round(full, 6), "status_round_trip_median_s": round(status, 6),
        "ratio_full_to_status": round(full / status, 2), "cancel_latency_median_s": round(cancel, 6),
    }))


if __name__ == "__main__":
    main()
