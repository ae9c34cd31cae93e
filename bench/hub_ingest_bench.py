"""The hub's ingest rate on loopback: many terminals pushing record batches at once, SQLite and PostgreSQL.

    .venv/bin/python bench/hub_ingest_bench.py            # ONE JSON object on stdout; progress on stderr
    .venv/bin/python bench/hub_ingest_bench.py --terminals 200 --batches 3 --no-pg

For each backend: one hub subprocess (`python -m sync.hub serve`, signed requests, as deployed: signature
check and nonce bookkeeping included), `--terminals` terminals enrolled over HTTP, then load processes (each
with one thread per terminal and its own HTTP session) push `--batches` compressed batches (`--encoding`,
default bzip2 as a 1.2 terminal sends them) of `--batch-size` ~1 KB
application records each (bench/sync_records.py; encoded exactly as SyncClient encodes them, bodies prepared
before the clock starts, signed at send time). All terminals start together; the rate is records accepted
over the wall time from the first send to the last reply. A baseline in the same run: one terminal alone.
A failed request (non-200, timeout) is re-sent, as a terminal would; re-sends are counted.
At the end every id sent is looked up in the hub's database: each must be stored exactly once, none extra.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.hub_process import Hub, percentile  # noqa: E402



def log(msg: str) -> None:
    print(f"[hub_ingest_bench {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


# --- load process ---------------------------------------------------------------------------------------------

def load_main(spec_path: str) -> int:
    """Prepare bodies, print "ready", wait for "go" on stdin, push, print a JSON result."""
    import requests

    from bench.sync_records import wire_payloads
    from sync import encodings
    from sync.auth import KeyPair, signed_headers, unb64url
    from sync.protocol import RECORDS_PATH, PushRequest, WireRecord

    spec = json.loads(Path(spec_path).read_text())
    hub, size, batches = spec["hub"], spec["batch_size"], spec["batches"]
    jobs = []
    for n, t in enumerate(spec["terminals"]):
        payloads = wire_payloads(size * batches, t["station"], seed=spec["seed"] * 100_003 + n)
        bodies = [encodings.encode(PushRequest(t["station"], tuple(WireRecord(p["id"], "application", p)
                                   for p in payloads[b * size:(b + 1) * size])).encode(), spec["encoding"])
                  for b in range(batches)]
        jobs.append((t, KeyPair.from_private_bytes(unb64url(t["key"])), bodies, [p["id"] for p in payloads]))
    print("ready", flush=True)
    sys.stdin.readline()

    latencies: list[float] = []
    statuses: dict[str, int] = {}
    failures: dict[str, int] = {}
    lock = threading.Lock()
    marks: list[float] = []

    def terminal(t: dict, keys: KeyPair, bodies: list[bytes]) -> None:
        session = requests.Session()
        session.trust_env = False
        for body in bodies:
            for attempt in range(10):
                headers = {"Content-Type": "application/json; charset=utf-8", "Content-Encoding": spec["encoding"],
                           "Accept": "application/json",
                           **signed_headers(keys, t["terminal_id"], "POST", RECORDS_PATH, body, int(time.time()))}
                start = time.time()
                try:
                    reply = session.post(hub + RECORDS_PATH, data=body, headers=headers, timeout=120)
                    ok, why = reply.status_code == 200, f"HTTP {reply.status_code}"
                except requests.RequestException as exc:
                    ok, why, reply = False, type(exc).__name__, None
                end = time.time()
                with lock:
                    latencies.append(end - start)
                    marks.extend((start, end))
                    if ok:
                        for r in reply.json()["results"]:   # type: ignore[union-attr]
                            statuses[r["status"]] = statuses.get(r["status"], 0) + 1
                    else:
                        failures[why] = failures.get(why, 0) + 1
                if ok:
                    break
                time.sleep(0.5 * (attempt + 1))

    threads = [threading.Thread(target=terminal, args=(t, k, b)) for t, k, b, _ in jobs]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    print(json.dumps({"latencies": latencies, "statuses": statuses, "failures": failures,
                      "first": min(marks), "last": max(marks), "ids": [i for *_, ids in jobs for i in ids]}))
    return 0


# --- orchestration --------------------------------------------------------------------------------------------

def enroll_all(url: str, db: str, count: int, prefix: str) -> list[dict]:
    from sync.auth import b64url
    from sync.hub.store import open_store
    from sync.hub.testing import enroll_test_terminal, loopback_session
    store = open_store(db)
    session = loopback_session()
    try:
        out = []
        for i in range(count):
            station = f"{prefix}-{i:03d}"
            t = enroll_test_terminal(url, store, station, session=session)
            out.append({"terminal_id": t.terminal_id, "station": station, "key": b64url(t.keys.private_bytes())})
        return out
    finally:
        store.close()


def stored_ids(db: str) -> list[str]:
    if db.startswith("postgresql://"):
        import psycopg
        with psycopg.connect(db) as conn:
            return [r[0] for r in conn.execute("SELECT id FROM records").fetchall()]
    import sqlite3
    conn = sqlite3.connect(db[len("sqlite:"):])
    try:
        return [r[0] for r in conn.execute("SELECT id FROM records").fetchall()]
    finally:
        conn.close()


def run_load(url: str, db: str, terminals: int, batches: int, batch_size: int, procs: int, work: Path,
             tag: str, seed: int, encoding: str = "bzip2") -> dict:
    enrolled = enroll_all(url, db, terminals, f"zs-{tag}")
    groups = [enrolled[i::procs] for i in range(procs) if enrolled[i::procs]]
    workers = []
    for n, group in enumerate(groups):
        spec = work / f"{tag}-{n}.json"
        spec.write_text(json.dumps({"hub": url, "batch_size": batch_size, "batches": batches, "seed": seed * 10 + n,
                                    "terminals": group, "encoding": encoding}))
        workers.append(subprocess.Popen([sys.executable, str(Path(__file__).resolve()), "--role", "load",
                                         "--spec", str(spec)], cwd=REPO, stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, text=True))
    for w in workers:   # all bodies built before anyone sends
        if w.stdout.readline().strip() != "ready":   # type: ignore[union-attr]
            raise RuntimeError("load process failed to prepare")
    for w in workers:
        w.stdin.write("go\n")   # type: ignore[union-attr]
        w.stdin.flush()   # type: ignore[union-attr]
    results = []
    for w in workers:
        out, _ = w.communicate(timeout=1800)
        if w.returncode != 0:
            raise RuntimeError(f"load process exited {w.returncode}")
        results.append(json.loads(out.strip().splitlines()[-1]))
    latencies = [x for r in results for x in r["latencies"]]
    statuses: dict[str, int] = {}
    failures: dict[str, int] = {}
    for r in results:
        for k, v in r["statuses"].items():
            statuses[k] = statuses.get(k, 0) + v
        for k, v in r["failures"].items():
            failures[k] = failures.get(k, 0) + v
    wall = max(r["last"] for r in results) - min(r["first"] for r in results)
    sent_ids = [i for r in results for i in r["ids"]]
    accepted = statuses.get("accepted", 0)
    return {"terminals": terminals, "batches_per_terminal": batches, "batch_size": batch_size, "encoding": encoding,
            "load_processes": len(workers), "records_sent": len(sent_ids), "wall_s": round(wall, 3),
            "records_per_s": round(accepted / wall, 1) if wall else None,
            "requests": len(latencies), "failed_requests_resent": failures,
            "reply_statuses": statuses,
            "request_latency_s": {"p50": percentile(latencies, 50), "p95": percentile(latencies, 95),
                                  "p99": percentile(latencies, 99), "max": percentile(latencies, 100)},
            "_ids": sent_ids}


def verify(db: str, sent: list[str]) -> dict:
    stored = stored_ids(db)
    stored_set, sent_set = set(stored), set(sent)
    return {"ids_sent": len(sent), "ids_sent_distinct": len(sent_set), "rows_stored": len(stored),
            "rows_distinct": len(stored_set), "missing": len(sent_set - stored_set),
            "unexpected": len(stored_set - sent_set),
            "every_id_stored_exactly_once": len(stored) == len(stored_set) == len(sent_set) == len(sent)
            and stored_set == sent_set}


def backend_run(name: str, db: str, a: argparse.Namespace, work: Path) -> dict:
    log(f"{name}: hub up")
    hub = Hub(db)
    try:
        log(f"{name}: baseline, 1 terminal x {a.baseline_batches} batches")
        base = run_load(hub.url, db, 1, a.baseline_batches, a.batch_size, 1, work, f"{name}-base", 1, a.encoding)
        log(f"{name}: {a.terminals} terminals x {a.batches} batches at once")
        many = run_load(hub.url, db, a.terminals, a.batches, a.batch_size, a.procs, work, f"{name}-many", 2, a.encoding)
    finally:
        hub.stop()
    check = verify(db, base.pop("_ids") + many.pop("_ids"))
    return {"baseline_1_terminal": base, f"concurrent_{a.terminals}_terminals": many,
            "concurrent_vs_baseline_rate": round(many["records_per_s"] / base["records_per_s"], 3)
            if base["records_per_s"] and many["records_per_s"] else None,
            "verification": check}


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--role", choices=["main", "load"], default="main")
    p.add_argument("--spec")
    p.add_argument("--terminals", type=int, default=200)
    p.add_argument("--batches", type=int, default=3, help="batches per terminal in the concurrent run")
    p.add_argument("--baseline-batches", type=int, default=20)
    p.add_argument("--batch-size", type=int, default=250, help="SyncSettings.sync_batch_size default")
    p.add_argument("--procs", type=int, default=2, help="load processes sharing the terminals")
    p.add_argument("--no-pg", action="store_true")
    p.add_argument("--encoding", choices=["bzip2", "gzip", "identity"], default="bzip2")
    a = p.parse_args()
    if a.role == "load":
        return load_main(a.spec)

    t0 = time.monotonic()
    work = Path(tempfile.mkdtemp(prefix="hub_ingest_bench-"))
    result: dict = {"bench": "hub_ingest_bench", "host_cpus": os.cpu_count(),
                    "hub": "python -m sync.hub serve, one process (uvicorn h11/asyncio), signed requests",
                    "record": "~1 KB application JSON (bench/sync_records.py), batches encoded as SyncClient sends"}
    try:
        result["sqlite"] = backend_run("sqlite", "sqlite:" + str(work / "hub.db"), a, work)
        if a.no_pg:
            result["postgresql"] = {"skipped": "--no-pg"}
        else:
            result["postgresql"] = pg_run(a, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    result["total_runtime_s"] = round(time.monotonic() - t0, 1)
    print(json.dumps(result, ensure_ascii=False))
    return 0


def pg_run(a: argparse.Namespace, work: Path) -> dict:
    out = subprocess.run(["bash", str(REPO / "scripts" / "postgres.sh")], capture_output=True, text=True,
                         timeout=120)
    dsn = out.stdout.strip()
    if out.returncode != 0 or not dsn.startswith("postgresql://"):
        return {"skipped": f"scripts/postgres.sh failed: {out.stderr.strip()[-300:]}"}
    import psycopg
    schema = f"hub_ingest_bench_{os.getpid()}"
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    try:
        return backend_run("postgresql", f"{dsn}?options=-csearch_path%3D{schema}", a, work) | {"schema": "fresh, dropped after"}
    finally:
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA {schema} CASCADE")


if __name__ == "__main__":
    sys.exit(main())
