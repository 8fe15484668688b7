"""How long the analytics reports take on a large shop: seeds one tenant with N orders straight in SQL
(generate_series into the real tables: lines, fulfillment orders, shipments, refunds, returns), then
times salesReport, fulfillmentReport, returnsReport and inventoryReport over the last 30, 90 and 365
days and prints the median of a few runs of each; salesReport DAY and CHANNEL also without the hourly
rollup ("unrolled"), which the worker's first pass builds here. Stock levels and their ledger (a
RESERVED movement per line at placement, a SHIPPED one at shipment) are seeded apart, once, so that an
earlier seed gains them.

Uses DATABASE_URL when set, else the embedded Postgres under .baton/bench (bench/order_by_number.py).
Give it a database owned by an ordinary role, as in production, so that row-level security applies.
Each report runs as the API runs it: the domain query on the read pool, in one tenant's read-only
transaction (GraphQL parsing and JSON add well under a millisecond on top). Seeding is done once per
N (a tenant named after it); drop the database to build it again.

    make bench-analytics                        # 200,000 orders
    .venv/bin/python -m bench.analytics --orders 1000000
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg

from domain.analytics import fulfillment, inventory, periods, returns, rollup, sales
from domain.analytics.periods import Grouping
from domain.db import make_engine
from domain.reading import ReadPool
from domain.tenancy import service as tenancy

PRODUCTS = 200
CUSTOMERS = 5000
LOCATIONS = 3
DAYS = 400  # orders spread over this many days before now
SYSTEM = {"app.scope": "system"}

# Every order has 1-3 lines; about 3 % are cancelled, 5 % refunded in part, 4 % have a return.
SEED = [
    """INSERT INTO locations (id, tenant_id, name, code, kind, priority, active)
       SELECT gen_random_uuid(), $1, 'Warehouse ' || i, 'WH-' || i, 'WAREHOUSE', i, true
       FROM generate_series(1, $2) i""",
    """INSERT INTO products (id, tenant_id, sku, name, price, currency, backorder_policy, active)
       SELECT gen_random_uuid(), $1, 'SKU-' || lpad(i::text, 4, '0'), 'Product ' || i, 500 + (i * 737) % 9500,
              'USD', 'DENY', true
       FROM generate_series(1, $2) i""",
    """INSERT INTO customers (id, tenant_id, email)
       SELECT gen_random_uuid(), $1, 'c' || i || '@bench.example' FROM generate_series(1, $2) i""",
]
PLAN = """
CREATE TEMP TABLE plan AS
SELECT g, now() - make_interval(secs => $1::float8 * 86400 * (1 - g::float8 / $2) + (g::bigint * 7919) % 3600) AS placed,
       (ARRAY['WEB','MOBILE_APP','PHONE','SOCIAL','POS','MARKETPLACE'])[1 + (g * 31) % 6] AS channel,
       (g * 7) % 100 < 3 AS cancelled, (g * 11) % 100 < 5 AS refunded, (g * 13) % 100 < 4 AS returned
FROM generate_series(1, $2) g;
CREATE TEMP TABLE plan_lines AS
SELECT g, i AS position, 1 + (g * 7 + i * 13) % $2 AS product, 1 + (g + i) % 3 AS quantity
FROM generate_series(1, $1) g, generate_series(0, 2) i WHERE i <= g % 3"""
ORDERS = """
CREATE TEMP TABLE o AS
SELECT p.*, gen_random_uuid() AS id, c.id AS customer_id, c.email, s.subtotal, s.subtotal * 825 / 10000 AS tax,
       (SELECT id FROM locations WHERE tenant_id = $1 ORDER BY priority OFFSET p.g % $2 LIMIT 1) AS location_id
FROM plan p
JOIN (SELECT l.g, sum(l.quantity * pr.price)::bigint AS subtotal FROM plan_lines l
      JOIN products pr ON pr.tenant_id = $1 AND pr.sku = 'SKU-' || lpad(l.product::text, 4, '0') GROUP BY l.g) s
  ON s.g = p.g
