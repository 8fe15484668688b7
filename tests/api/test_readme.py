"""Every GraphQL block of the README, run against a live `baton serve --demo` with the key the README says
to use, in the order a shop would: place, read, sign in, follow, pick, ship, return, refund, audit, erase.

The operations are taken from README.md itself, so a changed example is tested as changed. Only the
README's placeholders ("T3JkZXI6…", a cursor, a customer ID) are swapped for the demo's real values, and
the swap fails if the placeholder is no longer there. A block whose operation this file does not know
fails the first test: a new example needs its run here."""

from __future__ import annotations

import itertools
import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from graphql import OperationDefinitionNode, parse

from tests.api.conftest import Api
from tests.api.customer_documents import KEY_CREATE
from tests.api.documents import ORDER_CONFIRM, ORDER_MARK_PAID, ok
from tests.api.fulfillment_documents import FO_PACK, FO_START, fulfillment_of
from tests.api.live import Socket
from tests.api.processes import baton_serve
from tests.conftest import ROOT

README = ROOT / "README.md"
FENCE = re.compile(r"^```(\w*)\n(.*?)^```", re.S | re.M)

# Operation (its name, or its first field when it has none) → the step below that runs it.
KNOWN = {
    "Place",
    "product",
    "productCustomizationOptionsSet",
    "approvalRulesSet",
    "ApprovalQueue",
    "Approve",
    "Reject",
    "Status",
    "Cancel",
    "customerAccessTokenCreate",
    "viewerCustomer",
    "Order",
    "Since",
    "Queue",
    "Ship",
    "EditBegin",
    "EditStage",
    "EditCommit",
    "Return",
    "Refund",
    "orderUpdated",
    "inventoryChanged",
    "events",
    "Suggestions",
    "Buy",
    "Submit",
    "Receive",
    "reorderPolicyUpdate",
    "Week",
    "Stock",
    "Forecast",
    "auditLog",
    "customerDataExport",
    "customerErase",
    "Risky",
    "Assess",
    "Thresholds",
}


def readme_blocks() -> list[tuple[str, str]]:
    """(language, text) of each fenced block, in order."""
    return [(m.group(1), m.group(2)) for m in FENCE.finditer(README.read_text())]


def readme_operations() -> dict[str, str]:
    """Each operation of the README's GraphQL blocks, by name, as its own document."""
    found: dict[str, str] = {}
    for language, text in readme_blocks():
        if language != "graphql":
            continue
        for op in parse(text).definitions:
            assert isinstance(op, OperationDefinitionNode) and op.loc is not None
            name = op.name.value if op.name else op.selection_set.selections[0].name.value  # type: ignore[attr-defined]
            assert name not in found, f"two README operations are called {name}"
            found[name] = text[op.loc.start : op.loc.end]
    return found


def variables_after(name: str) -> dict[str, Any]:
    """The JSON block that follows the GraphQL block holding operation `name`."""
    blocks = readme_blocks()
    for (language, text), (next_language, next_text) in itertools.pairwise(blocks):
        if language == "graphql" and re.search(rf"\b{name}\b", text) and next_language == "json":
            return json.loads(next_text)
    raise AssertionError(f"no JSON variables follow {name} in the README")


def as_written(text: str, **swaps: str) -> str:
    """The document with the README's placeholders (the keys, quoted) swapped for real values."""
    for placeholder, value in swaps.items():
        assert f'"{placeholder}"' in text, f"the README no longer shows {placeholder!r} in {text}"
        text = text.replace(f'"{placeholder}"', json.dumps(value))
    return text


def test_every_graphql_block_of_the_readme_is_run_here():
    assert set(readme_operations()) == KNOWN


