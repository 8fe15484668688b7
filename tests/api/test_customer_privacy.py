"""Data-subject requests: customerDataExport gives a person everything Baton holds about them, and
customerErase leaves not one of their strings in any column of any table, while the shop's amounts,
SKUs and stock ledger stay exactly as they were."""

from __future__ import annotations

import json
from typing import Any

import asyncpg

from domain.db import utcnow
from domain.notifications import outbox
from domain.reading import plain_dsn
from domain.tenancy.models import Role
from tests.api.conftest import publish
from tests.api.customer_documents import ADA, BOB, CUSTOMER_TOKEN_CREATE, VIEWER_CUSTOMER, place_private
from tests.api.documents import ORDER_CANCEL, ok
from tests.api.fulfillment_documents import SET_TIER
from tests.api.return_documents import RETURN_DECLINE, deliver, line_id, request_return
from tests.db_helpers import system_connection

ADA_STRINGS = [
    ADA["email"],
    ADA["phone"],
    ADA["billing_phone"],
    ADA["first"],
    ADA["last"],
    ADA["line1"],
    ADA["line2"],
    ADA["billing_line1"],
    ADA["postal"],
    ADA["billing_postal"],
]
EXPORT = """
mutation($input: CustomerDataExportInput!) {
  customerDataExport(input: $input) { data userErrors { field message code } }
}"""
ERASE = """
mutation($input: CustomerEraseInput!) {
  customerErase(input: $input) { erasedCustomerId userErrors { field message code } }
}"""
LEDGER = """
SELECT (SELECT json_agg(json_build_object('n', number, 'total', total, 'paid', paid, 'refunded', refunded,
                                          'status', status) ORDER BY number) FROM orders) AS orders,
       (SELECT json_agg(json_build_object('sku', sku, 'q', quantity, 'price', unit_price) ORDER BY sku, quantity)
          FROM order_lines) AS lines,
       (SELECT json_agg(json_build_object('kind', kind, 'delta', on_hand_delta) ORDER BY created_at, id)
          FROM inventory_movements) AS movements
"""


async def _found_anywhere(superuser_url: str, strings: list[str]) -> list[str]:
    """Every (table.column: string) where one of the strings appears, in any text, varchar, json(b) or
    array column of any table, in any letter case."""
    conn = await asyncpg.connect(superuser_url)
    try:
        columns = await conn.fetch(
            "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = 'public' "
            "AND data_type IN ('text', 'character varying', 'jsonb', 'json', 'ARRAY')"
        )
        found = []
        for table, column in columns:
            for needle in strings:
                hits = await conn.fetchval(
                    f'SELECT count(*) FROM "{table}" WHERE strpos(lower("{column}"::text), lower($1)) > 0',
                    needle,
                )
                if hits:
                    found.append(f"{table}.{column}: {needle}")
        return found
    finally:
        await conn.close()


async def _ledger(superuser_url: str) -> dict[str, Any]:
    conn = await asyncpg.connect(superuser_url)
    try:
        return dict(await conn.fetchrow(LEDGER))
    finally:
        await conn.close()


async def _emails_enqueued(database_url: str) -> int:
    await publish(database_url)
    conn = await system_connection(plain_dsn(database_url))
    try:
        await outbox.enqueue_once(conn, utcnow())
        return await conn.fetchval("SELECT count(*) FROM notifications")
    finally:
        await conn.close()


async def _ada_with_history(api, shop) -> dict[str, Any]:
    """Ada: a delivered order with a declined return, a cancelled one, a tier change and a token."""
    order, _ = await place_private(api, shop.admin, ADA, [("TEE", 2)], note=f"Leave with {ADA['first']}")
    delivered = await deliver(api, shop, order)
    asked = await request_return(
        api,
        shop.admin,
        delivered,
        [
            {
                "orderLineId": line_id(delivered, "TEE"),
                "quantity": 1,
                "reason": "DAMAGED",
                "note": f"call {ADA['phone']}",
            }
        ],
    )
    ok(await api(shop.admin, RETURN_DECLINE, id=asked["id"], reason="Outside policy"), "returnDecline")
    open_order, _ = await place_private(api, shop.admin, ADA, [("MUG", 1)])
    body = await api(shop.admin, CUSTOMER_TOKEN_CREATE, input={"email": ADA["email"]})
    token = ok(body, "customerAccessTokenCreate")["token"]
    return {"order": order, "open": open_order, "token": token}


