"""Customer-scoped access over HTTP: a public (STOREFRONT) key reaches an order only with the order's access
token or the customer's access token; partners ship without seeing emails or phone numbers; API keys carry
scopes, and a key never issues more than it holds."""

from __future__ import annotations

import hashlib
from datetime import datetime

from sqlalchemy import text

from domain.customers.tokens import sign
from domain.metadata import metadata
from domain.tenancy.models import Role
from tests.api.conftest import publish
from tests.api.customer_documents import (
    ADA,
    BOB,
    CUSTOMER_TOKEN_CREATE,
    EMAILS,
    KEY_CREATE,
    KEYS,
    ORDER_BY_TOKEN,
    ORDER_CREATE_SEEN,
    ORDER_SEEN,
    ORDERS_SEEN,
    PHONES,
    PRIVATE,
    PRIVATE_ORDER_FIELDS,
    SECRET_ROTATE,
    VIEWER_CUSTOMER,
    VIEWER_SCOPES,
    customer_token,
    in_seconds,
    place_private,
    private_input,
    seed_private_orders,
)
from tests.api.documents import (
    CUSTOMERS,
    INVENTORY_MOVEMENTS,
    ORDER_CANCEL,
    ORDER_CONFIRM,
    ORDER_CREATE_WITH_TOKEN,
    WEBHOOK_DELIVERIES,
    WEBHOOK_ENDPOINTS,
    error_codes,
    global_id,
    ok,
    order_input,
    place_order,
    place_order_with_token,
)
from tests.api.live import EVENTS_FEED
from tests.api.return_documents import (
    RETURN_CANCEL,
    RETURN_IN_TRANSIT,
    RETURN_REQUEST,
    deliver,
    line_id,
    order_returns,
    request_return,
)
from tests.db_helpers import as_system, as_tenant

ORDER_BY_NUMBER_SEEN = (
    f"query($number: String!) {{ orderByNumber(number: $number) {{ {PRIVATE_ORDER_FIELDS} }} }}"
)
NODE_SEEN = f"""
query($id: ID!) {{
  node(id: $id) {{
    __typename id
    ... on Order {{ {PRIVATE_ORDER_FIELDS} }}
    ... on Customer {{ customerEmail: email phone lastName }}
    ... on OrderLine {{ sku }}
  }}
}}"""
# Everything hanging off an order, each with the order's private fields.
NODES_SEEN = f"""
query($ids: [ID!]!) {{
  nodes(ids: $ids) {{
    __typename id
    ... on Order {{ {PRIVATE_ORDER_FIELDS} }}
    ... on Customer {{ customerEmail: email phone lastName orders {{ nodes {{ email }} }} }}
    ... on OrderLine {{ sku }}
    ... on FulfillmentOrder {{ fulfilledOrder: order {{ {PRIVATE_ORDER_FIELDS} }} }}
    ... on Shipment {{ trackingNumber shippedOrder: order {{ {PRIVATE_ORDER_FIELDS} }} }}
    ... on Return {{ rmaNumber returnedOrder: order {{ {PRIVATE_ORDER_FIELDS} }} }}
    ... on Refund {{ reason refundedOrder: order {{ {PRIVATE_ORDER_FIELDS} }} }}
  }}
}}"""
CUSTOMERS_SEEN = """
{ customers(first: 10) { nodes { id email firstName lastName phone orders(first: 5) { nodes { email } } } } }"""
QUEUE_SEEN = f"""
query($locationId: ID!) {{
  fulfillmentQueue(locationId: $locationId, first: 10) {{ nodes {{ id order {{ {PRIVATE_ORDER_FIELDS} }} }} }}
}}"""
RETURNS_SEEN = f"{{ returns(first: 10) {{ nodes {{ rmaNumber order {{ {PRIVATE_ORDER_FIELDS} }} }} }} }}"
ORDER_EDIT_SEEN = "query($id: ID!) { orderEdit(id: $id) { id shippingAddress { name phone } } }"
NOTIFICATIONS_SEEN = "query($id: ID!) { notifications(orderId: $id) { nodes { to subject status } } }"
NOTIFICATION_SETTINGS = "{ notificationSettings { senderName templates { template subject body } } }"
RETURN_PAYLOAD = """
mutation($input: ReturnRequestInput!) {
  returnRequest(input: $input) {
    return { id rmaNumber status order { number returnStatus } }
    userErrors { field message code }
  }
}"""
RETURN_CANCEL_PAYLOAD = """
mutation($id: ID!) {
  returnCancel(input: {id: $id}) {
    return { id status order { number returnStatus } }
    userErrors { field message code }
  }
}"""

ALL_SCOPES = [
    "analytics:read",
    "audit:read",
    "catalog:read",
    "catalog:write",
    "customers:erase",
    "customers:export",
    "customers:read",
    "customers:write",
    "events:read",
    "fulfillment:write",
    "inventory:read",
    "inventory:write",
    "keys:manage",
    "notifications:read",
    "orders:approve",
    "orders:create",
    "orders:read",
    "orders:self",
    "orders:write",
    "purchasing:read",
    "purchasing:write",
    "risk:assess",
    "shop:manage",
    "webhooks:manage",
]
STAFF_SCOPES = [
    s
    for s in ALL_SCOPES
    if s
    not in (
        "audit:read",
        "customers:erase",
        "customers:export",
        "keys:manage",
        "purchasing:write",
        "shop:manage",
        "webhooks:manage",
    )
]
STOREFRONT_SCOPES = ["catalog:read", "orders:create", "orders:self"]
PARTNER_SCOPES = ["catalog:read", "events:read", "fulfillment:write", "inventory:read", "orders:read"]

