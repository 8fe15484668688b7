"""Order editing, staged: begin a session on an order, stage changes (each answered with the order as it
would become, reserving nothing), or discard it. The commit is order_edit_commit.py."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select

from domain import validation
from domain.catalog.models import BackorderPolicy, Location, Product
from domain.db import utcnow
from domain.errors import Code, DomainError, Problems
from domain.inventory.models import InventoryLevel, available_sql
from domain.orders.edit_sessions import EditStatus, OrderEdit, new_edit
from domain.orders.editing import (
    ADD_LINE,
    ADJUST,
    REMOVE_UNSHIPPED,
    SET_QUANTITY,
    SET_SHIPPING,
    Recalculated,
    recalculate,
)
from domain.orders.inputs import AddressInput
from domain.orders.models import Order
from domain.orders.repository import get_order, lock_edit
from domain.orders.status import OPEN
from domain.orders.validation import check_address
from domain.uow import Transaction, UnitOfWork
from domain.workflows.edit_basis import read_basis


@dataclass(frozen=True)
class EditView:
    """A session and the order as its changes would leave it; `available` is what each product with a
    stock change can still sell across the active locations, for the preview."""

    edit: OrderEdit
    order: Order
    result: Recalculated
    available: dict[uuid.UUID, int]


async def begin(uow: UnitOfWork, order_id: uuid.UUID) -> EditView:
    async with uow as tx:
        order = await get_order(tx, order_id, "orderId")
        basis = await read_basis(tx, order, [])
        if order.status not in OPEN or all(line.quantity <= line.shipped for line in basis.lines):
            raise DomainError(
                Code.ORDER_NOT_EDITABLE,
                f"Order {order.display_number} is {order.status} with nothing left to fulfil: it can no "
                "longer be edited",
                ["orderId"],
            )
        edit = new_edit(tx.tenant_id, order.id, order.version, tx.actor)
        tx.session.add(edit)
        view = EditView(edit, order, recalculate(basis, []), {})
        await uow.commit()
    return view


async def add_line(
    uow: UnitOfWork, edit_id: uuid.UUID, sku: str, quantity: int, customizations: list[tuple[str, str]]
) -> EditView:
    problems = Problems()
    cleaned = validation.text(problems, sku, ("sku",), 64) or ""
    problems.raise_if_any()
    change = {
        "kind": ADD_LINE,
        "lineId": str(uuid.uuid4()),
        "sku": cleaned,
        "quantity": quantity,
        "customizations": [[name, value] for name, value in customizations],
    }
    return await _stage(uow, edit_id, change)


async def set_quantity(uow: UnitOfWork, edit_id: uuid.UUID, line_id: uuid.UUID, quantity: int) -> EditView:
    return await _stage(uow, edit_id, {"kind": SET_QUANTITY, "lineId": str(line_id), "quantity": quantity})


async def remove_unshipped(uow: UnitOfWork, edit_id: uuid.UUID, line_id: uuid.UUID) -> EditView:
    return await _stage(uow, edit_id, {"kind": REMOVE_UNSHIPPED, "lineId": str(line_id)})


async def set_shipping(
    uow: UnitOfWork, edit_id: uuid.UUID, method: str | None, address: AddressInput | None
) -> EditView:
    problems = Problems()
    cleaned = check_address(problems, address, "shippingAddress") if address is not None else None
    if method is None and address is None:
        problems.add(Code.REQUIRED, "Give a shippingMethod, a shippingAddress or both", "shippingMethod")
    problems.raise_if_any()
    return await _stage(uow, edit_id, {"kind": SET_SHIPPING, "method": method, "address": cleaned})


async def adjust(
    uow: UnitOfWork, edit_id: uuid.UUID, discount: bool, amount: str, reason: str | None
) -> EditView:
    """A discount or a surcharge: a positive amount of the order's currency, tax included."""
    problems = Problems()
    why = validation.text(problems, reason, ("reason",), 500)
    problems.raise_if_any()
    change = {"kind": ADJUST, "discount": discount, "amount": amount, "reason": why}
    return await _stage(uow, edit_id, change)


async def discard(uow: UnitOfWork, edit_id: uuid.UUID) -> EditView:
    async with uow as tx:
        edit = await lock_edit(tx, edit_id)
        if edit.status != EditStatus.OPEN:
            raise DomainError(Code.EDIT_CLOSED, f"This edit was {edit.status.lower()} already", ["editId"])
        order = await get_order(tx, edit.order_id, "editId")
        edit.close(EditStatus.DISCARDED, utcnow())
        view = EditView(edit, order, recalculate(await read_basis(tx, order, []), []), {})
        await uow.commit()
    return view


async def view(uow: UnitOfWork, edit_id: uuid.UUID) -> EditView | None:
    """A session as it stands: an open one priced on the order as it is now (None: no such edit). A
    committed or discarded one shows the order as it is, with nothing staged."""
    async with uow as tx:
        found = await tx.session.get(OrderEdit, edit_id)
        if found is None or found.tenant_id != tx.tenant_id:
            return None
        order = await get_order(tx, found.order_id, "id")
        changes = found.changes if found.status == EditStatus.OPEN else []
        result = recalculate(await read_basis(tx, order, changes), changes)
        return EditView(
            found, order, result, await _sellable(tx, [c.product_id for c in result.stock_changes])
        )


async def _stage(uow: UnitOfWork, edit_id: uuid.UUID, change: dict[str, Any]) -> EditView:
    async with uow as tx:
        edit = await lock_edit(tx, edit_id)
        now = utcnow()
        edit.require_open(now)
        order = await get_order(tx, edit.order_id, "editId")
        changes = [*edit.changes, change]
        result = recalculate(await read_basis(tx, order, changes), changes)
        edit.stage(change, now)
        available = await _sellable(tx, [c.product_id for c in result.stock_changes])
        await uow.commit()
    return EditView(edit, order, result, available)


async def _sellable(tx: Transaction, product_ids: list[uuid.UUID]) -> dict[uuid.UUID, int]:
    """Units each product has available at the active locations, as the API counts them (read, not
    locked: a preview)."""
    if not product_ids:
        return {}
    level = InventoryLevel
    allow = Product.backorder_policy == BackorderPolicy.ALLOW
    rows = await tx.session.execute(
        select(level.product_id, func.sum(available_sql(level.sellable, allow)))
        .join(Location, Location.id == level.location_id)
        .join(Product, Product.id == level.product_id)
        .where(level.tenant_id == tx.tenant_id, level.product_id.in_(product_ids), Location.active.is_(True))
        .group_by(level.product_id)
    )
    return {product_id: int(units or 0) for product_id, units in rows.all()}
