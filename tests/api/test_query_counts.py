"""Nested reads batch through dataloaders: the number of SQL statements must not grow with the page."""

from __future__ import annotations

import asyncio

import pytest

from tests.api.documents import (
    NODES,
    ORDER_CONFIRM,
    ORDER_CREATE,
    ORDERS_NESTED,
    PRODUCTS_IMPORT,
    ok,
    order_input,
    set_stock,
)
from tests.api.fulfillment_documents import ship, track
from tests.api.query_counting import counting, statements_for

FO_OF_ORDER = "query($id: ID!) { order(id: $id) { fulfillmentOrders { id } } }"

# A request sends: the API-key lookup (BEGIN, SELECT, ROLLBACK; cached between requests outside the
# tests), then three statements per batched read (BEGIN + tenant, SELECT, COMMIT).
MAX_STATEMENTS = 12  # the key lookup and three batched reads
DEEP_STATEMENTS = 3 + 8 * 3  # orders, customer, events, payments, lines, product, allocations, location

ORDERS_DEEP = """
query($first: Int!) {
  orders(first: $first) {
    nodes {
      number total { amount }
      customer { email }
      events { type }
      payments { reference }
      lines { sku product { sku } allocations { quantity location { code } } }
    }
  }
}
"""

PRODUCTS_WITH_STOCK = """
query($first: Int!) {
  products(first: $first) { nodes { sku inventory { onHand levels { onHand location { code } } } } }
}
"""


@pytest.fixture
async def fifty_orders(api, shop):
    await set_stock(api, shop.admin, "TEE", shop.location_id, 1000)
    await set_stock(api, shop.admin, "MUG", shop.location_id, 1000)
    for i in range(50):
        body = await api(
            shop.admin,
            ORDER_CREATE,
            input=order_input([("TEE", 1), ("MUG", 2)], email=f"buyer{i % 7}@example.com"),
        )
        ok(body, "orderCreate")


async def test_listing_fifty_orders_with_lines_customer_and_totals_runs_as_many_statements_as_five(
    api, shop, fifty_orders
):
    five = await statements_for(api, shop.admin, ORDERS_NESTED, first=5)
    fifty = await statements_for(api, shop.admin, ORDERS_NESTED, first=50)

    assert fifty == five
    assert five <= MAX_STATEMENTS


async def test_the_page_really_holds_fifty_orders_with_their_nested_data(api, shop, fifty_orders):
    body = await api(shop.admin, ORDERS_NESTED, first=50)

    nodes = body["data"]["orders"]["nodes"]
    assert len(nodes) == 50
    assert all(len(n["lines"]) == 2 and n["customer"]["email"].startswith("buyer") for n in nodes)
    assert {n["total"]["amount"] for n in nodes} == {"46.19"}  # 19.99 + 17.00 + 5.00 shipping + 4.20 tax


async def test_a_deeper_order_listing_does_not_grow_with_the_page_either(api, shop, fifty_orders):
    five = await statements_for(api, shop.admin, ORDERS_DEEP, first=5)
    fifty = await statements_for(api, shop.admin, ORDERS_DEEP, first=50)

    assert fifty == five
    assert five <= DEEP_STATEMENTS


async def test_listing_products_with_stock_per_location_does_not_grow_with_the_page(api, shop):
    products = [{"sku": f"SKU-{i:02}", "name": f"Thing {i}", "price": "1.00"} for i in range(40)]
    ok(await api(shop.admin, PRODUCTS_IMPORT, products=products), "productsImport")
    for i in range(0, 40, 4):
        await set_stock(api, shop.admin, f"SKU-{i:02}", shop.location_id, i + 1)

    four = await statements_for(api, shop.admin, PRODUCTS_WITH_STOCK, first=4)
    forty = await statements_for(api, shop.admin, PRODUCTS_WITH_STOCK, first=40)

    assert forty == four
    assert four <= MAX_STATEMENTS


async def test_fetching_many_nodes_does_not_grow_with_the_number_of_ids(api, shop, fifty_orders):
    ids = [n["id"] for n in (await api(shop.admin, ORDERS_NESTED, first=50))["data"]["orders"]["nodes"]]

    five = await statements_for(api, shop.admin, NODES, ids=ids[:5])
    fifty = await statements_for(api, shop.admin, NODES, ids=ids)

    assert fifty == five
    assert five <= MAX_STATEMENTS


