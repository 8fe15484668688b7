"""Query-cost budgets per API key, shared by every process without a write per request.

Each process keeps one leaky bucket per key in memory and decides there: a request never waits on the
database for its budget. About once a second `sync` adds what the process spent since its last sync
(charges less refunds) to the key's shared row in `rate_buckets`, drains that row at the restore rate by
the database's clock, and sets the local bucket to the shared level. Together N processes therefore give
a key about one bucket: between two syncs each process may spend what it last saw as available, so a
burst can pass the capacity by up to (N-1) times that for one sync period. What is spent beyond the
capacity is kept as a debt (down to -capacity) that every process pays back before admitting more, so
over time the key gets the restore rate and no more, however many processes serve it."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from typing import Protocol

import asyncpg

from domain.limits.bucket import Bucket

IDLE_SECONDS = 300.0  # a key unseen this long is forgotten by the process (and synced no more)

# One statement for every active key: add each process's spending to the drained shared level. A key
# deleted meanwhile (its tenant removed) is left out rather than failing the statement for every key;
# rows are locked in key order, so two processes syncing at once cannot deadlock.
SYNC = """
INSERT INTO rate_buckets AS b (api_key_id, tenant_id, used, updated_at)
SELECT k, t, s, now() FROM unnest($1::uuid[], $2::uuid[], $3::float8[]) AS u(k, t, s)
JOIN api_keys ON api_keys.id = u.k
ORDER BY u.k
ON CONFLICT (api_key_id) DO UPDATE SET
  used = LEAST($4, GREATEST(0, b.used - $5 * extract(epoch FROM now() - b.updated_at)) + excluded.used),
  updated_at = now()
RETURNING api_key_id, used
"""


Spent = Sequence[tuple[Hashable, uuid.UUID, float]]  # (key id, tenant id, spent since the last sync)


class SharedLevels(Protocol):
    """Where the processes' buckets meet: Postgres (below) or Redis (domain/limits/redis_levels.py)."""

    async def add(self, spent: Spent, most: float, rate: float) -> dict[Hashable, float]:
        """Drains each key's shared `used` at `rate` a second by the store's clock, adds what was
        spent, caps it at `most`, and returns the new `used` of each key still known."""
        ...


class PostgresLevels:
    """The shared levels in `rate_buckets`. `conn` must be in system scope (the rows of every
    tenant): domain.db.SYSTEM_SESSION."""

    def __init__(self, conn: asyncpg.Connection) -> None:
        self.conn = conn

    async def add(self, spent: Spent, most: float, rate: float) -> dict[Hashable, float]:
        rows = await self.conn.fetch(
            SYNC, [k for k, _, _ in spent], [t for _, t, _ in spent], [s for _, _, s in spent], most, rate
        )
        return {row["api_key_id"]: row["used"] for row in rows}


@dataclass
class Decision:
    allowed: bool
    available: float  # after the charge when allowed
    retry_after: float  # seconds until the cost would be available when refused


@dataclass
class _Key:
    tenant_id: uuid.UUID
    bucket: Bucket
    unsynced: float = 0.0  # spent here since the last sync, less refunds
    seen: float = 0.0


class Budgets:
    def __init__(self, capacity: float, rate: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.capacity = capacity
        self.rate = rate
        self.clock = clock
        # By API key id; a process-local instance (never synced) may use any key, e.g. (key id, IP).
        self._keys: dict[Hashable, _Key] = {}

    def _key(self, key_id: Hashable, tenant_id: uuid.UUID) -> _Key:
        now = self.clock()
        found = self._keys.get(key_id)
        if found is None:
            found = self._keys[key_id] = _Key(tenant_id, Bucket.full(self.capacity, self.rate, now))
        found.seen = now
        return found

    def charge(self, key_id: Hashable, tenant_id: uuid.UUID, cost: int) -> Decision:
        key, now = self._key(key_id, tenant_id), self.clock()
        if key.bucket.take(cost, now):
            key.unsynced += cost
            return Decision(True, key.bucket.available(now), 0.0)
        return Decision(False, key.bucket.available(now), key.bucket.wait(cost, now))

    def refund(self, key_id: Hashable, amount: int) -> None:
        key = self._keys.get(key_id)
        if key is not None and amount > 0:
            key.bucket.give_back(amount, self.clock())
            key.unsynced -= amount

    def available(self, key_id: Hashable) -> float:
        key = self._keys.get(key_id)
        return key.bucket.available(self.clock()) if key else self.capacity

    async def sync(self, shared: SharedLevels) -> None:
        """One round trip for every key this process used lately."""
        now = self.clock()
        for key_id in [k for k, v in self._keys.items() if now - v.seen > IDLE_SECONDS and not v.unsynced]:
            del self._keys[key_id]
        if not self._keys:
            return
        sent = {key_id: key.unsynced for key_id, key in self._keys.items()}
        for key_id, spent in sent.items():
            self._keys[key_id].unsynced -= spent
        try:
            used = await shared.add(
                [(k, self._keys[k].tenant_id, spent) for k, spent in sent.items()],
                2 * self.capacity,  # the most used can be: a debt of one capacity
                self.rate,
            )
        except BaseException:
            for key_id, spent in sent.items():  # not counted: send it again next time
                if key_id in self._keys:
                    self._keys[key_id].unsynced += spent
            raise
        now = self.clock()
        for key_id, level in used.items():
            key = self._keys.get(key_id)
            if key is not None:  # what it spent during the round trip is not in the row yet
                key.bucket.reset(self.capacity - level - key.unsynced, now)
