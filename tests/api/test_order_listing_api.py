"""The orders connection: filters, sort keys, both directions of cursor pagination, page limits."""

from __future__ import annotations

import pytest

from tests.api.documents import (
    CUSTOMERS,
    ORDER_CANCEL,
    ORDER_CONFIRM,
    ORDER_MARK_PAID,
    ORDERS,
    error_codes,
    global_id,
    ok,
    place_order,
)

CREATED_AT = "{ orders(sortKey: NUMBER) { nodes { number createdAt } } }"


@pytest.fixture
async def orders(api, shop):
    """Five orders, #1001 to #1005, on several channels, customers, tags and statuses."""
    placed = [
        await place_order(api, shop.admin, [("TEE", 1)], email="grace@example.com", tags=["vip"]),
        await place_order(
            api, shop.admin, [("MUG", 1)], email="alan@example.com", channel="POS", tags=["vip", "gift"]
        ),
        await place_order(api, shop.admin, [("TEE", 2)], email="ada@example.com"),
        await place_order(
            api, shop.admin, [("MUG", 2)], email="grace@example.com", channel="MARKETPLACE", tags=["gift"]
        ),
        await place_order(api, shop.admin, [("TEE", 3)], email="alan@example.com"),
    ]
    ok(await api(shop.admin, ORDER_CONFIRM, id=placed[2]["id"]), "orderConfirm")
    ok(await api(shop.admin, ORDER_CANCEL, id=placed[3]["id"]), "orderCancel")
    return placed


async def numbers(api, key, **variables) -> list[str]:
    body = await api(key, ORDERS, **variables)
    assert "errors" not in body, body
    return [n["number"] for n in body["data"]["orders"]["nodes"]]


async def test_orders_are_listed_newest_first_by_default_and_oldest_first_reversed(api, shop, orders):
    assert await numbers(api, shop.admin) == ["#1005", "#1004", "#1003", "#1002", "#1001"]
    assert await numbers(api, shop.admin, reverse=True) == ["#1001", "#1002", "#1003", "#1004", "#1005"]


async def test_orders_sort_by_number_and_by_total(api, shop, orders):
    assert await numbers(api, shop.admin, sortKey="NUMBER") == ["#1001", "#1002", "#1003", "#1004", "#1005"]
    assert await numbers(api, shop.admin, sortKey="NUMBER", reverse=True) == [
        "#1005",
        "#1004",
        "#1003",
        "#1002",
        "#1001",
    ]
    # totals: #1001 27.49, #1002 14.85, #1003 49.48, #1004 24.20, #1005 71.47
    assert await numbers(api, shop.admin, sortKey="TOTAL") == ["#1002", "#1004", "#1001", "#1003", "#1005"]


async def test_orders_filter_by_status(api, shop, orders):
    assert await numbers(api, shop.admin, filter={"status": ["CANCELLED"]}) == ["#1004"]
    assert await numbers(api, shop.admin, filter={"status": ["CONFIRMED", "CANCELLED"]}) == ["#1004", "#1003"]
    assert await numbers(api, shop.admin, filter={"status": ["PENDING"]}) == ["#1005", "#1002", "#1001"]


async def test_orders_filter_by_channel(api, shop, orders):
    assert await numbers(api, shop.admin, filter={"channel": ["POS", "MARKETPLACE"]}) == ["#1004", "#1002"]
    assert await numbers(api, shop.admin, filter={"channel": ["PHONE"]}) == []


async def test_orders_filter_by_customer_email_whatever_its_case(api, shop, orders):
    assert await numbers(api, shop.admin, filter={"customerEmail": "Grace@Example.com"}) == ["#1004", "#1001"]
    assert await numbers(api, shop.admin, filter={"customerEmail": "nobody@example.com"}) == []


async def test_orders_filter_by_tags_keeping_orders_that_carry_all_of_them(api, shop, orders):
    assert await numbers(api, shop.admin, filter={"tags": ["vip"]}) == ["#1002", "#1001"]
    assert await numbers(api, shop.admin, filter={"tags": ["vip", "gift"]}) == ["#1002"]


async def test_orders_filter_by_creation_time(api, shop, orders):
    created = (await api(shop.admin, CREATED_AT))["data"]["orders"]["nodes"]
    third = created[2]["createdAt"]

    assert await numbers(api, shop.admin, filter={"createdAfter": third}) == ["#1005", "#1004", "#1003"]
    assert await numbers(api, shop.admin, filter={"createdBefore": third}) == ["#1002", "#1001"]


async def test_orders_filter_by_payment_status(api, shop, orders):
    ok(await api(shop.admin, ORDER_MARK_PAID, id=orders[0]["id"], reference="pay-1"), "orderMarkPaid")
    ok(
        await api(shop.admin, ORDER_MARK_PAID, id=orders[1]["id"], reference="pay-2", amount="1.00"),
        "orderMarkPaid",
    )

    assert await numbers(api, shop.admin, filter={"paymentStatus": ["PAID"]}) == ["#1001"]
    assert await numbers(api, shop.admin, filter={"paymentStatus": ["PAID", "PARTIALLY_PAID"]}) == [
        "#1002",
        "#1001",
    ]


async def test_orders_filter_by_customer_id(api, shop, orders):
    customers = (await api(shop.admin, CUSTOMERS, email="alan@example.com"))["data"]["customers"]["nodes"]
    [alan] = customers

    assert await numbers(api, shop.admin, filter={"customerId": alan["id"]}) == ["#1005", "#1002"]
    assert await numbers(api, shop.admin, filter={"customerId": global_id("Customer")}) == []


