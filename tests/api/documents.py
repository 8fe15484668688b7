"""GraphQL documents shared by the API tests, builders for their inputs, and a few steps that set a
shop up through the API itself (so every fixture also exercises the public contract)."""

from __future__ import annotations

import base64
import uuid
from typing import Any

USER_ERRORS = "userErrors { field message code }"

# --- mutations, in the exact shapes outside clients use ----------------------------------------

LOCATION_CREATE = f"""
mutation LocationCreate($name: String!, $code: String, $priority: Int) {{
  locationCreate(input: {{name: $name, code: $code, priority: $priority}}) {{
    location {{ id }}
    {USER_ERRORS}
  }}
}}
"""

LOCATION_UPDATE = f"""
mutation LocationUpdate($input: LocationUpdateInput!) {{
  locationUpdate(input: $input) {{
    location {{ id name code priority active }}
    {USER_ERRORS}
  }}
}}
"""

PRODUCT_CREATE = f"""
mutation ProductCreate(
  $sku: String!, $name: String!, $price: Decimal!, $currencyCode: CurrencyCode,
  $backorderPolicy: BackorderPolicy
) {{
  productCreate(input: {{
    sku: $sku, name: $name, price: $price, currencyCode: $currencyCode,
    backorderPolicy: $backorderPolicy
  }}) {{
    product {{ id sku }}
    {USER_ERRORS}
  }}
}}
"""

PRODUCT_UPDATE = f"""
mutation ProductUpdate($input: ProductUpdateInput!) {{
  productUpdate(input: $input) {{
    product {{ id sku name price {{ amount currencyCode }} backorderPolicy active }}
    {USER_ERRORS}
  }}
}}
"""

PRODUCTS_IMPORT = f"""
mutation ProductsImport($products: [ProductCreateInput!]!) {{
  productsImport(input: {{products: $products}}) {{
    products {{ id sku name price {{ amount currencyCode }} }}
    {USER_ERRORS}
  }}
}}
"""

INVENTORY_SET = f"""
mutation InventorySet($sku: String!, $locationId: ID!, $onHand: Int!, $compareOnHand: Int) {{
  inventorySet(input: {{sku: $sku, locationId: $locationId, onHand: $onHand, compareOnHand: $compareOnHand}}) {{
    inventoryLevel {{ onHand committed available }}
    {USER_ERRORS}
  }}
}}
"""

INVENTORY_ADJUST = f"""
mutation InventoryAdjust($sku: String!, $locationId: ID!, $delta: Int!, $reason: InventoryAdjustReason!) {{
  inventoryAdjust(input: {{sku: $sku, locationId: $locationId, delta: $delta, reason: $reason}}) {{
    inventoryLevel {{ onHand committed available }}
    {USER_ERRORS}
  }}
}}
"""

ORDER_CREATE = f"""
mutation OrderCreate($input: OrderCreateInput!) {{
  orderCreate(input: $input) {{
    order {{ id number status }}
    {USER_ERRORS}
  }}
}}
"""

# What a storefront sends: the order, and its access token (given once, when the order is created).
ORDER_CREATE_WITH_TOKEN = f"""
mutation OrderCreate($input: OrderCreateInput!) {{
  orderCreate(input: $input) {{
    order {{ id number status email }}
    created
    orderAccessToken
    {USER_ERRORS}
  }}
}}
"""

# The same mutation with every input field spelled out in the document, the enum literally.
ORDER_CREATE_LITERAL = f"""
mutation OrderCreateLiteral($email: String!, $sku: String!, $quantity: Int!) {{
  orderCreate(input: {{
    channel: WEB,
    customer: {{email: $email, firstName: "Ada", lastName: "Lovelace", phone: "+1 555 0100"}},
    shippingAddress: {{
      name: "Ada Lovelace", line1: "1 Analytical Way", line2: "Suite 2", city: "Springfield",
      region: "IL", postalCode: "62701", countryCode: US, phone: "+1 555 0100"
    }},
    lines: [{{sku: $sku, quantity: $quantity}}],
    idempotencyKey: "literal-1",
    externalId: "web-literal-1"
  }}) {{
    order {{ id number status }}
    {USER_ERRORS}
  }}
}}
"""

ORDER_CONFIRM = f"""
mutation OrderConfirm($id: ID!) {{
  orderConfirm(input: {{id: $id}}) {{
    order {{ id status confirmedAt }}
    {USER_ERRORS}
  }}
}}
"""

