"""refundCreate: amounts computed here from what each line was charged, never taken from the client."""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass
from decimal import Decimal, DecimalException

from sqlalchemy.exc import IntegrityError

from domain import validation
from domain.errors import Code, DomainError, Problems
from domain.money import AmountError, to_minor
from domain.orders.models import Order
from domain.orders.repository import lines_of_order, lock_order
from domain.refunds import repository
from domain.refunds.calculation import shipping_charged
from domain.refunds.issuing import Amounts, LineRefund, issue
from domain.refunds.lines import Asked, line_refunds, of_return
from domain.refunds.models import Refund
from domain.returns import repository as returns
from domain.returns.models import ReturnLine
from domain.returns.status import ReturnStatus
from domain.tenancy.repository import get_tenant
from domain.uow import Transaction, UnitOfWork

MAX_LINES = 250
NOT_YET_REFUNDABLE = frozenset({ReturnStatus.REQUESTED, ReturnStatus.DECLINED, ReturnStatus.CANCELLED})


@dataclass(frozen=True)
class RefundLineInput:
    order_line_id: uuid.UUID
    quantity: int


@dataclass
class RefundInput:
    order_id: uuid.UUID
    reason: str
    idempotency_key: str
    return_id: uuid.UUID | None = None
    lines: list[RefundLineInput] | None = None  # None with a return: its received units not yet refunded
    shipping_amount: str | None = None  # decimal, tax included
    amount: str | None = None  # decimal: given back on top of lines and shipping (a goodwill amount)


@dataclass(frozen=True)
class Refunded:
    refund: Refund
    order: Order
    created: bool  # False when a repeat of the same idempotency key returned the first refund


def _fingerprint(data: RefundInput) -> str:
    canonical = {
        "order": str(data.order_id),
        "return": str(data.return_id) if data.return_id else None,
        "lines": None
        if data.lines is None
        else sorted((str(line.order_line_id), line.quantity) for line in data.lines),
        "shipping": _same(data.shipping_amount),
        "amount": _same(data.amount),
        "reason": data.reason.strip(),
    }
    return hashlib.sha256(json.dumps(canonical, sort_keys=True).encode()).hexdigest()


def _same(amount: str | None) -> str | None:
    """One spelling of a decimal amount, so "5.5" and "5.50" make the same request."""
    try:
        return None if amount is None else str(Decimal(amount).normalize())
    except DecimalException:
        return amount  # refused later, with its field


def _check(data: RefundInput) -> tuple[str, str]:
    problems = Problems()
    reason = validation.text(problems, data.reason, ("reason",), 500)
    key = validation.text(problems, data.idempotency_key, ("idempotencyKey",), 128)
    if data.lines is not None and len(data.lines) > MAX_LINES:
        problems.add(Code.TOO_MANY_LINES, f"At most {MAX_LINES} lines per refund", "lines")
    validation.line_units(problems, data.lines or [])
    problems.raise_if_any()
    assert reason is not None and key is not None
    return reason, key


async def create_refund(uow: UnitOfWork, data: RefundInput) -> Refunded:
    reason, key = _check(data)
    fingerprint = _fingerprint(data)
    try:
        async with uow as tx:
            order = await lock_order(tx, data.order_id, None, field="orderId")
            # Repeats of one request lock the same order, so the second finds the first's refund here.
            existing = await _repeat(tx, key, fingerprint)
            if existing is not None:
                return Refunded(existing, order, created=False)
            amounts = await _amounts(tx, order, data)
            refund = await issue(tx, order, amounts, reason, data.return_id, key, fingerprint)
            await uow.commit()
            return Refunded(refund, order, created=True)
    except IntegrityError as exc:
        if "uq_refunds_tenant_id_idempotency_key" not in str(exc.orig):
            raise
    # The same key used at the same moment for another order's refund: report which one won.
    async with uow as tx:
        existing = await _repeat(tx, key, fingerprint)
        if existing is None:
            raise DomainError(Code.DUPLICATE, "A concurrent request conflicted; retry", ["idempotencyKey"])
        order = await tx.session.get_one(Order, existing.order_id)
        return Refunded(existing, order, created=False)


