"""The approval workflow over the API: an ADMIN sets the shop's rules, a matching order waits in
PENDING_APPROVAL with its stock reserved, cannot be confirmed, and is approved or rejected by a key of a
role the rule names (never the key that placed it, under four eyes), each step in its timeline."""

from __future__ import annotations

from domain.tenancy.models import Role
from tests.api.conftest import publish
from tests.api.documents import (
    ORDER_CONFIRM,
    ORDER_CREATE,
    ORDER_CREATE_WITH_TOKEN,
    ORDER_MARK_PAID,
    address,
    codes,
    error_codes,
    global_id,
    ok,
    order_input,
    stock_of,
)
from tests.api.live import EVENTS_FEED

RULES_SET = """
mutation($rules: [ApprovalRuleInput!]!) {
  approvalRulesSet(input: {rules: $rules}) {
    rules { id name position minTotal { amount currencyCode } channels newCustomer customerTiers
      shippingCountries skus riskLevelAtLeast approverRoles fourEyes autoRejectAfterHours }
    userErrors { field message code }
  }
}"""
RULES = "{ approvalRules { id name position } }"
APPROVE = """
mutation($id: ID!, $note: String) {
  orderApprove(input: {orderId: $id, note: $note}) { order { id status } userErrors { field message code } }
}"""
REJECT = """
mutation($id: ID!, $reason: String!) {
  orderReject(input: {orderId: $id, reason: $reason}) {
    order { id status cancelReason paymentStatus refunded { amount } }
    userErrors { field message code }
  }
}"""
DETAIL = """
query($id: ID!) { order(id: $id) { status
  approval { ruleId ruleName approverRoles fourEyes requestedBy decision decidedBy note dueAt }
  events { type actor message } } }"""
QUEUE = """
query($filter: OrderFilterInput) { orders(first: 10, filter: $filter) { nodes { number status } } }"""
BY_TOKEN = "query($token: String!) { orderByToken(token: $token) { number status approval { ruleName } } }"
BIG = {"name": "Big orders", "minTotal": "40"}


async def set_rules(api, key, rules):
    return await api(key, RULES_SET, rules=rules)


async def place(api, key, quantity, **kwargs):
    body = await api(key, ORDER_CREATE, input=order_input([("TEE", quantity)], **kwargs))
    return ok(body, "orderCreate")["order"]


async def test_an_admin_sets_ordered_rules_and_keys_that_read_orders_list_them(api, shop):
    body = await set_rules(
        api,
        shop.admin,
        [
            {**BIG, "approverRoles": ["ADMIN"], "autoRejectAfterHours": 48},
            {
                "name": "Abroad, new",
                "shippingCountries": ["ca", "MX"],
                "newCustomer": True,
                "fourEyes": False,
            },
            {"name": "Phone VIPs", "channels": ["PHONE"], "customerTiers": ["VIP"], "skus": ["TEE"]},
        ],
    )

    rules = ok(body, "approvalRulesSet")["rules"]
    assert [(r["name"], r["position"]) for r in rules] == [
        ("Big orders", 0),
        ("Abroad, new", 1),
        ("Phone VIPs", 2),
    ]
    assert rules[0]["minTotal"] == {"amount": "40.00", "currencyCode": "USD"}
    assert (rules[0]["approverRoles"], rules[0]["autoRejectAfterHours"]) == (["ADMIN"], 48)
    assert (rules[1]["shippingCountries"], rules[1]["newCustomer"], rules[1]["fourEyes"]) == (
        ["CA", "MX"],
        True,
        False,
    )
    assert rules[2]["approverRoles"] == ["ADMIN", "STAFF"] and rules[2]["fourEyes"] is True
    staff = await shop.tenant.key(Role.STAFF)
    assert [r["name"] for r in (await api(staff, RULES))["data"]["approvalRules"]] == [
        r["name"] for r in rules
    ]

    # Reordered with their ids kept, one left out: it is gone, the others keep their ids.
    again = ok(
        await set_rules(api, shop.admin, [{**BIG, "id": rules[2]["id"], "name": "Phone VIPs"}]),
        "approvalRulesSet",
    )
    assert [(r["id"], r["position"]) for r in again["rules"]] == [(rules[2]["id"], 0)]