JOIN customers c ON c.tenant_id = $1 AND c.email = 'c' || (1 + p.g % $3) || '@bench.example';
INSERT INTO orders (id, tenant_id, number, channel, customer_id, email, status, payment_status, currency,
  subtotal, shipping, tax, total, paid, refunded, shipping_method, shipping_address, tags, version,
  created_at, updated_at, ship_by, cancelled_at)
SELECT id, $1, 1000 + g, channel, customer_id, email,
  CASE WHEN cancelled THEN 'CANCELLED' ELSE 'DELIVERED' END, CASE WHEN cancelled THEN 'PENDING' ELSE 'PAID' END,
  'USD', subtotal, 500, tax, subtotal + 500 + tax, CASE WHEN cancelled THEN 0 ELSE subtotal + 500 + tax END,
  CASE WHEN refunded AND NOT cancelled THEN (subtotal + 500 + tax) / 2 ELSE 0 END, 'STANDARD',
  '{"name": "Bench", "line1": "1 Main St", "city": "Springfield", "postalCode": "12345", "countryCode": "US"}',
  '{}', 1, placed, placed, placed + interval '48 hours', CASE WHEN cancelled THEN placed + interval '1 hour' END
FROM o"""
DETAILS = [
    """INSERT INTO order_lines (id, tenant_id, order_id, position, product_id, sku, name, quantity, unit_price,
         subtotal, tax, customizations)
       SELECT gen_random_uuid(), $1, o.id, l.position, pr.id, pr.sku, pr.name, l.quantity, pr.price,
              pr.price * l.quantity, pr.price * l.quantity * 825 / 10000, '[]'
       FROM plan_lines l JOIN o ON o.g = l.g
       JOIN products pr ON pr.tenant_id = $1 AND pr.sku = 'SKU-' || lpad(l.product::text, 4, '0')""",
    """INSERT INTO fulfillment_orders (id, tenant_id, order_id, location_id, status, priority, ship_by, packages,
         created_at, updated_at)
       SELECT gen_random_uuid(), $1, id, location_id, 'CLOSED', 0, placed + interval '48 hours', '[]', placed,
              placed
       FROM o WHERE NOT cancelled""",
    # Shipped 2-96 h after placement; delivered 1-6 days later, but the last week's not yet
    """INSERT INTO shipments (id, tenant_id, order_id, fulfillment_order_id, location_id, carrier,
         tracking_number, status, delivered_at, created_at, updated_at)
       SELECT gen_random_uuid(), $1, o.id, f.id, o.location_id, 'generic', 'B' || o.g,
              CASE WHEN o.placed < now() - interval '7 days' THEN 'DELIVERED' ELSE 'IN_TRANSIT' END,
              CASE WHEN o.placed < now() - interval '7 days'
                   THEN o.placed + make_interval(hours => 2 + (o.g * 37) % 95 + 24 + (o.g * 53) % 120) END,
              o.placed + make_interval(hours => 2 + (o.g * 37) % 95),
              o.placed + make_interval(hours => 2 + (o.g * 37) % 95)
       FROM o JOIN fulfillment_orders f ON f.order_id = o.id""",
    """INSERT INTO refunds (id, tenant_id, order_id, currency, lines_amount, shipping_amount, extra_amount,
         restocking_fee, amount, credited, reason, created_at)
       SELECT gen_random_uuid(), $1, id, 'USD', (subtotal + 500 + tax) / 2, 0, 0, 0, (subtotal + 500 + tax) / 2,
              0, 'Bench', placed + interval '10 days'
       FROM o WHERE refunded AND NOT cancelled""",
    """INSERT INTO refund_lines (id, tenant_id, refund_id, order_line_id, position, quantity, amount,
         restocking_fee)
       SELECT gen_random_uuid(), $1, r.id, l.id, 0, 1, r.amount, 0
       FROM refunds r JOIN order_lines l ON l.order_id = r.order_id AND l.position = 0
       WHERE r.tenant_id = $1""",
    """INSERT INTO returns (id, tenant_id, order_id, number, status, version, created_at, updated_at)
       SELECT gen_random_uuid(), $1, id, 1000 + g, 'RECEIVED', 1, placed + interval '8 days',
              placed + interval '8 days'
       FROM o WHERE returned AND NOT cancelled""",
    """INSERT INTO return_lines (id, tenant_id, return_id, order_line_id, position, quantity, reason,
         resellable, damaged, defective, refunded)
       SELECT gen_random_uuid(), $1, r.id, l.id, 0, 1,
              (ARRAY['DAMAGED','DEFECTIVE','WRONG_ITEM','SIZE_TOO_SMALL','NO_LONGER_NEEDED'])[1 + o.g % 5],
              1, 0, 0, 0
       FROM returns r JOIN o ON o.id = r.order_id JOIN order_lines l ON l.order_id = o.id AND l.position = 0
       WHERE r.tenant_id = $1""",
]


STOCK = [
    """INSERT INTO inventory_levels (id, tenant_id, product_id, location_id, on_hand, committed, incoming, damaged,
         safety_stock, reorder_point, updated_at)
       SELECT gen_random_uuid(), $1, p.id, l.id, abs(hashtext(p.sku || l.code)) % 400, 0, 0, 0, 0, 20, now()
       FROM products p JOIN locations l ON l.tenant_id = $1 WHERE p.tenant_id = $1""",
    """INSERT INTO inventory_movements (tenant_id, level_id, product_id, location_id, kind, on_hand_delta,
         committed_delta, on_hand_after, committed_after, order_id, created_at)
       SELECT $1, v.id, ol.product_id, v.location_id, 'RESERVED', 0, ol.quantity, 0, 0, o.id, o.created_at
       FROM orders o JOIN order_lines ol ON ol.order_id = o.id
       JOIN fulfillment_orders f ON f.order_id = o.id
       JOIN inventory_levels v ON v.product_id = ol.product_id AND v.location_id = f.location_id
       WHERE o.tenant_id = $1""",
    """INSERT INTO inventory_movements (tenant_id, level_id, product_id, location_id, kind, on_hand_delta,
         committed_delta, on_hand_after, committed_after, order_id, created_at)
       SELECT $1, v.id, ol.product_id, v.location_id, 'SHIPPED', -ol.quantity, -ol.quantity, 0, 0, s.order_id,
              s.created_at
       FROM shipments s JOIN order_lines ol ON ol.order_id = s.order_id
       JOIN inventory_levels v ON v.product_id = ol.product_id AND v.location_id = s.location_id
       WHERE s.tenant_id = $1""",
]


async def build_rollup(url: str) -> None:
    """salesReport's hourly rollup, as the worker builds it (a no-op once built and unchanged)."""
    conn = await asyncpg.connect(url, server_settings=SYSTEM)
    try:
        started = time.perf_counter()
        while await rollup.refresh_all(conn):
            pass
        print(f"sales rollup up to date in {time.perf_counter() - started:.1f} s")
    finally:
        await conn.close()


