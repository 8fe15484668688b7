"""Every mutation leaves one audit entry (who, what, on what, from where, how it ended) and no secret;
queries leave none; auditLog lists a shop's entries for ADMIN keys only, filtered and paged."""

from __future__ import annotations

from typing import Any

from sqlalchemy import text

from domain.audit.service import input_digest
from domain.tenancy import service as tenancy
from domain.tenancy.models import Role
from tests.api.customer_documents import CUSTOMER_TOKEN_CREATE, KEY_CREATE, customer_token
from tests.api.documents import (
    ORDER_CREATE_WITH_TOKEN,
    PRODUCT_CREATE,
    WEBHOOK_CREATE,
    WEBHOOK_DELETE,
    create_product,
    error_codes,
    global_id,
    ok,
    order_input,
    place_order,
)
from tests.db_helpers import as_tenant

AUDIT_LOG = """
query($first: Int, $after: String, $operation: String, $keyId: ID, $outcome: AuditOutcome,
      $since: DateTime, $until: DateTime) {
  auditLog(first: $first, after: $after, operation: $operation, keyId: $keyId, outcome: $outcome,
           since: $since, until: $until) {
    nodes { sequence occurredAt keyId role operation targetIds outcome errorCodes requestId clientIp }
    pageInfo { hasNextPage endCursor }
  }
}"""
PUBLIC_URL = "https://93.184.216.34/hooks"  # an address literal: no DNS lookup, not a private address


async def entries(engine, tenant_id) -> list[dict[str, Any]]:
    async with as_tenant(engine, tenant_id) as conn:
        result = await conn.execute(text("SELECT * FROM audit_entries ORDER BY seq"))
        return [dict(r) for r in result.mappings()]


async def test_a_mutation_writes_one_entry_saying_who_did_what_to_what_from_where(api, tenant):
    response = await api.post(
        tenant.admin, PRODUCT_CREATE, {"sku": "TEE", "name": "Tee", "price": "19.99", "currencyCode": "USD"}
    )
    product_id = ok(response.json(), "productCreate")["product"]["id"]

    (entry,) = await entries(api.engine, tenant.id)
    assert entry["operation"] == "productCreate"
    assert (entry["outcome"], entry["error_codes"]) == ("OK", [])
    assert entry["target_ids"] == [product_id]
    assert entry["role"] == "ADMIN" and entry["key_id"] is not None and entry["customer_id"] is None
    assert entry["client_ip"] == "127.0.0.1"
    assert entry["request_id"]
    # The arguments as GraphQL coerced them, defaults included; secrets would be left out.
    sent = {"sku": "TEE", "name": "Tee", "price": "19.99", "currencyCode": "USD"}
    defaults = {"weightGrams": None, "backorderPolicy": None, "active": None}
    assert entry["input_digest"] == input_digest({"input": {**sent, **defaults}})


async def test_a_refused_input_is_recorded_with_its_user_error_codes(api, tenant):
    missing = global_id("WebhookEndpoint")
    body = await api(tenant.admin, WEBHOOK_DELETE, id=missing)
    assert body["data"]["webhookEndpointDelete"]["userErrors"]

    (entry,) = await entries(api.engine, tenant.id)
    assert (entry["operation"], entry["outcome"], entry["error_codes"]) == (
        "webhookEndpointDelete",
        "USER_ERRORS",
        ["NOT_FOUND"],
    )
    assert entry["target_ids"] == [missing]


async def test_a_mutation_the_key_may_not_run_is_recorded_as_forbidden(api, tenant):
    staff = await tenant.key(Role.STAFF)
    body = await api(staff, WEBHOOK_CREATE, url=PUBLIC_URL)
    assert error_codes(body) == ["FORBIDDEN"]

    (entry,) = await entries(api.engine, tenant.id)
    assert (entry["operation"], entry["outcome"], entry["role"]) == (
        "webhookEndpointCreate",
        "FORBIDDEN",
        "STAFF",
    )
    assert entry["error_codes"] == ["FORBIDDEN"]


async def test_each_mutation_field_of_a_request_gets_its_own_entry_in_order(api, tenant):
    body = await api(
        tenant.admin,
        """mutation {
          a: productCreate(input: {sku: "A", name: "A", price: "1.00"}) { product { id } }
          b: productCreate(input: {sku: "A", name: "A", price: "1.00"}) { product { id } }
        }""",
    )
    assert "errors" not in body

    rows = await entries(api.engine, tenant.id)
    assert [(r["seq"], r["operation"], r["outcome"]) for r in rows] == [
        (1, "productCreate", "OK"),
        (2, "productCreate", "USER_ERRORS"),
    ]
    assert rows[1]["error_codes"] == ["DUPLICATE"]  # recorded though the client did not ask for userErrors
    assert rows[0]["request_id"] == rows[1]["request_id"]


async def test_queries_write_no_entries(api, tenant):
    await api(tenant.admin, "{ products(first: 5) { nodes { id } } }")
    await api(tenant.admin, AUDIT_LOG)

    assert await entries(api.engine, tenant.id) == []