A_GUESS = "bo_" + "A" * 43  # shaped like an order access token, opening nothing


def refused_as(body, code: str) -> bool:
    """The request's one field failed with this code (its data null, whether the field is or not)."""
    data = body.get("data")
    return error_codes(body) == [code] and (data is None or all(v is None for v in data.values()))


async def unauthenticated(api, key: str, token: str) -> bool:
    response = await api.with_customer_token(token).post(key, "{ shop { name } }")
    codes_seen = [e["extensions"]["code"] for e in response.json().get("errors", [])]
    return response.status_code == 401 and codes_seen == ["UNAUTHENTICATED"]


# --- the guest: an order access token --------------------------------------------------------------


async def test_a_guest_reads_and_cancels_the_order_it_placed_with_its_token_and_no_other(api, shop):
    storefront = await shop.tenant.key(Role.STOREFRONT)
    bobs = await place_order(api, shop.admin, [("MUG", 1)], email=BOB["email"])
    checkout = order_input([("TEE", 2)], email=ADA["email"], idempotencyKey="checkout-1")

    placed = ok(await api(storefront, ORDER_CREATE_WITH_TOKEN, input=checkout), "orderCreate")
    order, token = placed["order"], placed["orderAccessToken"]
    assert placed["created"] and token.startswith("bo_") and len(token) > 40
    assert (order["number"], order["email"]) == ("#1002", ADA["email"])  # the guest sees what it sent
    again = ok(await api(storefront, ORDER_CREATE_WITH_TOKEN, input=checkout), "orderCreate")
    assert (again["created"], again["orderAccessToken"], again["order"]["id"]) == (False, None, order["id"])

    found = (await api(storefront, ORDER_BY_TOKEN, token=token))["data"]["orderByToken"]
    assert (found["id"], found["number"], found["email"]) == (order["id"], "#1002", ADA["email"])
    assert found["customer"] is None  # one order, not the customer's record with every other order
    guest = api.with_customer_token(token)
    mine = (await guest(storefront, ORDER_SEEN, id=order["id"]))["data"]["order"]
    assert (mine["number"], mine["shippingAddress"]["line1"]) == ("#1002", "1 Compiler Road")

    # the same token on another order: exactly as if it did not exist
    assert (await guest(storefront, ORDER_SEEN, id=bobs["id"]))["data"]["order"] is None
    assert (await guest(storefront, ORDER_BY_NUMBER_SEEN, number="#1001"))["data"]["orderByNumber"] is None
    assert (await guest(storefront, NODE_SEEN, id=bobs["id"]))["data"]["node"] is None
    theirs = (await guest(storefront, ORDER_CANCEL, id=bobs["id"]))["data"]["orderCancel"]
    assert (theirs["order"], [(e["code"], e["field"]) for e in theirs["userErrors"]]) == (
        None,
        [("NOT_FOUND", ["id"])],
    )
    # an order token opens that order, not the customer's account
    assert (await guest(storefront, VIEWER_CUSTOMER))["data"]["viewerCustomer"] is None

    cancelled = ok(
        await guest(storefront, ORDER_CANCEL, id=order["id"], reason="changed my mind"), "orderCancel"
    )
    assert cancelled["order"] == {"id": order["id"], "status": "CANCELLED"}
    statuses = {
        o["number"]: o["status"] for o in (await api(shop.admin, ORDERS_SEEN))["data"]["orders"]["nodes"]
    }
    assert statuses == {"#1001": "PENDING", "#1002": "CANCELLED"}


async def test_an_order_token_opens_nothing_in_another_shop_and_a_guessed_one_opens_nothing(
    api, shop, other_shop
):
    storefront = await shop.tenant.key(Role.STOREFRONT)
    _, token = await place_order_with_token(api, storefront, [("TEE", 1)])
    theirs = await other_shop.tenant.key(Role.STOREFRONT)

    assert (await api(theirs, ORDER_BY_TOKEN, token=token))["data"]["orderByToken"] is None
    assert await unauthenticated(api, theirs, token)  # as a header: proves nothing there, so 401
    for guess in (A_GUESS, token[:-1] + ("B" if token[-1] != "B" else "C"), "", "bo_", "not-a-token"):
        assert (await api(storefront, ORDER_BY_TOKEN, token=guess))["data"]["orderByToken"] is None, guess
    for forged in (A_GUESS, "bc1.e30.AAAA", "anything"):
        assert await unauthenticated(api, storefront, forged), forged


async def test_only_a_hash_of_the_order_access_token_is_stored(api, shop, db):
    storefront = await shop.tenant.key(Role.STOREFRONT)
    order, token = await place_order_with_token(api, storefront, [("TEE", 1)])

    async with as_tenant(db, shop.tenant.id) as conn:  # the shop's own rows, as the app's role reads them
        row = (await conn.execute(text("SELECT * FROM orders"))).mappings().one()
    assert row["access_token_hash"] == hashlib.sha256(token.encode()).hexdigest()
    assert not any(token in str(value) or token[3:] in str(value) for value in row.values())
    async with as_system(db) as conn:  # nor anywhere else: events, timelines, jobs
        for table in metadata.sorted_tables:
            dump = (await conn.execute(text(f'SELECT row_to_json(t)::text FROM "{table.name}" t'))).scalars()
            assert not any(token[3:] in line for line in dump), table.name
    assert order["number"] == "#1001"


