"""returnApprove, and exchanges: on approval, the replacement units are reserved as a new order linked
to the original, and the value of the returned units pays for it. The difference is settled at once: what
the credit does not cover stays due on the exchange order; what it covers beyond the replacement is
refunded."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from domain.catalog.repository import products_by_id
from domain.db import utcnow
from domain.errors import Code, DomainError, Problems, Rejected
from domain.events.base import money
from domain.fulfillment import service as fulfillment
from domain.fulfillment.priority import default_ship_by
from domain.inventory import service as inventory
from domain.inventory.allocation import Need
from domain.orders.events import OrderCreated, StockReserved
from domain.orders.models import EXCHANGE_CREDIT, Order, OrderLine
from domain.orders.pricing import price_order
from domain.orders.rows import NewAllocation, NewLine, create_order_rows
from domain.orders.status import (
    AllocationStatus,
    FulfillmentStatus,
    OrderStatus,
    PaymentStatus,
    ShippingMethod,
)
from domain.refunds import repository as refunds
from domain.refunds.calculation import line_share
from domain.refunds.issuing import Amounts, LineRefund, issue
from domain.returns import repository
from domain.returns.events import ExchangeOrderCreated
from domain.returns.models import Return, ReturnLine
from domain.tenancy.repository import get_tenant
from domain.uow import Transaction, UnitOfWork


async def approve_return(uow: UnitOfWork, return_id: uuid.UUID) -> Return:
    """Approves the return; exchange lines get their replacement reserved as one exchange order."""
    async with uow as tx:
        order, ret, lines = await repository.lock_return(tx, return_id)
        ret.approve()
        if any(line.exchanged for line in lines):
            await create(tx, order, ret, lines)
        await repository.refresh_order_status(tx, order)
        await uow.commit()
    return ret


async def create(tx: Transaction, order: Order, ret: Return, lines: list[ReturnLine]) -> Order:
    """The exchange order for the return's exchange lines, in the open unit of work (approve_return)."""
    swaps = [line for line in lines if line.exchanged]
    products = await products_by_id(tx, [line.exchange_product_id for line in swaps])
    problems = Problems()
    for line in swaps:
        if not products[line.exchange_product_id].active:  # type: ignore[index]
            field = ("lines", line.position, "exchangeFor", "sku")
            problems.add(Code.PRODUCT_INACTIVE, f"{line.exchange_sku} is no longer for sale", *field)
    problems.raise_if_any()
    # Everything that can refuse the exchange is checked before stock and the tenant's counter are locked.
    credits = await _credits(tx, order, swaps)
    exchange_id = uuid.uuid4()
    needs = [
        Need(i, line.exchange_product_id, line.exchange_quantity or 0, allow_backorder=False)  # type: ignore[arg-type]
        for i, line in enumerate(swaps)
    ]
    try:
        allocations = await inventory.reserve(tx, exchange_id, needs)
    except Rejected as exc:  # point each shortage at the return line that asked for it
        for error in exc.errors:
            if error.field and len(error.field) > 1 and error.field[1].isdigit():
                error.field = ["lines", str(swaps[int(error.field[1])].position), "exchangeFor", "quantity"]
        raise
    tenant = await get_tenant(tx)
    totals = price_order(
        [(products[line.exchange_product_id].price, line.exchange_quantity or 0) for line in swaps],  # type: ignore[index]
        "0",
        order.currency,
        tenant.tax_rate_bps,
    )
    now = utcnow()
    exchange = Order(
        id=exchange_id,
        tenant_id=tx.tenant_id,
        channel=order.channel,
        customer_id=order.customer_id,
        email=order.email,
        status=OrderStatus.PENDING,
        payment_status=PaymentStatus.PENDING,
        currency=order.currency,
        subtotal=totals.subtotal,
        shipping=0,
        tax=totals.tax,
        total=totals.total,
        paid=0,
        refunded=0,
        shipping_method=order.shipping_method,
        shipping_address=order.shipping_address,
        billing_address=order.billing_address,
        note=f"Exchange for return {ret.rma_number} of order {order.display_number}",
        tags=["exchange"],
        fulfillment_status=FulfillmentStatus.UNFULFILLED,
        return_status="NO_RETURN",
        ship_by=default_ship_by(ShippingMethod(order.shipping_method), now),
        priority=order.effective_priority,
        exchange_of_id=order.id,
    )
    line_ids = [uuid.uuid4() for _ in swaps]
    # Written as placement writes an order (domain/orders/rows.py), numbered from the tenant's counter.
    await create_order_rows(
        tx,
        exchange,
        [
            NewLine(
                line_ids[i],
                line.exchange_product_id,  # type: ignore[arg-type]
                line.exchange_sku,  # type: ignore[arg-type]
                products[line.exchange_product_id].name,  # type: ignore[index]
                priced.quantity,
                priced.unit_price,
                priced.subtotal,
                priced.tax,
            )
            for i, (line, priced) in enumerate(zip(swaps, totals.lines, strict=True))
        ],
        [
            NewAllocation(
                line_ids[a.index],
                needs[a.index].product_id,
                a.location_id,
                a.quantity,
                AllocationStatus.RESERVED,
            )
            for a in allocations
        ],
        now,
    )
    # From here on the order changes as any order does, through the session.
    exchange = await tx.session.get_one(Order, exchange_id)
    exchange.record(
        OrderCreated(
            exchange.id,
            number=exchange.display_number,
            channel=exchange.channel,
            total=money(exchange.total, exchange.currency),
        )
    )
    # never backordered: the exchange reserves all or nothing (allow_backorder=False above)
    exchange.record(StockReserved.of(exchange.id, allocations, [line.exchange_sku for line in swaps]))
    exchange.confirm()
    await tx.session.flush()
    await fulfillment.open_for_order(tx, exchange)
    ret.exchange_order_id = exchange.id
    await _settle(tx, order, ret, swaps, credits, exchange)
    return exchange


