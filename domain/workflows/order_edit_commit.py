"""orderEditCommit: applies a session's staged changes in one transaction, or nothing.

Locks, in the order every use case takes them: the order row, then the levels of every product the
order holds or the edit adds (by product, location), then the order's allocations, then its fulfillment
orders. The staged changes are recalculated on what is locked (a shipment that committed meanwhile
counts), then: units that go are taken back (domain/fulfillment/resizing.py) and released at their
levels, waiting backorders get what was freed, added units are reserved all or nothing
(INSUFFICIENT_STOCK per line) and put in fulfillment, the lines and totals change, what was paid beyond
the new total is refunded through the refunds step, the version bumps and ORDER_EDITED lists it all."""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import delete, func, select

from domain import validation
from domain.catalog.repository import backorder_policies
from domain.customers.models import Customer
from domain.db import utcnow
from domain.errors import Code, DomainError, Problems
from domain.events.base import money
from domain.fulfillment import repository as fulfillment_repo
from domain.fulfillment import resizing
from domain.fulfillment import service as fulfillment
from domain.fulfillment.backorders import fill_freed
from domain.fulfillment.priority import compute_priority
from domain.inventory import service as inventory
from domain.inventory.allocation import Need
from domain.inventory.repository import lock_levels
from domain.orders.edit_sessions import EditStatus, OrderEdit
from domain.orders.editing import EditedLine, Recalculated, recalculate
from domain.orders.events import OrderEdited, StockReleased, StockReserved
from domain.orders.models import Order, OrderAllocation, OrderLine
from domain.orders.repository import check_version, lock_edit, lock_order, paid_by_credit
from domain.orders.status import OPEN, AllocationStatus, CustomerTier, OrderStatus, ShippingMethod
from domain.refunds.issuing import Amounts, issue
from domain.refunds.models import Refund, RefundLine
from domain.uow import Transaction, UnitOfWork
from domain.workflows.edit_basis import read_basis

REFUND_REASON = "Order edited: paid beyond the new total"


@dataclass(frozen=True)
class Committed:
    order: Order
    edit: OrderEdit
    result: Recalculated
    refund: Refund | None


async def commit(
    uow: UnitOfWork,
    edit_id: uuid.UUID,
    notify_customer: bool,
    staff_note: str | None,
    expected_version: int | None,
) -> Committed:
    problems = Problems()
    note = validation.text(problems, staff_note, ("staffNote",), 2000, required=False)
    problems.raise_if_any()
    async with uow as tx:
        edit = await lock_edit(tx, edit_id)
        now = utcnow()
        edit.require_open(now)
        order = await lock_order(tx, edit.order_id, expected_version, field="editId")
        check_version(order, edit.base_version)
        if not edit.changes:
            raise DomainError(Code.NOTHING_TO_COMMIT, "The edit stages no change", ["editId"])
        if order.status not in OPEN:
            raise DomainError(
                Code.ORDER_NOT_EDITABLE, f"Order {order.display_number} is {order.status}", ["editId"]
            )
        old_total, old_method = order.total, order.shipping_method
        result = recalculate(await read_basis(tx, order, edit.changes), edit.changes)
        await _move_stock(tx, order, result)
        # The order row changes from here on and is flushed once, so its version bumps once.
        await _write_lines(tx, order, result)
        if order.shipping_method != old_method and await _new_priority(tx, order):
            await fulfillment.reprioritize(tx, order)
        _follow_status(order, result)
        refund = await _settle(tx, order, result)
        order.record(
            OrderEdited(
                order.id,
                number=order.display_number,
                edit_id=edit.id,
                changes=result.summary,
                old_total=money(old_total, order.currency),
                total=money(order.total, order.currency),
                notify_customer=notify_customer,
            )
        )
        edit.staff_note = note
        edit.close(EditStatus.COMMITTED, now)
        await uow.commit()
    return Committed(order, edit, result, refund)


async def _move_stock(tx: Transaction, order: Order, result: Recalculated) -> None:
    changed = [line for line in result.lines if line.changed]
    held_products = select(OrderAllocation.product_id).where(
        OrderAllocation.tenant_id == tx.tenant_id,
        OrderAllocation.order_id == order.id,
        OrderAllocation.status.in_(fulfillment_repo.HELD),
    )
    products = sorted(
        set((await tx.session.execute(held_products)).scalars()) | {x.product_id for x in changed}
    )
    levels = await lock_levels(tx, products)
    held = await fulfillment_repo.held_allocations(tx, OrderAllocation.order_id == order.id, lock=True)
    fos = await fulfillment_repo.lock_fulfillment_orders(tx, order.id, refresh=True)
    # Units that go, least advanced work first; packed ones refuse the whole edit.
    released: dict[tuple[uuid.UUID, uuid.UUID], int] = defaultdict(int)
    touched: set[uuid.UUID] = set()
    units_released = 0
    for line in changed:
        if line.quantity < line.original:
            mine = [a for a in held if a.line_id == line.id]
            for t in resizing.take_units(mine, fos, line.original - line.quantity, line.sku):
                units_released += t.units
                if t.reserved:
                    released[t.allocation.product_id, t.allocation.location_id] += t.units
                if t.allocation.fulfillment_order_id:
                    touched.add(t.allocation.fulfillment_order_id)
    await inventory.release(tx, order.id, [(p, loc, n) for (p, loc), n in released.items()], levels)
    await tx.session.flush()
    await fill_freed(tx, [levels[key] for key in sorted(released)])
    if units_released:
        order.record(StockReleased(order.id, units=units_released))
    # Units added: reserved all or nothing, INSUFFICIENT_STOCK at lines[i].quantity of the edit's lines.
    policies = await backorder_policies(tx, [x.product_id for x in changed if x.quantity > x.original])
    needs = [
        Need(i, line.product_id, line.quantity - line.original, policies[line.product_id])
        for i, line in enumerate(result.lines)
        if line.quantity > line.original
    ]
    if needs:
        await tx.session.flush()
        planned = await inventory.reserve(tx, order.id, needs)
        added = [
            OrderAllocation(
                id=uuid.uuid4(),
                tenant_id=tx.tenant_id,
                order_id=order.id,
                line_id=result.lines[a.index].id,
                product_id=result.lines[a.index].product_id,
                location_id=a.location_id,
                quantity=a.quantity,
                shipped=0,
                status=AllocationStatus.BACKORDERED if a.backordered else AllocationStatus.RESERVED,
            )
            for a in planned
        ]
        order.record(StockReserved.of(order.id, planned, [line.sku for line in result.lines]))
        await _add_lines(tx, order, [line for line in result.lines if line.added])
        tx.session.add_all(added)
        await tx.session.flush()
        if order.status != OrderStatus.PENDING:  # fulfillment opens at confirmation
            await resizing.place_added(tx, order, added, fos)
    await resizing.end_emptied(tx, fos, touched)


