"""Fraud risk over the API: the built-in assessment at placement with its facts, the HIGH_RISK_OF_FRAUD
hold it puts on fulfillment, a fraud service's assessments, the riskLevel filter on both read paths,
the shop's settings, and who sees what."""

from __future__ import annotations

from domain.tenancy.models import Role
from tests.api.documents import (
    ORDER_CONFIRM,
    address,
    codes,
    ok,
    order_input,
    place_order_with_token,
    set_stock,
)
from tests.api.fulfillment_documents import FO_RELEASE, fulfillment_of

PLACE = """
mutation($input: OrderCreateInput!) {
  orderCreate(input: $input) {
    order { id number risk { level score facts { description sentiment } } }
    userErrors { field message code }
  }
}"""
RISK = """query($id: ID!) { order(id: $id) {
  number risk { level score facts { description sentiment }
    assessments { source level score facts { description sentiment } } } } }"""
ASSESS = """
mutation($input: OrderRiskAssessmentCreateInput!) {
  orderRiskAssessmentCreate(input: $input) {
    order { id risk { level score } }
    userErrors { field message code }
  }
}"""
SETTINGS = """
mutation($input: RiskSettingsUpdateInput!) {
  riskSettingsUpdate(input: $input) {
    riskSettings { lowAt mediumAt highAt velocityLimit weights { rule points } }
    userErrors { field message code }
  }
}"""
SHOP_RISK = "{ shop { riskSettings { highAt weights { rule points } } } }"
BY_RISK = """query($filter: OrderFilterInput) { orders(first: 20, filter: $filter) {
  nodes { number } } }"""
KEY_CREATE = """mutation($input: ApiKeyCreateInput!) {
  apiKeyCreate(input: $input) { secret userErrors { code } } }"""


def risky_input(**overrides):
    """A first order, express to a new address, from a throwaway mailbox, billed in another country."""
    return order_input(
        [("TEE", 1)],
        email="quick@mailinator.com",
        shippingMethod="EXPRESS",
        billingAddress=address(countryCode="NG", postalCode="100001"),
        **overrides,
    )


async def place(api, key, data):
    return ok(await api(key, PLACE, input=data), "orderCreate")["order"]


async def test_an_ordinary_order_has_no_risk_and_says_why(api, shop):
    order = await place(api, shop.admin, order_input([("TEE", 1)]))

    assert order["risk"] == {
        "level": "NONE",
        "score": 0,
        "facts": [{"description": "First order from this customer", "sentiment": "NEUTRAL"}],
    }


async def test_a_high_risk_order_opens_its_fulfillment_on_hold_until_staff_release_it(api, shop):
    order = await place(api, shop.admin, risky_input())

    assert order["risk"]["level"] == "HIGH" and order["risk"]["score"] == 70
    negative = {f["description"] for f in order["risk"]["facts"] if f["sentiment"] == "NEGATIVE"}
    assert negative == {
        "Billing country NG differs from shipping country US",
        "The email address is at a disposable mailbox provider",
        "First order, sent express to an address not used before",
    }
    ok(await api(shop.admin, ORDER_CONFIRM, id=order["id"]), "orderConfirm")
    (fo,) = (await fulfillment_of(api, shop.admin, order["id"]))["fulfillmentOrders"]
    assert fo["status"] == "ON_HOLD"
    assert [h["reason"] for h in fo["holds"]] == ["HIGH_RISK_OF_FRAUD"]
    assert fo["holds"][0]["note"].startswith("Fraud risk HIGH (score 70)")

    released = ok(
        await api(shop.admin, FO_RELEASE, id=fo["id"], reason="HIGH_RISK_OF_FRAUD"),
        "fulfillmentOrderReleaseHold",
    )
    assert released["fulfillmentOrder"]["status"] == "OPEN"


async def test_the_risk_level_filter_finds_risky_orders_on_both_read_paths(api, plain, shop):
    await place(api, shop.admin, order_input([("TEE", 1)]))
    risky = await place(api, shop.admin, risky_input())

    for client in (api, plain):  # `api` compares its compiled answers with strawberry's as well
        body = await client(shop.admin, BY_RISK, filter={"riskLevel": ["HIGH"]})
        assert body["data"]["orders"]["nodes"] == [{"number": risky["number"]}]
        body = await client(shop.admin, BY_RISK, filter={"riskLevel": ["NONE", "LOW"]})
        assert [n["number"] for n in body["data"]["orders"]["nodes"]] == ["#1001"]
        body = await client(shop.admin, BY_RISK, filter={"riskLevel": []})
        assert len(body["data"]["orders"]["nodes"]) == 2


