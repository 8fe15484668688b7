"""A lean unit of work runs its transaction on the pooled connection's driver, outside SQLAlchemy's
knowledge: whatever happens, the connection must go back to the pool with no transaction open."""

from __future__ import annotations

import asyncpg
import pytest
from sqlalchemy import text

from domain.db import make_engine
from domain.uow import UnitOfWork

COUNT_CUSTOMERS = "SELECT count(*) FROM customers"
ADD_CUSTOMER = (
    "INSERT INTO customers (id, tenant_id, email, tier, created_at, updated_at) "
    "VALUES (gen_random_uuid(), $1, 'lean@example.com', 'STANDARD', now(), now())"
)


def lean(engine, tenant_id) -> UnitOfWork:
    uow = UnitOfWork(engine, tenant_id, "test")
    uow.lean = True
    return uow


async def test_a_lean_unit_of_work_that_fails_rolls_back_and_leaves_its_connection_clean(
    db, tenant, database_url
):
    engine = make_engine(database_url, pool_size=1, max_overflow=0)  # every unit of work gets the same one
    try:
        with pytest.raises(RuntimeError):
            async with lean(engine, tenant.id) as uow:
                await (await uow.driver()).execute(ADD_CUSTOMER, tenant.id)
                raise RuntimeError("the use case failed")
        with pytest.raises(asyncpg.UndefinedTableError):
            async with lean(engine, tenant.id) as uow:
                await (await uow.driver()).execute("SELECT * FROM no_such_table")

        work = lean(engine, tenant.id)
        async with work as uow:
            driver = await uow.driver()
            assert await driver.fetchval(COUNT_CUSTOMERS) == 0  # the first insert was rolled back
            await driver.execute(ADD_CUSTOMER, tenant.id)
            await work.commit()
        async with UnitOfWork(engine, tenant.id) as uow:  # an ORM one on the same connection, after
            assert (await uow.session.execute(text(COUNT_CUSTOMERS))).scalar_one() == 1
            assert not (await uow.driver()).is_closed()
        async with engine.connect() as conn:
            driver = (await conn.get_raw_connection()).driver_connection
            assert not driver.is_in_transaction()
    finally:
        await engine.dispose()


async def test_a_lean_unit_of_work_has_no_orm_session(db, tenant):
    async with lean(db, tenant.id) as uow:
        with pytest.raises(RuntimeError):
            uow.session  # noqa: B018
