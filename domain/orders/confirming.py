"""Confirming an order in a statement written once, on a lean unit of work: the order locked with the
products its allocations hold (one read), then confirmed. A step of orderConfirm
(domain/workflows/confirming.py), which then opens its fulfillment orders."""

from __future__ import annotations

import uuid

from domain.errors import Code, DomainError
from domain.orders.models import Order
from domain.orders.repository import check_version, lock_order_lean, locking_order
from domain.orders.status import OrderStatus
from domain.uow import Transaction

# The products are read in the lock's statement, from its snapshot: an order's allocations keep their
# products for its life (splits and moves keep them), so a change committed meanwhile cannot alter them.
LOCK = locking_order(
    ", ARRAY(SELECT DISTINCT a.product_id FROM order_allocations a WHERE a.tenant_id = $1"
    " AND a.order_id = $2 AND a.status IN ('RESERVED', 'BACKORDERED') ORDER BY 1) AS products"
)


async def confirm(
    tx: Transaction, order_id: uuid.UUID, expected_version: int | None
) -> tuple[Order, list[uuid.UUID]]:
    """The order, locked and confirmed in the open lean unit of work, with the products its allocations
    hold, sorted; the caller commits."""
    order, seen = await lock_order_lean(tx, LOCK, order_id, extra=("products",))
    check_version(order, expected_version)
    if order.status == OrderStatus.PENDING_APPROVAL:  # its fulfillment opens only once it is approved
        raise DomainError(
            Code.APPROVAL_PENDING,
            f"Order {order.display_number} is waiting for approval (orderApprove)",
            ["id"],
        )
    order.confirm()
    return order, sorted(seen["products"])
