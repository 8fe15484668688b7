"""Aggregates name what changed by their own attributes; the event's payload (the outbox row every way out
serves) spells them as the API does, so ORDER_UPDATED, PRODUCT_CHANGED and SUPPLIER_CHANGED read as
before. The aggregates sort by attribute; for every attribute they can name, that is the API order too."""

from __future__ import annotations

import uuid

from domain.catalog.events import ProductChanged
from domain.orders.events import OrderUpdated
from domain.purchasing.events import SupplierChanged
from domain.tenancy.events import ShopUpdated

ID = uuid.uuid4()
PRODUCT = [
    "active",
    "backorder_policy",
    "created",
    "currency",
    "customization_options",
    "name",
    "price",
    "sku",
]
PRODUCT += ["weight_grams"]
ORDER = ["billing_address", "note", "shipping_address", "tags"]
SUPPLIER = ["active", "email", "lead_time_days", "minimum_order_quantity", "name", "pack_size"]


def test_a_product_change_names_its_fields_as_the_api_does_in_the_same_order():
    event = ProductChanged(ID, sku="MUG", fields=sorted(PRODUCT))

    names = event.payload()["fields"]

    assert names == [
        "active",
        "backorderPolicy",
        "created",
        "currencyCode",
        "customizationOptions",
        "name",
        "price",
        "sku",
        "weightGrams",
    ]
    assert names == sorted(names)


def test_an_order_update_names_its_fields_as_the_api_does_in_its_payload_and_message():
    event = OrderUpdated(ID, number="#1001", fields=sorted(ORDER))

    assert event.payload()["fields"] == ["billingAddress", "note", "shippingAddress", "tags"]
    assert event.message() == "Changed billingAddress, note, shippingAddress, tags"


def test_a_supplier_change_names_its_fields_as_the_api_does_in_the_same_order():
    names = SupplierChanged(ID, fields=sorted(SUPPLIER), created=True).payload()["fields"]

    assert names == ["active", "contactEmail", "leadTimeDays", "minimumOrderQuantity", "name", "packSize"]
    assert names == sorted(names)


def test_an_event_that_does_not_ask_for_it_keeps_its_fields_as_recorded():
    assert ShopUpdated(ID, fields=["tax_rate_bps"]).payload()["fields"] == ["tax_rate_bps"]
