"""Locations and products through the API: create, update, import, list, and their refusals."""

from __future__ import annotations

from tests.api.documents import (
    LOCATION_CREATE,
    LOCATION_UPDATE,
    PRODUCT_CREATE,
    PRODUCT_UPDATE,
    PRODUCTS_IMPORT,
    create_location,
    create_product,
    error_codes,
    global_id,
    ok,
)

LOCATIONS = """
query Locations($active: Boolean, $sortKey: LocationSortKey! = PRIORITY, $reverse: Boolean! = false) {
  locations(active: $active, sortKey: $sortKey, reverse: $reverse) {
    nodes { id name code kind priority active }
  }
}
"""

PRODUCT_DETAIL = """
query($sku: String!) {
  product(sku: $sku) { id sku name price { amount currencyCode } backorderPolicy active weightGrams }
}
"""

PRODUCTS = """
query Products($filter: ProductFilterInput, $sortKey: ProductSortKey! = SKU, $reverse: Boolean! = false) {
  products(filter: $filter, sortKey: $sortKey, reverse: $reverse) { nodes { sku price { amount } } }
}
"""


def errors_of(payload):
    return [(e["code"], e["field"]) for e in payload["userErrors"]]


async def locations(api, key, **variables):
    return (await api(key, LOCATIONS, **variables))["data"]["locations"]["nodes"]


async def product(api, key, sku):
    return (await api(key, PRODUCT_DETAIL, sku=sku))["data"]["product"]


async def test_a_location_gets_a_code_from_its_name_and_the_default_priority(api, tenant):
    body = await api(tenant.admin, LOCATION_CREATE, name="  East Coast DC  ")

    location_id = ok(body, "locationCreate")["location"]["id"]
    assert await locations(api, tenant.admin) == [
        {
            "id": location_id,
            "name": "East Coast DC",
            "code": "east-coast-dc",
            "kind": "WAREHOUSE",
            "priority": 100,
            "active": True,
        }
    ]


async def test_a_location_takes_the_code_and_priority_it_is_given(api, tenant):
    body = await api(tenant.admin, LOCATION_CREATE, name="Store", code="NYC-1", priority=5)

    ok(body, "locationCreate")
    [store] = await locations(api, tenant.admin)
    assert (store["code"], store["priority"]) == ("NYC-1", 5)


async def test_locations_list_in_priority_order_and_filter_by_active(api, tenant):
    late = await create_location(api, tenant.admin, "Overflow", priority=50)
    first = await create_location(api, tenant.admin, "Primary", priority=1)
    ok(await api(tenant.admin, LOCATION_UPDATE, input={"id": late, "active": False}), "locationUpdate")

    assert [x["id"] for x in await locations(api, tenant.admin)] == [first, late]
    assert [x["id"] for x in await locations(api, tenant.admin, reverse=True)] == [late, first]
    assert [x["id"] for x in await locations(api, tenant.admin, active=True)] == [first]
    assert [x["name"] for x in await locations(api, tenant.admin, sortKey="NAME")] == ["Overflow", "Primary"]


async def test_a_second_location_with_the_same_code_is_refused(api, tenant):
    await create_location(api, tenant.admin, "Main")

    body = await api(tenant.admin, LOCATION_CREATE, name="Another", code="main")

    payload = body["data"]["locationCreate"]
    assert payload["location"] is None
    assert errors_of(payload) == [("DUPLICATE", ["code"])]
    assert len(await locations(api, tenant.admin)) == 1


async def test_a_location_with_a_blank_name_and_a_bad_priority_gets_both_errors(api, tenant):
    body = await api(tenant.admin, LOCATION_CREATE, name="   ", code="has spaces", priority=-1)

    payload = body["data"]["locationCreate"]
    assert sorted(errors_of(payload)) == [
        ("INVALID", ["code"]),
        ("INVALID", ["priority"]),
        ("REQUIRED", ["name"]),
    ]
    assert await locations(api, tenant.admin) == []


async def test_updating_a_location_changes_only_the_fields_given(api, tenant):
    location_id = await create_location(api, tenant.admin, "Main", priority=10)

    body = await api(tenant.admin, LOCATION_UPDATE, input={"id": location_id, "name": "Main DC"})

    assert ok(body, "locationUpdate")["location"] == {
        "id": location_id,
        "name": "Main DC",
        "code": "main",
        "priority": 10,
        "active": True,
    }


async def test_updating_an_unknown_location_is_not_found(api, tenant):
    await create_location(api, tenant.admin, "Main")
    product_id = await create_product(api, tenant.admin, "TEE")

    for bad in ("nonsense", global_id("Location"), product_id):
        body = await api(tenant.admin, LOCATION_UPDATE, input={"id": bad, "name": "X"})
        assert errors_of(body["data"]["locationUpdate"]) == [("NOT_FOUND", ["id"])], bad
    assert [x["name"] for x in await locations(api, tenant.admin)] == ["Main"]


