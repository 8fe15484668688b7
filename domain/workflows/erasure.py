"""Data-subject requests: everything Baton holds about one customer, as JSON (`export`), and their
pseudonymisation (`erase`), which keeps the shop's financial records and ledgers whole.

What names a person: the customer row (email, names, phone); their orders' email, addresses and note,
and the request hash that was computed over them; their returns' notes; the emails sent to them; and
every event and timeline entry about their orders, returns, refunds, fulfillment orders and shipments,
or carrying their email (customer tokens, tier changes). Erasure replaces the email with a pseudonym
(`erased-<hash of the customer id>@invalid`), names and address lines with "Erased", phones and notes
with nothing, and scrubs those strings wherever they appear in event payloads and timeline texts; it
leaves amounts, SKUs, quantities, statuses, dates, the city, region and country (where tax was due).
It is refused while the customer has an order not yet delivered or cancelled, or a return still open.

A workflow, not a customers use case: it reads and rewrites rows of nearly every context (orders, returns,
refunds, fulfillment, shipping, notifications, the event log), all above customers."""

from __future__ import annotations

import hashlib
import json
import uuid
from typing import Any

from sqlalchemy import Text, cast, select, update

from domain.customers.events import CustomerDataExported, CustomerErased
from domain.customers.models import Customer
from domain.customers.repository import lock_customer
from domain.customers.scrub import ERASED, Scrubber
from domain.errors import Code, DomainError
from domain.events.models import OutboxEvent, TimelineEntry
from domain.fulfillment.models import FulfillmentOrder
from domain.money import to_decimal
from domain.notifications.models import Notification
from domain.orders.models import Order, OrderLine
from domain.orders.status import OrderStatus
from domain.refunds.models import Refund
from domain.returns.models import Return, ReturnLine
from domain.returns.status import ReturnStatus
from domain.shipping.models import Shipment
from domain.uow import Transaction, UnitOfWork

CLOSED_ORDERS = {OrderStatus.DELIVERED, OrderStatus.CANCELLED}
CLOSED_RETURNS = {ReturnStatus.DECLINED, ReturnStatus.CLOSED, ReturnStatus.CANCELLED}
ADDRESS_ERASED = ("name", "company", "line1", "line2", "postalCode")


def pseudonym(customer_id: uuid.UUID) -> str:
    return f"erased-{hashlib.sha256(customer_id.bytes).hexdigest()[:16]}@invalid"


async def _ids(tx: Transaction, table: Any, column: Any, among: list[uuid.UUID]) -> list[uuid.UUID]:
    if not among:
        return []
    rows = await tx.session.execute(
        select(table.id).where(table.tenant_id == tx.tenant_id, column.in_(among))
    )
    return list(rows.scalars())


async def _related(tx: Transaction, customer: Customer) -> dict[str, list[uuid.UUID]]:
    """The ids of everything that belongs to the customer's orders."""
    orders = await _ids(tx, Order, Order.customer_id, [customer.id])
    return {
        "orders": orders,
        "returns": await _ids(tx, Return, Return.order_id, orders),
        "refunds": await _ids(tx, Refund, Refund.order_id, orders),
        "fulfillment": await _ids(tx, FulfillmentOrder, FulfillmentOrder.order_id, orders),
        "shipments": await _ids(tx, Shipment, Shipment.order_id, orders),
    }


def _subjects(customer: Customer, related: dict[str, list[uuid.UUID]]) -> list[uuid.UUID]:
    """The customer and everything that belongs to their orders: what events and timelines are about."""
    return [customer.id, *(i for ids in related.values() for i in ids)]


def _naming(customer: Customer, related: dict[str, list[uuid.UUID]]) -> Any:
    """Outbox events about the customer's things, or carrying their email."""
    return (OutboxEvent.aggregate_id.in_(_subjects(customer, related))) | (
        cast(OutboxEvent.payload, Text).contains(json.dumps(customer.email)[1:-1], autoescape=True)
    )


async def export(uow: UnitOfWork, customer_id: uuid.UUID | None, email: str | None) -> dict[str, Any]:
    async with uow as tx:
        customer = await lock_customer(tx, customer_id, email)
        related = await _related(tx, customer)
        data = await _gather(tx, customer, related)
        tx.record(CustomerDataExported(customer.id))
        await uow.commit()
    return data