async def test_erasing_a_customer_leaves_none_of_their_strings_anywhere_and_the_books_as_they_were(
    api, shop, database_url, superuser_url
):
    ada = await _ada_with_history(api, shop)
    ok(await api(shop.admin, SET_TIER, id=await _customer_id(api, shop), tier="GOLD"), "customerSetTier")
    await place_private(api, shop.admin, BOB, [("TEE", 1)])
    emails = await _emails_enqueued(database_url)
    refused = await api(shop.admin, ERASE, input={"email": ADA["email"]})
    still_there = await _found_anywhere(superuser_url, [ADA["email"]])
    ok(await api(shop.admin, ORDER_CANCEL, id=ada["open"]["id"], reason="customer asked"), "orderCancel")
    await _emails_enqueued(database_url)
    before = await _ledger(superuser_url)

    storefront = await shop.tenant.key(Role.STOREFRONT)
    signed_in = await api.with_customer_token(ada["token"])(storefront, VIEWER_CUSTOMER)
    erased = ok(await api(shop.admin, ERASE, input={"email": ADA["email"]}), "customerErase")
    await publish(database_url)
    after = await api.with_customer_token(ada["token"])(storefront, VIEWER_CUSTOMER)

    codes = [e["code"] for e in refused["data"]["customerErase"]["userErrors"]]
    assert codes == ["OPEN_ORDERS"] and still_there  # refused, and nothing was changed
    assert emails > 0  # emails to Ada were on record, so their erasure is tested too
    assert erased["erasedCustomerId"]
    assert await _found_anywhere(superuser_url, ADA_STRINGS) == []
    assert await _found_anywhere(superuser_url, [BOB["email"], BOB["line1"]])  # another customer is untouched
    assert await _ledger(superuser_url) == before
    assert len(signed_in["data"]["viewerCustomer"]["orders"]["nodes"]) == 2
    assert after["data"]["viewerCustomer"] is None  # Ada's old token opens nothing any more


async def _customer_id(api, shop) -> str:
    body = await api(shop.admin, f'{{ customers(first: 5, email: "{ADA["email"]}") {{ nodes {{ id }} }} }}')
    return body["data"]["customers"]["nodes"][0]["id"]


async def test_the_export_holds_the_person_and_their_orders_and_only_admins_export_or_erase(api, shop):
    ada = await _ada_with_history(api, shop)
    staff = await shop.tenant.key(Role.STAFF)

    exported = ok(await api(shop.admin, EXPORT, input={"email": ADA["email"]}), "customerDataExport")["data"]
    by_id = ok(
        await api(shop.admin, EXPORT, input={"customerId": await _customer_id(api, shop)}),
        "customerDataExport",
    )
    refused = [await api(staff, document, input={"email": ADA["email"]}) for document in (EXPORT, ERASE)]
    unknown = await api(shop.admin, ERASE, input={"email": "nobody@example.com"})

    assert exported["customer"]["email"] == ADA["email"] and exported["customer"]["lastName"] == ADA["last"]
    assert sorted(o["number"] for o in exported["orders"]) == sorted(
        [ada["order"]["number"], ada["open"]["number"]]
    )
    assert any(o["shippingAddress"]["line1"] == ADA["line1"] for o in exported["orders"])
    assert exported["returns"] and exported["events"]
    assert by_id["data"]["customer"] == exported["customer"]
    assert all(r["errors"][0]["extensions"]["code"] == "FORBIDDEN" for r in refused)
    assert [e["code"] for e in unknown["data"]["customerErase"]["userErrors"]] == ["NOT_FOUND"]


async def test_erasing_twice_is_harmless_and_both_requests_are_events_and_audited(api, shop, database_url):
    order, _ = await place_private(api, shop.admin, ADA, [("TEE", 1)])
    ok(await api(shop.admin, ORDER_CANCEL, id=order["id"], reason="changed mind"), "orderCancel")
    customer = await _customer_id(api, shop)

    first = ok(await api(shop.admin, ERASE, input={"customerId": customer}), "customerErase")
    again = ok(await api(shop.admin, ERASE, input={"customerId": customer}), "customerErase")
    ok(await api(shop.admin, EXPORT, input={"customerId": customer}), "customerDataExport")
    await publish(database_url)
    feed = await api(
        shop.admin,
        "{ eventsFeed(first: 50, types: [CUSTOMER_ERASED, CUSTOMER_DATA_EXPORTED]) { nodes { type payload } } }",
    )
    audit = await api(shop.admin, '{ auditLog(first: 10, operation: "customerErase") { nodes { outcome } } }')

    assert first == again == {"erasedCustomerId": customer, "userErrors": []}
    events = feed["data"]["eventsFeed"]["nodes"]
    assert [e["type"] for e in events] == [
        "CUSTOMER_ERASED",
        "CUSTOMER_DATA_EXPORTED",
    ]  # once: the second erase did nothing
    assert ADA["email"] not in json.dumps(events) and ADA["last"] not in json.dumps(events)
    assert [n["outcome"] for n in audit["data"]["auditLog"]["nodes"]] == ["OK", "OK"]