async def test_an_order_from_before_tokens_opens_to_no_token_but_to_staff_and_the_customers_own(
    api, shop, db
):
    storefront = await shop.tenant.key(Role.STOREFRONT)
    staff = await shop.tenant.key(Role.STAFF)
    order, token = await place_order_with_token(api, storefront, [("TEE", 1)], email=ADA["email"])
    async with as_tenant(db, shop.tenant.id) as conn:  # as the migration leaves existing orders
        await conn.execute(text("UPDATE orders SET access_token_hash = NULL"))

    for guess in (token, A_GUESS, "", "bo_"):
        assert (await api(storefront, ORDER_BY_TOKEN, token=guess))["data"]["orderByToken"] is None
    assert await unauthenticated(api, storefront, token)
    assert (await api(staff, ORDER_SEEN, id=order["id"]))["data"]["order"]["email"] == ADA["email"]
    signed_in = api.with_customer_token(await customer_token(api, staff, ADA["email"]))
    seen = (await signed_in(storefront, ORDER_SEEN, id=order["id"]))["data"]["order"]
    assert (seen["number"], seen["email"]) == ("#1001", ADA["email"])
    listed = (await signed_in(storefront, VIEWER_CUSTOMER))["data"]["viewerCustomer"]["orders"]["nodes"]
    assert [o["id"] for o in listed] == [order["id"]]
    ok(await signed_in(storefront, ORDER_CANCEL, id=order["id"]), "orderCancel")
    assert (await api(staff, ORDER_SEEN, id=order["id"]))["data"]["order"]["status"] == "CANCELLED"


async def test_placing_an_order_with_someones_email_never_shows_their_other_orders(api, shop):
    storefront = await shop.tenant.key(Role.STOREFRONT)
    first, _ = await place_private(api, shop.admin, ADA, [("TEE", 1)], externalId="web-77")

    mine = await api(storefront, ORDER_CREATE_SEEN, input=private_input(ADA, [("MUG", 1)]))
    placed = ok(mine, "orderCreate")
    assert placed["created"] and placed["order"]["email"] == ADA["email"]  # what the caller just sent
    assert placed["order"]["customer"] is None  # not the customer record, with Ada's first order
    assert first["number"] not in str(mine)

    # the first order's external id, with anything else: the repeat is answered, the order not shown
    replay = private_input(BOB, [("MUG", 1)], externalId="web-77")
    response = await api.post(storefront, ORDER_CREATE_SEEN, {"input": replay})
    repeat = response.json()["data"]["orderCreate"]
    assert (repeat["created"], repeat["order"], repeat["orderAccessToken"], repeat["userErrors"]) == (
        False,
        None,
        None,
        [],
    )
    assert ADA["email"] not in response.text and ADA["line1"] not in response.text
    # staff see it, as before
    again = ok(await api(shop.admin, ORDER_CREATE_SEEN, input=replay), "orderCreate")
    assert (again["created"], again["order"]["number"], again["order"]["email"]) == (
        False,
        first["number"],
        ADA["email"],
    )


# --- the signed-in customer: a customer access token -----------------------------------------------


