"""Encryption at rest: what sealing personal data costs a submission, and reading the outbox back for a push.

    python bench/sealing_bench.py [--records N] [--rounds N]

Prints ONE JSON object. Two stores in the same run, on the same disk: the kiosk's own (applicant, answers and
outbox payload sealed with AES-256-GCM, local_db/keys.py) and a baseline whose sealer passes text through
unchanged, the kiosk as it was before encryption at rest. Each round files N applications one durable transaction
at a time (synchronous=FULL, as at the kiosk), then reads the whole outbox back as the sync worker does. Rounds
alternate between the two so drift on a noisy machine hits both; the medians are reported with their ratio.
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from kiosk.records import Identity  # noqa: E402
from local_db.db import open_db  # noqa: E402
from local_db.store import ApplicationStore, Outbox  # noqa: E402

RESIDENT = Identity(source="idcard", name="林阿婆", id_number="330902194501010027",
                    address="浙江省舟山市定海区岑港街道烟墩村9号", phone="13905801234")
ANSWERS = {"contact_phone": "13905801234", "purpose": "办理出国手续需要", "copies": "2",
           "note": "由帮办员代为申请，群众已签字确认。" * 3}


class PlainSealer:
    """The baseline: what the store wrote before encryption at rest."""

    def seal(self, text: str, context: str) -> str:
        return text

    def open(self, value: str, context: str) -> str:
        return value


def one_round(directory: Path, records: int, sealed: bool) -> tuple[float, float]:
    db = open_db(directory / "kiosk.db")
    try:
        if not sealed:
            db.sealer = PlainSealer()
        store = ApplicationStore(db, "st-1", "DH001")
        started = time.perf_counter()
        for _ in range(records):
            store.submit("zs-hj-001", "户籍证明开具", RESIDENT, ANSWERS)
        submit_s = time.perf_counter() - started
        started = time.perf_counter()
        read = Outbox(db).pending(limit=records)
        read_s = time.perf_counter() - started
        assert len(read) == records and read[0].payload["applicant"]["name"] == RESIDENT.name
        return submit_s / records * 1000, read_s / records * 1000
    finally:
        db.conn.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args(argv)
    times: dict[str, list[tuple[float, float]]] = {"sealed": [], "plain": []}
    for round_no in range(args.rounds):
        for kind in (("sealed", "plain") if round_no % 2 == 0 else ("plain", "sealed")):
            with tempfile.TemporaryDirectory() as tmp:
                times[kind].append(one_round(Path(tmp), args.records, kind == "sealed"))
    median = {kind: (statistics.median(t[0] for t in runs), statistics.median(t[1] for t in runs))
              for kind, runs in times.items()}
    print(json.dumps({
        "records_per_round": args.records, "rounds": args.rounds,
        "submit_ms_per_record": {"sealed": round(median["sealed"][0], 3), "plain": round(median["plain"][0], 3)},
        "outbox_read_ms_per_record": {"sealed": round(median["sealed"][1], 4),
                                      "plain": round(median["plain"][1], 4)},
        "submit_ratio_sealed_to_plain": round(median["sealed"][0] / median["plain"][0], 3),
        "outbox_read_ratio_sealed_to_plain": round(median["sealed"][1] / median["plain"][1], 3),
    }))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
