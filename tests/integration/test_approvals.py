"""Approvals against real Postgres: a held order's rows, events and statements; and decisions racing
cancels and each other on many connections, which must leave exactly one outcome and a balanced ledger."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from datetime import timedelta

import asyncpg
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from domain.db import SYSTEM_SESSION, make_engine, utcnow
from domain.errors import Code, DomainError
from domain.orders.approval_deadline import DEADLINE_ACTOR, find_overdue
from domain.orders.approval_models import OrderApproval
from domain.orders.approval_rules import RuleInput
from domain.orders.approving import set_rules
from domain.uow import UnitOfWork
from domain.workflows.approving import approve_order, reject_order
from domain.workflows.cancelling import cancel_order
from domain.workflows.placing import place_order
from server.workers import approval_deadline_loop
from tests.integration.builders import (
    assert_ledger_reconciles,
    location,
    order_input,
    orders,
    outbox,
    outbox_types,
    product,
    rows,
    stock,
    timeline,
    uow,
)
from tests.integration.statement_counting import counted_engine

APPROVER = "apikey:approver"


@pytest.fixture
async def crowd(db: AsyncEngine, database_url: str) -> AsyncIterator[AsyncEngine]:
    await db.dispose()
    engine = make_engine(database_url, pool_size=30, max_overflow=0)
    yield engine
    await engine.dispose()


async def held_shop(db, tenant_id):
    """A warehouse with 40 MUG at 10.00, and a rule holding orders of 3 or more (30.00 and up)."""
    here = await location(db, tenant_id, "MAIN")
    await product(db, tenant_id, "MUG", stock={here.id: 40})
    await set_rules(uow(db, tenant_id), [RuleInput(name="Three or more", min_total="30")])
    return here


async def test_a_held_order_waits_with_its_approval_row_events_and_one_more_statement(
    db, tenant, database_url
):
    await held_shop(db, tenant.id)
    async with counted_engine(database_url) as (engine, statements):
        await place_order(uow(engine, tenant.id), order_input(("MUG", 1)))  # fills the connection's caches
        await asyncio.sleep(0.05)
        statements.seen.clear()
        small = await place_order(uow(engine, tenant.id), order_input(("MUG", 1)))
        await asyncio.sleep(0.05)  # asyncpg hands records to its loggers on a later loop turn
        plain = len(statements)
        statements.seen.clear()
        big = await place_order(uow(engine, tenant.id), order_input(("MUG", 3)))
        await asyncio.sleep(0.05)

    assert (small.order.status, big.order.status) == ("PENDING", "PENDING_APPROVAL")
    assert len(statements) == plain + 1, "\n".join(statements.seen)  # the approval row, for a held order
    (approval,) = await rows(db, select(OrderApproval.__table__))
    assert (approval.order_id, approval.rule_name, approval.requested_by) == (
        big.order.id,
        "Three or more",
        "test",
    )
    assert approval.decision is None and approval.due_at is None
    entries = [e.type for e in await timeline(db, tenant.id, big.order.id)]
    assert entries == [
        "ORDER_CREATED",
        "ORDER_STOCK_RESERVED",
        "ORDER_RISK_ASSESSED",
        "ORDER_APPROVAL_REQUESTED",
    ]
    assert list((await stock(db, tenant.id)).values()) == [(40, 5)]


async def test_an_approval_racing_a_cancel_leaves_one_consistent_outcome(db, tenant, crowd):
    await held_shop(db, tenant.id)
    ids = [(await place_order(uow(db, tenant.id), order_input(("MUG", 3)))).order.id for _ in range(10)]

    work = []
    for order_id in ids:
        work.append(approve_order(UnitOfWork(crowd, tenant.id, APPROVER), order_id, "ADMIN", "ok"))
        work.append(cancel_order(uow(crowd, tenant.id), order_id, "changed my mind"))
    results = await asyncio.gather(*work, return_exceptions=True)

    for order_id, approved, cancelled in zip(ids, results[::2], results[1::2], strict=True):
        assert not isinstance(cancelled, BaseException), cancelled  # a cancel wins either way
        if isinstance(approved, BaseException):  # the cancel came first: nothing left to approve
            assert isinstance(approved, DomainError) and approved.code == Code.NOT_AWAITING_APPROVAL
        (approval,) = await rows(
            db, select(OrderApproval.__table__).where(OrderApproval.order_id == order_id)
        )
        assert approval.decision == (None if isinstance(approved, BaseException) else "APPROVED")
    assert {o.status for o in await orders(db, tenant.id)} == {"CANCELLED"}
    assert list((await stock(db, tenant.id)).values()) == [(40, 0)]
    await assert_ledger_reconciles(db, tenant.id)


async def test_an_approval_racing_a_rejection_decides_once(db, tenant, crowd):
    await held_shop(db, tenant.id)
    ids = [(await place_order(uow(db, tenant.id), order_input(("MUG", 3)))).order.id for _ in range(10)]

    work = []
    for order_id in ids:
        work.append(approve_order(UnitOfWork(crowd, tenant.id, APPROVER), order_id, "STAFF", None))
        work.append(reject_order(UnitOfWork(crowd, tenant.id, APPROVER), order_id, "ADMIN", "too big"))
    results = await asyncio.gather(*work, return_exceptions=True)

    for approved, rejected in zip(results[::2], results[1::2], strict=True):
        lost = [r for r in (approved, rejected) if isinstance(r, BaseException)]
        assert len(lost) == 1 and isinstance(lost[0], DomainError), (approved, rejected)
        assert lost[0].code == Code.NOT_AWAITING_APPROVAL
    statuses = [o.status for o in await orders(db, tenant.id)]
    approved_count = sum(not isinstance(r, BaseException) for r in results[::2])
    assert sorted(statuses) == sorted(["PENDING"] * approved_count + ["CANCELLED"] * (10 - approved_count))
    assert list((await stock(db, tenant.id)).values()) == [(40, 3 * approved_count)]
    types = await outbox_types(db, tenant.id)
    assert (types["ORDER_APPROVED"], types["ORDER_REJECTED"]) == (approved_count, 10 - approved_count)
    await assert_ledger_reconciles(db, tenant.id)


async def test_a_refused_decision_changes_nothing(db, tenant):
    await held_shop(db, tenant.id)
    big = (await place_order(uow(db, tenant.id), order_input(("MUG", 3)))).order

    with pytest.raises(DomainError) as same:
        await approve_order(uow(db, tenant.id), big.id, "ADMIN", None)  # the placing actor, "test"
    with pytest.raises(DomainError) as role:
        await reject_order(UnitOfWork(db, tenant.id, APPROVER), big.id, "PARTNER", "no")

    assert (same.value.code, role.value.code) == (Code.SAME_KEY_APPROVAL, Code.APPROVER_ROLE_REQUIRED)
    assert [o.status for o in await orders(db, tenant.id)] == ["PENDING_APPROVAL"]
    assert (await outbox_types(db, tenant.id))["ORDER_APPROVED"] == 0


async def test_orders_undecided_past_their_deadline_are_rejected_by_the_worker_loop(db, tenant, database_url):
    here = await location(db, tenant.id, "MAIN")
    await product(db, tenant.id, "MUG", stock={here.id: 40})
    rule = RuleInput(name="Three or more", min_total="30", auto_reject_after_hours=2)
    await set_rules(uow(db, tenant.id), [rule])
    late = (await place_order(uow(db, tenant.id), order_input(("MUG", 3)))).order
    cancelled = (await place_order(uow(db, tenant.id), order_input(("MUG", 4)))).order
    await cancel_order(uow(db, tenant.id), cancelled.id, "by hand")
    pool = await asyncpg.create_pool(database_url, min_size=1, max_size=1, server_settings=SYSTEM_SESSION)
    try:
        async with pool.acquire() as conn:
            assert await find_overdue(conn, utcnow()) == []  # not due for two hours
            overdue = await find_overdue(conn, utcnow() + timedelta(hours=2, seconds=1))
            assert [(o.order_id, o.hours) for o in overdue] == [(late.id, 2)]  # not the cancelled one
            two_hours_ago = "interval '2 hours 1 second'"  # as if placed then
            await conn.execute(
                f"UPDATE order_approvals SET requested_at = requested_at - {two_hours_ago}, "
                f"due_at = due_at - {two_hours_ago}"
            )
        loop = asyncio.create_task(approval_deadline_loop(pool, db, interval=0.05))
        for _ in range(100):
            if {o.status for o in await orders(db, tenant.id)} == {"CANCELLED"}:
                break
            await asyncio.sleep(0.05)
        loop.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await loop
    finally:
        await pool.close()

    assert [o.cancel_reason for o in await orders(db, tenant.id)] == [
        "Rejected: No decision within 2 hours",
        "by hand",
    ]
    entries = [(e.type, e.actor) for e in await timeline(db, tenant.id, late.id)]
    assert ("ORDER_REJECTED", DEADLINE_ACTOR) in entries
    (event,) = await outbox(db, tenant.id, type="ORDER_REJECTED")
    assert event.payload["automatic"] is True
    assert list((await stock(db, tenant.id)).values()) == [(40, 0)]
