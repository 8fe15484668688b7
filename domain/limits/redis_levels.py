"""The shared query-cost levels in Redis, for deployments that set BATON_REDIS_URL: the same arithmetic
as the Postgres statement in budgets.py, run by a script inside Redis so that it is atomic per key and
uses one clock (Redis's), and kept off the database that serves the orders.

One script call per key, all in one pipelined round trip; each call touches one key only. A key
expires once it would have drained to nothing."""

from __future__ import annotations

import math
from collections.abc import Hashable

import redis.asyncio as redis

from domain.limits.budgets import Spent

PREFIX = "baton:cost:"

# KEYS[1]: the bucket; ARGV: spent, most, rate. Returns the new `used`, as text (Lua numbers would be
# truncated to integers on the way out).
ADD = """
local now = redis.call('TIME')
local t = tonumber(now[1]) + tonumber(now[2]) / 1000000
local held = redis.call('HMGET', KEYS[1], 'used', 'at')
local used = tonumber(held[1]) or 0
local at = tonumber(held[2]) or t
local rate = tonumber(ARGV[3])
used = math.min(tonumber(ARGV[2]), math.max(0, used - rate * math.max(0, t - at)) + tonumber(ARGV[1]))
redis.call('HSET', KEYS[1], 'used', tostring(used), 'at', tostring(t))
if rate > 0 then
  redis.call('EXPIRE', KEYS[1], math.ceil(used / rate) + 60)
end
return tostring(used)
"""


class RedisLevels:
    def __init__(self, client: redis.Redis) -> None:
        self.client = client
        self.script = client.register_script(ADD)

    async def add(self, spent: Spent, most: float, rate: float) -> dict[Hashable, float]:
        async with self.client.pipeline(transaction=False) as pipe:
            for key_id, tenant_id, amount in spent:
                await self.script(keys=[key_name(tenant_id, key_id)], args=[amount, most, rate], client=pipe)
            replies = await pipe.execute()
        return {key_id: _number(reply) for (key_id, _, _), reply in zip(spent, replies, strict=True)}


def key_name(tenant_id: object, key_id: Hashable) -> str:
    return f"{PREFIX}{tenant_id}:{key_id}"


def _number(reply: bytes | str) -> float:
    value = float(reply.decode() if isinstance(reply, bytes) else reply)
    return value if math.isfinite(value) else 0.0
