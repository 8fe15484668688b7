"""A tenant manages its own settings and API keys through the API (ADMIN keys only)."""

from __future__ import annotations

from sqlalchemy import select

from domain.events.models import OutboxEvent
from domain.tenancy.models import Role
from tests.api.documents import (
    ORDER_CREATE,
    codes,
    create_location,
    create_product,
    error_codes,
    ok,
    order_input,
    set_stock,
)
from tests.db_helpers import as_system

SHOP = "{ shop { name currencyCode taxRate shippingRates { method price { amount currencyCode } } } }"
SHOP_UPDATE = """
mutation($input: ShopUpdateInput!) {
  shopUpdate(input: $input) { shop { name taxRate shippingRates { method price { amount } } } userErrors { field message code } }
}
"""
KEY_CREATE = """
mutation($name: String!, $role: ApiKeyRole!) {
  apiKeyCreate(input: {name: $name, role: $role}) { apiKey { id name role prefix revokedAt } secret userErrors { field message code } }
}
"""
KEY_REVOKE = """
mutation($id: ID!) { apiKeyRevoke(input: {id: $id}) { apiKey { id revokedAt } userErrors { field message code } } }
"""
KEYS = "{ apiKeys(first: 10) { nodes { name role prefix revokedAt } } }"
VIEWER = "{ viewer { role apiKeyId shop { name } } }"


async def test_every_key_can_read_its_shop_and_who_it_is(api, tenant):
    partner = await tenant.key(Role.PARTNER)
    shop = (await api(partner, SHOP))["data"]["shop"]
    assert shop["name"] == "Acme" and shop["currencyCode"] == "USD" and shop["taxRate"] == "10.00"
    assert {r["method"]: r["price"]["amount"] for r in shop["shippingRates"]} == {
        "STANDARD": "5.00",
        "EXPRESS": "15.00",
        "OVERNIGHT": "30.00",
        "PICKUP": "0.00",
    }
    viewer = (await api(partner, VIEWER))["data"]["viewer"]
    assert viewer["role"] == "PARTNER" and viewer["shop"]["name"] == "Acme"


async def test_a_new_tax_rate_and_shipping_rate_price_the_next_order(api, tenant):
    body = await api(
        tenant.admin,
        SHOP_UPDATE,
        input={"taxRate": "8.25", "shippingRates": [{"method": "STANDARD", "amount": "4.50"}]},
    )
    shop = ok(body, "shopUpdate")["shop"]
    assert shop["taxRate"] == "8.25"
    location = await create_location(api, tenant.admin, "Main")
    await create_product(api, tenant.admin, "TEE", price="20.00")
    await set_stock(api, tenant.admin, "TEE", location, 5)
    query = ORDER_CREATE.replace("order { id number status }", "order { total { amount } tax { amount } }")
    order = ok(await api(tenant.admin, query, input=order_input([("TEE", 1)])), "orderCreate")["order"]
    assert order["tax"]["amount"] == "2.02"  # 8.25 % of 20.00 (1.65) + of 4.50 (0.37)
    assert order["total"]["amount"] == "26.52"


async def test_a_bad_tax_rate_and_a_bad_shipping_amount_are_both_reported_and_nothing_changes(
    api, tenant, db
):
    body = await api(
        tenant.admin,
        SHOP_UPDATE,
        input={"taxRate": "120", "name": "New", "shippingRates": [{"method": "EXPRESS", "amount": "1.234"}]},
    )
    payload = body["data"]["shopUpdate"]
    assert codes(payload) == ["INVALID", "INVALID_AMOUNT"]
    assert [e["field"] for e in payload["userErrors"]] == [["taxRate"], ["shippingRates", "0", "amount"]]
    assert (await api(tenant.admin, SHOP))["data"]["shop"]["name"] == "Acme"


async def test_staff_cannot_change_the_shop_or_manage_keys(api, tenant):
    staff = await tenant.key(Role.STAFF)
    assert error_codes(await api(staff, SHOP_UPDATE, input={"name": "Mine"})) == ["FORBIDDEN"]
    assert error_codes(await api(staff, KEY_CREATE, name="x", role="ADMIN")) == ["FORBIDDEN"]
    assert error_codes(await api(staff, KEYS)) == ["FORBIDDEN"]


async def test_an_issued_key_works_once_shown_and_stops_working_when_revoked(api, tenant, db):
    created = ok(await api(tenant.admin, KEY_CREATE, name="POS terminal", role="STOREFRONT"), "apiKeyCreate")
    secret = created["secret"]
    assert secret.startswith(created["apiKey"]["prefix"] + "_")
    assert (await api(secret, VIEWER))["data"]["viewer"]["role"] == "STOREFRONT"
    listed = (await api(tenant.admin, KEYS))["data"]["apiKeys"]["nodes"]
    assert {k["name"] for k in listed} == {"POS terminal", "initial admin key"}
    assert all("secret" not in k for k in listed)

    revoked = ok(await api(tenant.admin, KEY_REVOKE, id=created["apiKey"]["id"]), "apiKeyRevoke")
    assert revoked["apiKey"]["revokedAt"] is not None
    response = await api.post(secret, VIEWER)
    assert response.status_code == 401
    async with as_system(db) as conn:
        types = (
            (await conn.execute(select(OutboxEvent.type).order_by(OutboxEvent.occurred_at))).scalars().all()
        )
    assert types == ["API_KEY_ISSUED", "API_KEY_REVOKED"]


async def test_a_key_cannot_revoke_itself_nor_another_tenants_key(api, tenant, other_tenant):
    me = (await api(tenant.admin, VIEWER))["data"]["viewer"]["apiKeyId"]
    assert codes((await api(tenant.admin, KEY_REVOKE, id=me))["data"]["apiKeyRevoke"]) == ["INVALID"]
    theirs = (await api(other_tenant.admin, VIEWER))["data"]["viewer"]["apiKeyId"]
    assert codes((await api(tenant.admin, KEY_REVOKE, id=theirs))["data"]["apiKeyRevoke"]) == ["NOT_FOUND"]
    assert (await api(other_tenant.admin, VIEWER))["data"]["viewer"]["role"] == "ADMIN"
