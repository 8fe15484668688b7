"""Row-level security holds whatever a query's WHERE clause says, for every table of tenant data, and
fails closed: a transaction that names no tenant (and does not say it works across tenants) sees and
writes nothing. The role Baton runs as must not be able to bypass it."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator

import asyncpg
import pytest
from sqlalchemy import text
from sqlalchemy.exc import ProgrammingError

from domain.db import SYSTEM_SESSION, new_id, system_scope
from domain.events.relay import relay_once
from domain.reading import ReadPool
from domain.tenancy import service as tenancy
from domain.tenancy.models import Role
from domain.tenancy.service import add_key
from domain.uow import UnitOfWork
from domain.workflows.placing import place_order
from server.cli import main
from server.dbrole import RoleCheck, check_role
from server.demo import ensure_demo
from server.workers import check_system_scope
from tests.db_helpers import as_system, as_tenant, system_connection
from tests.integration.builders import location, order_input, product, uow


async def test_the_tests_connect_as_an_ordinary_role_so_the_policies_really_apply(db):
    async with db.connect() as conn:
        superuser = (
            await conn.execute(text("SELECT rolsuper FROM pg_roles WHERE rolname = current_user"))
        ).scalar_one()
    assert superuser is False


async def test_every_table_of_tenant_data_has_forced_row_level_security_and_a_policy(db):
    async with db.connect() as conn:
        rows = (
            await conn.execute(
                text(
                    "SELECT c.relname, c.relrowsecurity AND c.relforcerowsecurity AS forced, "
                    "EXISTS (SELECT 1 FROM pg_policy p WHERE p.polrelid = c.oid) AS has_policy "
                    "FROM pg_class c WHERE c.relkind = 'r' AND c.relnamespace = 'public'::regnamespace "
                    "AND (c.relname = 'tenants' OR EXISTS (SELECT 1 FROM pg_attribute a "
                    "WHERE a.attrelid = c.oid AND a.attname = 'tenant_id' AND NOT a.attisdropped))"
                )
            )
        ).all()
    tables = {r.relname: (r.forced, r.has_policy) for r in rows}
    assert {"tenants", "api_keys", "orders"} <= set(tables), "the catalog query finds the tenant tables"
    assert {name: flags for name, flags in tables.items() if flags != (True, True)} == {}


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


# ---- failing closed ---------------------------------------------------------------------------------

TENANT_TABLES = """
SELECT c.relname, a.attname FROM pg_class c
JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname IN ('tenant_id', 'id') AND NOT a.attisdropped
WHERE c.relkind = 'r' AND c.relnamespace = 'public'::regnamespace
  AND (a.attname = 'tenant_id' OR c.relname = 'tenants')
ORDER BY c.relname
"""


async def _tenant_tables(conn: asyncpg.Connection) -> dict[str, str]:
    """Every table that holds tenant data, with the column that names the tenant."""
    return {r["relname"]: r["attname"] for r in await conn.fetch(TENANT_TABLES)}


@pytest.fixture
async def plain(db, database_url) -> AsyncIterator[asyncpg.Connection]:
    """A connection as the app's role that names no tenant and no scope."""
    conn = await asyncpg.connect(database_url)
    yield conn
    await conn.close()


async def _seed_every_stage(database_url: str, tmp_path) -> None:
    """The demo shop (orders at every stage, shipments, a return), with its events published."""
    await asyncio.to_thread(ensure_demo, database_url, tmp_path)
    relay = await system_connection(database_url)
    try:
        while await relay_once(relay):
            pass
    finally:
        await relay.close()


async def test_a_connection_that_names_no_tenant_sees_no_row_of_any_tenant_table(
    plain, database_url, tmp_path, other_tenant
):
    await _seed_every_stage(database_url, tmp_path)
    tables = await _tenant_tables(plain)
    seen = {t: await plain.fetchval(f'SELECT count(*) FROM "{t}"') for t in tables}
    async with plain.transaction():
        await plain.execute("SELECT set_config('app.scope', 'system', true)")
        there = {t: await plain.fetchval(f'SELECT count(*) FROM "{t}"') for t in tables}

    assert {"tenants", "api_keys", "orders", "outbox_events", "shipments", "returns"} <= {
        t for t, n in there.items() if n > 0
    }, "the seed should fill the main tables"
    assert seen == dict.fromkeys(tables, 0)