async def _credits(tx: Transaction, order: Order, swaps: list[ReturnLine]) -> list[LineRefund]:
    """What the returned units were charged: their value as credit for the replacement."""
    order_lines = {
        line.id: line
        for line in (
            await tx.session.execute(
                select(OrderLine).where(OrderLine.id.in_([s.order_line_id for s in swaps]))
            )
        ).scalars()
    }
    refunded = await refunds.refunded_units(tx, order.id)
    credits = []
    for line in swaps:
        ol = order_lines[line.order_line_id]
        before = refunded.get(ol.id, 0)
        if line.quantity > ol.quantity - before:
            raise DomainError(
                Code.EXCEEDS_REFUNDABLE,
                f"{line.quantity} unit(s) of {ol.sku} were already refunded; they cannot pay for an exchange",
                ["lines", str(line.position), "quantity"],
            )
        share = line_share(ol.subtotal + ol.tax, ol.quantity, before, line.quantity)
        credits.append(LineRefund(ol.id, line.quantity, share, return_line_id=line.id))
    return credits


async def _settle(
    tx: Transaction,
    order: Order,
    ret: Return,
    swaps: list[ReturnLine],
    credits: list[LineRefund],
    exchange: Order,
) -> None:
    """The returned units' value is credited to the exchange order and a surplus goes back to the
    customer, when the original order's payments cover that value. When they do not, nothing is
    credited: the exchange order carries its whole total as balance due, and the returned units stay
    refundable once paid for. Restocking fees are not charged on exchanges."""
    value = sum(c.amount for c in credits)
    credit = value if value <= order.refundable else 0
    applied = min(credit, exchange.total)
    if credit > 0:
        for line in swaps:
            line.refunded = line.quantity
        await issue(
            tx, order, Amounts(credits, credited=applied), f"Exchange for return {ret.rma_number}", ret.id
        )
    if applied > 0:
        tx.session.add(exchange.record_payment(applied, f"{EXCHANGE_CREDIT} {ret.rma_number}"))
    ret.record(
        ExchangeOrderCreated(
            ret.id,
            order_id=order.id,
            rma_number=ret.rma_number,
            exchange_order_id=exchange.id,
            exchange_number=exchange.display_number,
            credit=money(credit, order.currency),
            balance_due=money(exchange.total - exchange.paid, order.currency),
            refund=money(credit - applied, order.currency),
        )
    )