async def test_rules_are_set_by_admin_keys_only_and_a_bad_set_changes_nothing(api, shop):
    staff = await shop.tenant.key(Role.STAFF)
    assert error_codes(await set_rules(api, staff, [BIG])) == ["FORBIDDEN"]
    ok(await set_rules(api, shop.admin, [BIG]), "approvalRulesSet")

    bad = await set_rules(
        api,
        shop.admin,
        [
            {"name": " "},
            {**BIG, "minTotal": "-1", "autoRejectAfterHours": 0},
            {"name": "big orders"},
            {"name": "Gone", "id": global_id("ApprovalRule")},
        ],
    )

    payload = bad["data"]["approvalRulesSet"]
    assert payload["rules"] is None
    assert [(e["code"], e["field"]) for e in payload["userErrors"]] == [
        ("INVALID", ["rules", "0", "name"]),
        ("INVALID_AMOUNT", ["rules", "1", "minTotal"]),
        ("INVALID", ["rules", "1", "autoRejectAfterHours"]),
        ("DUPLICATE", ["rules", "2", "name"]),
        ("NOT_FOUND", ["rules", "3", "id"]),
    ]
    assert [r["name"] for r in (await api(shop.admin, RULES))["data"]["approvalRules"]] == ["Big orders"]


async def test_a_matching_order_waits_with_its_stock_reserved_and_cannot_be_confirmed(api, shop):
    ok(await set_rules(api, shop.admin, [BIG]), "approvalRulesSet")
    staff = await shop.tenant.key(Role.STAFF)

    small = await place(api, staff, 1)  # 19.99 + 5.00 shipping + 10 % tax: 27.49, below 40
    big = await place(api, staff, 2)  # 2 x 19.99 + 5.00 shipping + 10 % tax: 49.48

    assert (small["status"], big["status"]) == ("PENDING", "PENDING_APPROVAL")
    assert (await stock_of(api, shop.admin, "TEE"))["committed"] == 3
    refused = await api(shop.admin, ORDER_CONFIRM, id=big["id"])
    assert codes(refused["data"]["orderConfirm"]) == ["APPROVAL_PENDING"]
    detail = (await api(shop.admin, DETAIL, id=big["id"]))["data"]["order"]
    assert detail["status"] == "PENDING_APPROVAL"
    assert detail["approval"]["ruleName"] == "Big orders" and detail["approval"]["decision"] is None
    assert detail["approval"]["requestedBy"].startswith("apikey:")
    assert [e["type"] for e in detail["events"]][-1] == "ORDER_APPROVAL_REQUESTED"
    assert (await api(shop.admin, DETAIL, id=small["id"]))["data"]["order"]["approval"] is None


async def test_four_eyes_another_key_approves_and_the_order_goes_on_to_confirmation(api, shop):
    ok(await set_rules(api, shop.admin, [BIG]), "approvalRulesSet")
    placer, approver = await shop.tenant.key(Role.STAFF), await shop.tenant.key(Role.STAFF)
    big = await place(api, placer, 2)

    same = await api(placer, APPROVE, id=big["id"])
    assert codes(same["data"]["orderApprove"]) == ["SAME_KEY_APPROVAL"]
    storefront = await shop.tenant.key(Role.STOREFRONT)
    assert error_codes(await api(storefront, APPROVE, id=big["id"])) == ["FORBIDDEN"]

    approved = ok(await api(approver, APPROVE, id=big["id"], note="Known customer"), "orderApprove")

    assert approved["order"]["status"] == "PENDING"
    again = await api(approver, APPROVE, id=big["id"])
    assert codes(again["data"]["orderApprove"]) == ["NOT_AWAITING_APPROVAL"]
    assert (
        ok(await api(shop.admin, ORDER_CONFIRM, id=big["id"]), "orderConfirm")["order"]["status"]
        == "CONFIRMED"
    )
    detail = (await api(shop.admin, DETAIL, id=big["id"]))["data"]["order"]
    assert detail["approval"]["decision"] == "APPROVED" and detail["approval"]["note"] == "Known customer"
    steps = [(e["type"], e["actor"]) for e in detail["events"]]
    decided = steps.index(("ORDER_APPROVED", detail["approval"]["decidedBy"]))
    assert steps[decided - 1][0] == "ORDER_STATUS_CHANGED"  # PENDING_APPROVAL -> PENDING, same actor
    assert detail["approval"]["decidedBy"] != detail["approval"]["requestedBy"]


