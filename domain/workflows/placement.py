"""Placing an order in a few statements written once: in `plan`, one read of everything the rules need
(JSON as text, decoded here whatever codecs the connection has) that also upserts the customer; in
`write`, one statement that reserves the stock (domain/inventory/reserving.py) and, only if every level
still had the units, numbers and writes the order's rows (domain/orders/rows.py); then the unit of
work's events and commit. The levels and the tenant's counter are locked from that statement to commit.

The read takes no lock: the plan it allows is reserved by an UPDATE that succeeds only where the units are
still there. When that comes back short, or when the read shows a short line or a backorder (where the
answer depends on exact figures), placement is run again with the product's levels locked in
(product, location) order from the read on, which gives exactly the figures the answer needs."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from domain.catalog.customization import Option, options_of, price_line
from domain.catalog.models import BackorderPolicy
from domain.customers.service import upsert
from domain.db import shifted, utcnow
from domain.errors import Code, DomainError, Problems
from domain.events.base import money
from domain.fulfillment.priority import compute_priority, default_ship_by
from domain.inventory import reserving
from domain.inventory.allocation import Allocation, Need, allocate, refuse_if_short
from domain.inventory.reserving import Reservation, Reservations
from domain.money import MAX_MINOR, AmountError, to_minor
from domain.orders import approval_request as approval
from domain.orders import rows
from domain.orders.events import OrderCreated, StockReserved
from domain.orders.inputs import OrderInput
from domain.orders.models import Order
from domain.orders.pricing import Totals, price_order
from domain.orders.rows import NewAllocation, NewLine
from domain.orders.status import AllocationStatus, CustomerTier, FulfillmentStatus, OrderStatus, PaymentStatus
from domain.risk import history as risk_history
from domain.risk.assessments import assessed, built_in_assessment
from domain.risk.models import BUILT_IN
from domain.risk.placing import Signals, assess_placement
from domain.risk.rules import Assessment
from domain.uow import Transaction

_READ = """
WITH product AS MATERIALIZED (
  SELECT p.id, p.sku, p.name, p.price, p.currency, p.active, p.backorder_policy, p.customization_options
  FROM products p WHERE p.tenant_id = $1 AND p.sku = ANY($2::text[])
), level AS MATERIALIZED (
  SELECT v.id, v.product_id, v.location_id, v.on_hand - v.committed - v.safety_stock AS sellable
  FROM inventory_levels v WHERE v.tenant_id = $1 AND v.product_id IN (SELECT id FROM product)
  ORDER BY v.product_id, v.location_id {lock}
), {customer}
SELECT (SELECT id FROM customer) AS customer_id, (SELECT tier FROM customer) AS customer_tier,
  t.currency, t.tax_rate_bps, t.shipping_rates::text AS shipping_rates,
  (SELECT json_agg(product) FROM product)::text AS products,
  (SELECT json_agg(l.id ORDER BY l.priority, l.code) FROM locations l
   WHERE l.tenant_id = $1 AND l.active)::text AS locations,
  (SELECT json_agg(level) FROM level)::text AS levels,
  {approval},
  t.risk_settings::text AS risk_settings,{history}
FROM tenants t WHERE t.id = $1
"""
HISTORY = risk_history.columns(3, 4, 5, 6, 7)  # fraud risk: what came before the order (domain/risk/)
CUSTOMER = upsert(8, 3, 9, 10, 11, 12)  # $3 is the customer's email, as in HISTORY and the approval rules
READ = _READ.format(lock="", approval=approval.READ_RULES, history=HISTORY, customer=CUSTOMER)
READ_LOCKED = _READ.format(
    lock="FOR UPDATE", approval=approval.READ_RULES, history=HISTORY, customer=CUSTOMER
)
# The reservation, then the order's rows on the parameters after it, guarded by the reservation's count
# ($12: the levels it must move). The guard reads `moved`, so the levels are locked before the counter.
GUARDED = f"AND (SELECT count(*) FROM moved) = ${reserving.PARAMETERS + 1}"
WRITE = f"""WITH {reserving.RESERVE_CTES},
{shifted(rows.ORDER_ROWS_CTES, reserving.PARAMETERS + 1).format(guard=GUARDED)}
SELECT c.number, m.id, m.on_hand, m.committed, m.damaged, m.safety_stock
FROM (SELECT (SELECT number FROM counter) AS number) c LEFT JOIN moved m ON true"""
# Levels for backorders at a location that never stocked the product, so that a receipt there fills them.
ENSURE_LEVELS = """
INSERT INTO inventory_levels (id, tenant_id, product_id, location_id, on_hand, committed, incoming, damaged,
  safety_stock, reorder_point, updated_at)
