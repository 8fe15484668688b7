"""Purchase orders against real Postgres: submitting makes units incoming, receipts move them to onHand
with RECEIVED movements and fill backorders the way every receipt does, refusals change nothing, and two
receipts racing on one order never receive more than it expects."""

from __future__ import annotations

import asyncio

import pytest

from domain.catalog.models import BackorderPolicy
from domain.errors import Code, DomainError, Rejected
from domain.purchasing import ordering, receiving, submitting
from domain.purchasing.receiving import ReceiptInput, ReceiptLineInput
from domain.workflows.confirming import confirm_order
from domain.workflows.placing import place_order
from tests.integration.builders import (
    allocations,
    assert_ledger_reconciles,
    count,
    level,
    location,
    movements,
    order_input,
    outbox_types,
    product,
    uow,
)
from tests.integration.purchasing_builders import po_lines, po_row, purchase_order, supplier


def _receipt(po_id, *lines, key=None) -> ReceiptInput:
    return ReceiptInput(po_id, [ReceiptLineInput(sku, qty) for sku, qty in lines], idempotency_key=key)


def _codes(exc) -> list[str]:
    errors = exc.errors if isinstance(exc, Rejected) else [exc]
    return [e.code for e in errors]


async def test_a_submitted_order_is_incoming_and_receipts_move_it_to_on_hand(db, tenant):
    main = await location(db, tenant.id, "MAIN")
    tee = await product(db, tenant.id, "TEE", stock={main.id: 2})
    vendor = await supplier(db, tenant.id, {"TEE": "4.50"})

    po_id = await purchase_order(db, tenant.id, vendor, [("TEE", main.id, 10)])

    assert (await level(db, tee, main.id)).incoming == 10
    submitted = await po_row(db, po_id)
    assert submitted.status == "SUBMITTED" and (submitted.expected_at - submitted.submitted_at).days == 5

    await receiving.receive(uow(db, tenant.id), _receipt(po_id, ("TEE", 4)))
    after = await level(db, tee, main.id)
    assert (after.on_hand, after.incoming) == (6, 6)
    assert (await po_row(db, po_id)).status == "PARTIALLY_RECEIVED"

    await receiving.receive(uow(db, tenant.id), _receipt(po_id, ("TEE", 6)))
    after = await level(db, tee, main.id)
    assert (after.on_hand, after.incoming) == (12, 0)
    assert (await po_row(db, po_id)).status == "RECEIVED"
    received = [m for m in await movements(db, tenant.id, kind="RECEIVED")]
    assert [(m.on_hand_delta, m.note) for m in received] == [
        (4, f"PO-{submitted.number}"),
        (6, f"PO-{submitted.number}"),
    ]
    events = await outbox_types(db, tenant.id)
    assert events["PURCHASE_ORDER_CREATED"] == 1
    assert events["PURCHASE_ORDER_STATUS_CHANGED"] == 3  # submitted, partially received, received
    assert events["PURCHASE_ORDER_UNITS_RECEIVED"] == 2
    assert events["SUPPLIER_CHANGED"] == 1 and events["SUPPLIER_PRODUCT_SET"] == 1
    await assert_ledger_reconciles(db, tenant.id)


async def test_a_receipt_fills_waiting_backorders_as_any_receipt_does(db, tenant):
    main = await location(db, tenant.id, "MAIN")
    pre = await product(db, tenant.id, "PRE", stock={main.id: 0}, backorder=BackorderPolicy.ALLOW)
    order = (await place_order(uow(db, tenant.id), order_input(("PRE", 3)))).order
    await confirm_order(uow(db, tenant.id), order.id)
    vendor = await supplier(db, tenant.id, {"PRE": "20.00"})
    po_id = await purchase_order(db, tenant.id, vendor, [("PRE", main.id, 5)])

    await receiving.receive(uow(db, tenant.id), _receipt(po_id, ("PRE", 5)))

    assert {a.status for a in await allocations(db, order.id)} == {"RESERVED"}
    after = await level(db, pre, main.id)
    assert (after.on_hand, after.committed, after.incoming) == (5, 3, 0)
    assert (await outbox_types(db, tenant.id))["ORDER_BACKORDER_ALLOCATED"] == 1
    await assert_ledger_reconciles(db, tenant.id)