async def test_a_product_is_created_with_a_decimal_price_in_the_tenants_currency(api, tenant):
    body = await api(tenant.admin, PRODUCT_CREATE, sku="TEE-BLK-M", name="Black tee, M", price="19.99")

    created = ok(body, "productCreate")["product"]
    assert created["sku"] == "TEE-BLK-M"
    assert await product(api, tenant.admin, "TEE-BLK-M") == {
        "id": created["id"],
        "sku": "TEE-BLK-M",
        "name": "Black tee, M",
        "price": {"amount": "19.99", "currencyCode": "USD"},
        "backorderPolicy": "DENY",
        "active": True,
        "weightGrams": None,
    }


async def test_a_product_takes_its_own_currency_and_backorder_policy(api, tenant):
    body = await api(
        tenant.admin,
        PRODUCT_CREATE,
        sku="KIMONO",
        name="Kimono",
        price="15000",
        currencyCode="JPY",
        backorderPolicy="ALLOW",
    )

    ok(body, "productCreate")
    found = await product(api, tenant.admin, "KIMONO")
    assert found["price"] == {"amount": "15000", "currencyCode": "JPY"}
    assert found["backorderPolicy"] == "ALLOW"


async def test_enums_written_literally_in_a_product_document_work(api, tenant):
    document = """mutation { productCreate(input: {sku: "EUR-1", name: "Euro thing", price: "2.50",
      currencyCode: EUR, backorderPolicy: DENY}) { product { id sku } userErrors { field message code } } }"""

    ok(await api(tenant.admin, document), "productCreate")
    assert (await product(api, tenant.admin, "EUR-1"))["price"] == {"amount": "2.50", "currencyCode": "EUR"}


async def test_a_price_with_more_decimals_than_its_currency_is_refused(api, tenant):
    for price, currency in (("19.999", "USD"), ("15.5", "JPY")):
        body = await api(tenant.admin, PRODUCT_CREATE, sku="X", name="X", price=price, currencyCode=currency)
        assert errors_of(body["data"]["productCreate"]) == [("INVALID_AMOUNT", ["price"])], price
    assert await product(api, tenant.admin, "X") is None


async def test_a_price_that_is_not_a_number_is_refused_before_anything_runs(api, tenant):
    body = await api(tenant.admin, PRODUCT_CREATE, sku="X", name="X", price="cheap")

    assert body["data"] is None
    assert "Decimal" in body["errors"][0]["message"]
    assert await product(api, tenant.admin, "X") is None


async def test_a_product_with_several_problems_gets_an_error_for_each(api, tenant):
    body = await api(tenant.admin, PRODUCT_CREATE, sku="no spaces allowed", name=" ", price="-5")

    assert sorted(errors_of(body["data"]["productCreate"])) == [
        ("INVALID", ["sku"]),
        ("INVALID_AMOUNT", ["price"]),
        ("REQUIRED", ["name"]),
    ]


async def test_a_second_product_with_the_same_sku_is_refused(api, tenant):
    first = await create_product(api, tenant.admin, "TEE", "19.99")

    body = await api(tenant.admin, PRODUCT_CREATE, sku="TEE", name="Imposter", price="1.00")

    payload = body["data"]["productCreate"]
    assert payload["product"] is None
    assert errors_of(payload) == [("DUPLICATE", ["sku"])]
    found = await product(api, tenant.admin, "TEE")
    assert (found["id"], found["name"], found["price"]["amount"]) == (first, "Product TEE", "19.99")


async def test_updating_a_product_changes_only_the_fields_given(api, tenant):
    product_id = await create_product(api, tenant.admin, "TEE", "19.99")

    body = await api(
        tenant.admin, PRODUCT_UPDATE, input={"id": product_id, "price": "24.00", "active": False}
    )

    assert ok(body, "productUpdate")["product"] == {
        "id": product_id,
        "sku": "TEE",
        "name": "Product TEE",
        "price": {"amount": "24.00", "currencyCode": "USD"},
        "backorderPolicy": "DENY",
        "active": False,
    }


async def test_changing_a_products_currency_without_a_new_price_is_refused(api, tenant):
    product_id = await create_product(api, tenant.admin, "TEE", "19.99")

    body = await api(tenant.admin, PRODUCT_UPDATE, input={"id": product_id, "currencyCode": "EUR"})

    assert errors_of(body["data"]["productUpdate"]) == [("INVALID", ["price"])]
    assert (await product(api, tenant.admin, "TEE"))["price"] == {"amount": "19.99", "currencyCode": "USD"}


