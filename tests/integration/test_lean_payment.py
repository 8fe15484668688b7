"""Recording a payment in a few statements written once (domain/orders/paying.py): how many statements
one takes, and a retry that waited for its original's lock is still answered as a repeat."""

from __future__ import annotations

import asyncio
import uuid

from sqlalchemy import text

from domain.db import set_tenant
from domain.orders.service import record_payment
from domain.orders.status import PaymentStatus
from domain.workflows.placing import place_order
from tests.integration.builders import count, location, order_input, outbox, product, timeline, uow
from tests.integration.statement_counting import counted_engine

MAX_STATEMENTS = 6  # BEGIN, tenant, the order locked with the reference looked up, the write, events, COMMIT


async def test_recording_a_payment_takes_at_most_six_statements(db, tenant, database_url):
    here = await location(db, tenant.id, "HERE")
    await product(db, tenant.id, "MUG", stock={here.id: 10})
    order = (await place_order(uow(db, tenant.id), order_input(("MUG", 2)))).order

    async with counted_engine(database_url) as (engine, statements):
        await record_payment(uow(engine, tenant.id), order.id, "pay-1", "1.00")  # fills the caches
        await asyncio.sleep(0.05)
        statements.seen.clear()
        paid = await record_payment(uow(engine, tenant.id), order.id, "pay-2", None)
        await asyncio.sleep(0.05)  # asyncpg hands records to its loggers on a later loop turn

    assert len(statements) <= MAX_STATEMENTS, "\n".join(statements.seen)
    assert (paid.paid, paid.payment_status, paid.version) == (order.total, PaymentStatus.PAID, 3)
    events = await outbox(db, tenant.id, aggregate_id=order.id, type="ORDER_PAYMENT_RECORDED")
    assert [(e.payload["reference"], e.payload["paymentStatus"]) for e in events] == [
        ("pay-1", "PARTIALLY_PAID"),
        ("pay-2", "PAID"),
    ]
    assert [t.type for t in await timeline(db, tenant.id, order.id)].count("ORDER_PAYMENT_RECORDED") == 2
    assert await count(db, "payments", tenant.id) == 2


async def test_a_retry_that_waited_for_its_originals_lock_is_answered_as_a_repeat(db, tenant):
    """The lock hands the retry the order as the original left it, but the original's payment row is
    not in the snapshot of the retry's statement: it must be looked up again, not inserted twice."""
    here = await location(db, tenant.id, "HERE")
    await product(db, tenant.id, "MUG", stock={here.id: 10})
    order = (await place_order(uow(db, tenant.id), order_input(("MUG", 1)))).order

    async with db.connect() as original:  # the original, between its writes and its commit
        await set_tenant(original, tenant.id)
        await original.execute(
            text(
                "UPDATE orders SET paid = 500, payment_status = 'PARTIALLY_PAID', version = 2 WHERE id = :id"
            ),
            {"id": order.id},
        )
        await original.execute(
            text(
                "INSERT INTO payments (id, tenant_id, order_id, amount, currency, reference, created_at) "
                "VALUES (:id, :tenant, :order, 500, 'USD', 'pay-1', now())"
            ),
            {"id": uuid.uuid4(), "tenant": tenant.id, "order": order.id},
        )
        retry = asyncio.create_task(record_payment(uow(db, tenant.id), order.id, "pay-1", "5.00", 1))
        await asyncio.sleep(0.3)
        assert not retry.done()  # waiting for the order's lock
        await original.commit()
        answered = await retry

    assert (answered.paid, answered.version) == (500, 2)
    assert await count(db, "payments", tenant.id) == 1
