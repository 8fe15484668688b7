"""The read side's path to Postgres: one tenant's read-only transaction on a plain asyncpg connection,
running statements compiled once. Reads are the hot path, and this costs a fraction of what the ORM's
session, connection and pool layers cost per statement; the statements are still built with SQLAlchemy.
Writes go through the unit of work (domain/uow.py) and its SQLAlchemy session."""

from __future__ import annotations

import json
import uuid
from collections import defaultdict
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any, cast

import asyncpg
from sqlalchemy import FromClause, any_, bindparam, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.dialects.postgresql.asyncpg import dialect as asyncpg_dialect
from sqlalchemy.engine import make_url
from sqlalchemy.sql import ClauseElement

from domain.db import Limits
from domain.read_connections import ReadConnections


def plain_dsn(url: str) -> str:
    """A libpq-style URL for asyncpg itself, from any of the URL forms Baton accepts."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


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

    def __init__(self, stmt: ClauseElement) -> None:
        compiled: Any = stmt.compile(dialect=_DIALECT, compile_kwargs={"render_postcompile": True})
        self._compiled = compiled
        self.sql: str = compiled.string
        self._names: list[str] = list(compiled.positiontup or [])

    def args(self, params: dict[str, Any]) -> list[Any]:
        values = self._compiled.construct_params(params) if params else self._compiled.params
        return [values[name] for name in self._names]


class Reader:
    """One tenant's read-only transaction, run on the asyncpg connection itself: reads are the hot
    path, and the driver runs them at a fraction of what the ORM layers cost per statement."""

    def __init__(self, driver: asyncpg.Connection) -> None:
        self._driver = driver

    async def all(self, query: Query | ClauseElement, **params: Any) -> list[Row]:
        q = query if isinstance(query, Query) else Query(query)
        return await self._driver.fetch(q.sql, *q.args(params), record_class=Row)

    async def first(self, query: Query | ClauseElement, **params: Any) -> Row | None:
        rows = await self.all(query, **params)
        return rows[0] if rows else None

    async def value(self, sql: str, *args: Any) -> Any:
        return await self._driver.fetchval(sql, *args)


QueryLogger = Callable[[Any], None]


def begin_for(tenant_id: uuid.UUID) -> str:
    """BEGIN, the tenant and the request limits (domain/db.py Limits) in one round trip. The id is a
    UUID and the limits are integers, so they are safe to write into the text."""
    return (
        f"BEGIN READ ONLY; SELECT set_config('app.tenant_id', '{uuid.UUID(str(tenant_id))}', true), "
        f"set_config('statement_timeout', '{int(Limits.statement_ms)}', true), "
        f"set_config('idle_in_transaction_session_timeout', '{int(Limits.idle_in_transaction_ms)}', true)"
    )


def session_for(tenant_id: uuid.UUID) -> str:
    """The tenant and the request limits for a read connection's session (ReadPool.value): one
    statement, sent only when the connection last served another tenant."""
    return (
        f"SELECT set_config('app.tenant_id', '{uuid.UUID(str(tenant_id))}', false), "
        f"set_config('statement_timeout', '{int(Limits.statement_ms)}', false), "
        f"set_config('idle_in_transaction_session_timeout', '{int(Limits.idle_in_transaction_ms)}', false)"
    )


class ReadConnection(asyncpg.Connection):
    """A read connection that remembers which tenant its session is set to (ReadPool.value)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._session_tenant: uuid.UUID | None = None

    def session_tenant(self) -> uuid.UUID | None:
        return self._session_tenant

    def session_set_to(self, tenant_id: uuid.UUID) -> None:
        self._session_tenant = tenant_id