async def _repeat(tx: Transaction, key: str, fingerprint: str) -> Refund | None:
    existing = await repository.by_key(tx, key)
    if existing is not None and existing.request_hash != fingerprint:
        raise DomainError(
            Code.IDEMPOTENCY_KEY_REUSED,
            "This idempotency key was used for a different refund request",
            ["idempotencyKey"],
        )
    return existing


async def _amounts(tx: Transaction, order: Order, data: RefundInput) -> Amounts:
    tenant = await get_tenant(tx)
    order_lines = await lines_of_order(tx, order.id)
    refunded = await repository.refunded_units(tx, order.id)
    problems = Problems()
    if data.return_id is not None:
        asked = await _return_lines(tx, order, data, problems)
    else:
        asked = [Asked(i, line.order_line_id, line.quantity) for i, line in enumerate(data.lines or [])]
    refunds = line_refunds(problems, asked, order_lines, refunded, tenant.restocking_fee_bps)
    for refund, return_line in _by_return_line(refunds, asked):
        return_line.refunded += refund.quantity
    shipping = _minor(problems, data.shipping_amount, order.currency, "shippingAmount")
    if shipping:
        lines_tax = sum(line.tax for line in order_lines.values())
        left = shipping_charged(order.shipping, order.tax, lines_tax) - await repository.shipping_refunded(
            tx, order.id
        )
        if shipping > left:
            problems.add(
                Code.EXCEEDS_REFUNDABLE,
                f"Only {left} minor units of shipping are left to refund",
                "shippingAmount",
            )
    extra = _minor(problems, data.amount, order.currency, "amount")
    problems.raise_if_any()
    amounts = Amounts(refunds, shipping, extra)
    if amounts.total <= 0:
        raise DomainError(Code.NOTHING_TO_REFUND, "This refund would give nothing back", ["lines"])
    return amounts


async def _return_lines(tx: Transaction, order: Order, data: RefundInput, problems: Problems) -> list[Asked]:
    """The units a refund of a return covers, from the return's lines, locked."""
    assert data.return_id is not None
    found = await returns.lock_return_of_order(tx, order.id, data.return_id)
    if found is None:
        raise DomainError(Code.NOT_FOUND, "No such return for this order", ["returnId"])
    if found.status in NOT_YET_REFUNDABLE:
        raise DomainError(
            Code.INVALID_TRANSITION,
            f"Return {found.rma_number} is {found.status}: only approved returns are refunded",
            ["returnId"],
        )
    return_lines = await returns.lines_of(tx, found.id)
    wanted = None if data.lines is None else [(line.order_line_id, line.quantity) for line in data.lines]
    return of_return(problems, return_lines, wanted)


def _by_return_line(refunds: list[LineRefund], asked: list[Asked]) -> list[tuple[LineRefund, ReturnLine]]:
    lines = {a.return_line.id: a.return_line for a in asked if a.return_line is not None}
    return [(r, lines[r.return_line_id]) for r in refunds if r.return_line_id is not None]


def _minor(problems: Problems, value: str | None, currency: str, field: str) -> int:
    if value is None:
        return 0
    try:
        minor = to_minor(value, currency)
    except AmountError as exc:
        problems.add(Code.INVALID_AMOUNT, str(exc), field)
        return 0
    if minor < 0:
        problems.add(Code.INVALID_AMOUNT, f"{field} cannot be negative", field)
        return 0
    return minor


async def refund_cancelled(tx: Transaction, order: Order) -> Refund | None:
    """A cancelled order gives back everything still paid on it."""
    if order.refundable <= 0:
        return None
    return await issue(tx, order, Amounts([], extra=order.refundable), "Order cancelled")
