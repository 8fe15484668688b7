"""Random sequences of orders, cancels, confirmations, payments, shipments, adjustments and stock counts
keep the ledger and the money balanced. Each example runs in a tenant of its own, so examples never see each other."""

from __future__ import annotations

import uuid
from typing import Any

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from domain.catalog.models import BackorderPolicy
from domain.errors import DomainError, Rejected
from domain.inventory.models import DECREASES, INCREASES, AdjustReason, InventoryLevel
from domain.inventory.service import AdjustInput, SetInput, adjust_level, set_level
from domain.money import apply_rate, to_decimal
from domain.orders.models import Order, OrderAllocation, OrderLine, Payment
from domain.orders.service import cancel_order, confirm_order, place_order, record_payment
from domain.shipping.models import ShipmentLine
from domain.shipping.service import ShipmentInput, create_shipment
from domain.tenancy import service as tenancy
from tests.integration.builders import (
    assert_ledger_reconciles,
    count,
    location,
    order_input,
    outbox,
    product,
    rows,
    stock,
    uow,
)
from tests.integration.fulfillment_builders import fulfillment_orders

SKUS = ["MUG", "TEE", "PRE"]  # PRE takes backorders
LOCATIONS = ["EAST", "WEST"]

skus = st.sampled_from(SKUS)
places = st.sampled_from(LOCATIONS)
START = (3, 2)  # units of every SKU at EAST and at WEST
order_lines = st.lists(st.tuples(skus, st.integers(1, 4)), min_size=1, max_size=3)
ops = st.one_of(
    st.tuples(st.just("place"), order_lines),
    st.tuples(st.just("place"), order_lines),  # twice as likely as the rest
    st.tuples(st.just("cancel"), st.integers(0, 99)),
    st.tuples(st.just("confirm"), st.integers(0, 99)),
    st.tuples(st.just("pay"), st.integers(0, 99), st.integers(1, 100)),  # percent of the balance due
    st.tuples(
        st.just("ship"), st.integers(0, 99), st.integers(0, 9)
    ),  # an order, one of its fulfillment orders
    st.tuples(st.just("adjust"), skus, places, st.sampled_from(list(AdjustReason)), st.integers(1, 6)),
    st.tuples(st.just("set"), skus, places, st.integers(0, 8), st.one_of(st.none(), st.integers(0, 2))),
)

TAX_BPS = 825


async def _world(db) -> tuple[uuid.UUID, dict[str, uuid.UUID], dict[str, uuid.UUID]]:
    created, _ = await tenancy.create_tenant(db, f"prop-{uuid.uuid4().hex[:8]}", "USD", tax_rate_bps=TAX_BPS)
    tenant_id = created.id
    locs = {code: (await location(db, tenant_id, code, priority=i)).id for i, code in enumerate(LOCATIONS)}
    ids = {
        sku: await product(
            db,
            tenant_id,
            sku,
            price="3.33",
            stock=dict(zip(locs.values(), START, strict=True)),
            backorder=BackorderPolicy.ALLOW if sku == "PRE" else BackorderPolicy.DENY,
        )
        for sku in SKUS
    }
    return tenant_id, locs, ids