class Shop:
    """The demo shop over HTTP: its ADMIN key, a key per role the README hands out, and the examples."""

    def __init__(self, api: Api, admin: str) -> None:
        self.api, self.admin = api, admin
        self.ops = readme_operations()
        self.keys: dict[str, str] = {"ADMIN": admin}

    async def key(self, role: str) -> str:
        if role not in self.keys:
            body = await self.api(self.admin, KEY_CREATE, input={"name": f"readme {role}", "role": role})
            self.keys[role] = ok(body, "apiKeyCreate")["secret"]
        return self.keys[role]

    async def run(
        self,
        name: str,
        role: str,
        customer_token: str | None = None,
        swaps: dict[str, str] | None = None,
        **variables: Any,
    ) -> dict[str, Any]:
        """The data of the README's operation `name`; fails on any error or userError."""
        api = self.api.with_customer_token(customer_token) if customer_token else self.api
        body = await api(await self.key(role), as_written(self.ops[name], **(swaps or {})), **variables)
        assert "errors" not in body, (name, body)
        for payload in body["data"].values():
            if isinstance(payload, dict) and "userErrors" in payload:
                assert payload["userErrors"] == [], (name, payload)
        return body["data"]


@pytest.fixture
async def demo(db, database_url, tmp_path: Path):
    async with baton_serve(database_url, "--demo", BATON_DATA_DIR=str(tmp_path)) as server:
        admin = (tmp_path / "demo-api-key").read_text().strip()
        yield server, Shop(server.api, admin)