async def test_a_signed_in_customer_sees_and_changes_only_their_own_orders_and_returns(api, shop):
    staff = await shop.tenant.key(Role.STAFF)
    storefront = await shop.tenant.key(Role.STOREFRONT)
    ada_placed, _ = await place_private(api, shop.admin, ADA, [("TEE", 2)])
    ada_shipped = {**ada_placed, **await deliver(api, shop, ada_placed)}
    ada_open, _ = await place_private(api, shop.admin, ADA, [("MUG", 1)])
    bob_placed, _ = await place_private(api, shop.admin, BOB, [("TEE", 1)])
    bob_shipped = {**bob_placed, **await deliver(api, shop, bob_placed)}
    bob_return = await request_return(
        api,
        shop.admin,
        bob_shipped,
        [{"orderLineId": line_id(bob_shipped, "TEE"), "quantity": 1, "reason": "OTHER"}],
    )

    body = await api(staff, CUSTOMER_TOKEN_CREATE, input={"email": ADA["email"].upper()})
    issued = ok(body, "customerAccessTokenCreate")
    assert issued["token"].startswith("bc1.")
    expires = datetime.fromisoformat(issued["expiresAt"]).timestamp()
    assert in_seconds(3590) < expires <= in_seconds(3601)
    ada = api.with_customer_token(issued["token"])

    me = (await ada(storefront, VIEWER_CUSTOMER))["data"]["viewerCustomer"]
    assert (me["email"], me["firstName"], me["phone"]) == (ADA["email"], ADA["first"], ADA["phone"])
    assert [o["number"] for o in me["orders"]["nodes"]] == [ada_open["number"], ada_shipped["number"]]
    assert me["returns"]["nodes"] == []
    own = (await ada(storefront, ORDER_SEEN, id=ada_shipped["id"]))["data"]["order"]
    assert (own["email"], own["customer"]["email"]) == (ADA["email"], ADA["email"])
    for document, variables, field in (
        (ORDER_SEEN, {"id": bob_shipped["id"]}, "order"),
        (ORDER_BY_NUMBER_SEEN, {"number": bob_shipped["number"]}, "orderByNumber"),
        (NODE_SEEN, {"id": bob_shipped["id"]}, "node"),
    ):
        assert (await ada(storefront, document, **variables))["data"][field] is None, field

    asked = {
        "orderId": ada_shipped["id"],
        "lines": [{"orderLineId": line_id(ada_shipped, "TEE"), "quantity": 1, "reason": "DEFECTIVE"}],
    }
    ret = ok(await ada(storefront, RETURN_REQUEST, input=asked), "returnRequest")["return"]
    assert (ret["rmaNumber"], ret["status"]) == ("RMA-1002", "REQUESTED")
    not_hers = {
        "orderId": bob_shipped["id"],
        "lines": [{"orderLineId": line_id(bob_shipped, "TEE"), "quantity": 1, "reason": "OTHER"}],
    }
    refused = (await ada(storefront, RETURN_REQUEST, input=not_hers))["data"]["returnRequest"]
    assert (refused["return"], [(e["code"], e["field"]) for e in refused["userErrors"]]) == (
        None,
        [("NOT_FOUND", ["orderId"])],
    )
    for document, variables, field in (
        (RETURN_CANCEL, {"id": bob_return["id"]}, "returnCancel"),
        (RETURN_IN_TRANSIT, {"id": bob_return["id"], "trackingNumber": "X-1"}, "returnMarkInTransit"),
        (ORDER_CANCEL, {"id": bob_shipped["id"]}, "orderCancel"),
    ):
        payload = (await ada(storefront, document, **variables))["data"][field]
        assert [(e["code"], e["field"]) for e in payload["userErrors"]] == [("NOT_FOUND", ["id"])], field
    ok(await ada(storefront, ORDER_CANCEL, id=ada_open["id"]), "orderCancel")

    me = (await ada(storefront, VIEWER_CUSTOMER))["data"]["viewerCustomer"]
    assert [(r["rmaNumber"], r["order"]["number"]) for r in me["returns"]["nodes"]] == [
        ("RMA-1002", ada_shipped["number"])
    ]
    assert [o["status"] for o in me["orders"]["nodes"]] == ["CANCELLED", "DELIVERED"]
    bobs = await order_returns(api, shop.admin, bob_shipped["id"])
    assert [(r["rmaNumber"], r["status"]) for r in bobs["returns"]] == [("RMA-1001", "REQUESTED")]
    assert bobs["status"] == "DELIVERED"


async def test_a_customers_return_request_and_cancel_answer_with_the_order_as_it_is_now(api, shop):
    storefront = await shop.tenant.key(Role.STOREFRONT)
    placed, token = await place_order_with_token(api, storefront, [("TEE", 1)])
    order = await deliver(api, shop, placed)
    guest = api.with_customer_token(token)

    asked = {
        "orderId": order["id"],
        "lines": [{"orderLineId": line_id(order, "TEE"), "quantity": 1, "reason": "OTHER"}],
    }
    ret = ok(await guest(storefront, RETURN_PAYLOAD, input=asked), "returnRequest")["return"]
    assert ret["order"]["returnStatus"] == "RETURN_REQUESTED"
    cancelled = ok(await guest(storefront, RETURN_CANCEL_PAYLOAD, id=ret["id"]), "returnCancel")["return"]
    assert (cancelled["status"], cancelled["order"]["returnStatus"]) == ("CANCELLED", "NO_RETURN")


async def test_a_customer_signed_in_before_their_first_order_finds_it_once_placed(api, shop):
    storefront = await shop.tenant.key(Role.STOREFRONT)
    newcomer = api.with_customer_token(await customer_token(api, shop.admin, "new@example.com"))
    assert (await newcomer(storefront, VIEWER_CUSTOMER))["data"]["viewerCustomer"] is None

    order = await place_order(newcomer, storefront, [("TEE", 1)], email="new@example.com")

    me = (await newcomer(storefront, VIEWER_CUSTOMER))["data"]["viewerCustomer"]
    assert (me["email"], [o["id"] for o in me["orders"]["nodes"]]) == ("new@example.com", [order["id"]])


async def test_a_token_the_merchant_signs_itself_works_until_it_expires_and_only_untampered(
    api, shop, other_shop
):
    storefront = await shop.tenant.key(Role.STOREFRONT)
    order = await place_order(api, shop.admin, [("TEE", 1)], email=ADA["email"])
    secret = ok(await api(shop.admin, SECRET_ROTATE, keep=True), "customerTokenSecretRotate")["secret"]
    assert secret and secret.startswith("bcs_")

    signed = sign(secret, "Ada.Private@Example.com", in_seconds(600))
    me = (await api.with_customer_token(signed)(storefront, VIEWER_CUSTOMER))["data"]["viewerCustomer"]
    assert (me["email"], [o["id"] for o in me["orders"]["nodes"]]) == (ADA["email"], [order["id"]])

    version, body, signature = signed.split(".")
    flipped = signature[:-2] + ("AA" if signature[-2:] != "AA" else "BB")
    other_body = sign(secret, BOB["email"], in_seconds(600)).split(".")[1]
    other_secret = ok(await api(other_shop.admin, SECRET_ROTATE, keep=True), "customerTokenSecretRotate")[
        "secret"
    ]
    for refused in (
        sign(secret, ADA["email"], in_seconds(-5)),  # expired
        sign(secret, ADA["email"], in_seconds(8 * 24 * 3600)),  # beyond the 7-day limit
        f"{version}.{body}.{flipped}",  # tampered signature
        f"{version}.{other_body}.{signature}",  # another customer's claims under Ada's signature
        sign("bcs_not-the-shops-secret", ADA["email"], in_seconds(600)),  # forged
        sign(other_secret, ADA["email"], in_seconds(600)),  # another shop's
        "bc1.garbage",
    ):
        assert await unauthenticated(api, storefront, refused), refused


