"""Locations and products: creation, bulk import (all or nothing), updates and their events."""

from __future__ import annotations

import pytest

from domain.catalog.models import BackorderPolicy
from domain.catalog.service import (
    LocationInput,
    ProductInput,
    create_location,
    create_product,
    import_products,
    update_location,
    update_product,
)
from domain.errors import Code, DomainError, Rejected
from tests.integration.builders import count, outbox, snapshot, uow


async def test_creating_a_location_derives_its_code_and_records_an_event(db, tenant):
    created = await create_location(
        uow(db, tenant.id), LocationInput(name="  Main Street Store ", priority=5)
    )

    assert (created.name, created.code, created.priority, created.active) == (
        "Main Street Store",
        "main-street-store",
        5,
        True,
    )
    (event,) = await outbox(db, tenant.id, type="LOCATION_CHANGED")
    assert (event.aggregate_id, event.payload) == (created.id, {"fields": ["created"]})


async def test_a_location_code_is_unique_per_tenant(db, tenant, other_tenant):
    await create_location(uow(db, tenant.id), LocationInput(name="Main", code="MAIN"))
    await create_location(uow(db, other_tenant.id), LocationInput(name="Main", code="MAIN"))
    before = await snapshot(db, tenant.id)

    with pytest.raises(DomainError) as refused:
        await create_location(uow(db, tenant.id), LocationInput(name="Other", code="MAIN"))

    assert (refused.value.code, refused.value.field) == (Code.DUPLICATE, ["code"])
    assert await snapshot(db, tenant.id) == before
    assert await count(db, "locations", tenant.id) == 1


async def test_updating_a_location_records_the_changed_fields(db, tenant):
    created = await create_location(uow(db, tenant.id), LocationInput(name="Main", code="MAIN"))

    updated = await update_location(uow(db, tenant.id), created.id, LocationInput(priority=7, active=False))

    assert (updated.priority, updated.active) == (7, False)
    events = await outbox(db, tenant.id, type="LOCATION_CHANGED")
    assert [e.payload["fields"] for e in events] == [["created"], ["active", "priority"]]


async def test_creating_a_product_prices_it_in_minor_units_of_the_tenants_currency(db, tenant):
    created = await create_product(
        uow(db, tenant.id),
        ProductInput(sku="MUG", name="Mug", price="12.50", backorder_policy=BackorderPolicy.ALLOW),
    )

    assert (created.price, created.currency, created.backorder_policy) == (1250, "USD", "ALLOW")
    (event,) = await outbox(db, tenant.id, type="PRODUCT_CHANGED")
    assert event.payload == {"sku": "MUG", "fields": ["created"]}


async def test_an_import_with_one_bad_product_imports_none_and_reports_each_problem(db, tenant):
    before = await snapshot(db, tenant.id)

    with pytest.raises(Rejected) as rejected:
        await import_products(
            uow(db, tenant.id),
            [
                ProductInput(sku="OK", name="Fine", price="1.00"),
                ProductInput(sku="BAD", name="Cheap", price="0.001"),
                ProductInput(sku="OK", name="Twin", price="1.00"),
                ProductInput(sku="", name="", price=None),
            ],
        )

    assert sorted((e.code, tuple(e.field)) for e in rejected.value.errors) == sorted(
        [
            (Code.INVALID_AMOUNT, ("products", "1", "price")),
            (Code.DUPLICATE, ("products", "2", "sku")),
            (Code.REQUIRED, ("products", "3", "sku")),
            (Code.REQUIRED, ("products", "3", "name")),
            (Code.REQUIRED, ("products", "3", "price")),
        ]
    )
    assert await snapshot(db, tenant.id) == before
    assert await count(db, "products", tenant.id) == 0


async def test_importing_again_updates_by_sku_and_records_only_real_changes(db, tenant):
    await import_products(
        uow(db, tenant.id),
        [
            ProductInput(sku="MUG", name="Mug", price="10.00"),
            ProductInput(sku="TEE", name="Tee", price="20.00"),
        ],
    )

    result = await import_products(
        uow(db, tenant.id),
        [
            ProductInput(sku="MUG", name="Mug", price="11.00"),
            ProductInput(sku="TEE", name="Tee", price="20.00"),
        ],
    )

    assert [(p.sku, p.price) for p in result] == [("MUG", 1100), ("TEE", 2000)]
    assert await count(db, "products", tenant.id) == 2
    events = await outbox(db, tenant.id, type="PRODUCT_CHANGED")
    assert sorted((e.payload["sku"], tuple(e.payload["fields"])) for e in events) == [
        ("MUG", ("created",)),
        ("MUG", ("price",)),
        ("TEE", ("created",)),
    ]


async def test_creating_a_product_whose_sku_exists_is_refused(db, tenant):
    await create_product(uow(db, tenant.id), ProductInput(sku="MUG", name="Mug", price="1.00"))

    with pytest.raises(Rejected) as rejected:
        await create_product(uow(db, tenant.id), ProductInput(sku="MUG", name="Other", price="2.00"))

    assert [(e.code, e.field) for e in rejected.value.errors] == [(Code.DUPLICATE, ["sku"])]
    assert await count(db, "products", tenant.id) == 1


async def test_changing_a_products_currency_needs_a_price(db, tenant):
    created = await create_product(uow(db, tenant.id), ProductInput(sku="MUG", name="Mug", price="1.00"))

    with pytest.raises(DomainError) as refused:
        await update_product(uow(db, tenant.id), created.id, ProductInput(currency="EUR"))
    assert (refused.value.code, refused.value.field) == (Code.INVALID, ["price"])

    updated = await update_product(uow(db, tenant.id), created.id, ProductInput(currency="JPY", price="150"))
    assert (updated.currency, updated.price) == ("JPY", 150)
    events = await outbox(db, tenant.id, type="PRODUCT_CHANGED")
    assert [e.payload["fields"] for e in events] == [["created"], ["currencyCode", "price"]]
