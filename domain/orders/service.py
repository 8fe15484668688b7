"""Order use cases: place, confirm, record a payment, cancel. One unit of work each."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import asyncpg

from domain.customers.service import upsert_customer
from domain.errors import Code, DomainError, Problems
from domain.fulfillment import repository as fulfillment_repo
from domain.fulfillment import service as fulfillment
from domain.fulfillment.backorders import fill_freed
from domain.inventory import service as inventory
from domain.orders import access, confirming, paying, placing
from domain.orders.events import StockReleased
from domain.orders.inputs import OrderChanges, OrderInput
from domain.orders.models import Order
from domain.orders.repository import lock_order, refuse_if_paid_by_credit
from domain.orders.rows import order_from_row
from domain.orders.status import AllocationStatus
from domain.orders.validation import check_address, check_changes, check_order, request_hash
from domain.refunds.service import refund_cancelled
from domain.risk.placing import Signals
from domain.uow import UnitOfWork

UNIQUE_REQUEST = (
    "uq_orders_tenant_id_idempotency_key",
    "uq_orders_tenant_id_channel_external_id",
)


@dataclass(frozen=True)
class Placed:
    order: Order
    created: bool  # False when an idempotent repeat returned the first order
    # The order access token: handed out once, with the order that was just created; never on a repeat.
    access_token: str | None = None


async def place_order(uow: UnitOfWork, data: OrderInput, client_ip: str | None = None) -> Placed:
    """`client_ip`: where the request came from, for the fraud rules' velocity (domain/risk/)."""
    with uow.leanly():  # every statement of placement is written once and run on the driver
        return await _place_order(uow, data, client_ip)


async def _place_order(uow: UnitOfWork, data: OrderInput, client_ip: str | None) -> Placed:
    problems = Problems()
    check_order(problems, data)
    shipping = check_address(problems, data.shipping_address, "shippingAddress")
    billing = (
        check_address(problems, data.billing_address, "billingAddress") if data.billing_address else None
    )
    problems.raise_if_any()
    fingerprint = request_hash(data)
    signals = Signals.of(data, shipping, client_ip)
    try:
        for lock in (False, True):  # without locks first; with them when that needs exact figures
            try:
                async with uow:
                    await _queue_repeats(uow, data)
                    existing = await _find_repeat(uow, data, fingerprint)
                    if existing is not None:
                        return Placed(existing, created=False)
                    token = access.new_token()
                    reserved = await placing.reserve(uow, data, lock, signals)
                    c = data.customer
                    customer = await upsert_customer(uow, c.email, c.first_name, c.last_name, c.phone)
                    order = await placing.write(
                        uow, data, reserved, customer, fingerprint, shipping, billing, access.digest(token)
                    )
                    await uow.commit()
                    return Placed(order, created=True, access_token=token)
            except placing.Contended:
                continue
        raise AssertionError("placement with the levels locked cannot be contended")
    except asyncpg.UniqueViolationError as exc:  # the driver's own error: placement runs on it
        if not any(name in str(exc) for name in UNIQUE_REQUEST):
            raise
    # A concurrent request with the same key or external id won the race: answer with its order.
    async with uow:
        existing = await _find_repeat(uow, data, fingerprint)
        if existing is None:
            raise DomainError(
                Code.DUPLICATE,
                "A concurrent request conflicted; retry",
                ["idempotencyKey"],
            )
        return Placed(existing, created=False)


_QUEUE = "SELECT pg_advisory_xact_lock(hashtextextended($1::text, 0))"
_BY_KEY = "SELECT * FROM orders WHERE tenant_id = $1 AND idempotency_key = $2"
_BY_EXTERNAL = "SELECT * FROM orders WHERE tenant_id = $1 AND channel = $2 AND external_id = $3"


async def _queue_repeats(uow: UnitOfWork, data: OrderInput) -> None:
    """Requests with the same idempotency key or external id wait here for each other (until commit),
    so a retry racing its original finds the original's order instead of competing for its stock."""
    names = [f"key:{data.idempotency_key}"] if data.idempotency_key else []
    names += [f"ext:{data.channel}:{data.external_id}"] if data.external_id else []
    for name in names:  # always key before external id, so two requests cannot wait on each other
        await (await uow.driver()).execute(_QUEUE, f"{uow.tenant_id}:{name}")