async def test_a_customer_id_filter_that_is_not_a_customer_id_is_bad_user_input(api, shop, orders):
    body = await api(shop.admin, ORDERS, filter={"customerId": shop.tee_id})
    assert error_codes(body) == ["BAD_USER_INPUT"]


async def test_filters_combine(api, shop, orders):
    where = {"status": ["PENDING"], "channel": ["WEB"], "customerEmail": "alan@example.com"}
    assert await numbers(api, shop.admin, filter=where) == ["#1005"]


async def test_orders_page_forward_with_first_and_after(api, shop, orders):
    seen, after, infos = [], None, []
    while True:
        body = await api(shop.admin, ORDERS, first=2, after=after)
        page = body["data"]["orders"]
        seen.append([n["number"] for n in page["nodes"]])
        infos.append((page["pageInfo"]["hasNextPage"], page["pageInfo"]["hasPreviousPage"]))
        assert [e["node"]["number"] for e in page["edges"]] == seen[-1]
        assert page["pageInfo"]["endCursor"] == page["edges"][-1]["cursor"]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]

    assert seen == [["#1005", "#1004"], ["#1003", "#1002"], ["#1001"]]
    assert infos == [(True, False), (True, True), (False, True)]


async def test_orders_page_backward_with_last_and_before(api, shop, orders):
    seen, before, infos = [], None, []
    while True:
        body = await api(shop.admin, ORDERS, last=2, before=before)
        page = body["data"]["orders"]
        seen.append([n["number"] for n in page["nodes"]])
        infos.append((page["pageInfo"]["hasNextPage"], page["pageInfo"]["hasPreviousPage"]))
        assert page["pageInfo"]["startCursor"] == page["edges"][0]["cursor"]
        if not page["pageInfo"]["hasPreviousPage"]:
            break
        before = page["pageInfo"]["startCursor"]

    assert seen == [["#1002", "#1001"], ["#1004", "#1003"], ["#1005"]]
    assert infos == [(False, True), (True, True), (True, False)]


async def test_a_page_of_up_to_one_hundred_is_allowed(api, shop, orders):
    assert len(await numbers(api, shop.admin, first=100)) == 5
    assert len(await numbers(api, shop.admin, last=100)) == 5


@pytest.mark.parametrize("size", [{"first": 101}, {"last": 101}, {"first": -1}])
async def test_a_page_size_outside_zero_to_one_hundred_is_refused_as_bad_user_input(api, shop, size):
    body = await api(shop.admin, ORDERS, **size)

    assert body["data"] is None
    assert error_codes(body) == ["BAD_USER_INPUT"]
    assert "100" in body["errors"][0]["message"]
    assert body["errors"][0]["path"] == ["orders"]


async def test_every_list_refuses_a_page_above_one_hundred(api, shop):
    for field in ("products", "locations", "customers"):
        body = await api(shop.admin, f"{{ {field}(first: 101) {{ nodes {{ id }} }} }}")
        assert error_codes(body) == ["BAD_USER_INPUT"], field
    body = await api(shop.admin, '{ inventoryMovements(sku: "TEE", first: 101) { nodes { kind } } }')
    assert error_codes(body) == ["BAD_USER_INPUT"]
    await place_order(api, shop.admin, [("MUG", 1)])  # a customer whose orders field is then asked for
    body = await api(shop.admin, "{ customers { nodes { orders(first: 101) { nodes { id } } } } }")
    assert error_codes(body) == ["BAD_USER_INPUT"]
    assert body["errors"][0]["path"] == ["customers", "nodes", 0, "orders"]


async def test_a_cursor_that_is_not_from_the_list_is_bad_user_input(api, shop, orders):
    body = await api(shop.admin, ORDERS, first=2, after="garbage")
    assert error_codes(body) == ["BAD_USER_INPUT"]


async def test_asking_for_first_and_last_together_is_bad_user_input(api, shop, orders):
    body = await api(shop.admin, ORDERS, first=2, last=2)
    assert error_codes(body) == ["BAD_USER_INPUT"]


async def test_customers_page_through_in_email_order_with_their_own_orders(api, shop, orders):
    first = (await api(shop.admin, CUSTOMERS, first=2))["data"]["customers"]
    rest = (await api(shop.admin, CUSTOMERS, first=2, after=first["pageInfo"]["endCursor"]))["data"][
        "customers"
    ]

    assert [c["email"] for c in first["nodes"]] == ["ada@example.com", "alan@example.com"]
    assert first["pageInfo"]["hasNextPage"] is True
    assert [(c["email"], [o["number"] for o in c["orders"]["nodes"]]) for c in rest["nodes"]] == [
        ("grace@example.com", ["#1004", "#1001"])
    ]
    assert (rest["pageInfo"]["hasNextPage"], rest["pageInfo"]["hasPreviousPage"]) == (False, True)


async def test_a_customers_orders_page_and_reverse(api, shop, orders):
    document = """query($email: String!, $reverse: Boolean!, $after: String) {
      customers(email: $email) { nodes { orders(first: 1, after: $after, reverse: $reverse) {
        nodes { number } pageInfo { hasNextPage endCursor } } } } }"""

    async def page(reverse, after=None):
        body = await api(shop.admin, document, email="grace@example.com", reverse=reverse, after=after)
        return body["data"]["customers"]["nodes"][0]["orders"]

    newest = await page(False)
    assert [o["number"] for o in newest["nodes"]] == ["#1004"]
    assert newest["pageInfo"]["hasNextPage"] is True
    assert [o["number"] for o in (await page(False, newest["pageInfo"]["endCursor"]))["nodes"]] == ["#1001"]
    assert [o["number"] for o in (await page(True))["nodes"]] == ["#1001"]