ORDER_MARK_PAID = f"""
mutation OrderMarkPaid($id: ID!, $reference: String!, $amount: Decimal) {{
  orderMarkPaid(input: {{id: $id, reference: $reference, amount: $amount}}) {{
    order {{ id paymentStatus paid {{ amount }} balanceDue {{ amount }} }}
    {USER_ERRORS}
  }}
}}
"""

ORDER_UPDATE = f"""
mutation OrderUpdate($input: OrderUpdateInput!) {{
  orderUpdate(input: $input) {{
    order {{ id note tags version shippingAddress {{ line1 postalCode countryCode }} }}
    {USER_ERRORS}
  }}
}}
"""

ORDER_CANCEL = f"""
mutation OrderCancel($id: ID!, $reason: String) {{
  orderCancel(input: {{id: $id, reason: $reason}}) {{
    order {{ id status }}
    {USER_ERRORS}
  }}
}}
"""

# --- queries -----------------------------------------------------------------------------------

PRODUCT = """
query Product($sku: String!) {
  product(sku: $sku) {
    sku
    inventory {
      onHand committed available incoming
      levels { location { id } onHand committed available }
    }
  }
}
"""

ORDER_FIELDS = "id number status total { amount currencyCode } lines { sku quantity }"

ORDER = f"query Order($id: ID!) {{ order(id: $id) {{ {ORDER_FIELDS} }} }}"

ORDER_BY_NUMBER = (
    f"query OrderByNumber($number: String!) {{ orderByNumber(number: $number) {{ {ORDER_FIELDS} }} }}"
)

PAGE_INFO = "pageInfo { hasNextPage hasPreviousPage startCursor endCursor }"

ORDERS = f"""
query Orders(
  $first: Int, $after: String, $last: Int, $before: String, $filter: OrderFilterInput,
  $sortKey: OrderSortKey! = CREATED_AT, $reverse: Boolean! = false
) {{
  orders(
    first: $first, after: $after, last: $last, before: $before, filter: $filter,
    sortKey: $sortKey, reverse: $reverse
  ) {{
    edges {{ cursor node {{ id number }} }}
    nodes {{ number status channel email tags total {{ amount }} }}
    {PAGE_INFO}
  }}
}}
"""

# What a back-office order list asks for: lines, customer and totals of every order.
ORDERS_NESTED = """
query OrdersNested($first: Int!) {
  orders(first: $first) {
    nodes {
      id number status
      subtotal { amount currencyCode } tax { amount } total { amount currencyCode }
      customer { id email firstName }
      lines { sku quantity unitPrice { amount } subtotal { amount } }
    }
  }
}
"""

NODE = """
query Node($id: ID!) {
  node(id: $id) {
    __typename id
    ... on Order { number }
    ... on OrderLine { sku }
    ... on Product { sku }
    ... on Location { code }
    ... on Customer { email }
  }
}
"""

NODES = "query Nodes($ids: [ID!]!) { nodes(ids: $ids) { __typename id } }"

CUSTOMERS = f"""
query Customers($email: String, $first: Int, $after: String) {{
  customers(email: $email, first: $first, after: $after) {{
    nodes {{ id email firstName lastName orders {{ nodes {{ number }} }} }}
    {PAGE_INFO}
  }}
}}
"""

INVENTORY_MOVEMENTS = f"""
query Movements($sku: String!, $locationId: ID, $first: Int, $reverse: Boolean! = false) {{
  inventoryMovements(sku: $sku, locationId: $locationId, first: $first, reverse: $reverse) {{
    nodes {{
      kind onHandDelta committedDelta onHandAfter committedAfter note actor orderId
      location {{ id }}
    }}
    {PAGE_INFO}
  }}
}}
"""

ORDER_DETAIL = """
query OrderDetail($id: ID!) {
  order(id: $id) {
    id number status paymentStatus email cancelReason version
    customer { id email firstName lastName phone }
    events { type message actor occurredAt data }
    lines {
      id sku quantity
      product { sku }
      allocations { quantity status location { id } }
    }
  }
}
"""

# --- input builders ----------------------------------------------------------------------------


def address(**overrides: Any) -> dict[str, Any]:
    return {
        "name": "Grace Hopper",
        "line1": "1 Compiler Road",
        "city": "Arlington",
        "region": "VA",
        "postalCode": "22201",
        "countryCode": "US",
        **overrides,
    }


