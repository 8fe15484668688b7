"""Who may do what (API key roles), and that one tenant never sees or touches another's data."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from domain.tenancy.models import Role
from tests.api.documents import (
    CUSTOMERS,
    INVENTORY_ADJUST,
    INVENTORY_MOVEMENTS,
    INVENTORY_SET,
    LOCATION_CREATE,
    LOCATION_UPDATE,
    NODE,
    NODES,
    ORDER,
    ORDER_BY_NUMBER,
    ORDER_CANCEL,
    ORDER_CONFIRM,
    ORDER_CREATE,
    ORDER_DETAIL,
    ORDER_MARK_PAID,
    ORDER_UPDATE,
    ORDERS,
    PRODUCT,
    PRODUCT_CREATE,
    PRODUCT_UPDATE,
    PRODUCTS_IMPORT,
    WEBHOOK_CREATE,
    WEBHOOK_DELETE,
    WEBHOOK_REPLAY,
    WEBHOOK_ROTATE,
    WEBHOOK_UPDATE,
    error_codes,
    global_id,
    ok,
    order_input,
    place_order,
    place_order_with_token,
    stock_of,
)
from tests.api.fulfillment_documents import (
    CARRIER_SECRET,
    FO_HOLD,
    FO_MOVE,
    FO_PACK,
    FO_RELEASE,
    FO_START,
    SET_PRIORITY,
    SET_TIER,
    SHIPMENT_CREATE,
    TRACKING_ADD,
)
from tests.api.purchasing_documents import PURCHASING_MUTATIONS
from tests.api.return_documents import (
    REFUND_CREATE,
    RETURN_APPROVE,
    RETURN_CANCEL,
    RETURN_CLOSE,
    RETURN_DECLINE,
    RETURN_IN_TRANSIT,
    RETURN_RECEIVE,
    RETURN_REQUEST,
)

ORDER_CANCEL_REMAINING = (
    "mutation($id: ID!) { orderCancelRemaining(input: {id: $id}) { userErrors { code } } }"
)
DAMAGED_RESOLVE = """
mutation($sku: String!, $locationId: ID!, $quantity: Int!, $outcome: DamagedOutcome!) {
  inventoryDamagedResolve(input: {sku: $sku, locationId: $locationId, quantity: $quantity, outcome: $outcome}) {
    userErrors { code }
  }
}"""
EDIT_BEGIN = "mutation($id: ID!) { orderEditBegin(input: {orderId: $id}) { userErrors { code } } }"
EDIT_ADD_LINE = (
    'mutation($id: ID!) { orderEditAddLine(input: {editId: $id, sku: "TEE", quantity: 1}) '
    "{ userErrors { code } } }"
)
EDIT_SET_QUANTITY = (
    "mutation($id: ID!, $line: ID!) { orderEditSetQuantity(input: {editId: $id, lineId: $line, quantity: 1}) "
    "{ userErrors { code } } }"
)
EDIT_REMOVE = (
    "mutation($id: ID!, $line: ID!) { orderEditRemoveUnshipped(input: {editId: $id, lineId: $line}) "
    "{ userErrors { code } } }"
)
EDIT_SET_SHIPPING = (
    "mutation($id: ID!) { orderEditSetShipping(input: {editId: $id, shippingMethod: EXPRESS}) "
    "{ userErrors { code } } }"
)
EDIT_ADJUST = (
    'mutation($id: ID!) { orderEditAddAdjustment(input: {editId: $id, kind: DISCOUNT, amount: "1", '
    'reason: "Sorry"}) { userErrors { code } } }'
)
EDIT_COMMIT = "mutation($id: ID!) { orderEditCommit(input: {editId: $id}) { userErrors { code } } }"
EDIT_DISCARD = "mutation($id: ID!) { orderEditDiscard(input: {editId: $id}) { userErrors { code } } }"
ORDER_BY_TOKEN = "query($token: String!) { orderByToken(token: $token) { id number } }"
READS = "{ orders { nodes { id } } products { nodes { sku } } locations { nodes { id } } customers { nodes { id } } }"
CATALOG_READS = "{ products { nodes { sku } } locations { nodes { id } } }"
CUSTOMER_TOKEN_CREATE = """
mutation($email: String!) {
  customerAccessTokenCreate(input: {email: $email}) { token expiresAt userErrors { field message code } }
}"""


def forbidden(body) -> bool:
    return body["data"] is None and error_codes(body) == ["FORBIDDEN"]


ADMIN_ONLY = {
    "shopUpdate": ('mutation { shopUpdate(input: {name: "Renamed"}) { userErrors { code } } }', {}),
    "apiKeyCreate": (
        'mutation { apiKeyCreate(input: {name: "mine", role: ADMIN}) { secret userErrors { code } } }',
        {},
    ),
    "apiKeyRevoke": (
        "mutation($id: ID!) { apiKeyRevoke(input: {id: $id}) { userErrors { code } } }",
        {"id": global_id("ApiKey")},
    ),
    "carrierSecretCreate": (CARRIER_SECRET, {"carrier": "generic"}),
    "approvalRulesSet": (
        'mutation { approvalRulesSet(input: {rules: [{name: "Big", minTotal: "500"}]}) { userErrors { code } } }',
        {},
    ),
    "riskSettingsUpdate": (
        "mutation { riskSettingsUpdate(input: {highAt: 70}) { riskSettings { highAt } userErrors { code } } }",
        {},
    ),
    "productCustomizationOptionsSet": (
        "mutation($id: ID!) { productCustomizationOptionsSet(input: {id: $id, options: []}) "
        "{ userErrors { code } } }",
        {"id": global_id("Product")},
    ),
    "webhookEndpointCreate": (WEBHOOK_CREATE, {"url": "https://example.com/hooks"}),
    "webhookEndpointUpdate": (
        WEBHOOK_UPDATE,
        {"input": {"id": global_id("WebhookEndpoint"), "active": False}},
    ),
    "webhookEndpointDelete": (WEBHOOK_DELETE, {"id": global_id("WebhookEndpoint")}),
    "webhookEndpointRotateSecret": (WEBHOOK_ROTATE, {"id": global_id("WebhookEndpoint")}),
    "webhookReplay": (WEBHOOK_REPLAY, {"id": global_id("WebhookEndpoint"), "from": "0", "to": "10"}),
    "notificationSettingsUpdate": (
        'mutation { notificationSettingsUpdate(input: {senderName: "Mine"}) { userErrors { code } } }',
        {},
    ),
    "customerTokenSecretRotate": (
        "mutation { customerTokenSecretRotate(input: {}) { secret userErrors { code } } }",
        {},
    ),
    "customerDataExport": (
        'mutation { customerDataExport(input: {email: "a@example.com"}) { data userErrors { code } } }',
        {},
    ),
    "customerErase": (
        'mutation { customerErase(input: {email: "a@example.com"}) { erasedCustomerId userErrors { code } } }',
        {},
    ),
    # buying: ADMIN keys, and STAFF keys only when issued with purchasing:write (test_purchasing_api.py)
    **PURCHASING_MUTATIONS,
}

# Fulfillment work needs a confirmed order: test_fulfillment_api.py runs these with every role;
# here each is sent with IDs of nothing, which only a role check can answer with FORBIDDEN.
FULFILLMENT = {
    "fulfillmentOrderHold": (FO_HOLD, {"id": global_id("FulfillmentOrder"), "reason": "OTHER"}),
    "fulfillmentOrderReleaseHold": (FO_RELEASE, {"id": global_id("FulfillmentOrder"), "reason": "OTHER"}),
    "fulfillmentOrderMove": (
        FO_MOVE,
        {"id": global_id("FulfillmentOrder"), "locationId": global_id("Location")},
    ),
    "customerSetTier": (SET_TIER, {"id": global_id("Customer"), "tier": "VIP"}),
    "orderCancelRemaining": (ORDER_CANCEL_REMAINING, {"id": global_id("Order")}),
    "inventoryDamagedResolve": (
        DAMAGED_RESOLVE,
        {"sku": "TEE", "locationId": global_id("Location"), "quantity": 1, "outcome": "DISPOSED"},
    ),
    "orderApprove": (
        "mutation($id: ID!) { orderApprove(input: {orderId: $id}) { userErrors { code } } }",
        {"id": global_id("Order")},
    ),
    "orderReject": (
        'mutation($id: ID!) { orderReject(input: {orderId: $id, reason: "No"}) { userErrors { code } } }',
        {"id": global_id("Order")},
    ),
    "returnApprove": (RETURN_APPROVE, {"id": global_id("Return")}),
    "returnDecline": (RETURN_DECLINE, {"id": global_id("Return"), "reason": "No"}),
    "returnClose": (RETURN_CLOSE, {"id": global_id("Return")}),
    "refundCreate": (
        REFUND_CREATE,
        {"input": {"orderId": global_id("Order"), "reason": "r", "idempotencyKey": "k", "amount": "1"}},
    ),
    # order editing (test_order_edits_api.py runs it end to end)
    "orderEditBegin": (EDIT_BEGIN, {"id": global_id("Order")}),
    "orderEditAddLine": (EDIT_ADD_LINE, {"id": global_id("OrderEdit")}),
    "orderEditSetQuantity": (
        EDIT_SET_QUANTITY,
        {"id": global_id("OrderEdit"), "line": global_id("OrderLine")},
    ),
    "orderEditRemoveUnshipped": (EDIT_REMOVE, {"id": global_id("OrderEdit"), "line": global_id("OrderLine")}),
    "orderEditSetShipping": (EDIT_SET_SHIPPING, {"id": global_id("OrderEdit")}),
    "orderEditAddAdjustment": (EDIT_ADJUST, {"id": global_id("OrderEdit")}),
    "orderEditCommit": (EDIT_COMMIT, {"id": global_id("OrderEdit")}),
    "orderEditDiscard": (EDIT_DISCARD, {"id": global_id("OrderEdit")}),
}
# Returns the customer starts, through the storefront: STOREFRONT keys may with the customer's or the
# order's access token, PARTNER keys may not.
CUSTOMER_RETURNS = {
    "returnRequest": (
        RETURN_REQUEST,
        {
            "input": {
                "orderId": global_id("Order"),
                "lines": [{"orderLineId": global_id("OrderLine"), "quantity": 1, "reason": "OTHER"}],
            }
        },
    ),
    "returnMarkInTransit": (RETURN_IN_TRANSIT, {"id": global_id("Return"), "trackingNumber": "R-1"}),
    "returnCancel": (RETURN_CANCEL, {"id": global_id("Return")}),
}
# ... and these a PARTNER key (a 3PL, a carrier integration) may run too.
SHIPPING = {
    "fulfillmentOrderStartPicking": (FO_START, {"id": global_id("FulfillmentOrder")}),
    "fulfillmentOrderMarkPacked": (FO_PACK, {"id": global_id("FulfillmentOrder"), "packages": []}),
    "shipmentCreate": (
        SHIPMENT_CREATE,
        {
            "input": {
                "fulfillmentOrderId": global_id("FulfillmentOrder"),
                "carrier": "generic",
                "trackingNumber": "X",
            }
        },
    ),
    "shipmentTrackingEventAdd": (
        TRACKING_ADD,
        {"input": {"shipmentId": global_id("Shipment"), "status": "DELIVERED"}},
    ),
    "returnReceive": (
        RETURN_RECEIVE,
        {"id": global_id("Return"), "locationId": global_id("Location"), "lines": []},
    ),
}


def mutations(shop, order_id):
    """Every mutation a STAFF key may run but orderCreate, with a valid request for the shop."""
    return {
        "productCreate": (PRODUCT_CREATE, {"sku": "NEW", "name": "New", "price": "1.00"}),
        "productUpdate": (PRODUCT_UPDATE, {"input": {"id": shop.tee_id, "name": "Renamed"}}),
        "productsImport": (PRODUCTS_IMPORT, {"products": [{"sku": "NEW", "name": "New", "price": "1.00"}]}),
        "locationCreate": (LOCATION_CREATE, {"name": "Second"}),
        "locationUpdate": (LOCATION_UPDATE, {"input": {"id": shop.location_id, "name": "Renamed"}}),
        "inventorySet": (INVENTORY_SET, {"sku": "TEE", "locationId": shop.location_id, "onHand": 99}),
        "inventoryAdjust": (
            INVENTORY_ADJUST,
            {"sku": "TEE", "locationId": shop.location_id, "delta": 1, "reason": "FOUND"},
        ),
        "orderConfirm": (ORDER_CONFIRM, {"id": order_id}),
        "orderMarkPaid": (ORDER_MARK_PAID, {"id": order_id, "reference": "pay-1"}),
        "orderUpdate": (ORDER_UPDATE, {"input": {"id": order_id, "note": "leave at the door"}}),
        "orderSetPriority": (SET_PRIORITY, {"id": order_id, "priority": 80}),
        "customerAccessTokenCreate": (CUSTOMER_TOKEN_CREATE, {"email": "grace@example.com"}),
        "orderRiskAssessmentCreate": (
            'mutation($id: ID!) { orderRiskAssessmentCreate(input: {orderId: $id, source: "Sift", '
            "riskLevel: LOW}) { order { id } userErrors { code } } }",
            {"id": order_id},
        ),
        "orderCancel": (ORDER_CANCEL, {"id": order_id}),  # last: a cancelled order takes no edits
    }


# What a STOREFRONT key does for the customer whose (customer or order) access token it sends: without
# one, they are refused as needing that proof.
CUSTOMER_ACTIONS = ("orderCancel", *CUSTOMER_RETURNS)


# --- authentication ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "header",
    ["Bearer baton_0123456789ab_not-a-real-secret", "Bearer nonsense", "Basic dXNlcjpwYXNz", "Bearer "],
)
async def test_an_unknown_or_malformed_key_is_unauthenticated_with_http_401(api, tenant, header):
    response = await api.client.post("/graphql", json={"query": READS}, headers={"Authorization": header})

    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert [e["extensions"]["code"] for e in response.json()["errors"]] == ["UNAUTHENTICATED"]


async def test_a_tampered_key_of_a_real_prefix_is_unauthenticated(api, tenant):
    response = await api.post(tenant.admin[:-4] + "AAAA", READS)

    assert response.status_code == 401
    assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_a_mutation_without_a_key_is_unauthenticated_and_changes_nothing(api, shop):
    response = await api.post(None, ORDER_CREATE, {"input": order_input([("TEE", 1)])})

    assert response.status_code == 401
    assert (await stock_of(api, shop.admin, "TEE"))["committed"] == 0


# --- roles -------------------------------------------------------------------------------------


async def test_a_storefront_key_places_orders_reads_the_catalog_and_its_own_order_with_its_token(api, shop):
    key = await shop.tenant.key(Role.STOREFRONT)

    order, token = await place_order_with_token(api, key, [("TEE", 1)])

    assert (await api(key, ORDER_BY_TOKEN, token=token))["data"]["orderByToken"]["number"] == "#1001"
    mine = await api.with_customer_token(token)(key, ORDER, id=order["id"])
    assert mine["data"]["order"]["number"] == "#1001"
    assert (await api(key, PRODUCT, sku="TEE"))["data"]["product"]["inventory"]["committed"] == 1
    catalog = await api(key, CATALOG_READS)
    assert "errors" not in catalog
    assert [p["sku"] for p in catalog["data"]["products"]["nodes"]] == ["MUG", "TEE"]
    assert catalog["data"]["locations"]["nodes"] == [{"id": shop.location_id}]
    # on its own (a public key anyone can extract), it reads no order and no customer
    alone = await api(key, ORDER, id=order["id"])
    assert alone["data"] == {"order": None} and error_codes(alone) == ["FORBIDDEN"]
    assert forbidden(await api(key, ORDERS))
    assert forbidden(await api(key, CUSTOMERS))


async def test_the_role_tests_cover_every_mutation(api, tenant):
    body = await api(tenant.admin, '{ __type(name: "Mutation") { fields { name } } }')

    names = {f["name"] for f in body["data"]["__type"]["fields"]}
    anything = SimpleNamespace(tee_id="", location_id="")
    assert names == {
        "orderCreate",
        *mutations(anything, ""),
        *ADMIN_ONLY,
        *FULFILLMENT,
        *SHIPPING,
        *CUSTOMER_RETURNS,
    }


async def test_a_storefront_key_may_not_manage_the_catalog_stock_orders_or_shop(api, shop):
    key = await shop.tenant.key(Role.STOREFRONT)
    order = await place_order(api, shop.admin, [("TEE", 1)])
    _, token = await place_order_with_token(api, key, [("MUG", 1)])  # the customer's own order

    everything = {**mutations(shop, order["id"]), **ADMIN_ONLY, **FULFILLMENT, **SHIPPING, **CUSTOMER_RETURNS}
    for name, (document, variables) in everything.items():
        body = await api(key, document, **variables)
        assert forbidden(body), (name, body)
        assert body["errors"][0]["path"] == [name]
        if name in CUSTOMER_ACTIONS:  # the customer's to do: refused without the customer's proof
            assert "X-Baton-Customer-Token" in body["errors"][0]["message"], name
        else:
            assert "STOREFRONT" in body["errors"][0]["message"], name
    customer = api.with_customer_token(token)
    for name, (document, variables) in everything.items():
        body = await customer(key, document, **variables)
        if name not in CUSTOMER_ACTIONS:  # the customer's token adds no staff powers
            assert forbidden(body), (name, body)
        elif name != "orderCancel":  # allowed: refused for the missing objects
            assert not forbidden(body), name
            assert [e["code"] for e in body["data"][name]["userErrors"]] == ["NOT_FOUND"], name
        else:  # allowed, but the other customer's order answers like a missing one
            assert [e["code"] for e in body["data"][name]["userErrors"]] == ["NOT_FOUND"], body

    await _nothing_changed(api, shop, order["id"])


async def test_a_partner_key_reads_and_ships_but_changes_nothing_else(api, shop):
    key = await shop.tenant.key(Role.PARTNER)
    order = await place_order(api, shop.admin, [("TEE", 1)])

    body = await api(key, READS.replace(" customers { nodes { id } }", ""))
    assert "errors" not in body
    assert [o["id"] for o in body["data"]["orders"]["nodes"]] == [order["id"]]
    assert forbidden(await api(key, CUSTOMERS))  # the customer list is not a shipper's
    seen = (await api(key, ORDER_DETAIL, id=order["id"]))["data"]["order"]
    assert (seen["number"], seen["email"], seen["customer"]) == ("#1001", None, None)
    assert (await api(key, INVENTORY_MOVEMENTS, sku="TEE"))["data"]["inventoryMovements"]["nodes"]

    assert forbidden(await api(key, ORDER_CREATE, input=order_input([("TEE", 1)])))
    refused = {**mutations(shop, order["id"]), **ADMIN_ONLY, **FULFILLMENT, **CUSTOMER_RETURNS}
    for name, (document, variables) in refused.items():
        assert forbidden(await api(key, document, **variables)), name
    for name, (document, variables) in SHIPPING.items():  # allowed: refused only for the missing objects
        assert not forbidden(await api(key, document, **variables)), name

    await _nothing_changed(api, shop, order["id"])


async def test_a_staff_key_manages_the_catalog_stock_and_orders(api, shop):
    key = await shop.tenant.key(Role.STAFF)
    order = await place_order(api, key, [("TEE", 1)])

    for name, (document, variables) in mutations(shop, order["id"]).items():
        body = await api(key, document, **variables)
        ok(body, name)

    found = (await api(key, ORDER_DETAIL, id=order["id"]))["data"]["order"]
    assert (found["status"], found["paymentStatus"]) == ("CANCELLED", "REFUNDED")  # cancelling refunds
    assert (await stock_of(api, key, "TEE"))["onHand"] == 100
    for name, (document, variables) in {**FULFILLMENT, **SHIPPING, **CUSTOMER_RETURNS}.items():
        assert not forbidden(await api(key, document, **variables)), name  # refused for the missing objects


async def test_a_forbidden_field_fails_alone_when_a_request_holds_several(api, shop):
    key = await shop.tenant.key(Role.PARTNER)

    body = await api(key, '{ product(sku: "TEE") { sku } orders { nodes { id } } }')

    assert body["data"] == {"product": {"sku": "TEE"}, "orders": {"nodes": []}} and "errors" not in body


async def _nothing_changed(api, shop, order_id) -> None:
    order = (await api(shop.admin, ORDER_DETAIL, id=order_id))["data"]["order"]
    assert (order["status"], order["paymentStatus"]) == ("PENDING", "PENDING")
    stock = await stock_of(api, shop.admin, "TEE")
    assert (stock["onHand"], stock["committed"]) == (10, 1)
    products = (await api(shop.admin, "{ products { nodes { sku name } } }"))["data"]["products"]["nodes"]
    assert products == [{"sku": "MUG", "name": "Product MUG"}, {"sku": "TEE", "name": "Product TEE"}]
    locations = (await api(shop.admin, "{ locations { nodes { name } } }"))["data"]["locations"]["nodes"]
    assert locations == [{"name": "Main Warehouse"}]


# --- tenant isolation --------------------------------------------------------------------------


async def test_another_tenants_order_id_reads_exactly_like_a_missing_one(api, shop, other_shop):
    theirs = await place_order(api, other_shop.admin, [("TEE", 1)])
    missing = global_id("Order")

    for document, variables in ((ORDER, "id"), (NODE, "id")):
        foreign = await api(shop.admin, document, **{variables: theirs["id"]})
        absent = await api(shop.admin, document, **{variables: missing})
        assert (foreign["data"], foreign.get("errors")) == (absent["data"], absent.get("errors"))
        assert next(iter(foreign["data"].values())) is None
    both = await api(shop.admin, NODES, ids=[theirs["id"], missing])
    assert both["data"] == {"nodes": [None, None]} and "errors" not in both
    # ...while its own tenant sees it
    assert (await api(other_shop.admin, ORDER, id=theirs["id"]))["data"]["order"]["id"] == theirs["id"]


async def test_another_tenants_order_cannot_be_cancelled_confirmed_or_paid(api, shop, other_shop):
    theirs = await place_order(api, other_shop.admin, [("TEE", 2)])
    missing = global_id("Order")

    for document, field, extra in (
        (ORDER_CANCEL, "orderCancel", {"reason": "mine now"}),
        (ORDER_CONFIRM, "orderConfirm", {}),
        (ORDER_MARK_PAID, "orderMarkPaid", {"reference": "pay-1"}),
    ):
        foreign = await api(shop.admin, document, id=theirs["id"], **extra)
        absent = await api(shop.admin, document, id=missing, **extra)
        assert (foreign["data"], foreign.get("errors")) == (absent["data"], absent.get("errors")), field
        assert foreign["data"][field]["order"] is None
        assert [(e["code"], e["field"]) for e in foreign["data"][field]["userErrors"]] == [
            ("NOT_FOUND", ["id"])
        ]

    found = (await api(other_shop.admin, ORDER_DETAIL, id=theirs["id"]))["data"]["order"]
    assert (found["status"], found["paymentStatus"], found["version"]) == ("PENDING", "PENDING", 1)
    assert (await stock_of(api, other_shop.admin, "TEE"))["committed"] == 2


async def test_an_order_number_that_exists_only_in_another_tenant_is_null(api, shop, other_shop):
    await place_order(api, shop.admin, [("TEE", 1)])
    await place_order(api, other_shop.admin, [("TEE", 1)])
    theirs = await place_order(api, other_shop.admin, [("MUG", 1)])
    assert theirs["number"] == "#1002"

    assert (await api(shop.admin, ORDER_BY_NUMBER, number="#1002"))["data"]["orderByNumber"] is None
    mine = (await api(shop.admin, ORDER_BY_NUMBER, number="#1001"))["data"]["orderByNumber"]
    assert mine["lines"] == [{"sku": "TEE", "quantity": 1}]
    assert mine["total"] == {"amount": "27.49", "currencyCode": "USD"}


async def test_lists_and_filters_never_show_another_tenants_data(api, shop, other_shop):
    mine = await place_order(api, shop.admin, [("TEE", 1)], email="grace@example.com")
    await place_order(api, other_shop.admin, [("TEE", 1)], email="grace@example.com", tags=["vip"])
    await place_order(api, other_shop.admin, [("MUG", 1)], email="linus@example.com", channel="POS")

    orders = (await api(shop.admin, ORDERS))["data"]["orders"]["nodes"]
    assert [o["number"] for o in orders] == ["#1001"]
    for where in ({"customerEmail": "linus@example.com"}, {"tags": ["vip"]}, {"channel": ["POS"]}):
        assert (await api(shop.admin, ORDERS, filter=where))["data"]["orders"]["nodes"] == [], where
    customers = (await api(shop.admin, CUSTOMERS))["data"]["customers"]["nodes"]
    assert [(c["email"], [o["number"] for o in c["orders"]["nodes"]]) for c in customers] == [
        ("grace@example.com", ["#1001"])
    ]
    assert (await api(shop.admin, CUSTOMERS, email="linus@example.com"))["data"]["customers"]["nodes"] == []
    detail = (await api(shop.admin, ORDER_DETAIL, id=mine["id"]))["data"]["order"]
    assert [e["type"] for e in detail["events"]] == [
        "ORDER_CREATED",
        "ORDER_STOCK_RESERVED",
        "ORDER_RISK_ASSESSED",
    ]
    # the same SKU in both tenants: each sees only its own stock and ledger
    stock = await stock_of(api, shop.admin, "TEE")
    assert [lv["location"]["id"] for lv in stock["levels"]] == [shop.location_id]
    assert (stock["onHand"], stock["committed"]) == (10, 1)
    moves = (await api(shop.admin, INVENTORY_MOVEMENTS, sku="TEE"))["data"]["inventoryMovements"]["nodes"]
    assert [m["kind"] for m in moves] == ["RESERVED", "SET"]
    assert (await api(shop.admin, "{ locations { nodes { id } } }"))["data"]["locations"]["nodes"] == [
        {"id": shop.location_id}
    ]


async def test_a_sku_known_only_to_another_tenant_is_unknown(api, shop, other_shop):
    ok(await api(other_shop.admin, PRODUCT_CREATE, sku="HAT", name="Hat", price="5.00"), "productCreate")

    body = await api(shop.admin, ORDER_CREATE, input=order_input([("HAT", 1)]))

    assert [e["code"] for e in body["data"]["orderCreate"]["userErrors"]] == ["UNKNOWN_SKU"]
    assert (await api(shop.admin, PRODUCT, sku="HAT"))["data"]["product"] is None
    assert (await api(shop.admin, INVENTORY_MOVEMENTS, sku="HAT"))["data"]["inventoryMovements"] is None


async def test_another_tenants_location_and_products_cannot_be_changed(api, shop, other_shop):
    set_body = await api(shop.admin, INVENTORY_SET, sku="TEE", locationId=other_shop.location_id, onHand=0)
    assert [(e["code"], e["field"]) for e in set_body["data"]["inventorySet"]["userErrors"]] == [
        ("NOT_FOUND", ["locationId"])
    ]
    location = await api(shop.admin, LOCATION_UPDATE, input={"id": other_shop.location_id, "name": "Taken"})
    assert [e["code"] for e in location["data"]["locationUpdate"]["userErrors"]] == ["NOT_FOUND"]
    product = await api(shop.admin, PRODUCT_UPDATE, input={"id": other_shop.tee_id, "price": "0.01"})
    assert [e["code"] for e in product["data"]["productUpdate"]["userErrors"]] == ["NOT_FOUND"]

    theirs = await api(
        other_shop.admin, "{ products { nodes { sku price { amount } } } locations { nodes { name } } }"
    )
    assert theirs["data"] == {
        "products": {
            "nodes": [
                {"sku": "MUG", "price": {"amount": "8.50"}},
                {"sku": "TEE", "price": {"amount": "19.99"}},
            ]
        },
        "locations": {"nodes": [{"name": "Main Warehouse"}]},
    }
    assert (await stock_of(api, other_shop.admin, "TEE"))["onHand"] == 10
