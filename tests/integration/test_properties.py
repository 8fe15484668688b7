"""Random sequences of orders, cancels, confirmations, payments, shipments, adjustments, stock counts,
returns (with exchanges), receipts, refunds and order edits keep the ledger and the money balanced. Each example runs in a tenant of its own, so examples never see each other."""

from __future__ import annotations

import uuid
from typing import Any

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from domain.catalog.models import BackorderPolicy
from domain.errors import DomainError, Rejected
from domain.inventory.models import DECREASES, INCREASES, AdjustReason, InventoryLevel
from domain.inventory.service import AdjustInput, SetInput
from domain.money import apply_rate, to_decimal
from domain.orders.models import Order, OrderAllocation, OrderLine, Payment
from domain.orders.service import record_payment
from domain.orders.status import payment_status
from domain.refunds.models import Refund, RefundLine
from domain.refunds.service import RefundInput, RefundLineInput, create_refund
from domain.returns.models import Return, ReturnLine
from domain.returns.receiving import ReceiptLine, receive
from domain.returns.rules import units_claimed
from domain.returns.service import (
    ExchangeInput,
    ReturnInput,
    ReturnLineInput,
    cancel_return,
    close_return,
    decline_return,
    request_return,
)
from domain.returns.status import RECEIVABLE, ItemCondition, ReturnReason
from domain.shipping.models import ShipmentLine
from domain.shipping.service import ShipmentInput, create_shipment
from domain.tenancy import service as tenancy
from domain.workflows import order_edit
from domain.workflows.cancelling import cancel_order
from domain.workflows.confirming import confirm_order
from domain.workflows.exchanging import approve_return
from domain.workflows.order_edit_commit import commit
from domain.workflows.placing import place_order
from domain.workflows.remainder import cancel_remaining
from domain.workflows.stock_changes import adjust_level, set_level
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
from tests.integration.return_builders import assert_damaged_reconciles

SKUS = ["MUG", "TEE", "PRE"]  # PRE takes backorders
LOCATIONS = ["EAST", "WEST"]