async def test_a_connection_that_names_no_tenant_cannot_insert_into_any_tenant_table(plain, tenant):
    tables = await _tenant_tables(plain)
    outcome = {}
    for table, column in tables.items():
        attempt = plain.transaction()
        await attempt.start()
        try:
            # Policies are checked before NOT NULL and the other constraints, so the one column that
            # names the tenant is enough to show who refuses the row.
            await plain.execute(f'INSERT INTO "{table}" ("{column}") VALUES ($1)', tenant.id)
            outcome[table] = "inserted"
        except asyncpg.PostgresError as exc:
            outcome[table] = "policy" if "row-level security policy" in str(exc) else repr(exc)
        finally:
            await attempt.rollback()
    assert outcome == dict.fromkeys(tables, "policy")


async def test_a_refused_insert_is_refused_by_the_tenant_policy(plain, tenant):
    with pytest.raises(
        asyncpg.InsufficientPrivilegeError, match='row-level security policy for table "orders"'
    ):
        await plain.execute("INSERT INTO orders (tenant_id) VALUES ($1)", tenant.id)


async def test_a_tenant_can_neither_read_change_nor_add_another_tenants_keys_or_tenant_row(
    db, tenant, other_tenant
):
    async with as_system(db) as conn:
        before = (await conn.execute(text("SELECT * FROM api_keys ORDER BY id"))).all()
        shops_before = (await conn.execute(text("SELECT * FROM tenants ORDER BY id"))).all()
    theirs = {"them": other_tenant.id}
    async with as_tenant(db, tenant.id) as conn:
        mine = (await conn.execute(text("SELECT tenant_id FROM api_keys"))).scalars().all()
        keys = (
            await conn.execute(text("SELECT count(*) FROM api_keys WHERE tenant_id = :them"), theirs)
        ).scalar()
        shops = (await conn.execute(text("SELECT id FROM tenants"))).scalars().all()
        revoked = await conn.execute(
            text("UPDATE api_keys SET revoked_at = now() WHERE tenant_id = :them"), theirs
        )
        renamed = await conn.execute(text("UPDATE tenants SET name = 'Mine now' WHERE id = :them"), theirs)
        deleted = await conn.execute(text("DELETE FROM api_keys WHERE tenant_id = :them"), theirs)

    assert mine == [tenant.id] and keys == 0 and shops == [tenant.id]
    assert (revoked.rowcount, renamed.rowcount, deleted.rowcount) == (0, 0, 0)
    async with as_system(db) as conn:
        assert (await conn.execute(text("SELECT * FROM api_keys ORDER BY id"))).all() == before
        assert (await conn.execute(text("SELECT * FROM tenants ORDER BY id"))).all() == shops_before


async def test_an_admin_key_for_another_tenant_is_refused_by_the_policy(db, tenant, other_tenant):
    with pytest.raises(ProgrammingError, match='row-level security policy for table "api_keys"'):
        async with UnitOfWork(db, tenant.id) as unit:
            add_key(unit.session, other_tenant.id, Role.ADMIN, "a way in")
            await unit.session.flush()
    assert await tenancy.authenticate(db, other_tenant.admin) is not None  # their own key still works


async def test_a_tenant_cannot_move_its_key_to_another_tenant_nor_create_a_tenant(db, tenant, other_tenant):
    moves = (
        ("UPDATE api_keys SET tenant_id = :them", {"them": other_tenant.id}, "api_keys"),
        (
            "INSERT INTO tenants (id, name, currency) VALUES (:id, 'Shadow', 'USD')",
            {"id": new_id()},
            "tenants",
        ),
    )
    for sql, params, table in moves:
        with pytest.raises(ProgrammingError, match=f'row-level security policy for table "{table}"'):
            async with as_tenant(db, tenant.id) as conn:
                await conn.execute(text(sql), params)