async def _gather(tx: Transaction, customer: Customer, related: dict[str, list[uuid.UUID]]) -> dict[str, Any]:
    s, tenant = tx.session, tx.tenant_id
    orders = (
        await s.execute(select(Order).where(Order.tenant_id == tenant, Order.id.in_(related["orders"])))
    ).scalars()
    lines = (
        await s.execute(
            select(OrderLine).where(OrderLine.tenant_id == tenant, OrderLine.order_id.in_(related["orders"]))
        )
    ).scalars()
    by_order: dict[uuid.UUID, list[OrderLine]] = {}
    for line in lines:
        by_order.setdefault(line.order_id, []).append(line)
    returns = (
        await s.execute(select(Return).where(Return.tenant_id == tenant, Return.id.in_(related["returns"])))
    ).scalars()
    notes = (
        await s.execute(
            select(Notification).where(
                Notification.tenant_id == tenant, Notification.order_id.in_(related["orders"])
            )
        )
    ).scalars()
    events = (
        await s.execute(
            select(OutboxEvent)
            .where(OutboxEvent.tenant_id == tenant, _naming(customer, related))
            .order_by(OutboxEvent.occurred_at, OutboxEvent.id)
        )
    ).scalars()
    return {
        "customer": {
            "id": str(customer.id),
            "email": customer.email,
            "firstName": customer.first_name,
            "lastName": customer.last_name,
            "phone": customer.phone,
            "tier": customer.tier,
            "createdAt": customer.created_at.isoformat(),
        },
        "orders": [_order(o, by_order.get(o.id, [])) for o in orders],
        "returns": [
            {
                "id": str(r.id),
                "number": f"RMA-{r.number}",
                "orderId": str(r.order_id),
                "status": r.status,
                "customerNote": r.customer_note,
                "createdAt": r.created_at.isoformat(),
            }
            for r in returns
        ],
        "notifications": [
            {
                "template": n.template,
                "recipient": n.recipient,
                "subject": n.subject,
                "body": n.body,
                "status": n.status,
                "createdAt": n.created_at.isoformat(),
            }
            for n in notes
        ],
        "events": [
            {
                "type": e.type,
                "aggregateType": e.aggregate_type,
                "occurredAt": e.occurred_at.isoformat(),
                "payload": e.payload,
            }
            for e in events
        ],
    }


def _order(o: Order, lines: list[OrderLine]) -> dict[str, Any]:
    def money(minor: int) -> str:
        return str(to_decimal(minor, o.currency))

    return {
        "id": str(o.id),
        "number": f"#{o.number}",
        "channel": o.channel,
        "status": o.status,
        "paymentStatus": o.payment_status,
        "email": o.email,
        "shippingAddress": o.shipping_address,
        "billingAddress": o.billing_address,
        "clientIp": o.client_ip,  # where the order was placed from (fraud velocity, domain/risk/)
        "note": o.note,
        "currency": o.currency,
        "total": money(o.total),
        "paid": money(o.paid),
        "refunded": money(o.refunded),
        "createdAt": o.created_at.isoformat(),
        "lines": [
            {
                "sku": line.sku,
                "name": line.name,
                "quantity": line.quantity,
                "unitPrice": money(line.unit_price),
            }
            for line in sorted(lines, key=lambda line: line.position)
        ],
    }


async def erase(uow: UnitOfWork, customer_id: uuid.UUID | None, email: str | None) -> Customer:
    """Pseudonymises the customer everywhere (see the module's docstring); all or nothing."""
    async with uow as tx:
        customer = await lock_customer(tx, customer_id, email)
        fake = pseudonym(customer.id)
        if customer.email == fake:  # erased already: nothing left to do
            await uow.commit()
            return customer
        related = await _related(tx, customer)
        await _refuse_open(tx, related)
        scrubber = await _scrubber(tx, customer, related, fake)
        await _erase_events(tx, customer, related, scrubber)
        await _erase_orders(tx, related, fake)
        customer.email, customer.first_name, customer.last_name, customer.phone = fake, None, None, None
        tx.record(CustomerErased(customer.id))
        await uow.commit()
    return customer