skus = st.sampled_from(SKUS)
places = st.sampled_from(LOCATIONS)
START = (3, 2)  # units of every SKU at EAST and at WEST
order_lines = st.lists(st.tuples(skus, st.integers(1, 4)), min_size=1, max_size=3)
place = st.tuples(st.just("place"), order_lines)
cancel = st.tuples(st.just("cancel"), st.integers(0, 99))
cancel_rest = st.tuples(st.just("cancel_rest"), st.integers(0, 99))  # what a partly shipped order still holds
confirm = st.tuples(st.just("confirm"), st.integers(0, 99))
pay = st.tuples(st.just("pay"), st.integers(0, 99), st.integers(1, 100))  # percent of the balance due
# an order, one of its fulfillment orders
ship = st.tuples(st.just("ship"), st.integers(0, 99), st.integers(0, 9))
adjust = st.tuples(st.just("adjust"), skus, places, st.sampled_from(list(AdjustReason)), st.integers(1, 6))
count_stock = st.tuples(
    st.just("set"), skus, places, st.integers(0, 8), st.one_of(st.none(), st.integers(0, 2))
)
# an order, one of its shipped lines, units, why, and maybe a SKU wanted in exchange
give_back = st.tuples(
    st.just("return"),
    st.integers(0, 99),
    st.integers(0, 9),
    st.integers(1, 3),
    st.sampled_from(list(ReturnReason)),
    st.one_of(st.none(), st.none(), skus),
)
# a return, where, how the units came back, and at most how many of each line's outstanding units
take_in = st.tuples(
    st.just("receive"), st.integers(0, 99), places, st.sampled_from(list(ItemCondition)), st.integers(1, 3)
)
# an order, (line, units) to refund, shipping and goodwill in cents; or else a return's received
# units; and whether the order's balance is paid first, so that there is money to give back
pay_back = st.tuples(
    st.just("refund"),
    st.integers(0, 99),
    st.lists(st.tuples(st.integers(0, 9), st.integers(1, 2)), max_size=2),
    st.one_of(st.none(), st.integers(0, 600)),
    st.one_of(st.none(), st.integers(0, 400)),
    st.one_of(st.none(), st.none(), st.integers(0, 99)),
    st.booleans(),
)
# a return, and how it ends (declining an approved one is refused; that is checked too)
# An order edit: a line's new quantity, maybe a unit of another SKU, maybe a 0.50 discount; committed.
edit = st.tuples(
    st.just("edit"), st.integers(0, 99), st.integers(0, 9), st.integers(0, 4), st.one_of(st.none(), skus),
    st.booleans(),
)  # fmt: skip
end_return = st.tuples(st.just("end"), st.integers(0, 99), st.sampled_from(["close", "cancel", "decline"]))
# Placing, paying, shipping, returning, receiving and refunding are twice as likely as the rest.
ops = st.one_of(
    place, place, cancel, confirm, pay, pay, ship, ship, adjust, count_stock,
    give_back, give_back, take_in, take_in, pay_back, pay_back, end_return, cancel_rest, edit, edit,
)  # fmt: skip

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


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(script=st.lists(ops, min_size=8, max_size=18))
async def test_random_operations_keep_the_ledger_and_the_money_balanced(db, script):
    tenant_id, locs, ids = await _world(db)
    deny = {ids["MUG"], ids["TEE"]}
    on_hand = {(ids[s], loc): n for s in SKUS for loc, n in zip(locs.values(), START, strict=True)}
    placed: list[uuid.UUID] = []
    returns: list[uuid.UUID] = []

    for op in script:
        if (
            op[0] in ("cancel", "cancel_rest", "confirm", "pay", "ship", "return", "refund", "edit")
            and not placed
        ):
            continue
        if op[0] in ("receive", "end") and not returns:
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
            elif op[0] in ("cancel", "cancel_rest", "confirm", "pay"):
                order_id = placed[op[1] % len(placed)]
                if op[0] == "cancel_rest":
                    await cancel_remaining(uow(db, tenant_id), order_id, "property")
                elif op[0] == "cancel":
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
            elif op[0] == "return":
                _, which, line, units, reason, swap = op
                ret = await _return(
                    db, tenant_id, placed[which % len(placed)], line, units, reason, swap, on_hand
                )
                returns.append(ret.id)
                if ret.exchange_order_id is not None:
                    placed.append(ret.exchange_order_id)
                    event("return with an exchange order")
            elif op[0] == "receive":
                _, which, where, condition, units = op
                await _receive(
                    db, tenant_id, returns[which % len(returns)], locs[where], condition, units, on_hand
                )
            elif op[0] == "end":
                _, which, how = op
                return_id = returns[which % len(returns)]
                if how == "close":
                    await close_return(uow(db, tenant_id), return_id)
                elif how == "cancel":
                    await cancel_return(uow(db, tenant_id), return_id, "property")
                else:
                    await decline_return(uow(db, tenant_id), return_id, "property")
            elif op[0] == "edit":
                await _edit(db, tenant_id, placed[op[1] % len(placed)], *op[2:])
            elif op[0] == "refund":
                _, which, lines, shipping, extra, of_return, settle = op
                order_id = placed[which % len(placed)]
                await _refund(db, tenant_id, order_id, lines, shipping, extra, of_return, returns, settle)
            event(f"{op[0]} done")
        except (Rejected, DomainError) as exc:
            # Expected refusals; the checks below prove they changed nothing that matters.
            codes = exc.errors if isinstance(exc, Rejected) else [exc]
            event(f"{op[0]} refused: {codes[0].code}")

    levels = await stock(db, tenant_id)
    assert {key: units for key, (units, _) in levels.items() if key in on_hand} == on_hand
    await assert_ledger_reconciles(db, tenant_id)
    await assert_damaged_reconciles(db, tenant_id)
    await _assert_money_balances(db, tenant_id)
    await _assert_returns_and_refunds_balance(db, tenant_id)
    # Every event about an order, its fulfillment orders, shipments or returns is on the order's timeline.
    on_timelines = sum(
        [
            len(await outbox(db, tenant_id, aggregate_type=kind))
            for kind in ("Order", "FulfillmentOrder", "Shipment", "Return")
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


async def _edit(
    db, tenant_id: uuid.UUID, order_id: uuid.UUID, pick: int, quantity: int, add: str | None, discount: bool
) -> None:
    view = await order_edit.begin(uow(db, tenant_id), order_id)
    line = view.result.lines[pick % len(view.result.lines)]
    await order_edit.set_quantity(uow(db, tenant_id), view.edit.id, line.id, max(quantity, line.shipped))
    if add is not None:
        await order_edit.add_line(uow(db, tenant_id), view.edit.id, add, 1, [])
    if discount:
        await order_edit.adjust(uow(db, tenant_id), view.edit.id, True, "0.50", "property")
    await commit(uow(db, tenant_id), view.edit.id, False, None, None)


async def _pay_part(db, tenant_id: uuid.UUID, order_id: uuid.UUID, percent: int) -> None:
    order = (await rows(db, select(Order.__table__).where(Order.id == order_id)))[0]
    due = order.total - order.paid + order.edit_refunded
    if percent == 100 and (due == 0 or order.status == "CANCELLED"):
        return  # nothing to settle before a refund
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
        # What edits gave back as overpaid is neither paid toward the total nor refunded.
        net_paid, net_refunded = order.paid - order.edit_refunded, order.refunded - order.edit_refunded
        assert 0 <= net_paid <= order.total and 0 <= order.edit_refunded <= order.refunded
        assert order.paid == paid.get(order.id, 0)
        if net_refunded:
            expected = "REFUNDED" if net_refunded >= net_paid else "PARTIALLY_REFUNDED"
        else:
            expected = "PENDING" if net_paid == 0 else "PAID" if net_paid == order.total else "PARTIALLY_PAID"
        assert order.payment_status == expected == payment_status(order.total, net_paid, net_refunded)


async def _return(
    db,
    tenant_id: uuid.UUID,
    order_id: uuid.UUID,
    which: int,
    units: int,
    reason: ReturnReason,
    swap: str | None,
    on_hand: dict,
) -> Any:
    """Requests and approves a return of some units of a line that shipped: of this order's lines if
    any shipped, else of any order's; when nothing has shipped yet, this order ships first."""
    t, a = OrderLine.__table__, OrderAllocation.__table__
    query = (
        select(t)
        .where(t.c.tenant_id == tenant_id, t.c.id.in_(select(a.c.line_id).where(a.c.shipped > 0)))
        .order_by(t.c.id)
    )
    shipped = await rows(db, query)
    if not shipped:
        await _ship(db, tenant_id, order_id, 0, on_hand)
        shipped = await rows(db, query)
    mine = [line for line in shipped if line.order_id == order_id]
    line = (mine or shipped)[which % len(mine or shipped)]
    order_id = line.order_id
    exchange = ExchangeInput(swap, 1) if swap else None
    ret = await request_return(
        uow(db, tenant_id),
        ReturnInput(order_id, [ReturnLineInput(line.id, units, reason, exchange_for=exchange)]),
    )
    return await approve_return(uow(db, tenant_id), ret.id)


async def _shipped(db, line_id: uuid.UUID) -> int:
    t = OrderAllocation.__table__
    found = await rows(db, select(func.coalesce(func.sum(t.c.shipped), 0)).where(t.c.line_id == line_id))
    return int(found[0][0])


async def _receive(
    db,
    tenant_id: uuid.UUID,
    return_id: uuid.UUID,
    location_id: uuid.UUID,
    condition: ItemCondition,
    units: int,
    on_hand: dict,
) -> None:
    """Receives up to `units` of each line's outstanding units; resellable ones count in onHand."""
    t = ReturnLine.__table__
    lines = await rows(db, select(t).where(t.c.return_id == return_id).order_by(t.c.position))
    receipt = [
        ReceiptLine(rl.id, min(units, rl.quantity - rl.resellable - rl.damaged - rl.defective), condition)
        for rl in lines
        if rl.quantity > rl.resellable + rl.damaged + rl.defective
    ]
    if not receipt:
        units = 1  # all in: ask for one more, which must be refused
        receipt = [ReceiptLine(lines[0].id, 1, condition)]
    await receive(uow(db, tenant_id), return_id, location_id, receipt)
    if condition == ItemCondition.RESELLABLE:
        by_id = {rl.id: rl for rl in lines}
        for r in receipt:
            (line,) = await rows(
                db, select(OrderLine.__table__).where(OrderLine.id == by_id[r.return_line_id].order_line_id)
            )
            on_hand[line.product_id, location_id] += r.quantity


async def _refund(
    db,
    tenant_id: uuid.UUID,
    order_id: uuid.UUID,
    picks: list[tuple[int, int]],
    shipping: int | None,
    extra: int | None,
    of_return: int | None,
    returns: list[uuid.UUID],
    settle: bool,
) -> None:
    """A refund with a fresh idempotency key: of a return's received units, or of random lines,
    shipping and a goodwill amount."""
    key = f"prop-{uuid.uuid4().hex}"
    if of_return is not None and returns:
        (ret,) = await rows(
            db, select(Return.__table__).where(Return.id == returns[of_return % len(returns)])
        )
        if settle:
            await _pay_part(db, tenant_id, ret.order_id, 100)
        await create_refund(uow(db, tenant_id), RefundInput(ret.order_id, "property", key, return_id=ret.id))
        return
    if settle:
        await _pay_part(db, tenant_id, order_id, 100)
    lines = await rows(
        db,
        select(OrderLine.__table__).where(OrderLine.order_id == order_id).order_by(OrderLine.position),
    )
    chosen = {lines[i % len(lines)].id: units for i, units in picks}
    await create_refund(
        uow(db, tenant_id),
        RefundInput(
            order_id,
            "property",
            key,
            lines=[RefundLineInput(line_id, units) for line_id, units in chosen.items()],
            shipping_amount=None if shipping is None else str(to_decimal(shipping, "USD")),
            amount=None if extra is None else str(to_decimal(extra, "USD")),
        ),
    )


async def _assert_returns_and_refunds_balance(db, tenant_id: uuid.UUID) -> None:
    """Each order's refunded is what its refunds gave back or credited, within what was paid; no line
    is refunded beyond its quantity; returns never hold more than shipped; received stays within
    requested; every exchange order is paid at most its credit and points at its original."""
    o, r, rl, ol, ret, rtl = (
        Order.__table__,
        Refund.__table__,
        RefundLine.__table__,
        OrderLine.__table__,
        Return.__table__,
        ReturnLine.__table__,
    )
    given_back = {
        row.order_id: row.total
        for row in await rows(
            db,
            select(r.c.order_id, func.sum(r.c.amount + r.c.credited).label("total"))
            .where(r.c.tenant_id == tenant_id)
            .group_by(r.c.order_id),
        )
    }
    for order in await rows(db, select(o).where(o.c.tenant_id == tenant_id)):
        assert order.refunded == given_back.get(order.id, 0), f"order {order.number} refunded is off"
        assert 0 <= order.refunded <= order.paid
    for refund in await rows(db, select(r).where(r.c.tenant_id == tenant_id)):
        assert refund.amount + refund.credited == (
            refund.lines_amount + refund.shipping_amount + refund.extra_amount - refund.restocking_fee
        )
    refunded_units = {
        row.order_line_id: row.units
        for row in await rows(
            db,
            select(rl.c.order_line_id, func.sum(rl.c.quantity).label("units"))
            .where(rl.c.tenant_id == tenant_id)
            .group_by(rl.c.order_line_id),
        )
    }
    claimed: dict[uuid.UUID, int] = {}
    for row in await rows(
        db,
        select(rtl, ret.c.status).join(ret, ret.c.id == rtl.c.return_id).where(ret.c.tenant_id == tenant_id),
    ):
        received = row.resellable + row.damaged + row.defective
        assert received <= row.quantity and row.refunded <= row.quantity
        claimed[row.order_line_id] = claimed.get(row.order_line_id, 0) + units_claimed(
            row.status, row.quantity, received
        )
        if row.status not in RECEIVABLE:
            assert received == 0 or row.status == "CLOSED"
        if row.status == "CLOSED":  # nothing paid back for goods that never came
            assert row.refunded <= received, "a return closed with refunded units outstanding"
    for line in await rows(db, select(ol).where(ol.c.tenant_id == tenant_id)):
        assert refunded_units.get(line.id, 0) <= line.quantity, (
            f"line {line.sku} refunded beyond its quantity"
        )
        assert claimed.get(line.id, 0) <= await _shipped(db, line.id), (
            f"line {line.sku} returned beyond shipped"
        )
