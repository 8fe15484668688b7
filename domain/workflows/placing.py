"""orderCreate: place an order. Checks the request, then in one lean unit of work (every statement
written once and run on the driver): a repeat of an earlier request answers with its order; otherwise the
order is priced, assessed and its customer upserted, then its stock reserved and the order written in one
statement, with its events (placement.py). Without level locks first; with them when the answer needs exact
figures."""

from __future__ import annotations

from dataclasses import dataclass

import asyncpg

from domain.errors import Code, DomainError, Problems
from domain.orders import access
from domain.orders.inputs import OrderInput
from domain.orders.models import Order
from domain.orders.repeats import UNIQUE_REQUEST, find_repeat, queue_repeats
from domain.orders.validation import check_address, check_order, request_hash
from domain.risk.placing import Signals
from domain.uow import UnitOfWork
from domain.workflows import placement


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
                async with uow as tx:
                    await queue_repeats(tx, data)
                    existing = await find_repeat(tx, data, fingerprint)
                    if existing is not None:
                        return Placed(existing, created=False)
                    token = access.new_token()
                    planned = await placement.plan(tx, data, lock, signals)
                    order = await placement.write(
                        tx, data, planned, fingerprint, shipping, billing, access.digest(token)
                    )
                    await uow.commit()
                    return Placed(order, created=True, access_token=token)
            except placement.Contended:
                continue
        raise AssertionError("placement with the levels locked cannot be contended")
    except asyncpg.UniqueViolationError as exc:  # the driver's own error: placement runs on it
        if not any(name in str(exc) for name in UNIQUE_REQUEST):
            raise
    # A concurrent request with the same key or external id won the race: answer with its order.
    async with uow as tx:
        existing = await find_repeat(tx, data, fingerprint)
        if existing is None:
            raise DomainError(
                Code.DUPLICATE,
                "A concurrent request conflicted; retry",
                ["idempotencyKey"],
            )
        return Placed(existing, created=False)