async def _refuse_open(tx: Transaction, related: dict[str, list[uuid.UUID]]) -> None:
    orders = await _open(tx, Order, related["orders"], CLOSED_ORDERS)
    if orders:
        numbers = ", ".join(f"#{n}" for n in orders)
        message = f"The customer has orders not yet delivered or cancelled: {numbers}"
        raise DomainError(Code.OPEN_ORDERS, message, ["customerId"])
    returns = await _open(tx, Return, related["returns"], CLOSED_RETURNS)
    if returns:
        numbers = ", ".join(f"RMA-{n}" for n in returns)
        raise DomainError(
            Code.OPEN_RETURNS, f"The customer has returns still open: {numbers}", ["customerId"]
        )


async def _open(tx: Transaction, model: Any, ids: list[uuid.UUID], closed: set[Any]) -> list[int]:
    """The numbers of those orders (or returns) whose status is not one of `closed`, in order."""
    rows = await tx.session.execute(
        select(model.number)
        .where(model.tenant_id == tx.tenant_id, model.id.in_(ids), model.status.not_in(closed))
        .order_by(model.number)
    )
    return list(rows.scalars())


async def _scrubber(
    tx: Transaction, customer: Customer, related: dict[str, list[uuid.UUID]], fake: str
) -> Scrubber:
    """Everything that names the person: the customer row, and every order's email and address lines."""
    rows = await tx.session.execute(
        select(Order.email, Order.shipping_address, Order.billing_address).where(
            Order.tenant_id == tx.tenant_id, Order.id.in_(related["orders"])
        )
    )
    strings: list[str | None] = [customer.first_name, customer.last_name, customer.phone]
    if customer.first_name and customer.last_name:
        strings.append(f"{customer.first_name} {customer.last_name}")
    emails = {customer.email}
    for order_email, *addresses in rows:
        emails.add(order_email)
        for address in addresses:
            strings += [(address or {}).get(k) for k in (*ADDRESS_ERASED, "phone")]
    strings += sorted(e for e in emails if e != customer.email)
    return Scrubber.of(customer.email, fake, *strings)


async def _erase_events(
    tx: Transaction, customer: Customer, related: dict[str, list[uuid.UUID]], scrubber: Scrubber
) -> None:
    s, tenant = tx.session, tx.tenant_id
    for event in (
        await s.execute(
            select(OutboxEvent).where(OutboxEvent.tenant_id == tenant, _naming(customer, related))
        )
    ).scalars():
        event.payload = scrubber.json(event.payload)
    subjects = _subjects(customer, related)
    entries = select(TimelineEntry).where(
        TimelineEntry.tenant_id == tenant, TimelineEntry.subject_id.in_(subjects)
    )
    for entry in (await s.execute(entries)).scalars():
        entry.message, entry.data = scrubber.text(entry.message), scrubber.json(entry.data)
    notes = select(Notification).where(
        Notification.tenant_id == tenant, Notification.order_id.in_(related["orders"])
    )
    for note in (await s.execute(notes)).scalars():
        note.recipient, note.subject = scrubber.pseudonym, scrubber.text(note.subject)
        note.body = "Erased at the customer's request."


async def _erase_orders(tx: Transaction, related: dict[str, list[uuid.UUID]], fake: str) -> None:
    s, tenant = tx.session, tx.tenant_id
    for order in (
        await s.execute(select(Order).where(Order.tenant_id == tenant, Order.id.in_(related["orders"])))
    ).scalars():
        order.email, order.note, order.request_hash = fake, None, None
        order.client_ip = order.address_key = None  # the fraud rules' velocity keys (domain/risk/)
        order.shipping_address = _address(order.shipping_address)
        order.billing_address = _address(order.billing_address) if order.billing_address else None
    await s.execute(
        update(Return)
        .where(Return.tenant_id == tenant, Return.id.in_(related["returns"]))
        .values(customer_note=None)
    )
    await s.execute(
        update(ReturnLine)
        .where(ReturnLine.tenant_id == tenant, ReturnLine.return_id.in_(related["returns"]))
        .values(note=None)
    )


def _address(address: dict[str, Any]) -> dict[str, Any]:
    """The address with the lines that locate the person erased; city, region and country stay."""
    return {**address, **{k: ERASED for k in ADDRESS_ERASED if address.get(k)}, "phone": None}