async def test_the_readme_examples_run_on_the_demo_shop(demo):
    server, shop = demo
    # Storefront: a guest places an order with the README's own variables, reads stock and the order.
    placed = (await shop.run("Place", "STOREFRONT", **variables_after("Place")))["orderCreate"]
    order, order_token = placed["order"], placed["orderAccessToken"]
    assert placed["created"] and [line["sku"] for line in order["lines"]] == ["TEE-BLK-M", "MUG-LOGO"]
    product = (await shop.run("product", "STOREFRONT"))["product"]
    assert product["name"] == "Classic Tee, Black, M" and product["inventory"]["available"] >= 0
    status = (await shop.run("Status", "STOREFRONT", order_token, token=order_token))["orderByToken"]
    assert status["number"] == order["number"] and status["status"] == "PENDING"

    # The shop engraves mugs: the ADMIN declares it, and the storefront orders one as the README says.
    mug = (await shop.api(shop.admin, '{ product(sku: "MUG-LOGO") { id } }'))["data"]["product"]["id"]
    declared = await shop.run("productCustomizationOptionsSet", "ADMIN", swaps={"UHJvZHVjdDo…": mug})
    options = declared["productCustomizationOptionsSet"]["product"]["customizationOptions"]
    assert [(o["name"], o["priceDelta"]["amount"]) for o in options] == [
        ("Engraving", "5.00"),
        ("Gift wrap", "3.00"),
    ]
    engraved = {**variables_after("Place")["input"], "idempotencyKey": "checkout-mug"}
    engraved["lines"] = [
        {"sku": "MUG-LOGO", "quantity": 1, "customizations": [{"name": "Engraving", "value": "ADA"}]}
    ]
    mug_order = (await shop.run("Place", "STOREFRONT", input=engraved))["orderCreate"]["order"]
    assert mug_order["lines"][0]["unitPrice"]["amount"] == "19.50"  # 14.50 + 5.00, as the README says

    # Staff edit that order before it ships: two of the mug, another one engraved for Grace, a discount.
    edit = (await shop.run("EditBegin", "STAFF", order=mug_order["id"]))["orderEditBegin"]["orderEdit"]
    staged = await shop.run("EditStage", "STAFF", edit=edit["id"], line=edit["lines"][0]["id"])
    preview = staged["orderEditAddAdjustment"]["orderEdit"]
    assert [(x["sku"], x["quantity"], x["added"]) for x in preview["lines"]] == [
        ("MUG-LOGO", 2, False),
        ("MUG-LOGO", 1, True),
    ]
    assert preview["adjustmentTotal"]["amount"] == "-2.00" and preview["stockChanges"][0]["quantity"] == 2
    commit = {"editId": edit["id"], "notifyCustomer": True, "expectedVersion": edit["baseVersion"]}
    edited = (await shop.run("EditCommit", "STAFF", input=commit))["orderEditCommit"]["order"]
    assert edited["version"] == edit["baseVersion"] + 1 and edited["total"] == preview["total"]
    assert edited["adjustments"] == [{"reason": "Sorry for the wait"}]

    # A signed-in customer: the merchant's backend asks for the token, the app reads with it.
    signed_in = (await shop.run("customerAccessTokenCreate", "STAFF"))["customerAccessTokenCreate"]
    viewer = (await shop.run("viewerCustomer", "STOREFRONT", signed_in["token"]))["viewerCustomer"]
    assert viewer["email"] == "ada@example.com"
    assert order["number"] in [o["number"] for o in viewer["orders"]["nodes"]]
    screen = (await shop.run("Order", "STOREFRONT", signed_in["token"], number=order["number"]))[
        "orderByNumber"
    ]
    assert screen["id"] == order["id"] and len(screen["lines"]) == 2 and screen["events"]

    # Live: the order at once, stock changes as a second order reserves, the partner's event log.
    async with Socket.open(server.ws_url, await shop.key("STOREFRONT"), order_token) as mobile:
        follow = await mobile.subscribe(as_written(shop.ops["orderUpdated"], **{"T3JkZXI6…": order["id"]}))
        assert (await mobile.next(follow))["orderUpdated"]["status"] == "PENDING"
        stock = await mobile.subscribe(shop.ops["inventoryChanged"])
        lin = {"email": "lin@example.com", "firstName": "Lin", "lastName": "Chen"}
        again = {**variables_after("Place")["input"], "idempotencyKey": "checkout-lin", "customer": lin}
        second = (await shop.run("Place", "STOREFRONT", input=again))["orderCreate"]
        assert (await mobile.next(stock))["inventoryChanged"]["sku"] in {"TEE-BLK-M", "MUG-LOGO"}
    async with Socket.open(server.ws_url, await shop.key("PARTNER")) as partner:
        log = await partner.subscribe(as_written(shop.ops["events"], **{"1042": "1"}))
        assert (await partner.next(log))["events"]["type"] in {"ORDER_CREATED", "ORDER_STATUS_CHANGED"}

    # Lin, a second guest, cancels her order; cancelling it again is refused, and the audit log shows that.
    cancel = await shop.run("Cancel", "STOREFRONT", second["orderAccessToken"], id=second["order"]["id"])
    assert cancel["orderCancel"]["order"]["status"] == "CANCELLED"
    refused = await shop.api.with_customer_token(second["orderAccessToken"])(
        await shop.key("STOREFRONT"), shop.ops["Cancel"], id=second["order"]["id"]
    )
    assert refused["data"]["orderCancel"]["userErrors"], refused

    # Partner: the marketplace's orders of the last hour (the demo placed one; the guests' are from the web).
    since = (datetime.now(UTC) - timedelta(hours=1)).isoformat()
    mirrored = (await shop.run("Since", "PARTNER", since=since))["orders"]
    assert mirrored["pageInfo"]["hasNextPage"] is False and len(mirrored["nodes"]) == 1
    assert mirrored["nodes"][0]["lines"] and order["number"] != mirrored["nodes"][0]["number"]

    # Warehouse: the order in its location's queue, picked, packed and shipped; then paid.
    staff = await shop.key("STAFF")
    ok(await shop.api(staff, ORDER_CONFIRM, id=order["id"]), "orderConfirm")
    (fo,) = (await fulfillment_of(shop.api, staff, order["id"]))["fulfillmentOrders"]
    queue = (await shop.run("Queue", "STAFF", location=fo["location"]["id"]))["fulfillmentQueue"]
    assert order["number"] in [n["order"]["number"] for n in queue["nodes"]]
    ok(await shop.api(staff, FO_START, id=fo["id"]), "fulfillmentOrderStartPicking")
    ok(
        await shop.api(staff, FO_PACK, id=fo["id"], packages=[{"weightGrams": 800}]),
        "fulfillmentOrderMarkPacked",
    )
    shipped = await shop.run(
        "Ship",
        "STAFF",
        input={"fulfillmentOrderId": fo["id"], "carrier": "generic", "trackingNumber": "1Z999"},
    )
    assert shipped["shipmentCreate"]["shipment"]["id"]
    assert (await fulfillment_of(shop.api, staff, order["id"]))["status"] == "SHIPPED"
    paid = await shop.api(staff, ORDER_MARK_PAID, id=order["id"], reference="pay-1", amount=None)
    assert ok(paid, "orderMarkPaid")["order"]["paymentStatus"] == "PAID"

    # Returns: the guest swaps a tee for a larger size; staff refund a goodwill sum.
    lines = await shop.api(staff, "query($id: ID!) { order(id: $id) { lines { id sku } } }", id=order["id"])
    tee = next(line for line in lines["data"]["order"]["lines"] if line["sku"] == "TEE-BLK-M")
    asked = {
        "orderId": order["id"],
        "customerNote": "too small",
        "lines": [
            {
                "orderLineId": tee["id"],
                "quantity": 1,
                "reason": "SIZE_TOO_SMALL",
                "exchangeFor": {"sku": "TEE-BLK-L", "quantity": 1},
            }
        ],
    }
    returned = (await shop.run("Return", "STOREFRONT", order_token, input=asked))["returnRequest"]
    assert returned["return"]["status"] == "REQUESTED" and returned["return"]["rmaNumber"]
    refund_input = {"orderId": order["id"], "reason": "late", "idempotencyKey": "rf-123", "amount": "5"}
    refunded = (await shop.run("Refund", "STAFF", input=refund_input))["refundCreate"]
    assert refunded["created"] and refunded["refund"]["amount"]["amount"] == "5.00"

    # Buyer: the hoodies running low downtown, bought from the suggested supplier and half received.
    suggested = (await shop.run("Suggestions", "STAFF"))["replenishmentSuggestions"]
    hoodie = next(s for s in suggested if (s["sku"], s["location"]["code"]) == ("HOODIE-GRY-M", "downtown"))
    assert (
        hoodie["needsReorder"]
        and hoodie["quantity"] == 12
        and hoodie["supplier"]["name"] == "Northwind Apparel"
    )
    buy = variables_after("Buy")
    buy["input"]["supplierId"] = hoodie["supplier"]["id"]
    buy["input"]["lines"][0]["locationId"] = hoodie["location"]["id"]
    bought = (await shop.run("Buy", "ADMIN", **buy))["purchaseOrderCreate"]
    po = bought["purchaseOrder"]
    assert bought["created"] and (po["status"], po["total"]["amount"]) == ("DRAFT", "324.00")
    assert (await shop.run("Submit", "ADMIN", id=po["id"]))["purchaseOrderSubmit"]["purchaseOrder"][
        "expectedAt"
    ]
    receipt = variables_after("Receive")
    receipt["input"]["id"] = po["id"]
    received = (await shop.run("Receive", "ADMIN", **receipt))["purchaseOrderReceive"]["purchaseOrder"]
    assert received["status"] == "PARTIALLY_RECEIVED" and received["lines"][0]["outstanding"] == 6
    policy = (await shop.run("reorderPolicyUpdate", "ADMIN"))["reorderPolicyUpdate"]["policy"]
    assert (policy["serviceLevel"], policy["autoMode"]) == ("0.950", "DRAFT")

    # Staff: this hour's reports (the README asks for a week; the demo shop's orders are all from now).
    hour = {
        "from": (datetime.now(UTC) - timedelta(hours=1)).isoformat(),
        "to": (datetime.now(UTC) + timedelta(hours=1)).isoformat(),
    }
    reports = await shop.run("Week", "STAFF", **hour)
    assert reports["salesReport"]["totals"]["orders"] >= 2  # the guests' web orders at least
    assert sum(b["shipments"] for b in reports["fulfillmentReport"]["buckets"]) >= 1  # the tee shipped above
    assert reports["returnsReport"]["buckets"]
    planning = await shop.run("Stock", "STAFF", **hour)
    stock = planning["inventoryReport"]
    assert planning["forecastAccuracyReport"]["backtested"] == 0  # the demo's orders are from today
    tee = next(r for r in stock["rows"] if r["sku"] == "TEE-BLK-M")
    assert tee["unitsOrdered"] >= 1 and tee["unitsShipped"] >= 1 and tee["daysOfCover"] > 0
    # The demo's orders are all from today and forecasts are made from whole days: null, as the README says.
    assert (await shop.run("Forecast", "STAFF"))["demandForecast"] is None

    # Fraud risk: a throwaway mailbox billed abroad is held; staff find it, a fraud service agrees.
    risky = {
        **variables_after("Place")["input"],
        "idempotencyKey": "checkout-risky",
        "customer": {"email": "quick@mailinator.com", "firstName": "Q", "lastName": "Uick"},
        "billingAddress": {
            "name": "Q",
            "line1": "1 Far Rd",
            "city": "Lagos",
            "postalCode": "100001",
            "countryCode": "NG",
        },
        "shippingAddress": {**variables_after("Place")["input"]["shippingAddress"], "line1": "9 Drop St"},
    }
    held = (await shop.run("Place", "STOREFRONT", input=risky))["orderCreate"]["order"]
    found = (await shop.run("Risky", "STAFF"))["orders"]["nodes"]
    (listed,) = [n for n in found if n["number"] == held["number"]]
    assert listed["risk"]["level"] == "HIGH" and listed["risk"]["assessments"][0]["source"] == "BATON"
    verdict = {"orderId": held["id"], "source": "Sift", "riskLevel": "HIGH", "score": 91, "facts": []}
    assessed = (await shop.run("Assess", "STAFF", input=verdict))["orderRiskAssessmentCreate"]
    assert assessed["order"]["risk"]["score"] == 91
    settings = (await shop.run("Thresholds", "ADMIN"))["riskSettingsUpdate"]["riskSettings"]
    assert settings["highAt"] == 60 and {"rule": "COUNTRY_MISMATCH", "points": 10} in settings["weights"]

    # Admin: the refused cancel in the audit log; Ada's data exported, Lin erased.
    entries = (await shop.run("auditLog", "ADMIN"))["auditLog"]["nodes"]
    assert [e["operation"] for e in entries] == ["orderCancel"] and entries[0]["errorCodes"]
    exported = (await shop.run("customerDataExport", "ADMIN"))["customerDataExport"]["data"]
    assert "ada@example.com" in json.dumps(exported)
    found = await shop.api(shop.admin, '{ customers(first: 1, email: "lin@example.com") { nodes { id } } }')
    gone = found["data"]["customers"]["nodes"][0]["id"]  # her only order is cancelled: she may be erased
    erased = await shop.run("customerErase", "ADMIN", swaps={"Q3VzdG9tZXI6…": gone})
    assert erased["customerErase"]["erasedCustomerId"] == gone

    # Staff: the ADMIN sets the approval rules; a storefront's big order waits, the ADMIN approves it
    # (another key than the one that placed it) and rejects a second one, which releases its stock.
    rules = (await shop.run("approvalRulesSet", "ADMIN"))["approvalRulesSet"]["rules"]
    assert [(r["name"], r["minTotal"]) for r in rules] == [
        ("Orders of 1,000 or more", {"amount": "1000.00"}),
        ("First orders shipped abroad", None),
    ]
    big_input = {**variables_after("Place")["input"], "lines": [{"sku": "MUG-LOGO", "quantity": 70}]}
    held = []
    for key in ("checkout-big-1", "checkout-big-2"):
        placed = await shop.run("Place", "STOREFRONT", input={**big_input, "idempotencyKey": key})
        held.append(placed["orderCreate"]["order"])
    assert {o["status"] for o in held} == {"PENDING_APPROVAL"}  # 70 x 14.50 and more: over 1,000
    queue = (await shop.run("ApprovalQueue", "STAFF", rule=rules[0]["id"]))["orders"]["nodes"]
    assert [o["number"] for o in queue] == [o["number"] for o in held]
    assert queue[0]["approval"]["ruleName"] == "Orders of 1,000 or more" and queue[0]["approval"]["dueAt"]
    approved = await shop.run("Approve", "ADMIN", id=held[0]["id"])
    assert approved["orderApprove"]["order"]["status"] == "PENDING"
    rejected = (await shop.run("Reject", "ADMIN", id=held[1]["id"]))["orderReject"]["order"]
    assert rejected["status"] == "CANCELLED" and rejected["cancelReason"].startswith("Rejected: ")
    assert (await shop.run("ApprovalQueue", "STAFF", rule=None))["orders"]["nodes"] == []