async def test_over_receipt_unknown_skus_and_a_draft_are_refused_and_change_nothing(db, tenant):
    main = await location(db, tenant.id, "MAIN")
    tee = await product(db, tenant.id, "TEE", stock={main.id: 0})
    vendor = await supplier(db, tenant.id, {"TEE": "4.50"})
    po_id = await purchase_order(db, tenant.id, vendor, [("TEE", main.id, 10)])
    draft = await purchase_order(db, tenant.id, vendor, [("TEE", main.id, 3)], submit=False)
    before = await count(db, "outbox_events", tenant.id)

    with pytest.raises(Rejected) as too_many:
        await receiving.receive(uow(db, tenant.id), _receipt(po_id, ("TEE", 11), ("NOPE", 1)))
    with pytest.raises(DomainError) as not_sent:
        await receiving.receive(uow(db, tenant.id), _receipt(draft, ("TEE", 1)))

    assert _codes(too_many.value) == [Code.EXCEEDS_OUTSTANDING, Code.UNKNOWN_SKU]
    assert _codes(not_sent.value) == [Code.INVALID_TRANSITION]
    after = await level(db, tee, main.id)
    assert (after.on_hand, after.incoming) == (0, 10)
    assert await count(db, "outbox_events", tenant.id) == before


async def test_a_repeated_receipt_key_receives_nothing_more_and_another_payload_is_refused(db, tenant):
    main = await location(db, tenant.id, "MAIN")
    tee = await product(db, tenant.id, "TEE", stock={main.id: 0})
    vendor = await supplier(db, tenant.id, {"TEE": "4.50"})
    po_id = await purchase_order(db, tenant.id, vendor, [("TEE", main.id, 10)])

    for _ in range(2):
        await receiving.receive(uow(db, tenant.id), _receipt(po_id, ("TEE", 4), key="dock-1"))
    with pytest.raises(DomainError) as reused:
        await receiving.receive(uow(db, tenant.id), _receipt(po_id, ("TEE", 5), key="dock-1"))

    assert reused.value.code == Code.IDEMPOTENCY_KEY_REUSED
    assert (await level(db, tee, main.id)).on_hand == 4
    assert [line.received for line in await po_lines(db, po_id)] == [4]


async def test_a_repeated_create_key_returns_the_first_purchase_order(db, tenant):
    main = await location(db, tenant.id, "MAIN")
    await product(db, tenant.id, "TEE", stock={main.id: 0})
    vendor = await supplier(db, tenant.id, {"TEE": "4.50"})
    data = ordering.PurchaseOrderInput(
        vendor, [ordering.LineInput("TEE", main.id, 6)], idempotency_key="po-1"
    )

    first = await ordering.create_purchase_order(uow(db, tenant.id), data)
    again = await ordering.create_purchase_order(uow(db, tenant.id), data)

    assert first.created and not again.created and again.purchase_order.id == first.purchase_order.id
    assert await count(db, "purchase_orders", tenant.id) == 1


async def test_cancelling_releases_what_is_still_incoming_and_keeps_what_arrived(db, tenant):
    main = await location(db, tenant.id, "MAIN")
    tee = await product(db, tenant.id, "TEE", stock={main.id: 0})
    vendor = await supplier(db, tenant.id, {"TEE": "4.50"})
    po_id = await purchase_order(db, tenant.id, vendor, [("TEE", main.id, 10)])
    await receiving.receive(uow(db, tenant.id), _receipt(po_id, ("TEE", 3)))

    await submitting.cancel_purchase_order(uow(db, tenant.id), po_id)

    after = await level(db, tee, main.id)
    assert (after.on_hand, after.incoming) == (3, 0)
    assert (await po_row(db, po_id)).status == "CANCELLED"
    with pytest.raises(DomainError) as closed:
        await submitting.cancel_purchase_order(uow(db, tenant.id), po_id)
    assert closed.value.code == Code.INVALID_TRANSITION


