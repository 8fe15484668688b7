"""Documents and seeded data for the customer-access tests (customer and order access tokens, scopes,
what partners and public keys may see)."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from tests.api.documents import (
    CUSTOMERS,
    ORDER_CONFIRM,
    ORDER_CREATE_WITH_TOKEN,
    USER_ERRORS,
    address,
    ok,
)
from tests.api.fulfillment_documents import SET_TIER, fulfillment_of
from tests.api.return_documents import deliver, line_id, refund, request_return

# Everything an order shows about the person behind it.
PRIVATE_ORDER_FIELDS = """
  id number status email
  shippingAddress { name company line1 line2 city region postalCode countryCode phone }
  billingAddress { name line1 line2 postalCode phone }
  customer { id email firstName lastName phone }
  events { type data }
"""
ORDER_BY_TOKEN = f"query($token: String!) {{ orderByToken(token: $token) {{ {PRIVATE_ORDER_FIELDS} }} }}"
ORDER_SEEN = f"query($id: ID!) {{ order(id: $id) {{ {PRIVATE_ORDER_FIELDS} }} }}"
ORDERS_SEEN = f"{{ orders(first: 10) {{ nodes {{ {PRIVATE_ORDER_FIELDS} }} }} }}"
VIEWER_CUSTOMER = """
{
  viewerCustomer {
    email firstName phone
    orders(first: 10) { nodes { id number status email } }
    returns(first: 10) { nodes { id rmaNumber status order { number } } }
  }
}"""
CUSTOMER_TOKEN_CREATE = f"""
mutation($input: CustomerAccessTokenCreateInput!) {{
  customerAccessTokenCreate(input: $input) {{ token expiresAt {USER_ERRORS} }}
}}"""
SECRET_ROTATE = f"""
mutation($keep: Boolean!) {{
  customerTokenSecretRotate(input: {{keepPrevious: $keep}}) {{ secret {USER_ERRORS} }}
}}"""
KEY_CREATE = f"""
mutation($input: ApiKeyCreateInput!) {{
  apiKeyCreate(input: $input) {{ apiKey {{ id name role scopes }} secret {USER_ERRORS} }}
}}"""
KEYS = "{ apiKeys(first: 20) { nodes { name role scopes } } }"
VIEWER_SCOPES = "{ viewer { role scopes } }"
ORDER_CREATE_SEEN = f"""
mutation($input: OrderCreateInput!) {{
  orderCreate(input: $input) {{
    order {{ {PRIVATE_ORDER_FIELDS} }}
    created orderAccessToken {USER_ERRORS}
  }}
}}"""

ADA = {
    "email": "ada.private@example.com",
    "phone": "+44 20 7946 0142",
    "first": "Adelinde",
    "last": "Quillfeather",
    "line1": "12 Hiddenwell Lane",
    "line2": "Flat 9 Wrenfold Court",
    "postal": "EC1V 9HX",
    "billing_line1": "400 Ledgermoor Street",
    "billing_postal": "N1 7GU",
    "billing_phone": "+44 20 7946 0177",
}
BOB = {
    "email": "bob.secret@example.org",
    "phone": "+44 161 496 0958",
    "first": "Barnaby",
    "last": "Thistlewood",
    "line1": "221 Quietbrook Mews",
    "line2": "Garden Flat Larkspur House",
    "postal": "SW1A 2AA",
}
# What must never show to a public key without the customer's proof, nor (emails and phones) to a partner.
EMAILS = [ADA["email"], BOB["email"]]
PHONES = [ADA["phone"], ADA["billing_phone"], BOB["phone"]]
PRIVATE = [
    *EMAILS,
    *PHONES,
    ADA["last"],
    BOB["last"],
    ADA["line1"],
    ADA["line2"],
    ADA["billing_line1"],
    BOB["line1"],
    BOB["line2"],
    ADA["postal"],
    ADA["billing_postal"],
    BOB["postal"],
]


def private_input(person: dict[str, str], lines: list[tuple[str, int]], **more: Any) -> dict[str, Any]:
    """An order of this person's, with their phone, shipping address and (if they have one) billing."""
    name = f"{person['first']} {person['last']}"
    shipping = address(
        name=name,
        line1=person["line1"],
        line2=person["line2"],
        city="London",
        region=None,
        postalCode=person["postal"],
        countryCode="GB",
        phone=person["phone"],
    )
    data: dict[str, Any] = {
        "channel": "WEB",
        "customer": {
            "email": person["email"],
            "firstName": person["first"],
            "lastName": person["last"],
            "phone": person["phone"],
        },
        "shippingAddress": shipping,
        "lines": [{"sku": sku, "quantity": quantity} for sku, quantity in lines],
        **more,
    }
    if "billing_line1" in person:
        data["billingAddress"] = address(
            name=name,
            line1=person["billing_line1"],
            city="London",
            region=None,
            postalCode=person["billing_postal"],
            countryCode="GB",
            phone=person["billing_phone"],
        )
    return data