async def _levels(db, tenant_id: uuid.UUID) -> dict[tuple[uuid.UUID, uuid.UUID], Any]:
    t = InventoryLevel.__table__
    return {
        (r.product_id, r.location_id): r for r in await rows(db, select(t).where(t.c.tenant_id == tenant_id))
    }


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(script=st.lists(ops, min_size=1, max_size=14))
async def test_random_operations_keep_the_ledger_and_the_money_balanced(db, script):
    tenant_id, locs, ids = await _world(db)
    deny = {ids["MUG"], ids["TEE"]}
    on_hand = {(ids[s], loc): n for s in SKUS for loc, n in zip(locs.values(), START, strict=True)}
    placed: list[uuid.UUID] = []

    for op in script:
        if op[0] in ("cancel", "confirm", "pay", "ship") and not placed:
            continue
        try:
            if op[0] == "place":
                before = await _levels(db, tenant_id)
                result = await place_order(uow(db, tenant_id), order_input(*op[1]))
                placed.append(result.order.id)
                for key, lv in (await _levels(db, tenant_id)).items():
                    grew = key not in before or lv.committed > before[key].committed
                    if key[0] in deny and grew:  # never promised units it did not have
                        assert lv.on_hand - lv.committed - lv.safety_stock >= 0, op
            elif op[0] == "ship":
                await _ship(db, tenant_id, placed[op[1] % len(placed)], op[2], on_hand)
            elif op[0] in ("cancel", "confirm", "pay"):
                order_id = placed[op[1] % len(placed)]
                if op[0] == "cancel":
                    await cancel_order(uow(db, tenant_id), order_id, "property")
                elif op[0] == "confirm":
                    await confirm_order(uow(db, tenant_id), order_id)
                else:
                    await _pay_part(db, tenant_id, order_id, op[2])
            elif op[0] == "adjust":
                _, sku, where, reason, units = op
                delta = -units if reason in DECREASES else units
                if reason not in INCREASES | DECREASES and units % 2:
                    delta = -units
                await adjust_level(uow(db, tenant_id), AdjustInput(sku, locs[where], delta, reason))
                on_hand[ids[sku], locs[where]] += delta
            elif op[0] == "set":
                _, sku, where, units, safety = op
                await set_level(uow(db, tenant_id), SetInput(sku, locs[where], units, safety_stock=safety))
                on_hand[ids[sku], locs[where]] = units
            event(f"{op[0]} done")
        except (Rejected, DomainError) as exc:
            # Expected refusals; the checks below prove they changed nothing that matters.
            codes = exc.errors if isinstance(exc, Rejected) else [exc]
            event(f"{op[0]} refused: {codes[0].code}")

    levels = await stock(db, tenant_id)
    assert {key: units for key, (units, _) in levels.items() if key in on_hand} == on_hand
    await assert_ledger_reconciles(db, tenant_id)
    await _assert_money_balances(db, tenant_id)
    # Every event about an order, its fulfillment orders or its shipments is on the order's timeline.
    on_timelines = sum(
        [
            len(await outbox(db, tenant_id, aggregate_type=kind))
            for kind in ("Order", "FulfillmentOrder", "Shipment")
        ]
    )
    assert await count(db, "timeline_entries", tenant_id) == on_timelines


async def _ship(db, tenant_id: uuid.UUID, order_id: uuid.UUID, which: int, on_hand: dict) -> None:
    """Ships what one of the order's fulfillment orders holds, and keeps the expected onHand in step."""
    fos = await fulfillment_orders(db, order_id)
    if not fos:  # a pending order is confirmed first; a cancelled one is refused there
        await confirm_order(uow(db, tenant_id), order_id)
        fos = await fulfillment_orders(db, order_id)
    fo = fos[which % len(fos)]
    shipment = await create_shipment(
        uow(db, tenant_id), ShipmentInput(fo.id, "generic", f"P-{uuid.uuid4().hex[:12]}")
    )
    for line in await rows(db, select(ShipmentLine.__table__).where(ShipmentLine.shipment_id == shipment.id)):
        (allocation,) = await rows(
            db, select(OrderAllocation.__table__).where(OrderAllocation.id == line.allocation_id)
        )
        on_hand[allocation.product_id, allocation.location_id] -= line.quantity


async def _pay_part(db, tenant_id: uuid.UUID, order_id: uuid.UUID, percent: int) -> None:
    order = (await rows(db, select(Order.__table__).where(Order.id == order_id)))[0]
    due = order.total - order.paid
    minor = max(1, due * percent // 100)
    await record_payment(
        uow(db, tenant_id), order_id, f"pay-{uuid.uuid4().hex[:8]}", str(to_decimal(minor, "USD"))
    )


async def _assert_money_balances(db, tenant_id: uuid.UUID) -> None:
    o, p = Order.__table__, Payment.__table__
    paid = {
        r.order_id: r.amount
        for r in await rows(
            db,
            select(p.c.order_id, func.sum(p.c.amount).label("amount"))
            .where(p.c.tenant_id == tenant_id)
            .group_by(p.c.order_id),
        )
    }
    lines: dict[uuid.UUID, list[Any]] = {}
    for line in await rows(
        db, select(OrderLine.__table__).where(OrderLine.__table__.c.tenant_id == tenant_id)
    ):
        lines.setdefault(line.order_id, []).append(line)
    for order in await rows(db, select(o).where(o.c.tenant_id == tenant_id)):
        # Recomputed from the lines the order keeps: subtotal, and tax at 8.25 % per line and on shipping.
        assert order.subtotal == sum(line.unit_price * line.quantity for line in lines[order.id])
        assert all(line.tax == apply_rate(line.subtotal, TAX_BPS) for line in lines[order.id])
        assert order.tax == sum(line.tax for line in lines[order.id]) + apply_rate(order.shipping, TAX_BPS)
        assert 0 <= order.paid <= order.total
        assert order.paid == paid.get(order.id, 0)
        expected = "PENDING" if order.paid == 0 else "PAID" if order.paid == order.total else "PARTIALLY_PAID"
        assert order.payment_status == expected
