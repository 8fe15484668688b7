"""Builders and read-backs for returns, refunds and exchanges: a shipped (and paid) order to return,
the return and refund rows, and the ledger check for non-sellable (damaged) stock."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from domain.inventory.models import InventoryLevel, InventoryMovement
from domain.orders.models import Order, OrderAllocation, OrderLine
from domain.orders.service import record_payment
from domain.refunds.models import Refund, RefundLine
from domain.returns.models import Return, ReturnLine
from domain.returns.receiving import ReceiptLine, receive
from domain.returns.service import ReturnInput, ReturnLineInput, request_return
from domain.returns.status import ItemCondition, ReturnReason
from domain.shipping.service import ShipmentInput, create_shipment
from domain.workflows.confirming import confirm_order
from domain.workflows.exchanging import approve_return
from domain.workflows.placing import place_order
from tests.db_helpers import as_system
from tests.integration.builders import order_input, rows, uow
from tests.integration.fulfillment_builders import fulfillment_orders


async def shipped_order(
    engine: AsyncEngine, tenant_id: uuid.UUID, *lines: tuple[str, int], pay: bool = True
) -> Order:
    """An order placed, paid in full (unless pay=False), confirmed and shipped in full."""
    order = (await place_order(uow(engine, tenant_id), order_input(*lines))).order
    if pay:
        await record_payment(uow(engine, tenant_id), order.id, f"pay-{order.id.hex[:8]}", None)
    await confirm_order(uow(engine, tenant_id), order.id)
    for fo in await fulfillment_orders(engine, order.id):
        await create_shipment(
            uow(engine, tenant_id), ShipmentInput(fo.id, "generic", f"T-{uuid.uuid4().hex[:10]}")
        )
    return await order_row(engine, order.id)


async def order_row(engine: AsyncEngine, order_id: uuid.UUID) -> Any:
    (found,) = await rows(engine, select(Order.__table__).where(Order.__table__.c.id == order_id))
    return found


async def lines_of(engine: AsyncEngine, order_id: uuid.UUID) -> list[Any]:
    t = OrderLine.__table__
    return await rows(engine, select(t).where(t.c.order_id == order_id).order_by(t.c.position))


async def allocations_by_line(engine: AsyncEngine, order_id: uuid.UUID) -> dict[uuid.UUID, Any]:
    t = OrderAllocation.__table__
    return {a.line_id: a for a in await rows(engine, select(t).where(t.c.order_id == order_id))}


async def return_row(engine: AsyncEngine, return_id: uuid.UUID) -> Any:
    (found,) = await rows(engine, select(Return.__table__).where(Return.__table__.c.id == return_id))
    return found


async def return_lines(engine: AsyncEngine, return_id: uuid.UUID) -> list[Any]:
    t = ReturnLine.__table__
    return await rows(engine, select(t).where(t.c.return_id == return_id).order_by(t.c.position))


async def refunds_of(engine: AsyncEngine, order_id: uuid.UUID) -> list[Any]:
    t = Refund.__table__
    return await rows(engine, select(t).where(t.c.order_id == order_id).order_by(t.c.created_at))


async def refund_lines(engine: AsyncEngine, refund_id: uuid.UUID) -> list[Any]:
    t = RefundLine.__table__
    return await rows(engine, select(t).where(t.c.refund_id == refund_id))


async def set_delivered_at(engine: AsyncEngine, order_id: uuid.UUID, days_ago: float) -> None:
    async with as_system(engine) as conn:
        await conn.execute(
            update(Order)
            .where(Order.id == order_id)
            .values(delivered_at=func.now() - func.make_interval(0, 0, 0, 0, 0, 0, days_ago * 86400))
        )


def wanted(
    line_id: uuid.UUID, quantity: int, reason: ReturnReason = ReturnReason.SIZE_TOO_SMALL
) -> ReturnLineInput:
    return ReturnLineInput(order_line_id=line_id, quantity=quantity, reason=reason)


async def approved_return(
    engine: AsyncEngine, tenant_id: uuid.UUID, order_id: uuid.UUID, *lines: ReturnLineInput
) -> Return:
    ret = await request_return(uow(engine, tenant_id), ReturnInput(order_id, list(lines)))
    return await approve_return(uow(engine, tenant_id), ret.id)


async def receive_all(
    engine: AsyncEngine,
    tenant_id: uuid.UUID,
    return_id: uuid.UUID,
    location_id: uuid.UUID,
    condition: ItemCondition = ItemCondition.RESELLABLE,
) -> Return:
    receipt = [ReceiptLine(rl.id, rl.quantity, condition) for rl in await return_lines(engine, return_id)]
    return await receive(uow(engine, tenant_id), return_id, location_id, receipt)


async def assert_damaged_reconciles(engine: AsyncEngine, tenant_id: uuid.UUID) -> None:
    """Every level's damaged units are the sum of its movements' damaged_delta, and each movement's
    damaged_after is the running balance."""
    lv, mv = InventoryLevel.__table__, InventoryMovement.__table__
    moves = await rows(engine, select(mv).where(mv.c.tenant_id == tenant_id).order_by(mv.c.id))
    running: dict[uuid.UUID, int] = {}
    for m in moves:
        running[m.level_id] = running.get(m.level_id, 0) + m.damaged_delta
        assert m.damaged_after == running[m.level_id], f"movement {m.id} damaged_after is off"
    for r in await rows(engine, select(lv).where(lv.c.tenant_id == tenant_id)):
        assert r.damaged == running.get(r.id, 0), f"damaged of level {r.id} does not add up"