async def test_the_rule_names_the_roles_that_decide(api, shop):
    ok(await set_rules(api, shop.admin, [{**BIG, "approverRoles": ["ADMIN"]}]), "approvalRulesSet")
    staff = await shop.tenant.key(Role.STAFF)
    big = await place(api, staff, 2)

    refused = await api(staff, REJECT, id=big["id"], reason="Too big")

    assert codes(refused["data"]["orderReject"]) == ["APPROVER_ROLE_REQUIRED"]
    assert ok(await api(shop.admin, APPROVE, id=big["id"]), "orderApprove")["order"]["status"] == "PENDING"


async def test_a_rule_without_four_eyes_lets_the_placing_key_decide(api, shop):
    ok(await set_rules(api, shop.admin, [{**BIG, "fourEyes": False}]), "approvalRulesSet")
    big = await place(api, shop.admin, 2)

    assert ok(await api(shop.admin, APPROVE, id=big["id"]), "orderApprove")["order"]["status"] == "PENDING"


async def test_rejecting_cancels_releases_the_stock_and_refunds_what_was_paid(api, shop, database_url):
    ok(await set_rules(api, shop.admin, [BIG]), "approvalRulesSet")
    staff = await shop.tenant.key(Role.STAFF)
    big = await place(api, staff, 2)
    ok(await api(staff, ORDER_MARK_PAID, id=big["id"], reference="pay-1"), "orderMarkPaid")

    missing = await api(shop.admin, REJECT, id=big["id"], reason=" ")
    assert codes(missing["data"]["orderReject"]) == ["REQUIRED"]
    rejected = ok(await api(shop.admin, REJECT, id=big["id"], reason="Card looks stolen"), "orderReject")

    assert rejected["order"]["status"] == "CANCELLED"
    assert rejected["order"]["cancelReason"] == "Rejected: Card looks stolen"
    assert (rejected["order"]["paymentStatus"], rejected["order"]["refunded"]["amount"]) == (
        "REFUNDED",
        "49.48",
    )
    assert (await stock_of(api, shop.admin, "TEE"))["committed"] == 0
    late = await api(shop.admin, APPROVE, id=big["id"])
    assert codes(late["data"]["orderApprove"]) == ["NOT_AWAITING_APPROVAL"]
    await publish(database_url)
    feed = (await api(shop.admin, EVENTS_FEED, first=100))["data"]["eventsFeed"]["nodes"]
    types = [e["type"] for e in feed]
    assert (
        types.index("ORDER_APPROVAL_REQUESTED")
        < types.index("ORDER_REJECTED")
        < types.index("ORDER_STOCK_RELEASED")
    )
    rejected_event = next(e for e in feed if e["type"] == "ORDER_REJECTED")
    assert rejected_event["payload"]["reason"] == "Card looks stolen"


async def test_the_queue_lists_waiting_orders_by_rule_in_both_read_paths(api, shop):
    body = ok(
        await set_rules(api, shop.admin, [BIG, {"name": "Mexico", "shippingCountries": ["MX"]}]),
        "approvalRulesSet",
    )
    big_rule, mexico_rule = (r["id"] for r in body["rules"])
    staff = await shop.tenant.key(Role.STAFF)
    first = await place(api, staff, 2)
    await place(api, staff, 1)
    abroad = await api(
        staff,
        ORDER_CREATE,
        input=order_input(
            [("MUG", 1)],
            shippingAddress={
                "name": "Frida",
                "line1": "Londres 247",
                "city": "Ciudad de México",
                "postalCode": "04100",
                "countryCode": "MX",
            },
        ),
    )
    assert ok(abroad, "orderCreate")["order"]["status"] == "PENDING_APPROVAL"

    waiting = await api(shop.admin, QUEUE, filter={"status": ["PENDING_APPROVAL"]})
    assert [o["number"] for o in waiting["data"]["orders"]["nodes"]] == ["#1003", "#1001"]
    by_rule = await api(
        shop.admin, QUEUE, filter={"status": ["PENDING_APPROVAL"], "approvalRuleId": big_rule}
    )
    assert [o["number"] for o in by_rule["data"]["orders"]["nodes"]] == [first["number"]]
    mexico = await api(shop.admin, QUEUE, filter={"approvalRuleId": mexico_rule})
    assert [o["number"] for o in mexico["data"]["orders"]["nodes"]] == ["#1003"]
    wrong = await api(shop.admin, QUEUE, filter={"approvalRuleId": global_id("Order")})
    assert error_codes(wrong) == ["BAD_USER_INPUT"]


