"""Terminal → hub push throughput: 10,000 ~1 KB applications on loopback and over linkemu's island link.

    sudo .venv/bin/python bench/sync_bench.py            # prints ONE JSON object on stdout; progress on stderr

What runs: records are made by ApplicationStore.submit (fictitious residents, answers padded to ~1 KB with
varied text, bench/sync_records.py). A pusher process enrolls with a real hub (`python -m sync.hub serve`,
signed requests, SQLite) and drains its outbox with PushPipeline at the product's defaults (SyncSettings:
250 records / 256 KB compressed per batch, 3 connections each with a batch in flight), as SyncEngine._drain does.
The same run also measures the naive design (one record per request, one connection) and, on the island
link, the same batches over a single connection (the design before the pipeline).

Over linkemu (/work/shared/tools/linkemu, default 300 ms one way, 2 % loss, 256 kbit/s) the hub runs in
namespace linkB on 10.78.0.2 and the pusher in linkA (`ip netns exec linkA`). The link is brought up once per
phase (batched, one connection, naive) so tunnetem's per-direction byte counts belong to one phase; it is always torn
down in `finally`. The naive phase pushes a few hundred records only and its rate is extrapolated to 10,000.

Link-limited bounds (records/s), computed from this run's own records and bytes:
  gzip bound    = link rate (bytes/s) / gzip bytes per record of these same records in batches of the same
                  size (linkemu's README definition, ~125 rec/s there for 1 KB records): the headline ratio
  payload bound = link rate / request-body bytes per record actually sent (bzip2 when the hub offers it):
                  how much of the link carried record bytes
  wire bound    = link rate / IP bytes per delivered record that tunnetem saw going client→hub (adds TCP/IP
                  and HTTP headers, signatures, retransmissions: the best this very protocol could do)
For the reader also the Mathis et al. ceiling of one TCP flow at this RTT and loss (MSS/RTT·1.22/√p).
"""
from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.hub_process import Hub, percentile  # noqa: E402

LINKEMU = Path(os.environ.get("ZDB_LINKEMU", "/work/shared/tools/linkemu"))
HUB_ADDR, HUB_PORT = "10.78.0.2", 8765


