"""The floor: the least a Python server can do to answer the benchmark's orderByNumber request.

Starlette + asyncpg on the same uvicorn settings as `baton serve`, sending Postgres exactly what Baton
sends for that request (captured with a statement log; `python -m bench.order_by_number --show-sql`
prints Baton's side again):

    BEGIN; SELECT set_config('app.tenant_id', $tenant, true); SELECT <order by tenant+number>; COMMIT;
    BEGIN; SELECT set_config('app.tenant_id', $tenant, true); SELECT <lines by order id>; COMMIT;

BEGIN/COMMIT go as simple-protocol queries and the SELECTs as cached prepared statements, as with
SQLAlchemy's asyncpg dialect. Same SQL text, same codecs, a fixed pool of connections. No GraphQL:
the JSON answer is built by hand and must equal Baton's (the benchmark checks that before measuring).

Not part of the product: run by the benchmark as `python -m bench.floor --port P` with DATABASE_URL,
BENCH_API_KEY and BENCH_TENANT_ID in the environment."""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import hashlib
import json
import os
from collections.abc import AsyncIterator
from decimal import Decimal

import asyncpg
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

# Verbatim what SQLAlchemy renders for domain.db.set_tenant, orders.by_number and orders.lines_by_order.
SET_TENANT = "SELECT set_config($1::VARCHAR, $2::VARCHAR, $3::BOOLEAN) AS set_config_1"
ORDER_BY_NUMBER = (
    "SELECT orders.id, orders.tenant_id, orders.number, orders.channel, orders.external_id, "
    "orders.idempotency_key, orders.request_hash, orders.customer_id, orders.email, orders.status, "
    "orders.payment_status, orders.currency, orders.subtotal, orders.shipping, orders.tax, orders.total, "
    "orders.paid, orders.shipping_method, orders.shipping_address, orders.billing_address, orders.note, "
    "orders.tags, orders.cancel_reason, orders.confirmed_at, orders.cancelled_at, orders.version, "
    "orders.created_at, orders.updated_at \nFROM orders \n"
    "WHERE orders.tenant_id = $1::UUID AND orders.number = $2::INTEGER"
)
LINES_BY_ORDER = (
    "SELECT order_lines.id, order_lines.tenant_id, order_lines.order_id, order_lines.position, "
    "order_lines.product_id, order_lines.sku, order_lines.name, order_lines.quantity, "
    "order_lines.unit_price, order_lines.subtotal, order_lines.tax, order_lines.customizations \n"
    "FROM order_lines \n"
    "WHERE order_lines.tenant_id = $1::UUID AND order_lines.order_id IN ($2::UUID) "
    "ORDER BY order_lines.order_id, order_lines.position"
)
# What one request sends, in order; the benchmark compares it with a statement log of Baton.
STATEMENTS = (
    "BEGIN;",
    SET_TENANT,
    ORDER_BY_NUMBER,
    "COMMIT;",
    "BEGIN;",
    SET_TENANT,
    LINES_BY_ORDER,
    "COMMIT;",
)
POOL_SIZE = 10
EXPONENTS = {"USD": 2, "EUR": 2, "GBP": 2, "JPY": 0}


class Pool:
    """A fixed set of connections; no reset query on release (SQLAlchemy's pool sends none either)."""

    def __init__(self, url: str, size: int) -> None:
        self.url, self.size = url, size
        self.idle: asyncio.LifoQueue[asyncpg.Connection] = asyncio.LifoQueue()
        self.all: list[asyncpg.Connection] = []

    async def open(self) -> None:
        for _ in range(self.size):
            conn = await asyncpg.connect(self.url)
            # The codecs SQLAlchemy's asyncpg dialect installs on every connection.
            for kind in ("json", "jsonb"):
                await conn.set_type_codec(kind, encoder=json.dumps, decoder=json.loads, schema="pg_catalog")
            self.all.append(conn)
            self.idle.put_nowait(conn)

    async def close(self) -> None:
        for conn in self.all:
            await conn.close()

    @contextlib.asynccontextmanager
    async def transaction(self, tenant_id: str) -> AsyncIterator[asyncpg.Connection]:
        conn = await self.idle.get()
        try:
            await conn.execute("BEGIN;")
            try:
                await conn.fetchval(SET_TENANT, "app.tenant_id", tenant_id, True)
                yield conn
            except BaseException:
                await conn.execute("ROLLBACK;")
                raise
            await conn.execute("COMMIT;")
        finally:
            self.idle.put_nowait(conn)


def money(minor: int, currency: str) -> str:
    return str(Decimal(minor).scaleb(-EXPONENTS.get(currency, 2)))


def global_id(type_name: str, value: object) -> str:
    return base64.urlsafe_b64encode(f"{type_name}:{value}".encode()).decode().rstrip("=")


def create_app(url: str, api_key: str, tenant_id: str) -> Starlette:
    pool = Pool(url, POOL_SIZE)
    keys = {hashlib.sha256(api_key.encode()).hexdigest(): tenant_id}

    async def graphql(request: Request) -> Response:
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        tenant = (
            keys.get(hashlib.sha256(token.strip().encode()).hexdigest())
            if scheme.lower() == "bearer"
            else None
        )
        if tenant is None:
            return JSONResponse({"errors": [{"message": "Unknown or revoked API key"}]}, status_code=401)
        body = json.loads(await request.body())
        text = str(body["variables"]["n"]).strip().removeprefix("#")
        if not text.isdigit():
            return JSONResponse({"data": {"orderByNumber": None}})
        async with pool.transaction(tenant) as conn:
            order = await conn.fetchrow(ORDER_BY_NUMBER, tenant, int(text))
        if order is None:
            return JSONResponse({"data": {"orderByNumber": None}})
        async with pool.transaction(tenant) as conn:
            lines = await conn.fetch(LINES_BY_ORDER, tenant, order["id"])
        cur = order["currency"]
        data = {
            "id": global_id("Order", order["id"]),
            "number": f"#{order['number']}",
            "status": order["status"],
            "total": {"amount": money(order["total"], cur), "currencyCode": cur},
            "lines": [
                {
                    "sku": r["sku"],
                    "quantity": r["quantity"],
                    "unitPrice": {"amount": money(r["unit_price"], cur)},
                }
                for r in lines
            ],
        }
        return Response(
            json.dumps({"data": {"orderByNumber": data}}, separators=(",", ":")),
            media_type="application/json",
        )

    async def healthz(request: Request) -> Response:
        return JSONResponse({"status": "ok"})

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        await pool.open()
        yield
        await pool.close()

    return Starlette(
        routes=[Route("/graphql", graphql, methods=["POST"]), Route("/healthz", healthz)], lifespan=lifespan
    )


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, required=True)
    args = p.parse_args()
    env = os.environ
    url = env["DATABASE_URL"].replace("postgresql+asyncpg://", "postgresql://")
    app = create_app(url, env["BENCH_API_KEY"], env["BENCH_TENANT_ID"])
    # The same server settings as `baton serve` (server/cli.py): access log on at the default level.
    uvicorn.run(
        app, host=args.host, port=args.port, log_level=env.get("BATON_LOG_LEVEL", "info"), proxy_headers=True
    )


if __name__ == "__main__":
    main()