async def test_lines_are_checked_against_the_supplier_each_refused_on_its_own(db, tenant):
    main = await location(db, tenant.id, "MAIN")
    await product(db, tenant.id, "TEE", stock={main.id: 0})
    await product(db, tenant.id, "MUG", stock={main.id: 0})
    vendor = await supplier(db, tenant.id, {"TEE": "4.50"}, minimum=12, pack=6)
    lines = [
        ordering.LineInput("TEE", main.id, 6),  # below the minimum of 12
        ordering.LineInput("TEE", main.id, 13),  # a duplicate line (and not whole packs)
        ordering.LineInput("MUG", main.id, 12),  # not sold by this supplier
        ordering.LineInput("NOPE", main.id, 12),
    ]

    with pytest.raises(Rejected) as duplicate:
        await ordering.create_purchase_order(uow(db, tenant.id), ordering.PurchaseOrderInput(vendor, lines))
    assert _codes(duplicate.value) == [Code.DUPLICATE]
    lines[1] = ordering.LineInput("TEE", (await location(db, tenant.id, "EAST")).id, 13)
    with pytest.raises(Rejected) as refused:
        await ordering.create_purchase_order(uow(db, tenant.id), ordering.PurchaseOrderInput(vendor, lines))

    assert [(e.code, e.field) for e in refused.value.errors] == [
        (Code.BELOW_MINIMUM_ORDER, ["lines", "0", "quantity"]),
        (Code.NOT_A_PACK_MULTIPLE, ["lines", "1", "quantity"]),
        (Code.NOT_SUPPLIED, ["lines", "2", "sku"]),
        (Code.UNKNOWN_SKU, ["lines", "3", "sku"]),
    ]
    assert await count(db, "purchase_orders", tenant.id) == 0


async def test_two_receipts_racing_on_one_order_never_receive_more_than_it_expects(db, tenant):
    main = await location(db, tenant.id, "MAIN")
    tee = await product(db, tenant.id, "TEE", stock={main.id: 0})
    vendor = await supplier(db, tenant.id, {"TEE": "4.50"})
    po_id = await purchase_order(db, tenant.id, vendor, [("TEE", main.id, 10)])

    results = await asyncio.gather(
        *(receiving.receive(uow(db, tenant.id), _receipt(po_id, ("TEE", 6))) for _ in range(2)),
        return_exceptions=True,
    )

    refused = [r for r in results if isinstance(r, Exception)]
    assert len(refused) == 1 and _codes(refused[0]) == [Code.EXCEEDS_OUTSTANDING]
    after = await level(db, tee, main.id)
    assert (after.on_hand, after.incoming) == (6, 4)
    assert [line.received for line in await po_lines(db, po_id)] == [6]
    await assert_ledger_reconciles(db, tenant.id)


async def test_a_sku_ordered_for_two_locations_is_received_where_the_receipt_says(db, tenant):
    main = await location(db, tenant.id, "MAIN")
    east = await location(db, tenant.id, "EAST")
    tee = await product(db, tenant.id, "TEE", stock={main.id: 0, east.id: 0})
    vendor = await supplier(db, tenant.id, {"TEE": "4.50"})
    po_id = await purchase_order(db, tenant.id, vendor, [("TEE", main.id, 4), ("TEE", east.id, 6)])

    with pytest.raises(Rejected) as which:
        await receiving.receive(uow(db, tenant.id), _receipt(po_id, ("TEE", 2)))
    assert [(e.code, e.field) for e in which.value.errors] == [(Code.REQUIRED, ["lines", "0", "locationId"])]

    lines = [ReceiptLineInput("TEE", 6, east.id, location_given=True)]
    await receiving.receive(uow(db, tenant.id), ReceiptInput(po_id, lines))

    assert [
        (lv.on_hand, lv.incoming) for lv in (await level(db, tee, main.id), await level(db, tee, east.id))
    ] == [
        (0, 4),
        (6, 0),
    ]
    assert (await po_row(db, po_id)).status == "PARTIALLY_RECEIVED"
    await assert_ledger_reconciles(db, tenant.id)
