"""Writing a new order: its number, its row, its lines and its allocations in one statement of multi-row
INSERTs, written once and run on the unit of work's own connection.

The tenant's order counter is taken in the same statement, so the tenant row (which every order of the
tenant queues on, to keep numbers gap-free) is locked only from here to commit: call this last.
Placement runs these parts in the statement that reserves the order's stock, with a guard that leaves
the counter and every row alone when the reservation came back short (domain/workflows/placement.py)."""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from domain.orders.models import Order
from domain.uow import Transaction

# Common table expressions for a WITH, on parameters $1 to $55 (parameters()): `counter` holds the number,
# and nothing is written unless `guard` (an SQL condition, "AND ...") holds when the counter is taken.
ORDER_ROWS_CTES = """
counter AS (
  UPDATE tenants SET next_order_number = next_order_number + 1, updated_at = $2
  WHERE id = $1 {guard} RETURNING next_order_number - 1 AS number
), head AS (
  INSERT INTO orders (id, tenant_id, number, channel, external_id, idempotency_key, request_hash,
    access_token_hash, customer_id, email, status, payment_status, currency, subtotal, shipping, tax, total,
    paid, shipping_method, shipping_address, billing_address, note, tags, fulfillment_status, priority,
    ship_by, refunded, return_status, exchange_of_id, risk_level, risk_score, client_ip, address_key, version,
    created_at, updated_at)
  SELECT $3::uuid, $1::uuid, counter.number, $4::text, $5::text, $6::text, $7::text, $8::text, $9::uuid,
    $10::text, $11::text, $12::text, $13::text, $14::bigint, $15::bigint, $16::bigint, $17::bigint,
    $18::bigint,
    $19::text, $20::text::jsonb, $21::text::jsonb, $22::text, $23::varchar[], $24::text, $25::int,
    $26::timestamptz, $27::bigint, $28::text, $29::uuid, $46::text, $47::int, $48::text, $49::text, 1, $2, $2
  FROM counter
), line AS (
  INSERT INTO order_lines (id, tenant_id, order_id, position, product_id, sku, name, quantity, unit_price,
    subtotal, tax, customizations)
  SELECT l.id, $1::uuid, $3::uuid, l.position, l.product_id, l.sku, l.name, l.quantity, l.unit_price,
    l.subtotal, l.tax, l.customizations::jsonb
  FROM counter, unnest($30::uuid[], $31::int[], $32::uuid[], $33::text[], $34::text[], $35::int[],
    $36::bigint[], $37::bigint[], $38::bigint[], $39::text[])
    WITH ORDINALITY AS l(id, position, product_id, sku, name, quantity, unit_price, subtotal, tax,
      customizations, n)
  ORDER BY l.n
), allocation AS (
  INSERT INTO order_allocations (id, tenant_id, order_id, line_id, product_id, location_id, quantity, status,
    shipped, created_at)
  SELECT a.id, $1::uuid, $3::uuid, a.line_id, a.product_id, a.location_id, a.quantity, a.status, 0, $2
  FROM counter, unnest($40::uuid[], $41::uuid[], $42::uuid[], $43::uuid[], $44::int[], $45::text[])
    WITH ORDINALITY AS a(id, line_id, product_id, location_id, quantity, status, n)
  ORDER BY a.n
), risk AS (
  INSERT INTO order_risk_assessments (id, tenant_id, order_id, source, level, score, facts, actor, created_at)
  SELECT r.id, $1::uuid, $3::uuid, r.source, r.level, r.score, r.facts::jsonb, r.actor, $2
  FROM counter, unnest($50::uuid[], $51::text[], $52::text[], $53::int[], $54::text[], $55::text[])
    AS r(id, source, level, score, facts, actor)
)"""
ORDER_ROWS = f"WITH {ORDER_ROWS_CTES.format(guard='')}\nSELECT number FROM counter"


@dataclass(frozen=True)
class NewLine:
    id: uuid.UUID
    product_id: uuid.UUID
    sku: str
    name: str
    quantity: int
    unit_price: int
    subtotal: int
    tax: int
    customizations: list[dict[str, str]] = field(default_factory=list)