async def _new_priority(tx: Transaction, order: Order) -> bool:
    """A new shipping method counts in the computed priority as at placement (an override still wins);
    True when it changed, for the caller to move the open fulfillment orders along."""
    tier = await tx.session.scalar(
        select(Customer.tier).where(Customer.tenant_id == tx.tenant_id, Customer.id == order.customer_id)
    )
    new = compute_priority(
        ShippingMethod(order.shipping_method),
        CustomerTier(tier or "STANDARD"),
        order.ship_by,
        order.created_at,
    )
    changed, order.priority = new != order.priority, new
    return changed


async def _add_lines(tx: Transaction, order: Order, lines: list[EditedLine]) -> None:
    if not lines:
        return
    last = await tx.session.scalar(
        select(func.max(OrderLine.position)).where(
            OrderLine.tenant_id == tx.tenant_id, OrderLine.order_id == order.id
        )
    )
    for n, line in enumerate(lines, start=(last or 0) + 1):
        tx.session.add(
            OrderLine(
                id=line.id,
                tenant_id=tx.tenant_id,
                order_id=order.id,
                position=n,
                product_id=line.product_id,
                sku=line.sku,
                name=line.name,
                quantity=line.quantity,
                unit_price=line.unit_price,
                subtotal=line.subtotal,
                tax=line.tax,
                customizations=line.customizations,
            )
        )
    await tx.session.flush()  # before the allocations that refer to them


async def _write_lines(tx: Transaction, order: Order, result: Recalculated) -> None:
    """Existing lines take their new quantities; one with nothing left and nothing shipped goes."""
    existing = {
        line.id: line
        for line in (
            await tx.session.execute(
                select(OrderLine).where(OrderLine.tenant_id == tx.tenant_id, OrderLine.order_id == order.id)
            )
        ).scalars()
    }
    gone = []
    for edited in result.lines:
        line = existing.get(edited.id)
        if line is None or edited.added or not edited.changed:
            continue
        if edited.quantity == 0:
            gone.append(line.id)
            continue
        line.quantity, line.subtotal, line.tax = edited.quantity, edited.subtotal, edited.tax
    if gone:
        refunded = await tx.session.scalar(
            select(func.count()).select_from(RefundLine).where(RefundLine.order_line_id.in_(gone))
        )
        if refunded:
            raise DomainError(
                Code.INVALID,
                "Units of a line to remove were refunded: keep the line, or remove fewer units",
                ["editId"],
            )
        await tx.session.flush()
        await tx.session.execute(
            delete(OrderAllocation).where(
                OrderAllocation.tenant_id == tx.tenant_id, OrderAllocation.line_id.in_(gone)
            )
        )
        await tx.session.execute(
            delete(OrderLine).where(OrderLine.tenant_id == tx.tenant_id, OrderLine.id.in_(gone))
        )
    order.subtotal, order.shipping, order.tax = result.subtotal, result.shipping, result.tax
    order.adjustment, order.adjustments = result.adjustment, result.adjustments
    order.total = result.total
    order.shipping_method, order.shipping_address = result.shipping_method, result.shipping_address
    order.updated_at = utcnow()


async def _settle(tx: Transaction, order: Order, result: Recalculated) -> Refund | None:
    """A balance due stays on the order (PARTIALLY_PAID once something was paid); what was paid beyond
    the new total goes back to the customer, as a refund issued by the refunds step."""
    owed = -result.outstanding
    if owed <= 0:
        order.settle_payment_status()
        return None
    if await paid_by_credit(tx, order):
        raise DomainError(
            Code.ORDER_NOT_EDITABLE,
            f"Order {order.display_number} is an exchange paid by a return's credit: lowering its total "
            "would pay that credit out in cash",
            ["editId"],
        )
    if owed > order.refundable:
        raise DomainError(
            Code.REFUND_EXCEEDS_PAID,
            f"The edit would owe {owed} minor units back, more than the {order.refundable} left to refund",
            ["editId"],
        )
    order.edit_refunded = (order.edit_refunded or 0) + owed
    return await issue(tx, order, Amounts([], extra=owed), REFUND_REASON)


def _follow_status(order: Order, result: Recalculated) -> None:
    """An order partly shipped whose edit leaves nothing else to ship has shipped."""
    ordered = sum(line.quantity for line in result.lines)
    shipped = sum(line.shipped for line in result.lines)
    if order.status == OrderStatus.PARTIALLY_SHIPPED and shipped >= ordered:
        order.shipped(shipped, ordered)