SELECT gen_random_uuid(), $1::uuid, k.product_id, k.location_id, 0, 0, 0, 0, 0, 0, $4::timestamptz
FROM unnest($2::uuid[], $3::uuid[]) AS k(product_id, location_id)
ON CONFLICT DO NOTHING
"""


class Contended(Exception):
    """The unlocked read's plan could not be reserved as it was, or needs exact figures: place again
    with the levels locked."""


@dataclass(frozen=True)
class Product:
    id: uuid.UUID
    sku: str
    name: str
    price: int
    currency: str
    active: bool
    allow_backorder: bool
    options: tuple[Option, ...]  # declared customization options; none: free-form values


@dataclass(frozen=True)
class Planned:
    """An order that is priced, whose customer is upserted and whose stock reservations are planned,
    before it is written."""

    order_id: uuid.UUID
    at: datetime
    products: dict[str, Product]
    currency: str
    totals: Totals
    needs: list[Need]
    allocations: list[Allocation]
    reservations: Reservations
    customer: tuple[uuid.UUID, str]  # id, tier
    approval_rules: approval.ShopRules  # the shop's approval rules (domain/orders/approval_request.py)
    risk: Assessment  # the built-in fraud-risk assessment
    signals: Signals


async def plan(tx: Transaction, data: OrderInput, lock: bool, signals: Signals) -> Planned:
    """Prices the order, upserts its customer and plans its stock's reservations in the open unit of work;
    raises Contended (lock=False only), Rejected or DomainError otherwise."""
    now = utcnow()
    driver = await tx.driver()
    skus = sorted({line.sku for line in data.lines})
    c = data.customer
    customer = (uuid.uuid4(), c.first_name, c.last_name, c.phone, now)
    row = await driver.fetchrow(
        READ_LOCKED if lock else READ, tx.tenant_id, skus, *signals.parameters(now), *customer
    )
    products = _products(data, json.loads(row["products"] or "[]"))
    currency = next(iter(products.values())).currency
    rate = json.loads(row["shipping_rates"] or "{}").get(data.shipping_method, "0")
    if currency != row["currency"] and to_minor(rate, row["currency"]) != 0:
        raise DomainError(
            Code.CURRENCY_MISMATCH,
            f"Shipping rates are set in {row['currency']}; {data.shipping_method} cannot be charged "
            f"on an order in {currency}",
            ["shippingMethod"],
        )
    problems = Problems()  # customizations are checked and priced against the product's options
    unit_prices = [
        products[line.sku].price
        + price_line(problems, products[line.sku].options, line.customizations, currency, i)
        for i, line in enumerate(data.lines)
    ]
    problems.raise_if_any()
    try:
        totals = price_order(
            [(price, line.quantity) for price, line in zip(unit_prices, data.lines, strict=True)],
            rate,
            currency,
            row["tax_rate_bps"],
        )
    except AmountError as exc:
        raise DomainError(Code.INVALID_AMOUNT, f"Shipping rate: {exc}", ["shippingMethod"]) from exc
    if totals.total > MAX_MINOR:
        raise DomainError(Code.INVALID_AMOUNT, "The order's total is more than one order can hold", ["lines"])
    risk = assess_placement(data, totals.total, row)

    needs = [
        Need(i, products[line.sku].id, line.quantity, products[line.sku].allow_backorder)
        for i, line in enumerate(data.lines)
    ]
    locations = [uuid.UUID(x) for x in json.loads(row["locations"] or "[]")]
    if not locations:
        raise DomainError(Code.NO_LOCATION, "There is no active location to ship from", ["lines"])
    levels = {
        (uuid.UUID(lv["product_id"]), uuid.UUID(lv["location_id"])): (uuid.UUID(lv["id"]), lv["sellable"])
        for lv in json.loads(row["levels"] or "[]")
    }
    active = set(locations)
    plan = allocate(needs, locations, {key: lv[1] for key, lv in levels.items() if key[1] in active})
    if not lock and (plan.shortages or any(a.backordered for a in plan.allocations)):
        raise Contended
    refuse_if_short(plan)
    order_id = uuid.uuid4()
    missing = sorted({(needs[a.index].product_id, a.location_id) for a in plan.allocations} - set(levels))
    if missing:  # backorders waiting at a location that never stocked the product
        await driver.execute(
            ENSURE_LEVELS, tx.tenant_id, [k[0] for k in missing], [k[1] for k in missing], now
        )
    reservations = Reservations(
        [
            Reservation(
                levels[needs[a.index].product_id, a.location_id][0],
                needs[a.index].product_id,
                a.location_id,
                a.quantity,
            )
            for a in plan.allocations
            if not a.backordered
        ]
    )
    return Planned(
        order_id,
        now,
        products,
        currency,
        totals,
        needs,
        plan.allocations,
        reservations,
        (row["customer_id"], row["customer_tier"]),
        approval.read(row),
        risk,
        signals,
    )


async def write(
    tx: Transaction,
    data: OrderInput,
    planned: Planned,
    fingerprint: str,
    shipping: dict[str, Any],
    billing: dict[str, Any] | None,
    token_hash: str,
) -> Order:
    """Reserves the planned order's stock and, when every level still had the units, numbers and writes
    it; records their events. Raises Contended when a level no longer had them."""
    now, totals, products, customer = planned.at, planned.totals, planned.products, planned.customer
    ship_by = data.ship_by or default_ship_by(data.shipping_method, now)
    # An approval rule that holds the order, if one matches.
    rule = approval.rule_for(
        planned.approval_rules,
        data,
        totals.total,
        planned.currency,
        customer[1],
        shipping,
        planned.risk.level,
    )
    order = Order(
        id=planned.order_id,
        tenant_id=tx.tenant_id,
        channel=data.channel,
        external_id=data.external_id,
        idempotency_key=data.idempotency_key,
        request_hash=fingerprint,
        access_token_hash=token_hash,
        customer_id=customer[0],
        email=data.customer.email,
        status=OrderStatus.PENDING_APPROVAL if rule else OrderStatus.PENDING,
        payment_status=PaymentStatus.PENDING,
        currency=planned.currency,
        subtotal=totals.subtotal,
        shipping=totals.shipping,
        tax=totals.tax,
        total=totals.total,
        paid=0,
        refunded=0,
        shipping_method=data.shipping_method,
        shipping_address=shipping,
        billing_address=billing,
        note=data.note,
        tags=data.tags,
        fulfillment_status=FulfillmentStatus.UNFULFILLED,
        return_status="NO_RETURN",
        priority=compute_priority(data.shipping_method, CustomerTier(customer[1]), ship_by, now),
        priority_override=None,
        ship_by=ship_by,
        exchange_of_id=None,
        adjustment=0,
        adjustments=[],
        edit_refunded=0,
        risk_level=planned.risk.level,
        risk_score=planned.risk.score,
        client_ip=planned.signals.client_ip,
        address_key=planned.signals.address_key,
        version=1,
        created_at=now,
        updated_at=now,
    )
    lines = [
        NewLine(
            uuid.uuid4(),
            products[line.sku].id,
            line.sku,
            products[line.sku].name,
            line.quantity,
            priced.unit_price,
            priced.subtotal,
            priced.tax,
            [{"name": n.strip(), "value": v} for n, v in line.customizations],
        )
        for line, priced in zip(data.lines, totals.lines, strict=True)
    ]
    allocations = [
        NewAllocation(
            lines[a.index].id,
            planned.needs[a.index].product_id,
            a.location_id,
            a.quantity,
            AllocationStatus.BACKORDERED if a.backordered else AllocationStatus.RESERVED,
        )
        for a in planned.allocations
    ]
    risk = planned.risk
    order_rows = rows.parameters(tx, order, lines, allocations, now, built_in_assessment(risk, tx.actor))
    reservations = planned.reservations
    driver = await tx.driver()
    written = await driver.fetch(
        WRITE,
        *reservations.parameters(tx, order.id, now),
        len(reservations.per_level),
        *order_rows,
    )
    moved = [r for r in written if r["id"] is not None]
    if written[0]["number"] is None or not reservations.record(tx, moved):
        raise Contended
    order.number = written[0]["number"]
    total = money(totals.total, planned.currency)
    tx.record(OrderCreated(order.id, number=order.display_number, channel=data.channel, total=total))
    tx.record(StockReserved.of(order.id, planned.allocations, [line.sku for line in data.lines]))
    tx.record(assessed(order, BUILT_IN, risk.level, risk.score))
    if rule is not None:
        await approval.request_approval(tx, order, rule)
    return order


def _products(data: OrderInput, rows: list[dict[str, Any]]) -> dict[str, Product]:
    found = {
        r["sku"]: Product(
            uuid.UUID(r["id"]),
            r["sku"],
            r["name"],
            r["price"],
            r["currency"],
            r["active"],
            r["backorder_policy"] == BackorderPolicy.ALLOW,
            options_of(r["customization_options"]),
        )
        for r in rows
    }
    problems = Problems()
    currencies = {p.currency for p in found.values()}
    for i, line in enumerate(data.lines):
        product = found.get(line.sku)
        if product is None:
            problems.add(Code.UNKNOWN_SKU, f"No product with SKU {line.sku!r}", "lines", i, "sku")
        elif not product.active:
            problems.add(Code.PRODUCT_INACTIVE, f"{line.sku} is not for sale", "lines", i, "sku")
    if len(currencies) > 1:
        problems.add(
            Code.CURRENCY_MISMATCH,
            f"All lines must be priced in one currency, not {', '.join(sorted(currencies))}",
            "lines",
        )
    problems.raise_if_any()
    return found
