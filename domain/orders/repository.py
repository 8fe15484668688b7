"""Write-side loading of orders, with the locks every use case that changes an order takes first; and of
the rows beside them: an order's edit session, its approval, the shop's approval rules."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select

from domain.errors import Code, DomainError
from domain.orders.approval_models import ApprovalRuleRow, OrderApproval
from domain.orders.edit_sessions import OrderEdit
from domain.orders.models import EXCHANGE_CREDIT, Order, OrderLine, Payment
from domain.orders.rows import order_from_row
from domain.orders.status import OrderStatus
from domain.uow import Transaction


async def lock_order(
    tx: Transaction,
    order_id: uuid.UUID,
    expected_version: int | None = None,
    field: str = "id",
    refresh: bool = False,
) -> Order:
    """The order, locked; NOT_FOUND (on `field`, the input that carried the ID) when it is not the
    shop's, STALE_VERSION when it is not at `expected_version`. `refresh` reloads an order the session
    already holds with what the lock found (a caller that read it before locking)."""
    statement = (
        select(Order)
        .where(Order.tenant_id == tx.tenant_id, Order.id == order_id)
        # FOR NO KEY UPDATE: rows inserted meanwhile that point at the order (a receipt
        # splitting a backorder) take KEY SHARE on it, and must not wait for us.
        .with_for_update(key_share=True)
    )
    if refresh:
        statement = statement.execution_options(populate_existing=True)
    order = (await tx.session.execute(statement)).scalar_one_or_none()
    if order is None:
        raise DomainError(Code.NOT_FOUND, "Order not found", [field])
    check_version(order, expected_version)
    return order


async def get_order(tx: Transaction, order_id: uuid.UUID, field: str) -> Order:
    """The order, read (not locked: an edit staged, not yet committed); NOT_FOUND on `field`."""
    order = (
        await tx.session.execute(select(Order).where(Order.tenant_id == tx.tenant_id, Order.id == order_id))
    ).scalar_one_or_none()
    if order is None:
        raise DomainError(Code.NOT_FOUND, "Order not found", [field])
    return order


def locking_order(extra: str = "") -> str:
    """The statement lock_order_lean runs: the order locked as lock_order locks it, with `extra` columns
    (", <expression> AS <name>", parameters from $3) that save the use case a round trip of reads."""
    return f"SELECT o.*{extra} FROM orders o WHERE o.tenant_id = $1 AND o.id = $2 FOR NO KEY UPDATE OF o"


async def lock_order_lean(
    tx: Transaction, statement: str, order_id: uuid.UUID, *args: Any, extra: tuple[str, ...] = ()
) -> tuple[Order, dict[str, Any]]:
    """lock_order for a lean unit of work: the order (in no session) and the `extra` columns of a
    statement from locking_order. The caller checks the version: some answer a repeat before that."""
    row = await (await tx.driver()).fetchrow(statement, tx.tenant_id, order_id, *args)
    if row is None:
        raise DomainError(Code.NOT_FOUND, "Order not found", ["id"])
    values = dict(row)
    extras = {name: values.pop(name) for name in extra}
    return order_from_row(values), extras


def check_version(order: Order, expected_version: int | None) -> None:
    if expected_version is not None and order.version != expected_version:
        raise DomainError(
            Code.STALE_VERSION,
            f"Order {order.display_number} is at version {order.version}, not {expected_version}: "
            "it changed since you read it",
            ["expectedVersion"],
        )


async def lines_of_order(tx: Transaction, order_id: uuid.UUID) -> dict[uuid.UUID, OrderLine]:
    """The order's lines by id, for use cases that check or price units of them."""
    found = await tx.session.execute(
        select(OrderLine).where(OrderLine.tenant_id == tx.tenant_id, OrderLine.order_id == order_id)
    )
    return {line.id: line for line in found.scalars()}


async def paid_by_credit(tx: Transaction, order: Order) -> bool:
    """Whether an exchange order was paid with a return's credit (settled through that return)."""
    if order.exchange_of_id is None:
        return False
    credit = await tx.session.scalar(
        select(Payment.id).where(Payment.order_id == order.id, Payment.reference.startswith(EXCHANGE_CREDIT))
    )
    return credit is not None


async def refuse_if_paid_by_credit(tx: Transaction, order: Order) -> None:
    """An exchange order paid with a return's credit is settled through that return: cancelling any
    of it would pay the credit out in cash while the returned goods may never come."""
    if await paid_by_credit(tx, order):
        raise DomainError(
            Code.ORDER_NOT_CANCELLABLE,
            f"Order {order.display_number} is an exchange paid by a return's credit; it ships through "
            "normal fulfillment and cannot be cancelled",
            ["id"],
        )


async def lock_edit(tx: Transaction, edit_id: uuid.UUID) -> OrderEdit:
    """The order edit session, locked: two changes staged at once queue instead of losing one."""
    found = (
        await tx.session.execute(
            select(OrderEdit)
            .where(OrderEdit.tenant_id == tx.tenant_id, OrderEdit.id == edit_id)
            .with_for_update()
        )
    ).scalar_one_or_none()
    if found is None:
        raise DomainError(Code.NOT_FOUND, "Order edit not found", ["editId"])
    return found


async def lock_approval_rules(tx: Transaction) -> list[ApprovalRuleRow]:
    """The shop's approval rules, in their order, locked (replacing them: set_rules)."""
    found = await tx.session.execute(
        select(ApprovalRuleRow)
        .where(ApprovalRuleRow.tenant_id == tx.tenant_id)
        .order_by(ApprovalRuleRow.position)
        .with_for_update()
    )
    return list(found.scalars())


async def lock_waiting_approval(tx: Transaction, order: Order) -> OrderApproval:
    """The approval the order (locked by the caller) waits for, locked; NOT_AWAITING_APPROVAL when it
    waits for none (not PENDING_APPROVAL, or decided already)."""
    approval = (
        await tx.session.execute(
            select(OrderApproval)
            .where(OrderApproval.tenant_id == tx.tenant_id, OrderApproval.order_id == order.id)
            .with_for_update()
        )
    ).scalar_one_or_none()
    if order.status != OrderStatus.PENDING_APPROVAL or approval is None or approval.decision is not None:
        raise DomainError(
            Code.NOT_AWAITING_APPROVAL,
            f"Order {order.display_number} is {order.status}: it is not waiting for approval",
            ["orderId"],
        )
    return approval
