"""Declarative base, engine factory, and the scope of a transaction: one tenant, or (explicitly, for
cross-tenant work) the system. Row-level security admits nothing to a transaction that names neither."""

from __future__ import annotations

import logging
import re
import uuid
from datetime import UTC, datetime

from sqlalchemy import DateTime, MetaData, String, bindparam, func, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

log = logging.getLogger("baton.db")

# The setting the policies read for cross-tenant work (migrations/versions/0007_fail_closed_isolation.py).
# As asyncpg server_settings, it puts a whole session in system scope: for the background workers' pool.
SYSTEM_SESSION = {"app.scope": "system"}


class Limits:
    """How long one statement of a request may run, and how long its transaction may sit idle, before
    Postgres ends it: one costly request must not hold connections and locks for everyone. Set once at
    start-up (server/app.py, from BATON_STATEMENT_TIMEOUT and BATON_IDLE_IN_TRANSACTION_TIMEOUT), and
    applied transaction-locally with the tenant, so no extra round trip and nothing left on the session."""

    statement_ms = 15_000
    idle_in_transaction_ms = 30_000

    @classmethod
    def configure(cls, statement_seconds: float, idle_seconds: float) -> None:
        cls.statement_ms = max(1, int(statement_seconds * 1000))
        cls.idle_in_transaction_ms = max(1, int(idle_seconds * 1000))


NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def new_id() -> uuid.UUID:
    return uuid.uuid4()


def utcnow() -> datetime:
    return datetime.now(UTC)


def shifted(sql: str, by: int) -> str:
    """The statement part with its parameters $n renumbered $(n + by), to follow another part's $1 to $by
    in one statement."""
    return re.sub(r"\$(\d+)", lambda m: f"${int(m.group(1)) + by}", sql)


class Timestamps:
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, server_default=func.now()
    )
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True),
        default=utcnow,
        onupdate=utcnow,
        server_default=func.now(),
    )


def make_engine(
    url: str,
    pool_size: int = 10,
    max_overflow: int = 10,
    *,
    pgbouncer: bool = False,
    wait: float = 30.0,
) -> AsyncEngine:
    """One engine per process. URLs may be plain postgresql:// ones; asyncpg is always the driver.

    Size the pool for the concurrency a process serves: a connection beyond it (overflow) is closed
    as soon as it is returned, and opening one costs far more than a request. A checkout waits `wait`
    seconds for a free connection, then raises (domain/availability.py: DATABASE_UNAVAILABLE).

    `pgbouncer`: the URL is a PgBouncer in transaction mode, where consecutive transactions may run on
    different server connections, so no prepared statement may outlive its transaction. SQLAlchemy's
    dialect prepares every statement by name, and asyncpg caches them: both caches are off, and the
    name is the empty one, Postgres's unnamed statement, which asyncpg parses again in the round trip
    that runs it. (SQLAlchemy's docs suggest a uuid per statement; those would pile up on PgBouncer's
    server connections until each is closed, since none is ever deallocated where it was made.)"""
    return create_async_engine(
        async_url(url),
        pool_size=pool_size,
        max_overflow=max_overflow,
        pool_timeout=wait,
        pool_pre_ping=False,
        # The most recently used connection first: its statement and type caches are warm, and the
        # others may sit idle long enough for the server to reclaim them.
        pool_use_lifo=True,
        connect_args=PGBOUNCER_SAFE if pgbouncer else {},
    )


PGBOUNCER_SAFE = {
    "statement_cache_size": 0,
    "prepared_statement_cache_size": 0,
    "prepared_statement_name_func": lambda: "",
}


def async_url(url: str) -> str:
    for prefix in ("postgresql+asyncpg://", "postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+asyncpg://" + url[len(prefix) :]
    raise ValueError("DATABASE_URL must be a postgresql:// URL")


# Built once: every unit of work and loader session runs it, and building it costs more than running it.
_SET_TENANT = select(
    func.set_config("app.tenant_id", bindparam("tenant", type_=String), True),
    func.set_config("statement_timeout", bindparam("statement_ms", type_=String), True),
    func.set_config("idle_in_transaction_session_timeout", bindparam("idle_ms", type_=String), True),
)


async def set_tenant(conn: AsyncConnection, tenant_id: uuid.UUID) -> None:
    """Transaction-local, so a pooled connection never carries one request's tenant into the next; with
    the request limits (Limits) in the same statement."""
    await conn.execute(
        _SET_TENANT,
        {
            "tenant": str(tenant_id),
            "statement_ms": str(Limits.statement_ms),
            "idle_ms": str(Limits.idle_in_transaction_ms),
        },
    )


def begin_for_tenant(tenant_id: uuid.UUID) -> str:
    """BEGIN, the tenant and the request limits in one round trip, for a transaction run on the driver
    itself (e.g. the audit log's). The id is a UUID and the limits are integers: safe in the text."""
    return (
        f"BEGIN; SELECT set_config('app.tenant_id', '{uuid.UUID(str(tenant_id))}', true), "
        f"set_config('statement_timeout', '{int(Limits.statement_ms)}', true), "
        f"set_config('idle_in_transaction_session_timeout', '{int(Limits.idle_in_transaction_ms)}', true)"
    )


async def system_scope(conn: AsyncConnection, why: str) -> None:
    """Lets this transaction see and write every tenant's rows. Transaction-local like set_tenant, and
    only for work that is genuinely across tenants (finding a tenant by name; migrations/env.py does the
    same for migrations); logged with its reason so that every use shows up. The background workers'
    pool is in system scope for whole sessions instead: SYSTEM_SESSION."""
    log.info("system scope: %s", why)
    await conn.execute(select(func.set_config("app.scope", "system", True)))
