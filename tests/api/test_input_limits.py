"""Inputs at and past the edges: huge amounts, other currencies, foreign cursors, odd numbers, long
filters. Each is refused with a typed error (or answered), never an unexpected one."""

from __future__ import annotations

from tests.api.documents import (
    ORDER_CREATE,
    ORDER_MARK_PAID,
    ORDERS,
    PRODUCTS_IMPORT,
    codes,
    error_codes,
    ok,
    order_input,
    place_order,
    set_stock,
)

PRODUCT_CREATE = """
mutation($price: Decimal!, $currency: CurrencyCode) {
  productCreate(input: {sku: "BIG", name: "Big", price: $price, currencyCode: $currency}) {
    product { price { amount currencyCode } } userErrors { field message code }
  }
}
"""


async def test_an_astronomical_amount_is_refused_at_once_wherever_money_comes_in(api, shop):
    for price in ("1e999990", "1e999999", "10000000000000.01"):
        body = await api(shop.admin, PRODUCT_CREATE, price=price)
        assert codes(body["data"]["productCreate"]) == ["INVALID_AMOUNT"], price
    order = await place_order(api, shop.admin, [("TEE", 1)])
    paid = await api(shop.admin, ORDER_MARK_PAID, id=order["id"], reference="p", amount="1e999999")
    assert codes(paid["data"]["orderMarkPaid"]) == ["INVALID_AMOUNT"]
    shop_update = 'mutation { shopUpdate(input: {taxRate: "1e999999"}) { userErrors { code } } }'
    assert codes((await api(shop.admin, shop_update))["data"]["shopUpdate"]) == ["INVALID"]


async def test_a_large_wholesale_order_fits_and_one_past_the_limit_is_refused(api, shop):
    product = ok(await api(shop.admin, PRODUCT_CREATE, price="25000.00"), "productCreate")["product"]
    assert product["price"]["amount"] == "25000.00"
    await set_stock(api, shop.admin, "BIG", shop.location_id, 100_000)

    large = await api(shop.admin, ORDER_CREATE, input=order_input([("BIG", 1000)]))  # 25 million, plus tax

    assert ok(large, "orderCreate")["order"]["status"] == "PENDING"
    ok(
        await api(shop.admin, PRODUCT_CREATE.replace('"BIG"', '"HUGE"'), price="9000000000000.00"),
        "productCreate",
    )
    await set_stock(api, shop.admin, "HUGE", shop.location_id, 1000)
    body = await api(shop.admin, ORDER_CREATE, input=order_input([("HUGE", 1000)]))
    assert codes(body["data"]["orderCreate"]) == ["INVALID_AMOUNT"]


async def test_reimporting_a_product_priced_in_another_currency_keeps_its_currencys_scale(api, shop):
    ok(await api(shop.admin, PRODUCT_CREATE, price="1000", currency="JPY"), "productCreate")

    body = await api(shop.admin, PRODUCTS_IMPORT, products=[{"sku": "BIG", "name": "Big", "price": "1200"}])

    (product,) = ok(body, "productsImport")["products"]
    assert product["price"] == {"amount": "1200", "currencyCode": "JPY"}


async def test_shipping_priced_in_the_shops_currency_is_not_charged_on_an_order_in_another(api, shop):
    ok(await api(shop.admin, PRODUCT_CREATE, price="1000", currency="JPY"), "productCreate")
    await set_stock(api, shop.admin, "BIG", shop.location_id, 5)

    shipped = await api(shop.admin, ORDER_CREATE, input=order_input([("BIG", 1)], shippingMethod="STANDARD"))
    picked_up = await api(shop.admin, ORDER_CREATE, input=order_input([("BIG", 1)], shippingMethod="PICKUP"))

    refused = shipped["data"]["orderCreate"]
    assert codes(refused) == ["CURRENCY_MISMATCH"] and refused["userErrors"][0]["field"] == ["shippingMethod"]
    assert ok(picked_up, "orderCreate")["order"]["status"] == "PENDING"


async def test_a_retried_payment_is_answered_even_when_its_version_has_moved_on(api, shop):
    order = await place_order(api, shop.admin, [("TEE", 1)])
    document = """mutation($id: ID!) { orderMarkPaid(input: {id: $id, reference: "pi_1", expectedVersion: 1}) {
      order { paymentStatus version } userErrors { code } } }"""

    first = ok(await api(shop.admin, document, id=order["id"]), "orderMarkPaid")
    retry = ok(await api(shop.admin, document, id=order["id"]), "orderMarkPaid")

    assert first["order"] == retry["order"] == {"paymentStatus": "PAID", "version": 2}


async def test_a_cursor_from_another_sort_order_is_bad_input(api, shop):
    for _ in range(2):
        await place_order(api, shop.admin, [("TEE", 1)])
    page = (await api(shop.admin, ORDERS, first=1))["data"]["orders"]

    body = await api(shop.admin, ORDERS, first=1, after=page["pageInfo"]["endCursor"], sortKey="TOTAL")

    assert error_codes(body) == ["BAD_USER_INPUT"]


async def test_an_order_number_in_other_digits_is_simply_not_found(api, shop):
    query = "query($n: String!) { orderByNumber(number: $n) { id } }"
    for number in ("\u00b2", "\u0661\u0660\u0660\u0661", "#", "10e3"):  # superscript 2, Arabic-Indic 1001
        body = await api(shop.admin, query, n=number)
        assert body["data"] == {"orderByNumber": None} and "errors" not in body, number


async def test_a_filter_with_too_many_values_is_bad_input(api, shop):
    body = await api(shop.admin, ORDERS, first=5, filter={"tags": [f"t{i}" for i in range(101)]})
    assert error_codes(body) == ["BAD_USER_INPUT"]
    many = await api(shop.admin, ORDERS, first=5, filter={"status": ["PENDING"] * 500})
    assert "errors" not in many  # repeats of one value count once
