"""Row-level security holds whatever a query's WHERE clause says, for every tenant-scoped table."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import ProgrammingError

from domain.db import new_id
from domain.orders.service import place_order
from domain.reading import ReadPool
from domain.uow import UnitOfWork
from tests.integration.builders import location, order_input, product, uow

EXEMPT = {"tenants", "api_keys"}  # read before any tenant is known: to authenticate a key


async def test_the_tests_connect_as_an_ordinary_role_so_the_policies_really_apply(db):
    async with db.connect() as conn:
        superuser = (
            await conn.execute(text("SELECT rolsuper FROM pg_roles WHERE rolname = current_user"))
        ).scalar_one()
    assert superuser is False


async def test_every_table_with_a_tenant_column_has_forced_row_level_security(db):
    async with db.connect() as conn:
        rows = (
            await conn.execute(
                text(
                    "SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity FROM pg_class c "
                    "JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'tenant_id' "
                    "WHERE c.relkind = 'r' AND c.relnamespace = 'public'::regnamespace"
                )
            )
        ).all()
    tables = {r.relname: (r.relrowsecurity, r.relforcerowsecurity) for r in rows}
    assert set(tables) - EXEMPT, "no tenant tables found"
    assert {
        name: flags for name, flags in tables.items() if name not in EXEMPT and flags != (True, True)
    } == {}


async def test_a_query_without_a_tenant_filter_still_sees_only_its_tenants_rows(
    db, database_url, tenant, other_tenant
):
    for owner in (tenant, other_tenant):
        main = await location(db, owner.id, "main")
        await product(db, owner.id, "MUG", stock={main.id: 10})
        await place_order(uow(db, owner.id), order_input(("MUG", 1)))
        await place_order(uow(db, owner.id), order_input(("MUG", 2)))
    reads = ReadPool(database_url, 1)
    async with reads.tenant(tenant.id) as reader:
        seen = [r.tenant_id for r in await reader.all(text("SELECT DISTINCT tenant_id FROM orders"))]
        lines = (await reader.first(text("SELECT count(*) AS n FROM order_lines"))).n
        events = [r.tenant_id for r in await reader.all(text("SELECT DISTINCT tenant_id FROM outbox_events"))]
    await reads.close()
    assert seen == [tenant.id] and events == [tenant.id]
    assert lines == 2


async def test_a_row_written_for_another_tenant_is_refused(db, tenant, other_tenant):
    insert = text(
        "INSERT INTO locations (id, tenant_id, name, code, kind, priority, active) "
        "VALUES (:id, :tenant, 'Sneaky', 'sneaky', 'WAREHOUSE', 1, true)"
    )
    with pytest.raises(ProgrammingError, match="row-level security"):
        async with UnitOfWork(db, tenant.id) as uow:
            await uow.session.execute(insert, {"id": new_id(), "tenant": other_tenant.id})
