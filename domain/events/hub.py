"""The in-process fan-out of the event log to live subscribers.

One feed per tenant that has subscribers in this process. When woken (by the process's one LISTEN
connection, or by the safety-net timer) a feed reads the rows after the last position it has seen, once,
and hands that batch to every local subscriber. A subscriber replays what it missed from the table, then
follows the batches; it drops what it already has and, when a batch does not follow on from its last
position (it fell behind and batches were dropped), it replays from the table again. So it never skips
and never repeats, whatever the timing."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import AsyncIterator

from domain.events import feed
from domain.reading import ReadPool, Row

log = logging.getLogger("baton.live")

READ_BATCH = 500
QUEUE_BATCHES = 256  # a subscriber further behind than this replays from the table instead
_REPLAY = None  # put on a subscriber's queue: "you fell behind; read from the table"


class Subscription:
    def __init__(self, hub: Hub, tenant: uuid.UUID, start: int) -> None:
        self._hub = hub
        self.tenant = tenant
        self.start = start  # the feed's position when this subscription joined it
        self._queue: asyncio.Queue[list[Row] | None] = asyncio.Queue(QUEUE_BATCHES)

    def offer(self, batch: list[Row]) -> None:
        try:
            self._queue.put_nowait(batch)
        except asyncio.QueueFull:
            while not self._queue.empty():
                self._queue.get_nowait()
            self._queue.put_nowait(_REPLAY)

    async def events(self, after: int | None) -> AsyncIterator[Row]:
        """Every event after `after` (None: from now on), in order, each once; never ends."""
        last = self.start if after is None else after
        while True:
            # Replay from the table up to whatever is there now ...
            while True:
                rows = await self._hub.read(self.tenant, last, READ_BATCH)
                for row in rows:
                    yield row
                    last = row.position
                if len(rows) < READ_BATCH:
                    break
            # ... then follow the live batches, which began before the replay did.
            while True:
                batch = await self._queue.get()
                if batch is _REPLAY:
                    break
                fresh = [r for r in batch if r.position > last]
                if fresh and fresh[0].position != last + 1:
                    break  # a hole: read it from the table
                for row in fresh:
                    yield row
                    last = row.position


class TenantFeed:
    def __init__(self, hub: Hub, tenant: uuid.UUID, position: int) -> None:
        self.hub = hub
        self.tenant = tenant
        self.position = position
        self.subscribers: set[Subscription] = set()
        self._wake = asyncio.Event()
        self._task = asyncio.create_task(self._run(), name=f"feed-{tenant}")

    def wake(self) -> None:
        self._wake.set()

    async def _run(self) -> None:
        while True:
            await self._wake.wait()
            self._wake.clear()
            try:
                while True:
                    rows = await self.hub.read(self.tenant, self.position, READ_BATCH)
                    if rows:
                        self.position = rows[-1].position
                        for sub in list(self.subscribers):
                            sub.offer(rows)
                    if len(rows) < READ_BATCH:
                        break
            except Exception:
                log.exception("reading the event log of tenant %s failed; retrying", self.tenant)
                await asyncio.sleep(1)
                self._wake.set()

    async def close(self) -> None:
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task


class Hub:
    """Every live subscriber of this process, by tenant."""

    def __init__(self, reads: ReadPool) -> None:
        self._reads = reads
        self._feeds: dict[uuid.UUID, TenantFeed] = {}
        self._opening: dict[uuid.UUID, asyncio.Lock] = {}

    async def read(self, tenant: uuid.UUID, after: int, limit: int) -> list[Row]:
        async with self._reads.tenant(tenant) as reader:
            return await feed.after(reader, tenant, after, limit)

    async def _feed(self, tenant: uuid.UUID) -> TenantFeed:
        found = self._feeds.get(tenant)
        if found is not None:
            return found
        lock = self._opening.setdefault(tenant, asyncio.Lock())
        async with lock:
            if tenant not in self._feeds:
                async with self._reads.tenant(tenant) as reader:
                    position = await feed.head(reader, tenant)
                self._feeds[tenant] = TenantFeed(self, tenant, position)
            return self._feeds[tenant]

    @contextlib.asynccontextmanager
    async def subscribe(self, tenant: uuid.UUID) -> AsyncIterator[Subscription]:
        tenant_feed = await self._feed(tenant)
        sub = Subscription(self, tenant, tenant_feed.position)
        tenant_feed.subscribers.add(sub)
        try:
            yield sub
        finally:
            tenant_feed.subscribers.discard(sub)
            if not tenant_feed.subscribers and self._feeds.get(tenant) is tenant_feed:
                del self._feeds[tenant]
                await tenant_feed.close()

    def wake(self, tenant: uuid.UUID) -> None:
        """A ping from the listener: the tenant's log has grown."""
        found = self._feeds.get(tenant)
        if found is not None:
            found.wake()

    def wake_all(self) -> None:
        """The safety net, in case a ping was lost (or the listener was reconnecting)."""
        for tenant_feed in list(self._feeds.values()):
            tenant_feed.wake()

    @property
    def subscriber_count(self) -> int:
        return sum(len(f.subscribers) for f in self._feeds.values())

    async def close(self) -> None:
        feeds, self._feeds = list(self._feeds.values()), {}
        for tenant_feed in feeds:
            await tenant_feed.close()