async def test_a_rotated_secret_keeps_old_tokens_working_only_when_asked_to(api, shop):
    storefront = await shop.tenant.key(Role.STOREFRONT)
    await place_order(api, shop.admin, [("TEE", 1)], email=ADA["email"])
    first = await customer_token(api, shop.admin, ADA["email"])  # signed with the shop's first secret

    async def email_of(token: str):
        body = await api.with_customer_token(token)(storefront, VIEWER_CUSTOMER)
        return body["data"]["viewerCustomer"]["email"]

    second_secret = ok(await api(shop.admin, SECRET_ROTATE, keep=True), "customerTokenSecretRotate")["secret"]
    second = sign(second_secret, ADA["email"], in_seconds(600))
    assert await email_of(first) == ADA["email"]  # signed-in customers stay signed in
    assert await email_of(second) == ADA["email"]

    third_secret = ok(await api(shop.admin, SECRET_ROTATE, keep=False), "customerTokenSecretRotate")["secret"]
    assert len({second_secret, third_secret}) == 2
    assert await unauthenticated(api, storefront, first)  # a leaked secret: everything it signed ends
    assert await unauthenticated(api, storefront, second)
    assert await email_of(sign(third_secret, ADA["email"], in_seconds(600))) == ADA["email"]
    assert await email_of(await customer_token(api, shop.admin, ADA["email"])) == ADA["email"]


async def test_only_keys_with_customers_write_issue_customer_tokens_and_only_admins_rotate_the_secret(
    api, shop
):
    order = await place_order(api, shop.admin, [("TEE", 1)], email=ADA["email"])
    storefront = await shop.tenant.key(Role.STOREFRONT)
    partner = await shop.tenant.key(Role.PARTNER)
    staff = await shop.tenant.key(Role.STAFF)
    signed_in = api.with_customer_token(await customer_token(api, staff, ADA["email"]))

    for caller, key in ((api, storefront), (signed_in, storefront), (api, partner)):
        body = await caller(key, CUSTOMER_TOKEN_CREATE, input={"email": ADA["email"]})
        assert refused_as(body, "FORBIDDEN"), body
    for key in (storefront, partner, staff):
        assert refused_as(await api(key, SECRET_ROTATE, keep=True), "FORBIDDEN"), key

    ada_id = (await api(staff, ORDER_SEEN, id=order["id"]))["data"]["order"]["customer"]["id"]
    by_id = ok(
        await api(staff, CUSTOMER_TOKEN_CREATE, input={"customerId": ada_id}), "customerAccessTokenCreate"
    )
    me = (await api.with_customer_token(by_id["token"])(storefront, VIEWER_CUSTOMER))["data"][
        "viewerCustomer"
    ]
    assert me["email"] == ADA["email"]
    for wrong, expected in (
        ({}, [("INVALID", ["email"])]),
        ({"email": ADA["email"], "customerId": ada_id}, [("INVALID", ["email"])]),
        ({"email": ADA["email"], "expiresIn": 10}, [("INVALID", ["expiresIn"])]),
        ({"email": "not an email"}, [("INVALID_EMAIL", ["email"])]),
        ({"customerId": global_id("Customer")}, [("NOT_FOUND", ["customerId"])]),
    ):
        payload = (await api(staff, CUSTOMER_TOKEN_CREATE, input=wrong))["data"]["customerAccessTokenCreate"]
        assert payload["token"] is None
        assert [(e["code"], e["field"]) for e in payload["userErrors"]] == expected, wrong


# --- what a public key shows without a token: nothing private, whatever it asks --------------------


