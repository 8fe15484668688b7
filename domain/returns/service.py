"""Return use cases: request, decline, mark in transit, close, cancel. Receiving is in receiving.py;
approving, which creates the exchange order, is domain/workflows/exchanging.py. One unit of work each."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from domain import validation
from domain.catalog.models import Product
from domain.catalog.repository import products_by_sku
from domain.db import utcnow
from domain.errors import Code, DomainError, Problems
from domain.orders.models import Order, OrderLine
from domain.orders.repository import lines_of_order, lock_order
from domain.orders.status import OrderStatus
from domain.returns import repository, rules
from domain.returns.events import ReturnRequested
from domain.returns.models import Return, ReturnLine
from domain.returns.status import ReturnReason
from domain.shipping.carriers import carrier_for
from domain.tenancy.repository import get_tenant
from domain.uow import Transaction, UnitOfWork

MAX_LINES = 250
MAX_EXCHANGE_UNITS = 10_000
SHIPPED = frozenset({OrderStatus.PARTIALLY_SHIPPED, OrderStatus.SHIPPED, OrderStatus.DELIVERED})


@dataclass(frozen=True)
class ExchangeInput:
    sku: str
    quantity: int


@dataclass(frozen=True)
class ReturnLineInput:
    order_line_id: uuid.UUID
    quantity: int
    reason: ReturnReason
    note: str | None = None
    exchange_for: ExchangeInput | None = None


@dataclass
class ReturnInput:
    order_id: uuid.UUID
    lines: list[ReturnLineInput]
    customer_note: str | None = None


def _check(data: ReturnInput) -> tuple[str | None, list[str | None]]:
    problems = Problems()
    note = validation.text(problems, data.customer_note, ("customerNote",), 2000, required=False)
    if not data.lines:
        problems.add(Code.REQUIRED, "A return needs at least one line", "lines")
    if len(data.lines) > MAX_LINES:
        problems.add(Code.TOO_MANY_LINES, f"At most {MAX_LINES} lines per return", "lines")
    validation.line_units(problems, data.lines)
    notes = []
    for i, line in enumerate(data.lines):
        notes.append(validation.text(problems, line.note, ("lines", i, "note"), 2000, required=False))
        ex = line.exchange_for
        if ex is not None:
            validation.text(problems, ex.sku, ("lines", i, "exchangeFor", "sku"), 64)
            if not 0 < ex.quantity <= min(line.quantity, MAX_EXCHANGE_UNITS):
                problems.add(
                    Code.INVALID_QUANTITY,
                    "An exchange replaces between 1 unit and the units returned on its line",
                    "lines",
                    i,
                    "exchangeFor",
                    "quantity",
                )
    problems.raise_if_any()
    return note, notes


async def request_return(uow: UnitOfWork, data: ReturnInput) -> Return:
    customer_note, notes = _check(data)
    async with uow as tx:
        order = await lock_order(tx, data.order_id, None, field="orderId")
        if order.status not in SHIPPED:
            raise DomainError(
                Code.NOT_RETURNABLE,
                f"Order {order.display_number} is {order.status}: only shipped units can be returned",
                ["orderId"],
            )
        tenant = await get_tenant(tx)
        ends = rules.window_ends(await repository.window_starts(tx, order), tenant.return_window_days)
        if ends is not None and utcnow() > ends:
            raise DomainError(
                Code.RETURN_WINDOW_CLOSED,
                f"Returns for order {order.display_number} closed on {ends:%Y-%m-%d} "
                f"({tenant.return_window_days} days after "
                f"{'delivery' if order.delivered_at else 'the last shipment'})",
                ["orderId"],
            )
        order_lines = await lines_of_order(tx, order.id)
        problems = Problems()  # every problem of the request at once
        exchange_products = await _exchange_products(tx, order, data, problems)
        await _check_returnable(tx, order, order_lines, data, problems)
        problems.raise_if_any()
        return_id = uuid.uuid4()
        lines = [
            ReturnLine(
                tenant_id=tx.tenant_id,
                return_id=return_id,
                order_line_id=line.order_line_id,
                position=i,
                quantity=line.quantity,
                reason=line.reason,
                note=notes[i],
                exchange_product_id=exchange_products[i].id if i in exchange_products else None,
                exchange_sku=exchange_products[i].sku if i in exchange_products else None,
                exchange_quantity=line.exchange_for.quantity if line.exchange_for else None,
            )
            for i, line in enumerate(data.lines)
        ]
        ret = Return(
            id=return_id,
            tenant_id=tx.tenant_id,
            order_id=order.id,
            number=await repository.next_return_number(tx),
            customer_note=customer_note,
        )
        tx.session.add(ret)
        await tx.session.flush()  # no relationships: the return's row must exist before its lines'
        tx.session.add_all(lines)
        ret.record(
            ReturnRequested(
                ret.id,
                order_id=order.id,
                rma_number=ret.rma_number,
                lines=[
                    {
                        "sku": order_lines[line.order_line_id].sku,
                        "quantity": line.quantity,
                        "reason": line.reason.value,
                        "exchangeFor": line.exchange_sku,
                    }
                    for line in lines
                ],
            )
        )
        await repository.refresh_order_status(tx, order)
        await uow.commit()
    return ret


async def _check_returnable(
    tx: Transaction,
    order: Order,
    order_lines: dict[uuid.UUID, OrderLine],
    data: ReturnInput,
    problems: Problems,
) -> None:
    shipped = await repository.shipped_by_line(tx, order.id)
    claimed = await repository.claimed_by_line(tx, order.id)
    for i, line in enumerate(data.lines):
        found = order_lines.get(line.order_line_id)
        if found is None:
            problems.add(Code.NOT_FOUND, "No such line in this order", "lines", i, "orderLineId")
            continue
        left = shipped.get(found.id, 0) - claimed.get(found.id, 0)
        if line.quantity > left:
            problems.add(
                Code.EXCEEDS_RETURNABLE,
                f"Only {max(left, 0)} unit(s) of {found.sku} can be returned: shipped and not yet returned",
                "lines",
                i,
                "quantity",
            )


async def _exchange_products(
    tx: Transaction, order: Order, data: ReturnInput, problems: Problems
) -> dict[int, Product]:
    wanted = {i: line.exchange_for.sku.strip() for i, line in enumerate(data.lines) if line.exchange_for}
    if not wanted:
        return {}
    found = await products_by_sku(tx, set(wanted.values()))
    chosen = {}
    for i, sku in wanted.items():
        product = found.get(sku)
        field = ("lines", i, "exchangeFor", "sku")
        if product is None:
            problems.add(Code.UNKNOWN_SKU, f"No product with SKU {sku!r}", *field)
        elif not product.active:
            problems.add(Code.PRODUCT_INACTIVE, f"{sku} is not for sale", *field)
        elif product.currency != order.currency:
            problems.add(
                Code.CURRENCY_MISMATCH, f"{sku} is priced in {product.currency}, not {order.currency}", *field
            )
        else:
            chosen[i] = product
    return chosen


async def decline_return(uow: UnitOfWork, return_id: uuid.UUID, reason: str) -> Return:
    problems = Problems()
    cleaned = validation.text(problems, reason, ("reason",), 500)
    problems.raise_if_any()
    async with uow as tx:
        order, ret, _ = await repository.lock_return(tx, return_id)
        ret.decline(cleaned or "")
        await repository.refresh_order_status(tx, order)
        await uow.commit()
    return ret


async def mark_in_transit(
    uow: UnitOfWork, return_id: uuid.UUID, carrier: str, tracking_number: str
) -> Return:
    problems = Problems()
    number = validation.text(problems, tracking_number, ("trackingNumber",), 64)
    code = (carrier or "").strip().lower()
    if carrier_for(code) is None:
        problems.add(Code.UNKNOWN_CARRIER, f"No carrier called {carrier!r}", "carrier")
    problems.raise_if_any()
    async with uow as tx:
        order, ret, _ = await repository.lock_return(tx, return_id)
        ret.in_transit(code, number or "")
        await repository.refresh_order_status(tx, order)
        await uow.commit()
    return ret


async def close_return(uow: UnitOfWork, return_id: uuid.UUID) -> Return:
    """Ends a return, also one whose goods never came, unless units were paid back before arriving."""
    async with uow as tx:
        order, ret, lines = await repository.lock_return(tx, return_id)
        outstanding = sum(max(line.refunded - line.received, 0) for line in lines)
        if outstanding:
            raise DomainError(
                Code.RETURN_UNITS_OUTSTANDING,
                f"Return {ret.rma_number}: {outstanding} unit(s) refunded or credited to an exchange "
                "have not arrived; receive them first",
                ["id"],
            )
        ret.close()
        await repository.refresh_order_status(tx, order)
        await uow.commit()
    return ret


async def cancel_return(uow: UnitOfWork, return_id: uuid.UUID, reason: str | None) -> Return:
    problems = Problems()
    reason = validation.text(problems, reason, ("reason",), 500, required=False)
    problems.raise_if_any()
    async with uow as tx:
        order, ret, lines = await repository.lock_return(tx, return_id)
        if any(line.received or line.refunded for line in lines):
            raise DomainError(
                Code.RETURN_NOT_CANCELLABLE,
                f"Return {ret.rma_number} has received or refunded units; close it instead",
                ["id"],
            )
        ret.cancel(reason)
        await repository.refresh_order_status(tx, order)
        await uow.commit()
    return ret
