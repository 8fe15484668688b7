"""What came before an order, read in the placement's own statement (domain/orders/placing.py): columns
to add to its SELECT, which has the tenant as $1 and the order's products in a `product` CTE, with these
parameters after its own: email, phone, shipping address key, client IP, the start of the last hour.

Each count is an index range scan: orders by (tenant, email), (tenant, address_key, created_at),
(tenant, client_ip, created_at), (tenant, customer_id, created_at) through customers by (tenant, phone);
the shop's average over its latest orders and each SKU's usual quantity over a sample of its lines are
capped, so placement costs the same in a shop with a long history."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from domain.risk.rules import History, SkuHistory

SHOP_SAMPLE = 500  # the shop's latest orders, for its average order
SKU_SAMPLE = 200  # earlier lines of a SKU, for its usual quantity


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
   FROM orders o WHERE o.tenant_id = $1 AND o.email = {e}::text)::text AS risk_customer,
  (SELECT count(*) FROM orders o WHERE o.tenant_id = $1 AND o.created_at > {s}::timestamptz
   AND o.customer_id IN (SELECT c.id FROM customers c WHERE c.tenant_id = $1 AND c.phone = {p}::text)
  ) AS risk_phone,
  (SELECT count(*) FROM orders o WHERE o.tenant_id = $1 AND o.address_key = {a}::text
   AND o.created_at > {s}::timestamptz) AS risk_address,
  (SELECT count(*) FROM orders o WHERE o.tenant_id = $1 AND o.client_ip = {i}::text
   AND o.created_at > {s}::timestamptz) AS risk_ip,
  (SELECT json_build_object('orders', count(*), 'averageTotal', coalesce(avg(x.total), 0)::bigint)
   FROM (SELECT o.total FROM orders o WHERE o.tenant_id = $1 ORDER BY o.created_at DESC
     LIMIT {SHOP_SAMPLE}) x)::text AS risk_shop,
  (SELECT json_object_agg(p.sku, json_build_array(h.n, h.q)) FROM product p, LATERAL (
     SELECT count(*) AS n, coalesce(avg(x.quantity), 0)::float AS q FROM (SELECT l.quantity
       FROM order_lines l WHERE l.tenant_id = $1 AND l.product_id = p.id LIMIT {SKU_SAMPLE}) x) h
  )::text AS risk_skus"""


def address_key(address: dict[str, Any]) -> str:
    """A shipping address's fingerprint: its first line, postal code and country, as migration 0016
    computes it for the orders placed before it."""
    line1 = (address.get("line1") or "").strip().lower()
    text = f"{line1}|{address.get('postalCode') or ''}|{address.get('countryCode') or ''}"
    return hashlib.md5(text.encode(), usedforsecurity=False).hexdigest()


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