async def test_no_secret_or_token_reaches_the_audit_log(api, tenant):
    webhook_secret = ok(await api(tenant.admin, WEBHOOK_CREATE, url=PUBLIC_URL), "webhookEndpointCreate")[
        "secret"
    ]
    token = ok(
        await api(tenant.admin, CUSTOMER_TOKEN_CREATE, input={"email": "ann@example.com", "expiresIn": 600}),
        "customerAccessTokenCreate",
    )["token"]
    key = ok(await api(tenant.admin, KEY_CREATE, input={"name": "desk", "role": "STAFF"}), "apiKeyCreate")[
        "secret"
    ]
    rotate = (
        "mutation { customerTokenSecretRotate(input: {keepPrevious: true}) { secret userErrors { code } } }"
    )
    shop_secret = ok(await api(tenant.admin, rotate), "customerTokenSecretRotate")["secret"]

    rows = await entries(api.engine, tenant.id)
    assert [r["operation"] for r in rows][:3] == [
        "webhookEndpointCreate",
        "customerAccessTokenCreate",
        "apiKeyCreate",
    ]
    stored = repr(rows)
    assert [r["outcome"] for r in rows] == ["OK"] * 4
    for secret in (webhook_secret, token, key, shop_secret, tenant.admin):
        assert secret and secret not in stored
    assert "ann@example.com" not in stored  # the input is stored as a digest only


async def test_the_audit_log_is_filtered_and_paged_newest_first(api, tenant):
    staff = await tenancy.create_api_key(api.engine, tenant.id, Role.STAFF)
    for sku in ("A", "B", "C"):
        await create_product(api, tenant.admin, sku)
    await api(staff.secret, WEBHOOK_CREATE, url=PUBLIC_URL)
    await api(tenant.admin, WEBHOOK_DELETE, id=global_id("WebhookEndpoint"))

    first = (await api(tenant.admin, AUDIT_LOG, first=2))["data"]["auditLog"]
    assert [n["sequence"] for n in first["nodes"]] == [5, 4]
    assert first["pageInfo"]["hasNextPage"] is True
    rest = (await api(tenant.admin, AUDIT_LOG, first=10, after=first["pageInfo"]["endCursor"]))["data"][
        "auditLog"
    ]
    assert [n["sequence"] for n in rest["nodes"]] == [3, 2, 1]
    assert rest["pageInfo"]["hasNextPage"] is False

    async def sequences(**filters: Any) -> list[int]:
        body = await api(tenant.admin, AUDIT_LOG, **filters)
        assert "errors" not in body, body
        return [n["sequence"] for n in body["data"]["auditLog"]["nodes"]]

    staff_gid = global_id("ApiKey", staff.key.id)
    assert await sequences(operation="productCreate") == [3, 2, 1]
    assert await sequences(outcome="FORBIDDEN") == [4]
    assert await sequences(outcome="USER_ERRORS") == [5]
    assert await sequences(keyId=staff_gid) == [4]
    first_at = first["nodes"][1]["occurredAt"]
    assert await sequences(since=first_at) == [5, 4]
    assert await sequences(until=first_at) == [3, 2, 1]
    forbidden = (await api(tenant.admin, AUDIT_LOG, outcome="FORBIDDEN"))["data"]["auditLog"]["nodes"][0]
    assert (forbidden["keyId"], forbidden["role"], forbidden["clientIp"]) == (staff_gid, "STAFF", "127.0.0.1")


async def test_a_shop_sees_only_its_own_audit_entries(api, tenant, other_tenant):
    await create_product(api, tenant.admin, "A")
    await create_product(api, other_tenant.admin, "B")
    await create_product(api, other_tenant.admin, "C")

    mine = (await api(tenant.admin, AUDIT_LOG))["data"]["auditLog"]["nodes"]
    theirs = (await api(other_tenant.admin, AUDIT_LOG))["data"]["auditLog"]["nodes"]
    assert [n["sequence"] for n in mine] == [1]
    assert [n["sequence"] for n in theirs] == [2, 1]
    assert not set(mine[0]["targetIds"]) & {t for n in theirs for t in n["targetIds"]}


async def test_a_staff_key_may_not_read_the_audit_log(api, tenant):
    staff = await tenant.key(Role.STAFF)

    body = await api(staff, AUDIT_LOG)

    assert error_codes(body) == ["FORBIDDEN"]
    assert body["data"] is None


async def test_a_customer_acting_with_their_token_is_named_in_the_entry(api, shop):
    first = await place_order(api, shop.admin, [("TEE", 1)])
    seen = await api(shop.admin, "query($id: ID!) { order(id: $id) { customer { id } } }", id=first["id"])
    customer_gid = seen["data"]["order"]["customer"]["id"]
    token = await customer_token(api, shop.admin, "grace@example.com")
    storefront = await shop.tenant.key(Role.STOREFRONT)

    body = await api.with_customer_token(token)(
        storefront, ORDER_CREATE_WITH_TOKEN, input=order_input([("MUG", 1)])
    )
    placed = ok(body, "orderCreate")

    entry = (await entries(api.engine, shop.tenant.id))[-1]
    assert (entry["operation"], entry["outcome"], entry["role"]) == ("orderCreate", "OK", "STOREFRONT")
    assert global_id("Customer", entry["customer_id"]) == customer_gid
    assert placed["order"]["id"] in entry["target_ids"]
    assert placed["orderAccessToken"] not in repr(entry) and token not in repr(entry)
