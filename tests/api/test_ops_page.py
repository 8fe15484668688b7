"""/ops, the operations page: who may open it, what it shows, and how it keeps the key. Over the ASGI app
here; tests/api/test_ops_browser.py drives it in headless Chromium."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime, timedelta

from domain.forecasting import store
from domain.forecasting.series import Forecast, Point
from domain.tenancy.models import Role
from tests.api.conftest import Api, Shop, publish
from tests.api.documents import INVENTORY_ADJUST, ORDER_CONFIRM, ok, place_order
from tests.api.fulfillment_documents import fulfillment_of, ship
from tests.api.purchasing_documents import SUPPLIER_CREATE, SUPPLIER_PRODUCT_SET
from tests.db_helpers import system_connection


async def _forecast(database_url: str, tenant_id: uuid.UUID, sku: str) -> None:
    """A stored forecast as the worker writes one (domain/forecasting/store.py), from today on."""
    today = datetime.now(UTC).date()
    points = tuple(Point(today + timedelta(days=n), 1.0, 0.5, 2.0, 0.0, 3.0) for n in range(28))
    conn = await system_connection(database_url)
    try:
        await store.save(conn, tenant_id, [Forecast(sku, None, "TSB", True, 90, points)], today, {})
    finally:
        await conn.close()


async def _sign_in(api: Api, key: str) -> tuple[int, str]:
    """The login answer's status and its Set-Cookie header."""
    response = await api.client.post("/ops/login", data={"key": key})
    return response.status_code, response.headers.get("set-cookie", "")


async def test_signed_out_visitors_are_sent_to_the_login_form(api: Api) -> None:
    response = await api.client.get("/ops")
    assert (response.status_code, response.headers["location"]) == (303, "/ops/login")
    form = await api.client.get("/ops/login")
    assert form.status_code == 200
    assert '<form method="post" action="/ops/login">' in form.text
    assert "default-src 'none'" in form.headers["content-security-policy"]
    assert (await api.client.get("/ops/stream")).status_code == 401


async def test_only_admin_and_staff_keys_open_the_page(api: Api, shop: Shop) -> None:
    for role in (Role.STOREFRONT, Role.PARTNER):
        status, cookie = await _sign_in(api, await shop.tenant.key(role))
        assert (status, cookie) == (401, ""), role
    status, cookie = await _sign_in(api, "baton_nothing_like_a_key")
    assert (status, cookie) == (401, "")
    assert "cannot open the operations page" in (await api.client.post("/ops/login", data={"key": "x"})).text

    status, cookie = await _sign_in(api, await shop.tenant.key(Role.STAFF))
    assert status == 303
    assert re.search(r"baton_ops=baton_", cookie)
    attributes = {part.strip().lower() for part in cookie.split(";")[1:]}
    assert {"httponly", "path=/ops", "samesite=strict", "max-age=28800"} <= attributes
    page = await api.client.get("/ops")
    assert page.status_code == 200 and "STAFF key" in page.text


