"""Optimistic concurrency on order edits, error codes on every error, and public event payloads."""

from __future__ import annotations

import uuid

from domain.ids import to_global
from tests.api.documents import codes, error_codes, ok, place_order

CANCEL = """
mutation($id: ID!, $v: Int) {
  orderCancel(input: {id: $id, reason: "late", expectedVersion: $v}) {
    order { status version } userErrors { field message code }
  }
}
"""
CONFIRM = """
mutation($id: ID!, $v: Int) {
  orderConfirm(input: {id: $id, expectedVersion: $v}) { order { status version } userErrors { field code } }
}
"""
ORDER = "query($id: ID!) { order(id: $id) { status version events { type data } lines { allocations { status } } } }"


async def test_an_edit_made_on_a_stale_version_is_refused_and_changes_nothing(api, shop):
    order = await place_order(api, shop.admin, [("TEE", 2)])
    confirmed = ok(await api(shop.admin, CONFIRM, id=order["id"], v=1), "orderConfirm")["order"]
    assert confirmed == {"status": "CONFIRMED", "version": 2}

    stale = (await api(shop.admin, CANCEL, id=order["id"], v=1))["data"]["orderCancel"]
    assert codes(stale) == ["STALE_VERSION"]
    assert stale["userErrors"][0]["field"] == ["expectedVersion"]
    after = (await api(shop.admin, ORDER, id=order["id"]))["data"]["order"]
    assert (after["status"], after["version"]) == ("CONFIRMED", 2)
    assert [a["status"] for line in after["lines"] for a in line["allocations"]] == ["RESERVED"]

    current = ok(await api(shop.admin, CANCEL, id=order["id"], v=2), "orderCancel")["order"]
    assert current == {"status": "CANCELLED", "version": 3}


async def test_the_timeline_speaks_the_apis_language(api, shop):
    order = await place_order(api, shop.admin, [("TEE", 1)])
    await api(shop.admin, CANCEL, id=order["id"])
    events = (await api(shop.admin, ORDER, id=order["id"]))["data"]["order"]["events"]
    by_type = {e["type"]: e["data"] for e in events}
    assert by_type["ORDER_CREATED"]["total"] == {
        "amount": "27.49",  # 19.99 + 5.00 shipping, plus 10 % tax on each (2.00 + 0.50)
        "currencyCode": "USD",
    }
    assert by_type["ORDER_STATUS_CHANGED"] == {
        "number": order["number"],
        "oldStatus": "PENDING",
        "newStatus": "CANCELLED",
        "reason": "late",
    }
    (allocation,) = by_type["ORDER_STOCK_RESERVED"]["allocations"]
    assert allocation["locationId"] == shop.location_id  # the global ID the API uses


async def test_every_error_carries_a_code(api, tenant):
    assert error_codes(await api(tenant.admin, "{ orders { nodes { id }")) == ["GRAPHQL_PARSE_FAILED"]
    assert error_codes(await api(tenant.admin, "{ orders { nodes { nope } } }")) == [
        "GRAPHQL_VALIDATION_FAILED"
    ]
    body = await api(tenant.admin, "query($n: Int!) { orders(first: $n) { nodes { id } } }", n="many")
    assert error_codes(body) == ["BAD_USER_INPUT"]


async def test_an_unauthenticated_answer_has_a_request_id_too(api):
    response = await api.post("baton_nope_nope", "{ shop { name } }")
    assert response.status_code == 401
    assert len(response.headers["x-request-id"]) >= 8


async def test_a_time_without_an_offset_filters_as_utc(api, shop):
    await place_order(api, shop.admin, [("MUG", 1)])
    query = "query($t: DateTime!) { orders(filter: {createdAfter: $t}) { nodes { number } } }"
    assert len((await api(shop.admin, query, t="2000-01-01T00:00:00"))["data"]["orders"]["nodes"]) == 1
    assert (await api(shop.admin, query, t="2999-01-01T00:00:00"))["data"]["orders"]["nodes"] == []


# --- a foreign ID is reported on the input field that carried it ----------------------------------

LINE = to_global("OrderLine", uuid.uuid4())
FOREIGN_ID_MUTATIONS = [
    (
        "returnRequest",
        "orderId",
        {"orderId": "Order", "lines": [{"orderLineId": LINE, "quantity": 1, "reason": "OTHER"}]},
    ),
    ("refundCreate", "orderId", {"orderId": "Order", "reason": "x", "idempotencyKey": "k"}),
    (
        "shipmentCreate",
        "fulfillmentOrderId",
        {"fulfillmentOrderId": "FulfillmentOrder", "carrier": "generic", "trackingNumber": "1"},
    ),
    ("shipmentTrackingEventAdd", "shipmentId", {"shipmentId": "Shipment", "status": "IN_TRANSIT"}),
    ("webhookReplay", "endpointId", {"endpointId": "WebhookEndpoint", "fromCursor": "0", "toCursor": "1"}),
    ("inventorySet", "locationId", {"sku": "TEE", "locationId": "Location", "onHand": 1}),
    (
        "inventoryAdjust",
        "locationId",
        {"sku": "TEE", "locationId": "Location", "delta": 1, "reason": "CYCLE_COUNT"},
    ),
    ("customerAccessTokenCreate", "customerId", {"customerId": "Customer"}),
]


async def test_a_foreign_id_is_a_not_found_user_error_on_the_input_field_that_named_it(api, shop):
    for mutation, field, shape in FOREIGN_ID_MUTATIONS:
        foreign = {k: to_global(v, uuid.uuid4()) if k == field else v for k, v in shape.items()}
        document = (
            f"mutation($input: {mutation[0].upper()}{mutation[1:]}Input!) "
            f"{{ {mutation}(input: $input) {{ userErrors {{ field code }} }} }}"
        )
        body = await api(shop.admin, document, input=foreign)

        assert "errors" not in body, (mutation, body)
        assert body["data"][mutation]["userErrors"] == [{"field": [field], "code": "NOT_FOUND"}], (
            mutation,
            body,
        )
