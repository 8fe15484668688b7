"""The database role Baton connects as must be subject to row-level security: PostgreSQL lets a superuser
or a role with BYPASSRLS past every policy, FORCE or not, and tenant isolation would be gone without a
trace. Outside development (BATON_ENV=production, or anything else) Baton refuses to start as such a
role; in development it warns."""

from __future__ import annotations

import logging
from dataclasses import dataclass

import asyncpg

from domain.reading import plain_dsn

log = logging.getLogger("baton.dbrole")


@dataclass(frozen=True)
class RoleCheck:
    name: str
    superuser: bool
    bypass_rls: bool

    @property
    def problem(self) -> str | None:
        """Why this role defeats row-level security, or None when it does not."""
        powers = [
            p for p, held in (("is a superuser", self.superuser), ("has BYPASSRLS", self.bypass_rls)) if held
        ]
        if not powers:
            return None
        return (
            f"the database role {self.name!r} {' and '.join(powers)}, so row-level security does "
            "not apply to it and tenants are not isolated: connect as an ordinary role "
            "(CREATE ROLE baton LOGIN; CREATE DATABASE baton OWNER baton;)"
        )


async def inspect_role(url: str, pgbouncer: bool = False) -> RoleCheck:
    # Through PgBouncer in transaction mode, a named (cached) statement may be gone by its next use.
    conn = await asyncpg.connect(plain_dsn(url), statement_cache_size=0 if pgbouncer else 100)
    try:
        row = await conn.fetchrow(
            "SELECT rolname, rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user"
        )
    finally:
        await conn.close()
    assert row is not None  # current_user always has a pg_roles row
    return RoleCheck(row["rolname"], row["rolsuper"], row["rolbypassrls"])


async def check_role(url: str, development: bool, pgbouncer: bool = False) -> str | None:
    """The reason to refuse to start, or None to go on. Only development may run as a role that defeats
    row-level security (the local superuser is handy there), and it is warned on the log."""
    problem = (await inspect_role(url, pgbouncer)).problem
    if problem is None or not development:
        return problem
    log.warning("%s (allowed in development only)", problem)
    return None
