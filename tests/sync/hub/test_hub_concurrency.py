"""Many terminals at once: every record stored once, every status update read once, on both databases."""
import random
import threading
from collections import Counter

import pytest

from sync.hub.store import HubRecord, open_store
from sync.hub.testing import enroll_test_terminal, loopback_session

from hub_helpers import STATION, push, record, results

pytestmark = pytest.mark.timeout(180)
THREADS = 50


def run_all(target, count: int) -> list[BaseException]:
    errors: list[BaseException] = []
    start = threading.Barrier(count)

    def guarded(i: int) -> None:
        try:
            start.wait(30)
            target(i)
        except BaseException as exc:   # noqa: BLE001 - reported by the test
            errors.append(exc)
    threads = [threading.Thread(target=guarded, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(150)
    return errors


def test_fifty_terminals_pushing_overlapping_batches_store_each_id_once(hub, session):
    terminals = [enroll_test_terminal(hub.url, hub.store, STATION, session=session) for _ in range(10)]
    pool = [f"rec-{n:04d}" for n in range(400)]
    outcomes: list[tuple[str, str]] = []
    lock = threading.Lock()

    def pusher(i: int) -> None:
        rng, http = random.Random(i), loopback_session()
        for _ in range(3):
            ids = rng.sample(pool, 40)
            got = results(push(http, hub.url, terminals[i % 10], STATION, [record(r) for r in ids]))
            assert [g[0] for g in got] == ids
            with lock:
                outcomes.extend((g[0], g[1]) for g in got)
    assert run_all(pusher, THREADS) == []

    sent = {record_id for record_id, _ in outcomes}
    accepted = Counter(record_id for record_id, status in outcomes if status == "accepted")
    assert set(accepted) == sent and set(accepted.values()) == {1}   # one "accepted" per id, the rest duplicate
    assert {status for _, status in outcomes} == {"accepted", "duplicate"}
    assert hub.store.count() == len(sent)


def test_two_hub_processes_on_one_database_store_each_id_once(db_spec, clock):
    stores = [open_store(db_spec, clock), open_store(db_spec, clock)]   # as two hub processes would
    pool = [f"id-{n:03d}" for n in range(200)]
    accepted: list[str] = []
    lock = threading.Lock()

    def ingester(i: int) -> None:
        rng = random.Random(1000 + i)
        for _ in range(5):
            ids = rng.sample(pool, 30)
            got = stores[i % 2].ingest(STATION, [HubRecord(r, "application", {"id": r}) for r in ids])
            with lock:
                accepted.extend(r.id for r in got if r.status.value == "accepted")
    try:
        assert run_all(ingester, 20) == []
        assert len(accepted) == len(set(accepted)) == stores[0].count()
    finally:
        for store in stores:
            store.close()


def test_a_reader_paging_during_concurrent_status_changes_sees_each_once(hub_store):
    ids = [f"s{n:02d}" for n in range(10)]
    hub_store.ingest(STATION, [HubRecord(r, "application", {"id": r}) for r in ids])
    done = threading.Event()
    seen: list[int] = []

    def writer(i: int) -> None:
        for n in range(20):
            hub_store.set_status(ids[i], "accepted", f"{i}-{n}")

    def reader() -> None:
        after = 0
        while True:
            finished = done.is_set()
            page = hub_store.status_page(STATION, after, 7)
            seen.extend(int(item["note"].split("-")[0]) * 100 + int(item["note"].split("-")[1])
                        for item in page.items)
            after = page.last_seq
            if finished and not page.more:
                return
    reading = threading.Thread(target=reader)
    reading.start()
    assert run_all(writer, len(ids)) == []
    done.set()
    reading.join(60)
    assert sorted(seen) == sorted(i * 100 + n for i in range(10) for n in range(20))