async def test_the_page_shows_the_shops_figures(
    api: Api, shop: Shop, other_shop: Shop, database_url: str
) -> None:
    admin = shop.admin
    shipped = await place_order(api, admin, [("TEE", 2)])
    ok(await api(admin, ORDER_CONFIRM, id=shipped["id"]), "orderConfirm")
    fo = (await fulfillment_of(api, admin, shipped["id"]))["fulfillmentOrders"][0]
    await ship(api, admin, fo["id"], "ops-1")
    await place_order(api, admin, [("MUG", 5)])  # every MUG: out of stock
    await place_order(api, other_shop.admin, [("TEE", 9)])  # Globex's, never shown to Acme
    ok(
        await api(admin, INVENTORY_ADJUST, sku="TEE", locationId=shop.location_id, delta=1, reason="FOUND"),
        "inventoryAdjust",
    )
    supplier = ok(
        await api(admin, SUPPLIER_CREATE, input={"name": "Acme Ceramics", "leadTimeDays": 5}),
        "supplierCreate",
    )["supplier"]
    given = {"supplierId": supplier["id"], "sku": "MUG", "unitCost": "3.00"}
    ok(await api(admin, SUPPLIER_PRODUCT_SET, input=given), "supplierProductSet")
    await _forecast(database_url, shop.tenant.id, "MUG")
    await publish(database_url)  # the relay gives the events their places in the log
    assert (await _sign_in(api, admin))[0] == 303
    page = (await api.client.get("/ops?days=7")).text

    assert "Acme" in page and "Globex" not in page
    kpis = dict(re.findall(r'<div class="kpi"><span>([^<]+)</span><strong>([^<]+)</strong>', page))
    # 49.48 = 2 x 19.99 + 5.00 shipping + 10 % tax; 52.25 = 5 x 8.50 + 5.00 + tax
    assert kpis["Orders"] == "2"
    assert kpis["Net sales"] == "101.73 USD"
    assert kpis["Shipped on time"] == "100%"
    assert kpis["Out of stock"] == "1"
    # Seven days of sales and orders, the SKUs sold, the shipment's day
    assert re.findall(r'aria-label="([^"]+)" data-points="(\d+)"', page) == [
        ("Net sales per day (USD)", "7"),
        ("Orders per day", "7"),
        ("Top SKUs by units", "2"),
        ("Shipped on time, per day (%)", "1"),
        # MUG sold most: its 7 days, then 14 forecast days with their 80 % interval's tops
        ("Units of MUG per day, and the forecast", str(7 + 14 + 14)),
    ]
    assert page.count('<polygon class="band s1"') == 1
    assert "MUG: TSB" in page
    reorder = re.search(r'<table class="cover reorder">.*?</table>', page, re.S)
    assert reorder is not None and "<td>MUG</td>" in reorder.group(0) and "Acme Ceramics" in reorder.group(0)
    assert '<text class="value"' in page and ">5</text>" in page  # MUG's five units
    cover = re.search(r'<table class="cover">.*?</table>', page, re.S)
    assert cover is not None
    rows = re.findall(r"<tr><td>([A-Z]+)</td><td>(\d+)</td><td>(-?\d+)</td>", cover.group(0))
    assert rows == [("MUG", "5", "0"), ("TEE", "9", "9")]  # out of stock first
    assert "ORDER_CREATED" in page and "INVENTORY_LEVEL_CHANGED" in page and "FOUND: onHand +1" in page
    assert (await api.client.get("/ops?days=1000")).text.count("<svg") == 6  # an unknown period: 30 days


async def test_signing_out_forgets_the_key_and_a_revoked_key_stops_working(api: Api, shop: Shop) -> None:
    key = await shop.tenant.key(Role.ADMIN)
    assert (await _sign_in(api, key))[0] == 303
    assert (await api.client.get("/ops")).status_code == 200
    out = await api.client.post("/ops/logout")
    assert out.status_code == 303 and 'baton_ops=""' in out.headers["set-cookie"]
    assert (await api.client.get("/ops")).status_code == 303

    assert (await _sign_in(api, key))[0] == 303
    listed = await api(shop.admin, "{ apiKeys { nodes { id prefix } } }")
    signed_in = next(k["id"] for k in listed["data"]["apiKeys"]["nodes"] if key.startswith(k["prefix"]))
    revoke = "mutation($id: ID!) { apiKeyRevoke(input: {id: $id}) { userErrors { code } } }"
    assert (await api(shop.admin, revoke, id=signed_in))["data"]["apiKeyRevoke"]["userErrors"] == []
    assert (await api.client.get("/ops")).status_code == 303  # the key cache is off in tests: at once


async def test_assets_are_served_by_baton(api: Api) -> None:
    css = await api.client.get("/ops/assets/ops.css")
    script = await api.client.get("/ops/assets/ops.js")
    assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")
    assert "EventSource" in script.text
    assert (await api.client.get("/ops/assets/..%2Fsession.py")).status_code == 404