@dataclass(frozen=True)
class NewAllocation:
    line_id: uuid.UUID
    product_id: uuid.UUID
    location_id: uuid.UUID
    quantity: int
    status: str
    id: uuid.UUID = field(default_factory=uuid.uuid4)


@dataclass(frozen=True)
class NewAssessment:
    """A risk assessment written with the order (domain/risk/)."""

    source: str
    level: str
    score: int | None
    facts: list[dict[str, str]]
    actor: str | None
    id: uuid.UUID = field(default_factory=uuid.uuid4)


def address_key(address: dict[str, Any]) -> str:
    """A shipping address's fingerprint: its first line, postal code and country, as migration 0016
    computes it for the orders placed before it. The fraud rules count orders by it (domain/risk/)."""
    line1 = (address.get("line1") or "").strip().lower()
    text = f"{line1}|{address.get('postalCode') or ''}|{address.get('countryCode') or ''}"
    return hashlib.md5(text.encode(), usedforsecurity=False).hexdigest()


def order_from_row(row: Any) -> Order:
    """An Order (not in any session) from a row of `SELECT * FROM orders` run on the driver."""
    values = dict(row)
    for name in ("shipping_address", "billing_address"):
        if isinstance(values[name], str):  # JSON as text, unless the connection's codecs decoded it
            values[name] = json.loads(values[name])
    return Order(**values)


def columns(rows: list[Any], names: tuple[str, ...]) -> list[list[Any]]:
    """The named attributes of the rows, one list per name: parameters for unnest()."""
    return [[getattr(row, name) for row in rows] for name in names]


def parameters(
    tx: Transaction,
    order: Order,
    lines: list[NewLine],
    allocations: list[NewAllocation],
    now: datetime,
    assessment: NewAssessment | None = None,
) -> list[Any]:
    """$1 to $55 of ORDER_ROWS_CTES for the order, its lines (positions in list order), its allocations and
    its risk assessment if any. `order` is a new, unsaved Order with every column but the number filled;
    unassessed (risk NONE) unless it says otherwise."""
    if order.address_key is None:
        order.address_key = address_key(order.shipping_address)
    assessments = [] if assessment is None else [assessment]
    return [
        tx.tenant_id,
        now,
        order.id,
        order.channel,
        order.external_id,
        order.idempotency_key,
        order.request_hash,
        order.access_token_hash,
        order.customer_id,
        order.email,
        order.status,
        order.payment_status,
        order.currency,
        order.subtotal,
        order.shipping,
        order.tax,
        order.total,
        order.paid,
        order.shipping_method,
        json.dumps(order.shipping_address),
        None if order.billing_address is None else json.dumps(order.billing_address),
        order.note,
        order.tags,
        order.fulfillment_status,
        order.priority,
        order.ship_by,
        order.refunded,
        order.return_status,
        order.exchange_of_id,
        [line.id for line in lines],
        list(range(len(lines))),
        *columns(lines, ("product_id", "sku", "name", "quantity", "unit_price", "subtotal", "tax")),
        [json.dumps(line.customizations) for line in lines],
        *columns(allocations, ("id", "line_id", "product_id", "location_id", "quantity", "status")),
        order.risk_level or "NONE",
        order.risk_score or 0,
        order.client_ip,
        order.address_key,
        *columns(assessments, ("id", "source", "level", "score")),
        [json.dumps(a.facts) for a in assessments],
        [a.actor for a in assessments],
    ]


async def create_order_rows(
    tx: Transaction,
    order: Order,
    lines: list[NewLine],
    allocations: list[NewAllocation],
    now: datetime,
    assessment: NewAssessment | None = None,
) -> int:
    """Numbers the order and writes it with its rows (see parameters()); sets and returns the number."""
    driver = await tx.driver()
    number = await driver.fetchval(ORDER_ROWS, *parameters(tx, order, lines, allocations, now, assessment))
    order.number = number
    return number