async def test_a_good_key_authenticates_and_a_revoked_or_unknown_one_does_not(db, tenant, other_tenant):
    staff = await tenant.key(Role.STAFF)

    good = await tenancy.authenticate(db, staff)
    assert good is not None and (good.tenant_id, good.role) == (tenant.id, Role.STAFF)
    async with as_tenant(db, tenant.id) as conn:
        await conn.execute(text("UPDATE api_keys SET revoked_at = now() WHERE id = :id"), {"id": good.key_id})

    assert (await tenancy.authenticate(db, other_tenant.admin)).tenant_id == other_tenant.id
    assert await tenancy.authenticate(db, staff) is None
    assert await tenancy.authenticate(db, staff[:-4] + "AAAA") is None  # right prefix, wrong secret
    assert await tenancy.authenticate(db, "baton_000000000000_nothing") is None


async def test_the_system_scope_sees_every_tenant_and_ends_with_its_transaction(db, tenant, other_tenant):
    async with db.connect() as conn:
        async with conn.begin():
            await system_scope(conn, "a test looks at every tenant")
            everyone = set((await conn.execute(text("SELECT id FROM tenants"))).scalars())
        async with conn.begin():
            afterwards = (await conn.execute(text("SELECT count(*) FROM tenants"))).scalar()
    assert everyone == {tenant.id, other_tenant.id}
    assert afterwards == 0


async def test_the_key_lookup_finds_any_tenants_key_but_its_scope_stays_inside_the_call(
    plain, tenant, other_tenant
):
    prefix = other_tenant.admin.split("_")[1]
    async with plain.transaction():
        await plain.execute("SELECT set_config('app.tenant_id', $1, true)", str(tenant.id))
        found = await plain.fetch("SELECT tenant_id FROM baton_api_key($1)", prefix)
        scope = await plain.fetchval("SELECT current_setting('app.scope', true)")
        theirs = await plain.fetchval("SELECT count(*) FROM api_keys WHERE tenant_id = $1", other_tenant.id)
    async with plain.transaction():
        await plain.execute("SELECT set_config('app.scope', 'elsewhere', true)")
        await plain.fetch("SELECT * FROM baton_api_key($1)", prefix)
        kept = await plain.fetchval("SELECT current_setting('app.scope', true)")

    assert [r["tenant_id"] for r in found] == [other_tenant.id]
    assert scope in ("", None) and theirs == 0
    assert kept == "elsewhere"  # whatever the caller had is put back


async def test_the_workers_refuse_a_pool_whose_sessions_lost_the_system_scope(database_url, tenant):
    seen = "SELECT count(*) FROM tenants WHERE id = $1"
    async with asyncpg.create_pool(database_url, min_size=1, max_size=1) as lost:  # a pooler dropped it
        with pytest.raises(RuntimeError, match="not in system scope"):
            await check_system_scope(lost)
        assert await lost.fetchval(seen, tenant.id) == 0
    async with asyncpg.create_pool(
        database_url, min_size=1, max_size=1, server_settings=SYSTEM_SESSION
    ) as ok:
        await check_system_scope(ok)
        assert await ok.fetchval(seen, tenant.id) == 1


# ---- the database role ------------------------------------------------------------------------------


async def test_the_app_role_passes_the_start_up_check(database_url):
    assert await check_role(database_url, development=False) is None


async def test_a_superuser_is_refused_outside_development_and_only_warned_about_in_it(superuser_url, caplog):
    refused = await check_role(superuser_url, development=False)
    with caplog.at_level(logging.WARNING, logger="baton.dbrole"):
        allowed = await check_role(superuser_url, development=True)

    assert refused is not None and "superuser" in refused and "row-level security" in refused
    assert allowed is None and "superuser" in caplog.text


def test_a_role_with_bypassrls_is_as_unsafe_as_a_superuser():
    assert "has BYPASSRLS" in (RoleCheck("baton", superuser=False, bypass_rls=True).problem or "")
    assert RoleCheck("baton", superuser=False, bypass_rls=False).problem is None


def test_baton_serve_in_production_as_a_superuser_exits_with_the_reason(superuser_url, monkeypatch, capsys):
    monkeypatch.setenv("DATABASE_URL", superuser_url)
    monkeypatch.setenv("BATON_ENV", "production")

    status = main(["serve"])

    assert status != 0
    assert "refusing to start" in capsys.readouterr().err
