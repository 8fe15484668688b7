"""Order editing without a database: what an order becomes after staged changes, priced by the order
pricing rules and the typed customizations, and which changes are refused."""

from __future__ import annotations

import uuid
from dataclasses import replace

import pytest

from domain.catalog.customization import Choice, Option, OptionKind
from domain.errors import DomainError, Rejected
from domain.orders.editing import (
    ADD_LINE,
    ADJUST,
    REMOVE_UNSHIPPED,
    SET_QUANTITY,
    SET_SHIPPING,
    Basis,
    LineNow,
    Offer,
    recalculate,
)

MUG, TEE = uuid.uuid4(), uuid.uuid4()
LINE_A, LINE_B = uuid.uuid4(), uuid.uuid4()
RING = uuid.uuid4()
ENGRAVED = Option("Engraving", OptionKind.TEXT, price_delta="5", max_length=8)
SIZE = Option("Size", OptionKind.CHOICE, required=True, choices=(Choice("S"), Choice("XL", "2.50")))


def basis(paid: int = 0, shipped_a: int = 0) -> Basis:
    # 2 x 10.00 and 1 x 25.00, 10 % tax, STANDARD shipping 5.00 with 0.50 tax
    lines = [
        LineNow(LINE_A, MUG, "MUG", "Mug", 2, shipped_a, 1000, 2000, 200),
        LineNow(LINE_B, TEE, "TEE", "Tee", 1, 0, 2500, 2500, 250),
    ]
    return Basis(
        currency="USD",
        lines=lines,
        shipping_method="STANDARD",
        shipping_address={"name": "Ada"},
        shipping=500,
        shipping_tax=50,
        adjustments=[],
        paid_toward_total=paid,
        tax_rate_bps=1000,
        shipping_rates={"STANDARD": "5.00", "EXPRESS": "15.00"},
        offers={
            "RING": Offer(RING, "RING", "Ring", 4000, "USD", True, (ENGRAVED, SIZE)),
            "OLD": Offer(uuid.uuid4(), "OLD", "Old", 100, "USD", False),
            "EUR": Offer(uuid.uuid4(), "EUR", "Euro", 100, "EUR", True),
        },
    )


def add(sku: str, quantity: int = 1, customizations: list[list[str]] | None = None) -> dict:
    return {
        "kind": ADD_LINE,
        "lineId": str(uuid.uuid4()),
        "sku": sku,
        "quantity": quantity,
        "customizations": customizations or [],
    }


def codes(exc: Rejected | DomainError) -> list[tuple[str, list[str] | None]]:
    errors = exc.errors if isinstance(exc, Rejected) else [exc]
    return [(str(e.code), e.field) for e in errors]


def test_nothing_staged_gives_back_the_order_as_it_is():
    result = recalculate(basis(paid=5250), [])
    assert (result.subtotal, result.shipping, result.tax, result.total) == (4500, 500, 500, 5500)
    assert result.outstanding == 250 and result.stock_changes == []


def test_an_added_line_is_priced_from_the_catalog_with_its_customizations_and_taxed():
    change = add("RING", 2, [["Engraving", "ADA"], ["Size", "XL"]])
    result = recalculate(basis(), [change])
    ring = result.lines[-1]
    assert (ring.unit_price, ring.quantity, ring.subtotal, ring.tax) == (4000 + 500 + 250, 2, 9500, 950)
    assert ring.customizations == [{"name": "Engraving", "value": "ADA"}, {"name": "Size", "value": "XL"}]
    assert (result.subtotal, result.tax, result.total) == (14000, 1450, 15950)
    assert [(c.sku, c.quantity) for c in result.stock_changes] == [("RING", 2)]
    assert result.summary == [{"kind": ADD_LINE, "sku": "RING", "quantity": 2}]


def test_an_added_sku_is_never_merged_with_an_existing_line():
    result = recalculate(basis(), [add("RING", 1, [["Size", "S"]]), add("RING", 1, [["Size", "S"]])])
    assert len(result.lines) == 4


def test_customizations_that_do_not_fit_are_refused_with_their_path():
    with pytest.raises(Rejected) as caught:
        recalculate(basis(), [add("RING", 1, [["Engraving", "TOO LONG TEXT"]])])
    assert codes(caught.value) == [
        ("INVALID_OPTION_VALUE", ["customizations", "0", "value"]),
        ("REQUIRED", ["customizations"]),
    ]


def test_unknown_inactive_and_foreign_currency_products_are_refused():
    for sku, code in (("NOPE", "UNKNOWN_SKU"), ("OLD", "PRODUCT_INACTIVE"), ("EUR", "CURRENCY_MISMATCH")):
        with pytest.raises(Rejected) as caught:
            recalculate(basis(), [add(sku)])
        assert codes(caught.value) == [(code, ["sku"])]