async def seed_stock(url: str, tenant_id: uuid.UUID) -> None:
    """Levels and the ledger of every seeded order, once per tenant."""
    conn = await asyncpg.connect(url, server_settings=SYSTEM)
    try:
        if await conn.fetchval("SELECT count(*) FROM inventory_levels WHERE tenant_id = $1", tenant_id):
            return
        started = time.perf_counter()
        async with conn.transaction():
            for sql in STOCK:
                await conn.execute(sql, tenant_id)
        await conn.execute("ANALYZE inventory_levels")
        await conn.execute("ANALYZE inventory_movements")
        moved = await conn.fetchval(
            "SELECT count(*) FROM inventory_movements WHERE tenant_id = $1", tenant_id
        )
        print(f"seeded {moved:,} stock movements in {time.perf_counter() - started:.0f} s")
    finally:
        await conn.close()


def _name(orders: int) -> str:
    return f"Analytics Bench {orders}"


async def seed(url: str, orders: int) -> uuid.UUID:
    """The bench tenant with `orders` orders, made once (SQL, in system scope, as the workers run)."""
    engine = make_engine(url, pool_size=1)
    try:
        tenant = await tenancy.find_tenant(engine, _name(orders))
        if tenant is None:
            tenant, _ = await tenancy.create_tenant(engine, _name(orders), "USD", tax_rate_bps=825)
    finally:
        await engine.dispose()
    conn = await asyncpg.connect(url, server_settings=SYSTEM)
    try:
        if await conn.fetchval("SELECT count(*) FROM orders WHERE tenant_id = $1", tenant.id):
            return tenant.id  # seeded by an earlier run (all or nothing: one transaction)
    finally:
        await conn.close()
    started = time.perf_counter()
    conn = await asyncpg.connect(url, server_settings=SYSTEM)
    try:
        async with conn.transaction():
            for sql, count in zip(SEED, (LOCATIONS, PRODUCTS, CUSTOMERS), strict=True):
                await conn.execute(sql, tenant.id, count)
            first, second = PLAN.split(";")
            await conn.execute(first, DAYS, orders)
            await conn.execute(second, orders, PRODUCTS)
            for sql in ORDERS.split(";\nINSERT"):
                sql = sql if sql.lstrip().startswith("CREATE") else "INSERT" + sql
                await conn.execute(
                    sql, tenant.id, *([] if sql.startswith("INSERT") else [LOCATIONS, CUSTOMERS])
                )
            for sql in DETAILS:
                await conn.execute(sql, tenant.id)
        await conn.execute("ANALYZE")
    finally:
        await conn.close()
    print(f"seeded {orders:,} orders in {time.perf_counter() - started:.0f} s")
    return tenant.id