async def test_the_customer_sees_the_status_but_not_the_approval(api, shop):
    ok(await set_rules(api, shop.admin, [BIG]), "approvalRulesSet")
    storefront = await shop.tenant.key(Role.STOREFRONT)
    body = await api(storefront, ORDER_CREATE_WITH_TOKEN, input=order_input([("TEE", 2)]))
    token = ok(body, "orderCreate")["orderAccessToken"]

    seen = (await api(storefront, BY_TOKEN, token=token))["data"]["orderByToken"]

    assert seen == {"number": "#1001", "status": "PENDING_APPROVAL", "approval": None}


async def test_new_customers_tiers_and_channels_are_conditions(api, shop):
    rules = [
        {"name": "First orders by phone", "newCustomer": True, "channels": ["PHONE"]},
        {"name": "Returning VIPs", "newCustomer": False, "customerTiers": ["VIP"]},
    ]
    ok(await set_rules(api, shop.admin, rules), "approvalRulesSet")

    first = await place(api, shop.admin, 1, email="new@example.com", channel="PHONE")
    second = await place(api, shop.admin, 1, email="new@example.com", channel="PHONE")
    web = await place(api, shop.admin, 1, email="web@example.com")

    assert (first["status"], second["status"], web["status"]) == ("PENDING_APPROVAL", "PENDING", "PENDING")
    detail = (await api(shop.admin, DETAIL, id=first["id"]))["data"]["order"]
    assert detail["approval"]["ruleName"] == "First orders by phone"


async def test_another_shops_order_and_rules_are_out_of_reach(api, shop, other_shop):
    ok(await set_rules(api, other_shop.admin, [BIG]), "approvalRulesSet")
    theirs = await place(api, other_shop.admin, 2)
    assert theirs["status"] == "PENDING_APPROVAL"

    assert (await api(shop.admin, RULES))["data"]["approvalRules"] == []
    for document, variables in ((APPROVE, {}), (REJECT, {"reason": "No"})):
        body = await api(shop.admin, document, id=theirs["id"], **variables)
        assert codes(next(iter(body["data"].values()))) == ["NOT_FOUND"]
    mine = await place(api, shop.admin, 2)
    assert mine["status"] == "PENDING"  # another shop's rules hold none of this shop's orders


async def test_the_rules_are_for_the_keys_that_decide(api, shop):
    ok(await set_rules(api, shop.admin, [BIG]), "approvalRulesSet")
    partner = await shop.tenant.key(Role.PARTNER)

    assert error_codes(await api(partner, RULES)) == ["FORBIDDEN"]


async def test_a_rule_on_the_risk_level_holds_the_orders_assessed_that_risky_at_placement(api, shop):
    body = await set_rules(api, shop.admin, [{"name": "Risky", "riskLevelAtLeast": "MEDIUM"}])
    assert ok(body, "approvalRulesSet")["rules"][0]["riskLevelAtLeast"] == "MEDIUM"

    ordinary = await place(api, shop.admin, 1)
    # A first order, express, from a throwaway mailbox, billed in another country: HIGH (tests/api/test_risk_api.py)
    risky = await place(
        api,
        shop.admin,
        1,
        email="quick@mailinator.com",
        shippingMethod="EXPRESS",
        billingAddress=address(countryCode="NG", postalCode="100001"),
    )

    assert (ordinary["status"], risky["status"]) == ("PENDING", "PENDING_APPROVAL")
    detail = (await api(shop.admin, DETAIL, id=risky["id"]))["data"]["order"]
    assert detail["approval"]["ruleName"] == "Risky"
    assert [e["type"] for e in detail["events"]][-2:] == ["ORDER_RISK_ASSESSED", "ORDER_APPROVAL_REQUESTED"]