class ReadPool:
    """The process's connections for reads: plain asyncpg, opened on first use, read-only for their
    whole session. Two ways to read, and nothing needs resetting in between:

    - `tenant()`: a short read-only transaction, the tenant set transaction-locally in its first
      round trip, for reads of several statements (the dataloaders).
    - `value()`: one statement in one round trip (the read compiler's), in the implicit transaction
      Postgres gives a lone statement. The tenant is then the session's: the connection remembers
      which tenant it last served and sets its session again only when the tenant changes. The
      transaction-local setting of `tenant()` overrides the session's, so a connection's history never
      changes what either way sees, and the compiler's statements filter by tenant themselves too.

    Behind PgBouncer in transaction mode (`pgbouncer`), a session is not the connection's own: each
    transaction may run on another server connection. Reads then go through PgBouncer all the same —
    it is the point, reads are most of the connections — but nothing is left on a session: `value()`
    runs in a transaction of its own, the tenant set in its first round trip as `tenant()` does (three
    round trips instead of one), connections are not made read-only at start-up (`BEGIN READ ONLY`
    does it per transaction), and asyncpg prepares no named statements (statement_cache_size=0: a
    statement prepared on one server connection is not there on the next)."""

    def __init__(self, url: str, size: int, *, pgbouncer: bool = False, wait: float = 10.0) -> None:
        self._dsn = plain_dsn(url)
        self._size = size
        self._pgbouncer = pgbouncer
        self._loggers: set[QueryLogger] = set()
        self._connections = ReadConnections(self._open_one, size, wait)

    async def _open_one(self) -> asyncpg.Connection:
        options = _pgbouncer_safe() if self._pgbouncer else _read_only_sessions()
        driver = await asyncpg.connect(self._dsn, connection_class=ReadConnection, **options)
        try:
            await _codecs(driver)
        except BaseException:
            driver.terminate()
            raise
        return driver

    @asynccontextmanager
    async def tenant(self, tenant_id: uuid.UUID) -> AsyncIterator[Reader]:
        """A read-only transaction for one tenant (begin_for)."""
        begin = begin_for(tenant_id)
        async with self._connections.connection() as driver:
            for logger in self._loggers:
                driver.add_query_logger(logger)
            try:
                await driver.execute(begin)
                try:
                    yield Reader(driver)
                except BaseException:
                    # A cancelled request may interrupt this too; its connection is then closed.
                    await driver.execute("ROLLBACK")
                    raise
                await driver.execute("COMMIT")
            finally:
                for logger in self._loggers:
                    driver.remove_query_logger(logger)

    async def value(self, tenant_id: uuid.UUID, sql: str, *args: Any) -> Any:
        """The first column of the first row of one statement, for one tenant, in one round trip
        once the connection serves that tenant (see the class)."""
        if self._pgbouncer:
            async with self.tenant(tenant_id) as reader:
                return await reader.value(sql, *args)
        async with self._connections.connection() as driver:
            for logger in self._loggers:
                driver.add_query_logger(logger)
            try:
                connection = cast(ReadConnection, driver)
                if connection.session_tenant() != tenant_id:
                    await driver.execute(session_for(tenant_id))
                    connection.session_set_to(tenant_id)
                return await driver.fetchval(sql, *args)
            finally:
                for logger in self._loggers:
                    driver.remove_query_logger(logger)

    def size(self) -> tuple[int, int]:
        """(connections open, of which idle), for /metrics."""
        return self._connections.size()

    def watch(self, logger: QueryLogger) -> None:
        """Calls `logger` with every statement reads send from now on (asyncpg's LoggedQuery)."""
        self._loggers.add(logger)

    def unwatch(self, logger: QueryLogger) -> None:
        self._loggers.discard(logger)

    async def close(self) -> None:
        await self._connections.close()


def _read_only_sessions() -> dict[str, Any]:
    return {"server_settings": {"default_transaction_read_only": "on"}}


def _pgbouncer_safe() -> dict[str, Any]:
    """Unnamed statements only (asyncpg then parses each again in the round trip that runs it, so a
    statement never outlives the transaction PgBouncer gave it), and no startup parameters PgBouncer
    would refuse."""
    return {"statement_cache_size": 0}


async def _codecs(driver: asyncpg.Connection) -> None:
    """JSON columns decode to Python values, as they do through SQLAlchemy."""
    for kind in ("json", "jsonb"):
        await driver.set_type_codec(kind, encoder=json.dumps, decoder=json.loads, schema="pg_catalog")


def by_keys(table: FromClause, key: str, *order: str) -> Query:
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
