"""The read side's path to Postgres: one tenant's read-only transaction on the asyncpg connection,
running statements compiled once. Reads are the hot path; this costs a fraction of what the ORM layers
cost per statement, and the statements are still built with SQLAlchemy."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import asyncpg
from sqlalchemy import Executable, Table, any_, bindparam, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.dialects.postgresql.asyncpg import dialect as asyncpg_dialect
from sqlalchemy.ext.asyncio import AsyncEngine


class Row(asyncpg.Record):
    """A result row whose columns read as attributes (row.currency), like SQLAlchemy's rows."""

    def __getattr__(self, name: str) -> Any:
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None


_DIALECT = asyncpg_dialect()


class Query:
    """A statement compiled to PostgreSQL once, with its bind parameters in order. Hot reads are
    module-level Queries; a dynamic statement (a filtered list) is compiled when it is run."""

    def __init__(self, stmt: Executable) -> None:
        self._compiled = stmt.compile(dialect=_DIALECT, compile_kwargs={"render_postcompile": True})
        self.sql = self._compiled.string
        self._names = list(self._compiled.positiontup or [])

    def args(self, params: dict[str, Any]) -> list[Any]:
        values = self._compiled.construct_params(params) if params else self._compiled.params
        return [values[name] for name in self._names]


class Reader:
    """One tenant's read-only transaction, run on the asyncpg connection itself: reads are the hot
    path, and the driver runs them at a fraction of what the ORM layers cost per statement."""

    def __init__(self, driver: asyncpg.Connection) -> None:
        self._driver = driver

    async def all(self, query: Query | Executable, **params: Any) -> list[Row]:
        q = query if isinstance(query, Query) else Query(query)
        return await self._driver.fetch(q.sql, *q.args(params), record_class=Row)

    async def first(self, query: Query | Executable, **params: Any) -> Row | None:
        rows = await self.all(query, **params)
        return rows[0] if rows else None


@asynccontextmanager
async def tenant_reader(engine: AsyncEngine, tenant_id: uuid.UUID) -> AsyncIterator[Reader]:
    """A short read-only transaction for one loader batch or one list query. BEGIN and the tenant
    setting travel in one round trip (the id is a UUID, so it is safe to write into the text)."""
    tenant = uuid.UUID(str(tenant_id))
    async with engine.connect() as conn:
        driver = (await conn.get_raw_connection()).driver_connection
        try:
            await driver.execute(f"BEGIN READ ONLY; SELECT set_config('app.tenant_id', '{tenant}', true)")
            yield Reader(driver)
            await driver.execute("COMMIT")
        except BaseException:
            try:
                await driver.execute("ROLLBACK")
            except BaseException:
                await conn.invalidate()  # never pool a connection left inside a transaction
            raise


def by_keys(table: Table, key: str, *order: str) -> Query:
    """Rows of `table` whose `key` is any of :keys, for one tenant: one batch of a dataloader."""
    column = table.c[key]
    stmt = select(table).where(
        table.c.tenant_id == bindparam("tenant"),
        column == any_(bindparam("keys", type_=ARRAY(column.type))),
    )
    return Query(stmt.order_by(*(table.c[name] for name in order)) if order else stmt)


def one_each(rows: list[Row], key: str) -> dict[Any, Row]:
    return {getattr(r, key): r for r in rows}


def grouped(rows: list[Row], key: str) -> dict[Any, list[Row]]:
    found: dict[Any, list[Row]] = defaultdict(list)
    for row in rows:
        found[getattr(row, key)].append(row)
    return found
