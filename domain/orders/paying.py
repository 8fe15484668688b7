"""Recording a payment in a few statements written once, on a lean unit of work: the order locked with
whether the reference was seen before (one read), then the order's new balance and the payment row
(one write), then the unit of work's events and commit."""

from __future__ import annotations

import uuid

from domain.db import new_id, utcnow
from domain.errors import Code, DomainError
from domain.money import AmountError, to_minor
from domain.orders.models import Order
from domain.orders.repository import check_version, lock_order_lean, locking_order
from domain.uow import Transaction

# `seen_version` is the order's version in the statement's snapshot. The lock returns the newest row
# even when a payment committed while we waited for it, but that payment's row is not in the snapshot:
# then the two versions differ and the reference is looked up again.
LOCK = locking_order(
    ", (SELECT s.version FROM orders s WHERE s.tenant_id = $1 AND s.id = $2) AS seen_version"
    ", EXISTS (SELECT 1 FROM payments p WHERE p.tenant_id = $1 AND p.order_id = $2 AND p.reference = $3)"
    " AS repeat"
)
REPEAT = "SELECT EXISTS (SELECT 1 FROM payments WHERE tenant_id = $1 AND order_id = $2 AND reference = $3)"
WRITE = """
WITH head AS (
  UPDATE orders
  SET paid = $3::bigint, payment_status = $4::text, version = $5::int, updated_at = $6::timestamptz
  WHERE tenant_id = $1::uuid AND id = $2::uuid
)
INSERT INTO payments (id, tenant_id, order_id, amount, currency, reference, created_at)
VALUES ($7::uuid, $1::uuid, $2::uuid, $8::bigint, $9::text, $10::text, $6::timestamptz)
"""


async def pay(
    tx: Transaction, order_id: uuid.UUID, reference: str, amount: str | None, expected_version: int | None
) -> tuple[Order, bool]:
    """In the open lean unit of work: the order, and whether the payment was new (the caller then
    commits); a reference seen before changes nothing."""
    driver = await tx.driver()
    order, seen = await lock_order_lean(tx, LOCK, order_id, reference, extra=("seen_version", "repeat"))
    repeat = seen["repeat"]
    if not repeat and seen["seen_version"] != order.version:
        repeat = await driver.fetchval(REPEAT, tx.tenant_id, order.id, reference)
    if repeat:  # the same payment reported again (a retry): nothing more to do
        return order, False
    check_version(order, expected_version)
    try:
        minor = order.balance_due if amount is None else to_minor(amount, order.currency)
    except AmountError as exc:
        raise DomainError(Code.INVALID_AMOUNT, str(exc), ["amount"]) from exc
    payment = order.record_payment(minor, reference)
    # What the ORM's flush set: the version it counts and the update time; the payment's id and time.
    now = utcnow()
    order.version += 1
    order.updated_at = now
    payment.id, payment.created_at = new_id(), now
    await driver.execute(
        WRITE,
        tx.tenant_id,
        order.id,
        order.paid,
        order.payment_status,
        order.version,
        now,
        payment.id,
        payment.amount,
        payment.currency,
        payment.reference,
    )
    tx.adopt(order)
    return order, True