def every_query(seeded, shop) -> dict[str, tuple[str, dict]]:
    """Each root query field, asked the way a client would, for the seeded private data."""
    ada = seeded.ada_order
    return {
        "node": (NODE_SEEN, {"id": ada["id"]}),
        "nodes": (
            NODES_SEEN,
            {
                "ids": [
                    ada["id"],
                    seeded.bob_order["id"],
                    seeded.ada_customer_id,
                    seeded.line_id,
                    seeded.fulfillment_order_id,
                    seeded.shipment_id,
                    seeded.return_id,
                    seeded.refund_id,
                ]
            },
        ),
        "order": (ORDER_SEEN, {"id": ada["id"]}),
        "orderByNumber": (ORDER_BY_NUMBER_SEEN, {"number": seeded.bob_order["number"]}),
        "orderEdit": (ORDER_EDIT_SEEN, {"id": global_id("OrderEdit")}),
        "orderByToken": (ORDER_BY_TOKEN, {"token": A_GUESS}),
        "viewerCustomer": (VIEWER_CUSTOMER, {}),
        "orders": (ORDERS_SEEN, {}),
        "product": ('{ product(sku: "TEE") { sku name inventory { onHand committed available } } }', {}),
        "products": ("{ products(first: 10) { nodes { sku name price { amount } } } }", {}),
        "locations": ("{ locations { nodes { id name code } } }", {}),
        "customers": (CUSTOMERS_SEEN, {}),
        "inventoryMovements": (INVENTORY_MOVEMENTS, {"sku": "TEE"}),
        "fulfillmentQueue": (QUEUE_SEEN, {"locationId": shop.location_id}),
        "carriers": ("{ carriers { code name trackingUrlTemplate } }", {}),
        "returns": (RETURNS_SEEN, {}),
        "shop": ("{ shop { name currencyCode taxRate returnWindowDays } }", {}),
        "viewer": (VIEWER_SCOPES, {}),
        "apiKeys": (KEYS, {}),
        "eventsFeed": (EVENTS_FEED, {"first": 100}),
        "webhookEndpoints": (WEBHOOK_ENDPOINTS, {}),
        "webhookDeliveries": (WEBHOOK_DELIVERIES, {"id": global_id("WebhookEndpoint")}),
        "notificationSettings": (NOTIFICATION_SETTINGS, {}),
        "notifications": (NOTIFICATIONS_SEEN, {"id": ada["id"]}),
        "auditLog": ("{ auditLog { nodes { operation targetIds clientIp } } }", {}),
        "approvalRules": ("{ approvalRules { id name } }", {}),
        **{report: (REPORTS[report], PERIOD) for report in REPORTS},
        "forecastAccuracyReport": ("{ forecastAccuracyReport { backtested rows { sku mase } } }", {}),
        **PURCHASING_QUERIES,
        "demandForecast": ('query { demandForecast(sku: "TEE") { method points { mean } } }', {}),
    }


PURCHASING_QUERIES = {
    "suppliers": ("{ suppliers { nodes { name contactEmail } } }", {}),
    "supplier": ("query($id: ID!) { supplier(id: $id) { name } }", {"id": global_id("Supplier")}),
    "purchaseOrders": ("{ purchaseOrders { nodes { number } } }", {}),
    "purchaseOrder": (
        "query($id: ID!) { purchaseOrder(id: $id) { number } }",
        {"id": global_id("PurchaseOrder")},
    ),
    "reorderPolicy": ("{ reorderPolicy { autoMode } }", {}),
    "replenishmentSuggestions": ("{ replenishmentSuggestions { sku quantity } }", {}),
}


PERIOD = {"from": "2026-01-01T00:00:00Z", "to": "2026-02-01T00:00:00Z"}
REPORTS = {
    "salesReport": "query($from: DateTime!, $to: DateTime!) { salesReport(from: $from, to: $to, "
    "groupBy: DAY) { buckets { key orders } } }",
    "fulfillmentReport": "query($from: DateTime!, $to: DateTime!) { fulfillmentReport(from: $from, "
    "to: $to, groupBy: LOCATION) { buckets { key shipments } } }",
    "returnsReport": "query($from: DateTime!, $to: DateTime!) { returnsReport(from: $from, to: $to, "
    "groupBy: SKU) { buckets { key unitsSold } } }",
    "inventoryReport": "query($from: DateTime!, $to: DateTime!) { inventoryReport(from: $from, to: $to) "
    "{ rows { sku daysOfCover } } }",
}


FORBIDDEN_TO_A_PUBLIC_KEY = {
    "approvalRules",
    "order",
    "orderEdit",
    "orderByNumber",
    "orders",
    "customers",
    "inventoryMovements",
    "fulfillmentQueue",
    "returns",
    "apiKeys",
    "eventsFeed",
    "webhookEndpoints",
    "webhookDeliveries",
    "notificationSettings",
    "notifications",
    "auditLog",
    "salesReport",
    "fulfillmentReport",
    "returnsReport",
    "inventoryReport",
    "forecastAccuracyReport",
    *PURCHASING_QUERIES,
    "demandForecast",
}
NULL_TO_A_PUBLIC_KEY = {"node", "orderByToken", "viewerCustomer"}
# Where an admin key sees the seeded emails: proof that these queries would show them if allowed.
SHOWS_EMAILS_TO_ADMINS = {
    "node",
    "nodes",
    "order",
    "orderByNumber",
    "orders",
    "customers",
    "fulfillmentQueue",
    "returns",
    "eventsFeed",
}


async def test_a_public_key_without_a_token_sees_no_email_phone_or_address_through_any_query(
    api, shop, database_url
):
    seeded = await seed_private_orders(api, shop)
    await publish(database_url)
    storefront = await shop.tenant.key(Role.STOREFRONT)
    queries = every_query(seeded, shop)
    schema = await api(shop.admin, "{ __schema { queryType { fields { name } } } }")
    fields = {f["name"] for f in schema["data"]["__schema"]["queryType"]["fields"]}
    assert fields == set(queries), "a new query field: add it here, with what a public key may see of it"

    for name, (document, variables) in queries.items():
        response = await api.post(storefront, document, variables)
        assert response.status_code == 200, (name, response.text)
        leaked = [secret for secret in PRIVATE if secret.lower() in response.text.lower()]
        assert leaked == [], (name, leaked)
        body = response.json()
        if name in FORBIDDEN_TO_A_PUBLIC_KEY:
            assert refused_as(body, "FORBIDDEN"), (name, body)
        elif name == "nodes":
            assert "errors" not in body and body["data"] == {"nodes": [None] * len(variables["ids"])}, body
        elif name in NULL_TO_A_PUBLIC_KEY:
            assert "errors" not in body and body["data"] == {name: None}, body
        else:
            assert "errors" not in body and body["data"][name], (name, body)

        shown = (await api.post(shop.admin, document, variables)).text
        if name in SHOWS_EMAILS_TO_ADMINS:
            assert any(email in shown for email in EMAILS), (name, shown)