async def test_renaming_a_sku_onto_another_products_sku_is_refused(api, tenant):
    await create_product(api, tenant.admin, "TEE")
    mug = await create_product(api, tenant.admin, "MUG")

    body = await api(tenant.admin, PRODUCT_UPDATE, input={"id": mug, "sku": "TEE"})

    assert errors_of(body["data"]["productUpdate"]) == [("DUPLICATE", ["sku"])]
    assert (await product(api, tenant.admin, "MUG"))["id"] == mug


async def test_updating_an_unknown_product_is_not_found(api, tenant):
    location_id = await create_location(api, tenant.admin, "Main")
    for bad in ("nonsense", global_id("Product"), location_id):
        body = await api(tenant.admin, PRODUCT_UPDATE, input={"id": bad, "name": "X"})
        assert errors_of(body["data"]["productUpdate"]) == [("NOT_FOUND", ["id"])], bad


async def test_an_import_creates_new_skus_and_updates_existing_ones(api, tenant):
    tee = await create_product(api, tenant.admin, "TEE", "19.99")

    body = await api(
        tenant.admin,
        PRODUCTS_IMPORT,
        products=[
            {"sku": "TEE", "name": "Tee, restyled", "price": "21.00"},
            {"sku": "MUG", "name": "Mug", "price": "8.50"},
        ],
    )

    imported = ok(body, "productsImport")["products"]
    assert [(p["sku"], p["name"], p["price"]["amount"]) for p in imported] == [
        ("TEE", "Tee, restyled", "21.00"),
        ("MUG", "Mug", "8.50"),
    ]
    assert imported[0]["id"] == tee
    assert [p["sku"] for p in (await api(tenant.admin, PRODUCTS))["data"]["products"]["nodes"]] == [
        "MUG",
        "TEE",
    ]


async def test_an_import_with_one_bad_product_imports_nothing_and_names_its_index(api, tenant):
    await create_product(api, tenant.admin, "TEE", "19.99")

    body = await api(
        tenant.admin,
        PRODUCTS_IMPORT,
        products=[
            {"sku": "TEE", "name": "Tee, restyled", "price": "21.00"},
            {"sku": "MUG", "name": "Mug", "price": "8.505"},
            {"sku": "CAP", "name": "", "price": "12.00"},
            {"sku": "MUG", "name": "Mug again", "price": "8.50"},
        ],
    )

    payload = body["data"]["productsImport"]
    assert payload["products"] == []
    assert sorted(errors_of(payload)) == [
        ("DUPLICATE", ["products", "3", "sku"]),
        ("INVALID_AMOUNT", ["products", "1", "price"]),
        ("REQUIRED", ["products", "2", "name"]),
    ]
    listed = (await api(tenant.admin, PRODUCTS))["data"]["products"]["nodes"]
    assert listed == [{"sku": "TEE", "price": {"amount": "19.99"}}]


async def test_an_empty_import_is_refused(api, tenant):
    body = await api(tenant.admin, PRODUCTS_IMPORT, products=[])
    assert errors_of(body["data"]["productsImport"]) == [("REQUIRED", ["products"])]


async def test_products_list_filters_by_text_and_skus_and_sorts_by_price(api, tenant):
    await api(
        tenant.admin,
        PRODUCTS_IMPORT,
        products=[
            {"sku": "TEE-RED", "name": "Red tee", "price": "20.00"},
            {"sku": "TEE-BLUE", "name": "Blue tee", "price": "18.00"},
            {"sku": "MUG", "name": "Mug", "price": "8.50"},
            {"sku": "CAP", "name": "Cap", "price": "12.00", "active": False},
        ],
    )

    async def skus(**variables):
        return [
            p["sku"] for p in (await api(tenant.admin, PRODUCTS, **variables))["data"]["products"]["nodes"]
        ]

    assert await skus() == ["CAP", "MUG", "TEE-BLUE", "TEE-RED"]
    assert await skus(filter={"query": "tee"}) == ["TEE-BLUE", "TEE-RED"]
    assert await skus(filter={"skus": ["MUG", "CAP", "NOPE"]}) == ["CAP", "MUG"]
    assert await skus(filter={"active": False}) == ["CAP"]
    assert await skus(sortKey="PRICE") == ["MUG", "CAP", "TEE-BLUE", "TEE-RED"]
    assert await skus(sortKey="PRICE", reverse=True) == ["TEE-RED", "TEE-BLUE", "CAP", "MUG"]


async def test_an_unknown_sku_reads_as_null(api, tenant):
    body = await api(tenant.admin, PRODUCT_DETAIL, sku="NOPE")
    assert body["data"] == {"product": None}
    assert error_codes(body) == []
