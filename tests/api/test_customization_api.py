"""Typed customization over the API: an ADMIN declares what a product's lines take, orderCreate checks
each line against it and prices it, and a refused order changes nothing."""

from __future__ import annotations

from domain.tenancy.models import Role
from tests.api.conftest import publish
from tests.api.documents import ORDER_CONFIRM, codes, error_codes, global_id, ok, order_input, stock_of
from tests.api.fulfillment_documents import fulfillment_of
from tests.api.live import EVENTS_FEED

OPTIONS_SET = """
mutation($input: ProductCustomizationOptionsSetInput!) {
  productCustomizationOptionsSet(input: $input) {
    product { sku customizationOptions { name kind required priceDelta { amount currencyCode }
      maxLength allowedCharacters choices { value priceDelta { amount } } minimum maximum } }
    userErrors { field message code }
  }
}"""
PLACE = """
mutation($input: OrderCreateInput!) {
  orderCreate(input: $input) {
    order { id subtotal { amount } lines { sku quantity unitPrice { amount } customizations { name value } } }
    userErrors { field message code }
  }
}"""
PICK_LIST = """query($id: ID!) { node(id: $id) {
  ... on FulfillmentOrder { pickList { sku quantity customizations { name value } } } } }"""
ENGRAVING = {"name": "Engraving", "kind": "TEXT", "priceDelta": "5", "maxLength": 12}
COLOUR = {
    "name": "Colour",
    "kind": "CHOICE",
    "required": True,
    "choices": [{"value": "Black"}, {"value": "Gold", "priceDelta": "2.50"}],
}


async def declare(api, key, product_id, options):
    return await api(key, OPTIONS_SET, input={"id": product_id, "options": options})


def line(sku, quantity, **custom):
    return {
        "sku": sku,
        "quantity": quantity,
        "customizations": [{"name": k, "value": v} for k, v in custom.items()],
    }


async def test_an_admin_declares_options_and_the_product_shows_them(api, shop, database_url):
    body = await declare(api, shop.admin, shop.tee_id, [ENGRAVING, COLOUR])

    options = ok(body, "productCustomizationOptionsSet")["product"]["customizationOptions"]
    assert [o["name"] for o in options] == ["Engraving", "Colour"]
    assert (
        options[0]["priceDelta"] == {"amount": "5.00", "currencyCode": "USD"}
        and options[0]["maxLength"] == 12
    )
    assert [(c["value"], c["priceDelta"]["amount"]) for c in options[1]["choices"]] == [
        ("Black", "0.00"),
        ("Gold", "2.50"),
    ]
    await publish(database_url)
    feed = (await api(shop.admin, EVENTS_FEED, first=100))["data"]["eventsFeed"]["nodes"]
    changed = [e for e in feed if e["type"] == "PRODUCT_CHANGED"]
    assert changed[-1]["payload"]["fields"] == ["customizationOptions"]


async def test_only_admin_keys_declare_and_a_bad_declaration_changes_nothing(api, shop):
    staff = await shop.tenant.key(Role.STAFF)
    assert error_codes(await declare(api, staff, shop.tee_id, [ENGRAVING])) == ["FORBIDDEN"]

    bad = await declare(api, shop.admin, shop.tee_id, [ENGRAVING, {**ENGRAVING, "maxLength": 0}])

    assert codes(bad["data"]["productCustomizationOptionsSet"]) == ["DUPLICATE", "INVALID"]
    product = await api(shop.admin, '{ product(sku: "TEE") { customizationOptions { name } } }')
    assert product["data"]["product"]["customizationOptions"] == []


async def test_customized_lines_are_priced_and_kept_apart_from_plain_ones(api, shop):
    await declare(api, shop.admin, shop.tee_id, [ENGRAVING, COLOUR])
    lines = [
        line("TEE", 1, Engraving="ADA", Colour="Gold"),
        line("TEE", 1, Colour="Black"),
        line("MUG", 1, Note="free-form: MUG declares nothing"),
    ]

    order = ok(await api(shop.admin, PLACE, input=order_input([]) | {"lines": lines}), "orderCreate")["order"]

    assert [(x["sku"], x["unitPrice"]["amount"]) for x in order["lines"]] == [
        ("TEE", "27.49"),  # 19.99 + 5.00 engraving + 2.50 gold
        ("TEE", "19.99"),
        ("MUG", "8.50"),
    ]
    assert order["lines"][0]["customizations"] == [
        {"name": "Engraving", "value": "ADA"},
        {"name": "Colour", "value": "Gold"},
    ]
    assert order["subtotal"]["amount"] == "55.98"
    ok(await api(shop.admin, ORDER_CONFIRM, id=order["id"]), "orderConfirm")
    (fo,) = (await fulfillment_of(api, shop.admin, order["id"]))["fulfillmentOrders"]
    picks = await api(shop.admin, PICK_LIST, id=fo["id"])
    assert [(x["sku"], x["customizations"]) for x in picks["data"]["node"]["pickList"]] == [
        ("TEE", [{"name": "Engraving", "value": "ADA"}, {"name": "Colour", "value": "Gold"}]),
        ("TEE", [{"name": "Colour", "value": "Black"}]),
        ("MUG", [{"name": "Note", "value": "free-form: MUG declares nothing"}]),
    ]


async def test_a_line_that_does_not_fit_is_refused_with_its_path_and_reserves_nothing(api, shop):
    await declare(api, shop.admin, shop.tee_id, [ENGRAVING, COLOUR])
    lines = [
        line("MUG", 1),
        line("TEE", 1, Colour="Pink"),
        line("TEE", 1, Engraving="ADA"),
        line("TEE", 1, Colour="Black", Monogram="X"),
    ]

    body = await api(shop.admin, PLACE, input=order_input([]) | {"lines": lines})

    payload = body["data"]["orderCreate"]
    assert payload["order"] is None
    assert [(e["code"], e["field"]) for e in payload["userErrors"]] == [
        ("INVALID_OPTION_VALUE", ["lines", "1", "customizations", "0", "value"]),
        ("REQUIRED", ["lines", "2", "customizations"]),
        ("UNKNOWN_OPTION", ["lines", "3", "customizations", "1"]),
    ]
    assert (await stock_of(api, shop.admin, "TEE"))["committed"] == 0
    assert (await stock_of(api, shop.admin, "MUG"))["committed"] == 0


async def test_an_id_that_is_no_product_is_a_coded_error(api, shop):
    body = await declare(api, shop.admin, global_id("Order"), [ENGRAVING])

    assert "errors" not in body and codes(body["data"]["productCustomizationOptionsSet"]) == ["NOT_FOUND"]