ORDER_SCREENS = [
    """query($n: String!) { orderByNumber(number: $n) { number ...Lines } }
    fragment Lines on Order { lines { sku quantity } }""",
    "query($n: String!) { orderByNumber(number: $n) { number ... on Order { lines { sku quantity } } } }",
    "query($n: String!) { orderByNumber(number: $n) { number lines { sku quantity } } }",
]


@pytest.mark.parametrize("document", ORDER_SCREENS)
async def test_an_order_screen_reads_the_order_and_its_lines_in_one_transaction(api, plain, shop, document):
    body = await api(shop.admin, ORDER_CREATE, input=order_input([("TEE", 1), ("MUG", 2)]))
    number = ok(body, "orderCreate")["order"]["number"]

    for app in (plain, api):  # through strawberry, then compiled (server/compiled_reads.py)
        await app(shop.admin, document, n=number)
        with counting(app) as statements:
            body = await app(shop.admin, document, n=number)
            await asyncio.sleep(0)

        assert body["data"]["orderByNumber"]["lines"] == [
            {"sku": "TEE", "quantity": 1},
            {"sku": "MUG", "quantity": 2},
        ]
        assert sum("FROM order_lines" in s for s in statements.seen) == 1
        reads = [s for s in statements.seen if s.startswith("BEGIN READ ONLY")]
        if app is plain:
            assert len(reads) == 1, statements.seen
        else:  # one statement, which is its own transaction (besides the key's lookup: no cache here)
            data = [s for s in statements.seen if "baton_api_key(" not in s]
            assert reads == [] and len(data) == 1, statements.seen


async def test_an_order_asked_for_without_lines_does_not_read_them(api, shop):
    body = await api(shop.admin, ORDER_CREATE, input=order_input([("TEE", 1)]))
    number = ok(body, "orderCreate")["order"]["number"]
    document = "query($n: String!) { orderByNumber(number: $n) { number status } }"

    await api(shop.admin, document, n=number)
    with counting(api) as statements:
        body = await api(shop.admin, document, n=number)
        await asyncio.sleep(0)

    assert body["data"]["orderByNumber"]["status"] == "PENDING"
    assert not any("FROM order_lines" in s for s in statements.seen)


ORDERS_SHIPPED = """
query($first: Int!) {
  orders(first: $first) {
    nodes {
      number
      fulfillmentOrders { status location { code } holds { reason } lines { sku binCode } pickList { sku } }
      shipments { trackingNumber lines { sku } trackingEvents { status } fulfillmentOrder { status } }
    }
  }
}
"""
# orders, fulfillment orders, locations, holds, fulfillment lines, shipments, shipment lines,
# tracking, and the shipments' fulfillment orders by id
SHIPPED_STATEMENTS = 3 + 9 * 3


async def test_listing_fulfillment_and_tracking_does_not_grow_with_the_page(api, shop, fifty_orders):
    listed = (await api(shop.admin, "{ orders(first: 50) { nodes { id } } }"))["data"]["orders"]["nodes"]
    for i, order in enumerate(listed):
        ok(await api(shop.admin, ORDER_CONFIRM, id=order["id"]), "orderConfirm")
        (fo,) = (await api(shop.admin, FO_OF_ORDER, id=order["id"]))["data"]["order"]["fulfillmentOrders"]
        shipment = await ship(api, shop.admin, fo["id"], f"Q-{i}")
        await track(api, shop.admin, shipment["id"], "IN_TRANSIT")

    five = await statements_for(api, shop.admin, ORDERS_SHIPPED, first=5)
    fifty = await statements_for(api, shop.admin, ORDERS_SHIPPED, first=50)

    assert fifty == five
    assert five <= SHIPPED_STATEMENTS
    body = await api(shop.admin, ORDERS_SHIPPED, first=50)
    assert all(len(n["shipments"][0]["trackingEvents"]) == 1 for n in body["data"]["orders"]["nodes"])