def test_a_quantity_change_reprices_the_line_and_lists_the_units_given_back():
    result = recalculate(basis(), [{"kind": SET_QUANTITY, "lineId": str(LINE_A), "quantity": 1}])
    mug = result.lines[0]
    assert (mug.quantity, mug.original, mug.subtotal, mug.tax) == (1, 2, 1000, 100)
    assert [(c.sku, c.quantity) for c in result.stock_changes] == [("MUG", -1)]
    assert result.total == 5500 - 1100


def test_a_quantity_never_drops_below_what_shipped():
    with pytest.raises(Rejected) as caught:
        recalculate(basis(shipped_a=2), [{"kind": SET_QUANTITY, "lineId": str(LINE_A), "quantity": 1}])
    assert codes(caught.value) == [("BELOW_SHIPPED", ["quantity"])]


def test_units_refunded_by_line_stay_on_the_order():
    refunded = replace(basis(), lines=[replace(basis().lines[0], refunded=1), basis().lines[1]])
    with pytest.raises(Rejected) as caught:
        recalculate(refunded, [{"kind": SET_QUANTITY, "lineId": str(LINE_A), "quantity": 0}])
    assert codes(caught.value) == [("BELOW_REFUNDED", ["quantity"])]
    kept = recalculate(refunded, [{"kind": REMOVE_UNSHIPPED, "lineId": str(LINE_A)}])
    assert kept.lines[0].quantity == 1


def test_removing_unshipped_units_keeps_the_shipped_ones_and_a_line_with_none_goes_to_zero():
    result = recalculate(basis(shipped_a=1), [{"kind": REMOVE_UNSHIPPED, "lineId": str(LINE_A)}])
    assert (result.lines[0].quantity, result.lines[0].subtotal) == (1, 1000)
    result = recalculate(basis(), [{"kind": REMOVE_UNSHIPPED, "lineId": str(LINE_B)}])
    assert (result.lines[1].quantity, result.lines[1].subtotal, result.lines[1].tax) == (0, 0, 0)


def test_an_order_keeps_at_least_one_unit():
    remove_all = [{"kind": REMOVE_UNSHIPPED, "lineId": str(line)} for line in (LINE_A, LINE_B)]
    with pytest.raises(Rejected) as caught:
        recalculate(basis(), remove_all)
    assert codes(caught.value)[0][0] == "EMPTY_ORDER"


def test_a_new_shipping_method_takes_its_current_rate_and_tax_and_an_address_is_kept():
    change = {"kind": SET_SHIPPING, "method": "EXPRESS", "address": {"name": "Bob"}}
    result = recalculate(basis(), [change])
    assert (result.shipping, result.tax) == (1500, 450 + 150)
    assert result.shipping_method == "EXPRESS" and result.shipping_address == {"name": "Bob"}
    back = recalculate(basis(), [change, {"kind": SET_SHIPPING, "method": "STANDARD", "address": None}])
    assert (back.shipping, back.tax) == (500, 500)  # back to the method charged: what was charged
    pickup = recalculate(basis(), [{"kind": SET_SHIPPING, "method": "PICKUP", "address": None}])
    assert (pickup.shipping, pickup.tax) == (0, 450)  # no rate for it: free, as at placement
    foreign = replace(basis(), rates_currency="EUR")
    with pytest.raises(Rejected) as caught:
        recalculate(foreign, [change])
    assert codes(caught.value) == [("CURRENCY_MISMATCH", ["shippingMethod"])]


def test_discounts_and_surcharges_count_tax_included_and_never_make_the_total_negative():
    discount = {"kind": ADJUST, "discount": True, "amount": "7.50", "reason": "Late"}
    surcharge = {"kind": ADJUST, "discount": False, "amount": "2", "reason": "Gift box"}
    result = recalculate(basis(paid=5500), [discount, surcharge])
    assert result.adjustment == -550 and result.total == 4950 and result.outstanding == -550
    assert result.adjustments == [{"amount": -750, "reason": "Late"}, {"amount": 200, "reason": "Gift box"}]
    with pytest.raises(DomainError) as caught:
        recalculate(basis(), [{**discount, "amount": "100"}])
    assert codes(caught.value) == [("INVALID_AMOUNT", ["amount"])]
    with pytest.raises(Rejected) as refused:
        recalculate(basis(), [{**discount, "amount": "0.001"}])
    assert codes(refused.value)[0][0] == "INVALID_AMOUNT"


def test_the_outstanding_amount_is_a_balance_due_or_a_refund_owed():
    more = recalculate(basis(paid=5500), [add("RING", 1, [["Size", "S"]])])
    assert more.outstanding == 4400
    less = recalculate(basis(paid=5500), [{"kind": SET_QUANTITY, "lineId": str(LINE_B), "quantity": 0}])
    assert less.outstanding == -2750