async def place_private(
    api: Any, key: str, person: dict[str, str], lines: list[tuple[str, int]], **more: Any
) -> tuple[dict[str, Any], str]:
    """The order and its order access token."""
    body = await api(key, ORDER_CREATE_WITH_TOKEN, input=private_input(person, lines, **more))
    payload = ok(body, "orderCreate")
    return payload["order"], payload["orderAccessToken"]


async def customer_id(api: Any, key: str, email: str) -> str:
    nodes = (await api(key, CUSTOMERS, email=email))["data"]["customers"]["nodes"]
    assert len(nodes) == 1, nodes
    return nodes[0]["id"]


async def customer_token(api: Any, key: str, email: str, expires_in: int = 3600) -> str:
    body = await api(key, CUSTOMER_TOKEN_CREATE, input={"email": email, "expiresIn": expires_in})
    token = ok(body, "customerAccessTokenCreate")["token"]
    assert token.startswith("bc1."), token
    return token


def in_seconds(seconds: int) -> int:
    return int(time.time()) + seconds


@dataclass
class Seeded:
    """Ada's delivered order (a fulfillment order, a shipment, a return, a refund) and Bob's confirmed one."""

    ada_order: dict[str, Any]
    ada_token: str
    bob_order: dict[str, Any]
    bob_token: str
    ada_customer_id: str
    line_id: str
    fulfillment_order_id: str
    shipment_id: str
    return_id: str
    refund_id: str


async def seed_private_orders(api: Any, shop: Any) -> Seeded:
    """Orders full of contact details, and the events that carry emails (a tier change, a token issued),
    all through the admin key."""
    admin = shop.admin
    placed, ada_token = await place_private(api, admin, ADA, [("TEE", 2)])
    ada = await deliver(api, shop, placed)
    bob, bob_token = await place_private(api, admin, BOB, [("MUG", 1)])
    ok(await api(admin, ORDER_CONFIRM, id=bob["id"]), "orderConfirm")  # waiting in the picking queue
    ret = await request_return(
        api, admin, ada, [{"orderLineId": line_id(ada, "TEE"), "quantity": 1, "reason": "OTHER"}]
    )
    given = await refund(api, admin, ada["id"], "goodwill-1", amount="1.00")
    assert given["userErrors"] == [], given
    ada_customer = await customer_id(api, admin, ADA["email"])
    ok(await api(admin, SET_TIER, id=ada_customer, tier="VIP"), "customerSetTier")
    await customer_token(api, admin, BOB["email"])  # its event names Bob's email
    shipped = await fulfillment_of(api, admin, ada["id"])
    return Seeded(
        ada_order=ada,
        ada_token=ada_token,
        bob_order=bob,
        bob_token=bob_token,
        ada_customer_id=ada_customer,
        line_id=line_id(ada, "TEE"),
        fulfillment_order_id=shipped["fulfillmentOrders"][0]["id"],
        shipment_id=shipped["shipments"][0]["id"],
        return_id=ret["id"],
        refund_id=given["refund"]["id"],
    )
