"""Reading what an order edit is recalculated from (domain/orders/editing.py Basis), across the contexts
that hold it: the order's lines with their shipped and refunded units, the shop's tax rate and shipping
rates, and the catalog products the edit adds."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from domain.catalog.customization import options_of
from domain.catalog.repository import products_by_sku
from domain.orders.editing import ADD_LINE, Basis, LineNow, Offer
from domain.orders.models import Order, OrderAllocation, OrderLine
from domain.refunds.models import RefundLine
from domain.tenancy.repository import get_tenant
from domain.uow import Transaction


async def read_basis(tx: Transaction, order: Order, changes: list[dict[str, Any]]) -> Basis:
    tenant = await get_tenant(tx)
    lines = (
        await tx.session.execute(
            select(OrderLine)
            .where(OrderLine.tenant_id == tx.tenant_id, OrderLine.order_id == order.id)
            .order_by(OrderLine.position)
        )
    ).scalars()
    shipped = dict(
        (
            await tx.session.execute(
                select(OrderAllocation.line_id, func.sum(OrderAllocation.shipped))
                .where(OrderAllocation.tenant_id == tx.tenant_id, OrderAllocation.order_id == order.id)
                .group_by(OrderAllocation.line_id)
            )
        ).all()
    )
    refunded = dict(
        (
            await tx.session.execute(
                select(RefundLine.order_line_id, func.sum(RefundLine.quantity))
                .join(OrderLine, OrderLine.id == RefundLine.order_line_id)
                .where(RefundLine.tenant_id == tx.tenant_id, OrderLine.order_id == order.id)
                .group_by(RefundLine.order_line_id)
            )
        ).all()
    )
    now = [
        LineNow(
            line.id,
            line.product_id,
            line.sku,
            line.name,
            line.quantity,
            int(shipped.get(line.id) or 0),
            line.unit_price,
            line.subtotal,
            line.tax,
            list(line.customizations or []),
            int(refunded.get(line.id) or 0),
        )
        for line in lines
    ]
    skus = sorted({c["sku"] for c in changes if c["kind"] == ADD_LINE})
    products = await products_by_sku(tx, skus) if skus else {}
    offers = {
        p.sku: Offer(p.id, p.sku, p.name, p.price, p.currency, p.active, options_of(p.customization_options))
        for p in products.values()
    }
    return Basis(
        currency=order.currency,
        lines=now,
        shipping_method=order.shipping_method,
        shipping_address=dict(order.shipping_address),
        shipping=order.shipping,
        shipping_tax=order.tax - sum(line.tax for line in now),
        adjustments=list(order.adjustments or []),
        paid_toward_total=order.paid_toward_total,
        tax_rate_bps=tenant.tax_rate_bps,
        shipping_rates=dict(tenant.shipping_rates or {}),
        rates_currency=tenant.currency,
        offers=offers,
    )