REPORTS: dict[str, Callable[[Any, uuid.UUID, periods.Period], Awaitable[Any]]] = {
    "salesReport DAY": lambda r, t, p: sales.report(r, t, p, None, None),
    "salesReport DAY unrolled": lambda r, t, p: sales.report(r, t, p, None, None, hourly=False),
    "salesReport CHANNEL": lambda r, t, p: sales.report(r, t, p, None, None),
    "salesReport CHANNEL unrolled": lambda r, t, p: sales.report(r, t, p, None, None, hourly=False),
    "salesReport SKU": lambda r, t, p: sales.report(r, t, p, None, None),
    "fulfillmentReport DAY": fulfillment.report,
    "fulfillmentReport LOCATION": fulfillment.report,
    "returnsReport SKU": returns.report,
    "returnsReport REASON": returns.report,
    "inventoryReport SKU": lambda r, t, p: inventory.report(r, t, p, datetime.now(UTC)),
}


async def measure(url: str, tenant_id: uuid.UUID, runs: int) -> None:
    reads = ReadPool(url, 2)
    now = datetime.now(UTC)
    try:
        print(f"{'report':28} {'30 days':>10} {'90 days':>10} {'365 days':>10}   (median of {runs} runs, ms)")
        for name, run in REPORTS.items():
            grouping = Grouping(name.split()[1])
            cells = []
            for days in (30, 90, 365):
                period = periods.period(now - timedelta(days=days), now, grouping, "Europe/Paris")
                times = []
                for _ in range(runs + 1):  # the first run warms the cache and is not counted
                    started = time.perf_counter()
                    async with reads.tenant(tenant_id) as reader:
                        await run(reader, tenant_id, period)
                    times.append((time.perf_counter() - started) * 1000)
                cells.append(f"{statistics.median(times[1:]):10.0f}")
            print(f"{name:28} {' '.join(cells)}")
    finally:
        await reads.close()


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--orders", type=int, default=200_000, help="orders in the bench tenant (default 200,000)")
    p.add_argument("--runs", type=int, default=5, help="timed runs of each report and period")
    args = p.parse_args()
    from bench.order_by_number import database

    url = database()
    tenant_id = asyncio.run(seed(url, args.orders))
    asyncio.run(seed_stock(url, tenant_id))
    asyncio.run(build_rollup(url))
    asyncio.run(measure(url, tenant_id, args.runs))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
