"""The floor: the least a Python server can do to answer the benchmark's orderByNumber request.

Starlette + asyncpg on the same uvicorn settings as `baton serve`, sending Postgres exactly what Baton
sends for that request (captured with a statement log; `python -m bench.order_by_number --show-sql`
prints Baton's side again):

    BEGIN READ ONLY; SELECT set_config('app.tenant_id', '<tenant>', true), <limits>   -- one round trip
    SELECT <order by tenant + number>
    SELECT <lines by order id>
    COMMIT

The SELECTs are the very Query objects Baton's read path runs, as cached prepared statements on the
asyncpg connection, as Baton runs them. Same codecs, a fixed pool of connections. No GraphQL:
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
import uuid
from collections.abc import AsyncIterator
from decimal import Decimal

import asyncpg
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from domain.orders import queries as orders
from domain.reading import begin_for

# The very statements Baton's read path runs (compiled once in domain/orders/queries.py).
BEGIN_FOR_TENANT = begin_for(uuid.UUID(int=0)).replace(str(uuid.UUID(int=0)), "{tenant}")
ORDER_BY_NUMBER = orders.ORDER_BY_NUMBER.sql
LINES_BY_ORDER = orders.LINES_BY_ORDER.sql
# What one request sends, in order (the tenant written into the first); the benchmark compares it with
# a statement log of Baton.
STATEMENTS = (BEGIN_FOR_TENANT, ORDER_BY_NUMBER, LINES_BY_ORDER, "COMMIT")
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
            await conn.execute(BEGIN_FOR_TENANT.format(tenant=uuid.UUID(tenant_id)))
            try:
                yield conn
            except BaseException:
                await conn.execute("ROLLBACK")
                raise
            await conn.execute("COMMIT")
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
            order = await conn.fetchrow(ORDER_BY_NUMBER, uuid.UUID(tenant), int(text))
            if order is None:
                return JSONResponse({"data": {"orderByNumber": None}})
            lines = await conn.fetch(LINES_BY_ORDER, uuid.UUID(tenant), [order["id"]])
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
    # The same server settings as `baton serve` (server/cli.py): an access line per request at the
    # default level (uvicorn's here; Baton writes its own, server/access.py, in its place).
    uvicorn.run(
        app, host=args.host, port=args.port, log_level=env.get("BATON_LOG_LEVEL", "info"), proxy_headers=True
    )


if __name__ == "__main__":
    main()