async def test_a_fraud_service_assesses_an_order_and_may_change_its_own_mind(api, shop):
    created = ok(
        await api(
            shop.admin,
            KEY_CREATE,
            input={"name": "Sift", "role": "PARTNER", "scopes": ["orders:read", "risk:assess"]},
        ),
        "apiKeyCreate",
    )
    sift = created["secret"]
    order = await place(api, shop.admin, order_input([("TEE", 2)]))
    ok(await api(shop.admin, ORDER_CONFIRM, id=order["id"]), "orderConfirm")

    high = {
        "orderId": order["id"],
        "source": "Sift",
        "riskLevel": "HIGH",
        "score": 91,
        "facts": [{"description": "Card seen in chargebacks", "sentiment": "NEGATIVE"}],
    }
    assessed = ok(await api(sift, ASSESS, input=high), "orderRiskAssessmentCreate")

    assert assessed["order"]["risk"] == {"level": "HIGH", "score": 91}
    (fo,) = (await fulfillment_of(api, shop.admin, order["id"]))["fulfillmentOrders"]
    assert fo["status"] == "ON_HOLD" and [h["reason"] for h in fo["holds"]] == ["HIGH_RISK_OF_FRAUD"]
    # the same service clears the order: its latest word counts; the hold stays for staff to release
    cleared = {**high, "riskLevel": "LOW", "score": 15, "facts": []}
    assessed = ok(await api(sift, ASSESS, input=cleared), "orderRiskAssessmentCreate")
    assert assessed["order"]["risk"] == {"level": "LOW", "score": 15}
    risk = (await api(shop.admin, RISK, id=order["id"]))["data"]["order"]["risk"]
    assert [(a["source"], a["level"], a["score"]) for a in risk["assessments"]] == [
        ("BATON", "NONE", 0),
        ("Sift", "HIGH", 91),
        ("Sift", "LOW", 15),
    ]
    assert risk["facts"] == [{"description": "First order from this customer", "sentiment": "NEUTRAL"}]
    (fo,) = (await fulfillment_of(api, shop.admin, order["id"]))["fulfillmentOrders"]
    assert fo["status"] == "ON_HOLD"

    timeline = (await fulfillment_of(api, shop.admin, order["id"]))["events"]
    assessed_events = [e["data"] for e in timeline if e["type"] == "ORDER_RISK_ASSESSED"]
    assert [(p["source"], p["level"], p["orderLevel"]) for p in assessed_events] == [
        ("BATON", "NONE", "NONE"),
        ("Sift", "HIGH", "HIGH"),
        ("Sift", "LOW", "LOW"),
    ]


async def test_an_assessment_is_checked_and_a_refused_one_changes_nothing(api, shop):
    order = await place(api, shop.admin, order_input([("TEE", 1)]))
    bad = {
        "orderId": order["id"],
        "source": "baton",
        "riskLevel": "HIGH",
        "score": 101,
        "facts": [{"description": " ", "sentiment": "NEGATIVE"}],
    }

    payload = (await api(shop.admin, ASSESS, input=bad))["data"]["orderRiskAssessmentCreate"]

    assert payload["order"] is None
    assert [(e["field"], e["code"]) for e in payload["userErrors"]] == [
        (["source"], "INVALID"),
        (["score"], "INVALID"),
        (["facts", "0", "description"], "REQUIRED"),
    ]
    missing = {"orderId": shop.tee_id, "source": "Sift", "riskLevel": "LOW"}
    assert codes((await api(shop.admin, ASSESS, input=missing))["data"]["orderRiskAssessmentCreate"]) == [
        "NOT_FOUND"
    ]
    risk = (await api(shop.admin, RISK, id=order["id"]))["data"]["order"]["risk"]
    assert risk["level"] == "NONE" and len(risk["assessments"]) == 1


async def test_a_shops_thresholds_and_weights_apply_to_the_next_orders(api, shop):
    refused = (await api(shop.admin, SETTINGS, input={"lowAt": 50, "mediumAt": 40}))["data"]
    assert codes(refused["riskSettingsUpdate"]) == ["INVALID"]

    body = await api(
        shop.admin,
        SETTINGS,
        input={"highAt": 40, "weights": [{"rule": "COUNTRY_MISMATCH", "points": 45}]},
    )
    settings = ok(body, "riskSettingsUpdate")["riskSettings"]

    assert (settings["lowAt"], settings["mediumAt"], settings["highAt"]) == (10, 25, 40)
    shown = (await api(shop.admin, SHOP_RISK))["data"]["shop"]["riskSettings"]
    assert shown["highAt"] == 40
    assert {"rule": "COUNTRY_MISMATCH", "points": 45} in shown["weights"]
    billed_abroad = order_input([("TEE", 1)], billingAddress=address(countryCode="CA", postalCode="K1A 0B1"))
    order = await place(api, shop.admin, billed_abroad)
    assert order["risk"]["level"] == "HIGH" and order["risk"]["score"] == 45
    reset = ok(await api(shop.admin, SETTINGS, input={"reset": True}), "riskSettingsUpdate")
    assert reset["riskSettings"]["highAt"] == 50


async def test_customers_never_see_the_risk_of_their_own_order(api, shop):
    storefront = await shop.tenant.key(Role.STOREFRONT)
    order, token = await place_order_with_token(api, storefront, [("TEE", 1)])

    body = await api.with_customer_token(token)(storefront, RISK, id=order["id"])

    assert body["data"]["order"]["risk"] is None
    assert (await api(shop.admin, RISK, id=order["id"]))["data"]["order"]["risk"]["level"] == "NONE"


async def test_ip_velocity_counts_shoppers_on_a_public_key_never_a_backends_orders(api, shop):
    storefront = await shop.tenant.key(Role.STOREFRONT)
    await set_stock(api, shop.admin, "MUG", shop.location_id, 100)

    def someone(n):
        return order_input(
            [("MUG", 1)], email=f"s{n}@example.com", shippingAddress=address(line1=f"{n} Elm St")
        )

    for n in range(6):  # the merchant's backend: one address for every customer
        await place(api, shop.admin, someone(n))
    for n in range(10, 15):
        await place_order_with_token(api, storefront, [("MUG", 1)], email=f"s{n}@example.com")
    backend = await place(api, shop.admin, someone(99))
    assert backend["risk"]["level"] == "NONE"

    shopper, _ = await place_order_with_token(api, storefront, [("MUG", 1)], email="s100@example.com")

    facts = (await api(shop.admin, RISK, id=shopper["id"]))["data"]["order"]["risk"]["facts"]
    assert {
        "description": "5 other orders from this IP address in the last hour",
        "sentiment": "NEGATIVE",
    } in facts
