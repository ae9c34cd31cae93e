"""Push the whole outbox with one batch in flight per connection, so a slow, lossy link stays full.

One TCP flow over an island link (600 ms round trip, 2 % loss) cannot fill even 256 kbit/s: each loss halves
its window and the window regrows one segment per round trip. Several connections, each carrying its own
batch, keep the link busy while one of them recovers. Batches never overlap (each takes the records after the
last one handed out), the hub dedupes by record id anyway, and only this thread touches the outbox: the
connection threads just send bytes and parse the reply. A failure stops new batches; those already in flight
are settled as their replies arrive, and the first error is returned with what did get through.
"""
from __future__ import annotations

import logging
from collections import deque
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from typing import Callable, Sequence

from local_db.store import OutboxItem
from sync.client import Batch, PushResult, SyncClient
from sync.protocol import PushReply, SyncError
from sync.transport import HubHttpError, HubTransport

log = logging.getLogger(__name__)


class PushPipeline:
    def __init__(self, client: SyncClient, transports: Sequence[HubTransport],
                 after_each: Callable[[], None] = lambda: None):
        if not transports:
            raise ValueError("a push pipeline needs at least one transport")
        self.client = client
        self.transports = list(transports)
        self.after_each = after_each       # runs on this thread after each settled reply (clock offset, etc.)

    def drain(self, should_stop: Callable[[], bool] = lambda: False) -> tuple[PushResult, SyncError | None]:
        total = PushResult(sent=0)
        idle = list(self.transports)
        flying: dict[Future[PushReply], tuple[Batch, HubTransport]] = {}
        resend: deque[tuple[OutboxItem, ...]] = deque()     # what a 413 sent back, split smaller
        after_seq = 0                                       # the last outbox row handed out this drain
        error: SyncError | None = None
        with ThreadPoolExecutor(len(idle), thread_name_prefix="sync-push") as pool:
            while True:
                while idle and error is None and not should_stop():
                    try:
                        batch, quarantined = self._next(resend, after_seq)
                    except SyncError as exc:   # /health asked to learn gzip support failed
                        error = exc
                        break
                    total += quarantined
                    if batch is None:
                        break
                    after_seq = max(after_seq, batch.items[-1].seq)
                    transport = idle.pop()
                    flying[pool.submit(self.client.post, batch, transport)] = (batch, transport)
                if not flying:
                    return total, error
                done, _ = wait(flying, return_when=FIRST_COMPLETED)
                for future in done:
                    batch, transport = flying.pop(future)
                    idle.append(transport)
                    settled, failure = self._settle(batch, future, resend)
                    total += settled
                    error = error or failure
                self.after_each()

    def _next(self, resend: deque[tuple[OutboxItem, ...]], after_seq: int) -> tuple[Batch | None, PushResult]:
        if not resend:
            return self.client.next_batch(after_seq)
        items = resend.popleft()
        batch, quarantined = self.client.next_batch(after_seq, list(items))
        if batch is not None and len(batch.items) < len(items):   # the size cap took a prefix
            resend.appendleft(items[len(batch.items):])
        return batch, quarantined

    def _settle(self, batch: Batch, future: Future[PushReply],
                resend: deque[tuple[OutboxItem, ...]]) -> tuple[PushResult, SyncError | None]:
        try:
            reply = future.result()
        except HubHttpError as exc:
            if exc.status != 413:
                return PushResult(sent=0), exc
            if len(batch.items) == 1:
                return self.client.too_large(batch), None
            resend.extendleft(reversed(self.client.halve(batch)))
            return PushResult(sent=0), None
        except SyncError as exc:
            return PushResult(sent=0), exc
        return self.client.settle(batch, reply), None