def order_input(
    lines: list[tuple[str, int]],
    email: str = "grace@example.com",
    channel: str = "WEB",
    **overrides: Any,
) -> dict[str, Any]:
    return {
        "channel": channel,
        "customer": {"email": email, "firstName": "Grace", "lastName": "Hopper"},
        "shippingAddress": address(),
        "lines": [{"sku": sku, "quantity": quantity} for sku, quantity in lines],
        **overrides,
    }


def global_id(type_name: str, value: uuid.UUID | None = None) -> str:
    """A well-formed global ID of a type, for an object that does not exist (unless value is one)."""
    raw = f"{type_name}:{value or uuid.uuid4()}"
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def codes(payload: dict[str, Any]) -> list[str]:
    return [e["code"] for e in payload["userErrors"]]


def error_codes(body: dict[str, Any]) -> list[str]:
    return [e.get("extensions", {}).get("code") for e in body.get("errors", [])]


# --- steps -------------------------------------------------------------------------------------


def ok(body: dict[str, Any], field: str) -> dict[str, Any]:
    """The payload of a mutation that must have succeeded."""
    assert "errors" not in body, body
    payload = body["data"][field]
    assert payload["userErrors"] == [], payload
    return payload


async def create_location(api: Any, key: str, name: str, priority: int | None = None) -> str:
    body = await api(key, LOCATION_CREATE, name=name, priority=priority)
    return ok(body, "locationCreate")["location"]["id"]


async def create_product(
    api: Any, key: str, sku: str, price: str = "19.99", backorder_policy: str | None = None
) -> str:
    body = await api(
        key, PRODUCT_CREATE, sku=sku, name=f"Product {sku}", price=price, backorderPolicy=backorder_policy
    )
    return ok(body, "productCreate")["product"]["id"]


async def set_stock(api: Any, key: str, sku: str, location_id: str, on_hand: int) -> dict[str, Any]:
    body = await api(key, INVENTORY_SET, sku=sku, locationId=location_id, onHand=on_hand)
    return ok(body, "inventorySet")["inventoryLevel"]


async def place_order(api: Any, key: str, lines: list[tuple[str, int]], **kwargs: Any) -> dict[str, Any]:
    body = await api(key, ORDER_CREATE, input=order_input(lines, **kwargs))
    return ok(body, "orderCreate")["order"]


async def place_order_with_token(
    api: Any, key: str, lines: list[tuple[str, int]], **kwargs: Any
) -> tuple[dict[str, Any], str]:
    """The new order and its order access token."""
    payload = ok(await api(key, ORDER_CREATE_WITH_TOKEN, input=order_input(lines, **kwargs)), "orderCreate")
    assert payload["created"] and payload["orderAccessToken"].startswith("bo_"), payload
    return payload["order"], payload["orderAccessToken"]


async def stock_of(api: Any, key: str, sku: str) -> dict[str, Any]:
    body = await api(key, PRODUCT, sku=sku)
    assert "errors" not in body, body
    return body["data"]["product"]["inventory"]


WEBHOOK_CREATE = f"""
mutation($url: String!, $types: [EventType!]) {{
  webhookEndpointCreate(input: {{url: $url, eventTypes: $types}}) {{
    webhookEndpoint {{ id url eventTypes active disabledReason }} secret {USER_ERRORS}
  }}
}}"""
WEBHOOK_UPDATE = f"""
mutation($input: WebhookEndpointUpdateInput!) {{
  webhookEndpointUpdate(input: $input) {{ webhookEndpoint {{ id url eventTypes active disabledReason }} {USER_ERRORS} }}
}}"""
WEBHOOK_DELETE = f"""
mutation($id: ID!) {{ webhookEndpointDelete(input: {{id: $id}}) {{ deletedId {USER_ERRORS} }} }}"""
WEBHOOK_ROTATE = f"""
mutation($id: ID!) {{ webhookEndpointRotateSecret(input: {{id: $id}}) {{ secret {USER_ERRORS} }} }}"""
WEBHOOK_REPLAY = f"""
mutation($id: ID!, $from: String!, $to: String!) {{
  webhookReplay(input: {{endpointId: $id, fromCursor: $from, toCursor: $to}}) {{ enqueued {USER_ERRORS} }}
}}"""
WEBHOOK_ENDPOINTS = "{ webhookEndpoints { nodes { id url active disabledReason } } }"
WEBHOOK_DELIVERIES = """
query($id: ID!) {
  webhookDeliveries(endpointId: $id, first: 100) {
    nodes {
      eventId eventType eventPosition status attemptCount nextAttemptAt lastStatusCode
      attempts { attempt statusCode error latencyMs attemptedAt nextRetryAt }
    }
  }
}"""