async def _find_repeat(uow: UnitOfWork, data: OrderInput, fingerprint: str) -> Order | None:
    driver = await uow.driver()
    if data.idempotency_key:
        found = await driver.fetchrow(_BY_KEY, uow.tenant_id, data.idempotency_key)
        if found is not None:
            if found["request_hash"] != fingerprint:
                raise DomainError(
                    Code.IDEMPOTENCY_KEY_REUSED,
                    "This idempotency key was used for a different order request",
                    ["idempotencyKey"],
                )
            return order_from_row(found)
    if data.external_id:
        found = await driver.fetchrow(_BY_EXTERNAL, uow.tenant_id, data.channel, data.external_id)
        return None if found is None else order_from_row(found)
    return None


async def confirm_order(uow: UnitOfWork, order_id: uuid.UUID, expected_version: int | None = None) -> Order:
    with uow.leanly():  # every statement is written once and run on the driver
        async with uow:
            order = await confirming.confirm(uow, order_id, expected_version)
            await uow.commit()
    return order


async def cancel_order(
    uow: UnitOfWork, order_id: uuid.UUID, reason: str | None, expected_version: int | None = None
) -> Order:
    reason = (reason or "").strip()[:500] or None
    async with uow:
        order = await lock_order(uow, order_id, expected_version)
        await cancel_locked(uow, order, reason)
        await uow.commit()
    return order


async def cancel_locked(uow: UnitOfWork, order: Order, reason: str | None) -> None:
    """Cancels the order locked in the open unit of work: releases its stock, cancels its fulfillment
    orders, refunds what was paid. A step of orderCancel and of an approval's rejection."""
    await refuse_if_paid_by_credit(uow, order)
    order.cancel(reason)
    held, levels = await fulfillment_repo.lock_order_allocations(uow, order.id)
    reserved = [a for a in held if a.status == AllocationStatus.RESERVED and a.unshipped > 0]
    await inventory.release(
        uow, order.id, [(a.product_id, a.location_id, a.unshipped) for a in reserved], levels
    )
    for allocation in held:
        allocation.status = AllocationStatus.RELEASED
    await fulfillment.cancel_for_order(uow, order.id)
    await fill_freed(uow, [levels[key] for key in sorted({(a.product_id, a.location_id) for a in reserved})])
    if held:
        order.record(StockReleased(order.id, units=sum(a.unshipped for a in held)))
    await refund_cancelled(uow, order)


async def update_order(
    uow: UnitOfWork, order_id: uuid.UUID, data: OrderChanges, expected_version: int | None = None
) -> Order:
    problems = Problems()
    changes = check_changes(problems, data)
    problems.raise_if_any()
    async with uow:
        order = await lock_order(uow, order_id, expected_version)
        order.edit(changes)
        await uow.commit()
    return order


async def record_payment(
    uow: UnitOfWork,
    order_id: uuid.UUID,
    reference: str,
    amount: str | None,
    expected_version: int | None = None,
) -> Order:
    reference = (reference or "").strip()
    if not reference or len(reference) > 128:
        raise DomainError(
            Code.REQUIRED,
            "A payment reference of 1 to 128 characters is required",
            ["reference"],
        )
    with uow.leanly():  # every statement is written once and run on the driver
        async with uow:
            order, new = await paying.pay(uow, order_id, reference, amount, expected_version)
            if new:
                await uow.commit()
    return order


async def set_priority(
    uow: UnitOfWork, order_id: uuid.UUID, override: int | None, reason: str | None
) -> Order:
    """Sets (or, with None, clears) the manual priority; the order's open fulfillment orders follow."""
    reason = (reason or "").strip()[:500] or None
    async with uow:
        order = await lock_order(uow, order_id, None)
        order.set_priority(override, reason)
        await fulfillment.reprioritize(uow, order)
        await uow.commit()
    return order
