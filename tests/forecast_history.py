"""Order history for the forecasting tests, made in SQL: an order placed through the real use case is
copied onto past days (a number of copies per day), with its lines and allocations, so months of demand
take one statement per table instead of thousands of placements."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date

import asyncpg

_PLAN = """
plan AS (
  SELECT d.day, row_number() OVER (ORDER BY d.day, c) AS k
  FROM unnest($2::date[], $3::int[]) AS d(day, copies), generate_series(1, d.copies) AS c
)"""

_ORDERS = f"""
WITH {_PLAN}
INSERT INTO orders
SELECT (jsonb_populate_record(NULL::orders, to_jsonb(o) || jsonb_build_object(
  'id', md5(o.id::text || p.k)::uuid, 'number', 100000 + p.k * 100 + o.number,
  'idempotency_key', NULL, 'external_id', NULL, 'access_token_hash', NULL,
  'created_at', (p.day + time '12:00') AT TIME ZONE 'UTC'))).*
FROM orders o, plan p WHERE o.id = $1
"""
_LINES = f"""
WITH {_PLAN}
INSERT INTO order_lines
SELECT (jsonb_populate_record(NULL::order_lines, to_jsonb(l) || jsonb_build_object(
  'id', md5(l.id::text || p.k)::uuid, 'order_id', md5(l.order_id::text || p.k)::uuid))).*
FROM order_lines l, plan p WHERE l.order_id = $1
"""
_ALLOCATIONS = f"""
WITH {_PLAN}
INSERT INTO order_allocations
SELECT (jsonb_populate_record(NULL::order_allocations, to_jsonb(a) || jsonb_build_object(
  'id', md5(a.id::text || p.k)::uuid, 'order_id', md5(a.order_id::text || p.k)::uuid,
  'line_id', md5(a.line_id::text || p.k)::uuid, 'fulfillment_order_id', NULL,
  'created_at', (p.day + time '12:00') AT TIME ZONE 'UTC'))).*
FROM order_allocations a, plan p WHERE a.order_id = $1
"""


async def copy_order(
    conn: asyncpg.Connection, order_id: uuid.UUID, days: Sequence[date], copies: Sequence[int]
) -> None:
    """Places `copies[i]` copies of the order on `days[i]` (at noon UTC). A system-scope connection."""
    async with conn.transaction():
        for sql in (_ORDERS, _LINES, _ALLOCATIONS):
            await conn.execute(sql, order_id, list(days), list(copies))