def log(msg: str) -> None:
    print(f"[sync_bench {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


# --- the pusher (runs as its own process, inside linkA for the impaired link) ---------------------------------

def push_main(a: argparse.Namespace) -> int:
    import requests

    from local_db.db import open_db
    from local_db.store import Outbox
    from sync.client import SyncClient
    from sync.push_pipeline import PushPipeline
    from sync.settings import SyncSettings
    from sync.terminal_identity import IdentityStore, enroll
    from sync.transport import ClockOffset, HubTransport, Timeouts

    settings = SyncSettings()

    def session() -> requests.Session:
        s = requests.Session()
        s.trust_env = False
        return s

    t_enroll = time.monotonic()
    identity = enroll(IdentityStore(a.data_dir), a.hub, a.station, a.code, session=session(), timeout_s=60)
    enroll_s = time.monotonic() - t_enroll
    db = open_db(a.terminal_db, migrate=False)
    outbox = Outbox(db)
    # as SyncEngine builds them: one transport per connection, timeouts scaled to its share of the link
    offset = ClockOffset()
    share = Timeouts(settings.sync_timeout_s, max(1, settings.sync_slow_link_bps // a.connections))
    transports = [HubTransport(a.hub, identity, session=session(), clock=offset, timeouts=share)
                  for _ in range(a.connections)]
    client = SyncClient(outbox, a.hub, identity.station_id, transport=transports[0], batch_size=a.batch_size,
                        max_batch_bytes=settings.sync_max_batch_bytes, encoding=a.encoding or None)
    counted = _count_posts(transports)
    start_pending = outbox.pending_count()
    delivered = body_bytes = errors = 0
    error_kinds: dict[str, int] = {}
    t0 = time.monotonic()

    def out_of_time() -> bool:
        return time.monotonic() - t0 > a.time_cap_s or bool(a.limit and delivered >= a.limit)

    while not out_of_time():
        result, error = PushPipeline(client, transports).drain(out_of_time)
        delivered += result.delivered
        body_bytes += result.bytes_sent
        if error is None:
            break
        errors += 1   # the worker would back off; here: count it and go again after a pause
        error_kinds[type(error).__name__] = error_kinds.get(type(error).__name__, 0) + 1
        time.sleep(1.0)
    elapsed = time.monotonic() - t0
    latencies = sorted(counted)
    print(json.dumps({
        "records_at_start": start_pending, "delivered": delivered, "pending_left": outbox.pending_count(),
        "elapsed_s": round(elapsed, 3), "records_per_s": round(delivered / elapsed, 2) if elapsed else None,
        "requests": len(counted), "errors": errors, "error_kinds": error_kinds,
        "capped": outbox.pending_count() > 0,
        "encoding": client.encoding, "body_bytes": body_bytes,
        "body_bytes_per_record": round(body_bytes / max(delivered, 1), 1),
        "request_latency_s": {"p50": percentile(latencies, 50), "p95": percentile(latencies, 95),
                              "max": percentile(latencies, 100)},
        "enroll_s": round(enroll_s, 3), "batch_size": a.batch_size, "connections": a.connections}))
    return 0


def _count_posts(transports) -> list[float]:
    """Latencies of the record POSTs, taken by wrapping each transport's request (bench only)."""
    seen: list[float] = []
    for transport in transports:
        def timed(*args, _inner=transport.request, **kw):
            t = time.monotonic()
            reply = _inner(*args, **kw)
            seen.append(time.monotonic() - t)
            return reply
        transport.request = timed
    return seen


# --- orchestration --------------------------------------------------------------------------------------------

def issue_code(hub_db: str, station: str) -> str:
    from sync.hub.store import open_store
    store = open_store(hub_db)
    try:
        return store.issue_enrollment_code(station, 3600).code
    finally:
        store.close()


def hub_count(hub_db: str) -> int:
    from sync.hub.store import open_store
    store = open_store(hub_db)
    try:
        return store.count()
    finally:
        store.close()


def run_pusher(hub_url: str, hub_db: str, station: str, terminal_db: Path, work: Path, *, batch_size: int,
               time_cap_s: float, limit: int = 0, netns: str | None = None, connections: int = 1,
               encoding: str = "") -> dict:
    data_dir = work / f"ident-{station}"
    cmd = [sys.executable, str(Path(__file__).resolve()), "--role", "push", "--hub", hub_url, "--station", station,
           "--code", issue_code(hub_db, station), "--terminal-db", str(terminal_db), "--data-dir", str(data_dir),
           "--batch-size", str(batch_size), "--time-cap-s", str(time_cap_s), "--limit", str(limit),
           "--connections", str(connections), "--encoding", encoding]
    if netns:
        cmd = ["ip", "netns", "exec", netns, *cmd]
    out = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, timeout=time_cap_s + 300)
    if out.returncode != 0:
        raise RuntimeError(f"pusher failed ({out.returncode}): {out.stderr[-2000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def make_terminal_db(work: Path, name: str, count: int, station: str, cache: dict[int, Path]) -> Path:
    """A fresh terminal database with `count` pending applications (copied from a cached fill)."""
    from bench.sync_records import fill_terminal_db
    if count not in cache:
        src = work / f"template-{count}.db"
        info = fill_terminal_db(src, count, "zs-bench-template")
        cache[count] = src
        cache.setdefault("info", {})[count] = info   # type: ignore[index]
    dst = work / f"{name}.db"
    shutil.copyfile(cache[count], dst)
    return dst


def loopback_part(a: argparse.Namespace, work: Path, cache: dict) -> dict:
    hub_db = "sqlite:" + str(work / "hub-loopback.db")
    hub = Hub(hub_db, "127.0.0.1", 0)
    try:
        log(f"loopback: batched push of {a.records}")
        batched = run_pusher(hub.url, hub_db, "zs-loop-batch", make_terminal_db(work, "loop-batch", a.records,
                             "zs-loop-batch", cache), work, batch_size=a.batch_size, time_cap_s=600,
                             connections=a.connections, encoding=a.encoding)
        log(f"loopback: naive push of {a.naive_loopback}")
        naive = run_pusher(hub.url, hub_db, "zs-loop-naive", make_terminal_db(work, "loop-naive", a.naive_loopback,
                           "zs-loop-naive", cache), work, batch_size=1, time_cap_s=300,
                           encoding=a.encoding)
    finally:
        hub.stop()
    stored = hub_count(hub_db)
    return {"batched": batched, "naive_one_record_per_request": naive,
            "speedup_vs_naive": _ratio(batched["records_per_s"], naive["records_per_s"]),
            "hub_records_stored": stored,
            "all_delivered_once": stored == batched["delivered"] + naive["delivered"]}


def _ratio(x: float | None, y: float | None) -> float | None:
    return round(x / y, 3) if x and y else None


def linkemu_available() -> str | None:
    if os.geteuid() != 0:
        return "not root: linkemu needs network namespaces and TUN devices"
    if not os.path.exists("/dev/net/tun"):
        return "no /dev/net/tun"
    if not shutil.which("ip"):
        return "no ip(8)"
    if not (LINKEMU / "impair_up.sh").exists():
        return f"linkemu not found at {LINKEMU}"
    return None


def link_up(state: Path, delay_ms: int, loss: float, rate_kbit: int) -> str:
    link_down(state)   # stale namespaces from an interrupted run would make `ip netns add` fail
    out = subprocess.run(["bash", str(LINKEMU / "impair_up.sh"), str(delay_ms), str(loss), str(rate_kbit),
                          str(state)], capture_output=True, text=True, timeout=60)
    if out.returncode != 0:
        raise RuntimeError(f"impair_up.sh failed: {out.stderr.strip()[-500:]}")
    return out.stdout.strip()


def link_down(state: Path) -> dict:
    """Tear down; returns tunnetem's per-direction stats for the phase."""
    subprocess.run(["bash", str(LINKEMU / "impair_down.sh"), str(state)], capture_output=True, timeout=60)
    stats = {}
    logf = state / "tunnetem.log"
    if logf.exists():
        for line in logf.read_text().splitlines():
            name, _, rest = line.partition(" ")
            if name in ("a->b", "b->a") and rest.startswith("{"):
                stats[name] = json.loads(rest.replace("'", '"'))
        logf.unlink()
    return stats


def impaired_phase(a: argparse.Namespace, work: Path, cache: dict, state: Path, station: str, count: int,
                   batch_size: int, time_cap_s: float, limit: int = 0, connections: int = 1) -> dict:
    hub_db = "sqlite:" + str(work / f"hub-{station}.db")
    hub = None
    stats: dict = {}
    try:
        ping = link_up(state, a.delay_ms, a.loss, a.rate_kbit)
        hub = Hub(hub_db, HUB_ADDR, HUB_PORT, netns="linkB")
        tdb = make_terminal_db(work, station, count, station, cache)
        result = run_pusher(hub.url, hub_db, station, tdb, work, batch_size=batch_size, time_cap_s=time_cap_s,
                            limit=limit, netns="linkA", connections=connections, encoding=a.encoding)
    finally:
        if hub is not None:
            hub.stop()
        stats = link_down(state)
    result["ping"] = ping
    result["tunnetem"] = stats
    result["hub_records_stored"] = hub_count(hub_db)
    result["all_delivered_once"] = result["hub_records_stored"] == result["delivered"]
    return result


def gzip_bytes_per_record(terminal_db: Path, batch_size: int) -> float:
    """What gzip (protocol 1.1) would send for these records in batches of `batch_size`: the README's bound."""
    from local_db.db import open_db
    from local_db.store import Outbox
    from sync import encodings
    from sync.client import _wire
    from sync.protocol import PushRequest

    db = open_db(terminal_db, migrate=False)
    try:
        items = Outbox(db).pending(10**9)
    finally:
        db.conn.close()
    total = sum(len(encodings.encode(PushRequest("zs-bench", tuple(_wire(i) for i in items[n:n + batch_size]))
                                     .encode(), encodings.GZIP))
                for n in range(0, len(items), batch_size))
    return total / max(len(items), 1)


def linkemu_part(a: argparse.Namespace, work: Path, cache: dict) -> dict:
    state = work / "linkemu"
    state.mkdir()
    link_bps = a.rate_kbit * 1000 / 8
    log(f"linkemu: batched push of {a.records} (cap {a.time_cap_s:.0f} s)")
    batched = impaired_phase(a, work, cache, state, "zs-link-batch", a.records, a.batch_size, a.time_cap_s,
                             connections=a.connections)
    log(f"linkemu: the same batches on one connection, {a.one_connection_link} records")
    one_flow = impaired_phase(a, work, cache, state, "zs-link-one", a.one_connection_link, a.batch_size,
                              a.time_cap_s)
    log(f"linkemu: naive push of up to {a.naive_link} single-record requests (cap {a.naive_cap_s:.0f} s)")
    naive = impaired_phase(a, work, cache, state, "zs-link-naive", a.naive_link, 1, a.naive_cap_s)

    delivered = batched["delivered"]
    bound_payload = link_bps / batched["body_bytes_per_record"] if delivered else None
    gzip_per_record = gzip_bytes_per_record(cache[a.records], a.batch_size)
    bound_gzip = link_bps / gzip_per_record
    up_bytes = batched["tunnetem"].get("a->b", {}).get("bytes")
    wire_per_record = up_bytes / delivered if up_bytes and delivered else None
    bound_wire = link_bps / wire_per_record if wire_per_record else None
    rate = batched["records_per_s"]
    rtt = 2 * a.delay_ms / 1000
    mathis_bps = 1448 / rtt * 1.22 / math.sqrt(a.loss) if a.loss > 0 else None
    naive_rate = naive["records_per_s"]
    out = {
        "link": {"delay_ms_one_way": a.delay_ms, "loss": a.loss, "rate_kbit": a.rate_kbit,
                 "rate_bytes_per_s": link_bps},
        "batched": batched,
        "naive_one_record_per_request": naive | {
            "note": f"{naive['delivered']} single-record requests timed; rate extrapolated to {a.records} records",
            "extrapolated_s_for_all_records": round(a.records / naive_rate, 1) if naive_rate else None},
        "link_bound": {
            "gzip_bound_records_per_s": round(bound_gzip, 1),
            "gzip_bound_how": "linkemu README's definition: link rate bytes/s ÷ gzip bytes per record of these "
                              f"same records in batches of {a.batch_size} ({gzip_per_record:.1f} B)",
            "payload_bound_records_per_s": round(bound_payload, 1) if bound_payload else None,
            "payload_bound_how": "link rate bytes/s ÷ request-body bytes per record actually sent (this run, in "
                                 f"{batched['encoding']}): the share of the link carrying record bytes",
            "wire_bytes_per_record_up": round(wire_per_record, 1) if wire_per_record else None,
            "wire_bound_records_per_s": round(bound_wire, 1) if bound_wire else None,
            "wire_bound_how": "link rate ÷ IP bytes client→hub counted by tunnetem per delivered record "
                              "(headers, signatures, retransmissions included)",
            "readme_reference_records_per_s": 125,
            "mathis_single_tcp_flow_bytes_per_s": round(mathis_bps) if mathis_bps else None,
            "mathis_note": "MSS/RTT·1.22/√loss: one TCP flow at this RTT and loss cannot use more than this",
        },
        "batched_one_connection": one_flow,
        "speedup_vs_one_connection": _ratio(rate, one_flow["records_per_s"]),
        "ratio_to_gzip_bound": _ratio(rate, bound_gzip),
        "ratio_to_payload_bound": _ratio(rate, bound_payload),
        "ratio_to_wire_bound": _ratio(rate, bound_wire),
        "speedup_vs_naive": _ratio(rate, naive_rate),
        "goal_ratio_to_gzip_bound": 0.9,
    }
    if batched["capped"]:
        out["batched"]["note"] = (f"time cap {a.time_cap_s:.0f} s reached: {delivered} of {a.records} delivered; "
                                  f"extrapolated total {round(a.records / rate, 1) if rate else None} s")
    return out


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--role", choices=["main", "push"], default="main")
    p.add_argument("--records", type=int, default=10_000)
    p.add_argument("--batch-size", type=int, default=250, help="SyncSettings.sync_batch_size default")
    p.add_argument("--connections", type=int, default=3, help="SyncSettings.sync_push_connections default")
    p.add_argument("--encoding", choices=["", "gzip", "bzip2", "identity"], default="",
                   help="force a body encoding (default: what the hub's /health offers, as the kiosk does)")
    p.add_argument("--naive-loopback", type=int, default=1000, help="single-record requests on loopback")
    p.add_argument("--naive-link", type=int, default=200, help="single-record requests over linkemu")
    p.add_argument("--one-connection-link", type=int, default=3000,
                   help="records pushed in batches over a single connection on linkemu, for comparison")
    p.add_argument("--naive-cap-s", type=float, default=200)
    p.add_argument("--time-cap-s", type=float, default=300, help="cap for the batched push over linkemu")
    p.add_argument("--delay-ms", type=int, default=300)
    p.add_argument("--loss", type=float, default=0.02)
    p.add_argument("--rate-kbit", type=int, default=256)
    p.add_argument("--skip-linkemu", action="store_true")
    # pusher role
    p.add_argument("--hub"); p.add_argument("--station"); p.add_argument("--code")
    p.add_argument("--terminal-db"); p.add_argument("--data-dir"); p.add_argument("--limit", type=int, default=0)
    a = p.parse_args()
    if a.role == "push":
        return push_main(a)

    t0 = time.monotonic()
    work = Path(tempfile.mkdtemp(prefix="sync_bench-"))
    cache: dict = {}
    result: dict = {"bench": "sync_bench", "records": a.records, "batch_size": a.batch_size,
                    "max_batch_bytes": 256 * 1024, "hub": "python -m sync.hub serve (signed requests, SQLite)",
                    "host_cpus": os.cpu_count()}
    try:
        result["loopback"] = loopback_part(a, work, cache)
        result["record_sizes"] = cache.get("info", {}).get(a.records)
        reason = "--skip-linkemu" if a.skip_linkemu else linkemu_available()
        if reason:
            result["linkemu"] = {"skipped": reason}
        else:
            try:
                result["linkemu"] = linkemu_part(a, work, cache)
            except Exception as exc:   # namespaces/TUN refused at run time: say so, keep the loopback figures
                result["linkemu"] = {"skipped": f"{type(exc).__name__}: {exc}"[:800]}
    finally:
        if not a.skip_linkemu and os.geteuid() == 0 and (LINKEMU / "impair_down.sh").exists():
            link_down(work / "linkemu")
        shutil.rmtree(work, ignore_errors=True)
    result["total_runtime_s"] = round(time.monotonic() - t0, 1)
    print(json.dumps(result, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