# --- partners: shipping names and addresses, no emails or phones unless granted -----------------------


async def test_a_partner_ships_to_names_and_addresses_but_sees_no_email_or_phone_unless_granted(
    api, shop, database_url
):
    seeded = await seed_private_orders(api, shop)
    await publish(database_url)
    partner = await shop.tenant.key(Role.PARTNER)
    granted = ok(
        await api(
            shop.admin,
            KEY_CREATE,
            input={
                "name": "3PL with contacts",
                "role": "PARTNER",
                "scopes": [*PARTNER_SCOPES, "customers:read"],
            },
        ),
        "apiKeyCreate",
    )
    assert granted["apiKey"]["scopes"] == sorted([*PARTNER_SCOPES, "customers:read"])
    contacts = granted["secret"]

    response = await api.post(partner, ORDERS_SEEN)
    orders = {o["id"]: o for o in response.json()["data"]["orders"]["nodes"]}
    ada = orders[seeded.ada_order["id"]]
    assert (ada["email"], ada["customer"]) == (None, None)
    assert ada["shippingAddress"]["name"] == f"{ADA['first']} {ADA['last']}"
    assert (ada["shippingAddress"]["line1"], ada["shippingAddress"]["postalCode"]) == (
        ADA["line1"],
        ADA["postal"],
    )
    assert (ada["shippingAddress"]["phone"], ada["billingAddress"]["phone"]) == (None, None)
    assert ada["billingAddress"]["line1"] == ADA["billing_line1"]
    assert [secret for secret in EMAILS + PHONES if secret in response.text] == []
    assert refused_as(await api(partner, CUSTOMERS), "FORBIDDEN")
    one = await api.post(
        partner, NODES_SEEN, {"ids": [seeded.ada_order["id"], seeded.shipment_id, seeded.ada_customer_id]}
    )
    assert one.json()["data"]["nodes"][2] is None  # the customer record
    assert one.json()["data"]["nodes"][1]["shippedOrder"]["shippingAddress"]["line1"] == ADA["line1"]
    assert [secret for secret in EMAILS + PHONES if secret in one.text] == []

    feed = await api.post(partner, EVENTS_FEED, {"first": 100})
    events = feed.json()["data"]["eventsFeed"]["nodes"]
    tier = next(e for e in events if e["type"] == "CUSTOMER_TIER_CHANGED")
    issued = next(e for e in events if e["type"] == "CUSTOMER_ACCESS_TOKEN_ISSUED")
    assert "email" not in tier["payload"] and tier["payload"]["newTier"] == "VIP"
    assert "email" not in issued["payload"]
    assert [secret for secret in EMAILS + PHONES if secret in feed.text] == []

    # the same partner key with customers:read sees them all
    seen = (await api(contacts, ORDERS_SEEN))["data"]["orders"]["nodes"]
    ada = next(o for o in seen if o["id"] == seeded.ada_order["id"])
    assert (ada["email"], ada["customer"]["email"], ada["customer"]["phone"]) == (
        ADA["email"],
        ADA["email"],
        ADA["phone"],
    )
    assert (ada["shippingAddress"]["phone"], ada["billingAddress"]["phone"]) == (
        ADA["phone"],
        ADA["billing_phone"],
    )
    listed = (await api(contacts, CUSTOMERS))["data"]["customers"]["nodes"]
    assert sorted(c["email"] for c in listed) == sorted(EMAILS)
    events = (await api(contacts, EVENTS_FEED, first=100))["data"]["eventsFeed"]["nodes"]
    assert next(e for e in events if e["type"] == "CUSTOMER_TIER_CHANGED")["payload"]["email"] == ADA["email"]
    assert (
        next(e for e in events if e["type"] == "CUSTOMER_ACCESS_TOKEN_ISSUED")["payload"]["email"]
        == BOB["email"]
    )


# --- scopes -------------------------------------------------------------------------------------


async def test_a_key_narrowed_to_reading_orders_reads_them_but_cannot_confirm_them(api, shop):
    order = await place_order(api, shop.admin, [("TEE", 1)])
    body = await api(
        shop.admin, KEY_CREATE, input={"name": "reporting", "role": "STAFF", "scopes": ["orders:read"]}
    )
    created = ok(body, "apiKeyCreate")
    assert (created["apiKey"]["role"], created["apiKey"]["scopes"]) == ("STAFF", ["orders:read"])
    reporting = created["secret"]

    assert (await api(reporting, VIEWER_SCOPES))["data"]["viewer"] == {
        "role": "STAFF",
        "scopes": ["orders:read"],
    }
    listed = (await api(reporting, ORDERS_SEEN))["data"]["orders"]["nodes"]
    assert [(o["id"], o["status"]) for o in listed] == [(order["id"], "PENDING")]
    refused = await api(reporting, ORDER_CONFIRM, id=order["id"])
    assert refused_as(refused, "FORBIDDEN") and "orders:write" in refused["errors"][0]["message"]
    for document, variables in ((ORDER_CANCEL, {"id": order["id"]}), (CUSTOMERS, {})):
        assert refused_as(await api(reporting, document, **variables), "FORBIDDEN"), document
    assert (await api(shop.admin, ORDER_SEEN, id=order["id"]))["data"]["order"]["status"] == "PENDING"


