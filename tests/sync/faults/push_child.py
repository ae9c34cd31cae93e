"""A terminal that only pushes, for the kill -9 test: `python push_child.py KIOSK_DB HUB_URL BATCH_SIZE`.

Opens the kiosk database as the sync worker does, prints READY, then pushes small batches with the product's
`PushPipeline` (three connections, a batch in flight on each) until the outbox is empty, and prints DONE. The test kills it with SIGKILL at a random
moment and starts it again; nothing here protects against that, which is the point.
"""
from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT))

from local_db.db import open_db  # noqa: E402
from local_db.store import Outbox  # noqa: E402
from sync.client import SyncClient  # noqa: E402
from sync.hub.testing import loopback_session  # noqa: E402
from sync.push_pipeline import PushPipeline  # noqa: E402
from sync.transport import HubTransport, Timeouts  # noqa: E402

STATION = "zs-test-001"
MAX_DRAINS = 1_000    # a bound, never reached by a healthy run
CONNECTIONS = 3


def main(db_path: str, hub_url: str, batch_size: int) -> int:
    db = open_db(db_path, migrate=False)
    outbox = Outbox(db)
    transports = [HubTransport(hub_url, None, session=loopback_session(), timeouts=Timeouts(5.0))
                  for _ in range(CONNECTIONS)]
    client = SyncClient(outbox, hub_url, STATION, transport=transports[0], batch_size=batch_size)
    print("READY", outbox.pending_count(), flush=True)
    delivered = duplicate = 0
    for _ in range(MAX_DRAINS):
        if outbox.pending_count() == 0:
            print("DONE", delivered, duplicate, flush=True)
            return 0
        result, error = PushPipeline(client, transports).drain()
        if error is not None:
            print("ERROR", type(error).__name__, error, flush=True)
            return 2
        delivered += result.delivered
        duplicate += len(result.duplicate)
        if result.rejected:
            print("REJECTED", [r.reason for r in result.rejected], flush=True)
            return 3
    return 4


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2], int(sys.argv[3])))
