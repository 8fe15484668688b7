"""What came before an order, read in the placement's own statement (domain/workflows/placement.py): columns
to add to its SELECT, which has the tenant as $1 and the order's products in a `product` CTE, with these
parameters after its own: email, phone, shipping address key, client IP, the start of the last hour.

Each count is an index range scan: orders by (tenant, email, created_at), (tenant, address_key, created_at),
(tenant, client_ip, created_at), (tenant, customer_id, created_at) through customers by (tenant, phone);
the customer's history over the email's latest orders, the shop's average over its latest orders and each
SKU's usual quantity over a sample of its lines are capped, so placement costs the same in a shop (or for
a customer, say a marketplace's one address) with a long history."""

from __future__ import annotations

import json
from typing import Any

from domain.risk.rules import History, SkuHistory

CUSTOMER_SAMPLE = 200  # the email's latest orders: its history, however many it has
SHOP_SAMPLE = 200  # the shop's latest orders, for its average order
SKU_SAMPLE = 200  # earlier lines of a SKU, for its usual quantity
VELOCITY_CAP = 200  # counted up to: twice the highest velocity limit a shop may set (settings.py)


def columns(email: int, phone: int, address: int, ip: int, since: int) -> str:
    """The SELECT's history columns, for parameters at these positions."""
    e, p, a, i, s = (f"${n}" for n in (email, phone, address, ip, since))
    return f"""
  (SELECT json_build_object('orders', count(*),
     'paid', count(*) FILTER (WHERE o.payment_status = 'PAID'),
     'unpaidCancelled', count(*) FILTER (WHERE o.status = 'CANCELLED' AND o.paid = 0),
     'averageTotal', coalesce(avg(o.total), 0)::bigint,
     'addressUsed', coalesce(bool_or(o.address_key = {a}::text), false),
     'lastHour', count(*) FILTER (WHERE o.created_at > {s}::timestamptz))
   FROM (SELECT o.payment_status, o.status, o.paid, o.total, o.address_key, o.created_at FROM orders o
     WHERE o.tenant_id = $1 AND o.email = {e}::text ORDER BY o.created_at DESC LIMIT {CUSTOMER_SAMPLE}) o
  )::text AS risk_customer,
  (SELECT count(*) FROM (SELECT FROM customers c JOIN orders o ON o.tenant_id = $1
     AND o.customer_id = c.id AND o.created_at > {s}::timestamptz
     WHERE c.tenant_id = $1 AND c.phone = {p}::text LIMIT {VELOCITY_CAP}) x) AS risk_phone,
  (SELECT count(*) FROM (SELECT FROM orders o WHERE o.tenant_id = $1 AND o.address_key = {a}::text
     AND o.created_at > {s}::timestamptz LIMIT {VELOCITY_CAP}) x) AS risk_address,
  (SELECT count(*) FROM (SELECT FROM orders o WHERE o.tenant_id = $1 AND o.client_ip = {i}::text
     AND o.created_at > {s}::timestamptz LIMIT {VELOCITY_CAP}) x) AS risk_ip,
  (SELECT json_build_object('orders', count(*), 'averageTotal', coalesce(avg(x.total), 0)::bigint)
   FROM (SELECT o.total FROM orders o WHERE o.tenant_id = $1 ORDER BY o.created_at DESC
     LIMIT {SHOP_SAMPLE}) x)::text AS risk_shop,
  (SELECT json_object_agg(p.sku, json_build_array(h.n, h.q)) FROM product p, LATERAL (
     SELECT count(*) AS n, coalesce(avg(x.quantity), 0)::float AS q FROM (SELECT l.quantity
       FROM order_lines l WHERE l.tenant_id = $1 AND l.product_id = p.id LIMIT {SKU_SAMPLE}) x) h
  )::text AS risk_skus"""


def history_of(row: Any) -> History:
    """The History from the read's row."""
    customer = json.loads(row["risk_customer"])
    shop = json.loads(row["risk_shop"])
    skus = json.loads(row["risk_skus"] or "{}")
    return History(
        orders=customer["orders"],
        paid_orders=customer["paid"],
        unpaid_cancelled=customer["unpaidCancelled"],
        average_total=customer["averageTotal"],
        address_used_before=customer["addressUsed"],
        last_hour_email=customer["lastHour"],
        last_hour_phone=row["risk_phone"],
        last_hour_address=row["risk_address"],
        last_hour_ip=row["risk_ip"],
        shop_orders=shop["orders"],
        shop_average_total=shop["averageTotal"],
        skus={sku: SkuHistory(n, q) for sku, (n, q) in skus.items()},
    )