async def test_a_key_is_refused_unknown_scopes_scopes_its_role_cannot_have_and_an_empty_list(api, shop):
    keys_before = (await api(shop.admin, KEYS))["data"]["apiKeys"]["nodes"]

    for role, scopes, expected in (
        ("STAFF", ["orders:read", "orders:everything"], [("UNKNOWN_SCOPE", ["scopes", "1"])]),
        ("STOREFRONT", ["catalog:read", "orders:read"], [("INVALID", ["scopes", "1"])]),
        ("PARTNER", ["orders:write"], [("INVALID", ["scopes", "0"])]),
        ("STAFF", ["keys:manage"], [("INVALID", ["scopes", "0"])]),
        ("STAFF", [], [("REQUIRED", ["scopes"])]),
    ):
        body = await api(shop.admin, KEY_CREATE, input={"name": "nope", "role": role, "scopes": scopes})
        payload = body["data"]["apiKeyCreate"]
        assert (payload["apiKey"], payload["secret"]) == (None, None), payload
        assert [(e["code"], e["field"]) for e in payload["userErrors"]] == expected, (role, scopes)

    assert (await api(shop.admin, KEYS))["data"]["apiKeys"]["nodes"] == keys_before


async def test_a_key_never_issues_a_key_with_scopes_it_does_not_hold(api, shop):
    body = await api(
        shop.admin,
        KEY_CREATE,
        input={"name": "key desk", "role": "ADMIN", "scopes": ["keys:manage", "orders:read"]},
    )
    desk = ok(body, "apiKeyCreate")["secret"]

    for role, scopes, expected in (
        ("STAFF", None, [("SCOPE_NOT_HELD", ["scopes"])]),  # the full STAFF preset
        ("ADMIN", None, [("SCOPE_NOT_HELD", ["scopes"])]),
        ("STAFF", ["orders:write"], [("SCOPE_NOT_HELD", ["scopes", "0"])]),
        ("STAFF", ["orders:read", "customers:read"], [("SCOPE_NOT_HELD", ["scopes", "1"])]),
    ):
        payload = (await api(desk, KEY_CREATE, input={"name": "more", "role": role, "scopes": scopes}))[
            "data"
        ]["apiKeyCreate"]
        assert (payload["apiKey"], payload["secret"]) == (None, None)
        assert [(e["code"], e["field"]) for e in payload["userErrors"]] == expected, (role, scopes)

    narrower = ok(
        await api(desk, KEY_CREATE, input={"name": "reader", "role": "STAFF", "scopes": ["orders:read"]}),
        "apiKeyCreate",
    )
    assert narrower["apiKey"]["scopes"] == ["orders:read"]
    assert refused_as(await api(narrower["secret"], KEYS), "FORBIDDEN")  # and issues nothing itself
    names = {k["name"] for k in (await api(shop.admin, KEYS))["data"]["apiKeys"]["nodes"]}
    assert names == {"initial admin key", "key desk", "reader"}


async def test_every_key_lists_its_scopes_its_role_preset_unless_narrowed(api, shop):
    for role in (Role.STAFF, Role.STOREFRONT, Role.PARTNER):
        await shop.tenant.key(role)
    ok(
        await api(
            shop.admin, KEY_CREATE, input={"name": "pos", "role": "STOREFRONT", "scopes": ["catalog:read"]}
        ),
        "apiKeyCreate",
    )

    keys = {
        k["name"]: (k["role"], k["scopes"]) for k in (await api(shop.admin, KEYS))["data"]["apiKeys"]["nodes"]
    }

    assert keys == {
        "initial admin key": ("ADMIN", ALL_SCOPES),
        "staff key": ("STAFF", STAFF_SCOPES),
        "storefront key": ("STOREFRONT", STOREFRONT_SCOPES),
        "partner key": ("PARTNER", PARTNER_SCOPES),
        "pos": ("STOREFRONT", ["catalog:read"]),
    }
    storefront = await shop.tenant.key(Role.STOREFRONT)
    assert (await api(storefront, VIEWER_SCOPES))["data"]["viewer"] == {
        "role": "STOREFRONT",
        "scopes": STOREFRONT_SCOPES,
    }


async def test_a_storefront_key_narrowed_to_the_catalog_places_no_order(api, shop):
    body = await api(
        shop.admin, KEY_CREATE, input={"name": "kiosk", "role": "STOREFRONT", "scopes": ["catalog:read"]}
    )
    kiosk = ok(body, "apiKeyCreate")["secret"]

    refused = await api(kiosk, ORDER_CREATE_WITH_TOKEN, input=order_input([("TEE", 1)]))

    assert refused_as(refused, "FORBIDDEN")
    assert (await api(kiosk, '{ product(sku: "TEE") { inventory { committed } } }'))["data"]["product"] == {
        "inventory": {"committed": 0}
    }
